package retention

// WithBatchSize returns a copy of s that handles n contacts or responses
// between lease renewals, so that tests see several batches.
func (s *Service) WithBatchSize(n int64) *Service {
	c := *s
	c.batch = n
	return &c
}

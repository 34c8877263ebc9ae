package respond

// WithStepHook returns a copy of s that calls hook between the steps of a
// submission ("claim", "claimed", "stored"), for interleaving tests.
func WithStepHook(s *Service, hook func(step string)) *Service {
	c := *s
	c.stepHook = hook
	return &c
}

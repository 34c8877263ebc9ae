package privacy

// The steps of an append, as the step hook names them.
const (
	StepPinned   = stepPinned
	StepHeadRead = stepHeadRead
	StepLost     = stepLost
	StepInserted = stepInserted
	StepAdvanced = stepAdvanced
)

// OnStep calls f at each step of every append; an error from f stops the
// append there, as a crash would.
func (c *Chain) OnStep(f func(step string, shard int, seq int64) error) { c.step = f }

// PickShards makes f choose the first shard each append tries.
func (c *Chain) PickShards(f func(shards int) int) { c.pick = f }

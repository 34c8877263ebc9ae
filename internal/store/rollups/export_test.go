package rollups

// PauseAt makes the rollups call f at the step boundaries of their
// multi-document writes.
func (r *Repo) PauseAt(f func(step string)) { r.pause = f }

// SetSnapshotChunk sets the most data one snapshot document holds.
func (r *Repo) SetSnapshotChunk(n int) { r.chunk = n }

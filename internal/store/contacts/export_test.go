package contacts

import "time"

// SetClock makes the contacts' email claims read the time from now.
func (r *Repo) SetClock(now func() time.Time) { r.now = now }

// PauseAt makes every contact operation call f between its writes.
func (r *Repo) PauseAt(f func(step, contactID string)) { r.step = f }

package release

import "sync"

// Cache keeps each survey's last decided release under a key that changes
// whenever the survey's counts do, such as the versions of its rollups.
// The zero Cache is ready to use; it is safe for concurrent use.
type Cache struct {
	mu sync.Mutex
	m  map[string]cached
}

type cached struct {
	key string
	k   int64
	r   *Release
}

// cacheSize bounds the surveys whose releases are kept; beyond it
// the cache starts afresh, which costs a decision per survey.
const cacheSize = 256

// Get returns the release kept for a survey under key and threshold k, or
// nil.
func (c *Cache) Get(surveyID, key string, k int64) *Release {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[surveyID]; ok && e.key == key && e.k == k {
		return e.r
	}
	return nil
}

// Put keeps a survey's release under key and threshold k, in place of any
// other of the survey's.
func (c *Cache) Put(surveyID, key string, k int64, r *Release) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= cacheSize {
		c.m = make(map[string]cached)
	}
	c.m[surveyID] = cached{key, k, r}
}

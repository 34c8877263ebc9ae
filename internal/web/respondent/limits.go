package respondent

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/candorhq/candor/internal/i18n"
	"github.com/candorhq/candor/internal/web/input"
)

// Limits on what is posted to one respondent link (answers, withdrawals,
// privacy requests, unsubscribing, email confirmations). A person needs a
// handful of posts; a link posted to more often is being scripted. Links
// are signed, so an attacker cannot spread posts over links he makes up;
// client addresses are not limited, since one may carry a whole office
// behind its NAT.
const (
	LinkPostBurst = 20
	linkPostEvery = 30 * time.Second
)

// LimitPosts refuses, with a respondent page and 429, a post to a
// link, or from an address, over its limit. Reading pages is not limited.
func (s *Pages) LimitPosts(c *fiber.Ctx) error {
	if input.SafeMethod(c.Method()) {
		return c.Next()
	}
	now := time.Now()
	// /s/<token>/…, /u/<token>, /e/<token>: the link is the second segment.
	// The route's parameter is not parsed yet where this runs.
	link := strings.SplitN(strings.TrimPrefix(c.Path(), "/"), "/", 3)
	key := ""
	if len(link) >= 2 {
		key = link[0] + "/" + link[1]
	}
	if s.postsByLink.Allow(key, now) {
		return c.Next()
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(linkPostEvery/time.Second)))
	v := newRespondentView(c, "", i18n.Supported(), "", "en", "")
	return s.renderState(c, v, fiber.StatusTooManyRequests, "limited", linkStatePage{})
}

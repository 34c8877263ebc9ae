// Package pager describes the navigation under a list shown a page at a time.
package pager

import (
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// Pager is what the pager partial shows.
type Pager struct {
	Total      int64
	From, To   int64
	Prev, Next string // links; empty when there is none
	// NewestFirst names the links Newer and Older rather than Previous
	// and Next, for lists in reverse order of time.
	NewestFirst bool
	Label       string // what the navigation is for; empty: "Pages"
}

const maxPageNumber = 1_000_000

// Number reads ?page=, counting from 1.
func Number(c *fiber.Ctx) int {
	return min(max(c.QueryInt("page", 1), 1), maxPageNumber)
}

// New describes page n of a list at base, keeping the query's other
// parameters in its links.
func New(base string, query url.Values, n int, perPage int64, shown int, total int64) Pager {
	offset := int64(n-1) * perPage
	p := Pager{Total: total, From: offset + 1, To: offset + int64(shown)}
	link := func(n int) string {
		q := url.Values{}
		for k, vs := range query {
			if k != "page" && len(vs) > 0 && vs[0] != "" {
				q.Set(k, vs[0])
			}
		}
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if len(q) == 0 {
			return base
		}
		return base + "?" + q.Encode()
	}
	if n > 1 {
		p.Prev = link(n - 1)
	}
	if p.To < total {
		p.Next = link(n + 1)
	}
	return p
}

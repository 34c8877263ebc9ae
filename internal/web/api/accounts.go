package api

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/candorhq/candor/internal/customer"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/web/identity"
	"github.com/candorhq/candor/internal/web/input"
	"github.com/candorhq/candor/internal/web/problem"
)

// AccountJSON is an account as the API shows it.
type AccountJSON struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Country    string    `json:"country"`
	Region     string    `json:"region"`
	Industry   string    `json:"industry"`
	Tier       string    `json:"tier"`
	ManagerIDs []string  `json:"managerIds"`
	CreatedAt  time.Time `json:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt"`
}

func toAccountJSON(a store.Account) AccountJSON {
	managers := a.ManagerIDs
	if managers == nil {
		managers = []string{}
	}
	return AccountJSON{ID: a.ID, Name: a.Name, Country: a.Country, Region: a.Region, Industry: a.Industry,
		Tier: a.Tier, ManagerIDs: managers, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// ListJSON is a page of a list.
type ListJSON[T any] struct {
	Items  []T   `json:"items"`
	Total  int64 `json:"total"`
	Offset int64 `json:"offset"`
	Limit  int64 `json:"limit"`
}

// apiPage reads ?offset= and ?limit=, noting bad values in fields. The page
// is normalised, so the response can tell the limit that applied.
func apiPage(c *fiber.Ctx, fields map[string]string) store.Page {
	return store.Page{Offset: queryInt(c, "offset", 0, fields), Limit: queryInt(c, "limit", 50, fields)}.Normalize()
}

// ListAccounts returns a page of the caller's accounts, by name:
// ?search=part+of+name&offset=0&limit=50.
func (s *API) ListAccounts(c *fiber.Ctx) error {
	fields := map[string]string{}
	p := apiPage(c, fields)
	if len(fields) > 0 {
		return problem.BadRequest("invalid input", fields)
	}

	items, total, err := s.customers.ListAccounts(c.UserContext(), identity.Actor(c), utils.CopyString(c.Query("search")), p)
	if err != nil {
		return err
	}

	out := ListJSON[AccountJSON]{Items: make([]AccountJSON, len(items)), Total: total, Offset: p.Offset, Limit: p.Limit}
	for i, a := range items {
		out.Items[i] = toAccountJSON(a)
	}
	return c.JSON(out)
}

// CreateAccount adds an account. A manager who names no managers is
// made the responsible one; an admin must name at least one.
func (s *API) CreateAccount(c *fiber.Ctx) error {
	var in customer.AccountInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}

	a, err := s.customers.CreateAccount(c.UserContext(), identity.Actor(c), in)
	if err != nil {
		return err
	}

	c.Location("/api/v1/accounts/" + a.ID)
	return c.Status(fiber.StatusCreated).JSON(toAccountJSON(a))
}

// Account returns one account; another manager's is not found.
func (s *API) Account(c *fiber.Ctx) error {
	a, err := s.customers.Account(c.UserContext(), identity.Actor(c), input.Param(c, "id"))
	if err != nil {
		return err
	}
	return c.JSON(toAccountJSON(a))
}

// UpdateAccount changes the fields present in the body.
func (s *API) UpdateAccount(c *fiber.Ctx) error {
	var patch customer.AccountPatch
	if err := decodeJSON(c, &patch); err != nil {
		return err
	}
	if patch == (customer.AccountPatch{}) {
		return problem.BadRequest("nothing to change: give name, country, region, industry, tier or managerIds", nil)
	}

	a, err := s.customers.UpdateAccount(c.UserContext(), identity.Actor(c), input.Param(c, "id"), patch)
	if err != nil {
		return err
	}
	return c.JSON(toAccountJSON(a))
}

// DeleteAccount removes an account that has no contacts; 409 while it
// has some.
func (s *API) DeleteAccount(c *fiber.Ctx) error {
	if err := s.customers.DeleteAccount(c.UserContext(), identity.Actor(c), input.Param(c, "id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

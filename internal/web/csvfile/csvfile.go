// Package csvfile sends CSV downloads.
package csvfile

import (
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
)

func Send(c *fiber.Ctx, name string, records [][]string) error {
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.WriteAll(records); err != nil {
		return fmt.Errorf("web: %s: %w", name, err)
	}
	c.Attachment(name)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	return c.SendString(b.String())
}

package respondent

import (
	"os/exec"
	"strings"
	"testing"
)

// The respondent's pages know only the link's token: they must not be
// able to read, start or end a staff session, even by mistake.
func TestRespondentPagesCannotReachTheStaffSession(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list found only %v", deps)
	}
	for _, d := range deps {
		switch d {
		case "github.com/candorhq/candor/internal/web", // sessions, cookies, CSRF
			"github.com/candorhq/candor/internal/web/identity": // the signed-in staff member
			t.Errorf("respondent depends on %s", d)
		}
	}
}

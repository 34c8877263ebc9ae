package bounce_test

import (
	"context"
	"strings"
	"testing"

	"github.com/candorhq/candor/internal/bounce"
	"github.com/candorhq/candor/internal/store"
	"github.com/candorhq/candor/internal/store/contacts"
)

func TestEveryMessageHasItsOwnVerifiedReturnPath(t *testing.T) {
	e := newEnv(t, 3, 0)
	seen := map[string]bool{}
	for addr, rp := range e.returnPath {
		if !strings.HasPrefix(rp, "b-") || !strings.HasSuffix(rp, "@"+bounceDomain) || seen[rp] {
			t.Errorf("%s: return path %q", addr, rp)
		}
		seen[rp] = true
		ref, err := e.paths.Parse(rp)
		if err != nil {
			t.Fatalf("%s: %v", rp, err)
		}
		inv, err := e.st.Invitations.ByID(context.Background(), ref.InvitationID)
		if err != nil || inv.CampaignID != e.campaign.ID || ref.Round != 0 {
			t.Errorf("%s names %+v: %+v, %v", rp, ref, inv, err)
		}
	}
}

func TestReportsAct(t *testing.T) {
	tests := []struct {
		file       string
		kind       bounce.Kind
		reason     store.SuppressionReason
		status     contacts.Status
		bounced    int
		complained int
	}{
		{"postfix-hard.eml", bounce.KindBounce, store.SuppressedBounced, contacts.Bounced, 1, 0},
		{"exim-hard.eml", bounce.KindBounce, store.SuppressedBounced, contacts.Bounced, 1, 0},
		{"gmail-hard.eml", bounce.KindBounce, store.SuppressedBounced, contacts.Bounced, 1, 0},
		{"microsoft-hard.eml", bounce.KindBounce, store.SuppressedBounced, contacts.Bounced, 1, 0},
		{"arf-abuse.eml", bounce.KindComplaint, store.SuppressedComplained, contacts.Unsubscribed, 0, 1},
		{"postfix-delayed.eml", bounce.KindSoftBounce, "", contacts.Active, 0, 0},
		{"delivered.eml", bounce.KindNone, "", contacts.Active, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, 2, 0)
			ctx := context.Background()
			raw := e.sample(tt.file, 0)
			for read := range 2 { // the same report twice changes nothing more
				res, err := e.handler.HandleMessage(ctx, raw)
				if err != nil {
					t.Fatal(err)
				}
				want := bounce.Handled
				if tt.kind == bounce.KindNone {
					want = bounce.Ignored
				} else if read == 1 {
					want = bounce.Duplicate
				}
				if res.Kind != tt.kind || res.Outcome != want {
					t.Errorf("read %d: %+v, want %s %s", read, res, tt.kind, want)
				}
			}
			if got := e.suppressed(0); got != tt.reason {
				t.Errorf("suppression %q, want %q", got, tt.reason)
			}
			if got := e.suppressed(1); got != "" {
				t.Errorf("the other contact is suppressed too: %q", got)
			}
			c, err := e.st.Contacts.ByID(ctx, e.contacts[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tt.status {
				t.Errorf("contact status %q, want %q", c.Status, tt.status)
			}
			counts := e.campaignNow(e.campaign.ID).Counts
			if counts.Bounced != tt.bounced || counts.Complained != tt.complained {
				t.Errorf("campaign counts bounced %d complained %d, want %d %d", counts.Bounced, counts.Complained, tt.bounced, tt.complained)
			}
		})
	}
}

func TestSoftBouncesBecomeHardAtTheLimit(t *testing.T) {
	e := newEnv(t, 1, 2)
	ctx := context.Background()
	ref, err := e.paths.Parse(e.returnPath[e.address(0)])
	if err != nil {
		t.Fatal(err)
	}
	// Two different messages to the address (the invitation and its
	// first reminder), each delayed; the second reaches the limit of 2.
	reminder, err := e.paths.ReturnPath(ref.InvitationID, 1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.handler.HandleMessage(ctx, sampleWith(t, "postfix-delayed.eml", e.returnPath[e.address(0)]))
	if err != nil || res.Kind != bounce.KindSoftBounce || res.Outcome != bounce.Handled {
		t.Fatalf("first soft bounce: %+v, %v", res, err)
	}
	if e.suppressed(0) != "" {
		t.Fatal("one soft bounce suppressed the address")
	}
	// The same delay reported again is the same soft bounce.
	if res, _ := e.handler.HandleMessage(ctx, sampleWith(t, "postfix-delayed.eml", e.returnPath[e.address(0)])); res.Outcome != bounce.Duplicate {
		t.Fatalf("repeated soft bounce: %+v", res)
	}
	res, err = e.handler.HandleMessage(ctx, sampleWith(t, "postfix-delayed.eml", reminder))
	if err != nil || res.Kind != bounce.KindBounce || res.Outcome != bounce.Handled {
		t.Fatalf("second soft bounce: %+v, %v", res, err)
	}
	if got := e.suppressed(0); got != store.SuppressedBounced {
		t.Errorf("suppression %q after reaching the limit", got)
	}
	inv, err := e.st.Invitations.ByID(ctx, ref.InvitationID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.SoftBounces != 2 {
		t.Errorf("invitation soft bounces %d, want 2", inv.SoftBounces)
	}
	if got := e.campaignNow(e.campaign.ID).Counts.Bounced; got != 1 {
		t.Errorf("campaign bounced %d, want 1", got)
	}
}

func TestForgedAndUnknownReportsAreIgnored(t *testing.T) {
	e := newEnv(t, 1, 0)
	ctx := context.Background()
	good := e.returnPath[e.address(0)]
	local, domain, _ := strings.Cut(good, "@")
	forged := local[:len(local)-1] + map[bool]string{true: "b", false: "a"}[local[len(local)-1] == 'a'] + "@" + domain
	other := bounce.NewReturnPaths(mustRing(t), bounceDomain)
	unknown, err := e.paths.ReturnPath("NoSuchInvite", 0)
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := other.ReturnPath("NoSuchInvite", 0)
	for name, verp := range map[string]string{
		"a changed MAC":          forged,
		"another installation's": foreign,
		"an unknown invitation":  unknown,
		"the sender's address":   "surveys@acme.example",
	} {
		res, err := e.handler.HandleMessage(ctx, sampleWith(t, "postfix-hard.eml", verp))
		if err != nil {
			t.Fatal(err)
		}
		if res.Outcome != bounce.Ignored || res.Why == "" {
			t.Errorf("%s: %+v, want ignored with a reason", name, res)
		}
	}
	if res, _ := e.handler.HandleMessage(ctx, []byte("not a message at all")); res.Outcome != bounce.Ignored {
		t.Errorf("garbage: %+v", res)
	}
	if got := e.suppressed(0); got != "" {
		t.Errorf("a forged report suppressed the address: %q", got)
	}
	if c := e.campaignNow(e.campaign.ID).Counts; c.Bounced != 0 {
		t.Errorf("counted %d bounces", c.Bounced)
	}
	if n := e.observed.counts["bounce/ignored"]; n != 4 {
		t.Errorf("observer heard %d ignored bounces, want 4 (%v)", n, e.observed.counts)
	}
}

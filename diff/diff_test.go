package diff

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/result"
)

func check(name, id, level, verdict, msg string) result.Check {
	return result.Check{Name: name, ID: id, Level: level, Verdict: verdict, Message: msg}
}

func TestCompare(t *testing.T) {
	old := &result.Run{Spec: result.Spec{Name: "rfc6749", SHA256: "a"}, Checks: []result.Check{
		check("A stays", "A", "MUST", result.Pass, ""),
		check("B breaks", "B", "MUST", result.Pass, ""),
		check("C heals", "C", "MUST", result.Fail, "bad"),
		check("D other message", "D", "MUST", result.Fail, "old reason"),
		check("E goes", "E", "MUST", result.Pass, ""),
		check("F old title", "F", "MUST", result.Pass, ""),
		check("G should breaks", "G", "SHOULD", result.Pass, ""),
		check("H waived breaks", "H", "MUST", result.Skip, ""),
		check("I to skip", "I", "MUST", result.Pass, ""),
	}}
	waived := check("H waived breaks", "H", "MUST", result.Fail, "x")
	waived.Waived = &result.Waived{Until: "2026-12-31", Owner: "o", Reason: "r"}
	cur := &result.Run{Spec: result.Spec{Name: "rfc6749", SHA256: "a"}, Checks: []result.Check{
		check("A stays", "A", "MUST", result.Pass, ""),
		check("B breaks", "B", "MUST", result.Fail, "now bad\nmore"),
		check("C heals", "C", "MUST", result.Pass, ""),
		check("D other message", "D", "MUST", result.Fail, "new reason"),
		check("F new title", "F", "MUST", result.Pass, ""),
		check("G should breaks", "G", "SHOULD", result.Fail, "meh"),
		waived,
		check("I to skip", "I", "MUST", result.Skip, "not selected"),
		check("J new and failing", "J", "MUST", result.Error, "boom"),
	}}
	c, err := Compare(old, cur, "old/report.json")
	if err != nil {
		t.Fatal(err)
	}
	for what, got := range map[string][2]string{
		"newly failing": {ids(c.NewlyFailing), "B,H"},
		"new findings":  {ids(c.NewFindings), "G"},
		"newly passing": {ids(c.NewlyPassing), "C"},
		"message":       {ids(c.Message), "D"},
		"verdict":       {ids(c.Verdict), "I"},
		"added":         {ids(c.Added), "J"},
		"removed":       {ids(c.Removed), "E"},
		"regressions":   {strings.Join(c.Regressions, ","), "B breaks,J new and failing"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s: %q, want %q", what, got[0], got[1])
		}
	}
	if c.NewlyFailing[0].NewMessage != "now bad" || c.SpecChanged {
		t.Errorf("change %+v, spec changed %v", c.NewlyFailing[0], c.SpecChanged)
	}

	cur.Strict = true
	c, _ = Compare(old, cur, "old")
	if got := strings.Join(c.Regressions, ","); got != "B breaks,G should breaks,J new and failing" {
		t.Errorf("strict regressions %q", got)
	}
}

// TestCompareAnswersWhatChanged: the three misreadings. A message
// that differs only in fingerprints, times, durations or a loopback port
// did not change; a waiver appearing on a failing check is a change (and
// a new entry of the waivers file); a failure that lost its waiver is a
// regression.
func TestCompareAnswersWhatChanged(t *testing.T) {
	w := func(c result.Check, until string) result.Check {
		c.Waived = &result.Waived{Until: until, Owner: "alice", Reason: "known"}
		return c
	}
	old := &result.Run{Spec: result.Spec{Name: "rfc6749"}, Checks: []result.Check{
		check("A fingerprint", "A", "MUST", result.Fail, "token [access_token#1a2b3c4d] accepted at https://127.0.0.1:40001/resource 1.083s after 2026-12-01T10:00:00Z"),
		check("B waiver appears", "B", "MUST", result.Fail, "no token_type"),
		w(check("C waiver goes", "C", "MUST", result.Fail, "no Pragma"), "2026-01-31"),
		check("D really changed", "D", "MUST", result.Fail, "status 500"),
	}}
	cur := &result.Run{Spec: result.Spec{Name: "rfc6749"}, Checks: []result.Check{
		check("A fingerprint", "A", "MUST", result.Fail, "token [access_token#9f8e7d6c] accepted at https://127.0.0.1:40999/resource 2.5s after 2026-12-02T11:30:00.5Z"),
		w(check("B waiver appears", "B", "MUST", result.Fail, "no token_type"), "2099-12-31"),
		check("C waiver goes", "C", "MUST", result.Fail, "no Pragma"),
		check("D really changed", "D", "MUST", result.Fail, "status 502"),
	}, Waivers: []result.Waiver{{ID: "B", Owner: "alice", Reason: "known", Expires: "2099-12-31", Status: result.WaiverApplied}}}
	old.Waivers = []result.Waiver{{ID: "C", Owner: "alice", Reason: "known", Expires: "2026-01-31", Status: result.WaiverApplied}}
	c, err := Compare(old, cur, "old")
	if err != nil {
		t.Fatal(err)
	}
	var reqs []string
	for _, r := range c.Requirements {
		reqs = append(reqs, r.ID+" "+r.Old+"→"+r.New)
	}
	for what, got := range map[string][2]string{
		"message changed": {ids(c.Message), "D"},
		"newly waived":    {ids(c.NewlyWaived), "B"},
		"newly failing":   {ids(c.NewlyFailing), "C"},
		"regressions":     {strings.Join(c.Regressions, ","), "C waiver goes"},
		"requirements":    {strings.Join(reqs, ","), "B fail→waived,C waived→fail"},
		"waivers added":   {fmt.Sprint(len(c.WaiversAdded), c.WaiversAdded[0].ID), "1B"},
		"waivers removed": {fmt.Sprint(len(c.WaiversRemoved), c.WaiversRemoved[0].ID), "1C"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s: %q, want %q", what, got[0], got[1])
		}
	}
	if x := c.NewlyFailing[0]; x.OldWaived == "" || x.Waived != "" {
		t.Errorf("the failure that lost its waiver does not say so: %+v", x)
	}
}

func TestCompareRefusesAnotherSpec(t *testing.T) {
	_, err := Compare(&result.Run{Spec: result.Spec{Name: "rfc6749"}}, &result.Run{Spec: result.Spec{Name: "vision10"}}, "x")
	var se *SpecError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "different specs (rfc6749, then vision10)") {
		t.Fatalf("got %v", err)
	}
}

// ids are the changes' requirement IDs, comma-separated.
func ids(xs []result.Change) string {
	var s []string
	for _, x := range xs {
		s = append(s, x.ID)
	}
	return strings.Join(s, ",")
}

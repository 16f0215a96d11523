package diff

import (
	"errors"
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
	names := func(xs []result.Change) string {
		var s []string
		for _, x := range xs {
			s = append(s, x.ID)
		}
		return strings.Join(s, ",")
	}
	for what, got := range map[string][2]string{
		"newly failing": {names(c.NewlyFailing), "B,G,H"},
		"newly passing": {names(c.NewlyPassing), "C"},
		"message":       {names(c.Message), "D"},
		"verdict":       {names(c.Verdict), "I"},
		"added":         {names(c.Added), "J"},
		"removed":       {names(c.Removed), "E"},
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

func TestCompareRefusesAnotherSpec(t *testing.T) {
	_, err := Compare(&result.Run{Spec: result.Spec{Name: "rfc6749"}}, &result.Run{Spec: result.Spec{Name: "vision10"}}, "x")
	var se *SpecError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "different specs (rfc6749, then vision10)") {
		t.Fatalf("got %v", err)
	}
}

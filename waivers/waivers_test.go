package waivers

import (
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/result"
)

const sample = `# accepted deviations
- id: RFC6749-5.1-PRAGMA-NO-CACHE
  target: "https://idp.example/*"
  reason: the CDN strips Pragma
  owner: alice@example.com
  expires: 2026-03-31
  ticket: https://tracker.example/SEC-1
- check: "RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE [bad_client_basic] a wrong client secret sent with HTTP Basic is refused"
  reason: fixed in the next release
  owner: bob
  expires: "2026-01-31"
- id: RFC6749-3.3-SCOPE-IF-CHANGED
  reason: nobody asked for it
  owner: carol
  expires: 2026-12-31
`

func TestParseErrorsNameFileLineAndKey(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", "- id: X\n  reason: r\n  owner: o\n  expires: 2026-01-01\n  expiry: 2026-01-01\n", "w.yaml:5: expiry: unknown key"},
		{"bad date", "- id: X\n  reason: r\n  owner: o\n  expires: 31/12/2026\n", `w.yaml:4: expires: "31/12/2026" is not a date like 2026-12-31`},
		{"impossible date", "- id: X\n  reason: r\n  owner: o\n  expires: 2026-02-30\n", `w.yaml:4: expires: "2026-02-30" is not a date`},
		{"no subject", "- reason: r\n  owner: o\n  expires: 2026-01-01\n", "w.yaml:1: id: missing"},
		{"both", "- id: X\n  check: Y\n  reason: r\n  owner: o\n  expires: 2026-01-01\n", "w.yaml:2: check: give id or check, not both"},
		{"no owner", "- id: X\n  reason: r\n  expires: 2026-01-01\n", "w.yaml:1: owner: missing"},
		{"empty owner", "- id: X\n  reason: r\n  owner: \"\"\n  expires: 2026-01-01\n", "w.yaml:3: owner: missing"},
		{"list value", "- id: [X]\n  reason: r\n  owner: o\n  expires: 2026-01-01\n", "w.yaml:1: id: want a string"},
		{"twice", "- id: X\n  id: Y\n  reason: r\n  owner: o\n  expires: 2026-01-01\n", "w.yaml:2: id: given twice"},
		{"bad ticket", "- id: X\n  reason: r\n  owner: o\n  expires: 2026-01-01\n  ticket: SEC-1\n", `w.yaml:5: ticket: "SEC-1" is not an absolute http(s) URL`},
		{"not a list", "id: X\n", "w.yaml:1: want a list of waivers"},
		{"entry not a mapping", "- X\n", "w.yaml:1: want a waiver"},
		{"not YAML", "- id: [\n", "w.yaml: not valid YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("w.yaml", []byte(tc.yaml))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error starting %q", err, tc.want)
			}
		})
	}
}

func TestCheckNamesUnknownIDsAndChecks(t *testing.T) {
	f, err := Parse("w.yaml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	known := Known{Spec: "rfc6749", IDs: map[string]bool{"RFC6749-5.1-PRAGMA-NO-CACHE": true}, Checks: map[string]bool{}}
	err = f.Check(known)
	if err == nil || !strings.HasPrefix(err.Error(), "w.yaml:8: check: spec rfc6749 has no check named") {
		t.Fatalf("got %v", err)
	}
	known.Checks[f.Entries[1].Check] = true
	err = f.Check(known)
	if err == nil || err.Error() != "w.yaml:12: id: spec rfc6749 has no requirement RFC6749-3.3-SCOPE-IF-CHANGED" {
		t.Fatalf("got %v", err)
	}
}

func TestApply(t *testing.T) {
	f, err := Parse("w.yaml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	checks := func() []result.Check {
		return []result.Check{
			{Name: "RFC6749-5.1-PRAGMA-NO-CACHE token responses carry Pragma", ID: "RFC6749-5.1-PRAGMA-NO-CACHE", Level: "MUST", Verdict: result.Fail},
			{Name: f.Entries[1].Check, ID: "RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE", Level: "SHOULD", Verdict: result.Fail},
			{Name: "RFC6749-3.3-SCOPE-IF-CHANGED x", ID: "RFC6749-3.3-SCOPE-IF-CHANGED", Level: "MUST", Verdict: result.Pass},
		}
	}
	day := func(s string) time.Time {
		d, _ := time.Parse(DateLayout, s)
		return d.Add(23 * time.Hour)
	}

	cs := checks()
	ws := f.Apply(cs, Subject{Endpoint: "https://idp.example/oauth2/token"}, day("2026-01-31"))
	if got := statuses(ws); got != "applied applied stale" {
		t.Fatalf("statuses %q", got)
	}
	if cs[0].Waived == nil || cs[0].Waived.String() != "waived until 2026-03-31 by alice@example.com: the CDN strips Pragma" {
		t.Fatalf("check 0 waived %+v", cs[0].Waived)
	}
	if cs[2].Waived != nil {
		t.Fatal("a passing check was waived")
	}
	run := result.Run{Checks: cs, Waivers: ws}
	if c := run.Count(); c.MandatoryFailed != 0 || c.Fail != 2 || c.Waived != 2 || c.Failing() != 0 {
		t.Fatalf("counts %+v", c)
	}

	cs = checks()
	ws = f.Apply(cs, Subject{Endpoint: "https://other.example/token", TargetFile: "targets/other.yaml"}, day("2026-02-01"))
	if got := statuses(ws); got != "other-target expired stale" {
		t.Fatalf("statuses %q", got)
	}
	if cs[0].Waived != nil || cs[1].Waived != nil || len(ws[1].Checks) != 1 {
		t.Fatalf("an expired or other target's waiver waived a check: %+v %+v", cs, ws)
	}
	run = result.Run{Checks: cs, Waivers: ws}
	if c := run.Count(); c.MandatoryFailed != 1 || c.ExpiredWaivers != 1 {
		t.Fatalf("counts %+v", c)
	}

	// The target glob also matches the target file's name.
	f2, err := Parse("w.yaml", []byte("- id: A\n  target: \"prod-*.yaml\"\n  reason: r\n  owner: o\n  expires: 2026-01-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	cs = []result.Check{{Name: "A x", ID: "A", Verdict: result.Fail}}
	if ws := f2.Apply(cs, Subject{Endpoint: "https://x/token", TargetFile: "fleet/prod-eu.yaml"}, day("2026-01-01")); statuses(ws) != "applied" {
		t.Fatalf("statuses %q", statuses(ws))
	}
}

func statuses(ws []result.Waiver) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.Status)
	}
	return strings.Join(s, " ")
}

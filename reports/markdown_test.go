package reports

import (
	"fmt"
	"github.com/tokencert/tokencert/result"
	"strings"
	"testing"
)

func TestSummary(t *testing.T) {
	got := string(renderSummary(sampleRun()))
	want := "### ❌ tokencert: FAIL — RFC 6749 token endpoint (rfc6749)\n\n" +
		"4 passed, 2 failed, 1 skipped, 1 errors; 2 MUST-level failures\n\n" +
		"Endpoint `http://127.0.0.1:8080/token` · spec SHA-256 `9f86d081884c` · not a certification run (no `--certify`)\n\n" +
		"| Level | Pass | Fail | Error | Skip | Total |\n|---|---:|---:|---:|---:|---:|\n" +
		"| MUST | 3 | 1 | 1 | 0 | 5 |\n" +
		"| MUST NOT | 1 | 0 | 0 | 0 | 1 |\n" +
		"| SHOULD | 0 | 1 | 0 | 1 | 2 |\n" +
		"| **all** | 4 | 2 | 1 | 1 | 8 |\n" +
		"\n| Failed check | Level | Verdict | Message |\n|---|---|---|---|\n" +
		"| `RFC6749-5.1-TOKEN-TYPE` token\\_type is present and registered | MUST | fail | token\\_type is missing |\n" +
		"| `RFC6749-6-REFRESH-WORKS` a refresh token can be used | MUST | error | the check timed out: refresh |\n" +
		"\nFindings below the MUST level: reported, and failing the run only with `--strict`.\n" +
		"\n| Finding | Level | Verdict | Message |\n|---|---|---|---|\n" +
		"| `OAUTH21-JSON-NO-NULL` no null members | SHOULD | fail | scope is null \\| should be absent |\n"
	if got != want {
		t.Errorf("summary.md:\n%s\nwant:\n%s", got, want)
	}
}

func TestSummaryCertificationAndLimits(t *testing.T) {
	r := sampleRun()
	r.Verdict, r.Certify = result.RunPass, true
	r.Checks = nil
	for i := range maxSummaryFailures + 3 {
		r.Checks = append(r.Checks, result.Check{Name: fmt.Sprintf("X-%d t", i), ID: fmt.Sprintf("X-%d", i), Level: "SHOULD", Verdict: result.Fail, Message: "<b>|`x`"})
	}
	got := string(renderSummary(r))
	for _, want := range []string{"### ✅ tokencert: PASS", "**complete certification run**", "… and 3 more: see report.html.", "&lt;b&gt;\\|\\`x\\`"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "| SHOULD | fail |"); n != maxSummaryFailures {
		t.Errorf("%d failures listed, want %d", n, maxSummaryFailures)
	}
}

func TestMarkdownCode(t *testing.T) {
	for in, want := range map[string]string{"a|b": "`a\\|b`", "x`y": "``x`y``", "`z": "`` `z ``", "l1\nl2": "`l1 l2`"} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// An incomplete run leads with what is missing, in summary.md and in
// report.html.
func TestIncompleteLeads(t *testing.T) {
	r := sampleRun()
	r.Verdict, r.ExitCode = result.RunIncomplete, 4
	r.Checks = append(r.Checks, result.Check{Name: "RFC6749-7-EXPIRED-REJECTED-AT-RS x", ID: "RFC6749-7-EXPIRED-REJECTED-AT-RS", Level: "MUST",
		Verdict: result.Skip, Message: "no protected resource to present the token to (target key resource)", Incomplete: true, Needs: []string{"resource"}})
	sum := string(renderSummary(r))
	if !strings.Contains(sum, "**Incomplete: 1 MUST-level check could not run.** To run it, add to the target file (flags where named `--`): `resource`.") {
		t.Errorf("summary.md does not lead with what is missing:\n%s", sum)
	}
	page, err := renderHTML(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), `<section class="lead" id="missing">`) || !strings.Contains(string(page), "resource: …    # a protected-resource URL") {
		t.Error("report.html does not say what is missing")
	}
}

package reports

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/reporters"

	"github.com/tokencert/tokencert/result"
)

// waivedRun is sampleRun with its MUST failure waived, an expired and a
// stale waiver, and changes since a baseline.
func waivedRun() *result.Run {
	r := sampleRun()
	w := &result.Waived{Until: "2026-04-30", Owner: "alice@example.com", Reason: "the gateway drops token_type", Ticket: "https://tracker.example/SEC-7"}
	for i := range r.Checks {
		if r.Checks[i].ID == "RFC6749-5.1-TOKEN-TYPE" {
			r.Checks[i].Waived = w
		}
	}
	r.WaiversFile = &result.File{Path: "waivers.yaml", SHA256: strings.Repeat("c", 64)}
	r.Waivers = []result.Waiver{
		{ID: "RFC6749-5.1-TOKEN-TYPE", Reason: w.Reason, Owner: w.Owner, Expires: w.Until, Ticket: w.Ticket, Line: 1, Status: result.WaiverApplied,
			Checks: []string{"RFC6749-5.1-TOKEN-TYPE token_type is present and registered"}},
		{ID: "RFC6749-6-REFRESH-WORKS", Reason: "slow refresh", Owner: "bob", Expires: "2026-01-01", Line: 7, Status: result.WaiverExpired},
		{ID: "RFC6749-5.1-STATUS-200", Reason: "was flaky", Owner: "carol", Expires: "2026-12-31", Line: 12, Status: result.WaiverStale},
		{ID: "RFC6749-5.1-STATUS-200", Target: "https://other.example/*", Reason: "other", Owner: "dan", Expires: "2026-12-31", Line: 17, Status: result.WaiverOtherTarget},
	}
	r.Changes = &result.Changes{Baseline: "old/report.json", BaselineStarted: t0.Add(-24 * 3600e9),
		NewlyFailing: []result.Change{{Name: "OAUTH21-JSON-NO-NULL no null members", ID: "OAUTH21-JSON-NO-NULL", Level: "SHOULD", OldVerdict: "pass", NewVerdict: "fail", NewMessage: "scope is null"}},
		Regressions:  []string{}}
	return r
}

func TestWaiversInEveryFile(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, waivedRun(), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	sentence := "waived until 2026-04-30 by alice@example.com: the gateway drops token_type"

	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal([]byte(read(JUnitFile)), &suites); err != nil {
		t.Fatal(err)
	}
	for _, tc := range suites.TestSuites[0].TestCases {
		if !strings.HasPrefix(tc.Name, "RFC6749-5.1-TOKEN-TYPE") {
			continue
		}
		if tc.Failure != nil || tc.Skipped == nil || !strings.Contains(tc.Skipped.Message, sentence) || !strings.Contains(tc.Skipped.Message, "token_type is missing") {
			t.Errorf("junit: the waived failure is not a skip that says why: %+v", tc)
		}
	}
	if j := read(JUnitFile); !strings.Contains(j, "EXPIRED RFC6749-6-REFRESH-WORKS") || !strings.Contains(j, "stale: matches no failed check") {
		t.Error("junit: the expired and stale waivers are not named")
	}

	var rep result.Run
	if err := json.Unmarshal([]byte(read(JSONFile)), &rep); err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checks {
		if c.ID == "RFC6749-5.1-TOKEN-TYPE" && (c.Verdict != result.Fail || c.Waived == nil || c.Waived.String() != sentence) {
			t.Errorf("report.json: waived check %+v", c)
		}
	}
	if len(rep.Waivers) != 4 || rep.WaiversFile == nil || rep.Changes == nil {
		t.Errorf("report.json: waivers %d, file %v, changes %v", len(rep.Waivers), rep.WaiversFile, rep.Changes)
	}

	var m Manifest
	if err := json.Unmarshal([]byte(read(ManifestFile)), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Waivers) != 4 || m.Waivers[1].Status != result.WaiverExpired || m.WaiversFile.SHA256 != rep.WaiversFile.SHA256 {
		t.Errorf("MANIFEST.json: waivers %+v", m.Waivers)
	}

	html := read(HTMLFile)
	first := html[:strings.Index(html, `<div class="grid">`)] // the first screen: verdict, certification, waivers
	for _, want := range []string{`id="waivers"`, "waived until 2026-04-30 by alice@example.com: the gateway drops token_type", "EXPIRED on 2026-01-01", "stale: <code>RFC6749-5.1-STATUS-200</code>", "1 failure waived"} {
		if !strings.Contains(first, want) {
			t.Errorf("report.html's first screen lacks %q", want)
		}
	}
	if strings.Contains(html, "dan") {
		t.Error("report.html lists a waiver for another target")
	}

	md := read(SummaryFile)
	for _, want := range []string{"**Waivers** from `waivers.yaml`", "❌ **expired** on 2026-01-01", "| fail, waived until 2026-04-30 by alice@example.com: the gateway drops token\\_type |", "### What changed since the baseline", "#### Newly failing (1)"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
}

package reports

import (
	"strings"
	"testing"
)

// TestInsecureRunsSaySo: a run without certificate verification says so in
// every human-readable report, not only in report.json.
func TestInsecureRunsSaySo(t *testing.T) {
	r := &Run{Spec: Spec{Name: "rfc6749"}, Verdict: RunPass, InsecureSkipVerify: true}
	html, err := renderHTML(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "TLS certificate verification was off") {
		t.Error("report.html does not say TLS verification was off")
	}
	if md := string(renderSummary(r)); !strings.Contains(md, "TLS certificate verification was off") {
		t.Errorf("summary.md does not say TLS verification was off:\n%s", md)
	}
}

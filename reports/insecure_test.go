package reports

import (
	"github.com/tokencert/tokencert/result"
	"strings"
	"testing"
)

// TestInsecureRunsSaySo: a run without certificate verification says so in
// every human-readable report, not only in report.json.
func TestInsecureRunsSaySo(t *testing.T) {
	r := &result.Run{Spec: result.Spec{Name: "rfc6749"}, Verdict: result.RunPass, InsecureSkipVerify: true}
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

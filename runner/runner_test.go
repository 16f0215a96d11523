package runner

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/reports"
	"github.com/tokencert/tokencert/suites"
)

// TestPanicInACheckIsItsError runs the fields checks against the embedded
// server with the first one replaced by a panic: that check's verdict is an
// error quoting the panic, every other check still runs and passes, and the
// report is written. (Ginkgo runs one suite per process: this is the only
// test of the package that runs the suites.)
func TestPanicInACheckIsItsError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	o := Options{ReportDir: dir, LabelFilter: "fields", Stdout: io.Discard, Stderr: io.Discard}
	p, err := prepare(&o)
	if err != nil {
		t.Fatal(err)
	}
	defer p.server.Close()
	victim := ""
	for i := range p.plan {
		if p.plan[i].Concern == suites.Fields && p.plan[i].Req.Level.Mandatory() {
			victim = p.plan[i].Name()
			p.plan[i].Run = func(*suites.T) { panic("boom: a bug in the check") }
			break
		}
	}
	if code := p.run(); code != ExitFail {
		t.Errorf("exit %d, want %d (the panicked check is MUST-level)", code, ExitFail)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var run reports.Run
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, c := range run.Checks {
		switch {
		case c.Name == victim:
			if c.Verdict != reports.Error || !strings.Contains(c.Message, "the check panicked") || !strings.Contains(c.Message, "boom: a bug in the check") {
				t.Errorf("the panicking check: %s %q", c.Verdict, c.Message)
			}
		case c.Concern == suites.Fields && c.Verdict != reports.Skip:
			ran++
			if c.Verdict != reports.Pass {
				t.Errorf("%s: %s %s", c.Name, c.Verdict, c.Message)
			}
		}
	}
	if ran < 5 {
		t.Errorf("only %d other fields checks ran after the panic", ran)
	}
}

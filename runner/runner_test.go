package runner

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/suites"
)

// TestMain runs panicRun in a child process (Ginkgo runs one suite per
// process and refuses go test's -parallel).
func TestMain(m *testing.M) {
	if dir := os.Getenv("TOKENCERT_RUNNER_PANIC_DIR"); dir != "" {
		os.Exit(panicRun(dir))
	}
	os.Exit(m.Run())
}

// panicRun runs the fields checks against the embedded server with the
// first MUST-level one replaced by a panic, writing the report to dir/report
// and the victim's name to dir/victim.
func panicRun(dir string) int {
	o := Options{ReportDir: filepath.Join(dir, "report"), LabelFilter: "fields", Stdout: io.Discard, Stderr: os.Stderr}
	p, err := prepare(&o)
	if err != nil {
		return 100
	}
	defer p.server.Close()
	for i := range p.plan {
		if p.plan[i].Concern == suites.Fields && p.plan[i].Req.Level.Mandatory() {
			if os.WriteFile(filepath.Join(dir, "victim"), []byte(p.plan[i].Name()), 0o600) != nil {
				return 101
			}
			p.plan[i].Run = func(*suites.T) { panic("boom: a bug in the check") }
			break
		}
	}
	return p.run()
}

// TestPanicInACheckIsItsError: the panicking check's verdict is an error
// quoting the panic, every other check still runs and passes, the report is
// written and the run exits 1 (the check is MUST-level).
func TestPanicInACheckIsItsError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "TOKENCERT_RUNNER_PANIC_DIR="+dir)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != ExitFail {
		t.Errorf("exit %d, want %d\n%s", code, ExitFail, out)
	}
	victim, err := os.ReadFile(filepath.Join(dir, "victim"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report", "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var run result.Run
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, c := range run.Checks {
		switch {
		case c.Name == string(victim):
			if c.Verdict != result.Error || !strings.Contains(c.Message, "the check panicked") || !strings.Contains(c.Message, "boom: a bug in the check") {
				t.Errorf("the panicking check: %s %q", c.Verdict, c.Message)
			}
		case c.Concern == suites.Fields && c.Verdict != result.Skip:
			ran++
			if c.Verdict != result.Pass {
				t.Errorf("%s: %s %s", c.Name, c.Verdict, c.Message)
			}
		}
	}
	if ran < 5 {
		t.Errorf("only %d other fields checks ran after the panic", ran)
	}
}

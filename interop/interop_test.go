package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"

	"github.com/tokencert/tokencert/runner"
	"github.com/tokencert/tokencert/target"
)

// childEnv names the file that turns the test binary into one tokencert
// run: Ginkgo runs one suite per process, so each server is certified by a
// child process while the server itself runs in the test process.
const childEnv = "TOKENCERT_INTEROP_RUN"

var (
	verbose = flag.Bool("interop.verbose", false, "log every check's verdict and message")
	keep    = flag.String("interop.keep", "", "write each server's report bundle under this directory")
)

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(childRun(path))
	}
	os.Exit(m.Run())
}

// runConfig is what the test process hands a child run.
type runConfig struct {
	Target    target.Target `json:"target"`
	ReportDir string        `json:"report_dir"`
	Skew      time.Duration `json:"skew"`
	MaxWait   time.Duration `json:"max_wait"`
}

func childRun(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return runner.ExitUsage
	}
	var rc runConfig
	if err := json.Unmarshal(b, &rc); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return runner.ExitUsage
	}
	return runner.Run(runner.Options{
		Target:         rc.Target,
		ReportDir:      rc.ReportDir,
		Skew:           rc.Skew,
		MaxWait:        rc.MaxWait,
		RequestTimeout: 5 * time.Second,
		Deadline:       time.Minute,
		Stdout:         os.Stdout,
		Stderr:         os.Stderr,
	})
}

// verdict is one check's outcome, read back from junit.xml.
type verdict struct {
	name, level, verdict, message, evidence string
}

// certify runs tokencert against tf in a child process and returns each
// check's verdict, by check name.
func certify(t *testing.T, name string, tf target.Target) (map[string]verdict, int) {
	t.Helper()
	dir := t.TempDir()
	report := filepath.Join(dir, "report")
	if *keep != "" {
		report = filepath.Join(*keep, name)
	}
	rc := runConfig{
		Target:    tf,
		ReportDir: report,
		// The servers share our clock, so the skew only has to cover the
		// unit of expires_in, a whole number of seconds: fosite truncates
		// (the 1.99 s left of a 2 s token is stated as 1).
		Skew:    2 * time.Second,
		MaxWait: 30 * time.Second,
	}
	b, err := json.Marshal(rc)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "run.json")
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+cfg)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	exit := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("tokencert run: %v\n%s", err, out.String())
		}
		exit = ee.ExitCode()
	}
	if *verbose {
		t.Logf("tokencert output:\n%s", out.String())
	}
	raw, err := os.ReadFile(filepath.Join(rc.ReportDir, "junit.xml"))
	if err != nil {
		t.Fatalf("tokencert wrote no junit.xml (exit %d): %v\n%s", exit, err, out.String())
	}
	var suites reporters.JUnitTestSuites
	if err := xml.Unmarshal(raw, &suites); err != nil {
		t.Fatalf("junit.xml does not parse: %v", err)
	}
	got := map[string]verdict{}
	for _, s := range suites.TestSuites {
		for _, tc := range s.TestCases {
			v := verdict{name: tc.Name, level: property(tc, "level"), verdict: tc.Status, evidence: tc.SystemOut}
			switch {
			case tc.Failure != nil:
				v.message = tc.Failure.Description
			case tc.Error != nil:
				v.message = tc.Error.Description
			case tc.Skipped != nil:
				v.message = tc.Skipped.Message
			}
			got[tc.Name] = v
		}
	}
	if len(got) == 0 {
		t.Fatalf("junit.xml lists no checks (exit %d)\n%s", exit, out.String())
	}
	return got, exit
}

func property(tc reporters.JUnitTestCase, name string) string {
	if tc.Properties == nil {
		return ""
	}
	for _, p := range tc.Properties.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// TestInterop certifies each server and compares every verdict with the
// expected table: a check not listed there must pass, a listed one must
// end exactly as listed. A change in a server or in the suite shows up as
// a difference here (docs/interop.md explains every listed verdict).
func TestInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("certifies real servers, waiting for their tokens to expire")
	}
	for _, impl := range implementations {
		t.Run(impl.name, func(t *testing.T) {
			t.Parallel()
			c := defaultConfig()
			e := impl.start(t, c)
			got, exit := certify(t, impl.name, e.target(c))
			want := expected[impl.name]
			names := make([]string, 0, len(got))
			for name := range got {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				v := got[name]
				if *verbose {
					t.Logf("%-4s %-10s %s\n%s", v.verdict, v.level, name, indent(v.message))
				}
				w, listed := want[name]
				if !listed {
					w = "pass"
				}
				if v.verdict != w {
					t.Errorf("%s: %s, want %s\n%s\n%s", name, v.verdict, w, indent(v.message), indent(v.evidence))
				}
			}
			for name := range want {
				if _, ok := got[name]; !ok {
					t.Errorf("expected table names %q, which the run did not report (renamed check?)", name)
				}
			}
			if wantExit := expectedExit(got); exit != wantExit {
				t.Errorf("exit code %d, want %d", exit, wantExit)
			}
			checkDoc(t, impl.name, got)
		})
	}
}

// expectedExit is the exit code the verdicts imply: 1 when a MUST-level
// check failed or erred, else 0.
func expectedExit(got map[string]verdict) int {
	for _, v := range got {
		if (v.verdict == "fail" || v.verdict == "error") && strings.HasPrefix(v.level, "MUST") {
			return runner.ExitFail
		}
	}
	return runner.ExitPass
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// docPath is the write-up of every verdict; its tables must say what the
// run said.
const docPath = "../docs/interop.md"

// checkDoc compares the server's verdict table in docs/interop.md (the
// rows between "<!-- verdicts NAME -->" and "<!-- end verdicts -->", one
// per check: | `name` | level | verdict | finding |) with the run.
func checkDoc(t *testing.T, server string, got map[string]verdict) {
	t.Helper()
	rows, err := docRows(docPath, server)
	if err != nil {
		t.Errorf("%s: %v", docPath, err)
		return
	}
	for name, v := range got {
		r, ok := rows[name]
		switch {
		case !ok:
			t.Errorf("%s: the %s table has no row for %q (%s, %s)", docPath, server, name, v.level, v.verdict)
		case r.level != v.level || r.verdict != v.verdict:
			t.Errorf("%s: the %s table says %q is %s %s; the run says %s %s", docPath, server, name, r.level, r.verdict, v.level, v.verdict)
		}
	}
	for name := range rows {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: the %s table lists %q, which the run did not report", docPath, server, name)
		}
	}
}

type docRow struct{ level, verdict string }

func docRows(path, server string) (map[string]docRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	begin, end := "<!-- verdicts "+server+" -->", "<!-- end verdicts -->"
	rows := map[string]docRow{}
	in, found := false, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == begin:
			in, found = true, true
		case line == end:
			in = false
		case in && strings.HasPrefix(line, "| `"):
			cells := strings.Split(strings.Trim(line, "|"), "|")
			if len(cells) < 3 {
				return nil, fmt.Errorf("%s table: short row %q", server, line)
			}
			name := strings.Trim(strings.TrimSpace(cells[0]), "`")
			if _, dup := rows[name]; dup {
				return nil, fmt.Errorf("%s table: %q listed twice", server, name)
			}
			rows[name] = docRow{level: strings.TrimSpace(cells[1]), verdict: strings.Trim(strings.TrimSpace(cells[2]), "*")}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("no %q block", begin)
	}
	return rows, nil
}

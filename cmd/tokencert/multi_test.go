package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/reports"
	model "github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/runner"
	"github.com/tokencert/tokencert/specs"
)

// startRef starts a reference server on 127.0.0.1 with known credentials
// (1 s tokens, so the expiry checks finish soon) and writes a target file
// for it whose secrets are ${VAR}s; env sets them.
func startRef(t *testing.T, dir, name, fault string) (path string, env []string, endpoint string) {
	t.Helper()
	spec, err := specs.Load("rfc6749")
	if err != nil {
		t.Fatal(err)
	}
	up := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
	creds := &refserver.Credentials{
		ClientID: "client-" + name, ClientSecret: "client-secret-of-" + name + "-0123456789",
		Username: "user-" + name, Password: "password-of-" + name + "-0123456789",
		OtherClientID: "other-" + name, OtherClientSecret: "other-secret-of-" + name + "-0123456789",
	}
	o := refserver.Options{Spec: spec, Lifetime: time.Second, Credentials: creds}
	if fault != "" {
		f, err := refserver.FaultByName(fault)
		if err != nil {
			t.Fatal(err)
		}
		o.Faults = []refserver.Fault{f}
	}
	srv, err := refserver.New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	tg := srv.Target()
	// These runs are about what a run writes, not the grants: the device
	// grant (optional) waits for its interval and its code's expiry, and
	// the default pacing of 10 requests a second would make every run
	// several seconds long.
	tg.DeviceAuthorization = ""
	rps := 200.0
	tg.MaxRPS = &rps
	env = []string{up + "_SECRET=" + tg.ClientSecret, up + "_PASSWORD=" + tg.Password, up + "_OTHER=" + tg.OtherClientSecret}
	tg.ClientSecret, tg.Password, tg.OtherClientSecret = "${"+up+"_SECRET}", "${"+up+"_PASSWORD}", "${"+up+"_OTHER}"
	b, err := json.Marshal(tg)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, env, tg.Endpoint
}

// closedPort returns a 127.0.0.1 address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func readIndex(t *testing.T, dir string) reports.Index {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, reports.IndexJSONFile))
	if err != nil {
		t.Fatalf("no index: %v", err)
	}
	var x reports.Index
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	return x
}

// TestManyTargets certifies a conformant server, one with a MUST-level
// fault and an unreachable one in one run: one bundle each, an index that
// lists each verdict and exit code, and the worst exit code (1 ranks above 3).
func TestManyTargets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good, env1, goodURL := startRef(t, dir, "good.yaml", "")
	bad, env2, badURL := startRef(t, dir, "no-store.yml", "no-store-missing")
	down := filepath.Join(dir, "down.json")
	if err := os.WriteFile(down, []byte(`{"endpoint": "http://`+closedPort(t)+`/token", "client_id": "c"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(env1, env2...)
	r := tokencert(t, env, "run", "--target", good, "--target", bad, "--target", down, "--target", good, "--skew", "500ms", "--jobs", "2", "--strict=false")
	if r.exit != 1 {
		t.Fatalf("exit %d, want 1 (worst of 0, 1 and 3)\n%s%s", r.exit, r.stdout, r.stderr)
	}
	report := filepath.Join(r.dir, "report")
	x := readIndex(t, report)
	if x.ExitCode != 1 || x.Jobs != 2 || len(x.Targets) != 3 {
		t.Fatalf("index: exit %d, jobs %d, %d targets (the repeated target runs once), want 1, 2, 3", x.ExitCode, x.Jobs, len(x.Targets))
	}
	want := []struct {
		target, bundle, verdict, endpoint string
		exit                              int
	}{
		{good, "good", model.RunPass, goodURL, 0},
		{bad, "no-store", model.RunFail, badURL, 1},
		{down, "down", model.RunUnreachable, "", 3},
	}
	for i, w := range want {
		e := x.Targets[i]
		if e.Target != w.target || e.Bundle != w.bundle || e.Verdict != w.verdict || e.ExitCode != w.exit || e.Log != w.bundle+".log" {
			t.Errorf("target %d: %+v, want target %s, bundle %s, verdict %s, exit %d", i, e, w.target, w.bundle, w.verdict, w.exit)
			continue
		}
		run, err := reports.ReadRun(filepath.Join(report, e.Bundle))
		if err != nil {
			t.Errorf("%s: %v", e.Bundle, err)
			continue
		}
		if w.endpoint != "" && run.Endpoint != w.endpoint {
			t.Errorf("%s certified %s, want %s", e.Bundle, run.Endpoint, w.endpoint)
		}
		if run.Verdict != w.verdict || run.ExitCode != w.exit || e.Counts == nil || e.Requests != run.Requests {
			t.Errorf("%s: report.json says %s/exit %d/%d requests, the index %+v", e.Bundle, run.Verdict, run.ExitCode, run.Requests, e)
		}
		v, err := reports.Verify(filepath.Join(report, e.Bundle), nil)
		if err != nil || !v.OK() {
			t.Errorf("%s does not verify as a bundle: %v %v", e.Bundle, err, v.Problems)
		}
		if _, err := os.Stat(filepath.Join(report, e.Log)); err != nil {
			t.Errorf("no log: %v", err)
		}
	}
	if c := x.Targets[1].Counts; c == nil || c.MandatoryFailed == 0 {
		t.Errorf("the faulty server's entry counts no MUST-level failure: %+v", c)
	}
	md, _ := os.ReadFile(filepath.Join(report, reports.IndexMarkdownFile))
	html, _ := os.ReadFile(filepath.Join(report, reports.IndexHTMLFile))
	for _, w := range want {
		if !strings.Contains(string(md), "`"+w.target+"`") || !strings.Contains(string(md), strings.ToUpper(w.verdict)) {
			t.Errorf("index.md does not list %s as %s:\n%s", w.target, w.verdict, md)
		}
		if !strings.Contains(string(html), w.bundle+"/report.html") {
			t.Errorf("index.html does not link %s/report.html", w.bundle)
		}
	}
	for _, e := range env {
		_, secret, _ := strings.Cut(e, "=")
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("a secret reached the console")
		}
		for _, f := range []string{reports.IndexJSONFile, reports.IndexMarkdownFile, reports.IndexHTMLFile, "good.log", "no-store.log"} {
			if b, _ := os.ReadFile(filepath.Join(report, f)); strings.Contains(string(b), secret) {
				t.Errorf("a secret reached %s", f)
			}
		}
	}
}

// TestManyTargetsDirectory certifies every target file of a directory, in
// name order; a target file the run refuses has no bundle, its message in
// the index, and makes the exit code 2.
func TestManyTargetsDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, env, _ := startRef(t, dir, "b.yaml", "")
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("endpoint: http://127.0.0.1:1/token\nno_such_key: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a target"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := tokencert(t, env, "run", "--target", dir, "--skew", "500ms")
	if r.exit != 2 {
		t.Fatalf("exit %d, want 2\n%s%s", r.exit, r.stdout, r.stderr)
	}
	x := readIndex(t, filepath.Join(r.dir, "report"))
	var got []string
	for _, e := range x.Targets {
		got = append(got, fmt.Sprintf("%s %s %d %s", filepath.Base(e.Target), e.Verdict, e.ExitCode, e.Bundle))
	}
	if want := []string{"a.yaml error 2 ", "b.yaml pass 0 b"}; !slices.Equal(got, want) {
		t.Fatalf("index lists %q, want %q", got, want)
	}
	if m := x.Targets[0].Message; !strings.Contains(m, "no_such_key") {
		t.Errorf("the refused target's message %q does not say why", m)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "report", "a")); err == nil {
		t.Errorf("a bundle directory for the refused target")
	}
}

// TestOneTargetKeepsItsBundle: a single target file runs in-process and
// writes its bundle straight into the report dir, with no index.
func TestOneTargetKeepsItsBundle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tf, env, _ := startRef(t, dir, "one.yaml", "")
	r := tokencert(t, env, "run", "--target", tf, "--skew", "500ms")
	if r.exit != 0 || len(r.cases()) == 0 {
		t.Fatalf("exit %d, %d testcases\n%s", r.exit, len(r.cases()), r.stdout)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "report", reports.IndexJSONFile)); err == nil {
		t.Errorf("a single target wrote an index")
	}
}

func TestManyTargetsUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--target", dir, "--jobs", "0"}, "--jobs"},
		{[]string{"--target", dir}, "no target files"},
		{[]string{"--target", filepath.Join(dir, "missing.yaml"), "--target", dir}, "missing.yaml: cannot read"},
	} {
		r := tokencert(t, nil, append([]string{"run"}, c.args...)...)
		if r.exit != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, r.exit, r.stderr, c.want)
		}
	}
}

func TestChildArgs(t *testing.T) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.String("target", "", "")
	fs.Int("jobs", 2, "")
	fs.String("report-dir", "", "")
	fs.Bool("strict", false, "")
	fs.Duration("skew", 0, "")
	fs.String("label-filter", "", "")
	args := []string{"--target", "a.yaml", "-strict", "--jobs=3", "--skew", "1s", "-target=b.yaml", "--report-dir", "out",
		"--label-filter", "MUST && errors", "--strict=false", "--target", "c"}
	want := []string{"-strict", "--skew", "1s", "--label-filter", "MUST && errors", "--strict=false"}
	if got := childArgs(fs, args); !slices.Equal(got, want) {
		t.Errorf("childArgs = %q, want %q", got, want)
	}
}

func TestBundleNames(t *testing.T) {
	got := bundleNames([]string{"x/a.yaml", "y/a.yml", "z/b.json", "w/b.json", "c.yaml"})
	want := []string{"a.yaml", "a.yml", "b.json", "b.json-2", "c"}
	if !slices.Equal(got, want) {
		t.Errorf("bundleNames = %q, want %q", got, want)
	}
}

func TestWorstExit(t *testing.T) {
	for _, c := range []struct {
		codes []int
		want  int
	}{
		{[]int{0, 0}, 0}, {[]int{0, 3}, 3}, {[]int{3, 1}, 1}, {[]int{1, 3}, 1}, {[]int{1, 2, 3}, 2}, {[]int{2, 0}, 2},
	} {
		got := 0
		for _, code := range c.codes {
			got = runner.Worst(got, code)
		}
		if got != c.want {
			t.Errorf("worst of %v = %d, want %d", c.codes, got, c.want)
		}
	}
}

// TestManyTargetsInterrupted: an interrupt reaches the running targets,
// which write their bundles, starts no further one, and the index is
// still written.
func TestManyTargetsInterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, env, _ := startRef(t, dir, "a.yaml", "")
	for _, n := range []string{"b.yaml", "c.yaml"} {
		b, _ := os.ReadFile(a)
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The tokens live 1 s; waiting a minute past expiry keeps the runs busy.
	report := filepath.Join(dir, "report")
	cmd := exec.Command(os.Args[0], "run", "--target", dir, "--jobs", "2", "--skew", "1m", "--report-dir", report)
	cmd.Env = append(append(os.Environ(), "TOKENCERT_TEST_MAIN=1"), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() || !strings.Contains(lines.Text(), "certifying 3 targets") {
		t.Fatalf("first line %q", lines.Text())
	}
	time.Sleep(time.Second) // let the first two start
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("the interrupted run did not finish within a minute")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want 1", err)
	}
	x := readIndex(t, report)
	if len(x.Targets) != 3 || x.ExitCode != 1 {
		t.Fatalf("index: %d targets, exit %d; want 3 and 1", len(x.Targets), x.ExitCode)
	}
	for _, e := range x.Targets {
		if e.Verdict == model.RunPass || e.ExitCode != 1 {
			t.Errorf("%s: %s, exit %d after an interrupt", e.Target, e.Verdict, e.ExitCode)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
)

// TestMain lets tests run the tokencert binary as a child process of the
// test binary itself: Ginkgo runs one suite per process.
func TestMain(m *testing.M) {
	if os.Getenv("TOKENCERT_TEST_MAIN") == "1" {
		os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// result is what one tokencert process did.
type result struct {
	exit   int
	stdout string
	stderr string
	junit  reporters.JUnitTestSuites
	dir    string
}

// tokencert runs the command in a child process with a report dir of its own.
func tokencert(t *testing.T, env []string, args ...string) result {
	t.Helper()
	dir := t.TempDir()
	if len(args) > 0 && args[0] == "run" && !contains(args, "--report-dir") {
		args = append(args, "--report-dir", filepath.Join(dir, "report"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "TOKENCERT_TEST_MAIN=1"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), dir: dir}
	if ee, ok := err.(*exec.ExitError); ok {
		r.exit = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("tokencert %s: %v", strings.Join(args, " "), err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "report", "junit.xml")); err == nil {
		if err := xml.Unmarshal(b, &r.junit); err != nil {
			t.Fatalf("junit.xml does not parse: %v", err)
		}
	}
	return r
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cases returns the testcases of the run's JUnit report.
func (r result) cases() []reporters.JUnitTestCase {
	var out []reporters.JUnitTestCase
	for _, s := range r.junit.TestSuites {
		out = append(out, s.TestCases...)
	}
	return out
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

// outputs returns everything a run wrote for people or machines: stdout,
// stderr and every file of its report bundle, by name.
func (r result) outputs(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{"stdout": []byte(r.stdout), "stderr": []byte(r.stderr)}
	_ = filepath.Walk(filepath.Join(r.dir, "report"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			out[filepath.Base(p)] = b
		}
		return nil
	})
	if len(out) < 5 {
		t.Fatalf("expected the report bundle, found %d outputs", len(out))
	}
	return out
}

// expectNoSecrets fails t for every output of r that holds one of the
// secrets (named by what they are) raw, URL-encoded or base64-encoded.
func expectNoSecrets(t *testing.T, r result, secrets map[string]string) {
	t.Helper()
	for name, b := range r.outputs(t) {
		for what, s := range secrets {
			for form, v := range forms(s) {
				if bytes.Contains(b, []byte(v)) {
					t.Errorf("%s contains the %s (%s form)", name, what, form)
				}
			}
		}
	}
}

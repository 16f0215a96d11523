package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/reports"
	model "github.com/tokencert/tokencert/result"
)

// bundle writes a small signed bundle and returns its directory and the
// public key file.
func bundle(t *testing.T, certify bool, filter string) (dir, pubFile string) {
	t.Helper()
	tmp := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := keygenCmd([]string{"--out", filepath.Join(tmp, "k")}, &stdout, &stderr); code != 0 {
		t.Fatal(stderr.String())
	}
	key, err := reports.LoadPrivateKey(filepath.Join(tmp, "k.key"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := &model.Run{
		Tool: "tokencert test", Spec: model.Spec{Name: "rfc6749", Title: "RFC 6749", SHA256: strings.Repeat("ab", 32)},
		Endpoint: "http://127.0.0.1:9/token", Started: start, Finished: start.Add(time.Second),
		Certify: certify, LabelFilter: filter, Verdict: model.RunPass, Message: "1 passed",
		Checks: []model.Check{{Name: "RFC6749-5.1-STATUS-200 gets 200", ID: "RFC6749-5.1-STATUS-200", Level: "MUST", Concern: "fields", Verdict: model.Pass}},
	}
	dir = filepath.Join(tmp, "report")
	if err := reports.Write(dir, r, reports.WriteOptions{SignKey: key}); err != nil {
		t.Fatal(err)
	}
	return dir, filepath.Join(tmp, "k.pub")
}

func verify(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := verifyCmd(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestVerifyIntactBundle(t *testing.T) {
	dir, pub := bundle(t, true, "")
	for _, args := range [][]string{{"--pub", pub, dir}, {dir, "--pub", pub}} {
		code, out, errs := verify(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, out, errs)
		}
		for _, want := range []string{dir + ": OK", "4 of 4 match", "valid, by the given key ed25519:", "certification: complete"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	}
	code, out, _ := verify(dir)
	if code != 0 || !strings.Contains(out, "pass --pub to check who signed") {
		t.Errorf("without --pub: exit %d\n%s", code, out)
	}
}

func TestVerifyNamesChangedFiles(t *testing.T) {
	dir, pub := bundle(t, false, "MUST")
	os.WriteFile(filepath.Join(dir, "summary.md"), []byte("### PASS\n"), 0o644)
	os.Remove(filepath.Join(dir, "junit.xml"))
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	code, out, _ := verify("--pub", pub, dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"TAMPERED", "changed: summary.md", "missing: junit.xml", "extra: notes.txt", "2 of 4 match", "cannot be trusted"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Nothing about the run or a certification: the manifest saying so
	// may be what was tampered with.
	for _, not := range []string{"certification:", "run:", "verdict"} {
		if strings.Contains(out, not) {
			t.Errorf("a tampered bundle's output says %q:\n%s", not, out)
		}
	}
}

func TestVerifyWrongKey(t *testing.T) {
	dir, _ := bundle(t, true, "")
	_, other := bundle(t, true, "")
	code, out, _ := verify("--pub", other, dir)
	if code != 1 || !strings.Contains(out, "not by the given key") || !strings.Contains(out, "signature: INVALID") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestVerifyUsage(t *testing.T) {
	dir, _ := bundle(t, true, "")
	for _, args := range [][]string{{}, {dir, dir}, {filepath.Join(dir, "nope")}, {"--pub", filepath.Join(dir, "nope.pub"), dir}, {"--pub", filepath.Join(dir, "report.json"), dir}, {"--bad", dir}} {
		if code, out, errs := verify(args...); code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s%s", args, code, out, errs)
		}
	}
	if code, _, _ := verify(t.TempDir()); code != 1 {
		t.Errorf("a directory without a manifest: exit %d, want 1", code)
	}
}

// TestCertifySignVerify runs a signed certification against the embedded
// reference server and verifies the bundle it wrote.
func TestCertifySignVerify(t *testing.T) {
	t.Parallel()
	keys := filepath.Join(t.TempDir(), "k")
	var stdout, stderr bytes.Buffer
	if code := keygenCmd([]string{"--out", keys}, &stdout, &stderr); code != 0 {
		t.Fatal(stderr.String())
	}
	r := tokencert(t, nil, "run", "--certify", "--sign-key", keys+".key")
	if r.exit != 0 {
		t.Fatalf("run: exit %d\n%s%s", r.exit, r.stdout, r.stderr)
	}
	dir := filepath.Join(r.dir, "report")
	code, out, errs := verify("--pub", keys+".pub", dir)
	if code != 0 || !strings.Contains(out, "certification: complete") || !strings.Contains(out, "signature: valid, by the given key") {
		t.Errorf("verify: exit %d\n%s%s", code, out, errs)
	}
	for _, name := range []string{"junit.xml", "report.json", "report.html", "summary.md", "MANIFEST.json", "MANIFEST.sig"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("bundle lacks %s", name)
		}
	}
}

func TestCertifyRefusesLabelFilter(t *testing.T) {
	r := tokencert(t, nil, "run", "--certify", "--label-filter", "MUST")
	if r.exit != 2 || !strings.Contains(r.stderr, "--certify") {
		t.Errorf("exit %d\n%s", r.exit, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "report")); err == nil {
		t.Error("a refused run wrote a report")
	}
}

func TestSignKeyMustBeAKey(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.key")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	r := tokencert(t, nil, "run", "--sign-key", bad)
	if r.exit != 2 || !strings.Contains(r.stderr, "--sign-key") {
		t.Errorf("exit %d\n%s", r.exit, r.stderr)
	}
}

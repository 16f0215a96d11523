package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUnreachableEndpointExits3WithReport: nothing listens on the port, so
// the run says so, still writes its JUnit file, and exits 3.
func TestUnreachableEndpointExits3WithReport(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r := tokencert(t, []string{"SECRET=x-secret-value"}, "run", "--endpoint", "http://"+addr+"/token", "--client-id", "c", "--client-secret-env", "SECRET", "--request-timeout", "2s")
	if r.exit != 3 {
		t.Fatalf("exit %d, want 3\n%s%s", r.exit, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout+r.stderr, "unreachable") {
		t.Errorf("the message does not say the endpoint is unreachable:\n%s%s", r.stdout, r.stderr)
	}
	if len(r.cases()) == 0 {
		t.Errorf("no JUnit report written for an unreachable endpoint")
	}
	for _, tc := range r.cases() {
		if tc.Error == nil {
			t.Errorf("%s: want an error verdict", tc.Name)
		}
	}
}

// TestServePrintsATargetFile: the first line of 'tokencert serve' is a
// target file that 'tokencert run --target' certifies.
func TestServePrintsATargetFile(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "serve", "--spec", "rfc6749", "--lifetime", "1s")
	cmd.Env = append(os.Environ(), "TOKENCERT_TEST_MAIN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var target map[string]any
	if err := json.Unmarshal([]byte(line), &target); err != nil {
		t.Fatalf("first line is not JSON: %q", line)
	}
	for _, k := range []string{"endpoint", "client_id", "client_secret", "resource", "introspection"} {
		if target[k] == nil || target[k] == "" {
			t.Errorf("target lacks %s: %s", k, line)
		}
	}
	file := filepath.Join(t.TempDir(), "target.json")
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	r := tokencert(t, nil, "run", "--target", file, "--skew", "500ms", "--strict")
	if r.exit != 0 {
		t.Fatalf("exit %d against the served reference server\n%s", r.exit, failures(r))
	}
	skippedExpiry := false
	for _, tc := range r.cases() {
		if strings.HasPrefix(tc.Name, "RFC6749-7-EXPIRED-REJECTED-AT-RS") && tc.Skipped != nil {
			skippedExpiry = true
		}
	}
	if skippedExpiry {
		t.Errorf("the expiry check was skipped, though the token lives 1s")
	}
}

// TestUsageErrorsExit2: bad flags and unknown specs are usage errors that
// say what is wrong.
func TestUsageErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--spec", "no-such-spec"}, `unknown spec "no-such-spec"`},
		{[]string{"run", "--label-filter", "MUST &&"}, "--label-filter"},
		{[]string{"run", "--fault", "no-such-fault"}, "no-such-fault"},
		{[]string{"run", "--client-secret-env", "TOKENCERT_UNSET_VARIABLE", "--endpoint", "http://127.0.0.1:1/token"}, "TOKENCERT_UNSET_VARIABLE"},
		{[]string{"frobnicate"}, "unknown command"},
	} {
		r := tokencert(t, nil, tc.args...)
		if r.exit != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("tokencert %s: exit %d, stderr %q; want exit 2 mentioning %q", strings.Join(tc.args, " "), r.exit, r.stderr, tc.want)
		}
	}
}

package runner

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// Where the console is not a terminal, a countdown prints at most one line
// every WaitEvery, however often the wait reports.
func TestCountdownInALogPrintsEveryTenSeconds(t *testing.T) {
	var out bytes.Buffer
	c := newConsole(&out, false)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	for left := 25 * time.Second; left >= 0; left -= time.Second {
		c.countdown("expiry: waiting for the access token to expire", left)
		now = now.Add(time.Second)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"tokencert: expiry: waiting for the access token to expire: 25s left",
		"tokencert: expiry: waiting for the access token to expire: 15s left",
		"tokencert: expiry: waiting for the access token to expire: 5s left",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("countdown printed\n%s\nwant\n%s", out.String(), strings.Join(want, "\n"))
	}
	if strings.Contains(out.String(), "\r") {
		t.Error("a log got a carriage return")
	}
}

// In a terminal the countdown and the count of checks share one status
// line, rewritten in place; a line printed meanwhile goes above it, and
// the summary starts on a clean line.
func TestStatusLineInATerminal(t *testing.T) {
	var out bytes.Buffer
	c := newConsole(&out, true)
	c.start(3, "tokencert: certifying x")
	c.checkDone(false)
	c.checkDone(true)
	c.countdown("expiry: waiting for the access token to expire (RFC6749-7-EXPIRED-REJECTED-AT-RS, the protected resource)", 2*time.Second)
	c.countdown("expiry: waiting for the access token to expire (RFC6749-7-EXPIRED-REJECTED-AT-RS, the protected resource)", time.Second)
	_, _ = c.Write([]byte("lifetime: waiting\n"))
	c.countdown("expiry: waiting for the access token to expire (RFC6749-7-EXPIRED-REJECTED-AT-RS, the protected resource)", 0)
	c.checkDone(false)
	c.finish()
	got := out.String()
	for _, want := range []string{
		"tokencert: certifying x\n0/3 checks",
		"\r\033[K1/3 checks",
		"\r\033[K2/3 checks, 1 failed · expiry: waiting for the access token to expire: 2s left",
		"\r\033[K2/3 checks, 1 failed · expiry: waiting for the access token to expire: 1s left\r\033[Ktokencert: lifetime: waiting\n2/3 checks",
		"\r\033[K3/3 checks, 1 failed\r\033[K",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, got)
		}
	}
	if strings.Count(got, "\n") != 2 {
		t.Errorf("the status line took lines of its own: %q", got)
	}
	if !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("the status line is left on the screen: %q", got)
	}
}

// -v output names files by their module path, not the build machine's.
func TestTrimSource(t *testing.T) {
	var out bytes.Buffer
	_, _ = trimSource{&out}.Write([]byte("at " + sourceRoot + "suites/ginkgo.go:64\n"))
	if out.String() != "at suites/ginkgo.go:64\n" {
		t.Errorf("%q", out.String())
	}
}

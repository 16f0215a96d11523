// Package headless runs Debian's Chromium without a screen, as the tests
// of report.html do: a fresh profile every time, nothing reaching the
// network by itself.
package headless

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Find returns the path of Chromium (or another Chrome), or "".
func Find() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Need returns Chromium's path for a test: without it the test fails
// under CI=true (.ci/run installs it) and is skipped elsewhere.
func Need(tb testing.TB) string {
	tb.Helper()
	bin := Find()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("chromium is not installed; .ci/run installs it (apt-get install chromium)")
		}
		tb.Skip("chromium is not installed (apt-get install chromium): the browser check is skipped")
	}
	return bin
}

// Flags are the flags every run gets: no sandbox (CI containers), no GPU,
// no QUIC, no first-run page, no background traffic, no scrollbars.
var Flags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
	"--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"}

// Run runs Chromium bin with Flags, a fresh profile and args, and returns
// its standard output and error. ctx bounds a hung browser.
func Run(ctx context.Context, bin string, args ...string) (stdout, stderr string, err error) {
	profile, err := os.MkdirTemp("", "tokencert-chromium-")
	if err != nil {
		return "", "", err
	}
	// Chromium's helpers may still write into the profile as it exits.
	defer os.RemoveAll(profile)
	cmd := exec.CommandContext(ctx, bin, append(append(append([]string{}, Flags...), "--user-data-dir="+profile), args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), errb.String(), fmt.Errorf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String(), nil
}

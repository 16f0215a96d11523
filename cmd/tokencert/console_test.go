package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestOneConsoleVoice: the console carries tokencert's own account of a
// run (what it certifies, the failed checks with their messages, the
// counts by level, the verdict and the report's path), never Ginkgo's
// summary, which a waiver would contradict, nor a path of the build
// machine; with -v Ginkgo's reporter speaks too.
func TestOneConsoleVoice(t *testing.T) {
	t.Parallel()
	_, here, _, _ := runtime.Caller(0)
	src := filepath.Dir(filepath.Dir(filepath.Dir(here)))
	filter := "RFC6749-5.1-TOKEN-TYPE || RFC6749-5.1-STATUS-200"
	waivers := filepath.Join(t.TempDir(), "waivers.yaml")
	if err := os.WriteFile(waivers, []byte("- id: RFC6749-5.1-TOKEN-TYPE\n  reason: the gateway drops it\n  owner: alice\n  expires: 2999-12-31\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		args    []string
		exit    int
		want    []string
		notWant []string
	}{
		{"failed", nil, 1,
			[]string{"tokencert: certifying https://127.0.0.1:", "(the embedded reference server, fault no-token-type) against spec rfc6749: 2 checks\n",
				"\nFailed (1):\n  FAIL  RFC6749-5.1-TOKEN-TYPE ", "token_type is required",
				"tokencert: FAIL — spec rfc6749", "1 MUST-level failure;", "report: "},
			[]string{"Ran ", "FAIL!", "SUCCESS!", "Summarizing", "Will run", "[FAILED]", src}},
		{"waived", []string{"--waivers", waivers}, 0,
			[]string{"\nWaived failures (1):\n  FAIL  RFC6749-5.1-TOKEN-TYPE ", "waived until 2999-12-31 by alice: the gateway drops it", "tokencert: PASS", "1 failure waived"},
			[]string{"FAIL!", "Failed (", "SUCCESS!", "Summarizing", src}},
		{"verbose", []string{"-v"}, 1,
			[]string{"[FAILED]", "suites/ginkgo.go:", "tokencert: FAIL"},
			[]string{src}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"run", "--fault", "no-token-type", "--label-filter", filter}, c.args...)
			r := tokencert(t, nil, args...)
			if r.exit != c.exit {
				t.Fatalf("exit %d, want %d\n%s%s", r.exit, c.exit, r.stdout, r.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("the console lacks %q:\n%s", w, r.stdout)
				}
			}
			// The counts by level: the MUST row, pass and fail of the two
			// checks selected, then the errors, skips and total.
			if c.name != "verbose" && !regexp.MustCompile(`\n  MUST +1 +`+map[bool]string{true: "1", false: "1"}[c.exit == 1]+` +0 +\d+ +\d+\n`).MatchString(r.stdout) {
				t.Errorf("the console lacks the MUST row of the counts:\n%s", r.stdout)
			}
			for _, w := range c.notWant {
				if strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("the console shows %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}

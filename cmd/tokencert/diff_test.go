package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffSaysWhatChanged: two runs against the same fault differ only in
// fingerprints, times and the server's port: nothing changed. A waiver
// appearing is a change (newly waived, a waiver added); losing it again
// makes the failure a regression, exit 1.
func TestDiffSaysWhatChanged(t *testing.T) {
	t.Parallel()
	waivers := filepath.Join(t.TempDir(), "waivers.yaml")
	if err := os.WriteFile(waivers, []byte("- id: RFC6749-5.1-TOKEN-TYPE\n  reason: the gateway drops it\n  owner: alice\n  expires: 2999-12-31\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(extra ...string) string {
		r := tokencert(t, nil, append([]string{"run", "--fault", "no-token-type", "--label-filter", "RFC6749-5.1-TOKEN-TYPE || RFC6749-5.1-STATUS-200 || RFC6749-5.2-INVALID-CLIENT-BODY"}, extra...)...)
		if r.exit != 0 && r.exit != 1 {
			t.Fatalf("exit %d\n%s%s", r.exit, r.stdout, r.stderr)
		}
		return filepath.Join(r.dir, "report")
	}
	failing, again, waived := run(), run(), run("--waivers", waivers)
	for _, c := range []struct {
		name     string
		old, new string
		exit     int
		want     []string
	}{
		{"same failure", failing, again, 0, []string{"0 requirements changed verdict; 0 regressions", "Nothing changed."}},
		{"waiver appears", failing, waived, 0, []string{"RFC6749-5.1-TOKEN-TYPE (MUST): fail → waived", "#### Newly waived (1)",
			"added: RFC6749-5.1-TOKEN-TYPE, until 2999-12-31 by alice: the gateway drops it — applied"}},
		{"waiver goes", waived, failing, 1, []string{"RFC6749-5.1-TOKEN-TYPE (MUST): waived → fail", "**Regressions**", "#### Newly failing (1)",
			"was waived until 2999-12-31 by alice", "removed: RFC6749-5.1-TOKEN-TYPE"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := tokencert(t, nil, "diff", "--format", "md", c.old, c.new)
			if d.exit != c.exit {
				t.Errorf("exit %d, want %d\n%s%s", d.exit, c.exit, d.stdout, d.stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(d.stdout, w) {
					t.Errorf("diff lacks %q:\n%s", w, d.stdout)
				}
			}
		})
	}
}

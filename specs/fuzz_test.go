package specs

import (
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the spec loader: it never panics; an
// error names the source; a spec it accepts has every requirement in the
// catalogue with a level, and a request method. Seeds: the built-in specs
// (added here) and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, name := range Names() {
		b, err := builtin.ReadFile(name + ".yaml")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse("fuzz.yaml", b)
		if err != nil {
			if s != nil {
				t.Errorf("a spec and an error")
			}
			if !strings.Contains(err.Error(), "fuzz.yaml") && !strings.Contains(err.Error(), "spec format schema") {
				t.Errorf("error does not name the source: %v", err)
			}
			return
		}
		if s.Source != "fuzz.yaml" || len(s.SHA256) != 64 {
			t.Errorf("source %q, sha %q", s.Source, s.SHA256)
		}
		for _, r := range s.Requirements {
			if _, ok := Lookup(r.ID); !ok || r.Level == "" {
				t.Errorf("requirement %+v accepted", r)
			}
		}
	})
}

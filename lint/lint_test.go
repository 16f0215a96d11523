package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/specs"
)

// Every built-in spec lints clean: no errors, and no warnings either (the
// reference server models each of them and a fault breaks every one of
// their requirements).
func TestBuiltinSpecsLintClean(t *testing.T) {
	for _, name := range specs.Names() {
		for _, p := range Spec(name) {
			t.Errorf("%s", p)
		}
	}
}

// Bad specs are refused with file, line and key, before any request.
func TestProblemsNameFileAndLine(t *testing.T) {
	dir := t.TempDir()
	base, ok := specs.Builtin("rfc6749")
	if !ok {
		t.Fatal("no rfc6749")
	}
	for _, tc := range []struct {
		name, from, to, want string
		line                 bool
	}{
		{"unknown key", "summary:", "colour: red\nsummary:", "colour", true},
		{"unknown condition", "  - {id: RFC6749-5.2-STATUS-400", "  - {id: RFC6749-5.2-STATUS-400, check: error/no_such_thing", `"no_such_thing" is not a failure condition`, true},
		{"argument kind named alone", "  - {id: RFC6749-5.2-STATUS-400", "  - {id: RFC6749-5.2-STATUS-400, check: dpop", "takes an argument", true},
		{"requirement without check", "requirements:\n", "requirements:\n  - {id: RFC6749-10.12-CSRF, cite: x}\n", "RFC6749-10.12-CSRF", true},
		{"own requirement without text", "requirements:\n", "requirements:\n  - {id: RFC6749X-OWN, level: MUST, cite: x, check: status-200}\n", "RFC6749X-OWN", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(string(base), tc.from, tc.to, 1)
			if src == string(base) {
				t.Fatalf("%q not in rfc6749.yaml", tc.from)
			}
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml")
			if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			ps := Spec(file)
			if Errors(ps) == 0 {
				t.Fatalf("no error: %v", ps)
			}
			found := false
			for _, p := range ps {
				if p.Severity == Error && strings.Contains(p.String(), tc.want) && strings.HasPrefix(p.String(), file+":") {
					found = found || !tc.line || p.Line > 0
				}
			}
			if !found {
				t.Errorf("no error naming %q (with a line: %v) among %v", tc.want, tc.line, ps)
			}
		})
	}
}

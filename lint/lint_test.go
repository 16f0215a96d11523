package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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

// writeSpec writes rfc6749.yaml, edited, as a spec file (and any extra
// files beside it) and returns its path.
func writeSpec(t *testing.T, edits [][2]string, extra map[string]string) string {
	t.Helper()
	base, _ := specs.Builtin("rfc6749")
	src := string(base)
	for _, e := range edits {
		if !strings.Contains(src, e[0]) {
			t.Fatalf("%q not in rfc6749.yaml", e[0])
		}
		src = strings.Replace(src, e[0], e[1], 1)
	}
	dir := t.TempDir()
	for name, body := range extra {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// wantError expects an error problem that says want, and none that says
// avoid.
func wantError(t *testing.T, ps []Problem, want string) {
	t.Helper()
	for _, p := range ps {
		if p.Severity == Error && strings.Contains(p.Message, want) {
			return
		}
	}
	t.Errorf("no error saying %q among:\n%v", want, ps)
}

// A faults: entry is tried against the reference server in memory: one
// that leaves every check of its requirement passing cannot break it.
func TestFaultThatCannotBreakItsRequirement(t *testing.T) {
	own := "requirements:\n  - {id: RFC6749-OWN-NO-STORE, level: MUST, text: token responses are not cached, check: no-store, cite: x, faults: [%s]}\n"
	file := writeSpec(t, [][2]string{{"requirements:\n", fmt.Sprintf(own, "pragma-missing")}}, nil)
	wantError(t, Check(file, Options{TryFaults: true}), "fault pragma-missing cannot break it")
	if ps := Spec(file); Errors(ps) > 0 {
		t.Errorf("without TryFaults the fault is not tried: %v", ps)
	}
	file = writeSpec(t, [][2]string{{"requirements:\n", fmt.Sprintf(own, "no-store-missing")}}, nil)
	for _, p := range Check(file, Options{TryFaults: true}) {
		if strings.Contains(p.Message, "cannot break") {
			t.Errorf("a fault that breaks the requirement: %s", p)
		}
	}
}

// A spec's schema that names a catalogue requirement may not drop its
// constraints (the catalogue's are the built-in RFC 6749 schemas).
func TestSchemaWeakerThanTheCatalogue(t *testing.T) {
	schema := `{"$schema": "http://json-schema.org/draft-07/schema#", "x-requirement": "RFC6749-5.1-JSON-MEDIA-TYPE", "type": "object",
  "required": ["access_token"], "x-required-by": {"access_token": "RFC6749-5.1-ACCESS-TOKEN"},
  "properties": {"access_token": {"x-requirement": "RFC6749-5.1-ACCESS-TOKEN", "type": ["string", "number"]},
    "token_type": {"x-requirement": "RFC6749-5.1-TOKEN-TYPE", "type": "string", "pattern": "^[Bb]earer$"}}}`
	file := writeSpec(t, [][2]string{{"schema: rfc6749/token-response.json", "schema: mine/token.json"}}, map[string]string{"mine/token.json": schema})
	ps := Spec(file)
	wantError(t, ps, "property access_token names RFC6749-5.1-ACCESS-TOKEN but is weaker than the catalogue's (rfc6749/token-response.json): minLength")
	wantError(t, ps, "type string|number admits number")
	wantError(t, ps, "names RFC6749-5.1-TOKEN-TYPE but does not require token_type")
}

// A requirement whose check the spec's own data leaves nothing to judge
// is refused: a SHOULD error requirement whose condition the spec does not
// declare (any refusal passes it), a probe the spec cannot send, a check
// of data the spec does not have.
func TestVacuousRequirements(t *testing.T) {
	file := writeSpec(t, [][2]string{
		{"    bad_password: {codes: [invalid_grant], statuses: [400]}\n", ""},
		{"  - {id: RFC6749-5.2-INVALID-GRANT-PASSWORD, cite: \"RFC 6749 §4.3.2, §5.2 (invalid_grant)\"}", "  - {id: RFC6749-5.2-INVALID-GRANT-PASSWORD, level: SHOULD, why: the document is silent, cite: x}"},
		{"requirements:\n", "requirements:\n  - {id: RFC6749-OWN-ECHO, level: MUST, text: the username is echoed, check: echo, cite: x, faults: [echo-mismatch]}\n"},
	}, nil)
	ps := Spec(file)
	wantError(t, ps, "requirement RFC6749-5.2-INVALID-GRANT-PASSWORD (SHOULD) is vacuous: spec rfc6749 documents its errors but not errors.conditions.bad_password")
	wantError(t, ps, "requirement RFC6749-OWN-ECHO is vacuous: its check echo judges what spec names no response.echo")
	file = writeSpec(t, [][2]string{{"  client_auth: [basic, body]", "  client_auth: [body]"}}, nil)
	wantError(t, Spec(file), "requirement RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE is vacuous: its check error/bad_client_basic sends a probe the spec cannot have sent")
}

// All the problems of a file in one pass: a format violation does not hide
// the catalogue's problems or a bad check argument.
func TestAllProblemsInOnePass(t *testing.T) {
	file := writeSpec(t, [][2]string{
		{"summary:", "colour: red\nsummary:"},
		{"requirements:\n", "requirements:\n  - {id: NOT-IN-THE-CATALOGUE, cite: x}\n  - {id: RFC6749-5.2-STATUS-400, check: error/no_such_thing, cite: x, level: SHOULD, why: x}\n"},
	}, nil)
	ps := Spec(file)
	for _, want := range []string{"colour", "NOT-IN-THE-CATALOGUE", `"no_such_thing" is not a failure condition`} {
		wantError(t, ps, want)
	}
}

// TestOnePass: a file with several problems of different stages (the
// format, the catalogue, the checks) gets them all from one lint, each at
// its line; a requirement without a check gets the kinds that fit its
// text, a misspelt kind the kinds it may mean; a YAML syntax error names
// its line too.
func TestOnePass(t *testing.T) {
	dir := t.TempDir()
	base, _ := specs.Builtin("rfc6749")
	src := strings.Replace(string(base), "summary:", "colour: red\nsummary:", 1)
	src = strings.Replace(src, "requirements:\n", "requirements:\n"+
		"  - {id: RFC6749-5.1-STATUS-200, cite: x, text: a text of its own}\n"+
		"  - {id: RFC6749X-OWN, level: MUST, cite: x, text: A refresh token is refused to another client.}\n"+
		"  - {id: RFC6749X-TYPO, level: MUST, cite: x, text: its own rule, check: documented-reqest}\n", 1)
	file := filepath.Join(dir, "spec.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	ps := Spec(file)
	for _, want := range []string{
		"Additional property colour is not allowed",
		"requirement RFC6749-5.1-STATUS-200 is in the catalogue, which gives its text",
		"requirement RFC6749X-OWN names no check, and no kind checks it by default: give it a check; kinds that may fit its text: refresh-other-client (",
		`requirement RFC6749X-TYPO: no check kind "documented-reqest"; did you mean documented-request?`,
	} {
		found := false
		for _, p := range ps {
			found = found || (p.Severity == Error && p.Line > 1 && strings.Contains(p.Message, want) && strings.HasPrefix(p.String(), file+":"))
		}
		if !found {
			t.Errorf("one lint does not report %q at a line:\n%v", want, ps)
		}
	}
	for _, p := range ps {
		if !regexp.MustCompile(`^` + regexp.QuoteMeta(file) + `:[1-9][0-9]*: (error|warning): `).MatchString(p.String()) {
			t.Errorf("not FILE:LINE: SEVERITY: %q", p)
		}
	}

	bad := filepath.Join(dir, "syntax.yaml")
	if err := os.WriteFile(bad, []byte("name: x\nrequest:\n  method: POST\n    path: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if ps := Spec(bad); len(ps) != 1 || ps[0].Line != 4 || !strings.HasPrefix(ps[0].String(), bad+":4: error: YAML syntax: ") {
		t.Errorf("a YAML syntax error: %v", ps)
	}
}

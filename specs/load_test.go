package specs

import (
	"errors"
	"strings"
	"testing"
)

func TestBuiltinSpecsLoad(t *testing.T) {
	if len(Names()) == 0 {
		t.Fatal("no built-in specs")
	}
	for _, name := range Names() {
		s, err := Load(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Name != name {
			t.Errorf("%s: file declares name %q", name, s.Name)
		}
		for _, r := range s.Requirements {
			if r.Level == "" || r.Cite == "" {
				t.Errorf("%s: %s has no level or cite", name, r.ID)
			}
		}
	}
}

func TestCatalogueLoads(t *testing.T) {
	entries, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 115 {
		t.Errorf("catalogue has %d entries, want every row of shared/requirements.md (115) at least", len(entries))
	}
	if _, ok := Lookup("RFC6749-5.1-ACCESS-TOKEN"); !ok {
		t.Error("RFC6749-5.1-ACCESS-TOKEN missing")
	}
}

// TestBrokenSpecsAreClearErrors: a broken spec file is an error naming the
// file and the problem, never a panic.
func TestBrokenSpecsAreClearErrors(t *testing.T) {
	base, err := builtin.ReadFile("rfc6749.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"empty", "", "does not follow the spec format"},
		{"not yaml", "name: [unclosed", "not YAML"},
		{"a list", "- a\n- b\n", "does not follow the spec format"},
		{"unknown key", string(base) + "\nfrobnicate: 1\n", "frobnicate"},
		{"bad encoding", strings.Replace(string(base), "encoding: form", "encoding: xml", 1), "encoding"},
		{"bad method", strings.Replace(string(base), "method: POST", "method: FETCH", 1), "method"},
		{"unknown requirement", strings.Replace(string(base), "RFC6749-5.1-STATUS-200,", "RFC6749-NOT-A-REQUIREMENT,", 1), "not in the catalogue"},
		{"level without why", strings.Replace(string(base), "{id: RFC6749-5.1-STATUS-200,", "{id: RFC6749-5.1-STATUS-200, level: MAY,", 1), "say why"},
		{"bad duration", strings.Replace(string(base), "lifetime: 2s", "lifetime: two seconds", 1), "lifetime"},
		{"duplicate requirement", strings.Replace(string(base), "requirements:\n", "requirements:\n  - {id: RFC6749-5.1-STATUS-200, cite: x}\n", 1), "listed twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("broken.yaml", []byte(tc.body))
			if err == nil {
				t.Fatalf("accepted")
			}
			if !strings.Contains(err.Error(), "broken.yaml") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not name the file and %q", err, tc.want)
			}
		})
	}
}

// A draft with TODO(derive) markers is refused, naming each marker's line;
// a marker standing in for a value the format constrains is the marker's
// problem only, while any other fault is reported besides.
func TestParseRefusesTODOMarkers(t *testing.T) {
	b, err := builtin.ReadFile("linkervision.yaml")
	if err != nil {
		t.Fatal(err)
	}
	draft := strings.Replace(string(b), "  method: POST\n", "  method: \"TODO(derive): no method found\"\n", 1)
	draft = strings.Replace(draft, "  token_type: Bearer\n", "  token_type: Bearer # TODO(derive): token_type from the sample only\n", 1)
	_, err = Parse("draft.yaml", []byte(draft))
	var te *TODOError
	if !errors.As(err, &te) {
		t.Fatalf("got %v, want a *TODOError", err)
	}
	if len(te.TODOs) != 2 || te.Other != nil {
		t.Fatalf("TODOs %v, other %v; want 2 markers and nothing else", te.TODOs, te.Other)
	}
	for _, want := range []string{"draft.yaml:8: method: \"TODO(derive): no method found\"", "2 TODO(derive) marker(s) block it", "token_type from the sample only"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q:\n%v", want, err)
		}
	}
	broken := strings.Replace(draft, "  encoding: json\n", "  encoding: xml\n", 1)
	if _, err = Parse("draft.yaml", []byte(broken)); !errors.As(err, &te) || te.Other == nil || !strings.Contains(te.Other.Error(), "encoding") {
		t.Errorf("a draft with another fault: got %v, want the fault besides the markers", err)
	}
}

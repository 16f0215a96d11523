package specs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/schemas"
	"github.com/tokencert/tokencert/specs"
)

// A spec file of one's own in a folder that happens to be called specs is
// a file spec: its schema is found beside it (--spec specs/acme.yaml).
func TestFileSpecInAFolderNamedSpecs(t *testing.T) {
	base, err := specs.Load("rfc6749")
	if err != nil {
		t.Fatal(err)
	}
	if base.Dir() != "" {
		t.Errorf("built-in spec: Dir %q, want none", base.Dir())
	}
	builtin, err := os.ReadFile("rfc6749.yaml")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	dir := filepath.Join(root, "specs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(builtin), "schema: rfc6749/token-response.json", "schema: acme-token.json", 1)
	if body == string(builtin) {
		t.Fatal("rfc6749.yaml names no rfc6749/token-response.json")
	}
	for name, b := range map[string]string{
		"acme.yaml":       body,
		"acme-token.json": `{"type": "object", "required": ["access_token"]}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(root)
	s, err := specs.Load("specs/acme.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Dir() != "specs" {
		t.Errorf("Dir %q, want specs", s.Dir())
	}
	if _, err := schemas.Load(s.Response.Schema, s.Dir()); err != nil {
		t.Errorf("the schema beside the spec: %v", err)
	}
}

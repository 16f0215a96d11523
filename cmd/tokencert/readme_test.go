package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/target"
)

// exampleMarker names the file a Markdown code block shows, on the line
// before it.
var exampleMarker = regexp.MustCompile(`<!-- example: (\S+) -->\n(\s*)` + "```" + `yaml\n`)

// yamlBlock is a fenced YAML block of a Markdown file, and the indentation
// of its fence.
var yamlBlock = regexp.MustCompile("(?m)^( *)```yaml\n")

// TestReadmeEmbedsExamples: every YAML block of README.md and
// specs/README.md that is a whole file (a target, a waivers file, a spec)
// is one of docs/examples, word for word, named by the comment before it;
// every other block is a fragment of a target file, whose keys and values
// the target loader takes.
func TestReadmeEmbedsExamples(t *testing.T) {
	named := 0
	for _, doc := range []string{"../../README.md", "../../specs/README.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		marked := map[int]string{}
		for _, m := range exampleMarker.FindAllStringSubmatchIndex(text, -1) {
			marked[m[4]] = text[m[2]:m[3]]
		}
		for _, m := range yamlBlock.FindAllStringSubmatchIndex(text, -1) {
			indent := text[m[2]:m[3]]
			rest := text[m[1]:]
			end := strings.Index(rest, indent+"```\n")
			if end < 0 {
				t.Fatalf("%s: an unclosed yaml block at offset %d", doc, m[0])
			}
			block := dedent(rest[:end], indent)
			if file, ok := marked[m[0]]; ok {
				named++
				want, err := os.ReadFile(filepath.Join("../..", file))
				if err != nil {
					t.Errorf("%s names %s: %v", doc, file, err)
					continue
				}
				if block != string(want) {
					t.Errorf("%s's block differs from %s: copy the file into it\n--- block\n%s--- file\n%s", doc, file, block, want)
				}
				continue
			}
			t.Setenv("CLIENT_SECRET", "x")
			t.Setenv("USER_PASSWORD", "x")
			t.Setenv("SECOND_SECRET", "x")
			t.Setenv("REFRESH_TOKEN", "x")
			if _, err := target.Parse(doc+" fragment", []byte(block)); err != nil {
				t.Errorf("%s: a target fragment the loader refuses: %v\n%s", doc, err, block)
			}
		}
	}
	if named < 3 {
		t.Errorf("%d example files named in the READMEs, want the target, the waivers and the spec", named)
	}
}

func dedent(s, indent string) string {
	if indent == "" {
		return s
	}
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, indent)
	}
	return strings.Join(lines, "")
}

// TestReadmeExamplesPass: README.md's target file (with its waivers file)
// certifies the reference server, as written but for the server's
// addresses, and specs/README.md's spec certifies the reference server
// speaking it: both PASS.
func TestReadmeExamplesPass(t *testing.T) {
	t.Parallel()
	t.Run("target", func(t *testing.T) {
		t.Parallel()
		creds := &refserver.Credentials{ClientID: "my-client", ClientSecret: "readme-client-secret-value", Username: "alice", Password: "readme-user-password",
			OtherClientID: "second-client", OtherClientSecret: "readme-second-secret-value"}
		st := startRefserver(t, creds).Target()
		b, err := os.ReadFile("../../docs/examples/target.yaml")
		if err != nil {
			t.Fatal(err)
		}
		text := strings.NewReplacer("https://idp.example/oauth2/token", st.Endpoint, "https://api.example/me", st.Resource,
			"https://idp.example/introspect", st.Introspection).Replace(string(b))
		dir := t.TempDir()
		write(t, filepath.Join(dir, "target.yaml"), text)
		waivers, err := os.ReadFile("../../docs/examples/waivers.yaml")
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "waivers.yaml"), string(waivers))
		env := []string{"CLIENT_SECRET=" + creds.ClientSecret, "USER_PASSWORD=" + creds.Password, "SECOND_SECRET=" + creds.OtherClientSecret}
		r := tokencert(t, env, "run", "--target", filepath.Join(dir, "target.yaml"))
		if r.exit != 0 || !strings.Contains(r.stdout, "tokencert: PASS") {
			t.Errorf("README's target: exit %d, want 0 (PASS)\n%s%s", r.exit, r.stdout, r.stderr)
		}
	})
	t.Run("spec", func(t *testing.T) {
		t.Parallel()
		spec, err := filepath.Abs("../../docs/examples/acme.yaml")
		if err != nil {
			t.Fatal(err)
		}
		r := tokencert(t, nil, "run", "--spec", spec)
		if r.exit != 0 || !strings.Contains(r.stdout, "tokencert: PASS") {
			t.Errorf("specs/README's spec: exit %d, want 0 (PASS)\n%s%s", r.exit, r.stdout, r.stderr)
		}
	})
}

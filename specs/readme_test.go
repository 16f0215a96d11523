package specs_test

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeExampleIsAValidSpec: the README's complete example loads, and
// every one of its requirements is planned as a check.
func TestReadmeExampleIsAValidSpec(t *testing.T) {
	doc := readme(t)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(doc, -1)
	if len(blocks) != 1 {
		t.Fatalf("want exactly one yaml block (the complete example), found %d", len(blocks))
	}
	spec, err := specs.Parse("README.md example", []byte(blocks[0][1]))
	if err != nil {
		t.Fatal(err)
	}
	target := target.Target{Endpoint: "http://127.0.0.1:1" + spec.Request.Path, ClientID: "c", ClientSecret: "s",
		Username: "u", Password: "p", Audience: spec.Refserver.Audience, Resource: "http://127.0.0.1:1/resource", MaxWait: specs.Duration{Duration: time.Minute}}
	env, err := suites.NewEnv(spec, target, wire.New(redact.New(), wire.Options{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := env.Plan()
	if err != nil {
		t.Fatal(err)
	}
	planned := map[string]bool{}
	for _, c := range plan {
		planned[c.Req.ID] = true
	}
	for _, r := range spec.Requirements {
		if !planned[r.ID] {
			t.Errorf("example requirement %s has no check", r.ID)
		}
	}
}

// TestReadmeDocumentsTheFormat: every key of spec.schema.json and every
// failure condition is named in the README, so the documentation cannot
// silently fall behind the format (the kinds' and conditions' tables are
// generated: suites.TestFormatFollowsRegistry).
func TestReadmeDocumentsTheFormat(t *testing.T) {
	doc := readme(t)
	b, err := os.ReadFile("spec.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema any
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if props, ok := v["properties"].(map[string]any); ok {
				for k := range props {
					names[k] = true
				}
			}
			if pn, ok := v["propertyNames"].(map[string]any); ok {
				for _, c := range pn["enum"].([]any) {
					names[c.(string)] = true
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(schema)
	var missing []string
	for n := range names {
		if !strings.Contains(doc, "`"+n+"`") {
			missing = append(missing, "key or condition "+n)
		}
	}
	for _, p := range []string{"$code", "$description", "$status", "$path", "$title", "x-requirement", "x-required-by"} {
		if !strings.Contains(doc, "`"+p+"`") {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("specs/README.md does not document:\n  %s", strings.Join(missing, "\n  "))
	}
}

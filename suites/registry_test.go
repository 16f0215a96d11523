package suites

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// builtinChecks maps each requirement ID of every built-in spec to the
// checks ("kind" or "kind/argument") that verify it.
func builtinChecks(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range builtinPlans(t) {
		for _, c := range p.plan {
			if !slices.Contains(out[c.Req.ID], c.Req.Check) {
				out[c.Req.ID] = append(out[c.Req.ID], c.Req.Check)
			}
		}
	}
	return out
}

// TestRegistryIsComplete: every check kind and every failure condition is
// declared whole (documentation, what it sends or plans, the answer the
// reference server gives, the faults that break it), and every one of them
// can fail: a reference-server fault breaks a requirement it checks.
func TestRegistryIsComplete(t *testing.T) {
	checks := builtinChecks(t)
	faults := map[string]refserver.Fault{}
	for _, f := range refserver.Faults() {
		faults[f.Name] = f
	}
	// breakers maps a check ("kind" or "kind/argument") to the faults that
	// break a requirement it verifies in a built-in spec.
	breakers := map[string][]string{}
	for _, f := range faults {
		for _, c := range checks[f.Breaks] {
			breakers[c] = append(breakers[c], f.Name)
			base, _, _ := strings.Cut(c, "/")
			breakers[base] = append(breakers[base], f.Name)
		}
	}
	for _, k := range Kinds() {
		if k.Doc == "" || k.Plan == nil || k.Fix == "" {
			t.Errorf("kind %s: no Doc, Plan or Fix", k.Name)
		}
		for _, id := range k.Requirements {
			if _, ok := specs.Lookup(id); !ok {
				t.Errorf("kind %s: requirement %s is not in the catalogue", k.Name, id)
			}
		}
		if len(breakers[k.Name]) == 0 {
			t.Errorf("kind %s: no reference-server fault breaks a requirement it checks in a built-in spec, so nothing shows it can fail", k.Name)
		}
	}
	for _, c := range probes.Conditions {
		if c.Doc == "" || c.Title == "" || c.Fix == "" || c.Description == "" || len(c.Answer.Codes) == 0 || len(c.Answer.Statuses) == 0 {
			t.Errorf("condition %s: Doc, Title, Fix, Description and an Answer (code and status) are all required", c.Name)
		}
		if len(c.Faults) == 0 {
			t.Errorf("condition %s: names no fault that breaks it", c.Name)
		}
		for _, id := range c.Requirements {
			if _, ok := specs.Lookup(id); !ok {
				t.Errorf("condition %s: requirement %s is not in the catalogue", c.Name, id)
			}
		}
		// The faults that break a requirement checked with this condition.
		var want []string
		for _, f := range faults {
			for _, ch := range checks[f.Breaks] {
				if _, arg, _ := strings.Cut(ch, "/"); arg == c.Name {
					want = append(want, f.Name)
				}
			}
		}
		for _, name := range c.Faults {
			f, ok := faults[name]
			if !ok {
				t.Errorf("condition %s: fault %q is not a reference-server fault", c.Name, name)
				continue
			}
			if !slices.Contains(c.Requirements, f.Breaks) && !slices.Contains(want, name) && !brokenByKind(checks[f.Breaks]) {
				t.Errorf("condition %s: fault %s breaks %s, which no check of the condition verifies", c.Name, name, f.Breaks)
			}
		}
		for _, name := range want {
			// A condition and its companion probe the same requirements
			// two ways; a fault of one need not break the other.
			if !slices.Contains(c.Faults, name) && !slices.Contains(companionFaults(c), name) {
				t.Errorf("condition %s: fault %s breaks one of its requirements but is not among its Faults", c.Name, name)
			}
		}
	}
}

// TestGrantRegistryIsComplete: every grant is declared whole, the
// reference server serves every one and no other, and every check kind
// that obtains a token says so through the token source (tokens.go), not
// through a grant list of its own.
func TestGrantRegistryIsComplete(t *testing.T) {
	for _, g := range grants.All {
		if g.Name == "" || g.Cite == "" || g.Response == "" || g.Doc == "" || g.Refresh == "" {
			t.Errorf("grant %q: Name, Cite, Response, Doc and Refresh are all required", g.Name)
		}
		if grants.Lookup(g.Name) != g || (g.Alias != "" && grants.Lookup(g.Alias) != g) {
			t.Errorf("grant %s: Lookup does not find it by its name and alias", g.Name)
		}
		if !refserver.Serves(g.Name) {
			t.Errorf("grant %s: the reference server has no handler for it", g.Name)
		}
	}
	for _, name := range []string{"implicit", "urn:ietf:params:oauth:grant-type:jwt-bearer"} {
		if refserver.Serves(name) {
			t.Errorf("the reference server serves %s, which the registry does not declare", name)
		}
	}
}

// companionFaults are the faults of c's companion and of the condition
// whose companion c is.
func companionFaults(c *probes.Condition) []string {
	var out []string
	for _, o := range probes.Conditions {
		if o == c.Companion || o.Companion == c {
			out = append(out, o.Faults...)
		}
	}
	return out
}

// brokenByKind: a condition induced by kinds of its own (invalid_parameter,
// invalid_scope) is broken through their requirements.
func brokenByKind(checks []string) bool {
	for _, c := range checks {
		base, _, _ := strings.Cut(c, "/")
		if base != "error" && base != "error-body" {
			return true
		}
	}
	return false
}

// The spec format's lists of conditions and check kinds, and specs/README.md's
// tables of them, are generated from the registry.
// Regenerate with: go test ./suites -run TestFormatFollowsRegistry -update
func TestFormatFollowsRegistry(t *testing.T) {
	t.Run("spec.schema.json", func(t *testing.T) {
		const path = "../specs/spec.schema.json"
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got := string(b)
		want := replaceLine(t, got, `"propertyNames": {"enum": `, `"propertyNames": {"enum": `+jsonList(probes.Names())+`},`)
		want = replaceLine(t, want, `"check": {"type": "string", "pattern": `, `"check": {"type": "string", "pattern": `+checkPattern()+`}`)
		want = replaceLine(t, want, `"type": {"$comment": "grants.All, with their aliases", "enum": `, `"type": {"$comment": "grants.All, with their aliases", "enum": `+jsonList(grantNames())+`},`)
		compare(t, path, got, want)
	})
	t.Run("README.md", func(t *testing.T) {
		const path = "../specs/README.md"
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		got := string(b)
		want := replaceBlock(t, got, "conditions", conditionTable())
		want = replaceBlock(t, want, "kinds", kindTable())
		want = replaceBlock(t, want, "grants", grantTable())
		compare(t, path, got, want)
	})
}

func compare(t *testing.T, path, got, want string) {
	t.Helper()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s does not follow the registry (probes.Conditions, suites.Kinds()); regenerate with: go test ./suites -run TestFormatFollowsRegistry -update", path)
}

// replaceLine replaces the one line that contains prefix, keeping its
// indentation.
func replaceLine(t *testing.T, doc, prefix, line string) string {
	t.Helper()
	lines := strings.Split(doc, "\n")
	n := 0
	for i, l := range lines {
		if j := strings.Index(l, prefix); j >= 0 {
			lines[i] = l[:j] + line
			n++
		}
	}
	if n != 1 {
		t.Fatalf("want exactly one line with %s, found %d", prefix, n)
	}
	return strings.Join(lines, "\n")
}

// replaceBlock replaces what stands between <!-- registry:NAME --> and
// <!-- /registry:NAME -->.
func replaceBlock(t *testing.T, doc, name, body string) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)(<!-- registry:` + name + ` -->\n).*?(<!-- /registry:` + name + ` -->)`)
	if !re.MatchString(doc) {
		t.Fatalf("no <!-- registry:%s --> block", name)
	}
	return re.ReplaceAllLiteralString(doc, "<!-- registry:"+name+" -->\n"+body+"<!-- /registry:"+name+" -->")
}

func jsonList(xs []string) string {
	b, _ := json.Marshal(xs)
	return strings.ReplaceAll(string(b), `","`, `", "`)
}

// checkPattern is the pattern a requirement's check follows: a kind, and
// an argument for the kinds that take one.
func checkPattern() string {
	var plain, withArg []string
	for _, k := range Kinds() {
		if k.Arg == "" {
			plain = append(plain, regexp.QuoteMeta(k.Name))
		} else {
			withArg = append(withArg, regexp.QuoteMeta(k.Name))
		}
	}
	p := fmt.Sprintf("^(%s|(%s)(/[A-Za-z0-9_.-]+)?)$", strings.Join(plain, "|"), strings.Join(withArg, "|"))
	b, _ := json.Marshal(p)
	return string(b)
}

func conditionTable() string {
	var b strings.Builder
	b.WriteString("| condition | the probe | RFC 6749 answer (the reference server's default) | requirements that default to `error/CONDITION` | faults that break it |\n|---|---|---|---|---|\n")
	for _, c := range probes.Conditions {
		reqs := "—"
		if len(c.Requirements) > 0 {
			reqs = strings.Join(c.Requirements, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | `%s`, %d | %s | `%s` |\n", c.Name, c.Doc, c.Answer.Codes[0], c.Answer.Statuses[0], reqs, strings.Join(c.Faults, "`, `"))
	}
	return b.String()
}

func kindTable() string {
	var b strings.Builder
	b.WriteString("| kind | checks | default for |\n|---|---|---|\n")
	for _, k := range Kinds() {
		name := "`" + k.Name + "`"
		if k.Arg != "" {
			name = "`" + k.Name + "/" + strings.ReplaceAll(k.Arg, "|", `\|`) + "`"
		}
		reqs := "—"
		if len(k.Requirements) > 0 {
			var ids []string
			for _, id := range k.Requirements {
				if a := k.Defaults[id]; a != "" {
					id += " (`" + a + "`)"
				}
				ids = append(ids, id)
			}
			reqs = strings.Join(ids, ", ")
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, strings.ReplaceAll(k.Doc, "|", `\|`), reqs)
	}
	return b.String()
}

// grantNames are the names a spec may give a grant: each grant's, then its
// alias.
func grantNames() []string {
	var out []string
	for _, g := range grants.All {
		out = append(out, g.Name)
		if g.Alias != "" {
			out = append(out, g.Alias)
		}
	}
	return out
}

func grantTable() string {
	var b strings.Builder
	b.WriteString("| `type` | token request | how the run obtains it | refresh token | response |\n|---|---|---|---|---|\n")
	for _, g := range grants.All {
		name := "`" + g.Name + "`"
		if g.Alias != "" {
			name += " (or `" + g.Alias + "`)"
		}
		params := "`grant_type`"
		for _, p := range g.Params {
			params += ", `" + p.Name + "`"
		}
		if g.Scope {
			params += ", `scope` (optional)"
		}
		fmt.Fprintf(&b, "| %s | %s (%s) | %s: %s | %s | %s |\n", name, params, g.Cite, g.Obtain, g.Doc, map[grants.Refresh]string{grants.RefreshMay: "may be issued", grants.RefreshShouldNot: "SHOULD NOT be issued"}[g.Refresh], g.Response)
	}
	return b.String()
}

// TestEveryCheckHasAFix: every check of every built-in spec tells a reader
// of its failure what the endpoint should have done; an error check tells
// its own condition's (a companion's checks, the companion's).
func TestEveryCheckHasAFix(t *testing.T) {
	for _, p := range builtinPlans(t) {
		for _, c := range p.plan {
			fix := Fix(c)
			if fix == "" {
				t.Errorf("%s %s (check %s): no fix hint", p.spec.Name, c.Name(), c.Req.Check)
			}
			base, arg, _ := strings.Cut(c.Req.Check, "/")
			if base != "error" {
				continue
			}
			want := probes.ByName(arg).Fix
			if comp := probes.ByName(c.Variant); comp != nil {
				want = comp.Fix
			}
			if fix != want {
				t.Errorf("%s %s: fix %q, want its condition's %q", p.spec.Name, c.Name(), fix, want)
			}
		}
	}
}

package derive

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/specs"
	"sigs.k8s.io/yaml"
)

var update = flag.Bool("update", false, "rewrite the measured table in README.md")

// seeds are the four seed documents and the built-in specs written by
// hand from them.
var seeds = []struct{ file, spec string }{
	{"000_a8329e5ae1d8a769.txt", "linkervision"},
	{"001_39cd937695dba9c6.txt", "vision10"},
	{"002_ac69965c9501c752.txt", "sandbox"},
	{"003_0612f5e425732c3b.txt", "dot"},
}

const seedDir = "../../shared/seeds"

// outcome of one fact: the derived value against the expected one.
type outcome struct {
	fact, want, got, verdict string
}

// specView is what the comparison reads of a spec: the spec (read without
// the loader's checks, so a draft with TODOs can be measured) and its
// success schema.
type specView struct {
	spec    specs.Spec
	members map[string]string // required success member → type
	types   map[string]string // every success member → type
	// truth: the view is a truth file's, whose optional members are facts
	// the document states (a built-in spec's schema adds RFC members of
	// its own).
	truth bool
}

// optional lists the members of v that are not required.
func (v specView) optional() []string {
	var out []string
	for n := range v.types {
		if _, req := v.members[n]; !req {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func view(t *testing.T, specYAML []byte, schema []byte) specView {
	t.Helper()
	var v specView
	if err := yaml.Unmarshal(specYAML, &v.spec); err != nil {
		t.Fatalf("spec does not read: %v", err)
	}
	v.members, v.types = map[string]string{}, map[string]string{}
	if schema == nil {
		return v
	}
	var s struct {
		Required   []string `json:"required"`
		Properties map[string]struct {
			Type any `json:"type"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema, &s); err != nil {
		t.Fatal(err)
	}
	for n, p := range s.Properties {
		v.types[n] = typeString(p.Type)
	}
	for _, n := range s.Required {
		v.members[n] = v.types[n]
	}
	return v
}

func typeString(t any) string {
	switch t := t.(type) {
	case string:
		return t
	case []any:
		var s []string
		for _, x := range t {
			s = append(s, fmt.Sprint(x))
		}
		sort.Strings(s)
		return strings.Join(s, "|")
	}
	return ""
}

func shape(e specs.Errors) string {
	if e.Undocumented {
		return "undocumented"
	}
	keys := func(m map[string]any) string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		return strings.Join(ks, ",")
	}
	switch t := e.Template.(type) {
	case map[string]any:
		return "object{" + keys(t) + "}"
	case []any:
		if len(t) > 0 {
			if m, ok := t[0].(map[string]any); ok {
				return "array{" + keys(m) + "}"
			}
		}
	}
	return ""
}

// partOf: got lists some of want's items and nothing else (the rest was
// left out, not got wrong).
func partOf(got, want string) bool {
	gs, ws := strings.Split(got, ","), strings.Split(want, ",")
	if len(gs) >= len(ws) {
		return false
	}
	for _, g := range gs {
		if !slices.Contains(ws, g) {
			return false
		}
	}
	return true
}

func isTODO(s string) bool { return s == "" || strings.Contains(s, specs.TODOMarker) }

// judge compares one fact. A want that is itself a TODO marker is a fact
// the document leaves open: only a draft that leaves it open too is right.
func judge(fact, want, got string) outcome {
	o := outcome{fact: fact, want: want, got: got}
	switch {
	case got == want, isTODO(want) && want != "" && isTODO(got):
		o.verdict = "right"
	case isTODO(want) && want != "":
		o.verdict = "wrong"
	case isTODO(got) || partOf(got, want):
		o.verdict = "todo"
	default:
		o.verdict = "wrong"
	}
	return o
}

// worst is the worse of two verdicts: wrong, then todo, then right.
func worst(a, b string) string {
	rank := map[string]int{"right": 0, "todo": 1, "wrong": 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// lifetime writes a spec's documented lifetime as one fact.
func lifetime(e specs.Expiry) string {
	switch {
	case e.Ranged():
		return e.Min.Duration.String() + " to " + e.Max.Duration.String()
	case e.Lifetime.Duration > 0:
		return e.Lifetime.Duration.String()
	}
	return "none"
}

// judgeCase compares a documented error case: its codes (none listed: any
// code) and its statuses (undocumented: any status).
func judgeCase(wc, gc specs.ErrorCase) string {
	codes := "wrong"
	switch {
	case len(wc.Codes) == 0 && len(gc.Codes) == 0:
		codes = "right"
	case len(wc.Codes) > 0 && len(gc.Codes) > 0 && subset(gc.Codes, wc.Codes):
		codes = "right"
	}
	statuses := "wrong"
	switch {
	case wc.AnyStatus && gc.AnyStatus:
		statuses = "right"
	case wc.AnyStatus:
	case gc.AnyStatus:
		statuses = "todo"
	case len(gc.Statuses) > 0 && subsetInt(gc.Statuses, wc.Statuses):
		statuses = "right"
	}
	return worst(codes, statuses)
}

func caseString(e specs.ErrorCase) string {
	if e.AnyStatus {
		return fmt.Sprintf("%v undocumented", e.Codes)
	}
	return fmt.Sprintf("%v %v", e.Codes, e.Statuses)
}

func sortedJoin(s []string) string {
	s = slices.Clone(s)
	sort.Strings(s)
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ",")
}

// compare judges a derived spec fact by fact against the expected one.
// documented lists the failure conditions whose error the document itself
// documents; undocumented says the expected spec's error format is a
// fallback for a document that documents none.
func compare(want, got specView, undocumented bool, documented []string) []outcome {
	w, g := want.spec, got.spec
	var out []outcome
	out = append(out,
		judge("method", w.Request.Method, g.Request.Method),
		judge("path", w.Request.Path, g.Request.Path),
		judge("encoding", w.Request.Encoding+"+"+w.Request.ContentType, orTODO(g.Request.Encoding)+"+"+g.Request.ContentType),
		judge("client auth", strings.Join(w.Request.ClientAuth, ","), todoJoin(g.Request.ClientAuth)),
	)
	var wg, gg []string
	for _, x := range w.Grants {
		wg = append(wg, x.Type)
	}
	for _, x := range g.Grants {
		gg = append(gg, x.Type)
	}
	slices.Sort(gg) // the order grants are listed in is no fact
	out = append(out, judge("grants", sortedJoin(wg), todoJoin(gg)))
	// What the document says of one grant alone is a fact of its own; a
	// draft that says nothing of the grant leaves it open.
	statements := func(x *specs.Grant) string {
		if x == nil {
			return ""
		}
		var st []string
		if len(x.Required) > 0 {
			st = append(st, "required: "+sortedJoin(x.Required))
		}
		if x.RefreshToken != "" {
			st = append(st, "refresh_token: "+x.RefreshToken)
		}
		return strings.Join(st, "; ")
	}
	for _, t := range slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(wg), gg...)))) {
		ws, gs := statements(w.Grant(t)), statements(g.Grant(t))
		if ws == "" && gs == "" {
			continue
		}
		o := judge("grant "+t, ws, gs)
		if gs == "" {
			o.verdict = "todo"
		}
		out = append(out, o)
	}
	out = append(out, judge("required params", sortedJoin(w.Request.Required), sortedJoin(g.Request.Required)))
	out = append(out, judge("token_type", w.Response.TokenType, g.Response.TokenType))
	if _, ok := want.members["expires_in"]; ok {
		out = append(out, judge("expires_in type", w.Response.ExpiresIn, orDefault(g.Response.ExpiresIn, "number")))
	}
	var names []string
	for n := range want.members {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		o := outcome{fact: "member " + n, want: "required " + want.members[n]}
		gt, req := got.members[n]
		if t, listed := got.types[n]; !req && listed {
			o.got, o.verdict = "optional "+t, "todo"
		} else {
			o.got, o.verdict = "required "+gt, memberType(want.members[n], gt, req)
		}
		out = append(out, o)
	}
	for _, n := range want.optional() {
		if !want.truth {
			break
		}
		o := outcome{fact: "member " + n, want: "optional " + want.types[n]}
		gt, listed := got.types[n]
		_, req := got.members[n]
		switch {
		case req:
			o.got, o.verdict = "required "+gt, "wrong"
		default:
			o.got, o.verdict = "optional "+gt, memberType(want.types[n], gt, listed)
		}
		out = append(out, o)
	}
	for _, n := range sortedKeysOf(got.types) {
		if _, ok := want.types[n]; !ok {
			out = append(out, outcome{fact: "member " + n, want: "(not a member)", got: got.types[n], verdict: "wrong"})
		}
	}
	wantShape := shape(w.Errors)
	if undocumented {
		wantShape = "undocumented"
	}
	out = append(out, judge("error format", wantShape, shape(g.Errors)))
	conds := slices.Clone(documented)
	for c := range g.Errors.Conditions {
		if !slices.Contains(conds, c) {
			conds = append(conds, c)
		}
	}
	sort.Strings(conds)
	if len(conds) == 0 {
		out = append(out, judge("error statuses", "none documented", map[bool]string{true: "none documented", false: ""}[len(g.Errors.Conditions) == 0]))
	}
	for _, c := range conds {
		wc, wok := w.Errors.Conditions[c]
		gc, gok := g.Errors.Conditions[c]
		o := outcome{fact: "error " + c, want: caseString(wc), got: caseString(gc)}
		switch {
		case !gok:
			o.verdict, o.got = "todo", ""
		case !wok:
			o.verdict = "wrong"
		default:
			o.verdict = judgeCase(wc, gc)
		}
		out = append(out, o)
	}
	out = append(out, judge("lifetime", lifetime(w.Expiry), lifetime(g.Expiry)))
	return out
}

// memberType judges a member's type: the document's (none: the draft must
// state none either), the draft's when it lists the member.
func memberType(want, got string, listed bool) string {
	switch {
	case !listed:
		return "todo"
	case got == want:
		return "right"
	case got == "":
		return "todo"
	}
	return "wrong"
}

func sortedKeysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func orTODO(s string) string {
	if s == "" {
		return specs.TODOMarker
	}
	return s
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func todoJoin(s []string) string {
	for _, x := range s {
		if isTODO(x) {
			return ""
		}
	}
	return strings.Join(s, ",")
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func subsetInt(a, b []int) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// measured is one document's row of the README table.
type measured struct {
	doc, against     string
	right, todo, bad int
	todos            []string
}

func tally(doc, against string, os []outcome) measured {
	m := measured{doc: doc, against: against}
	for _, o := range os {
		switch o.verdict {
		case "right":
			m.right++
		case "todo":
			m.todo++
			m.todos = append(m.todos, o.fact)
		default:
			m.bad++
		}
	}
	return m
}

func deriveFile(t *testing.T, path, name string) *Result {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Derive(path, src, Options{Name: name})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return res
}

// documentedConditions: the built-in spec's conditions whose codes the
// document itself shows (the others are RFC 6749 fallbacks for silence).
func documentedConditions(s specs.Spec, doc []byte) []string {
	var out []string
	for c, e := range s.Errors.Conditions {
		for _, code := range e.Codes {
			if regexp.MustCompile(`["'` + "`" + `]` + regexp.QuoteMeta(code) + `["'` + "`" + `]`).Match(doc) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// undocumentedFallback: the built-in spec's error format is RFC 6749's,
// taken because the document documents none (its ERROR-MEMBER requirement
// says so).
func undocumentedFallback(s specs.Spec) bool {
	if s.Errors.Undocumented {
		return true
	}
	r := s.Requirement("RFC6749-5.2-ERROR-MEMBER")
	return r != nil && strings.Contains(r.Why, "documents no error")
}

// TestSeedsAgainstBuiltinSpecs derives the four seed documents and judges
// each fact against the spec written by hand from the same document: no
// fact may be wrong. The README's table is this measurement (-update
// rewrites it).
func TestSeedsAgainstBuiltinSpecs(t *testing.T) {
	var rows []measured
	for _, sd := range seeds {
		path := filepath.Join(seedDir, sd.file)
		if _, err := os.Stat(path); err != nil {
			t.Skipf("seed documents not found beside the repository (%v)", err)
		}
		res := deriveFile(t, path, sd.spec)
		builtin, err := specs.Load(sd.spec)
		if err != nil {
			t.Fatal(err)
		}
		wantYAML, _ := os.ReadFile(filepath.Join("..", "specs", sd.spec+".yaml"))
		wantSchema, _ := os.ReadFile(filepath.Join("..", "schemas", builtin.Response.Schema))
		want := view(t, wantYAML, wantSchema)
		got := view(t, res.Spec, res.Schemas["schemas/"+sd.spec+"/token-response.json"])
		doc, _ := os.ReadFile(path)
		os := compare(want, got, undocumentedFallback(*builtin), documentedConditions(*builtin, doc))
		m := tally(sd.file+" ("+sd.spec+")", "specs/"+sd.spec+".yaml", os)
		rows = append(rows, m)
		for _, o := range os {
			t.Logf("%s: %-28s %-6s want %q got %q", sd.spec, o.fact, o.verdict, o.want, o.got)
			if o.verdict == "wrong" {
				t.Errorf("%s: %s is wrong: want %q, derived %q", sd.spec, o.fact, o.want, o.got)
			}
		}
	}
	rows = append(rows, publicRows(t)...)
	checkREADME(t, rows)
}

const tableStart, tableEnd = "<!-- derive:measured -->", "<!-- /derive:measured -->"

func checkREADME(t *testing.T, rows []measured) {
	t.Helper()
	var b strings.Builder
	b.WriteString(tableStart + "\n| document | compared with | facts | right | left as TODO | wrong | the TODOs |\n|---|---|---:|---:|---:|---:|---|\n")
	for _, r := range rows {
		todos := strings.Join(r.todos, ", ")
		if todos == "" {
			todos = "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %s |\n", r.doc, r.against, r.right+r.todo+r.bad, r.right, r.todo, r.bad, todos)
	}
	b.WriteString(tableEnd)
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, tableStart), strings.Index(s, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %s … %s section", tableStart, tableEnd)
	}
	cur := s[i : j+len(tableEnd)]
	if cur == b.String() {
		return
	}
	if *update {
		if err := os.WriteFile("../README.md", []byte(s[:i]+b.String()+s[j+len(tableEnd):]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's measured table is not what the test measures (go test ./derive -run TestSeedsAgainstBuiltinSpecs -update):\n%s", b.String())
}

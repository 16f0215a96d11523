package suites

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "error-body", Arg: "CONDITION", Plan: planErrorBody,
		Fix: "Write the error body as the API documents it: the template's literal values exact, `error` a listed code, and the placeholders (`$status`, `$path`, `$title`) filled.",
		Doc: "the condition's error body is the template with its placeholders filled: literal values exact, `$code` a listed code, `$status`, `$path`, `$title` as the template section says"})
}

// planErrorBody checks that the error for one failure condition
// (check "error-body/CONDITION") is the documented body: the spec's
// error template with its placeholders standing for the condition's values.
// $code is one of the condition's codes, $status the HTTP status (a JSON
// number where the placeholder is a whole value), $path the request path,
// $title the condition's title when it has one, and $description any text.
// Literal template values must match exactly; members the template does not
// name are allowed (and noted).
func planErrorBody(e *Env, req specs.Requirement) []Check {
	cond, _ := strings.CutPrefix(req.Check, "error-body/")
	if cond == "error-body" {
		cond = ""
	}
	title := "the error for " + cond + " is the documented body"
	if cond == "" {
		title = "the error is the documented body (the check names no condition: use error-body/CONDITION)"
	}
	return []Check{{Req: req, Concern: Errors, Variant: cond, Title: title, Run: func(t *T) {
		if cond == "" {
			t.Errorf("requirement %s: check %q names no failure condition; write error-body/CONDITION", req.ID, req.Check)
			return
		}
		c := probes.ByName(cond)
		if c == nil {
			t.Errorf("requirement %s: check %q names no known failure condition (%s)", req.ID, req.Check, strings.Join(probes.Names(), ", "))
			return
		}
		ec, ok := t.Env.Spec.Condition(cond)
		if !ok {
			t.Skipf("spec %s documents no error for %s", t.Env.Spec.Name, cond)
		}
		ex := t.Env.InduceError(t.Ctx, t, c)
		t.Evidence(ex)
		expectError(t, ex, c, ec)
		if !ex.OK() || (ex.Status() >= 200 && ex.Status() < 300) {
			return
		}
		doc, err := ex.JSON()
		if err != nil {
			t.Errorf("%v: %s", err, ex.Summary())
			return
		}
		m := bodyMatcher{t: t, ec: ec, status: ex.Status(), path: requestPath(ex)}
		m.match(t.Env.Spec.Errors.Template, doc, nil)
	}}}
}

// bodyMatcher compares an error body with the spec's template.
type bodyMatcher struct {
	t      *T
	ec     specs.ErrorCase
	status int
	path   string
}

func (m bodyMatcher) match(tmpl, doc any, at []any) {
	where := pointerString(at)
	switch want := tmpl.(type) {
	case map[string]any:
		got, ok := doc.(map[string]any)
		if !ok {
			m.t.Errorf("%s is %s, want an object like the documented body", where, jsonTypeOf(doc))
			return
		}
		for _, k := range sortedNames(want) {
			v, present := got[k]
			if !present {
				m.t.Errorf("%s has no %q member; the documented body has one", where, k)
				continue
			}
			m.match(want[k], v, append(append([]any(nil), at...), k))
		}
		var extra []string
		for _, k := range sortedNames(got) {
			if _, documented := want[k]; !documented {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			m.t.Notef("%s has members the documented body does not: %s", where, strings.Join(extra, ", "))
		}
	case []any:
		got, ok := doc.([]any)
		if !ok || len(got) < len(want) {
			m.t.Errorf("%s is %s, want an array of %d like the documented body", where, jsonTypeOf(doc), len(want))
			return
		}
		for i := range want {
			m.match(want[i], got[i], append(append([]any(nil), at...), i))
		}
	case string:
		if want == "$status" {
			if n, ok := doc.(json.Number); !ok || n.String() != strconv.Itoa(m.status) {
				m.t.Errorf("%s is %s, want the HTTP status %d as a number", where, showJSON(doc), m.status)
			}
			return
		}
		got, ok := doc.(string)
		re := m.pattern(want)
		if !ok || !re.MatchString(got) {
			m.t.Errorf("%s is %s, want %s", where, showJSON(doc), m.describe(want))
		}
	default:
		if fmt.Sprint(want) != fmt.Sprint(doc) {
			m.t.Errorf("%s is %s, want %v", where, showJSON(doc), want)
		}
	}
}

// bodyPlaceholders are the template placeholders, longest first.
var bodyPlaceholders = regexp.MustCompile(`\$(description|status|title|code|path)`)

// pattern turns a template string into a regular expression for the value.
func (m bodyMatcher) pattern(s string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	last := 0
	for _, loc := range bodyPlaceholders.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(regexp.QuoteMeta(s[last:loc[0]]))
		b.WriteString(m.placeholder(s[loc[2]:loc[3]]))
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(s[last:]))
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

func (m bodyMatcher) placeholder(name string) string {
	switch name {
	case "code":
		if len(m.ec.Codes) == 0 {
			return `.*`
		}
		alts := make([]string, len(m.ec.Codes))
		for i, c := range m.ec.Codes {
			alts[i] = regexp.QuoteMeta(c)
		}
		return `(?:` + strings.Join(alts, `|`) + `)`
	case "status":
		return strconv.Itoa(m.status)
	case "path":
		return regexp.QuoteMeta(m.path)
	case "title":
		if m.ec.Title != "" {
			return regexp.QuoteMeta(m.ec.Title)
		}
	}
	return `.*`
}

// describe says in words what a template string requires.
func (m bodyMatcher) describe(s string) string {
	r := strings.NewReplacer(
		"$description", "…",
		"$status", strconv.Itoa(m.status),
		"$path", m.path,
		"$code", strings.Join(m.ec.Codes, "|"),
		"$title", map[bool]string{true: m.ec.Title, false: "…"}[m.ec.Title != ""],
	)
	return strconv.Quote(r.Replace(s))
}

// requestPath is the path the exchange's request was sent to.
func requestPath(ex *wire.Exchange) string {
	u, err := url.Parse(ex.Request.URL)
	if err != nil {
		return ""
	}
	return u.Path
}

func showJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func sortedNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

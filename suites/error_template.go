package suites

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "error-template", Arg: "path|status", Plan: planErrorTemplate,
		Fix: "Put the request path and HTTP status into every error body where the documented template has `$path` and `$status`.",
		Doc: "every error body carries the request path / HTTP status where the template has `$path` / `$status`"})
}

// templateFacts are the placeholders of an error template whose value the
// suite knows from the exchange itself: the path of the request that failed
// and the HTTP status it got.
var templateFacts = map[string]struct {
	what  string
	value func(ex *wire.Exchange) string
}{
	"path": {"the request path", func(ex *wire.Exchange) string {
		u, err := url.Parse(ex.Request.URL)
		if err != nil {
			return ""
		}
		return u.Path
	}},
	"status": {"the HTTP status", func(ex *wire.Exchange) string { return strconv.Itoa(ex.Status()) }},
}

// planErrorTemplate ("error-template/path", "error-template/status"): at
// every place the spec's error template puts "$path" (or "$status"), each
// error body carries the request's path (or the response's HTTP status).
// A placeholder that is a whole template value must equal it; one inside a
// longer string must occur in it. Whether the member is there at all, and
// its JSON type, is the error schema's business.
func planErrorTemplate(e *Env, req specs.Requirement) []Check {
	arg := checkArg(req)
	fact, known := templateFacts[arg]
	placeholder := "$" + arg
	return []Check{{Req: req, Concern: Errors, Variant: arg,
		Title: fmt.Sprintf("error bodies carry %s where the error template has %s", fact.what, placeholder),
		Run: func(t *T) {
			if !known {
				t.Errorf("check %q: the error template's known placeholders are $path and $status", req.Check)
				return
			}
			ptrs := templatePointers(t.Env.Spec.Errors.Template, placeholder)
			if len(ptrs) == 0 {
				t.Skipf("spec %s's error template has no %s", t.Env.Spec.Name, placeholder)
			}
			seen := 0
			eachError(t, func(ex *wire.Exchange) {
				doc, err := ex.JSON()
				if err != nil {
					return // the error-format requirement reports it
				}
				want := fact.value(ex)
				for _, p := range ptrs {
					v, ok := lookup(doc, p.path)
					if !ok {
						continue
					}
					seen++
					got := scalarString(v)
					if p.whole && got != want {
						t.Errorf("%s: %s is %s, want %s %q", ex.Label, pointerString(p.path), jsonText(v), fact.what, want)
					}
					if !p.whole && !strings.Contains(got, want) {
						t.Errorf("%s: %s is %s, which does not contain %s %q", ex.Label, pointerString(p.path), jsonText(v), fact.what, want)
					}
				}
			})
			if seen == 0 && len(t.Problems()) == 0 {
				t.Skipf("no error body has a member where the template puts %s (the error-format requirement reports that)", placeholder)
			}
		}}}
}

// templatePlace is one place of a placeholder in an error template.
type templatePlace struct {
	path []any
	// whole: the template value is the placeholder alone.
	whole bool
}

// templatePointers finds every place a placeholder stands in an error
// template, in a stable order.
func templatePointers(tmpl any, placeholder string) []templatePlace {
	var out []templatePlace
	var walk func(v any, path []any)
	walk = func(v any, path []any) {
		switch v := v.(type) {
		case string:
			if strings.Contains(v, placeholder) {
				out = append(out, templatePlace{path: append([]any(nil), path...), whole: v == placeholder})
			}
		case map[string]any:
			for k, x := range v {
				walk(x, append(path, k))
			}
		case []any:
			for i, x := range v {
				walk(x, append(path, i))
			}
		}
	}
	walk(tmpl, nil)
	sort.Slice(out, func(i, j int) bool { return pointerString(out[i].path) < pointerString(out[j].path) })
	return out
}

// scalarString is a JSON string's or number's text; "" for anything else.
func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// jsonText renders a decoded JSON value for a message.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

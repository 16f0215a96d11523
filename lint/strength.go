package lint

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/tokencert/tokencert/schemas"
	"github.com/tokencert/tokencert/specs"
)

// The catalogue's requirements on success and error bodies are written
// down as the built-in RFC 6749 schemas: each constrained property names
// the requirement its constraints come from. A spec's schema that names
// one of those requirements must be at least as strict: it may add to the
// catalogue's constraints, never drop one, or the requirement it names
// would pass bodies the catalogue fails.
var catalogueSchemas = []string{"rfc6749/token-response.json", "rfc6749/error-response.json"}

// rawSchema is what strength reads of a schema (its items', for an array).
type rawSchema struct {
	Required    []string                  `json:"required"`
	RequiredBy  map[string]string         `json:"x-required-by"`
	Requirement string                    `json:"x-requirement"`
	Properties  map[string]map[string]any `json:"properties"`
	Items       *rawSchema                `json:"items"`
}

func readRaw(ref, dir string) (*rawSchema, error) {
	b, err := schemas.Raw(ref, dir)
	if err != nil {
		return nil, err
	}
	var r rawSchema
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	if r.Items != nil {
		r.Items.Requirement = r.Requirement
		return r.Items, nil
	}
	return &r, nil
}

// names lists the requirements a schema names anywhere.
func (r *rawSchema) names() map[string]bool {
	out := map[string]bool{r.Requirement: true}
	for _, id := range r.RequiredBy {
		out[id] = true
	}
	for _, p := range r.Properties {
		if id, ok := p["x-requirement"].(string); ok {
			out[id] = true
		}
	}
	return out
}

// strength reports a spec schema (key: "response" or "errors") that is
// weaker than the catalogue's schema for a requirement it names.
func (l *linter) strength(s *specs.Spec, key, ref string) {
	if ref == "" || strings.HasPrefix(ref, "rfc6749/") {
		return
	}
	mine, err := readRaw(ref, s.Dir())
	if err != nil {
		return // NewEnv reports a schema that does not load
	}
	named := mine.names()
	for _, cref := range catalogueSchemas {
		cat, err := readRaw(cref, "")
		if err != nil {
			continue
		}
		for _, m := range slices.Sorted(maps.Keys(cat.RequiredBy)) {
			id := cat.RequiredBy[m]
			if named[id] && s.Requirement(id) != nil && !slices.Contains(mine.Required, s.Member(m)) {
				l.add(Error, l.lines(key, "schema"), "schema %s names %s but does not require %s, which %s (the catalogue's schema, %s) requires: a body without it would pass", ref, id, s.Member(m), id, cref)
			}
		}
		for _, m := range slices.Sorted(maps.Keys(cat.Properties)) {
			want := cat.Properties[m]
			id, _ := want["x-requirement"].(string)
			if id == "" || !named[id] || s.Requirement(id) == nil {
				continue
			}
			got, ok := mine.Properties[s.Member(m)]
			if !ok {
				continue // a member the spec's body does not have: nothing to weaken
			}
			if gid, _ := got["x-requirement"].(string); gid != id {
				continue // the spec ties the member to another requirement
			}
			for _, w := range weaker(want, got) {
				l.add(Error, l.lines(key, "schema"), "schema %s: property %s names %s but is weaker than the catalogue's (%s): %s", ref, s.Member(m), id, cref, w)
			}
		}
	}
}

// weaker lists the constraints of want that got drops or loosens.
func weaker(want, got map[string]any) []string {
	var out []string
	if wt := types(want["type"]); len(wt) > 0 {
		gt := types(got["type"])
		for _, t := range gt {
			if !slices.Contains(wt, t) && !(t == "integer" && slices.Contains(wt, "number")) {
				out = append(out, fmt.Sprintf("type %s admits %s, the catalogue's %s does not", strings.Join(gt, "|"), t, strings.Join(wt, "|")))
			}
		}
		if len(gt) == 0 {
			out = append(out, "no type, where the catalogue's is "+strings.Join(wt, "|"))
		}
	}
	if _, ok := want["pattern"]; ok {
		if _, has := got["pattern"]; !has && got["enum"] == nil && got["const"] == nil {
			out = append(out, fmt.Sprintf("no pattern, where the catalogue's is %v", want["pattern"]))
		}
	}
	for _, k := range []string{"minLength", "minimum"} {
		if w, ok := want[k].(float64); ok {
			if g, has := got[k].(float64); !has && got["enum"] == nil && got["const"] == nil || has && g < w {
				out = append(out, fmt.Sprintf("%s %v, where the catalogue's is %v", k, got[k], w))
			}
		}
	}
	for _, k := range []string{"maxLength", "maximum"} {
		if w, ok := want[k].(float64); ok {
			if g, has := got[k].(float64); !has || g > w {
				out = append(out, fmt.Sprintf("%s %v, where the catalogue's is %v", k, got[k], w))
			}
		}
	}
	if we, ok := want["enum"].([]any); ok {
		if ge, has := got["enum"].([]any); !has {
			out = append(out, fmt.Sprintf("no enum, where the catalogue's is %v", we))
		} else {
			for _, v := range ge {
				if !slices.Contains(we, v) {
					out = append(out, fmt.Sprintf("enum admits %v, the catalogue's %v does not", v, we))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func types(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

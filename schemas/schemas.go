// Package schemas holds the JSON Schemas derived from each document and
// validates bodies against them, naming the requirement each violation breaks.
package schemas

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/xeipuuv/gojsonschema"
)

//go:embed */*.json
var files embed.FS

// Schema is a compiled schema with the requirement each property enforces.
type Schema struct {
	Ref    string
	SHA256 string
	schema *gojsonschema.Schema
	// byProperty maps a top-level property to the requirement its value
	// constraints come from (x-requirement); required maps a property to the
	// requirement that makes it required (x-required-by).
	byProperty map[string]string
	required   map[string]string
	// root is the requirement for violations of the document as a whole.
	root string
	// untied lists the properties whose constraints name no requirement.
	untied []string
}

// Violation is one way a body breaks a schema.
type Violation struct {
	Requirement string // "" when the schema names none
	Field       string
	Message     string
}

// Load compiles a schema reference: a built-in path ("rfc6749/token-response.json")
// or, when dir is set and the file exists there, a file relative to dir.
func Load(ref, dir string) (*Schema, error) {
	var b []byte
	var err error
	if dir != "" {
		if b, err = os.ReadFile(filepath.Join(dir, ref)); err == nil {
			return compile(ref, b)
		}
	}
	if b, err = files.ReadFile(ref); err != nil {
		return nil, fmt.Errorf("schema %s: not built in and not found beside the spec", ref)
	}
	return compile(ref, b)
}

// Raw returns a schema's bytes, found as Load finds them.
func Raw(ref, dir string) ([]byte, error) {
	if dir != "" {
		if b, err := os.ReadFile(filepath.Join(dir, ref)); err == nil {
			return b, nil
		}
	}
	b, err := files.ReadFile(ref)
	if err != nil {
		return nil, fmt.Errorf("schema %s: not built in and not found beside the spec", ref)
	}
	return b, nil
}

type annotations struct {
	Requirement string            `json:"x-requirement"`
	RequiredBy  map[string]string `json:"x-required-by"`
	Properties  map[string]struct {
		Requirement string `json:"x-requirement"`
	} `json:"properties"`
	Items *annotations `json:"items"`
}

func compile(ref string, b []byte) (*Schema, error) {
	s, err := gojsonschema.NewSchema(gojsonschema.NewBytesLoader(b))
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", ref, err)
	}
	var a annotations
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("schema %s: %w", ref, err)
	}
	// A schema for an array of objects (a list of problems) annotates its items.
	if a.Items != nil {
		a = annotations{Requirement: a.Requirement, RequiredBy: a.Items.RequiredBy, Properties: a.Items.Properties}
	}
	sum := sha256.Sum256(b)
	out := &Schema{Ref: ref, SHA256: hex.EncodeToString(sum[:]), schema: s, byProperty: map[string]string{}, required: a.RequiredBy, root: a.Requirement}
	for name, p := range a.Properties {
		out.byProperty[name] = p.Requirement
	}
	out.untied = untied(b)
	return out, nil
}

// untied lists the top-level (or items') properties that constrain their
// value without naming the requirement the constraint comes from, and the
// required ones whose requirement x-required-by does not name.
func untied(b []byte) []string {
	var raw struct {
		Required   []string                  `json:"required"`
		RequiredBy map[string]string         `json:"x-required-by"`
		Properties map[string]map[string]any `json:"properties"`
		Items      *struct {
			Required   []string                  `json:"required"`
			RequiredBy map[string]string         `json:"x-required-by"`
			Properties map[string]map[string]any `json:"properties"`
		} `json:"items"`
	}
	if json.Unmarshal(b, &raw) != nil {
		return nil
	}
	required, requiredBy, props := raw.Required, raw.RequiredBy, raw.Properties
	if raw.Items != nil {
		required, requiredBy, props = raw.Items.Required, raw.Items.RequiredBy, raw.Items.Properties
	}
	var out []string
	for name, p := range props {
		if _, tied := p["x-requirement"]; tied {
			continue
		}
		for k := range p {
			if k != "description" && k != "title" && k != "$comment" && k != "examples" {
				out = append(out, name)
				break
			}
		}
	}
	for _, name := range required {
		if requiredBy[name] == "" {
			if _, tied := props[name]["x-requirement"]; !tied {
				out = append(out, name+" (required)")
			}
		}
	}
	sort.Strings(out)
	return out
}

// Untied lists the properties whose constraints (or whose being required)
// name no requirement: a violation of them would be reported against none.
func (s *Schema) Untied() []string {
	if s == nil {
		return nil
	}
	return s.untied
}

// Root is the requirement a body breaks by not being the documented kind of
// JSON value at all (x-requirement at the schema's top).
func (s *Schema) Root() string { return s.root }

// Requirements lists every requirement the schema names (none for a nil
// Schema: a spec whose errors are undocumented has no error schema).
func (s *Schema) Requirements() []string {
	if s == nil {
		return nil
	}
	set := map[string]bool{}
	for _, r := range s.byProperty {
		set[r] = true
	}
	for _, r := range s.required {
		set[r] = true
	}
	if s.root != "" {
		set[s.root] = true
	}
	delete(set, "")
	var out []string
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Validate checks a decoded JSON document and returns its violations,
// each attributed to the requirement of the property it concerns.
func (s *Schema) Validate(doc any) []Violation {
	res, err := s.schema.Validate(gojsonschema.NewGoLoader(doc))
	if err != nil {
		return []Violation{{Requirement: s.root, Field: "(root)", Message: err.Error()}}
	}
	var out []Violation
	for _, e := range res.Errors() {
		field := e.Field()
		// The context, not the dotted field, names the property: a member
		// name may itself contain a dot (sandbox's ".issued").
		prop := topProperty(e.Context().String(pathSep), pathSep)
		req := s.byProperty[prop]
		if e.Type() == "required" {
			prop, _ = e.Details()["property"].(string)
			req = s.required[prop]
			if req == "" {
				req = s.byProperty[prop]
			}
			field = prop
		}
		if prop == "" {
			req = s.root
		}
		out = append(out, Violation{Requirement: req, Field: field, Message: e.Description()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field+out[i].Message < out[j].Field+out[j].Message })
	return out
}

// pathSep separates the steps of a gojsonschema context path; it cannot
// occur in a JSON member name that matters here.
const pathSep = "\x00"

// topProperty returns the object property a gojsonschema context path
// (steps joined by sep) is under: "expires_in" for "(root)·expires_in",
// "errorCode" for "(root)·0·errorCode", ".issued" for "(root)·.issued".
func topProperty(path, sep string) string {
	for _, p := range strings.Split(path, sep) {
		if p != "" && p != "(root)" && strings.Trim(p, "0123456789") != "" {
			return p
		}
	}
	return ""
}

package derive

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"sigs.k8s.io/yaml"
)

// esc escapes a JSON pointer token (RFC 6901).
func esc(s string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(s) }

// extractOpenAPI collects the facts of an OpenAPI 3.x file (or a Swagger 2
// file, converted), each placed by JSON pointer. An operation is a token
// endpoint when its request body has grant_type.
func extractOpenAPI(src []byte, format string) (*facts, error) {
	j, err := yaml.YAMLToJSON(src)
	if err != nil {
		return nil, fmt.Errorf("%w: not OpenAPI YAML or JSON: %v", ErrRefused, err)
	}
	var doc *openapi3.T
	if format == "swagger" {
		var d2 openapi2.T
		if err := json.Unmarshal(j, &d2); err != nil {
			return nil, fmt.Errorf("%w: Swagger 2: %v", ErrRefused, err)
		}
		if doc, err = openapi2conv.ToV3(&d2); err != nil {
			return nil, fmt.Errorf("%w: Swagger 2: %v", ErrRefused, err)
		}
	} else {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = false
		if doc, err = loader.LoadFromData(j); err != nil {
			return nil, fmt.Errorf("%w: OpenAPI: %v", ErrRefused, err)
		}
	}
	f := newFacts(format)
	if doc.Info != nil {
		f.title = obs{val: doc.Info.Title, at: where{ptr: "/info/title"}, quote: doc.Info.Title, kind: "schema"}
	}
	basePath, base := "", ""
	if len(doc.Servers) > 0 {
		// A server URL's variables take their defaults (https://{host}/am).
		raw := doc.Servers[0].URL
		for name, v := range doc.Servers[0].Variables {
			if v != nil && v.Default != "" {
				raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
			}
		}
		if u, err := url.Parse(raw); err == nil {
			basePath = strings.TrimRight(u.Path, "/")
			if u.Host != "" {
				base = u.Scheme + "://" + u.Host
			}
		}
	}
	if doc.Info != nil {
		readDescription(f, doc.Info.Description, "/info/description")
	}
	if doc.Components != nil {
		for _, name := range slices.Sorted(maps.Keys(doc.Components.SecuritySchemes)) {
			if ss := doc.Components.SecuritySchemes[name]; ss != nil && ss.Value != nil {
				readDescription(f, ss.Value.Description, "/components/securitySchemes/"+esc(name)+"/description")
			}
		}
	}
	if doc.Paths == nil {
		return f, nil
	}
	paths := doc.Paths.Map()
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		item := paths[p]
		ops := item.Operations()
		var methods []string
		for m := range ops {
			methods = append(methods, m)
		}
		sort.Strings(methods)
		for _, m := range methods {
			op := ops[m]
			ptr := "/paths/" + esc(p) + "/" + strings.ToLower(m)
			if op.RequestBody == nil || op.RequestBody.Value == nil {
				continue
			}
			var cts []string
			for ct := range op.RequestBody.Value.Content {
				cts = append(cts, ct)
			}
			sort.Strings(cts)
			found := false
			for _, ct := range cts {
				mt := op.RequestBody.Value.Content[ct]
				if mt.Schema == nil || mt.Schema.Value == nil || mt.Schema.Value.Properties["grant_type"] == nil {
					continue
				}
				bptr := ptr + "/requestBody/content/" + esc(ct) + "/schema"
				if !found {
					found = true
					f.endpoints = append(f.endpoints, endpoint{
						method: obs{val: strings.ToUpper(m), at: where{ptr: ptr}, quote: strings.ToUpper(m) + " " + p, kind: "schema"},
						path:   obs{val: normPath(basePath + p), at: where{ptr: ptr}, quote: basePath + p, kind: "schema"},
						base:   base, grant: true,
					})
				}
				enc := ""
				switch {
				case strings.Contains(ct, "json"):
					enc = "json"
				case strings.Contains(ct, "x-www-form-urlencoded"):
					enc = "form"
				}
				if enc != "" {
					f.requests = append(f.requests, reqSample{tool: "OpenAPI requestBody", at: where{ptr: bptr}, method: strings.ToUpper(m), path: normPath(basePath + p), encoding: enc, params: props(mt.Schema.Value)})
				}
				s := mt.Schema.Value
				for _, name := range sortedProps(s) {
					ps := s.Properties[name].Value
					pp := bptr + "/properties/" + esc(name)
					par := f.param(name)
					req := contains(s.Required, name)
					par.required = &obs{val: strconv.FormatBool(req), at: where{ptr: bptr + "/required"}, quote: fmt.Sprintf("required: %v", s.Required), kind: "schema"}
					if ps == nil {
						continue
					}
					if t := schemaType(ps); t != "" {
						par.typ = &obs{val: t, at: where{ptr: pp + "/type"}, quote: t, kind: "schema"}
					}
					if ps.MaxLength != nil {
						par.maxLen = &obs{val: strconv.FormatUint(*ps.MaxLength, 10), at: where{ptr: pp + "/maxLength"}, quote: fmt.Sprintf("maxLength: %d", *ps.MaxLength), kind: "schema"}
					}
					if name == "grant_type" {
						for _, g := range knownGrants {
							if regexp.MustCompile("(^|[^a-z_])" + regexp.QuoteMeta(g) + "($|[^a-z_])").MatchString(ps.Description) {
								f.grants = append(f.grants, obs{val: g, at: where{ptr: pp + "/description"}, quote: ps.Description, kind: "schema"})
							}
						}
						for i, e := range ps.Enum {
							f.grants = append(f.grants, obs{val: fmt.Sprint(e), at: where{ptr: pp + "/enum/" + strconv.Itoa(i)}, quote: fmt.Sprint(e), kind: "schema"})
						}
						if ps.Default != nil {
							f.grants = append(f.grants, obs{val: fmt.Sprint(ps.Default), at: where{ptr: pp + "/default"}, quote: fmt.Sprint(ps.Default), kind: "schema"})
						}
					}
				}
			}
			if !found {
				continue
			}
			readDescription(f, op.Summary, ptr+"/summary")
			readDescription(f, op.Description, ptr+"/description")
			sec := doc.Security
			secPtr := "/security"
			if op.Security != nil {
				sec, secPtr = *op.Security, ptr+"/security"
			}
			for _, req := range sec {
				for name := range req {
					if doc.Components == nil || doc.Components.SecuritySchemes[name] == nil || doc.Components.SecuritySchemes[name].Value == nil {
						continue
					}
					ss := doc.Components.SecuritySchemes[name].Value
					if ss.Type == "http" && strings.EqualFold(ss.Scheme, "basic") {
						f.auth = append(f.auth, obs{val: "basic", at: where{ptr: "/components/securitySchemes/" + esc(name)}, quote: "security " + name + " (" + secPtr + "): http basic", kind: "schema"})
					}
				}
			}
			responses(f, op, ptr)
		}
	}
	return f, nil
}

// readDescription reads the statements of an OpenAPI description as a document's
// prose: HTTP Basic client authentication, the grants it says the endpoint
// serves; each sentence as scanProse reads one (hedged ones state nothing).
func readDescription(f *facts, text, ptr string) {
	for _, line := range strings.Split(text, "\n") {
		for _, sen := range sentences(line) {
			q := strings.TrimSpace(sen)
			if len(q) > 200 {
				q = q[:200]
			}
			if found, hedge := hedgedAt(sen, reBasic); found && !hedge {
				f.auth = append(f.auth, obs{val: "basic", at: where{ptr: ptr}, quote: q, kind: "schema"})
			}
			for _, g := range grantsStated(sen) {
				f.grants = append(f.grants, obs{val: g, at: where{ptr: ptr}, quote: q, kind: "schema"})
			}
		}
	}
	f.readRefresh(text, false, where{ptr: ptr}, "schema")
}

func responses(f *facts, op *openapi3.Operation, ptr string) {
	if op.Responses == nil {
		return
	}
	rs := op.Responses.Map()
	var codes []string
	for c := range rs {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, code := range codes {
		r := rs[code]
		if r.Value == nil {
			continue
		}
		st, _ := strconv.Atoi(code)
		for ct, mt := range r.Value.Content {
			if !strings.Contains(ct, "json") || mt.Schema == nil || mt.Schema.Value == nil {
				continue
			}
			sp := ptr + "/responses/" + esc(code) + "/content/" + esc(ct) + "/schema"
			s := mt.Schema.Value
			switch {
			case st >= 200 && st < 300:
				for _, name := range sortedProps(s) {
					m := f.respMember(name)
					pp := sp + "/properties/" + esc(name)
					if ps := s.Properties[name].Value; ps != nil {
						if t := schemaType(ps); t != "" {
							m.typ = &obs{val: t, at: where{ptr: pp + "/type"}, quote: name + ": " + t, kind: "schema"}
						}
						if ps.Nullable || ps.Type != nil && slices.Contains(*ps.Type, "null") {
							m.nullable = &obs{val: "null", at: where{ptr: pp}, quote: name + ": nullable", kind: "schema"}
						}
						if name == "refresh_token" {
							f.readRefresh(ps.Description, true, where{ptr: pp + "/description"}, "schema")
						}
						if name == "token_type" {
							if tv := reTypeValue.FindStringSubmatch(ps.Description); tv != nil && !hedged(ps.Description) {
								f.tokenType = append(f.tokenType, obs{val: tv[1], at: where{ptr: pp + "/description"}, quote: ps.Description, kind: "schema"})
							}
							for i, e := range ps.Enum {
								f.tokenType = append(f.tokenType, obs{val: fmt.Sprint(e), at: where{ptr: pp + "/enum/" + strconv.Itoa(i)}, quote: fmt.Sprint(e), kind: "schema"})
							}
							if ps.Example != nil {
								f.tokenType = append(f.tokenType, obs{val: fmt.Sprint(ps.Example), at: where{ptr: pp + "/example"}, quote: fmt.Sprint(ps.Example), kind: "schema"})
							}
						}
					}
					if contains(s.Required, name) {
						m.required = &obs{val: "true", at: where{ptr: sp + "/required"}, quote: fmt.Sprintf("required: %v", s.Required), kind: "schema"}
					}
				}
				for _, ex := range examples(mt) {
					f.success = append(f.success, jsonSample{at: where{ptr: ptr + "/responses/" + esc(code) + "/content/" + esc(ct) + ex.ptr}, value: ex.value, label: "OpenAPI example"})
				}
			case st >= 400 && st < 500:
				sample := map[string]any{}
				for _, name := range sortedProps(s) {
					sample[name] = zero(s.Properties[name].Value, name)
				}
				if len(sample) == 0 {
					continue
				}
				var ev *openapi3.Schema
				if s.Properties["error"] != nil {
					ev = s.Properties["error"].Value
				}
				if ev != nil {
					for i, e := range ev.Enum {
						f.vocabEnum = append(f.vocabEnum, obs{val: fmt.Sprint(e), at: where{ptr: sp + "/properties/error/enum/" + strconv.Itoa(i)}, quote: fmt.Sprint(e), kind: "schema"})
						f.codes = append(f.codes, errCode{code: fmt.Sprint(e), at: where{ptr: sp + "/properties/error/enum/" + strconv.Itoa(i)}})
					}
				}
				f.codesOpen = &obs{val: "enum", at: where{ptr: sp}, kind: "schema"}
				f.errSample = append(f.errSample, jsonSample{at: where{ptr: sp}, value: sample, label: "OpenAPI " + code + " response: " + deref(r.Value.Description), status: st, schema: s.Required, fromSchema: true})
				f.statuses = append(f.statuses, obs{val: code, at: where{ptr: ptr + "/responses/" + esc(code)}, kind: "schema"})
			}
		}
	}
	// The success schema as a sample: its required members all present.
	_ = ptr
}

// zero is a value of a schema's type, standing in for an undocumented one.
func zero(s *openapi3.Schema, name string) any {
	if s == nil {
		return name
	}
	switch schemaType(s) {
	case "array":
		return []any{}
	case "object":
		return map[string]any{}
	case "integer", "number":
		return json.Number("0")
	case "boolean":
		return false
	}
	return name
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type example struct {
	ptr   string
	value any
}

// examples are a media type's example values that are JSON objects.
func examples(mt *openapi3.MediaType) []example {
	var out []example
	norm := func(v any) any {
		b, err := json.Marshal(v)
		if err != nil {
			return nil
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		var x any
		if dec.Decode(&x) != nil {
			return nil
		}
		if _, ok := x.(map[string]any); !ok {
			return nil
		}
		return x
	}
	if v := norm(mt.Example); v != nil {
		out = append(out, example{"/example", v})
	}
	var names []string
	for n := range mt.Examples {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if e := mt.Examples[n]; e != nil && e.Value != nil {
			if v := norm(e.Value.Value); v != nil {
				out = append(out, example{"/examples/" + esc(n) + "/value", v})
			}
		}
	}
	return out
}

func props(s *openapi3.Schema) map[string]string {
	out := map[string]string{}
	for n := range s.Properties {
		out[n] = ""
	}
	return out
}

func sortedProps(s *openapi3.Schema) []string {
	var out []string
	for n := range s.Properties {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// schemaType is a schema's type; of a list of types ("type: [string,
// 'null']"), the first that is not null (the null is nullable's).
func schemaType(s *openapi3.Schema) string {
	if s.Type == nil {
		return ""
	}
	for _, t := range *s.Type {
		if t != "null" {
			return t
		}
	}
	return ""
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

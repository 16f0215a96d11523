package suites

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// templatePointer finds where a placeholder stands in an error template:
// a path of object keys and array indexes.
func templatePointer(tmpl any, placeholder string) []any {
	switch v := tmpl.(type) {
	case string:
		if v == placeholder {
			return []any{}
		}
	case map[string]any:
		for k, x := range v {
			if p := templatePointer(x, placeholder); p != nil {
				return append([]any{k}, p...)
			}
		}
	case []any:
		for i, x := range v {
			if p := templatePointer(x, placeholder); p != nil {
				return append([]any{i}, p...)
			}
		}
	}
	return nil
}

// lookup follows a path into a decoded JSON document.
func lookup(doc any, path []any) (any, bool) {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			m, ok := doc.(map[string]any)
			if !ok {
				return nil, false
			}
			if doc, ok = m[s]; !ok {
				return nil, false
			}
		case int:
			a, ok := doc.([]any)
			if !ok || s >= len(a) {
				return nil, false
			}
			doc = a[s]
		}
	}
	return doc, true
}

func pointerString(path []any) string {
	var b strings.Builder
	for _, s := range path {
		fmt.Fprintf(&b, "/%v", s)
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func decodeObject(s string) map[string]any {
	var m map[string]any
	if json.Unmarshal([]byte(s), &m) != nil {
		return nil
	}
	return m
}

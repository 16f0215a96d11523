package suites

import (
	"fmt"
	"strings"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "echo", Plan: planEcho,
		Fix: "Return the documented members with the values the request sent.",
		Doc: "`response.echo` members equal the parameters sent"})
}

// planEcho checks the spec's Response.Echo pairs: in every success response
// to a request that carried the parameter, the member equals the value the
// target sent (e.g. sandbox's userName = username). The comparison is exact;
// a document that promises equality is not met by a case-folded match.
func planEcho(e *Env, req specs.Requirement) []Check {
	var names []string
	for _, ec := range e.Spec.Response.Echo {
		names = append(names, ec.Member+" = "+ec.Param)
	}
	title := "success bodies echo the request: " + strings.Join(names, ", ")
	if len(names) == 0 {
		title = "success bodies echo the request (the spec names no member)"
	}
	return []Check{{Req: req, Concern: Fields, Title: title, Run: func(t *T) {
		if len(t.Env.Spec.Response.Echo) == 0 {
			t.Skipf("spec %s lists no response.echo members", t.Env.Spec.Name)
		}
		compared := 0
		eachSuccess(t, func(ex *wire.Exchange) {
			examined(t, ex, func() { compared += checkEcho(t, ex) })
		})
		if compared == 0 && len(t.Problems()) == 0 {
			t.Skipf("no success response answered a request carrying %s", strings.Join(names, ", "))
		}
	}}}
}

// checkEcho compares the echoed members of one response and returns how
// many it compared.
func checkEcho(t *T, ex *wire.Exchange) int {
	m, err := ex.Object()
	if err != nil {
		t.Errorf("%s: %v", ex.Label, err)
		return 0
	}
	n := 0
	for _, ec := range t.Env.Spec.Response.Echo {
		if paramValue(ex, t.Env, ec.Param) == "" {
			continue // this request did not carry the parameter (a refresh)
		}
		want := t.Env.targetValue(ec.Param)
		if want == "" {
			continue
		}
		n++
		got, present := m[ec.Member]
		s, isString := got.(string)
		switch {
		case !present:
			t.Errorf("%s: no %s member; it must equal the %s sent, %q", ex.Label, ec.Member, ec.Param, want)
		case !isString:
			t.Errorf("%s: %s is %s, not the string %q that was sent as %s", ex.Label, ec.Member, jsonTypeOf(got), want, ec.Param)
		case s == want:
		case strings.EqualFold(s, want):
			t.Errorf("%s: %s is %q, the %s sent was %q: they differ in case only; give the target's %s exactly as the endpoint stores it", ex.Label, ec.Member, s, ec.Param, want, ec.Param)
		default:
			t.Errorf("%s: %s is %q, want %q (the %s sent)", ex.Label, ec.Member, s, want, ec.Param)
		}
	}
	return n
}

// targetValue is the value the target sends for a request parameter, by
// its RFC 6749 name.
func (e *Env) targetValue(param string) string {
	switch param {
	case "username":
		return e.Target.Username
	case "client_id":
		return e.Target.ClientID
	}
	return e.extraValue(param)
}

// jsonTypeOf names the JSON type of a decoded value for messages.
func jsonTypeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("the number %v", v)
}

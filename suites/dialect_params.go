package suites

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

// Checks of the request parameters a document adds to RFC 6749 or
// constrains: extra required parameters (Request.Required), their accepted
// values (Refserver and target data) and maximum lengths
// (Request.MaxLength). Each refusal is judged only next to a valid request
// that succeeded, so that a refusal can be put down to the one parameter
// the probe changed.
func init() {
	register(&Kind{Name: "required-param", Arg: "NAME", Plan: planRequiredParam,
		Fix: "Refuse a token request without the parameter the API's document requires, with 400 `invalid_request`.",
		Doc: "the valid request without the extra parameter NAME (`request.required`) is refused"})
	register(&Kind{Name: "param-value", Arg: "NAME", Plan: planParamValue,
		Fix: "Check the documented parameter's value: refuse a wrong one with 400 `invalid_request` instead of ignoring it.",
		Doc: "the valid request with a wrong value of NAME is refused"})
	register(&Kind{Name: "client-auth-enforced", Plan: planClientAuthEnforced,
		Fix: "Refuse every token request whose client authentication is wrong or missing, for each method the client may use; never issue a token to an unauthenticated confidential client.",
		Doc: "a wrong client secret by each method of `request.client_auth`, and no client credentials, are refused (any refusal; the codes are the `error` checks' business)"})
	register(&Kind{Name: "max-length", Plan: planMaxLength,
		Fix: "Accept the documented parameter at its documented maximum length, and refuse one character more with 400 `invalid_request`.",
		Doc: "each `request.max_length` value at the limit is accepted, one character over it refused"})
}

// checkArg is the argument of a requirement's check ("audience" for
// "required-param/audience").
func checkArg(req specs.Requirement) string {
	_, arg, _ := strings.Cut(req.Check, "/")
	return arg
}

// baseline returns the primary grant after making sure its valid request
// (the shared one every fields check examines) yielded a token; otherwise
// it skips t, because a refusal of a changed request would then say
// nothing about the change.
func baseline(t *T) *grants.Grant {
	f := t.Env.anyToken(t.Ctx)
	ex := t.use(f)
	if !succeeded(ex) || ex.String(t.Env.Spec.Member("access_token")) == "" {
		t.Unexercised("the valid %s request did not yield a token (%s), so a refusal of a changed request could not be put down to the change", f.grant.Short(), ex.Summary())
	}
	return f.grant
}

// sentValue is the value a valid request for grant carries for the
// parameter name (RFC 6749 name), client credentials included.
func (e *Env) sentValue(grant *grants.Grant, name string) string {
	switch name {
	case "client_id":
		return e.Target.ClientID
	case "client_secret":
		return e.Target.ClientSecret
	}
	for _, p := range e.grantParams(grant, "") {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// withValue is a fresh valid request for grant with the parameter name set
// to value ("" leaves it out); client credentials go where the grant's
// client authentication puts them.
func withValue(t *T, grant *grants.Grant, label, name, value string) probes.Request {
	r := t.fresh(label, only(grant), obtainOpts{})
	switch name {
	case "client_id":
		r.ClientID, r.Secret = value, t.Env.Target.ClientSecret
	case "client_secret":
		r.ClientID, r.Secret = t.Env.Target.ClientID, value
	default:
		r.Params = probes.With(r.Params, name, value)
	}
	return r
}

// expectRefused checks that a token request was refused: a client error
// (4xx) with no access token. A 2xx is an acceptance, a 5xx a server
// failure, a 3xx neither; none of them is a refusal.
func expectRefused(t *T, ex *wire.Exchange, what string) {
	switch s := ex.Status(); {
	case !ex.OK():
		t.Errorf("%s: %s", what, ex.Summary())
	case t.Env.refusedWithSuccess(ex):
		t.Notef("%s was refused with status %d and no token, as spec %s allows", what, s, t.Env.Spec.Name)
	case s >= 200 && s < 300:
		t.Errorf("%s was accepted (status %d): %s", what, s, ex.Summary())
	case s >= 500:
		t.Errorf("%s was answered with the server error %d, not refused with a client error: %s", what, s, ex.Summary())
	case s < 400:
		t.Errorf("%s was answered %d, which is not a refusal: %s", what, s, ex.Summary())
	default:
		if ex.String(t.Env.Spec.Member("access_token")) != "" {
			t.Errorf("%s was refused with %d, but the body carries an access token", what, s)
		}
	}
}

// planRequiredParam ("required-param/NAME"): the valid request without NAME
// is refused.
func planRequiredParam(e *Env, req specs.Requirement) []Check {
	wn := e.Spec.Param(checkArg(req))
	return planParamProbe(e, req, "required-param", "a token request without "+wn+" is refused",
		"the target gives no "+wn+", so the valid request does not carry it either",
		func() (string, string) { return "", "without " + wn })
}

// planParamValue ("param-value/NAME"): the valid request with another,
// made-up value of NAME is refused.
func planParamValue(e *Env, req specs.Requirement) []Check {
	wn := e.Spec.Param(checkArg(req))
	return planParamProbe(e, req, "param-value", "a token request whose "+wn+" is not the assigned one is refused",
		"the target gives no "+wn+" to compare a wrong one with",
		func() (string, string) {
			wrong := "tokencert-wrong-" + probes.Random(12)
			return wrong, fmt.Sprintf("with a made-up %s %q", wn, wrong)
		})
}

// planParamProbe plans a check that sends the valid request with the
// parameter the requirement names set to value() ("" leaves it out) and
// expects it refused.
func planParamProbe(e *Env, req specs.Requirement, kind, title, noValue string, value func() (v, what string)) []Check {
	name := checkArg(req)
	return []Check{{Req: req, Concern: Errors, Variant: name, Title: title, Run: func(t *T) {
		if name == "" {
			t.Errorf("check %q names no parameter (%s/NAME)", req.Check, kind)
			return
		}
		if grant, _ := t.Env.PrimaryGrant(); grant != nil && t.Env.sentValue(grant, name) == "" {
			t.Needf([]string{paramNeed(name)}, "%s (%s)", noValue, paramKey(name))
		}
		grant := baseline(t)
		v, what := value()
		ex := t.Env.send(t.Ctx, withValue(t, grant, grant.Short()+" grant "+what, name, v))
		t.Evidence(ex)
		expectRefused(t, ex, "the request "+what)
	}}}
}

// planClientAuthEnforced ("client-auth-enforced"): a wrong secret, by each
// client authentication method the spec names, and no client credentials
// at all are refused. Only the refusal is judged; the error code belongs to
// the RFC 6749 §5.2 requirements. The exchanges are the ones those
// requirements induce.
func planClientAuthEnforced(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Errors, Title: "wrong or missing client credentials are refused", Run: func(t *T) {
		baseline(t)
		var conds []*probes.Condition
		for _, m := range t.Env.Spec.Request.ClientAuth {
			conds = append(conds, map[string]*probes.Condition{"basic": probes.BadClientBasic, "body": probes.BadClientBody}[m])
		}
		conds = append(conds, probes.NoClientAuth)
		for _, cond := range conds {
			f := t.Env.inducedError(t.Ctx, cond)
			t.Evidence(f.prior...)
			if f.ex == nil {
				t.Notef("%s not probed: %s", cond.Name, f.why())
				continue
			}
			t.Evidence(f.ex)
			expectRefused(t, f.ex, "the probe "+cond.Name+" ("+cond.Doc+")")
		}
	}}}
}

// planMaxLength ("max-length"): for each documented maximum length
// (Request.MaxLength), one check. The at-limit half needs a valid value of
// exactly the limit; it is the valid request itself when the target's
// value has that length, and is otherwise reported as not probed. The
// over-limit half sends the valid value lengthened to one character over
// the limit; it must be refused. A value that only differs by its length
// from one that works is the one sound probe: a server that truncates
// values to the limit, or ignores it, accepts it.
func planMaxLength(e *Env, req specs.Requirement) []Check {
	var out []Check
	for _, name := range slices.Sorted(maps.Keys(e.Spec.Request.MaxLength)) {
		limit := e.Spec.Request.MaxLength[name]
		wn := e.Spec.Param(name)
		out = append(out, Check{Req: req, Concern: Errors, Variant: name,
			Title: fmt.Sprintf("a %s of %d characters is accepted and one of %d refused", wn, limit, limit+1),
			Run: func(t *T) {
				grant := baseline(t)
				v := t.Env.sentValue(grant, name)
				if v == "" {
					t.Needf([]string{paramNeed(name)}, "the target gives no %s to lengthen (%s)", wn, paramKey(name))
				}
				n := utf8.RuneCountInString(v)
				switch {
				case n > limit:
					t.Errorf("the valid request's %s is %d characters, over the documented maximum of %d, and was accepted", wn, n, limit)
					return
				case n == limit:
					t.Notef("at the limit: the valid request's %s is %d characters and was accepted", wn, n)
				default:
					t.Notef("the at-limit half is not probed: the target's %s is %d characters, and only a registered value of exactly %d would be valid at the limit", wn, n, limit)
				}
				long := v + strings.Repeat("x", limit+1-n)
				ex := t.Env.send(t.Ctx, withValue(t, grant, fmt.Sprintf("%s grant with a %d-character %s", grant.Short(), limit+1, wn), name, long))
				t.Evidence(ex)
				expectRefused(t, ex, fmt.Sprintf("the request with a %d-character %s", limit+1, wn))
			}})
	}
	if len(out) == 0 {
		out = append(out, Check{Req: req, Concern: Errors, Title: "documented maximum lengths are enforced", Run: func(t *T) {
			t.Skipf("spec %s documents no maximum length", t.Env.Spec.Name)
		}})
	}
	return out
}

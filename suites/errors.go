package suites

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "error", Arg: "CONDITION", Plan: planError,
		Fix: "Refuse the probe with a status and `error` code that the spec lists for the condition (RFC 6749 §5.2), and a `WWW-Authenticate` challenge on a 401.",
		Doc: "the condition's probe is refused with a listed status and code (and a challenge on a 401 after Basic); the condition's requirements (`probes.Conditions`) default to it"})
	register(&Kind{Name: "scope-unknown", Plan: planScopeUnknown, Requirements: []string{"RFC6749-5.2-INVALID-SCOPE"},
		Fix: "Refuse an unknown scope with `invalid_scope`, or narrow the grant and say so in `scope` (RFC 6749 §3.3); never grant what the server does not know.",
		Doc: "an unknown scope is refused with a listed code, or narrowed (RFC 6749 §3.3) and not granted"})
	register(&Kind{Name: "scope-narrowed", Plan: planScopeNarrowed, Requirements: []string{"RFC6749-3.3-SCOPE-IF-CHANGED"},
		Fix: "When the granted scope differs from the requested one, return it in the response's `scope` (RFC 6749 §3.3).",
		Doc: "a token granted with a narrower scope than requested states its scope"})
	register(&Kind{Name: "error-vocab", Plan: planErrorVocab, Requirements: []string{"RFC6749-5.2-ERROR-CODE-VOCAB"},
		Fix: "Send an error code in every error body, and only codes the spec's vocabulary lists (RFC 6749 §5.2's, for a plain OAuth server).",
		Doc: "every error code read from an induced error response is within `errors.vocabulary`; where no response carries a readable code (empty bodies) the vocabulary is not exercised: a skip that leaves a MUST incomplete, never a pass"})
}

func planError(e *Env, req specs.Requirement) []Check {
	name, _ := strings.CutPrefix(req.Check, "error/")
	cond := probes.ByName(name)
	if cond == nil {
		return []Check{{Req: req, Concern: Errors, Variant: name, Title: "a failure condition is refused", Run: func(t *T) {
			t.Errorf("requirement %s: check %q names no known failure condition (%s)", req.ID, req.Check, strings.Join(probes.Names(), ", "))
		}}}
	}
	out := []Check{errorCheck(req, cond)}
	if c := cond.Companion; c != nil {
		// The companion probes the same requirement another way; its check
		// reads as if the spec had named it.
		companion := req
		companion.Check = "error/" + c.Name
		out = append(out, errorCheck(companion, c))
	}
	return out
}

// documentedCase is the error the spec documents for cond; for a companion
// condition the spec does not list, the error it documents for the
// condition it accompanies (the same failure, probed another way).
func documentedCase(t *T, cond *probes.Condition) (specs.ErrorCase, bool) {
	if ec, ok := t.Env.Spec.Condition(cond.Name); ok {
		return ec, true
	}
	for _, parent := range probes.Conditions {
		if parent.Companion == cond {
			if ec, ok := t.Env.Spec.Condition(parent.Name); ok {
				t.Notef("spec %s documents no error for %s; the one it documents for %s applies, the same failure probed another way", t.Env.Spec.Name, cond.Name, parent.Name)
				return ec, true
			}
		}
	}
	return specs.ErrorCase{}, false
}

func errorCheck(req specs.Requirement, cond *probes.Condition) Check {
	return Check{Req: req, Concern: Errors, Variant: cond.Name, Title: cond.Title, Run: func(t *T) {
		ec, documented := documentedCase(t, cond)
		ex := t.Env.InduceError(t.Ctx, t, cond)
		t.Evidence(ex)
		if cond == probes.MalformedBody && t.Env.Spec.Request.Encoding == "form" && ex.Status() >= 200 && ex.Status() < 300 {
			// Form parsers (the WHATWG algorithm among them) decode an
			// undecodable pair leniently; it is then an unrecognised
			// parameter, which RFC 6749 §3.2 has the server ignore.
			t.Notef("the server parsed the malformed pair leniently and answered %d; RFC 6749 §3.2 ignores unrecognised parameters, so no error was due", ex.Status())
			return
		}
		if !documented {
			expectAnyRefusal(t, ex, cond)
			return
		}
		expectError(t, ex, cond, ec)
	}}
}

// expectAnyRefusal judges the probe of a condition the spec documents no
// error for: where the document is silent, any refusal holds the
// requirement, and how it differs from RFC 6749 §5.2's answer is a note.
func expectAnyRefusal(t *T, ex *wire.Exchange, cond *probes.Condition) {
	expectRefused(t, ex, "the probe "+cond.Name+" ("+cond.Doc+")")
	if len(t.Problems()) > 0 || ex.Status() < 400 {
		return
	}
	code, err := t.Env.ErrorCode(ex)
	if err != nil {
		code = "none"
	}
	if !slices.Contains(cond.Answer.Codes, code) || !slices.Contains(cond.Answer.Statuses, ex.Status()) {
		t.Notef("spec %s documents no error for %s; refused with status %d and code %s, where RFC 6749 §5.2 answers %d %s", t.Env.Spec.Name, cond.Name, ex.Status(), code, cond.Answer.Statuses[0], cond.Answer.Codes[0])
	}
}

// refusedWithSuccess reports whether ex is a refusal that came with a 2xx
// status, as a spec whose errors may be sent with one allows: no token.
func (e *Env) refusedWithSuccess(ex *wire.Exchange) bool {
	s := ex.Status()
	if s < 200 || s > 299 || ex.String(e.Spec.Member("access_token")) != "" {
		return false
	}
	if slices.Contains(e.Spec.Errors.Statuses, s) {
		return true
	}
	for _, ec := range e.Spec.Errors.Conditions {
		if slices.Contains(ec.Statuses, s) {
			return true
		}
	}
	return false
}

// expectError checks that ex is the error the spec promises for cond.
func expectError(t *T, ex *wire.Exchange, cond *probes.Condition, ec specs.ErrorCase) {
	if !ex.OK() {
		t.Errorf("%s", ex.Summary())
		return
	}
	if ex.Status() >= 200 && ex.Status() < 300 && !t.Env.refusedWithSuccess(ex) && !(ec.AnyStatus && ex.String(t.Env.Spec.Member("access_token")) == "") {
		t.Errorf("the request was accepted (status %d): %s", ex.Status(), ex.Summary())
		return
	}
	switch {
	case ec.AnyStatus && ex.Status() >= 500:
		// The document gives no status: any refusal holds, but a server
		// error is no refusal.
		t.Errorf("status %d: a server error, not a refusal (spec %s documents the code of %s, not its status)", ex.Status(), t.Env.Spec.Name, cond.Name)
	case ec.AnyStatus:
		if !slices.Contains(cond.Answer.Statuses, ex.Status()) {
			t.Notef("spec %s documents no status for %s; refused with %d, where RFC 6749 §5.2 answers %d", t.Env.Spec.Name, cond.Name, ex.Status(), cond.Answer.Statuses[0])
		}
	case len(ec.Statuses) > 0 && !slices.Contains(ec.Statuses, ex.Status()):
		t.Errorf("status %d, want %s", ex.Status(), joinInts(ec.Statuses))
	}
	if len(ec.Codes) > 0 {
		code, err := t.Env.ErrorCode(ex)
		switch {
		case err != nil:
			t.Errorf("no error code: %v", err)
		case !slices.Contains(ec.Codes, code):
			t.Errorf("error code %q, want %s", code, strings.Join(ec.Codes, " or "))
		}
	}
	if ex.Request.Header.Get("Authorization") != "" && ex.Status() == http.StatusUnauthorized {
		scheme, _, _ := strings.Cut(ex.Request.Header.Get("Authorization"), " ")
		if !challenges(ex.Header().Values("WWW-Authenticate"), scheme) {
			cite := "RFC 9110 §15.5.2"
			if code, _ := t.Env.ErrorCode(ex); code == "invalid_client" {
				cite = "RFC 6749 §5.2"
			}
			msg := fmt.Sprintf("401 after %s authentication without a WWW-Authenticate %s challenge (%s); got %q", scheme, scheme, cite, ex.Header().Values("WWW-Authenticate"))
			// The challenge belongs to the refusal of client credentials
			// (RFC 6749 §5.2 invalid_client): a condition RFC 6749 answers
			// otherwise (a wrong method, a bad grant) is held by a refusal
			// the spec allows, and the missing challenge is a note.
			if slices.Contains(cond.Answer.Codes, "invalid_client") {
				t.Errorf("%s", msg)
			} else {
				t.Notef("%s: a matter for the client-authentication checks, not this requirement", msg)
			}
		}
	}
	if (cond == probes.WrongMethod || cond == probes.WrongMethodBody) && ex.String(t.Env.Spec.Member("access_token")) != "" {
		t.Errorf("a token was issued")
	}
}

func challenges(values []string, scheme string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			f := strings.Fields(part)
			if len(f) > 0 && strings.EqualFold(f[0], scheme) {
				return true
			}
		}
	}
	return false
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, " or ")
}

// ErrorCode reads the error code where the spec's error template puts it.
func (e *Env) ErrorCode(ex *wire.Exchange) (string, error) {
	ptr := templatePointer(e.Spec.Errors.Template, "$code")
	if ptr == nil {
		return "", fmt.Errorf("spec %s's error template has no $code", e.Spec.Name)
	}
	doc, err := ex.JSON()
	if err != nil {
		return "", err
	}
	v, ok := lookup(doc, ptr)
	if !ok {
		return "", fmt.Errorf("body has no %s", pointerString(ptr))
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s is not a string", pointerString(ptr))
	}
	return s, nil
}

// InduceError sends (once per run) the request that should fail with cond.
// It skips t when the target cannot make that request, and when the
// request, sent with the client's own credentials, was refused for them
// as every request by that method is (T.credentialsRefused).
func (e *Env) InduceError(ctx context.Context, t *T, cond *probes.Condition) *wire.Exchange {
	f := e.inducedError(ctx, cond)
	ex := t.use(f)
	if f.auth != "" && !e.refusesCredentials(cond) {
		t.credentialsRefused(ex, f.auth)
	}
	return ex
}

// refusesCredentials reports whether the answer to cond is itself a
// refusal of the client's credentials (invalid_client, or a 401, as RFC
// 6749 §5.2 or the spec has it).
func (e *Env) refusesCredentials(cond *probes.Condition) bool {
	ec, _ := e.Spec.Condition(cond.Name)
	for _, a := range []specs.ErrorCase{cond.Answer, ec} {
		if slices.Contains(a.Codes, "invalid_client") || slices.Contains(a.Statuses, http.StatusUnauthorized) {
			return true
		}
	}
	return false
}

// inducedError is the shared response to the request that should fail
// with cond, built from a fresh valid request of a grant the condition
// can edit (for the code grant, a new code), or why it cannot be made.
func (e *Env) inducedError(ctx context.Context, cond *probes.Condition) fetched {
	return e.sharedFetch("error/"+cond.Name, func() fetched {
		var valid obtained
		if cond.Standalone {
			valid.auth = e.DefaultAuth()
		} else {
			if cond.Prefer != nil {
				valid = e.validRequest(ctx, cond.Name, cond.Prefer, obtainOpts{})
			}
			if cond.Prefer == nil || valid.unmet != nil {
				valid = e.validRequest(ctx, cond.Name, cond.Base, obtainOpts{})
			}
			if valid.unmet != nil || valid.failed != "" {
				if valid.unmet != nil && len(valid.unmet.Needs) > 0 {
					valid.unmet = probes.Lacking("no valid token request can be built: "+valid.unmet.Why, valid.unmet.Needs...)
				}
				return valid.fetched
			}
		}
		r, u := cond.NewRequest(probeEnv{e}, valid.request(cond.Name))
		if u != nil {
			valid.unmet = u
			return valid.fetched
		}
		f := valid.fetched
		if r.Auth == valid.auth && r.ClientID == valid.clientID && r.Secret == "" && len(r.URIParams) == 0 {
			// The probe keeps the client's own authentication.
			f.auth = r.Auth
		}
		f.ex = e.send(ctx, r)
		return f
	})
}

// why says why f has no exchange.
func (f fetched) why() string {
	if f.unmet != nil {
		return f.unmet.Why
	}
	return f.failed
}

// errorSamples are the conditions whose refusals the error-format checks
// examine, in the order they are induced.
var errorSamples = []*probes.Condition{probes.BadClientBasic, probes.BadClientBody, probes.NoClientAuth, probes.BadPassword,
	probes.BadRefreshToken, probes.UnsupportedGrant, probes.MissingGrantType, probes.MissingParam,
	probes.RepeatedParam, probes.MalformedBody}

// ErrorResponses returns every induced error response the target allows
// (inducing them if no check has yet), whether or not the spec lists an
// error for its condition.
func (e *Env) ErrorResponses(ctx context.Context) []*wire.Exchange {
	var out []*wire.Exchange
	// The error format is the endpoint's, whether or not the spec lists an
	// error for the condition: every refusal is a sample of it.
	for _, cond := range errorSamples {
		f := e.inducedError(ctx, cond)
		if f.ex != nil && f.ex.OK() && (f.ex.Status() < 200 || f.ex.Status() > 299) {
			out = append(out, f.ex)
		}
	}
	return out
}

// scopeProbes are the invalid_scope probes: the unknown scope alone, and
// its companion, a known scope with an unknown one.
func scopeProbes() []*probes.Condition {
	out := []*probes.Condition{probes.BadScope}
	if c := probes.BadScope.Companion; c != nil {
		out = append(out, c)
	}
	return out
}

// unknownScopes are the values of the scope a probe sent that the target's
// scope does not name.
func unknownScopes(e *Env, ex *wire.Exchange) []string {
	known := strings.Fields(e.Target.Scope)
	var out []string
	for _, s := range e.Spec.SplitScope(paramValue(ex, e, "scope")) {
		if !slices.Contains(known, s) {
			out = append(out, s)
		}
	}
	return out
}

func planScopeUnknown(e *Env, req specs.Requirement) []Check {
	var out []Check
	for _, cond := range scopeProbes() {
		out = append(out, Check{Req: req, Concern: Errors, Variant: cond.Name, Title: "an unknown scope is refused with invalid_scope, or narrowed and reported" + scopeTitleSuffix(cond), Run: func(t *T) {
			ex := t.Env.InduceError(t.Ctx, t, cond)
			t.Evidence(ex)
			if ex.Status() == 200 {
				// RFC 6749 §3.3 lets the server narrow the scope; then
				// RFC6749-3.3-SCOPE-IF-CHANGED requires it to say so.
				granted := t.Env.Spec.SplitScope(ex.String(t.Env.Spec.Member("scope")))
				for _, u := range unknownScopes(t.Env, ex) {
					if slices.Contains(granted, u) {
						t.Errorf("the unknown scope was granted: scope %q", strings.Join(granted, " "))
						return
					}
				}
				t.Notef("the server narrowed the scope instead of refusing it (RFC 6749 §3.3 allows this)")
				return
			}
			ec, ok := documentedCase(t, cond)
			if !ok {
				expectAnyRefusal(t, ex, cond)
				return
			}
			expectError(t, ex, cond, ec)
		}})
	}
	return out
}

func scopeTitleSuffix(cond *probes.Condition) string {
	if cond == probes.BadScope {
		return ""
	}
	return " (beside a known one)"
}

func planScopeNarrowed(e *Env, req specs.Requirement) []Check {
	var out []Check
	for _, cond := range scopeProbes() {
		out = append(out, Check{Req: req, Concern: Fields, Variant: cond.Name, Title: "a token granted with a narrower scope than requested states its scope" + scopeTitleSuffix(cond), Run: func(t *T) {
			ex := t.Env.InduceError(t.Ctx, t, cond)
			t.Evidence(ex)
			if ex.Status() != 200 {
				t.Skipf("the server refused the unknown scope (status %d), so no scope was narrowed", ex.Status())
			}
			granted := ex.String(t.Env.Spec.Member("scope"))
			probe := paramValue(ex, t.Env, "scope")
			if granted == "" {
				// RFC 6749 §5.1: no scope member says the scope is as
				// requested; introspection tells whether it is.
				scope, refused := t.Env.introspectedScope(t, ex.String(t.Env.Spec.Member("access_token")))
				switch {
				case refused != "":
					t.Skipf("the response has no scope member and %s, so whether the scope changed cannot be told", refused)
				case scope == "" && (t.Env.Target.Introspection == "" || t.Env.Target.Public()):
					t.Needf([]string{"introspection"}, "the response has no scope member, which says the scope %q was granted as requested (RFC 6749 §5.1); introspection (target key introspection) would tell whether it was", probe)
				case scope == "":
					t.Unexercised("the response has no scope member and introspection states no scope, so whether %q was granted as requested cannot be told", probe)
				case !sameScope(t.Env.Spec, scope, probe):
					t.Errorf("scope %q was requested and introspection says %q was granted, but the response has no scope member", probe, scope)
					return
				}
				granted = scope
			}
			if sameScope(t.Env.Spec, granted, probe) {
				t.Skipf("the scope was granted as requested (%q): it did not change, so RFC 6749 §3.3 asks nothing of the response (whether an unknown scope may be granted is RFC6749-5.2-INVALID-SCOPE's business)", granted)
			}
			for _, u := range unknownScopes(t.Env, ex) {
				if slices.Contains(t.Env.Spec.SplitScope(granted), u) {
					t.Errorf("the response claims the unknown scope %q was granted, with scope %q, which is not the scope requested", u, granted)
				}
			}
		}})
	}
	return out
}

// sameScope reports whether two scope values name the same scope tokens
// (RFC 6749 §3.3: their order does not matter).
func sameScope(spec *specs.Spec, a, b string) bool {
	x, y := slices.Sorted(slices.Values(spec.SplitScope(a))), slices.Sorted(slices.Values(spec.SplitScope(b)))
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

// paramValue recovers a parameter the probe sent, from its recorded request.
func paramValue(ex *wire.Exchange, e *Env, name string) string {
	body := ex.Request.Body
	for _, part := range strings.Split(body, "&") {
		k, v, _ := strings.Cut(part, "=")
		if k == e.Spec.Param(name) {
			return unescape(v)
		}
	}
	if doc := decodeObject(body); doc != nil {
		s, _ := doc[e.Spec.Param(name)].(string)
		return s
	}
	return ""
}

func planErrorVocab(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Errors, Title: "every error code is one the spec's vocabulary defines", Run: func(t *T) {
		read, unread := 0, 0
		eachError(t, func(ex *wire.Exchange) {
			code, err := t.Env.ErrorCode(ex)
			if err != nil {
				unread++ // the error-format requirement reports the missing code
				return
			}
			read++
			if !slices.Contains(t.Env.Spec.Errors.Vocabulary, code) {
				t.Errorf("%s: error code %q is not one of %s", ex.Label, code, strings.Join(t.Env.Spec.Errors.Vocabulary, ", "))
			}
		})
		if read == 0 {
			// An empty body, or one without a code, holds no code outside
			// the vocabulary: that is no pass (RFC6749-5.2-ERROR-MEMBER
			// judges the bodies).
			t.Unexercised("no error code could be read from any of the %d error responses (empty bodies, or no code where the error template puts it), so the vocabulary was not exercised", unread)
		}
		if unread > 0 {
			t.Notef("%d of the %d error responses carried no code to judge", unread, read+unread)
		}
	}}}
}

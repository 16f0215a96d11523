package suites

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register("error", planError,
		"RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE", "RFC6749-5.2-INVALID-CLIENT-BODY", "RFC6749-3.2.1-AUTH-REQUIRED",
		"RFC6749-5.2-INVALID-GRANT-PASSWORD", "RFC6749-5.2-INVALID-GRANT-REFRESH", "RFC6749-5.2-UNSUPPORTED-GRANT",
		"RFC6749-5.2-MISSING-GRANT-TYPE", "RFC6749-5.2-MISSING-REQUIRED-PARAM", "RFC6749-3.2-NO-REPEATED-PARAMS",
		"RFC6749-5.2-STATUS-400", "RFC6749-3.2-POST-ONLY")
	register("scope-unknown", planScopeUnknown, "RFC6749-5.2-INVALID-SCOPE")
	register("scope-narrowed", planScopeNarrowed, "RFC6749-3.3-SCOPE-IF-CHANGED")
	register("error-vocab", planErrorVocab, "RFC6749-5.2-ERROR-CODE-VOCAB")
}

// conditionOf maps the RFC requirements to the failure condition they induce.
var conditionOf = map[string]string{
	"RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE": specs.CondBadClientBasic,
	"RFC6749-5.2-INVALID-CLIENT-BODY":          specs.CondBadClientBody,
	"RFC6749-3.2.1-AUTH-REQUIRED":              specs.CondNoClientAuth,
	"RFC6749-5.2-INVALID-GRANT-PASSWORD":       specs.CondBadPassword,
	"RFC6749-5.2-INVALID-GRANT-REFRESH":        specs.CondBadRefreshToken,
	"RFC6749-5.2-UNSUPPORTED-GRANT":            specs.CondUnsupportedGrant,
	"RFC6749-5.2-MISSING-GRANT-TYPE":           specs.CondMissingGrantType,
	"RFC6749-5.2-MISSING-REQUIRED-PARAM":       specs.CondMissingParam,
	"RFC6749-3.2-NO-REPEATED-PARAMS":           specs.CondRepeatedParam,
	"RFC6749-5.2-STATUS-400":                   specs.CondMalformedBody,
	"RFC6749-3.2-POST-ONLY":                    specs.CondWrongMethod,
}

var conditionTitles = map[string]string{
	specs.CondBadClientBasic:   "a wrong client secret sent with HTTP Basic is refused",
	specs.CondBadClientBody:    "a wrong client secret sent in the body is refused",
	specs.CondNoClientAuth:     "a request without client authentication is refused",
	specs.CondBadPassword:      "a wrong resource-owner password is refused",
	specs.CondBadRefreshToken:  "an unknown refresh token is refused",
	specs.CondUnsupportedGrant: "an unknown grant_type is refused",
	specs.CondMissingGrantType: "a request without grant_type is refused",
	specs.CondMissingParam:     "a request missing a required grant parameter is refused",
	specs.CondRepeatedParam:    "a request with a repeated parameter is refused",
	specs.CondMalformedBody:    "a malformed request body is refused with a client error, not a server error",
	specs.CondBadScope:         "an unknown scope is refused",
	specs.CondBadParam:         "a request with an invalid parameter value is refused",
	specs.CondWrongMethod:      "a token request with another HTTP method yields no token",
}

func planError(e *Env, req specs.Requirement) []Check {
	cond := conditionOf[req.ID]
	if c, ok := strings.CutPrefix(req.Check, "error/"); ok {
		cond = c
	}
	return []Check{{Req: req, Concern: Errors, Variant: cond, Title: conditionTitles[cond], Run: func(t *T) {
		ec, ok := t.Env.Spec.Condition(cond)
		if !ok {
			t.Skipf("spec %s documents no error for %s", t.Env.Spec.Name, cond)
		}
		ex := t.Env.InduceError(t.Ctx, t, cond)
		t.Evidence(ex)
		if cond == specs.CondMalformedBody && t.Env.Spec.Request.Encoding == "form" && ex.Status() >= 200 && ex.Status() < 300 {
			// Form parsers (the WHATWG algorithm among them) decode an
			// undecodable pair leniently; it is then an unrecognised
			// parameter, which RFC 6749 §3.2 has the server ignore.
			t.Notef("the server parsed the malformed pair leniently and answered %d; RFC 6749 §3.2 ignores unrecognised parameters, so no error was due", ex.Status())
			return
		}
		expectError(t, ex, cond, ec)
	}}}
}

// expectError checks that ex is the error the spec promises for cond.
func expectError(t *T, ex *wire.Exchange, cond string, ec specs.ErrorCase) {
	if !ex.OK() {
		t.Errorf("%s", ex.Summary())
		return
	}
	if ex.Status() >= 200 && ex.Status() < 300 {
		t.Errorf("the request was accepted (status %d): %s", ex.Status(), ex.Summary())
		return
	}
	if len(ec.Statuses) > 0 && !slices.Contains(ec.Statuses, ex.Status()) {
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
			t.Errorf("401 after %s authentication without a WWW-Authenticate %s challenge (%s); got %q", scheme, scheme, cite, ex.Header().Values("WWW-Authenticate"))
		}
	}
	if cond == specs.CondWrongMethod && ex.String(t.Env.Spec.Member("access_token")) != "" {
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
// It skips t when the target cannot make that request.
func (e *Env) InduceError(ctx context.Context, t *T, cond string) *wire.Exchange {
	r, why := e.errorRequest(cond)
	if why != "" {
		t.Skipf("%s", why)
	}
	ex, _ := e.shared("error/"+cond, func() *wire.Exchange { return e.send(ctx, r) })
	return ex
}

// ErrorResponses returns every induced error response the target allows
// (inducing them if no check has yet).
func (e *Env) ErrorResponses(ctx context.Context) []*wire.Exchange {
	var out []*wire.Exchange
	for _, cond := range []string{specs.CondBadClientBasic, specs.CondBadClientBody, specs.CondNoClientAuth, specs.CondBadPassword,
		specs.CondBadRefreshToken, specs.CondUnsupportedGrant, specs.CondMissingGrantType, specs.CondMissingParam,
		specs.CondRepeatedParam, specs.CondMalformedBody} {
		if _, ok := e.Spec.Condition(cond); !ok {
			continue
		}
		r, why := e.errorRequest(cond)
		if why != "" {
			continue
		}
		ex, _ := e.shared("error/"+cond, func() *wire.Exchange { return e.send(ctx, r) })
		if ex.OK() && (ex.Status() < 200 || ex.Status() > 299) {
			out = append(out, ex)
		}
	}
	return out
}

// errorRequest builds the request that induces cond, or says why it cannot.
func (e *Env) errorRequest(cond string) (tokenRequest, string) {
	grant, why := e.PrimaryGrant()
	if grant == "" && cond != specs.CondBadRefreshToken {
		return tokenRequest{}, "no valid token request can be built: " + why
	}
	auth := e.DefaultAuth()
	ps := e.grantParams(grant)
	wrong := "tokencert-wrong-" + randomString(12)
	r := tokenRequest{label: cond, params: ps, auth: auth}
	switch cond {
	case specs.CondBadClientBasic, specs.CondBadClientBody:
		m := map[string]string{specs.CondBadClientBasic: "basic", specs.CondBadClientBody: "body"}[cond]
		if !e.Spec.Supports(m) {
			return r, fmt.Sprintf("spec %s documents no %s client authentication", e.Spec.Name, m)
		}
		if !e.authDeclared(m) {
			return r, fmt.Sprintf("the client is not registered for %s client authentication (target key client_auth)", m)
		}
		r.auth, r.clientID, r.secret = m, e.Target.ClientID, wrong
	case specs.CondNoClientAuth:
		r.auth = "none"
	case specs.CondBadPassword:
		if ok, why := e.grantAvailable("password"); !ok {
			return r, why
		}
		r.params = withParam(e.grantParams("password"), "password", wrong)
	case specs.CondBadRefreshToken:
		if e.Spec.Grant("refresh_token") == nil {
			return r, fmt.Sprintf("spec %s documents no refresh_token grant", e.Spec.Name)
		}
		if e.Target.ClientID == "" {
			return r, "no client credentials (target keys client_id, client_secret)"
		}
		r.params = []param{{"grant_type", "refresh_token"}, {"refresh_token", randomString(43)}}
	case specs.CondUnsupportedGrant:
		r.params = withParam(ps, "grant_type", "urn:tokencert:conformance:none")
	case specs.CondMissingGrantType:
		r.params = withParam(ps, "grant_type", "")
	case specs.CondMissingParam:
		if ok, _ := e.grantAvailable("password"); ok {
			r.params = withParam(e.grantParams("password"), "password", "")
		} else if e.Spec.Grant("refresh_token") != nil {
			r.params = []param{{"grant_type", "refresh_token"}}
		} else {
			return r, "neither the password nor the refresh_token grant is available to omit a parameter of"
		}
	case specs.CondRepeatedParam:
		if e.Spec.Request.Encoding != "form" {
			return r, "a " + e.Spec.Request.Encoding + " body cannot repeat a parameter"
		}
		r.params = append(slices.Clone(ps), param{"grant_type", grant})
	case specs.CondMalformedBody:
		if e.Spec.Request.Encoding == "json" {
			r.rawBody = []byte(`{"grant_type": "` + grant + `", `)
		} else {
			r.rawBody = []byte(e.formEncode(ps) + "&%zz=%")
		}
	case specs.CondBadScope:
		r.params = withParam(ps, "scope", "tokencert-probe-"+randomString(8))
	case specs.CondWrongMethod:
		r.method, r.query = http.MethodGet, true
		if e.Spec.Request.Method == http.MethodGet {
			r.method, r.query = http.MethodPut, false
		}
	default:
		return r, "unknown condition " + cond
	}
	return r, ""
}

func planScopeUnknown(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Errors, Variant: specs.CondBadScope, Title: "an unknown scope is refused with invalid_scope, or narrowed and reported", Run: func(t *T) {
		ex := t.Env.InduceError(t.Ctx, t, specs.CondBadScope)
		t.Evidence(ex)
		if ex.Status() == 200 {
			// RFC 6749 §3.3 lets the server narrow the scope; then
			// RFC6749-3.3-SCOPE-IF-CHANGED requires it to say so.
			granted := ex.String(t.Env.Spec.Member("scope"))
			probe := paramValue(ex, t.Env, "scope")
			if granted != "" && slices.Contains(strings.Fields(granted), probe) {
				t.Errorf("the unknown scope was granted: scope %q", granted)
			} else {
				t.Notef("the server narrowed the scope instead of refusing it (RFC 6749 §3.3 allows this)")
			}
			return
		}
		ec, ok := t.Env.Spec.Condition(specs.CondBadScope)
		if !ok {
			t.Skipf("spec %s documents no error for an unknown scope", t.Env.Spec.Name)
		}
		expectError(t, ex, specs.CondBadScope, ec)
	}}}
}

func planScopeNarrowed(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Fields, Variant: specs.CondBadScope, Title: "a token granted with a narrower scope than requested states its scope", Run: func(t *T) {
		ex := t.Env.InduceError(t.Ctx, t, specs.CondBadScope)
		t.Evidence(ex)
		if ex.Status() != 200 {
			t.Skipf("the server refused the unknown scope (status %d), so no scope was narrowed", ex.Status())
		}
		granted := ex.String(t.Env.Spec.Member("scope"))
		probe := paramValue(ex, t.Env, "scope")
		switch {
		case granted == "":
			t.Errorf("scope %q was requested and not all of it granted, but the response has no scope member", probe)
		case slices.Contains(strings.Fields(granted), probe):
			t.Errorf("the response claims the unknown scope %q was granted", probe)
		}
	}}}
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
		eachError(t, func(ex *wire.Exchange) {
			code, err := t.Env.ErrorCode(ex)
			if err != nil {
				return // the error-format requirement reports the missing code
			}
			if !slices.Contains(t.Env.Spec.Errors.Vocabulary, code) {
				t.Errorf("%s: error code %q is not one of %s", ex.Label, code, strings.Join(t.Env.Spec.Errors.Vocabulary, ", "))
			}
		})
	}}}
}

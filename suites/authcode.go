package suites

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

// The authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636):
// tokencert builds the authorization request, an Authorizer (the target's
// authorize command or browser, or the embedded server's form) takes it
// to the redirect, and the checks redeem the code. Each check that
// consumes a code asks for its own.

// AuthCode is the concern of the authorization code checks.
const AuthCode = "authorization-code"

func init() {
	register(&Kind{Name: "code-exchange", Plan: planCodeExchange, Requirements: []string{"RFC6749-4.1.3-CODE-EXCHANGE"},
		Fix: "Redeem a valid authorization code, sent with its `redirect_uri` and `code_verifier`, for a token (RFC 6749 §4.1.3, RFC 7636 §4.6).",
		Doc: "an authorization code (requested with state, an S256 `code_challenge`, the redirect URI and scope) redeemed with its `redirect_uri` and `code_verifier` yields a token"})
	register(&Kind{Name: "code-state", Plan: planCodeState, Requirements: []string{"RFC6749-4.1.2-STATE-ECHOED"},
		Fix: "Return the request's `state` unchanged in the redirect with the code (RFC 6749 §4.1.2).",
		Doc: "the authorization response carries the request's exact `state`"})
	register(&Kind{Name: "code-reuse", Arg: "single-use|revokes", Plan: planCodeReuse,
		Defaults: map[string]string{"RFC6749-4.1.2-CODE-SINGLE-USE": "single-use", "RFC6749-4.1.2-CODE-REUSE-REVOKES": "revokes"},
		Fix:      "Let an authorization code be redeemed once (RFC 6749 §4.1.2): refuse a second redemption with `invalid_grant`, and revoke the tokens issued for the code when it is reused.",
		Doc:      "a code redeemed a second time is refused with `invalid_grant` (`single-use`), and the token of its first redemption stops working at introspection or the resource (`revokes`)"})
	register(&Kind{Name: "code-other-client", Plan: planCodeOtherClient, Requirements: []string{"RFC6749-4.1.3-CODE-BOUND-TO-CLIENT"},
		Fix: "Bind each authorization code to the client it was issued to: refuse its redemption by another client with `invalid_grant` (RFC 6749 §4.1.3).",
		Doc: "a code redeemed by the second client (target keys `other_client_id`, `other_client_secret`) is refused"})
	register(&Kind{Name: "code-redirect-uri", Arg: "other|missing", Plan: planCodeRedirect,
		Defaults: map[string]string{"RFC6749-4.1.3-REDIRECT-URI-MATCH": "other", "RFC6749-4.1.3-REDIRECT-URI-REQUIRED": "missing"},
		Fix:      "Refuse a code redeemed with another `redirect_uri` than its authorization request's, with `invalid_grant`, and one redeemed without the `redirect_uri` its authorization request carried (RFC 6749 §4.1.3).",
		Doc:      "a code redeemed with another `redirect_uri` than its authorization request's is refused with `invalid_grant` (`other`); one redeemed without the `redirect_uri` its authorization request carried is refused (`missing`: any refusal, a code other than `invalid_grant` or `invalid_request` noted; RFC 6749 §4.1.3, a rule OAuth 2.1 drops)"})
	register(&Kind{Name: "pkce-verifier", Arg: "missing|wrong", Plan: planPKCEVerifier,
		Defaults: map[string]string{"RFC7636-4.6-VERIFIER-REQUIRED": "missing", "RFC7636-4.6-VERIFIER-CHECKED": "wrong"},
		Fix:      "Check PKCE at redemption (RFC 7636 §4.6): a code issued for a `code_challenge` needs the matching `code_verifier`; refuse a missing or wrong one with `invalid_grant`.",
		Doc:      "a code requested with a `code_challenge` is refused without a `code_verifier` (`missing`) and with a wrong one (`wrong`)"})
}

// codeGrant is an authorization code obtained for one check.
type codeGrant struct {
	code, verifier, redirectURI string
	state, stateBack            string
	stateSent                   bool
	// authError is the error code the authorization response carried
	// instead of a code, if any.
	authError string
	// auth is the authorization step, recorded as evidence.
	auth *wire.Exchange
}

// codeUnmet says why the run cannot get authorization codes, or nil.
func (e *Env) codeUnmet() *probes.Unmet {
	switch {
	case e.Spec.Grant("authorization_code") == nil:
		return probes.Excluded(fmt.Sprintf("spec %s documents no authorization_code grant", e.Spec.Name))
	case !e.registered(grants.AuthorizationCode):
		return probes.Excluded("the client is not registered for the authorization_code grant (its grants: " + strings.Join(e.Target.Grants, ", ") + ")")
	case e.Target.ClientID == "":
		return probes.Lacking("no client (target key client_id)", "client_id")
	case e.Target.Authorization == "":
		return probes.Lacking("no authorization endpoint (target key authorization, or issuer whose metadata names it)", "authorization")
	case e.Authorizer == nil || e.Target.Authorize == nil:
		return probes.Lacking("no way to log in for an authorization code (target key authorize: a command, or browser selectors)", "authorize")
	}
	return nil
}

// CodesUsed is how many authorization codes the run obtained.
func (e *Env) CodesUsed() int {
	e.codeMu.Lock()
	defer e.codeMu.Unlock()
	return e.codesUsed
}

// authorizeTimeout bounds one authorization.
func (e *Env) authorizeTimeout() time.Duration { return e.Target.Authorize.AuthorizeTimeout() }

// newCode obtains a fresh authorization code, skipping t when the run
// cannot and ending it as an error when the login does not reach the
// redirect.
func (e *Env) newCode(t *T, label string) codeGrant {
	if u := e.codeUnmet(); u != nil {
		t.Skip(u)
	}
	g, err := e.authorizeCode(t.Ctx, codeRequest{label: label})
	if g.auth != nil {
		t.Evidence(g.auth)
	}
	if err != nil {
		t.Abortf("no authorization code: %v", err)
	}
	return g
}

// codeRequest is what an authorization request asks for.
type codeRequest struct {
	label string
	// pkce is the PKCE method: "" (S256, or plain where the server offers
	// only plain), "S256", "plain", or "none" (no code_challenge at all).
	pkce string
	// clientID replaces the target's client.
	clientID string
	// scope replaces the target's scope.
	scope string
}

// authorizeCode builds the authorization request (RFC 6749 §4.1.1, RFC
// 7636 §4.3) and has the Authorizer take it to the redirect.
func (e *Env) authorizeCode(ctx context.Context, c codeRequest) (codeGrant, error) {
	a := e.Target.Authorize
	g := codeGrant{redirectURI: a.RedirectURI, state: probes.Random(24), stateSent: true, verifier: probes.Random(64)}
	e.Redactor.Add("code_verifier", g.verifier)
	method, challenge := "S256", s256(g.verifier)
	if c.pkce == "plain" || c.pkce == "" && len(e.Target.PKCEMethods) > 0 && !slices.Contains(e.Target.PKCEMethods, "S256") {
		method, challenge = "plain", g.verifier
	}
	clientID := c.clientID
	if clientID == "" {
		clientID = e.Target.ClientID
	}
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {g.redirectURI},
		"state": {g.state}, "code_challenge": {challenge}, "code_challenge_method": {method}}
	if c.pkce == "none" {
		q.Del("code_challenge")
		q.Del("code_challenge_method")
	}
	scope := c.scope
	if scope == "" {
		scope = e.Target.Scope
	}
	if scope != "" {
		q.Set("scope", strings.Join(strings.Fields(scope), " "))
	}
	for k, v := range a.Params {
		q.Set(k, v)
	}
	authURL := addQuery(e.Target.Authorization, q.Encode())
	started := time.Now()
	actx, cancel := context.WithTimeout(ctx, e.authorizeTimeout())
	defer cancel()
	redirect, err := e.Authorizer.Authorize(actx, authURL)
	how := e.Authorizer.Name()
	label := c.label + " (authorization by " + how + ")"
	if err != nil {
		if actx.Err() != nil && ctx.Err() == nil && !strings.Contains(err.Error(), "timeout") {
			err = fmt.Errorf("%v (the authorize timeout of %s passed)", err, e.authorizeTimeout())
		}
		g.auth = e.Client.Recorded(label, http.MethodGet, authURL, 0, "", err.Error(), started)
		return g, err
	}
	u, perr := url.Parse(redirect)
	if perr != nil || !strings.HasPrefix(redirect, g.redirectURI) {
		err := fmt.Errorf("the %s ended at a URL that is not the redirect_uri %s", how, g.redirectURI)
		g.auth = e.Client.Recorded(label, http.MethodGet, authURL, 0, "", err.Error(), started)
		return g, err
	}
	params := u.Query()
	if u.Fragment != "" && params.Get("code") == "" {
		if f, err := url.ParseQuery(u.Fragment); err == nil {
			params = f
		}
	}
	g.code, g.stateBack = params.Get("code"), params.Get("state")
	e.Redactor.Add("authorization_code", g.code)
	g.auth = e.Client.Recorded(label, http.MethodGet, authURL, http.StatusFound, redirect, "", started)
	if g.code == "" {
		if code := params.Get("error"); code != "" {
			g.authError = code
			return g, fmt.Errorf("the authorization endpoint answered error=%s %s", code, params.Get("error_description"))
		}
		return g, fmt.Errorf("the redirect carries no code")
	}
	e.codeMu.Lock()
	e.codesUsed++
	e.codeMu.Unlock()
	return g, nil
}

// s256 is the S256 code_challenge of a verifier (RFC 7636 §4.2).
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// redeemParams are the parameters of the token request for a code (RFC
// 6749 §4.1.3, RFC 7636 §4.5).
func (e *Env) redeemParams(g codeGrant) []probes.Param {
	return append(e.grantParams(grants.AuthorizationCode, ""), probes.Param{Name: "code", Value: g.code},
		probes.Param{Name: "redirect_uri", Value: g.redirectURI}, probes.Param{Name: "code_verifier", Value: g.verifier})
}

// redeem sends the token request for a code, changed by edit (nil: as it
// should be), by the target's client.
func (e *Env) redeem(ctx context.Context, label string, g codeGrant, edit func([]probes.Param) []probes.Param) *wire.Exchange {
	return e.redeemAs(ctx, label, g, edit, sender{})
}

// redeemAs is redeem sent as c.
func (e *Env) redeemAs(ctx context.Context, label string, g codeGrant, edit func([]probes.Param) []probes.Param, c sender) *wire.Exchange {
	ps := e.redeemParams(g)
	if edit != nil {
		ps = edit(ps)
	}
	return e.send(ctx, c.request(e, probes.Request{Label: label, Grant: grants.AuthorizationCode, Params: ps}))
}

// codeChecks is the common shape of the checks: concern, a timeout that
// covers the authorizations they make.
func codeCheck(e *Env, req specs.Requirement, variant, title string, codes int, run func(t *T)) Check {
	timeout := DefaultTimeout
	if e.Target.Authorize != nil {
		timeout = time.Duration(codes)*e.authorizeTimeout() + time.Minute
	}
	return Check{Req: req, Concern: AuthCode, Variant: variant, Title: title, Timeout: timeout, Run: run}
}

// sharedCode is the code of the code-exchange check and its redemption,
// which the state check examines too.
type sharedCode struct {
	once sync.Once
	g    codeGrant
	err  error
	ex   *wire.Exchange
}

func (e *Env) exchangedCode(t *T) (codeGrant, *wire.Exchange) {
	if u := e.codeUnmet(); u != nil {
		t.Skip(u)
	}
	s := &e.codeShared
	s.once.Do(func() {
		s.g, s.err = e.authorizeCode(t.Ctx, codeRequest{label: "authorization code"})
		if s.err == nil {
			s.ex = e.redeem(t.Ctx, "authorization_code grant", s.g, nil)
		}
	})
	if s.g.auth != nil {
		t.Evidence(s.g.auth)
	}
	if s.err != nil {
		t.Abortf("no authorization code: %v", s.err)
	}
	t.Evidence(s.ex)
	return s.g, s.ex
}

func planCodeExchange(e *Env, req specs.Requirement) []Check {
	return []Check{codeCheck(e, req, "", "an authorization code redeemed with its redirect_uri and code_verifier yields a token", 1, func(t *T) {
		_, ex := t.Env.exchangedCode(t)
		t.credentialsRefused(ex, t.Env.authFor(grants.AuthorizationCode.Name))
		if ex.Status() != http.StatusOK || ex.String(t.Env.Spec.Member("access_token")) == "" {
			t.Errorf("the authorization code did not yield a token: %s", ex.Summary())
		}
	})}
}

func planCodeState(e *Env, req specs.Requirement) []Check {
	return []Check{codeCheck(e, req, "", "the authorization response carries the exact state that was sent", 1, func(t *T) {
		g, _ := t.Env.exchangedCode(t)
		if g.stateBack != g.state {
			if g.stateBack == "" {
				t.Errorf("the redirect to the client carries no state; the request sent one")
			} else {
				t.Errorf("the redirect carries state %q; the request sent %q", g.stateBack, g.state)
			}
		}
	})}
}

// codePair is one code redeemed twice, shared by the two reuse checks.
type codePair struct {
	once          sync.Once
	g             codeGrant
	err           error
	first, second *wire.Exchange
}

func planCodeReuse(e *Env, req specs.Requirement) []Check {
	revokes := checkArg(req) == "revokes"
	title := "a code redeemed a second time is refused"
	if revokes {
		title = "the token issued for a code stops working once the code is redeemed again"
	}
	return []Check{codeCheck(e, req, "", title, 1, func(t *T) {
		if u := t.Env.codeUnmet(); u != nil {
			t.Skip(u)
		}
		p := &t.Env.codeReuse
		p.once.Do(func() {
			p.g, p.err = t.Env.authorizeCode(t.Ctx, codeRequest{label: "authorization code for the reuse probe"})
			if p.err == nil {
				p.first = t.Env.redeem(t.Ctx, "first redemption of the code", p.g, nil)
				p.second = t.Env.redeem(t.Ctx, "second redemption of the same code", p.g, nil)
			}
		})
		if p.g.auth != nil {
			t.Evidence(p.g.auth)
		}
		if p.err != nil {
			t.Abortf("no authorization code: %v", p.err)
		}
		t.Evidence(p.first, p.second)
		at := p.first.String(t.Env.Spec.Member("access_token"))
		if p.first.Status() != http.StatusOK || at == "" {
			t.Skipf("the first redemption yielded no token (see RFC6749-4.1.3-CODE-EXCHANGE): %s", p.first.Summary())
		}
		if !revokes {
			expectCodeRefused(t, p.second, "the second redemption of the code", probes.BadCode)
			return
		}
		if works, where := t.Env.tokenStillWorks(t, "the first redemption's token after the code was redeemed again", at); works {
			t.Errorf("%s still accepts the token issued for the code after the code was redeemed a second time", where)
		}
	})}
}

func planCodeOtherClient(e *Env, req specs.Requirement) []Check {
	return []Check{codeCheck(e, req, "", "a code issued to the client is refused to another client", 1, func(t *T) {
		if t.Env.Target.OtherClientID == "" {
			t.Needf([]string{"other_client_id", "other_client_secret"}, "no second client (target keys other_client_id, other_client_secret)")
		}
		g := t.Env.newCode(t, "authorization code for the client-binding probe")
		other := t.Env.otherClient(grants.AuthorizationCode.Name)
		ex := t.Env.redeemAs(t.Ctx, "redemption by the other client", g, nil, other)
		t.Evidence(ex)
		// The requirement is that the code is not redeemed: any refusal
		// holds it. The error is bad_code's (RFC 6749 §5.2 invalid_grant,
		// or what the spec documents; unauthorized_client: the other
		// client may not use the grant at all); a server that reads
		// another client's code as failed client authentication answers
		// invalid_client, which is a note.
		expectRefused(t, ex, "the redemption by the other client")
		if len(t.Problems()) > 0 || ex.Status() < 400 {
			return
		}
		codes := probes.BadCode.Answer.Codes
		if ec, ok := t.Env.Spec.Condition(probes.BadCode.Name); ok && len(ec.Codes) > 0 {
			codes = ec.Codes
		}
		codes = append(slices.Clone(codes), "unauthorized_client")
		if code, err := t.Env.ErrorCode(ex); err == nil && !slices.Contains(codes, code) {
			t.Notef("refused with %q, where %s is named for a code issued to another client (RFC 6749 §5.2; unauthorized_client when the client may not use the grant)", code, strings.Join(codes[:len(codes)-1], " or "))
		}
		if other.unauthenticated() {
			t.Notef("the other client sent its client_id alone (none of the client authentication methods the spec documents takes its secret): a refusal for its authentication does not show that the code is bound to the client it was issued to")
		}
	})}
}

func planCodeRedirect(e *Env, req specs.Requirement) []Check {
	if checkArg(req) == "missing" {
		return []Check{codeCheck(e, req, "", "a code requested with a redirect_uri is refused when redeemed without one", 1, func(t *T) {
			g := t.Env.newCode(t, "authorization code for the missing redirect_uri probe")
			ex := t.Env.redeem(t.Ctx, "redemption without the redirect_uri", g, func(ps []probes.Param) []probes.Param {
				return probes.With(ps, "redirect_uri", "")
			})
			t.Evidence(ex)
			expectRefused(t, ex, "the redemption without the redirect_uri")
			// RFC 6749 §4.1.3 names no error of its own: invalid_grant
			// (the code's redirect_uri is not matched) or invalid_request
			// (a missing parameter) are what §5.2 offers.
			if len(t.Problems()) == 0 && ex.Status() >= 400 && !t.Env.Spec.Errors.Undocumented {
				if code, err := t.Env.ErrorCode(ex); err == nil && code != "invalid_grant" && code != "invalid_request" {
					t.Notef("refused with %q; RFC 6749 §5.2 would answer invalid_grant or invalid_request", code)
				}
			}
		})}
	}
	return []Check{codeCheck(e, req, "", "a code redeemed with another redirect_uri is refused", 1, func(t *T) {
		if arg := checkArg(req); arg != "other" {
			t.Errorf("check %q: code-redirect-uri knows other and missing", req.Check)
			return
		}
		g := t.Env.newCode(t, "authorization code for the redirect_uri probe")
		other := strings.TrimSuffix(g.redirectURI, "/") + "/tokencert-other"
		ex := t.Env.redeem(t.Ctx, "redemption with another redirect_uri", g, func(ps []probes.Param) []probes.Param {
			return probes.With(ps, "redirect_uri", other)
		})
		t.Evidence(ex)
		expectCodeRefused(t, ex, "the redemption with another redirect_uri", probes.RedirectMismatch)
	})}
}

func planPKCEVerifier(e *Env, req specs.Requirement) []Check {
	missing := checkArg(req) == "missing"
	variant, title := "wrong", "a code redeemed with a code_verifier that does not match its code_challenge is refused"
	if missing {
		variant, title = "missing", "a code requested with a code_challenge is refused without a code_verifier"
	}
	return []Check{codeCheck(e, req, variant, title, 1, func(t *T) {
		g := t.Env.newCode(t, "authorization code for the PKCE probe")
		// A wrong verifier is redacted like a real one: the report need not
		// tell which is which.
		value, extra := probes.Random(64), []string(nil)
		t.Env.Redactor.Add("code_verifier", value)
		if missing {
			// RFC 7636 §4.6 names invalid_grant for a verifier that does
			// not match; a missing one is also a missing parameter.
			value, extra = "", []string{"invalid_request"}
		}
		ex := t.Env.redeem(t.Ctx, "redemption with the code_verifier "+variant, g, func(ps []probes.Param) []probes.Param {
			return probes.With(ps, "code_verifier", value)
		})
		t.Evidence(ex)
		expectCodeRefused(t, ex, "the redemption with the code_verifier "+variant, probes.BadCode, extra...)
	})}
}

// expectCodeRefused expects a code redemption refused with a code the spec
// documents for cond (bad_code, redirect_mismatch), or one of extra; where
// it documents none, any refusal holds, and a code other than RFC 6749's
// (cond's answer, or extra) is a note.
func expectCodeRefused(t *T, ex *wire.Exchange, what string, cond *probes.Condition, extra ...string) {
	t.credentialsRefused(ex, t.Env.authFor(grants.AuthorizationCode.Name))
	ec, documented := t.Env.Spec.Condition(cond.Name)
	if !documented || t.Env.Spec.Errors.Undocumented {
		expectRefused(t, ex, what)
		if code, err := t.Env.ErrorCode(ex); ex.Status() >= 400 && ex.Status() < 500 && err == nil && !slices.Contains(append(slices.Clone(cond.Answer.Codes), extra...), code) {
			t.Notef("spec %s documents no error for %s; %s was refused with %q, where RFC 6749 §5.2 names %s", t.Env.Spec.Name, cond.Name, what, code, cond.Answer.Codes[0])
		}
		return
	}
	if len(ec.Codes) == 0 {
		expectRefused(t, ex, what)
		return
	}
	expectGrantRefused(t, ex, grants.AuthorizationCode, what, append(slices.Clone(ec.Codes), extra...)...)
}

// expectGrantRefused expects ex, a request of the target's client with
// its own credentials for grant g, refused, with one of codes unless the
// spec's errors are undocumented.
func expectGrantRefused(t *T, ex *wire.Exchange, g *grants.Grant, what string, codes ...string) {
	t.credentialsRefused(ex, t.Env.authFor(g.Name))
	expectRefused(t, ex, what)
	if ex.Status() < 400 || ex.Status() >= 500 || t.Env.Spec.Errors.Undocumented {
		return
	}
	if code, err := t.Env.ErrorCode(ex); err == nil && !slices.Contains(codes, code) {
		t.Errorf("%s was refused with %q; RFC 6749 §5.2 names %s", what, code, strings.Join(codes, " or "))
	}
}

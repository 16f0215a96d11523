package suites

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "status-200", Plan: planStatus200, Requirements: []string{"RFC6749-5.1-STATUS-200"},
		Fix: "Answer a valid token request with 200 and a JSON body holding the token (RFC 6749 §5.1), not 201 or a redirect.",
		Doc: "every success response has status 200 and a token"})
	register(&Kind{Name: "schema", Plan: planSchema,
		Fix: "Make the body match the spec's schema: the message names each member and what the schema expects of it (present, its type, its format).",
		Doc: "success or error bodies against the spec's schemas: the violations the schema attributes to this requirement"})
	register(&Kind{Name: "no-dup-members", Plan: successCheck("no member occurs twice in the JSON body", checkNoDuplicates), Requirements: []string{"RFC6749-3.2-NO-DUP-RESPONSE-PARAM"},
		Fix: "Write each member of the token response once (RFC 6749 §5.1: a JSON object, no repeated member).",
		Doc: "no member occurs twice in a success body"})
	register(&Kind{Name: "no-store", Plan: successCheck("token responses carry Cache-Control: no-store", checkNoStore), Requirements: []string{"RFC6749-5.1-CACHE-CONTROL-NO-STORE"},
		Fix: "Send `Cache-Control: no-store` with every response that carries a token or credentials (RFC 6749 §5.1).",
		Doc: "token responses carry `Cache-Control: no-store`"})
	register(&Kind{Name: "pragma", Plan: successCheck("token responses carry Pragma: no-cache", checkPragma), Requirements: []string{"RFC6749-5.1-PRAGMA-NO-CACHE"},
		Fix: "Send `Pragma: no-cache` with every token response (RFC 6749 §5.1).",
		Doc: "token responses carry `Pragma: no-cache`"})
	register(&Kind{Name: "client-auth", Arg: "basic|body", Plan: planClientAuth, Defaults: map[string]string{"RFC6749-2.3.1-BASIC-SUPPORT": "basic", "RFC6749-2.3.1-BODY-CREDENTIALS": "body"},
		Fix: "Accept the client's correct credentials by this method (RFC 6749 §2.3.1: HTTP Basic, form-urlencoded id and secret, or `client_id` and `client_secret` in the body) and issue the token.",
		Doc: "the method's correct client credentials are accepted"})
	register(&Kind{Name: "password-grant", Plan: planPasswordGrant, Requirements: []string{"RFC6749-4.3-PASSWORD-SUCCESS"},
		Fix: "Issue a token for the password grant when the resource owner's username and password are correct (RFC 6749 §4.3).",
		Doc: "the password grant with correct resource-owner credentials yields a token"})
	register(&Kind{Name: "cc-no-refresh", Plan: planCCNoRefresh, Requirements: []string{"RFC6749-4.4.3-CC-NO-REFRESH"},
		Fix: "Do not issue a refresh token with the client_credentials grant (RFC 6749 §4.4.3): the client can ask for a new access token with its credentials.",
		Doc: "a client_credentials response carries no refresh token"})
}

// successCheck plans one check over every successful token response.
func successCheck(title string, body func(t *T, ex *wire.Exchange)) func(e *Env, req specs.Requirement) []Check {
	return func(e *Env, req specs.Requirement) []Check {
		return []Check{{Req: req, Concern: Fields, Title: title, Run: func(t *T) {
			eachSuccess(t, func(ex *wire.Exchange) { body(t, ex) })
		}}}
	}
}

// eachResponse runs body on every shared response to a valid token
// request (SuccessResponses), attaching each as evidence, refused or not;
// it skips t when no token request can be made.
func eachResponse(t *T, body func(ex *wire.Exchange)) {
	eachFetched(t, func(f fetched) { body(f.ex) })
}

// eachFetched is eachResponse with what the token source knows of each
// response (its grant and client authentication).
func eachFetched(t *T, body func(f fetched)) {
	fs := t.Env.SuccessResponses(t.Ctx)
	if len(fs) == 0 {
		if _, u := t.Env.PrimaryGrant(); u != nil {
			t.Skip(u)
		}
		t.Unexercised("no token request can be made")
	}
	for _, f := range fs {
		t.Evidence(f.prior...)
		if f.ex == nil {
			t.Notef("not examined: %s", f.why())
			continue
		}
		t.Evidence(f.ex)
		body(f)
	}
}

// eachSuccess runs body on every shared response to a valid token request
// that issued a token (2xx). A refused one is noted, not examined: the
// status-200 check (or the check of the client's authentication) judges
// the refusal, once. Where none issued a token,
// the check could not exercise its requirement.
func eachSuccess(t *T, body func(ex *wire.Exchange)) {
	n := 0
	eachResponse(t, func(ex *wire.Exchange) {
		if !succeeded(ex) {
			t.Notef("%s: no token to examine (the status-200 check, or the check of the client's authentication, judges the refusal): %s", ex.Label, ex.Summary())
			return
		}
		n++
		body(ex)
	})
	if n == 0 {
		t.Unexercised("no valid token request yielded a token, so there is none to examine (see the status-200 check, RFC6749-5.1-STATUS-200)")
	}
}

// eachError runs body on every induced error response, attaching each as
// evidence; it skips t when no error could be induced.
func eachError(t *T, body func(ex *wire.Exchange)) {
	exs := t.Env.ErrorResponses(t.Ctx)
	if len(exs) == 0 {
		t.Skipf("no error could be induced with this target")
	}
	for _, ex := range exs {
		t.Evidence(ex)
		body(ex)
	}
}

// examined runs body on ex when it answered 2xx; a check that judges one
// exchange by itself skips when it has no token to examine (the check of
// the request's status judges the refusal).
func examined(t *T, ex *wire.Exchange, body func()) {
	if !succeeded(ex) {
		t.Unexercised("%s: no token to examine (the status-200 check, or the check of the client's authentication, judges the refusal): %s", ex.Label, ex.Summary())
	}
	body()
}

func planStatus200(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Fields, Title: "a valid token request is answered 200 with a token", Run: func(t *T) {
		eachFetched(t, func(f fetched) {
			ex := f.ex
			if !ex.OK() {
				t.Errorf("%s: %s", ex.Label, ex.Err)
				return
			}
			if ex.Status() == 200 {
				return
			}
			// A refusal of the client's credentials is the failure of the
			// check of that method's acceptance, where one runs and fails
			// on it: this check does not fail it a second time.
			if owner := t.Env.refusalOwner(t.Ctx, f.auth, t.Check.Req.Level, ex); owner != nil {
				t.Notef("%s: the client's %s credentials were refused, which %s judges (it fails): %s", ex.Label, f.auth, owner.Req.ID, ex.Summary())
				return
			}
			t.Errorf("%s: status %d, want 200: %s", ex.Label, ex.Status(), ex.Summary())
		})
	}}}
}

// credentialsRefused ends t as unexercised when ex, a request the client
// authenticated by method with its own credentials, was refused for them
// and a check of this run that judges method's acceptance fails on the
// same refusal (Env.refusalOwner): the refusal shows nothing of t's
// requirement, and it is that check's failure, not t's. A server that
// refuses a client's only method then fails one check, not every check
// that sent a request.
func (t *T) credentialsRefused(ex *wire.Exchange, method string) {
	owner := t.Env.refusalOwner(t.Ctx, method, t.Check.Req.Level, ex)
	if owner == nil || owner.ID() == t.Check.ID() {
		return
	}
	t.Unexercised("%s: the client's %s credentials were refused, as they are in every request (%s fails), so the answer shows nothing of %s: %s", ex.Label, method, owner.Req.ID, t.Check.Req.ID, ex.Summary())
}

// authRefused reports whether ex refuses the client's credentials: a 401,
// or the error invalid_client (RFC 6749 §5.2).
func (e *Env) authRefused(ex *wire.Exchange) bool {
	if ex == nil || !ex.OK() || ex.Status() < 400 {
		return false
	}
	if ex.Status() == http.StatusUnauthorized {
		return true
	}
	code, err := e.ErrorCode(ex)
	return err == nil && code == "invalid_client"
}

// refusalOwner is the check that judges ex, a refusal of a request the
// client authenticated by method: a check of this run that judges the
// acceptance of method (Check.Accepts), at a level no lower than level,
// and that fails, because the response it examines refuses the client's
// credentials too. Nil when ex is no such refusal or no check owns it:
// then the check that asks must judge ex itself, so that no broken server
// passes.
func (e *Env) refusalOwner(ctx context.Context, method string, level specs.Level, ex *wire.Exchange) *Check {
	if method == "" || !e.authRefused(ex) {
		return nil
	}
	for i := range e.running {
		c := &e.running[i]
		if c.Accepts != method || (level.Mandatory() && !c.Req.Level.Mandatory()) {
			continue
		}
		g, u := e.acceptanceGrant(method)
		if u != nil {
			continue
		}
		// A method a requirement only permits (planClientAuth), or a JWT
		// method the spec lists after another (planClientAssertion), fails
		// only where the target says the client is registered for it.
		further := IsAssertionAuth(method) && method != e.firstAssertionAuth()
		if (!c.Req.Level.Mandatory() || further) && !slices.Contains(e.Target.ClientAuth, method) {
			continue
		}
		if e.authRefused(e.tokenBy(ctx, g, method).ex) {
			return c
		}
	}
	return nil
}

// acceptanceGrant is the grant by which the check of a client
// authentication method's acceptance requests a token, or why it does
// not judge the method.
func (e *Env) acceptanceGrant(method string) (*grants.Grant, *probes.Unmet) {
	switch {
	case IsAssertionAuth(method):
		return e.assertionGrant(method)
	case IsMTLSAuth(method):
		return e.mtlsGrant(method)
	}
	return e.clientAuthGrant(method)
}

// clientAuthGrant is the grant by which the client-auth check of a secret
// method (basic, body) requests a token, or why it does not apply.
func (e *Env) clientAuthGrant(auth string) (*grants.Grant, *probes.Unmet) {
	switch {
	case !e.Spec.Supports(auth) && !slices.ContainsFunc(e.Spec.Grants, func(g specs.Grant) bool { return slices.Contains(g.ClientAuth, auth) }):
		return nil, probes.Excluded(fmt.Sprintf("spec %s documents no %s client authentication", e.Spec.Name, auth))
	case e.Target.Public():
		return nil, probes.Excluded(probes.PublicWhy)
	case len(e.Target.ClientAuth) > 0 && !slices.Contains(e.Target.ClientAuth, auth):
		return nil, probes.Excluded(fmt.Sprintf("the client is not registered for %s client authentication (its client_auth: %s)", auth, strings.Join(e.Target.ClientAuth, ", ")))
	}
	return e.tokenGrant(func(g *grants.Grant) bool {
		return g.Issues() && slices.Contains(e.Spec.ClientAuthFor(g.Name), auth)
	})
}

func checkNoDuplicates(t *T, ex *wire.Exchange) {
	examined(t, ex, func() {
		if d := wire.DuplicateKeys(ex.Body()); len(d) > 0 {
			t.Errorf("%s: member(s) %s occur more than once", ex.Label, strings.Join(d, ", "))
		}
	})
}

// hasDirective reports whether a comma-separated header list has a directive,
// case-insensitively, across all header lines.
func hasDirective(values []string, directive string) bool {
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(d), "=")
			if strings.EqualFold(name, directive) {
				return true
			}
		}
	}
	return false
}

func checkNoStore(t *T, ex *wire.Exchange) {
	examined(t, ex, func() {
		if cc := ex.Header().Values("Cache-Control"); !hasDirective(cc, "no-store") {
			t.Errorf("%s: Cache-Control is %q, which lacks no-store", ex.Label, strings.Join(cc, ", "))
		}
	})
}

func checkPragma(t *T, ex *wire.Exchange) {
	examined(t, ex, func() {
		if p := ex.Header().Values("Pragma"); !hasDirective(p, "no-cache") {
			t.Errorf("%s: Pragma is %q, want no-cache", ex.Label, strings.Join(p, ", "))
		}
	})
}

// planSchema checks the part of the success schema (or the error schema)
// that the requirement is named on.
func planSchema(e *Env, req specs.Requirement) []Check {
	var out []Check
	var refs []string
	for _, s := range e.TokenSchemas() {
		if slices.Contains(s.Requirements(), req.ID) {
			refs = append(refs, s.Ref)
		}
	}
	if len(refs) > 0 {
		out = append(out, Check{Req: req, Concern: Fields, Title: "success bodies match " + strings.Join(refs, ", "), Run: func(t *T) {
			eachSuccess(t, func(ex *wire.Exchange) { schemaProblems(t, ex, req.ID, true) })
		}})
	}
	for _, r := range e.ErrorSchema.Requirements() {
		if r == req.ID {
			out = append(out, Check{Req: req, Concern: Errors, Title: "error bodies match " + e.Spec.Errors.Schema, Run: func(t *T) {
				eachError(t, func(ex *wire.Exchange) { schemaProblems(t, ex, req.ID, false) })
			}})
		}
	}
	return out
}

// schemaProblems validates one body and reports the violations attributed
// to id. Whether the body is JSON of the documented media type belongs to
// the schema's root requirement.
func schemaProblems(t *T, ex *wire.Exchange, id string, success bool) {
	s, media := t.Env.tokenSchema(ex), t.Env.Spec.ResponseMediaType()
	if !success {
		s, media = t.Env.ErrorSchema, t.Env.Spec.Errors.MediaType
	}
	root := s.Root() == id
	if !ex.OK() {
		if root {
			t.Errorf("%s: %s", ex.Label, ex.Err)
		}
		return
	}
	if root && media != "" && ex.MediaType() != media {
		t.Errorf("%s: Content-Type %q, want %s", ex.Label, ex.Header().Get("Content-Type"), media)
	}
	doc, err := ex.JSON()
	if err != nil {
		if root {
			t.Errorf("%s: %v: %s", ex.Label, err, ex.Summary())
		}
		return
	}
	for _, v := range s.Validate(doc) {
		if v.Requirement == id {
			t.Errorf("%s: %s: %s", ex.Label, v.Field, v.Message)
		}
	}
}

func planClientAuth(e *Env, req specs.Requirement) []Check {
	auth := checkArg(req)
	return []Check{{Req: req, Concern: Fields, Variant: auth, Accepts: auth, Title: fmt.Sprintf("the endpoint authenticates a client by %s credentials", auth), Run: func(t *T) {
		grant, u := t.Env.clientAuthGrant(auth)
		if u != nil {
			t.Skip(u)
		}
		ex := t.use(t.Env.tokenBy(t.Ctx, grant, auth))
		if ex.Status() == 200 && ex.String(t.Env.Spec.Member("access_token")) != "" {
			return
		}
		// A method the requirement only permits (MAY) is not owed unless the
		// target says the client is registered for it.
		if !t.Check.Req.Level.Mandatory() && len(t.Env.Target.ClientAuth) == 0 {
			t.Skipf("the endpoint does not offer %s client authentication (%s: %s); list it in the target's client_auth to require it: %s", auth, t.Check.Req.Cite, t.Check.Req.Level, ex.Summary())
		}
		t.Errorf("%s credentials were not accepted: %s", auth, ex.Summary())
	}}}
}

func planPasswordGrant(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Fields, Variant: "password", Title: "correct resource-owner credentials yield a token", Run: func(t *T) {
		f := t.Env.tokenBy(t.Ctx, grants.Password, "")
		ex := t.use(f)
		t.credentialsRefused(ex, f.auth)
		if ex.Status() != 200 || ex.String(t.Env.Spec.Member("access_token")) == "" {
			t.Errorf("the password grant did not yield a token: %s", ex.Summary())
		}
	}}}
}

func planCCNoRefresh(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Refresh, Variant: "client_credentials", Title: "a client_credentials response carries no refresh token", Run: func(t *T) {
		ex := t.use(t.Env.tokenBy(t.Ctx, grants.ClientCredentials, ""))
		examined(t, ex, func() {
			if m, err := ex.Object(); err == nil {
				if _, has := m[t.Env.Spec.Member("refresh_token")]; has {
					t.Errorf("the client_credentials response includes a %s member", t.Env.Spec.Member("refresh_token"))
				}
			}
		})
	}}}
}

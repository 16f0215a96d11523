package suites

import (
	"net/http"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

// The callers of revocation (RFC 7009 §2.1) and introspection (RFC 7662
// §2.1) authenticate: a request without client authentication, or with a
// wrong client secret, is refused (with invalid_client at revocation,
// whose errors are RFC 6749 §5.2's), a wrong secret sent by HTTP Basic
// with 401 and a Basic challenge; and the revocation endpoint revokes no
// token of the client's at another client's request. Both endpoints are
// optional: a target that names neither skips the checks without making
// the run incomplete; a public client has no credentials, so the checks
// of credentials do not apply to it.

func init() {
	register(&Kind{Name: "caller-auth", Arg: "revocation|introspection", Plan: planCallerAuth,
		Defaults: map[string]string{"RFC7009-2.1-REVOCATION-CLIENT-CHECKS": "revocation", "RFC7662-2.1-CALLER-AUTH": "introspection"},
		Fix:      "Authenticate the callers of revocation and introspection: refuse a request without client authentication or with wrong credentials with `invalid_client` (401 with a `WWW-Authenticate` challenge after HTTP Basic, RFC 6749 §5.2), and revoke only the calling client's own tokens (RFC 7009 §2.1, RFC 7662 §2.1).",
		Doc:      "where the target names the endpoint (target keys `revocation`, `introspection`; skipped without making the run incomplete otherwise) and the client is confidential, a request about a token of the client's without client authentication (`no-auth`), and one with a wrong client secret (`wrong-secret`: the client's method at the revocation endpoint, HTTP Basic at introspection), is refused, never answered with token data, with `invalid_client` at the revocation endpoint (RFC 7009 §2.2.1; another code noted at introspection, whose RFC prescribes the 401 alone; a body without a readable code noted); a wrong secret sent by HTTP Basic is answered 401 with a Basic challenge (RFC 6749 §5.2); at the revocation endpoint, a token of the client's that the second client (target keys `other_client_id`, `other_client_secret`) revokes keeps working at introspection or the resource (`other-client`)"})
}

// callerEndpoint is an endpoint whose callers authenticate.
type callerEndpoint struct {
	name, key string
	// errorBody: the endpoint's errors are RFC 6749 §5.2's (RFC 7009
	// §2.2.1), so a failed authentication is invalid_client; RFC 7662
	// prescribes the 401 alone, and another code is noted.
	errorBody bool
	url       func(e *Env) string
	// token is the token the probes ask about.
	token func(t *T) string
	// send sends the request about token with the client authentication
	// auth ("none", or basic or body with secret).
	send func(t *T, label, token, auth, secret string) *wire.Exchange
}

var revocationCaller = callerEndpoint{
	name: "revocation", key: "revocation", errorBody: true,
	url: func(e *Env) string { return e.Target.Revocation },
	token: func(t *T) string {
		// A token of its own: a server that revokes it without
		// authenticating the caller spoils no other check's.
		f := t.Env.sharedFetch("caller-auth/revocation", func() fetched {
			return t.Env.freshToken(t.Ctx, "token for the revocation caller probes", obtainOpts{})
		})
		return accessTokenOf(t, f)
	},
	send: func(t *T, label, token, auth, secret string) *wire.Exchange {
		ps := []probes.Param{{Name: "token", Value: token}, {Name: "token_type_hint", Value: "access_token"}}
		return t.Env.send(t.Ctx, probes.Request{Label: label, Params: ps, Auth: auth, ClientID: t.Env.Target.ClientID, Secret: secret,
			URL: t.Env.Target.Revocation})
	},
}

var introspectionCaller = callerEndpoint{
	name: "introspection", key: "introspection",
	url:   func(e *Env) string { return e.Target.Introspection },
	token: func(t *T) string { return accessTokenOf(t, t.Env.anyToken(t.Ctx)) },
	send: func(t *T, label, token, auth, secret string) *wire.Exchange {
		authorization := ""
		if auth == "basic" {
			authorization = basicAuthorization(t.Env.Target.ClientID, secret)
		}
		return t.Env.introspectAs(t.Ctx, label, token, authorization)
	},
}

// accessTokenOf is the access token of f's response; t is unexercised
// without one.
func accessTokenOf(t *T, f fetched) string {
	ex := t.use(f)
	at := ex.String(t.Env.Spec.Member("access_token"))
	if !succeeded(ex) || at == "" {
		t.Unexercised("no access token to ask about (see the token request's own checks): %s", ex.Summary())
	}
	return at
}

func planCallerAuth(e *Env, req specs.Requirement) []Check {
	arg := checkArg(req)
	ep := map[string]callerEndpoint{"revocation": revocationCaller, "introspection": introspectionCaller}[arg]
	check := func(variant, title string, wrong bool) Check {
		return Check{Req: req, Concern: Security, Variant: variant, Title: title, Run: func(t *T) {
			if ep.name == "" {
				t.Errorf("check %q: caller-auth knows revocation and introspection", req.Check)
				return
			}
			runCallerAuth(t, ep, wrong)
		}}
	}
	out := []Check{
		check("no-auth", "a request to the "+arg+" endpoint without client authentication is refused", false),
		check("wrong-secret", "a request to the "+arg+" endpoint with a wrong client secret is refused", true),
	}
	if arg == "revocation" {
		out = append(out, Check{Req: req, Concern: Security, Variant: "other-client", Title: "a token is not revoked at another client's request", Run: runRevokeOtherClient})
	}
	return out
}

// runRevokeOtherClient has the second client revoke a token of the
// client's: the server refuses, or answers 200 as for a token it does not
// know (RFC 7009 §2.2 allows either), and the token keeps working (§2.1:
// the server verifies the token was issued to the client revoking it).
func runRevokeOtherClient(t *T) {
	e := t.Env
	if e.Target.Revocation == "" {
		t.Skipf("%s", noRevocation)
	}
	if e.Target.OtherClientID == "" {
		t.Needf([]string{"other_client_id", "other_client_secret"}, "no second client to revoke the client's token with (target keys other_client_id, other_client_secret)")
	}
	token := accessTokenOf(t, t.Env.freshToken(t.Ctx, "token for the other client's revocation", obtainOpts{}))
	other := e.otherClient("")
	if other.unauthenticated() {
		t.Notef("the second client has no secret the spec's methods take: it asks by its client_id alone")
	}
	ps := []probes.Param{{Name: "token", Value: token}, {Name: "token_type_hint", Value: "access_token"}}
	ex := e.send(t.Ctx, other.request(e, probes.Request{Label: "revocation of the client's token by the other client", Params: ps, URL: e.Target.Revocation}))
	t.Evidence(ex)
	if !ex.OK() {
		t.Errorf("the other client's revocation: %s", ex.Summary())
		return
	}
	if ex.Status() != http.StatusOK {
		t.Notef("the other client's revocation was refused with %d (RFC 7009 §2.1); the server may also answer 200 as for a token it does not know (§2.2)", ex.Status())
	}
	if works, where := e.tokenStillWorks(t, "the client's token after the other client revoked it", token); !works {
		t.Errorf("the other client revoked a token issued to the client: %s refuses it now (RFC 7009 §2.1: the server verifies that the token was issued to the client making the revocation request)", where)
	}
}

func runCallerAuth(t *T, ep callerEndpoint, wrong bool) {
	e := t.Env
	if ep.url(e) == "" {
		// Both endpoints are optional (RFC 7009, RFC 7662).
		t.Skipf("the target names no %s endpoint (target key %s, or an issuer whose metadata names it), so its callers' authentication is not checked", ep.name, ep.key)
	}
	if e.Target.Public() {
		t.Skipf("the client is public (client_auth: none): it has no credentials whose absence or error the %s endpoint could refuse", ep.name)
	}
	auth := "none"
	if wrong {
		auth = "basic"
		if ep.name == "revocation" {
			auth = e.DefaultAuth()
		}
		if auth != "basic" && auth != "body" {
			t.Skipf("the client authenticates by %s, which sends no client secret to get wrong", auth)
		}
		if e.Target.ClientID == "" {
			t.Needf([]string{"client_id"}, "no client (target key client_id)")
		}
	}
	token := ep.token(t)
	secret, label := "", ep.name+" request without client authentication"
	if wrong {
		secret = probes.Wrong()
		e.Redactor.Add("client_secret", secret)
		label = ep.name + " request with a wrong client secret (" + auth + ")"
	}
	ex := ep.send(t, label, token, auth, secret)
	t.Evidence(ex)
	what := "a request to the " + ep.name + " endpoint " + map[bool]string{false: "without client authentication", true: "with a wrong client secret"}[wrong]
	switch s := ex.Status(); {
	case !ex.OK():
		t.Errorf("%s: %s", what, ex.Summary())
		return
	case s >= 200 && s < 300:
		t.Errorf("%s was answered %d: %s", what, s, callerAccepted(ep, ex))
		return
	case s < 400 || s >= 500:
		t.Errorf("%s was answered %d, not refused with a client error: %s", what, s, ex.Summary())
		return
	}
	if auth == "basic" {
		// RFC 6749 §5.2: after HTTP Basic, invalid_client is 401 with a
		// challenge of the scheme the client used (RFC 7662 §2.3: 401).
		if ex.Status() != http.StatusUnauthorized {
			t.Errorf("%s by HTTP Basic was answered %d, not 401 (RFC 6749 §5.2, invalid_client)", what, ex.Status())
		} else if !challenges(ex.Header().Values("WWW-Authenticate"), "Basic") {
			t.Errorf("401 after HTTP Basic without a WWW-Authenticate Basic challenge (RFC 6749 §5.2); got %q", ex.Header().Values("WWW-Authenticate"))
		}
	} else if s := ex.Status(); s != http.StatusBadRequest && s != http.StatusUnauthorized {
		t.Notef("refused with status %d; RFC 6749 §5.2 answers invalid_client with 401 (or 400)", s)
	}
	if e.Spec.Errors.Undocumented {
		return
	}
	switch code, err := e.ErrorCode(ex); {
	case err != nil:
		t.Notef("no error code could be read from the refusal (%v); RFC 6749 §5.2 answers invalid_client", err)
	case code == "invalid_client":
	case ep.errorBody:
		t.Errorf("refused with %q; a caller whose client authentication failed is answered invalid_client (RFC 7009 §2.2.1: the errors of RFC 6749 §5.2, which names invalid_client for \"no client authentication included\" and a failed one)", code)
	default:
		t.Notef("refused with %q; RFC 7662 §2.3 prescribes the 401 alone, and RFC 6749 §5.2, to which it refers, names invalid_client", code)
	}
}

// callerAccepted says what an endpoint's 2xx answer to an unauthenticated
// caller gave away.
func callerAccepted(ep callerEndpoint, ex *wire.Exchange) string {
	if ep.name == "revocation" {
		return "the client's credentials are validated before a token is revoked (RFC 7009 §2.1)"
	}
	if m, err := ex.Object(); err == nil && m["active"] == true {
		return "introspection described the token to a caller it did not authenticate (RFC 7662 §2.1, §4)"
	}
	return "introspection answered a caller it did not authenticate (RFC 7662 §2.1: the endpoint requires the caller's authorization)"
}

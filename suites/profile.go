package suites

import (
	"crypto/rand"
	"encoding/hex"
	"slices"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
)

// Checks of profiles that restrict RFC 6749 (FAPI 2.0): what the profile
// forbids is refused even when the client offers it correctly.

func init() {
	register(&Kind{Name: "secret-auth-refused", Plan: planSecretAuthRefused,
		Fix: "Refuse client-secret authentication (HTTP Basic, or the secret in the body) where the profile allows only stronger methods (FAPI 2.0: `private_key_jwt`, mTLS).",
		Doc: "the primary grant's request authenticated by the client's secret, by HTTP Basic and by `client_id` and `client_secret` in the body, is refused (any refusal), for a profile that allows no client-secret method; it needs the secret the server registered for the client (target key `client_secret`): a made-up one is refused by every server and shows nothing"})
	register(&Kind{Name: "grant-refused", Arg: "password", Plan: planGrantRefused,
		Fix: "Refuse the grant this profile forbids (the password grant) with `unsupported_grant_type` or `unauthorized_client`, whatever credentials come with it.",
		Doc: "a token request of the grant (`password`) with the spec's client authentication is refused: `unsupported_grant_type` or `unauthorized_client` show the grant itself is refused; another refusal shows it only when the request carried the real resource-owner credentials (target keys `username`, `password`), otherwise the check is a skip that names them"})
}

func planSecretAuthRefused(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Errors, Title: "a client authenticating with its client secret is refused", Run: func(t *T) {
		if t.Env.Target.ClientSecret == "" {
			// A client of a profile that allows no secret usually has none.
			t.Skipf("the client has no client secret (target key client_secret) to offer by the secret-based methods; a made-up secret is refused by every server and shows nothing")
		}
		for _, auth := range []string{"basic", "body"} {
			label := "token request, client secret by " + auth
			r := t.fresh(label, nil, obtainOpts{auth: auth})
			r.Label = r.Grant.Short() + " grant, client secret by " + auth
			ex := t.Env.send(t.Ctx, r)
			t.Evidence(ex)
			expectRefused(t, ex, "the request authenticated by the client secret ("+map[string]string{"basic": "HTTP Basic, client_secret_basic", "body": "in the body, client_secret_post"}[auth]+")")
		}
	}}}
}

func planGrantRefused(e *Env, req specs.Requirement) []Check {
	grant := checkArg(req)
	return []Check{{Req: req, Concern: Errors, Variant: grant, Title: "the " + grant + " grant is refused", Run: func(t *T) {
		if grant != "password" {
			t.Errorf("check %q: grant-refused knows the password grant", req.Check)
			return
		}
		if u := t.Env.authUnmet(grants.Password.Name); u != nil {
			t.Skip(u)
		}
		ps := t.Env.grantParams(grants.Password, "")
		real := t.Env.Target.Username != "" && t.Env.Target.Password != ""
		user, pass := t.Env.Target.Username, t.Env.Target.Password
		if !real {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			user, pass = "tokencert-probe", "tokencert-"+hex.EncodeToString(b)
		}
		ps = probes.With(probes.With(ps, "username", user), "password", pass)
		ex := t.Env.send(t.Ctx, probes.Request{Label: "password grant (a profile that forbids it)", Grant: grants.Password, Params: ps, Auth: t.Env.authFor(grants.Password.Name)})
		t.Evidence(ex)
		if ex.OK() && ex.Status() >= 200 && ex.Status() < 300 && !t.Env.refusedWithSuccess(ex) {
			t.Errorf("the password grant was served (status %d): %s", ex.Status(), ex.Summary())
			return
		}
		expectRefused(t, ex, "the password grant")
		if len(t.Problems()) > 0 {
			return
		}
		code, _ := t.Env.ErrorCode(ex)
		switch {
		case slices.Contains([]string{"unsupported_grant_type", "unauthorized_client"}, code):
		case real:
			t.Notef("refused with %q; the request carried the real resource-owner credentials, so the grant itself was refused", code)
		default:
			t.Needf([]string{"username", "password"}, "refused with %q, which a server that serves the grant also answers made-up resource-owner credentials with; the real ones would show the grant is refused (target keys username, password)", code)
		}
	}}}
}

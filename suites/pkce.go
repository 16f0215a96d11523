package suites

import (
	"net/http"
	"slices"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
)

// PKCE downgrades (RFC 7636 §4.4.1, RFC 9700 §2.1.1, §4.8.2): a code
// requested with the plain method where the server offers only S256, and
// a code requested without a challenge, then redeemed with a verifier.

func init() {
	register(&Kind{Name: "pkce-downgrade", Arg: "plain|no-challenge|public", Plan: planPKCEDowngrade,
		Defaults: map[string]string{"RFC7636-4.4.1-PLAIN-REFUSED": "plain", "RFC9700-2.1.1-PKCE-DOWNGRADE": "no-challenge",
			"OAUTH21-4.1.1-PUBLIC-CLIENT-PKCE": "public"},
		Fix: "Enforce PKCE as advertised: refuse `code_challenge_method=plain` where only S256 is offered (RFC 7636 §4.4.1), and require a `code_challenge` for every code, refusing a `code_verifier` for a code issued without one (RFC 9700 §4.8.2).",
		Doc: "`plain`: where the server's PKCE methods (target key `pkce_methods`, or the metadata's `code_challenge_methods_supported`) list S256 and not plain, a code requested with `code_challenge_method=plain` is refused: at the authorization endpoint (`invalid_request`, RFC 7636 §4.4.1), or, noted, when redeemed; `no-challenge`: a code requested without a `code_challenge` is refused at the authorization endpoint (the server requires PKCE), or, when one is issued, its redemption with a `code_verifier` is refused (RFC 9700 §4.8.2's downgrade); `public`: a public client's code (the target's own client with `client_auth: [none]`, or `public_client_id`; skipped without making the run incomplete where there is none) requested without a `code_challenge` is refused at the authorization endpoint, or, noted, its redemption by `client_id` alone without a `code_verifier` is"})
}

func planPKCEDowngrade(e *Env, req specs.Requirement) []Check {
	arg := checkArg(req)
	title := map[string]string{"plain": "a code requested with the plain PKCE method is refused where the server offers only S256",
		"no-challenge": "a code requested without a code_challenge is refused, or its redemption with a code_verifier is",
		"public":       "a public client's code requested without a code_challenge is refused, or its redemption without a code_verifier is"}[arg]
	if arg == "public" {
		return []Check{codeCheck(e, req, arg, title, 1, runPublicPKCE)}
	}
	return []Check{codeCheck(e, req, arg, title, 1, func(t *T) {
		if arg != "plain" && arg != "no-challenge" {
			t.Errorf("check %q: pkce-downgrade knows plain, no-challenge and public", req.Check)
			return
		}
		if u := t.Env.codeUnmet(); u != nil {
			t.Skip(u)
		}
		methods := t.Env.Target.PKCEMethods
		pkce := "none"
		if arg == "plain" {
			switch {
			case len(methods) == 0:
				t.Needf([]string{"pkce_methods", "issuer"}, "the server's PKCE methods are unknown, so whether it must refuse plain cannot be told (target key pkce_methods, or an issuer whose metadata lists code_challenge_methods_supported)")
			case slices.Contains(methods, "plain") || !slices.Contains(methods, "S256"):
				t.Skipf("the server offers the plain method (pkce_methods %q): a code requested with it may be issued", methods)
			}
			pkce = "plain"
		}
		g, err := t.Env.authorizeCode(t.Ctx, codeRequest{label: "authorization code requested with " + map[string]string{"plain": "code_challenge_method=plain", "none": "no code_challenge"}[pkce], pkce: pkce})
		if g.auth != nil {
			t.Evidence(g.auth)
		}
		switch {
		case g.authError != "":
			if arg == "plain" && g.authError != "invalid_request" {
				t.Notef("the authorization endpoint refused it with %q; RFC 7636 §4.4.1 names invalid_request", g.authError)
			}
			return
		case err != nil:
			t.Skipf("the authorization did not reach the redirect, so a refusal cannot be told from a failure: %v", err)
		}
		// A code was issued: its redemption must be refused.
		ex := t.Env.redeem(t.Ctx, "redemption of the code, with a code_verifier", g, nil)
		t.Evidence(ex)
		if ex.OK() && ex.Status() == http.StatusOK && ex.String(t.Env.Spec.Member("access_token")) != "" {
			if arg == "plain" {
				t.Errorf("a code requested with the plain method, which the server does not offer (pkce_methods %q), was issued and redeemed for a token (RFC 7636 §4.4.1: invalid_request)", methods)
			} else {
				t.Errorf("a code requested without a code_challenge was redeemed with a code_verifier: the PKCE downgrade RFC 9700 §2.1.1 and §4.8.2 require the server to refuse")
			}
			return
		}
		expectRefused(t, ex, "the redemption")
		if len(t.Problems()) == 0 {
			t.Notef("the code was issued, and refused only when redeemed")
		}
	})}
}

// runPublicPKCE has a public client request a code without a
// code_challenge and redeem it by client_id alone without a code_verifier
// (draft-ietf-oauth-v2-1 §4.1.1: the server rejects such requests from
// public clients; RFC 9700 §2.1.1: public clients use PKCE).
func runPublicPKCE(t *T) {
	id := t.Env.publicClient()
	if id == "" {
		// Not every server has public clients: this is no want.
		t.Skipf("the target names no public client (client_auth none, or public_client_id), so the rule for public clients is not checked")
	}
	if u := t.Env.codeUnmet(); u != nil {
		t.Skip(u)
	}
	g, err := t.Env.authorizeCode(t.Ctx, codeRequest{label: "the public client's authorization code requested without a code_challenge", pkce: "none", clientID: id})
	if g.auth != nil {
		t.Evidence(g.auth)
	}
	switch {
	case g.authError != "":
		if g.authError != "invalid_request" {
			t.Notef("the authorization endpoint refused it with %q; OAuth 2.1 §4.1.2.1 names invalid_request for a missing code_challenge", g.authError)
		}
		return
	case err != nil:
		t.Skipf("the authorization did not reach the redirect, so a refusal cannot be told from a failure: %v", err)
	}
	ps := probes.With(t.Env.redeemParams(g), "code_verifier", "")
	ex := t.Env.send(t.Ctx, probes.Request{Label: "the public client's redemption of the code, without a code_verifier", Grant: grants.AuthorizationCode,
		Params: ps, Auth: authPublic, ClientID: id})
	t.Evidence(ex)
	if succeeded(ex) && ex.String(t.Env.Spec.Member("access_token")) != "" {
		t.Errorf("a public client's code requested without a code_challenge was redeemed without a code_verifier for a token (OAuth 2.1 §4.1.1: the server rejects such requests from public clients; RFC 9700 §2.1.1)")
		return
	}
	expectRefused(t, ex, "the redemption")
	if len(t.Problems()) == 0 {
		t.Notef("the code was issued, and refused only when redeemed")
	}
}

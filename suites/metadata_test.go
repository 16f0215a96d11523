package suites

import (
	"context"
	"testing"

	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// The metadata says what the server does: the grants it served the client
// are listed, the PKCE methods it lists work.
func TestMetadataConsistent(t *testing.T) {
	t.Parallel()
	expectVerdicts(t, "RFC8414-2-GRANT-TYPES-CONSISTENT", []verdictCase{
		{name: "grants/conformant", spec: "oauth21", want: map[string]string{"grant-types": "pass"}, note: "the metadata lists each"},
		{name: "grants/omitted", spec: "oauth21", faults: []string{"metadata-grant-omitted"}, want: map[string]string{"grant-types": "fail"}},
		{name: "grants/omitted/code-only", spec: "oauth21", faults: []string{"metadata-grant-omitted"}, edit: codeOnly, want: map[string]string{"grant-types": "fail"}},
		{name: "grants/unserved", spec: "oauth21", faults: []string{"metadata-grant-unserved"}, want: map[string]string{"grant-types": "fail"}},
	})
	expectVerdicts(t, "RFC8414-2-PKCE-METHODS-HONEST", []verdictCase{
		{name: "pkce/conformant", spec: "oauth21", want: map[string]string{"pkce-methods": "pass"}},
		{name: "pkce/plain-listed", spec: "oauth21", faults: []string{"metadata-pkce-plain-listed"}, want: map[string]string{"pkce-methods": "fail"}},
	})
	// A public client exercises the none the metadata lists.
	expectVerdicts(t, "RFC8414-2-AUTH-METHODS-HONEST", []verdictCase{
		{name: "auth/public", spec: "oauth21", edit: func(tg *target.Target) {
			codeOnly(tg)
			tg.ClientID, tg.ClientSecret, tg.ClientAuth = tg.PublicClientID, "", []string{"none"}
		}, want: map[string]string{"auth-methods": "pass"}},
	})
	expectVerdicts(t, "RFC8414-2-AUTH-SIGNING-ALGS", []verdictCase{
		// The oauth21 reference server lists no JWT method: nothing is due.
		{name: "algs/conformant", spec: "oauth21", want: map[string]string{"signing-algs": "skip"}},
		{name: "algs/missing", spec: "oauth21", faults: []string{"metadata-signing-algs-missing"}, want: map[string]string{"signing-algs": "fail"}},
	})
}

// A JWT method comes with its signing algorithms, none of them none, for
// each endpoint that lists one.
func TestJudgeSigningAlgs(t *testing.T) {
	env, err := NewEnv(mustSpec(t, "oauth21"), fullTarget, wire.New(redact.New(), wire.Options{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		doc  map[string]any
		want string
	}{
		{"listed", map[string]any{"token_endpoint_auth_methods_supported": []any{"private_key_jwt"}, "token_endpoint_auth_signing_alg_values_supported": []any{"ES256"}}, "pass"},
		{"absent", map[string]any{"token_endpoint_auth_methods_supported": []any{"client_secret_basic", "client_secret_jwt"}}, "fail"},
		{"empty", map[string]any{"revocation_endpoint_auth_methods_supported": []any{"private_key_jwt"}, "revocation_endpoint_auth_signing_alg_values_supported": []any{}}, "fail"},
		{"none", map[string]any{"token_endpoint_auth_methods_supported": []any{"private_key_jwt"}, "token_endpoint_auth_signing_alg_values_supported": []any{"ES256", "none"}}, "fail"},
		{"no-jwt", map[string]any{"token_endpoint_auth_methods_supported": []any{"client_secret_basic"}}, "skip"},
	} {
		c := c
		check := Check{Req: specs.Requirement{ID: "RFC8414-2-AUTH-SIGNING-ALGS", Level: specs.MUST}, Title: c.name, Run: func(t *T) {
			t.Examined(1) // the document, which metadataDocument attaches in a run
			judgeSigningAlgs(t, c.doc)
		}}
		if got := verdict(Execute(context.Background(), env, &check)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

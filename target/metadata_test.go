package target

import (
	"slices"
	"testing"
)

func TestMetadataURLs(t *testing.T) {
	for issuer, want := range map[string][]string{
		"https://as.example":         {"https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration"},
		"https://as.example/t/one/":  {"https://as.example/.well-known/oauth-authorization-server/t/one", "https://as.example/t/one/.well-known/openid-configuration"},
		"https://as.example/tenant1": {"https://as.example/.well-known/oauth-authorization-server/tenant1", "https://as.example/tenant1/.well-known/openid-configuration"},
	} {
		if got := MetadataURLs(issuer); !slices.Equal(got, want) {
			t.Errorf("MetadataURLs(%q) = %q, want %q", issuer, got, want)
		}
	}
}

func TestFillFromMetadataExplicitKeysWin(t *testing.T) {
	m := Metadata{Issuer: "https://as.example", TokenEndpoint: "https://as.example/token", IntrospectionEndpoint: "https://as.example/introspect",
		RevocationEndpoint: "https://as.example/revoke", AuthorizationEndpoint: "https://as.example/authorize",
		TokenEndpointAuthMethodsSupported: []string{"private_key_jwt", "client_secret_post", "client_secret_basic", "none"},
		GrantTypesSupported:               []string{"authorization_code", "implicit", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"},
		CodeChallengeMethodsSupported:     []string{"S256", "plain"}}
	tg := Target{Endpoint: "https://mine.example/token", ClientSecret: "s", Grants: []string{"password"}}
	filled := tg.FillFromMetadata(m)
	if tg.Endpoint != "https://mine.example/token" || !slices.Equal(tg.Grants, []string{"password"}) {
		t.Errorf("explicit keys were overwritten: %+v", tg)
	}
	if tg.Introspection != m.IntrospectionEndpoint || tg.Revocation != m.RevocationEndpoint || tg.Authorization != m.AuthorizationEndpoint {
		t.Errorf("endpoints not filled: %+v", tg)
	}
	if !slices.Equal(tg.ClientAuth, []string{"body", "basic"}) {
		t.Errorf("client_auth %q, want the secret methods the metadata lists, in its order", tg.ClientAuth)
	}
	if !slices.Equal(tg.PKCEMethods, []string{"S256", "plain"}) {
		t.Errorf("pkce_methods %q", tg.PKCEMethods)
	}
	want := []string{"authorization (authorization_endpoint)", "revocation (revocation_endpoint)", "introspection (introspection_endpoint)",
		"client_auth (token_endpoint_auth_methods_supported)", "pkce_methods (code_challenge_methods_supported)"}
	if !slices.Equal(filled, want) {
		t.Errorf("filled %q, want %q", filled, want)
	}
	pub := Target{}
	pub.FillFromMetadata(m)
	// The grants the server offers are not the client's registration.
	if !slices.Equal(pub.ClientAuth, []string{"none"}) || len(pub.Grants) != 0 ||
		!slices.Equal(pub.Offered, []string{"authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"}) {
		t.Errorf("a client without a secret: client_auth %q, grants %q, offered %q", pub.ClientAuth, pub.Grants, pub.Offered)
	}
	if !slices.Equal(tg.Offered, pub.Offered) {
		t.Errorf("offered %q: the server's grants are read whatever the client is registered for", tg.Offered)
	}
}

func TestPublicClientKeys(t *testing.T) {
	for _, c := range []struct {
		tg   Target
		bad  string
		name string
	}{
		{Target{Endpoint: "https://as.example/token", ClientID: "app", ClientAuth: []string{"none"}}, "", "public"},
		{Target{Endpoint: "https://as.example/token", ClientID: "app", ClientSecret: "s", ClientAuth: []string{"none"}}, "client_secret", "public with a secret"},
		{Target{Endpoint: "https://as.example/token", ClientAuth: []string{"none"}}, "client_id", "public without an id"},
		{Target{Endpoint: "https://as.example/token", ClientID: "app", ClientAuth: []string{"none", "basic"}}, "client_auth", "none with basic"},
		{Target{Endpoint: "https://as.example/token", PKCEMethods: []string{"S512"}}, "pkce_methods", "unknown PKCE method"},
		{Target{Endpoint: "https://as.example/token", Issuer: "as.example"}, "issuer", "issuer not a URL"},
	} {
		_, err := c.tg.Resolve()
		var e *Error
		switch {
		case c.bad == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.bad != "" && (err == nil || !asError(err, &e) || e.Key != c.bad):
			t.Errorf("%s: error %v, want one about %s", c.name, err, c.bad)
		}
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

package interop

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/storage"
	"golang.org/x/crypto/bcrypt"
)

// fositeConfig is the configuration both fosite runs compose with.
func fositeConfig(t testing.TB, c serverConfig) *fosite.Config {
	t.Helper()
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	return &fosite.Config{
		AccessTokenLifespan:  c.lifetime,
		RefreshTokenLifespan: time.Hour,
		GlobalSecret:         secret,
		// bcrypt's minimum cost: fosite compares the client secret on
		// every request, and cost 12 would make the run CPU-bound.
		HashCost: bcrypt.MinCost,
		// Refresh tokens for every password grant, not only for the
		// "offline" scope (fosite's default).
		RefreshTokenScopes: []string{},
		// fosite's getters set these defaults lazily, unsynchronised.
		ScopeStrategy:              fosite.ExactScopeStrategy,
		AudienceMatchingStrategy:   fosite.DefaultAudienceMatchingStrategy,
		TokenEntropy:               32,
		SendDebugMessagesToClients: false,
	}
}

// startFosite composes an ory/fosite provider the way fosite's own
// integration tests and fosite-example do: HMAC-SHA tokens, the in-memory
// store, and the client_credentials, password, refresh_token and
// introspection handlers. It serves the token endpoint at /token, RFC 7662
// introspection at /introspect and a protected resource at /resource.
func startFosite(t testing.TB, c serverConfig) endpoints {
	t.Helper()
	return startFositeFor(t, c, []string{"client_credentials", "password", "refresh_token", "authorization_code"})
}

// startFositeFor is startFosite with the clients registered for grants.
func startFositeFor(t testing.TB, c serverConfig, grants []string) endpoints {
	t.Helper()
	config := fositeConfig(t, c)
	hasher := &fosite.BCrypt{Config: config}
	store := storage.NewMemoryStore()
	for _, cl := range c.clients {
		hash, err := hasher.Hash(context.Background(), []byte(cl.secret))
		if err != nil {
			t.Fatal(err)
		}
		store.Clients[cl.id] = &fosite.DefaultClient{
			ID:            cl.id,
			Secret:        hash,
			GrantTypes:    grants,
			ResponseTypes: []string{"code"},
			RedirectURIs:  []string{redirectURI},
			Scopes:        c.scopes,
		}
	}
	// A public client (RFC 6749 §2.1): no secret, "none" at the token
	// endpoint; the public-client check uses it.
	store.Clients[publicClientID] = &fosite.DefaultClient{ID: publicClientID, Public: true,
		GrantTypes: []string{"password", "refresh_token"}, Scopes: c.scopes}
	store.Users[c.username] = storage.MemoryUserRelation{Username: c.username, Password: c.password}

	provider := compose.Compose(config, store, compose.NewOAuth2HMACStrategy(config),
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2ResourceOwnerPasswordCredentialsFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2PKCEFactory,
		compose.OAuth2TokenRevocationFactory,
	)
	session := func() fosite.Session { return &fosite.DefaultSession{} }

	mux := http.NewServeMux()
	mux.HandleFunc("/token", fositeToken(provider, session))
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		if !login(w, r, c) {
			return
		}
		ctx := r.Context()
		ar, err := provider.NewAuthorizeRequest(ctx, r)
		if err != nil {
			provider.WriteAuthorizeError(ctx, w, ar, err)
			return
		}
		for _, s := range ar.GetRequestedScopes() {
			ar.GrantScope(s)
		}
		resp, err := provider.NewAuthorizeResponse(ctx, ar, &fosite.DefaultSession{Subject: c.username})
		if err != nil {
			provider.WriteAuthorizeError(ctx, w, ar, err)
			return
		}
		provider.WriteAuthorizeResponse(ctx, w, ar, resp)
	})
	mux.HandleFunc("/revoke", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		provider.WriteRevocationResponse(ctx, w, provider.NewRevocationRequest(ctx, r))
	})
	mux.HandleFunc("/introspect", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ir, err := provider.NewIntrospectionRequest(ctx, r, session())
		if err != nil {
			provider.WriteIntrospectionError(ctx, w, err)
			return
		}
		provider.WriteIntrospectionResponse(ctx, w, ir)
	})
	mux.HandleFunc("/resource", func(w http.ResponseWriter, r *http.Request) {
		_, _, err := provider.IntrospectToken(r.Context(), fosite.AccessTokenFromRequest(r), fosite.AccessToken, session())
		if err != nil {
			// RFC 6750 §3.1.
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			http.Error(w, "invalid_token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}` + "\n"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return endpoints{url: srv.URL, token: "/token", introspection: "/introspect", resource: "/resource", authorize: "/authorize", revoke: "/revoke", public: publicClientID}
}

// fositeToken is fosite's token endpoint as fosite-example serves it:
// fosite leaves granting to the application, and the example grants every
// requested scope, which the grant handlers have already checked against
// the client's registered scopes.
func fositeToken(provider fosite.OAuth2Provider, session func() fosite.Session) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ar, err := provider.NewAccessRequest(ctx, r, session())
		if err != nil {
			provider.WriteAccessError(ctx, w, ar, err)
			return
		}
		for _, s := range ar.GetRequestedScopes() {
			ar.GrantScope(s)
		}
		resp, err := provider.NewAccessResponse(ctx, ar)
		if err != nil {
			provider.WriteAccessError(ctx, w, ar, err)
			return
		}
		provider.WriteAccessResponse(ctx, w, ar, resp)
	}
}

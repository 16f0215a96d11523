package interop

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-oauth2/oauth2/v4"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"
	"github.com/go-oauth2/oauth2/v4/store"
)

// startGoOAuth2 builds a github.com/go-oauth2/oauth2/v4 server the way its
// README does (default manager, in-memory token and client stores,
// NewDefaultServer), keeping the library's defaults for everything the
// RFC governs: client authentication by HTTP Basic only, no GET token
// requests, no refresh-scope handler. It serves the token endpoint at
// /token and a protected resource at /resource; the library has no
// introspection endpoint.
func startGoOAuth2(t testing.TB, c serverConfig) endpoints {
	t.Helper()
	manager := manage.NewDefaultManager()
	manager.SetClientTokenCfg(&manage.Config{AccessTokenExp: c.lifetime})
	manager.SetPasswordTokenCfg(&manage.Config{AccessTokenExp: c.lifetime, RefreshTokenExp: time.Hour, IsGenerateRefresh: true})
	manager.SetRefreshTokenCfg(&manage.RefreshingConfig{AccessTokenExp: c.lifetime, RefreshTokenExp: time.Hour,
		IsGenerateRefresh: true, IsRemoveAccess: true, IsRemoveRefreshing: true})
	manager.MustTokenStorage(store.NewMemoryTokenStore())
	clients := store.NewClientStore()
	for _, cl := range c.clients {
		if err := clients.Set(cl.id, &models.Client{ID: cl.id, Secret: cl.secret, Domain: redirectURI}); err != nil {
			t.Fatal(err)
		}
	}
	manager.MapClientStorage(clients)

	srv := server.NewDefaultServer(manager)
	manager.SetAuthorizeCodeTokenCfg(&manage.Config{AccessTokenExp: c.lifetime, RefreshTokenExp: time.Hour, IsGenerateRefresh: true})
	srv.SetAllowedGrantType(oauth2.ClientCredentials, oauth2.PasswordCredentials, oauth2.Refreshing, oauth2.AuthorizationCode)
	// The application's part of the authorization endpoint: the login
	// form, then the user ID (empty: the handler answered already).
	srv.SetUserAuthorizationHandler(func(w http.ResponseWriter, r *http.Request) (string, error) {
		if !login(w, r, c) {
			return "", nil
		}
		return "user-" + c.username, nil
	})
	// The library's contract: an empty user ID means the credentials are
	// wrong (it answers invalid_grant).
	srv.SetPasswordAuthorizationHandler(func(_ context.Context, _, username, password string) (string, error) {
		if username == c.username && password == c.password {
			return "user-" + username, nil
		}
		return "", nil
	})
	// Which scopes exist is the deployment's policy (RFC 6749 §3.3); the
	// library has no scope registry, so the client's scopes are declared
	// here, through the hook it provides for that.
	srv.SetClientScopeHandler(func(tgr *oauth2.TokenGenerateRequest) (bool, error) {
		for _, s := range strings.Fields(tgr.Scope) {
			if !slices.Contains(c.scopes, s) {
				return false, nil
			}
		}
		return true, nil
	})

	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		if err := srv.HandleTokenRequest(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		if err := srv.HandleAuthorizeRequest(w, r); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	})
	mux.HandleFunc("/resource", func(w http.ResponseWriter, r *http.Request) {
		ti, err := srv.ValidationBearerToken(r)
		if err != nil {
			// RFC 6750 §3.1.
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			http.Error(w, "invalid_token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"client_id": ti.GetClientID(), "user_id": ti.GetUserID()})
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	return endpoints{url: hs.URL, token: "/token", resource: "/resource", authorize: "/authorize"}
}

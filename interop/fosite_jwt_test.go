package interop

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	jose3 "github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/storage"

	"github.com/tokencert/tokencert/target"
)

func init() {
	implementations = append(implementations, implementation{name: "fosite-jwt", module: "github.com/ory/fosite", start: startFositeJWT})
}

// startFositeJWT composes fosite as startFosite does, with OpenID Connect
// clients that authenticate by private_key_jwt (ES256, the public key
// registered as the client's JWK Set) and fosite's token URL set, the
// value a client assertion's aud must carry. It is certified under the
// rfc7523 spec; the target gives the client's private key in a PEM file
// and names no client_auth, so client_secret_jwt, which fosite does not
// offer, is examined only as a method the endpoint may lack.
func startFositeJWT(t testing.TB, c serverConfig) endpoints {
	t.Helper()
	config := fositeConfig(t, c)
	store := storage.NewMemoryStore()
	dir := t.(interface{ TempDir() string }).TempDir()
	keyFile := filepath.Join(dir, "client-key.pem")
	for i, cl := range c.clients {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			der, err := x509.MarshalPKCS8PrivateKey(key)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		store.Clients[cl.id] = &fosite.DefaultOpenIDConnectClient{
			DefaultClient: &fosite.DefaultClient{
				ID:         cl.id,
				GrantTypes: []string{"client_credentials"},
				Scopes:     c.scopes,
			},
			JSONWebKeys:                       &jose3.JSONWebKeySet{Keys: []jose3.JSONWebKey{{Key: key.Public(), KeyID: cl.id + "-key", Algorithm: "ES256", Use: "sig"}}},
			TokenEndpointAuthMethod:           "private_key_jwt",
			TokenEndpointAuthSigningAlgorithm: "ES256",
		}
	}
	provider := compose.Compose(config, store, compose.NewOAuth2HMACStrategy(config),
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2TokenIntrospectionFactory,
	)
	session := func() fosite.Session { return &fosite.DefaultSession{} }
	mux := http.NewServeMux()
	mux.HandleFunc("/token", fositeToken(provider, session))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	// Read per request; set before any request is made.
	config.TokenURL = srv.URL + "/token"
	return endpoints{url: srv.URL, token: "/token", adjust: func(tf *target.Target) {
		tf.Spec = "rfc7523"
		tf.Username, tf.Password, tf.OtherClientID, tf.OtherClientSecret = "", "", "", ""
		tf.ClientSecret = ""
		tf.AssertionKey = keyFile
		tf.AssertionKID = c.clients[0].id + "-key"
	}}
}

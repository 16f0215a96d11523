package refserver

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tokencert/tokencert/target"
)

// rfc9068Token starts the rfc9068 dialect with faults and returns an
// access token and the key set the server publishes.
func rfc9068Token(t *testing.T, faults ...Fault) (string, *jose.JSONWebKeySet, *harness) {
	t.Helper()
	h := start(t, Options{Spec: loadSpec(t, "rfc9068"), Faults: faults})
	at, _ := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
	tg := h.srv.Target()
	if tg.JWKS != h.base+jwksPath {
		t.Fatalf("target jwks %q, want %s", tg.JWKS, h.base+jwksPath)
	}
	resp, err := http.Get(tg.JWKS)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	set, err := target.ParseJWKS(b)
	if err != nil || resp.Header.Get("Content-Type") != "application/jwk-set+json" {
		t.Fatalf("key set %s (%s): %v", b, resp.Header.Get("Content-Type"), err)
	}
	return at, set, h
}

// verify checks at against the key set by its kid; it returns the claims
// and the header typ.
func verify(t *testing.T, at string, set *jose.JSONWebKeySet) (map[string]any, any, error) {
	t.Helper()
	tok, err := jwt.ParseSigned(at, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("not a JWS: %v", err)
	}
	var claims map[string]any
	return claims, tok.Headers[0].ExtraHeaders[jose.HeaderType], tok.Claims(set, &claims)
}

// The conformant server signs RFC 9068 tokens with the key it publishes,
// and publishes only the public half.
func TestJWKSPublishesTheVerifyingKey(t *testing.T) {
	t.Parallel()
	at, set, _ := rfc9068Token(t)
	claims, typ, err := verify(t, at, set)
	if err != nil || typ != "at+jwt" {
		t.Fatalf("typ %v: %v", typ, err)
	}
	for _, c := range []string{"iss", "exp", "aud", "sub", "client_id", "iat", "jti"} {
		if _, ok := claims[c]; !ok {
			t.Errorf("no %s claim in %v", c, claims)
		}
	}
	b, _ := json.Marshal(set)
	var raw struct{ Keys []map[string]any }
	_ = json.Unmarshal(b, &raw)
	if len(raw.Keys) != 1 || raw.Keys[0]["d"] != nil || raw.Keys[0]["kid"] == "" {
		t.Errorf("published key set %s", b)
	}
	// A dialect without JWT access tokens publishes nothing.
	h := start(t, Options{})
	if r, _ := http.Get(h.base + jwksPath); r == nil || r.StatusCode != http.StatusNotFound {
		t.Errorf("rfc6749 /jwks: %v", r)
	} else {
		r.Body.Close()
	}
	if h.srv.Target().JWKS != "" {
		t.Error("rfc6749 target names a key set")
	}
}

func init() {
	faultCases[FaultJWTTypPlain.Name] = func(t *testing.T, _ *harness) {
		at, set, _ := rfc9068Token(t, FaultJWTTypPlain)
		if _, typ, err := verify(t, at, set); err != nil || typ != "JWT" {
			t.Errorf("typ %v: %v", typ, err)
		}
	}
	faultCases[FaultJWTClaimMissing.Name] = func(t *testing.T, _ *harness) {
		at, set, _ := rfc9068Token(t, FaultJWTClaimMissing)
		if claims, _, err := verify(t, at, set); err != nil || claims["aud"] != nil || claims["jti"] == nil {
			t.Errorf("claims %v: %v", claims, err)
		}
	}
	faultCases[FaultJWTOtherKey.Name] = func(t *testing.T, _ *harness) {
		at, set, h := rfc9068Token(t, FaultJWTOtherKey)
		if _, _, err := verify(t, at, set); err == nil {
			t.Error("the token verifies with the published key")
		}
		if r := h.resource("Bearer " + at); r.status != http.StatusOK {
			t.Errorf("the token does not work at the resource: %d", r.status)
		}
	}
}

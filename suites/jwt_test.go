package suites

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// signedJWT signs claims with a fresh key for alg (HS256 or ES256).
func signedJWT(t *testing.T, alg jose.SignatureAlgorithm, claims any) string {
	t.Helper()
	var key any = []byte(strings.Repeat("k", 32))
	if alg == jose.ES256 {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	}
	sig, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, (&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.Signed(sig).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// decodeJWS takes any alg the header names, alg none included, so that
// checkJWTAlg can judge it; what is not a JWS is an error that says why.
func TestDecodeJWS(t *testing.T) {
	t.Parallel()
	exp := time.Unix(1700000000, 0)
	claims := map[string]any{"sub": "alice", "scope": "read write", "exp": exp.Unix()}
	for _, tc := range []struct {
		name, token, alg string
		signed           bool
	}{
		{"documented alg", signedJWT(t, jose.ES256, claims), "ES256", true},
		{"another alg", signedJWT(t, jose.HS256, claims), "HS256", true},
		{"alg none", b64url(`{"alg":"none","typ":"at+jwt"}`) + "." + b64url(`{"sub":"alice","exp":1700000000}`) + ".", "none", false},
		{"alg NONE", b64url(`{"alg":"NONE"}`) + "." + b64url(`{"sub":"alice","exp":1700000000.5}`) + ".", "NONE", false},
		{"empty signature", b64url(`{"alg":"ES256"}`) + "." + b64url(`{"sub":"alice","exp":1700000000}`) + ".", "ES256", false},
	} {
		tok, err := decodeJWS(tc.token, "ES256")
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if tok.alg != tc.alg || tok.signed != tc.signed || tok.claims["sub"] != "alice" {
			t.Errorf("%s: alg %q, signed %v, claims %v", tc.name, tok.alg, tok.signed, tok.claims)
		}
		var c jwt.Claims
		if err := tok.token.UnsafeClaimsWithoutVerification(&c); err != nil || c.Expiry == nil || !c.Expiry.Time().Equal(exp) {
			t.Errorf("%s: exp %v: %v", tc.name, c.Expiry, err)
		}
	}
	for _, tc := range []struct{ name, token, want string }{
		{"JWE", "a.b.c.d.e", "JWE"},
		{"two parts", "a.b", "2 dot-separated parts"},
		{"opaque", "2YotnFZFEjr1zCsicMWpAA", "1 dot-separated parts"},
		{"no alg", b64url(`{"typ":"JWT"}`) + "." + b64url(`{}`) + ".c2ln", "no alg"},
		{"alg a number", b64url(`{"alg":256}`) + "." + b64url(`{}`) + ".c2ln", "no alg"},
		{"header not JSON", b64url(`alg`) + "." + b64url(`{}`) + ".c2ln", "not a JWS"},
		{"header not base64url", "e30=." + b64url(`{}`) + ".c2ln", "not a JWS"},
		{"claims an array", b64url(`{"alg":"ES256"}`) + "." + b64url(`[1]`) + ".c2ln", "claims: not a JSON object"},
		{"claims null", b64url(`{"alg":"ES256"}`) + "." + b64url(`null`) + ".c2ln", "claims: not a JSON object"},
	} {
		if _, err := decodeJWS(tc.token, "ES256"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

package target

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func ecJWK(t *testing.T) jose.JSONWebKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return jose.JSONWebKey{Key: k, KeyID: "k1", Algorithm: "ES256", Use: "sig"}
}

func setJSON(t *testing.T, keys ...jose.JSONWebKey) string {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Garbage, secrets and oversized input are refused with a reason that
// quotes no key material.
func TestParseJWKSRefusesWhatIsNotAPublicKeySet(t *testing.T) {
	priv := ecJWK(t)
	d := priv.Key.(*ecdsa.PrivateKey).D.Bytes()
	for name, tc := range map[string]struct{ in, want string }{
		"not json":  {"<html>", "not a JSON object"},
		"no keys":   {`{"kty":"EC"}`, "no keys member"},
		"empty":     {`{"keys":[]}`, "holds no key"},
		"bad key":   {`{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`, "key 1"},
		"private":   {setJSON(t, priv), "private key"},
		"symmetric": {`{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}]}`, "symmetric"},
		"too big":   {`{"keys":[],"x":"` + strings.Repeat("a", MaxJWKSBytes) + `"}`, "more than"},
	} {
		_, err := ParseJWKS([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "c2VjcmV0") || strings.Contains(err.Error(), string(d))) {
			t.Errorf("%s: the message quotes key material: %v", name, err)
		}
	}
	set, err := ParseJWKS([]byte(setJSON(t, priv.Public())))
	if err != nil || len(set.Keys) != 1 {
		t.Errorf("a public key set: %v", err)
	}
}

// The jwks key: a file is read when the target resolves (relative to the
// target file), a URL is https or loopback http.
func TestJWKSKey(t *testing.T) {
	dir := t.TempDir()
	k := ecJWK(t)
	pub := k.Public()
	if err := os.WriteFile(filepath.Join(dir, "keys.json"), []byte(setJSON(t, pub)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "garbage.json"), []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := Target{Path: filepath.Join(dir, "target.yaml"), Endpoint: "https://idp.example/token"}
	for _, tc := range []struct{ jwks, want string }{
		{"keys.json", ""},
		{"https://idp.example/jwks", ""},
		{"http://127.0.0.1:9/jwks", ""},
		{"http://localhost/jwks", ""},
		{"garbage.json", "not a JWK Set"},
		{"missing.json", "cannot read"},
		{".", "not a regular file"},
		{"http://idp.example/jwks", "https"},
		{"https://user:pw@idp.example/jwks", "no credentials"},
	} {
		tg := base
		tg.JWKS = tc.jwks
		r, err := tg.Resolve()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.jwks, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "jwks")):
			t.Errorf("%s: %v, want an error about jwks saying %q", tc.jwks, err, tc.want)
		case tc.jwks == "keys.json" && (r.KeySet == nil || len(r.KeySet.Keys) != 1):
			t.Errorf("keys.json: key set %v", r.KeySet)
		}
	}
}

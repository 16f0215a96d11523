package target

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

func pemOf(t *testing.T, k any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// Keys load from PEM and JWK files with the alg their type can do; bad
// input is a target error that names the key and never quotes it.
func TestAssertionKeys(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	smallRSA, _ := rsa.GenerateKey(rand.Reader, 1024)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	jwk, _ := json.Marshal(jose.JSONWebKey{Key: ecKey, KeyID: "k1"})
	pubJWK, _ := json.Marshal(jose.JSONWebKey{Key: ecKey.Public(), KeyID: "k1"})
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: ecKey, KeyID: "a"}, {Key: edKey, KeyID: "b"}}})
	ecDER, _ := x509.MarshalECPrivateKey(ecKey)
	sec1 := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}))
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	for _, c := range []struct {
		name, data, kid, alg, wantAlg, wantKID, err string
	}{
		{"rsa pkcs8", pemOf(t, rsaKey), "", "", "RS256", "", ""},
		{"rsa pkcs1 ps256", pkcs1, "kid-1", "PS256", "PS256", "kid-1", ""},
		{"ec pkcs8", pemOf(t, ecKey), "", "", "ES256", "", ""},
		{"ec sec1", sec1, "", "ES256", "ES256", "", ""},
		{"ed25519", pemOf(t, edKey), "", "", "EdDSA", "", ""},
		{"jwk", string(jwk), "", "", "ES256", "k1", ""},
		{"jwk set by kid", string(set), "b", "", "EdDSA", "b", ""},
		{"jwk set, two keys", string(set), "", "", "", "", "2 private keys"},
		{"public jwk", string(pubJWK), "", "", "", "", "public key"},
		{"ec cannot RS256", pemOf(t, ecKey), "", "RS256", "", "", "RS256 needs an RSA key"},
		{"rsa cannot ES256", pemOf(t, rsaKey), "", "ES256", "", "", "ES256 needs an EC key on P-256"},
		{"P-384 cannot ES256", pemOf(t, p384), "", "", "", "", "no algorithm suits"},
		{"small rsa", pemOf(t, smallRSA), "", "RS256", "", "", "at least 2048 bits"},
		{"HS256 not for private_key_jwt", pemOf(t, ecKey), "", "HS256", "", "", "not one of"},
		{"garbage", "hello", "", "", "", "", "neither a PEM"},
		{"bad pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "", "", "", "", "does not parse"},
		{"bad json", "{nope", "", "", "", "", "not a JSON object"},
	} {
		k, err := ParseAssertionKey([]byte(c.data), c.kid, c.alg)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if k.Alg != c.wantAlg || k.Key.KeyID != c.wantKID {
			t.Errorf("%s: alg %s kid %q, want %s %q", c.name, k.Alg, k.Key.KeyID, c.wantAlg, c.wantKID)
		}
	}
}

func TestAssertionKeyTargetErrors(t *testing.T) {
	dir := t.TempDir()
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	secretPEM := pemOf(t, ecKey)
	if err := os.WriteFile(filepath.Join(dir, "k.pem"), []byte(secretPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wrong.pem"), []byte(strings.Replace(secretPEM, "PRIVATE KEY-----\n", "PRIVATE KEY-----\nZZ", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	base := "endpoint: https://idp.example/token\nclient_id: c\nclient_auth: [private_key_jwt]\n"
	for _, c := range []struct{ yaml, err string }{
		{base + "assertion_key: k.pem\n", ""},
		{base + "assertion_key: missing.pem\n", "assertion_key: cannot read"},
		{base + "assertion_key: wrong.pem\n", "assertion_key: no PEM private key block"},
		{base + "assertion_key: k.pem\nassertion_alg: PS256\n", "assertion_key: PS256 needs an RSA key"},
		{base + "assertion_kid: x\n", "give it in assertion_key"},
		{"endpoint: https://idp.example/token\nclient_auth: [mtls]\n", "unknown client authentication"},
	} {
		tg, err := Parse(filepath.Join(dir, "t.yaml"), []byte(c.yaml))
		if err == nil {
			_, err = tg.Resolve()
		}
		if c.err == "" {
			if err != nil {
				t.Errorf("%q: %v", c.yaml, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: error %v, want %q", c.yaml, err, c.err)
		}
		if err != nil && strings.Contains(err.Error(), "MII") {
			t.Errorf("error quotes the key: %v", err)
		}
	}
}

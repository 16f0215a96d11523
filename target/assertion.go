package target

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// The client authentication methods a target may name (client_auth):
// RFC 6749 §2.3.1's two, and RFC 7523 §2.2's JWT client assertions as
// OpenID Connect Core §9 names them.
const (
	AuthBasic           = "basic"
	AuthBody            = "body"
	AuthPrivateKeyJWT   = "private_key_jwt"
	AuthClientSecretJWT = "client_secret_jwt"
)

// AuthMethods lists the client authentication methods, in the order
// messages name them.
var AuthMethods = []string{AuthBasic, AuthBody, AuthPrivateKeyJWT, AuthClientSecretJWT}

// AssertionAlgs are the algorithms a private_key_jwt key may sign with
// (RFC 7518 §3.1, RFC 8037 §3.1); client_secret_jwt signs with HS256.
var AssertionAlgs = []string{"RS256", "PS256", "ES256", "EdDSA"}

// AssertionKey is the client's private key for private_key_jwt, loaded
// from the target key assertion_key. It never leaves the process: no
// report, message or log holds it.
type AssertionKey struct {
	// Alg is the JWS algorithm the key signs with.
	Alg string
	// Key is the private key, with its kid (assertion_kid, else the JWK's).
	Key jose.JSONWebKey
	// Material is the key as it was given (PEM or JSON text), so that the
	// redactor can keep it out of every output.
	Material string
}

// loadAssertionKey reads and checks the assertion key: the file named by
// assertion_key (relative to the target file), or the material the
// embedded reference server hands over.
func (t *Target) loadAssertionKey() error {
	if t.AssertionKey == "" && len(t.AssertionKeyData) == 0 {
		if t.AssertionKID != "" || t.AssertionAlg != "" {
			return &Error{File: t.Path, Key: "assertion_key", Problem: "assertion_kid and assertion_alg describe a key: give it in assertion_key (a PEM or JWK file)"}
		}
		return nil
	}
	data := t.AssertionKeyData
	if len(data) == 0 {
		path := t.AssertionKey
		if t.Path != "" && !filepath.IsAbs(path) {
			path = filepath.Join(filepath.Dir(t.Path), path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return &Error{File: t.Path, Key: "assertion_key", Problem: fmt.Sprintf("cannot read %s: %s", path, ReadProblem(err))}
		}
		data = b
	}
	k, err := ParseAssertionKey(data, t.AssertionKID, t.AssertionAlg)
	if err != nil {
		return &Error{File: t.Path, Key: "assertion_key", Problem: err.Error()}
	}
	t.Assertion = k
	return nil
}

// ParseAssertionKey parses a private key in PEM (PKCS #8, PKCS #1 or SEC 1)
// or as a JWK (or a JWK Set holding one private key, or the one named by
// kid), and checks that it can sign with alg (empty: the key's own alg,
// else the usual one for its type). Its errors never quote the key.
func ParseAssertionKey(data []byte, kid, alg string) (*AssertionKey, error) {
	var jwk jose.JSONWebKey
	text := strings.TrimSpace(string(data))
	switch {
	case strings.HasPrefix(text, "{"):
		k, err := parseJWK([]byte(text), kid)
		if err != nil {
			return nil, err
		}
		jwk = *k
	case strings.Contains(text, "-----BEGIN"):
		key, err := parsePEMKey([]byte(text))
		if err != nil {
			return nil, err
		}
		jwk = jose.JSONWebKey{Key: key}
	default:
		return nil, fmt.Errorf("neither a PEM private key nor a JWK (JSON)")
	}
	if jwk.IsPublic() {
		return nil, fmt.Errorf("the key is a public key: private_key_jwt signs with the client's private key")
	}
	if kid != "" {
		jwk.KeyID = kid
	}
	if alg == "" {
		alg = jwk.Algorithm
	}
	if alg == "" {
		alg = defaultAlg(jwk.Key)
	}
	if err := CanSign(jwk.Key, alg); err != nil {
		return nil, err
	}
	jwk.Algorithm, jwk.Use = alg, "sig"
	return &AssertionKey{Alg: alg, Key: jwk, Material: text}, nil
}

func parseJWK(b []byte, kid string) (*jose.JSONWebKey, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("not a JSON object (a JWK or a JWK Set)")
	}
	if _, isSet := probe["keys"]; isSet {
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(b, &set); err != nil {
			return nil, fmt.Errorf("not a valid JWK Set: %s", joseProblem(err))
		}
		var found []jose.JSONWebKey
		for _, k := range set.Keys {
			if !k.IsPublic() && (kid == "" || k.KeyID == kid) {
				found = append(found, k)
			}
		}
		switch {
		case len(found) == 1:
			return &found[0], nil
		case len(found) == 0 && kid != "":
			return nil, fmt.Errorf("the JWK Set has no private key with kid %q", kid)
		case len(found) == 0:
			return nil, fmt.Errorf("the JWK Set has no private key")
		}
		return nil, fmt.Errorf("the JWK Set has %d private keys: name one with assertion_kid", len(found))
	}
	var k jose.JSONWebKey
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("not a valid JWK: %s", joseProblem(err))
	}
	return &k, nil
}

// joseProblem keeps go-jose's message short and free of key material (it
// quotes none, but a message is cut at its first colon-separated detail).
func joseProblem(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "go-jose/go-jose: ")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

func parsePEMKey(b []byte) (any, error) {
	for {
		var block *pem.Block
		block, b = pem.Decode(b)
		if block == nil {
			return nil, fmt.Errorf("no PEM private key block (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)")
		}
		switch block.Type {
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("the PKCS #8 private key does not parse")
			}
			return k, nil
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("the PKCS #1 RSA private key does not parse")
			}
			return k, nil
		case "EC PRIVATE KEY":
			k, err := x509.ParseECPrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("the SEC 1 EC private key does not parse")
			}
			return k, nil
		case "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("the private key is encrypted; give it unencrypted (keep the file private)")
		}
	}
}

func defaultAlg(key any) string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return "RS256"
	case *ecdsa.PrivateKey:
		if k.Curve == elliptic.P256() {
			return "ES256"
		}
	case ed25519.PrivateKey:
		return "EdDSA"
	}
	return ""
}

// CanSign says why key cannot sign with alg, or nil.
func CanSign(key any, alg string) error {
	kind := keyKind(key)
	switch alg {
	case "RS256", "PS256":
		k, ok := key.(*rsa.PrivateKey)
		if !ok {
			return fmt.Errorf("%s needs an RSA key; the key is %s", alg, kind)
		}
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("%s needs an RSA key of at least 2048 bits (RFC 7518 §3.3); the key has %d", alg, k.N.BitLen())
		}
	case "ES256":
		k, ok := key.(*ecdsa.PrivateKey)
		if !ok || k.Curve != elliptic.P256() {
			return fmt.Errorf("ES256 needs an EC key on P-256; the key is %s", kind)
		}
	case "EdDSA":
		if _, ok := key.(ed25519.PrivateKey); !ok {
			return fmt.Errorf("EdDSA needs an Ed25519 key; the key is %s", kind)
		}
	case "":
		return fmt.Errorf("no algorithm suits the key (%s): give assertion_alg (%s)", kind, strings.Join(AssertionAlgs, ", "))
	default:
		return fmt.Errorf("algorithm %q is not one of %s", alg, strings.Join(AssertionAlgs, ", "))
	}
	return nil
}

func keyKind(key any) string {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("an RSA key (%d bits)", k.N.BitLen())
	case *ecdsa.PrivateKey:
		return "an EC key on " + k.Curve.Params().Name
	case ed25519.PrivateKey:
		return "an Ed25519 key"
	case []byte:
		return "a symmetric key"
	case nil:
		return "no key"
	}
	return fmt.Sprintf("a %T", key)
}

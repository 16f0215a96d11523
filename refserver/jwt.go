package refserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// signer makes JWS compact serializations (RFC 7515 §7.1) of access tokens
// when the spec describes JWT access tokens (Response.JWT). Its key is
// generated at start and never leaves the process; the public half of an
// asymmetric key is published at /jwks (RFC 9068 §4).
type signer struct {
	alg jose.SignatureAlgorithm
	// key is the signing key as a JWK, with its kid (the RFC 7638
	// thumbprint); its Public() half verifies (for HS256 there is none:
	// the key is the shared secret, and it has no kid).
	key jose.JSONWebKey
}

// newSigner returns a signer for alg: HS256, RS256, PS256, ES256 (RFC 7518
// §3.1) or EdDSA (Ed25519, RFC 8037 §3.1).
func newSigner(alg string) (*signer, error) {
	a := jose.SignatureAlgorithm(alg)
	var (
		key any
		err error
	)
	switch a {
	case jose.HS256:
		secret := make([]byte, tokenBytes)
		_, err = rand.Read(secret)
		key = secret
	case jose.RS256, jose.PS256:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.EdDSA:
		_, key, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("refserver: JWT alg %q is not supported (HS256, RS256, PS256, ES256, EdDSA)", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("refserver: JWT key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: key, Algorithm: alg, Use: "sig"}
	if a != jose.HS256 {
		pub := jwk.Public()
		tp, err := pub.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("refserver: JWT key thumbprint: %w", err)
		}
		jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	}
	return &signer{alg: a, key: jwk}, nil
}

// sign returns the JWS of the claims, in their order (jwt.Signed takes
// only maps and structs, and would sort them), with typ "at+jwt" (RFC
// 9068 §2.1).
func (s *signer) sign(claims object) (string, error) { return s.signAs(claims, "at+jwt", "") }

// signAs signs with another typ, or (kid not empty) names that kid in the
// header instead of its own: the faults that sign with a key the key set
// does not hold.
func (s *signer) signAs(claims object, typ, kid string) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	key := s.key
	if kid != "" {
		key.KeyID = kid
	}
	js, err := jose.NewSigner(jose.SigningKey{Algorithm: s.alg, Key: key}, (&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		return "", fmt.Errorf("refserver: JWT signer: %w", err)
	}
	jws, err := js.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// publicSet is the key set that verifies the signer's tokens, or nil for
// a symmetric key (nothing to publish).
func (s *signer) publicSet() *jose.JSONWebKeySet {
	if s == nil || s.key.KeyID == "" {
		return nil
	}
	return &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{s.key.Public()}}
}

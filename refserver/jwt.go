package refserver

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// signer makes JWS compact serializations (RFC 7515 §7.1) of access tokens
// when the spec describes JWT access tokens (Response.JWT). Its key is
// generated at start and never leaves the process.
type signer struct {
	jose.Signer
	// key is the signing key as a JWK; its Public() half verifies (for
	// HS256 there is none: the key is the shared secret).
	key jose.JSONWebKey
}

// newSigner returns a signer for alg: HS256, RS256 or ES256 (RFC 7518 §3.1).
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
	case jose.RS256:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case jose.ES256:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("refserver: JWT alg %q is not supported (HS256, RS256, ES256)", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("refserver: JWT key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: key, Algorithm: alg, Use: "sig"}
	// The "at+jwt" type of RFC 9068 §2.1.
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: a, Key: jwk}, (&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		return nil, fmt.Errorf("refserver: JWT signer: %w", err)
	}
	return &signer{Signer: s, key: jwk}, nil
}

// sign returns the JWS of the claims, in their order (jwt.Signed takes
// only maps and structs, and would sort them).
func (s *signer) sign(claims object) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

package refserver

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// signer makes JWS compact serializations (RFC 7515 §7.1) of access tokens
// when the spec describes JWT access tokens (Response.JWT). Its key is
// generated at start and never leaves the process.
type signer struct {
	alg  string
	hmac []byte
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
}

// newSigner returns a signer for alg: HS256, RS256 or ES256 (RFC 7518 §3.1).
func newSigner(alg string) (*signer, error) {
	s := &signer{alg: alg}
	var err error
	switch alg {
	case "HS256":
		s.hmac = make([]byte, tokenBytes)
		_, _ = rand.Read(s.hmac)
	case "RS256":
		s.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		s.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("refserver: JWT alg %q is not supported (HS256, RS256, ES256)", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("refserver: JWT key: %w", err)
	}
	return s, nil
}

// sign returns header.claims.signature with the "at+jwt" type of RFC 9068
// §2.1.
func (s *signer) sign(claims object) (string, error) {
	header, err := json.Marshal(object{{"alg", s.alg}, {"typ", "at+jwt"}})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch {
	case s.hmac != nil:
		m := hmac.New(sha256.New, s.hmac)
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case s.rsa != nil:
		sig, err = rsa.SignPKCS1v15(rand.Reader, s.rsa, crypto.SHA256, digest[:])
	case s.ec != nil:
		// RFC 7518 §3.4: R and S, each 32 bytes big-endian.
		r, ss, e := ecdsa.Sign(rand.Reader, s.ec, digest[:])
		err = e
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		ss.FillBytes(sig[32:])
	}
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

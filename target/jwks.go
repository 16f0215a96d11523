package target

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// MaxJWKSBytes bounds a key set, read from a file or fetched from a URL.
const MaxJWKSBytes = 1 << 20

// loadJWKS checks the jwks key: a URL is checked here and fetched during
// the run (an unreachable or garbage key set fails the check that needs
// it); a file (relative to the target file) is read and parsed now, and
// garbage is refused before anything is sent.
func (t *Target) loadJWKS() error {
	t.KeySet = nil
	if t.JWKS == "" {
		return nil
	}
	if strings.HasPrefix(t.JWKS, "http://") || strings.HasPrefix(t.JWKS, "https://") {
		_, err := JWKSURL(t.JWKS)
		if err != nil {
			return &Error{File: t.Path, Key: "jwks", Problem: err.Error()}
		}
		return nil
	}
	path := t.JWKS
	if t.Path != "" && !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(t.Path), path)
	}
	// Only a regular file: a FIFO or a device could keep the read waiting.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return &Error{File: t.Path, Key: "jwks", Problem: fmt.Sprintf("%s is not a regular file", path)}
	}
	f, err := os.Open(path)
	if err != nil {
		return &Error{File: t.Path, Key: "jwks", Problem: fmt.Sprintf("cannot read %s: %s", path, ReadProblem(err))}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxJWKSBytes+1))
	if err != nil {
		return &Error{File: t.Path, Key: "jwks", Problem: fmt.Sprintf("cannot read %s: %s", path, ReadProblem(err))}
	}
	set, err := ParseJWKS(b)
	if err != nil {
		return &Error{File: t.Path, Key: "jwks", Problem: fmt.Sprintf("%s: %v", path, err)}
	}
	t.KeySet = set
	return nil
}

// JWKSURL checks a key-set URL: https, or http on a loopback host (a key
// set fetched in cleartext from elsewhere could be anyone's).
func JWKSURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%q is neither a file nor an absolute http(s) URL", withoutUserinfo(raw))
	}
	if u.User != nil {
		return nil, errors.New("a key-set URL carries no credentials")
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("%s: a key set is fetched over https (http only on loopback, a test setup)", withoutUserinfo(raw))
	}
	return u, nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseJWKS parses a JWK Set (RFC 7517 §5) of public signature keys. It
// refuses what is not one: not JSON, no keys member, no key, more than
// MaxJWKSBytes, a key go-jose cannot read, a private or symmetric key
// (a key set that verifies tokens is public; a secret in it is a leak).
// Messages never quote key material.
func ParseJWKS(b []byte) (*jose.JSONWebKeySet, error) {
	if len(b) > MaxJWKSBytes {
		return nil, fmt.Errorf("not a JWK Set: more than %d bytes", MaxJWKSBytes)
	}
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, errors.New("not a JWK Set: not a JSON object with a keys array (RFC 7517 §5)")
	}
	if raw.Keys == nil {
		return nil, errors.New("not a JWK Set: no keys member (RFC 7517 §5)")
	}
	if len(raw.Keys) == 0 {
		return nil, errors.New("the JWK Set holds no key")
	}
	set := &jose.JSONWebKeySet{}
	for i, rk := range raw.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(rk); err != nil {
			return nil, fmt.Errorf("key %d of the JWK Set cannot be read: %s", i+1, jwkProblem(err))
		}
		switch {
		case !k.IsPublic() && isSymmetric(k):
			return nil, fmt.Errorf("key %d of the JWK Set is a symmetric key (kty oct), a secret: a key set that verifies access tokens holds public keys", i+1)
		case !k.IsPublic():
			return nil, fmt.Errorf("key %d of the JWK Set is a private key: give the public keys only", i+1)
		case !k.Valid():
			return nil, fmt.Errorf("key %d of the JWK Set is not a valid public key", i+1)
		}
		set.Keys = append(set.Keys, k)
	}
	return set, nil
}

func isSymmetric(k jose.JSONWebKey) bool {
	_, ok := k.Key.([]byte)
	return ok
}

// jwkProblem is go-jose's reason, bounded in length.
func jwkProblem(err error) string {
	s := strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

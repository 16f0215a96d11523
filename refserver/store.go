package refserver

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// tokenBytes is the entropy of every token and generated secret: 256 bits
// (RFC 6749 §10.10 asks for tokens that cannot be guessed; RFC 6819
// §5.1.4.2.2 suggests at least 128 bits).
const tokenBytes = 32

// randomToken returns tokenBytes random bytes, base64url without padding.
func randomToken() string {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomDigits returns tokenBytes random bytes as a decimal number.
func randomDigits() string {
	b := make([]byte, tokenBytes)
	_, _ = rand.Read(b)
	b[0] |= 0x80 // no leading zero digits
	return new(big.Int).SetBytes(b).String()
}

// newToken is a new opaque token (or jti): randomToken, or under
// FaultTokenCounter the server's fixed prefix and the next number.
func (s *Server) newToken() string {
	if s.has(FaultTokenCounter) {
		return fmt.Sprintf("%s-%08d", s.counterPrefix, s.counter.Add(1))
	}
	return randomToken()
}

// accessRecord is what the server knows of an issued access token.
type accessRecord struct {
	client   string
	username string // "" for client_credentials
	scope    []string
	issued   time.Time
	expires  time.Time
	revoked  bool
	// refresh is the refresh token issued with it, if any.
	refresh string
	// jkt is the thumbprint of the DPoP key the token is bound to, or "".
	jkt string
	// x5t is the thumbprint of the client certificate it is bound to, or "".
	x5t string
	// code is the authorization code it was issued for, if any.
	code string
}

// expired reports whether the token has expired at now: a token lives from
// issued up to, not including, issued + lifetime (RFC 6749 §4.2.2, §5.1).
func (a accessRecord) expired(now time.Time) bool { return !now.Before(a.expires) }

// dead reports whether the server refuses the token at now: once expired,
// or under FaultTokenDiesEarly once half its lifetime has passed.
func (s *Server) dead(a accessRecord, now time.Time) bool {
	if s.has(FaultTokenDiesEarly) {
		return !now.Before(a.issued.Add(a.expires.Sub(a.issued) / 2))
	}
	return a.expired(now)
}

// refreshRecord is what the server knows of an issued refresh token. scope
// is the scope of the original grant, which a refresh may not exceed
// (RFC 6749 §6).
type refreshRecord struct {
	client   string
	username string
	scope    []string
	issued   time.Time
	revoked  bool
	// jkt is the DPoP key a public client's refresh token is bound to.
	jkt  string
	code string
}

// store holds the issued tokens. All access goes through its methods.
type store struct {
	mu      sync.Mutex
	access  map[string]*accessRecord
	refresh map[string]*refreshRecord
	adds    int
}

func newStore() *store {
	return &store{access: map[string]*accessRecord{}, refresh: map[string]*refreshRecord{}}
}

// pruneEvery and pruneAfter bound the store: every pruneEvery new access
// tokens, those expired more than pruneAfter ago are forgotten.
const (
	pruneEvery = 1024
	pruneAfter = time.Hour
)

// addAccess records an access token. When discardOld is set (spec
// Response.NewTokenDiscardsOld), the earlier tokens of the same client and
// resource owner are revoked.
func (st *store) addAccess(token string, rec accessRecord, discardOld bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if discardOld {
		for _, a := range st.access {
			if a.client == rec.client && a.username == rec.username {
				a.revoked = true
			}
		}
	}
	st.access[token] = &rec
	st.adds++
	if st.adds%pruneEvery == 0 {
		for k, a := range st.access {
			if rec.issued.Sub(a.expires) > pruneAfter {
				delete(st.access, k)
			}
		}
	}
}

// accessToken returns the record of an access token.
func (st *store) accessToken(token string) (accessRecord, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	a, ok := st.access[token]
	if !ok {
		return accessRecord{}, false
	}
	return *a, true
}

// addRefresh records a refresh token.
func (st *store) addRefresh(token string, rec refreshRecord) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.refresh[token] = &rec
}

// refreshToken returns the record of a refresh token, revoked or not.
func (st *store) refreshToken(token string) (refreshRecord, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.refresh[token]
	if !ok {
		return refreshRecord{}, false
	}
	return *r, true
}

// revokeIssuedWith revokes the access tokens issued with a refresh token.
func (st *store) revokeIssuedWith(refresh string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, a := range st.access {
		if a.refresh == refresh {
			a.revoked = true
		}
	}
}

// revokeCode revokes the tokens issued for an authorization code (RFC
// 6749 §4.1.2: when a code is used twice).
func (st *store) revokeCode(code string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, a := range st.access {
		if a.code == code {
			a.revoked = true
		}
	}
	for _, r := range st.refresh {
		if r.code == code {
			r.revoked = true
		}
	}
}

// consume revokes a refresh token and reports whether it was still valid,
// so that of two concurrent refreshes with one token only one succeeds.
func (st *store) consume(token string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.refresh[token]
	if !ok || r.revoked {
		return false
	}
	r.revoked = true
	return true
}

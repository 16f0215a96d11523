package refserver

import (
	"encoding/json"
	"net/http"

	"github.com/tokencert/tokencert/target"
)

// jwksPath is where the server publishes the key set that verifies its
// JWT access tokens (RFC 9068 §4; RFC 8414 §2 jwks_uri).
const jwksPath = "/jwks"

// serveJWKS answers GET with the public key set (RFC 7517 §5), or 404
// when the server signs no tokens with a key it can publish.
func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	set := s.signer.publicSet()
	if set == nil {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	b, err := json.Marshal(set)
	if err != nil {
		http.Error(w, "key set", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_, _ = w.Write(b)
}

// jwksTarget names the key set (target key jwks) when the server
// publishes one.
func (s *Server) jwksTarget(t *target.Target) {
	if s.signer.publicSet() != nil {
		t.JWKS = s.URL() + jwksPath
	}
}

// newOtherSigner makes the key of FaultJWTOtherKey, only when it is on.
func (s *Server) newOtherSigner() (err error) {
	if s.has(FaultJWTOtherKey) && s.signer != nil {
		s.otherSigner, err = newSigner(string(s.signer.alg))
	}
	return err
}

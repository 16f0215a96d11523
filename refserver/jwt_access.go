package refserver

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
)

// signAccessToken signs the claims of a JWT access token (Response.JWT),
// bent by the JWT faults: exp an hour off expires_in, the claims mapped to
// request parameters (Response.JWT.Claims) given other values, no
// signature at all (alg none), another typ than at+jwt, no aud claim, or a
// signature by a key the published key set does not hold.
func (s *Server) signAccessToken(claims object) (string, error) {
	if !slices.ContainsFunc(claims, func(m member) bool { return m.name == "aud" }) && !s.has(FaultJWTClaimMissing) {
		// RFC 9068 §3: without a resource parameter, a default resource
		// indicator: the protected resource this server serves.
		claims = claims.set("aud", s.audienceClaim())
	}
	if s.has(FaultJWTExpMismatch) {
		for i := range claims {
			if exp, ok := claims[i].value.(int64); ok && claims[i].name == "exp" {
				claims[i].value = exp + 3600
			}
		}
	}
	if s.has(FaultJWTClaimsMismatch) {
		for _, name := range slices.Sorted(maps.Keys(s.spec.Response.JWT.Claims)) {
			claims = claims.set(name, "tokencert-mismatch-"+randomToken()[:8])
		}
	}
	switch {
	case s.has(FaultJWTAlgNone):
		return unsignedJWT(claims)
	case s.has(FaultJWTTypPlain):
		return s.signer.signAs(claims, "JWT", "")
	case s.has(FaultJWTAlgRS256) && s.signer.rs256() != nil:
		return s.signer.rs256().sign(claims)
	case s.has(FaultJWTOtherKey) && s.otherSigner != nil:
		return s.otherSigner.signAs(claims, "at+jwt", s.signer.key.KeyID)
	}
	return s.signer.sign(claims)
}

// audienceClaim is the aud of JWT access tokens: the protected resource's
// URL, or a URN before the server listens.
func (s *Server) audienceClaim() string {
	if u := s.URL(); u != "" {
		return u + resourcePath
	}
	return "urn:tokencert:resource"
}

// unsignedJWT is an Unsecured JWS (RFC 7515 App. A.5): alg none, empty
// signature. It is written by hand because it is a fault: go-jose, which
// signs every other token, neither makes nor accepts alg none.
func unsignedJWT(claims object) (string, error) {
	header, err := json.Marshal(object{{"alg", "none"}, {"typ", "at+jwt"}})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + ".", nil
}

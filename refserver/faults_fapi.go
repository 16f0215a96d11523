package refserver

import "github.com/go-jose/go-jose/v4"

// Faults for profiles that restrict RFC 6749 (the fapi2 spec): a client
// secret the spec does not offer, a grant it does not serve, an algorithm
// it does not allow.
var (
	FaultClientSecretAccepted = Fault{Name: "client-secret-accepted", Breaks: "FAPI2-NO-CLIENT-SECRET",
		Doc: "HTTP Basic client credentials (client_secret_basic) authenticate the client although the spec's request.client_auth offers no secret method"}
	FaultPasswordGrantServed = Fault{Name: "password-grant-served", Breaks: "FAPI2-NO-PASSWORD-GRANT",
		Doc: "the password grant is served (the reference server's resource owner gets a token) although the spec lists no password grant"}
	FaultJWTAlgRS256 = Fault{Name: "jwt-alg-rs256", Breaks: "FAPI2-JWT-ALGS",
		Doc: "JWT access tokens signed with an RSA key are signed with RS256 (RSASSA-PKCS1-v1_5) instead of the spec's alg (PS256)"}
)

func init() {
	faults = append(faults, FaultClientSecretAccepted, FaultPasswordGrantServed, FaultJWTAlgRS256)
}

// rs256 is the signer's RSA key signing RS256 (FaultJWTAlgRS256), or nil
// for a key of another type.
func (s *signer) rs256() *signer {
	if s.alg != jose.PS256 && s.alg != jose.RS256 {
		return nil
	}
	rs := *s
	rs.alg = jose.RS256
	return &rs
}

// listsResourceOwner reports whether the server's target names its
// resource owner: when the spec has the password grant, or when one of its
// requirements probes that the grant is refused (grant-refused/password:
// only real credentials show a refusal is of the grant, not of them).
func (s *Server) listsResourceOwner() bool {
	if s.spec.Grant("password") != nil {
		return true
	}
	for _, r := range s.spec.Requirements {
		if r.Check == "grant-refused/password" {
			return true
		}
	}
	return false
}

package refserver

// Faults of JWT access tokens (RFC 9068; spec response.jwt.profile
// rfc9068). jwt-alg-none (faults_params_jwt.go) also breaks the signature
// requirement, where a spec names it.
var (
	FaultJWTTypPlain = Fault{Name: "jwt-typ-plain", Breaks: "RFC9068-2.1-TYP",
		Doc: "JWT access tokens carry the JOSE header typ JWT instead of at+jwt"}
	FaultJWTClaimMissing = Fault{Name: "jwt-claim-missing", Breaks: "RFC9068-2.2-REQUIRED-CLAIMS",
		Doc: "JWT access tokens carry no aud claim"}
	FaultJWTOtherKey = Fault{Name: "jwt-other-key", Breaks: "RFC9068-2.1-SIGNED-RS256",
		Doc: "JWT access tokens are signed by a key the published key set (/jwks) does not hold, under the kid of the one it does"}
)

func init() {
	faults = append(faults, FaultJWTTypPlain, FaultJWTClaimMissing, FaultJWTOtherKey)
}

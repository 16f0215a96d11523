package refserver

import "time"

// Faults of the security probes: secrets echoed, guessable tokens, tokens
// that die before their stated lifetime, introspection and resource-server
// answers to unknown tokens, refresh chains, and the wrong-method and
// partial-scope probes. The faults table in faults.go lists them.
var (
	FaultSecretEchoed = Fault{Name: "secret-echoed", Breaks: "TOKENCERT-NO-SECRET-ECHO",
		Doc: "token responses to an authenticated client carry its client secret, base64url-encoded, in an X-Client-Assertion header"}
	FaultTokenCounter = Fault{Name: "token-counter", Breaks: "RFC6749-10.10-TOKEN-ENTROPY-128",
		Doc: "access tokens (and a JWT's jti) are one random prefix, fixed for the server's life, followed by a counter"}
	FaultTokenDiesEarly = Fault{Name: "token-dies-early", Breaks: "TOKENCERT-LIFETIME-AS-STATED",
		Doc: "access tokens are refused by the protected resource and introspection once half their lifetime has passed, though expires_in states the whole",
		// The late probe goes a tenth of the lifetime before its end, and
		// must be answered before it: 0.6 s of room, not 0.1 s.
		Lifetime: 6 * time.Second}
	FaultIntrospectUnknownActive = Fault{Name: "introspect-unknown-active", Breaks: "TOKENCERT-INTROSPECT-UNKNOWN-INACTIVE",
		Doc: "introspection reports a token it never issued as active, for the calling client"}
	FaultBearerNoError = Fault{Name: "bearer-challenge-no-error", Breaks: "RFC6750-3.1-EXPIRED-INVALID-TOKEN",
		Doc: "the protected resource answers an unknown, revoked or expired token with 401 and a Bearer challenge without the error attribute"}
	FaultRefreshTokenNarrowed = Fault{Name: "refresh-token-narrowed", Breaks: "RFC6749-6-NEW-RT-SAME-SCOPE",
		Doc: "a refresh with a narrower scope binds the new refresh token to that narrower scope instead of the grant's original one"}
	FaultRotatedRefreshDead = Fault{Name: "rotated-refresh-token-dead", Breaks: "RFC6749-6-NEW-RT-SAME-SCOPE",
		Doc: "the refresh token a refresh returns is never recorded, so the next refresh with it is refused with invalid_grant (the replacement carries no scope at all)"}
	FaultWrongMethodBodyAccepted = Fault{Name: "wrong-method-body-accepted", Breaks: "RFC6749-3.2-POST-ONLY",
		Doc: "a token request with another HTTP method is served like a valid one when its parameters are in the body (in the query, it is still refused)"}
	FaultScopePartlyNarrowedSilently = Fault{Name: "scope-partly-narrowed-silently", Breaks: "RFC6749-3.3-SCOPE-IF-CHANGED",
		Doc: "a scope with known and unknown values is granted its known values with no scope member saying so (unknown values alone are still refused with invalid_scope)"}
)

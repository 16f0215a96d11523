package refserver

// Faults of the documented dialects linkervision (required audience,
// response time, body client credentials, undocumented expiry) and
// vision10 (maximum lengths, JWT access tokens, an array of problem
// objects). Each is switched on by the spec data it bends; the faults
// table in faults.go lists them.
var (
	// Request parameters and client authentication (Request.Required,
	// Refserver.Audience, Request.MaxLength).
	FaultAudienceIgnored = Fault{Name: "audience-ignored", Breaks: "LINKERVISION-AUDIENCE-REQUIRED",
		Doc: "a token request without a required parameter whose value the spec configures (linkervision: audience) is served"}
	FaultAudienceNotChecked = Fault{Name: "audience-not-checked", Breaks: "LINKERVISION-AUDIENCE-CHECKED",
		Doc: "any value of a required parameter the spec configures (linkervision: audience) is accepted, not only the configured one"}
	FaultClientSecretNotChecked = Fault{Name: "client-secret-not-checked", Breaks: "LINKERVISION-CLIENT-AUTHENTICATED",
		Doc: "a registered client_id authenticates with any client_secret"}
	FaultLengthUnchecked = Fault{Name: "length-unchecked", Breaks: "VISION10-MAX-LENGTH",
		Doc: "values longer than their documented maximum (request.max_length) are cut to it instead of refused"}

	// Timing and lifetime (Request.ResponseWithin, Response.ExpiresIn).
	FaultSlowToken = Fault{Name: "slow-token", Breaks: "LINKERVISION-RESPONSE-TIME",
		Doc: "successful token responses are held back 1 s longer than the documented response time (request.response_within)"}
	FaultExpiresInAbsent = Fault{Name: "expires-in-absent", Breaks: "RFC6749-5.1-EXPIRES-IN",
		Doc: "success bodies carry no expires_in member (the lifetime is still enforced)"}

	// JWT access tokens (Response.JWT).
	FaultAccessTokenOpaque = Fault{Name: "access-token-opaque", Breaks: "VISION10-JWT",
		Doc: "access tokens are random strings although the spec documents JWTs (response.jwt)"}
	FaultJWTAlgNone = Fault{Name: "jwt-alg-none", Breaks: "VISION10-JWT-ALG",
		Doc: "JWT access tokens are unsigned: header alg none and an empty signature"}
	FaultJWTExpMismatch = Fault{Name: "jwt-exp-mismatch", Breaks: "VISION10-JWT-EXP",
		Doc: "the JWT's exp is an hour later than the time of issue plus expires_in (the token still expires when expires_in says)"}
	FaultJWTClaimsMismatch = Fault{Name: "jwt-claims-mismatch", Breaks: "VISION10-JWT-CLAIMS",
		Doc: "the JWT claims the spec maps to request parameters (response.jwt.claims) carry other values than the request's"}

	// Error bodies (Errors.Template).
	FaultErrorObjectNotArray = Fault{Name: "error-object-not-array", Breaks: "VISION10-ERROR-ARRAY",
		Doc: "an error template that is an array of problem objects is sent as its first object alone"}
	FaultErrorInstanceWrong = Fault{Name: "error-instance-wrong", Breaks: "VISION10-ERROR-INSTANCE",
		Doc: "the error template's $path is filled with / instead of the request path"}
	FaultErrorStatusMismatch = Fault{Name: "error-status-mismatch", Breaks: "VISION10-ERROR-STATUS",
		Doc: "the error template's $status says 400 when the HTTP status is another (401 when it is 400)"}
)

package interop

// expected lists, per server, every check whose verdict is not pass, keyed
// by check name (suites/testdata/checks.txt). Each entry is either a real
// deviation of the server, with the clause it breaks (docs/interop.md shows
// the exchange), or a check the target cannot exercise.
var expected = map[string]map[string]string{
	"fosite": {
		// Not applicable: fosite v0.49 has no device authorization grant
		// (RFC 8628), so the target names no device endpoint.
		"RFC8628-3.2-DEVICE-RESPONSE the device authorization response carries the required members":         "skip",
		"RFC8628-3.5-PENDING a device code the user has not approved yields no token":                        "skip",
		"RFC8628-3.5-SUCCESS once the user approves, polling at the interval yields a token":                 "skip",
		"RFC8628-3.5-ACCESS-DENIED a device the user denied gets access_denied, never a token":               "skip",
		"RFC8628-3.5-EXPIRED-TOKEN [at start] a fresh device code is pending, not expired":                   "skip",
		"RFC8628-3.5-EXPIRED-TOKEN [after expiry] a device code past its expires_in is refused as expired":   "skip",
		"RFC8628-3.5-UNKNOWN-DEVICE-CODE [bad_device_code] a device code the server never issued is refused": "skip",
		// RFC 6749 §2.3 (at SHOULD): Basic and body credentials at once are
		// served, the Basic ones taken.
		"RFC6749-2.3-SINGLE-AUTH-METHOD [multiple_client_auth] a request that authenticates the client two ways at once is refused": "finding",
		// RFC 6749 §3.2, §5.2: a repeated parameter is invalid_request;
		// fosite reads the first grant_type and issues a token.
		"RFC6749-3.2-NO-REPEATED-PARAMS [repeated_parameter] a request with a repeated parameter is refused": "fail",
		// RFC 6749 §5.2 names "no client authentication included" under
		// invalid_client; fosite answers 400 invalid_request.
		"RFC6749-3.2.1-AUTH-REQUIRED [no_client_auth] a request without client authentication is refused": "fail",
		// Not applicable: the test server is cleartext http:// on loopback.
		"RFC6749-3.2-TLS-REQUIRED the token endpoint is served over TLS": "skip",
		// Not applicable: the unknown scope is refused, so none is narrowed.
		"RFC6749-3.3-SCOPE-IF-CHANGED [invalid_scope] a token granted with a narrower scope than requested states its scope": "skip",
		// Not applicable: a known scope with an unknown one is refused too.
		"RFC6749-3.3-SCOPE-IF-CHANGED [invalid_scope_partial] a token granted with a narrower scope than requested states its scope (beside a known one)": "skip",
		// RFC 6749 §5.2: 401 after Basic authentication MUST carry a
		// WWW-Authenticate challenge; fosite sends none.
		"RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE [bad_client_basic] a wrong client secret sent with HTTP Basic is refused": "fail",
		// RFC 6749 §5.2: an unknown grant_type is unsupported_grant_type;
		// fosite answers invalid_request.
		"RFC6749-5.2-UNSUPPORTED-GRANT [unsupported_grant_type] an unknown grant_type is refused": "fail",
		// RFC 7009 §2.1, §2.2.1 (RFC 6749 §5.2): the revocation endpoint
		// answers no client authentication invalid_request (as F2) and a
		// wrong Basic secret 401 without a challenge (as F3); introspection
		// too (RFC 7662 §2.3) (F7).
		"RFC7009-2.1-REVOCATION-CLIENT-CHECKS [no-auth] a request to the revocation endpoint without client authentication is refused":   "fail",
		"RFC7009-2.1-REVOCATION-CLIENT-CHECKS [wrong-secret] a request to the revocation endpoint with a wrong client secret is refused": "fail",
		"RFC7662-2.1-CALLER-AUTH [wrong-secret] a request to the introspection endpoint with a wrong client secret is refused":           "fail",
	},
	"go-oauth2": {
		// Not applicable: the setup has no public client (the library's
		// default client handler reads HTTP Basic only).
		"RFC9700-2.2.2-PUBLIC-CLIENT-RT-PROTECTION a public client's refresh tokens are rotated or sender-constrained": "skip",
		// Not applicable: no revocation endpoint (RFC 7009).
		"RFC7009-2-RT-REVOCATION a revoked refresh token is refused by the refresh grant":                                                "skip",
		"RFC7009-2.1-RT-REVOCATION-CASCADE revoking a refresh token also revokes the access token issued with it":                        "skip",
		"RFC7009-2-AT-REVOCATION a revoked access token stops working":                                                                   "skip",
		"RFC7009-2.2-UNKNOWN-TOKEN-200 revoking a token the server never issued is answered 200":                                         "skip",
		"RFC7009-2.1-REVOCATION-CLIENT-CHECKS [no-auth] a request to the revocation endpoint without client authentication is refused":   "skip",
		"RFC7009-2.1-REVOCATION-CLIENT-CHECKS [wrong-secret] a request to the revocation endpoint with a wrong client secret is refused": "skip",
		"RFC7009-2.1-REVOCATION-CLIENT-CHECKS [other-client] a token is not revoked at another client's request":                         "skip",
		// Not applicable: no device authorization grant (RFC 8628).
		"RFC8628-3.2-DEVICE-RESPONSE the device authorization response carries the required members":         "skip",
		"RFC8628-3.5-PENDING a device code the user has not approved yields no token":                        "skip",
		"RFC8628-3.5-SUCCESS once the user approves, polling at the interval yields a token":                 "skip",
		"RFC8628-3.5-ACCESS-DENIED a device the user denied gets access_denied, never a token":               "skip",
		"RFC8628-3.5-EXPIRED-TOKEN [at start] a fresh device code is pending, not expired":                   "skip",
		"RFC8628-3.5-EXPIRED-TOKEN [after expiry] a device code past its expires_in is refused as expired":   "skip",
		"RFC8628-3.5-UNKNOWN-DEVICE-CODE [bad_device_code] a device code the server never issued is refused": "skip",
		// RFC 6749 §2.3 (at SHOULD), as for fosite.
		"RFC6749-2.3-SINGLE-AUTH-METHOD [multiple_client_auth] a request that authenticates the client two ways at once is refused": "finding",
		// RFC 6749 §5.2: no WWW-Authenticate on the 401 for a Basic header
		// that does not decode either.
		"RFC6749-2.3.1-BASIC-MALFORMED [malformed_basic] a malformed HTTP Basic header is refused as failed client authentication": "fail",
		// RFC 6749 §5.2: invalid_grant is a 400; go-oauth2 sends 401 for an
		// authorization code it never issued too.
		"RFC6749-5.2-INVALID-GRANT-CODE [bad_code] an authorization code the server never issued is refused": "fail",
		// RFC 6749 §6, §10.4: the refresh token is bound to its client;
		// go-oauth2 lets another client redeem it.
		"RFC6749-10.4-RT-BOUND-TO-CLIENT another client cannot redeem the refresh token": "fail",
		// RFC 6749 §2.3.1: body credentials are a MAY; go-oauth2 offers
		// only Basic, which is conformant, so the check skips.
		"RFC6749-2.3.1-BODY-CREDENTIALS [body] the endpoint authenticates a client by body credentials": "skip",
		// RFC 6749 §3.2, §5.2, as for fosite.
		"RFC6749-3.2-NO-REPEATED-PARAMS [repeated_parameter] a request with a repeated parameter is refused": "fail",
		// Not applicable: the test server is cleartext http:// on loopback.
		"RFC6749-3.2-TLS-REQUIRED the token endpoint is served over TLS": "skip",
		// Not applicable: the unknown scope is refused, so none is narrowed.
		"RFC6749-3.3-SCOPE-IF-CHANGED [invalid_scope] a token granted with a narrower scope than requested states its scope": "skip",
		// Not applicable: a known scope with an unknown one is refused too.
		"RFC6749-3.3-SCOPE-IF-CHANGED [invalid_scope_partial] a token granted with a narrower scope than requested states its scope (beside a known one)": "skip",
		// RFC 6749 §5.2: no WWW-Authenticate on the 401, as for fosite.
		"RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE [bad_client_basic] a wrong client secret sent with HTTP Basic is refused": "fail",
		// RFC 6749 §5.2: invalid_grant is a 400; go-oauth2 sends 401
		// (without a challenge, RFC 9110 §15.5.2).
		"RFC6749-5.2-INVALID-GRANT-PASSWORD [bad_password] a wrong resource-owner password is refused": "fail",
		// RFC 6749 §5.2: as above, for an unknown refresh token.
		"RFC6749-5.2-INVALID-GRANT-REFRESH [bad_refresh_token] an unknown refresh token is refused": "fail",
		// RFC 6749 §4.4.2, §5.2: a missing grant_type is a 400
		// invalid_request; go-oauth2 sends 401 unsupported_grant_type.
		"RFC6749-5.2-MISSING-GRANT-TYPE [missing_grant_type] a request without grant_type is refused": "fail",
		// RFC 6749 §5.2: unsupported_grant_type is a 400; go-oauth2 sends 401.
		"RFC6749-5.2-UNSUPPORTED-GRANT [unsupported_grant_type] an unknown grant_type is refused": "fail",
		// RFC 6749 §6: a refresh MUST NOT add scope; go-oauth2 grants
		// whatever scope the refresh asks for (no RefreshingScopeHandler
		// by default).
		"RFC6749-6-NO-SCOPE-ESCALATION a refresh cannot widen the granted scope": "fail",
		// RFC 7636 §4.6, RFC 6749 §5.2: a missing code_verifier is a
		// client error; go-oauth2 answers 500 server_error (the manager's
		// ErrMissingCodeVerifier is not in its error table).
		"RFC7636-4.6-VERIFIER-REQUIRED [missing] a code requested with a code_challenge is refused without a code_verifier": "fail",
		// RFC 6749 §4.1.2 (SHOULD): the tokens of a code used twice are
		// revoked; go-oauth2 keeps the first redemption's token working.
		"RFC6749-4.1.2-CODE-REUSE-REVOKES the token issued for a code stops working once the code is redeemed again": "finding",
		// Not applicable: go-oauth2 has no introspection endpoint.
		"RFC7662-2.2-EXPIRED-INACTIVE [after expiry] an expired access token is refused by introspection":                      "skip",
		"RFC7662-2.2-EXPIRED-INACTIVE [at issue] a fresh access token is accepted by introspection":                            "skip",
		"TOKENCERT-INTROSPECT-UNKNOWN-INACTIVE introspection reports unknown and garbage tokens inactive":                      "skip",
		"RFC7662-2.1-CALLER-AUTH [no-auth] a request to the introspection endpoint without client authentication is refused":   "skip",
		"RFC7662-2.1-CALLER-AUTH [wrong-secret] a request to the introspection endpoint with a wrong client secret is refused": "skip",
	},
}

package interop

func init() {
	expected["fosite-code"] = map[string]string{
		// RFC 6749 §3.2, §5.2: as in the rfc6749 run (F1).
		"RFC6749-3.2-NO-REPEATED-PARAMS [repeated_parameter] a request with a repeated parameter is refused": "fail",
		// Not applicable: the test server is cleartext http:// on loopback.
		"RFC6749-3.2-TLS-REQUIRED the token endpoint is served over TLS": "skip",
		// RFC 6749 §5.2: as in the rfc6749 run (F2).
		"RFC6749-3.2.1-AUTH-REQUIRED [no_client_auth] a request without client authentication is refused": "fail",
		// Not applicable: the client is registered for authorization_code and refresh_token only.
		"RFC6749-4.3-PASSWORD-SUCCESS [password] correct resource-owner credentials yield a token": "skip",
		// Not applicable: the client is registered for authorization_code and refresh_token only.
		"RFC6749-4.4.3-CC-NO-REFRESH [client_credentials] a client_credentials response carries no refresh token": "skip",
		// RFC 6749 §5.2: as in the rfc6749 run (F3).
		"RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE [bad_client_basic] a wrong client secret sent with HTTP Basic is refused": "fail",
		// Not applicable: the client is registered for authorization_code and refresh_token only.
		"RFC6749-5.2-INVALID-GRANT-PASSWORD [bad_password] a wrong resource-owner password is refused": "skip",
		// RFC 6749 §5.2: a missing required parameter is invalid_request; fosite answers a redemption without code with invalid_grant (F5).
		"RFC6749-5.2-MISSING-REQUIRED-PARAM [missing_parameter] a request missing a required grant parameter is refused": "fail",
		// RFC 6749 §2.3 (SHOULD here): as in the rfc6749 run (F6), a finding.
		"RFC6749-2.3-SINGLE-AUTH-METHOD [multiple_client_auth] a request that authenticates the client two ways at once is refused": "finding",
		// Not applicable: fosite v0.49 has no device authorization grant (RFC 8628).
		"RFC8628-3.5-UNKNOWN-DEVICE-CODE [bad_device_code] a device code the server never issued is refused": "skip",
		// RFC 6749 §5.2: as in the rfc6749 run (F4).
		"RFC6749-5.2-UNSUPPORTED-GRANT [unsupported_grant_type] an unknown grant_type is refused": "fail",
		// RFC 7009 §2.1, §2.2.1; RFC 7662 §2.3: as in the rfc6749 run (F7).
		"RFC7009-2.1-REVOCATION-CLIENT-CHECKS [no-auth] a request to the revocation endpoint without client authentication is refused": "fail",
		// RFC 7009 §2.1, §2.2.1; RFC 7662 §2.3: as in the rfc6749 run (F7).
		"RFC7009-2.1-REVOCATION-CLIENT-CHECKS [wrong-secret] a request to the revocation endpoint with a wrong client secret is refused": "fail",
		// RFC 7009 §2.1, §2.2.1; RFC 7662 §2.3: as in the rfc6749 run (F7).
		"RFC7662-2.1-CALLER-AUTH [wrong-secret] a request to the introspection endpoint with a wrong client secret is refused": "fail",
		// Not applicable: fosite v0.49 has no device authorization grant (RFC 8628).
		"RFC8628-3.2-DEVICE-RESPONSE the device authorization response carries the required members": "skip",
		// Not applicable: fosite v0.49 has no device authorization grant (RFC 8628).
		"RFC8628-3.5-ACCESS-DENIED a device the user denied gets access_denied, never a token": "skip",
		// Not applicable: fosite v0.49 has no device authorization grant (RFC 8628).
		"RFC8628-3.5-EXPIRED-TOKEN [after expiry] a device code past its expires_in is refused as expired": "skip",
		// Not applicable: fosite v0.49 has no device authorization grant (RFC 8628).
		"RFC8628-3.5-EXPIRED-TOKEN [at start] a fresh device code is pending, not expired": "skip",
		// Not applicable: fosite v0.49 has no device authorization grant (RFC 8628).
		"RFC8628-3.5-PENDING a device code the user has not approved yields no token": "skip",
		// Not applicable: fosite v0.49 has no device authorization grant (RFC 8628).
		"RFC8628-3.5-SUCCESS once the user approves, polling at the interval yields a token": "skip",
		// Not applicable: fosite's public client is registered for the password grant only, which this client's target does not use.
		"RFC9700-2.2.2-PUBLIC-CLIENT-RT-PROTECTION a public client's refresh tokens are rotated or sender-constrained": "skip",
	}
}

package interop

func init() {
	expected["fosite-jwt"] = map[string]string{
		// Not applicable: the test server is cleartext http:// on loopback.
		"RFC6749-3.2-TLS-REQUIRED the token endpoint is served over TLS": "skip",
		// RFC 6749 §5.2, as in the rfc6749 run (F2): 400 invalid_request.
		"RFC6749-3.2.1-AUTH-REQUIRED [no_client_auth] a request without client authentication is refused": "fail",
		// RFC 6749 §5.2, as in the rfc6749 run (F4): invalid_request.
		"RFC6749-5.2-UNSUPPORTED-GRANT [unsupported_grant_type] an unknown grant_type is refused": "fail",
		// RFC 7523 §3 item 4, §3.2: an expired assertion is invalid_client;
		// fosite answers 500 {"error":"error"} (J1).
		"RFC7523-3-EXP [private_key_jwt expired] an assertion whose exp passed an hour ago is refused": "fail",
		// RFC 7523 §3.2: fosite refuses the replay, with its own code
		// jti_known instead of invalid_client; a finding at MAY (J2).
		"RFC7523-3-JTI-REPLAY [private_key_jwt replay] a client assertion whose jti was already used is refused": "finding",
		// Not applicable: fosite v0.49.0 offers no client_secret_jwt, and the
		// client (private_key_jwt) has no secret; the target does not name
		// the method, so it is not owed.
		"RFC7523-2.2-ASSERTION-ACCEPTED [client_secret_jwt] a valid client assertion authenticates the client":                    "skip",
		"RFC7523-3-AUD [client_secret_jwt wrong-aud] an assertion whose aud is another server's token endpoint is refused":        "skip",
		"RFC7523-3-EXP [client_secret_jwt expired] an assertion whose exp passed an hour ago is refused":                          "skip",
		"RFC7523-3-ISS-SUB [client_secret_jwt no-iss] an assertion without iss is refused":                                        "skip",
		"RFC7523-3-ISS-SUB [client_secret_jwt no-sub] an assertion without sub is refused":                                        "skip",
		"RFC7523-3-ISS-SUB [client_secret_jwt other-iss] an assertion whose iss is not the client is refused":                     "skip",
		"RFC7523-3-ISS-SUB [client_secret_jwt other-sub] an assertion whose sub is not the client is refused":                     "skip",
		"RFC7523-3-JTI-REPLAY [client_secret_jwt replay] a client assertion whose jti was already used is refused":                "skip",
		"RFC7523-3-SIGNATURE [client_secret_jwt alg-none] an unsigned assertion (alg none) is refused":                            "skip",
		"RFC7523-3-SIGNATURE [client_secret_jwt other-key] an assertion signed by a key not registered for the client is refused": "skip",
	}
}

package refserver

import "strings"

// Faults of the authorization server metadata (RFC 8414): a document that
// misstates the issuer, the endpoints' scheme, the grants or the PKCE
// methods; and of the PKCE methods the server serves against it.
var (
	FaultMetadataIssuerMismatch = Fault{Name: "metadata-issuer-mismatch", Breaks: "RFC8414-3.3-ISSUER-IDENTICAL",
		Doc: "the metadata's issuer carries a trailing slash, so it is not the issuer identifier its well-known URL was built from"}
	FaultMetadataHTTPEndpoints = Fault{Name: "metadata-http-endpoints", Breaks: "RFC8414-2-HTTPS-URLS",
		Doc: "the metadata advertises the revocation and introspection endpoints with http:// URLs (on the server's host, not loopback)"}
	FaultMetadataGrantUnserved = Fault{Name: "metadata-grant-unserved", Breaks: "RFC8414-2-GRANT-TYPES-CONSISTENT",
		Doc: "the metadata's grant_types_supported also lists token exchange (urn:ietf:params:oauth:grant-type:token-exchange), which the token endpoint answers unsupported_grant_type"}
	FaultMetadataGrantOmitted = Fault{Name: "metadata-grant-omitted", Breaks: "RFC8414-2-GRANT-TYPES-CONSISTENT",
		Doc: "the metadata's grant_types_supported leaves out refresh_token, which the token endpoint serves"}
	FaultMetadataSigningAlgsMissing = Fault{Name: "metadata-signing-algs-missing", Breaks: "RFC8414-2-AUTH-SIGNING-ALGS",
		Doc: "the metadata's introspection_endpoint_auth_methods_supported lists private_key_jwt without introspection_endpoint_auth_signing_alg_values_supported"}
	FaultMetadataPKCEPlainListed = Fault{Name: "metadata-pkce-plain-listed", Breaks: "RFC8414-2-PKCE-METHODS-HONEST",
		Doc: "the metadata's code_challenge_methods_supported lists plain beside S256, while the authorization endpoint refuses plain (invalid_request)"}
	FaultPKCEPlainAccepted = Fault{Name: "pkce-plain-accepted", Breaks: "RFC7636-4.4.1-PLAIN-REFUSED",
		Doc: "the authorization endpoint issues a code for code_challenge_method=plain although the metadata offers S256 alone, and the token endpoint redeems it with the plain verifier"}
	FaultPKCEOptional = Fault{Name: "pkce-optional", Breaks: "RFC9700-2.1.1-PKCE-DOWNGRADE",
		Doc: "the authorization endpoint issues a code requested without a code_challenge, and the token endpoint redeems it whatever code_verifier comes with it"}
	FaultPKCEOptionalPublic = Fault{Name: "pkce-optional-public", Breaks: "OAUTH21-4.1.1-PUBLIC-CLIENT-PKCE",
		Doc: "the authorization endpoint issues a public client's code requested without a code_challenge, and the token endpoint redeems it by client_id alone, without a code_verifier (a confidential client's request without one is still refused)"}
	FaultMetadataPKCEPlainOnly = Fault{Name: "metadata-pkce-plain-only", Breaks: "RFC7636-4.2-S256-SUPPORTED",
		Doc: "the metadata's code_challenge_methods_supported lists plain alone (the server still verifies S256 challenges)"}
)

func init() {
	faults = append(faults, FaultMetadataIssuerMismatch, FaultMetadataHTTPEndpoints, FaultMetadataGrantUnserved, FaultMetadataGrantOmitted,
		FaultMetadataSigningAlgsMissing, FaultMetadataPKCEPlainListed, FaultMetadataPKCEPlainOnly, FaultPKCEPlainAccepted, FaultPKCEOptional, FaultPKCEOptionalPublic)
}

// hasMetadataRequirement reports whether the spec checks the metadata: the
// reference server's target then names its issuer.
func (s *Server) hasMetadataRequirement() bool {
	for _, r := range s.spec.Requirements {
		if strings.HasPrefix(r.ID, "RFC8414-") || r.ID == "RFC7636-4.2-S256-SUPPORTED" || strings.HasPrefix(r.Check, "metadata") {
			return true
		}
	}
	return false
}

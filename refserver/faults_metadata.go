package refserver

import "strings"

// Faults of the authorization server metadata (RFC 8414): a document that
// misstates the issuer, the endpoints' scheme, the grants or the PKCE
// methods.
var (
	FaultMetadataIssuerMismatch = Fault{Name: "metadata-issuer-mismatch", Breaks: "RFC8414-3.3-ISSUER-IDENTICAL",
		Doc: "the metadata's issuer carries a trailing slash, so it is not the issuer identifier its well-known URL was built from"}
	FaultMetadataHTTPEndpoints = Fault{Name: "metadata-http-endpoints", Breaks: "RFC8414-2-HTTPS-URLS",
		Doc: "the metadata advertises the revocation and introspection endpoints with http:// URLs (on the server's host, not loopback)"}
	FaultMetadataGrantUnserved = Fault{Name: "metadata-grant-unserved", Breaks: "RFC8414-2-GRANT-TYPES-CONSISTENT",
		Doc: "the metadata's grant_types_supported also lists token exchange (urn:ietf:params:oauth:grant-type:token-exchange), which the token endpoint answers unsupported_grant_type"}
	FaultMetadataPKCEPlainOnly = Fault{Name: "metadata-pkce-plain-only", Breaks: "RFC7636-4.2-S256-SUPPORTED",
		Doc: "the metadata's code_challenge_methods_supported lists plain alone (the server still verifies S256 challenges)"}
)

func init() {
	faults = append(faults, FaultMetadataIssuerMismatch, FaultMetadataHTTPEndpoints, FaultMetadataGrantUnserved, FaultMetadataPKCEPlainOnly)
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

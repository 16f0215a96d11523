package refserver

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/target"
)

// metadataPath is where the server publishes its authorization server
// metadata (RFC 8414 §3); its issuer has no path.
const metadataPath = "/.well-known/oauth-authorization-server"

// serveMetadata is the authorization server metadata (RFC 8414 §2): the
// issuer is the URL the request reached (scheme and host), and every
// endpoint is under it.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", http.MethodGet)
		writeJSON(w, http.StatusMethodNotAllowed, "application/json", object{{"error", "invalid_request"}})
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	issuer := scheme + "://" + r.Host
	writeJSON(w, http.StatusOK, "application/json", s.metadata(issuer))
}

// metadata is the metadata document for issuer.
func (s *Server) metadata(issuer string) object {
	sp := s.spec
	published := issuer
	if s.has(FaultMetadataIssuerMismatch) {
		published += "/"
	}
	m := object{{"issuer", published}, {"token_endpoint", issuer + s.tokenPathFilled()}}
	var served []string
	for _, g := range sp.Grants {
		if g.Type == grants.RefreshToken.Name && s.has(FaultMetadataGrantOmitted) {
			continue
		}
		served = append(served, g.Type)
	}
	if s.has(FaultMetadataGrantUnserved) {
		served = append(served, "urn:ietf:params:oauth:grant-type:token-exchange")
	}
	// response_types_supported is REQUIRED (RFC 8414 §2); a server without
	// an authorization endpoint still names one, "code".
	m = append(m, member{"response_types_supported", []string{"code"}}, member{"grant_types_supported", served})
	var methods, algs []string
	for _, a := range sp.Request.ClientAuth {
		// RFC 8414 §2 takes the names of the IANA registry; the JWT and
		// mutual-TLS methods are named there as in specs.
		name := map[string]string{authBasic: "client_secret_basic", authBody: "client_secret_post"}[a]
		if name == "" {
			name = a
		}
		methods = append(methods, name)
		switch a {
		case target.AuthPrivateKeyJWT:
			algs = append(algs, "RS256", "PS256", "ES256", "EdDSA")
		case target.AuthClientSecretJWT:
			algs = append(algs, "HS256")
		}
	}
	methods = append(methods, "none")
	side := issuer
	if s.has(FaultMetadataHTTPEndpoints) {
		side = "http://" + strings.TrimPrefix(strings.TrimPrefix(issuer, "https://"), "http://")
		side = strings.Replace(side, "127.0.0.1", "as.tokencert.invalid", 1)
	}
	m = append(m, member{"token_endpoint_auth_methods_supported", slices.Compact(methods)})
	if len(algs) > 0 {
		// REQUIRED with a JWT method (RFC 8414 §2): the algorithms whose
		// assertions the server verifies (assertion.go).
		m = append(m, member{"token_endpoint_auth_signing_alg_values_supported", algs})
	}
	m = append(m, member{"introspection_endpoint", side + introspectPath}, member{"revocation_endpoint", side + revokePath})
	if s.has(FaultMetadataSigningAlgsMissing) {
		m = append(m, member{"introspection_endpoint_auth_methods_supported", []string{"client_secret_basic", target.AuthPrivateKeyJWT}})
	}
	if sp.Grant("authorization_code") != nil {
		pkce := []string{"S256"}
		switch {
		case s.has(FaultMetadataPKCEPlainOnly):
			pkce = []string{"plain"}
		case s.has(FaultMetadataPKCEPlainListed):
			pkce = []string{"S256", "plain"}
		}
		m = append(m, member{"authorization_endpoint", issuer + authorizePath}, member{"code_challenge_methods_supported", pkce})
	}
	if sp.Grant(grants.DeviceCode.Name) != nil {
		m = append(m, member{"device_authorization_endpoint", issuer + devicePath})
	}
	return m
}

// tokenPathFilled is the token path with its variables filled with the
// values the server expects.
func (s *Server) tokenPathFilled() string {
	p := s.spec.Request.Path
	for _, v := range s.spec.PathVars() {
		p = strings.ReplaceAll(p, "{"+v+"}", url.PathEscape(s.pathValue(v)))
	}
	return p
}

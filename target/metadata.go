package target

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tokencert/tokencert/grants"
)

// Metadata is the part of an authorization server's metadata (RFC 8414 §2;
// OpenID Connect Discovery 1.0 §3) that can fill in a target.
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
}

// MetadataURLs are where an issuer's metadata is looked for, in order:
// RFC 8414 §3.1's well-known URI (inserted between host and path), then
// OpenID Connect Discovery's (appended to the issuer).
func MetadataURLs(issuer string) []string {
	scheme, rest, _ := strings.Cut(issuer, "://")
	host, path, _ := strings.Cut(rest, "/")
	path = strings.TrimSuffix(path, "/")
	oauth := scheme + "://" + host + "/.well-known/oauth-authorization-server"
	if path != "" {
		oauth += "/" + path
	}
	return []string{oauth, strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"}
}

// authMethods maps RFC 8414 token_endpoint_auth_methods_supported values
// to the target's client_auth methods.
var authMethods = map[string]string{"client_secret_basic": "basic", "client_secret_post": "body", "none": "none"}

// FillFromMetadata fills the keys the target does not set from m and
// returns what it filled, each as "key (metadata member)". Explicit keys
// win. The grants the metadata lists are what the server offers
// (Offered), never what the client is registered for (Grants). client_auth is filled only for a client that has a secret
// (basic, body) or has none (none), so that the methods fit the client.
func (t *Target) FillFromMetadata(m Metadata) []string {
	var filled []string
	set := func(dst *string, v, key, member string) {
		if *dst == "" && v != "" {
			*dst = v
			filled = append(filled, fmt.Sprintf("%s (%s)", key, member))
		}
	}
	set(&t.Endpoint, m.TokenEndpoint, "endpoint", "token_endpoint")
	set(&t.Authorization, m.AuthorizationEndpoint, "authorization", "authorization_endpoint")
	set(&t.DeviceAuthorization, m.DeviceAuthorizationEndpoint, "device_authorization", "device_authorization_endpoint")
	set(&t.Revocation, m.RevocationEndpoint, "revocation", "revocation_endpoint")
	set(&t.Introspection, m.IntrospectionEndpoint, "introspection", "introspection_endpoint")
	if len(t.ClientAuth) == 0 && len(m.TokenEndpointAuthMethodsSupported) > 0 {
		var methods []string
		for _, v := range m.TokenEndpointAuthMethodsSupported {
			a, ok := authMethods[v]
			if !ok || slices.Contains(methods, a) || (a == "none") != (t.ClientSecret == "") {
				continue
			}
			methods = append(methods, a)
		}
		if len(methods) > 0 {
			t.ClientAuth = methods
			filled = append(filled, "client_auth (token_endpoint_auth_methods_supported)")
		}
	}
	if len(t.Offered) == 0 {
		for _, v := range m.GrantTypesSupported {
			if g := grants.Lookup(v); g != nil && !slices.Contains(t.Offered, g.Name) {
				t.Offered = append(t.Offered, g.Name)
			}
		}
	}
	if len(t.PKCEMethods) == 0 && len(m.CodeChallengeMethodsSupported) > 0 {
		var methods []string
		for _, v := range m.CodeChallengeMethodsSupported {
			if (v == "S256" || v == "plain") && !slices.Contains(methods, v) {
				methods = append(methods, v)
			}
		}
		if len(methods) > 0 {
			t.PKCEMethods = methods
			filled = append(filled, "pkce_methods (code_challenge_methods_supported)")
		}
	}
	return filled
}

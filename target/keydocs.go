package target

// keyDocs say in a few words what each target-file key gives, and what a
// value looks like: an incomplete run's report shows them beside the keys
// it lacks.
var keyDocs = map[string]string{
	"spec":                 "the built-in spec or spec file to certify against",
	"endpoint":             "the token endpoint URL",
	"client_id":            "the client's identifier",
	"client_secret":        "the client's secret, as ${VARIABLE} from the environment",
	"username":             "a test resource owner's username (password grant, logins)",
	"password":             "that resource owner's password, as ${VARIABLE}",
	"scope":                "the scope to request, e.g. read write",
	"audience":             "the audience parameter, for specs that require one",
	"grants":               "the grants the client is registered for, e.g. [client_credentials, password, refresh_token]",
	"client_auth":          "how the client authenticates, e.g. [basic] or [none] for a public client",
	"resource":             "a protected-resource URL that accepts the access token",
	"introspection":        "the RFC 7662 introspection endpoint URL",
	"other_client_id":      "a second client's identifier (binding checks)",
	"other_client_secret":  "the second client's secret, as ${VARIABLE}",
	"max_wait":             "the longest wait for a token to expire, e.g. 2m",
	"params":               "values the API asks for beyond RFC 6749, e.g. {tenant: acme}",
	"allow_secret_in_url":  "true lets the credentials_in_uri probe send the real secret in a URL (test clients only)",
	"refresh_token":        "a refresh token obtained elsewhere, as ${VARIABLE}",
	"issuer":               "the issuer whose RFC 8414 metadata names the endpoints",
	"authorization":        "the authorization endpoint URL (or from the issuer's metadata)",
	"device_authorization": "the RFC 8628 device authorization endpoint URL",
	"revocation":           "the RFC 7009 revocation endpoint URL",
	"pkce_methods":         "the code_challenge methods the server supports, e.g. [S256]",
	"authorize":            "how to log in for a code: redirect_uri and a command, browser selectors or form: true",
	"authorize.deny":       "how to deny a device: the deny button's selector (browser) or id (form)",
	"request_timeout":      "one request's timeout, e.g. 10s",
	"max_rps":              "requests per second at most, e.g. 10",
	"max_failed_logins":    "wrong resource-owner passwords allowed per run, e.g. 3",
	"ca_file":              "a PEM file of CA certificates to trust",
	"client_cert":          "the client's PEM certificate (mutual TLS)",
	"client_key":           "the client certificate's PEM private key",
	"insecure_skip_verify": "true skips the TLS certificate check (recorded in the report)",
	"allow_http":           "true certifies a cleartext http:// endpoint",
	"waivers":              "a waivers file of accepted failures",
	"assertion_key":        "the private key (PEM or JWK file) that signs client assertions",
	"assertion_kid":        "the kid of client assertions",
	"assertion_alg":        "the alg of client assertions, e.g. PS256",
	"assertion_audience":   "the aud of client assertions (default: the token endpoint URL)",
	"public_client_id":     "a public client registered besides this one (no secret)",
	"jwks":                 "the authorization server's JWK Set: a file or an https URL",
	"skew":                 "the time allowed after expires_in, e.g. 2s (default: estimated)",
}

// KeyDoc says what a target-file key gives ("" for an unknown key).
func KeyDoc(key string) string { return keyDocs[key] }

// Package target is the endpoint under test as a target file names it: where
// it is, the credentials to use, and how to talk to it. One Target is read
// from a file (or printed by the reference server), flags are applied to it,
// and it is resolved once; the suites and the transport use it as resolved.
package target

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	yaml3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/yaml"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/specs"
)

// Target is a target file: where the endpoint is and the credentials to
// use. String values may use ${VAR} to read the environment.
type Target struct {
	Path string `json:"-"`

	Spec         string `json:"spec,omitempty"`
	Endpoint     string `json:"endpoint,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	Username     string `json:"username,omitempty"`
	Password     string `json:"password,omitempty"`
	Scope        string `json:"scope,omitempty"`
	Audience     string `json:"audience,omitempty"`
	// Grants are the grants the client is registered for (RFC 7591 §2
	// grant_types), by name or alias (grants.Lookup); none named: any the
	// spec documents.
	Grants []string `json:"grants,omitempty"`
	// Offered are the grants the server says it serves (its metadata's
	// grant_types_supported): what it offers, not what the client is
	// registered for.
	Offered           []string `json:"-"`
	ClientAuth        []string `json:"client_auth,omitempty"`
	Resource          string   `json:"resource,omitempty"`
	Introspection     string   `json:"introspection,omitempty"`
	OtherClientID     string   `json:"other_client_id,omitempty"`
	OtherClientSecret string   `json:"other_client_secret,omitempty"`
	// PublicClientID is a public client (no secret, RFC 6749 §2.1)
	// registered besides the certified one: the DPoP refresh-token binding
	// check (RFC 9449 §5) and the public-client refresh check (RFC 9700
	// §4.14.2) use it.
	PublicClientID string         `json:"public_client_id,omitempty"`
	MaxWait        specs.Duration `json:"max_wait,omitzero"`
	// RefreshToken is a refresh token obtained elsewhere (say, through a
	// login in a browser): the refresh checks redeem it, and consume it.
	RefreshToken string `json:"refresh_token,omitempty"`
	// Issuer is the authorization server's issuer identifier (RFC 8414):
	// its metadata fills in what the target does not name.
	Issuer string `json:"issuer,omitempty"`
	// Authorization, DeviceAuthorization and Revocation are the
	// authorization, device authorization (RFC 8628) and revocation
	// (RFC 7009) endpoints.
	Authorization       string `json:"authorization,omitempty"`
	DeviceAuthorization string `json:"device_authorization,omitempty"`
	Revocation          string `json:"revocation,omitempty"`
	// PKCEMethods are the code_challenge methods the server supports
	// (RFC 7636 §4.2; S256 is used when listed or when none is named).
	PKCEMethods []string `json:"pkce_methods,omitempty"`
	// Authorize says how tokencert gets an authorization code (RFC 6749
	// §4.1): the redirection URI, and the program or browser that logs in.
	Authorize *Authorize `json:"authorize,omitempty"`
	// Params are values the API's document asks for beyond RFC 6749's: a
	// {name} in the endpoint URL takes its value from here (a path
	// variable); every other entry is sent as a parameter of every token
	// request of a grant (by its RFC name, which the spec may rename).
	Params map[string]string `json:"params,omitempty"`
	// PathParams names the Params that filled the endpoint's variables
	// (set by Resolve).
	PathParams []string `json:"-"`
	// AllowSecretInURL lets the credentials_in_uri probe send the real
	// client secret in a request URI, where it can reach access logs.
	AllowSecretInURL bool `json:"allow_secret_in_url,omitempty"`
	// Waivers is a waivers file, relative to the target file (--waivers wins).
	Waivers string `json:"waivers,omitempty"`

	// JWT client authentication (target/assertion.go): the private key of
	// private_key_jwt (a PEM or JWK file), its kid and alg, and the aud
	// of every client assertion (default: the token endpoint URL).
	AssertionKey      string `json:"assertion_key,omitempty"`
	AssertionKID      string `json:"assertion_kid,omitempty"`
	AssertionAlg      string `json:"assertion_alg,omitempty"`
	AssertionAudience string `json:"assertion_audience,omitempty"`
	// AssertionKeyData is key material handed over in-process (the
	// embedded reference server's test client); never written out.
	AssertionKeyData []byte `json:"-"`
	// Assertion is the loaded assertion key (set by Resolve).
	Assertion *AssertionKey `json:"-"`

	// JWKS is the authorization server's key set that verifies JWT access
	// tokens (RFC 9068 §4): a file, or an https URL (http on loopback)
	// fetched during the run (target/jwks.go).
	JWKS string `json:"jwks,omitempty"`
	// KeySet is the key set JWKS names as a file (set by Resolve); nil
	// when JWKS is a URL.
	KeySet *jose.JSONWebKeySet `json:"-"`

	// Transport (runner/transport.go): flags of the same name win.
	RequestTimeout  *specs.Duration `json:"request_timeout,omitempty"`
	MaxRPS          *float64        `json:"max_rps,omitempty"`
	MaxFailedLogins *int            `json:"max_failed_logins,omitempty"`
	CAFile          string          `json:"ca_file,omitempty"`
	ClientCert      string          `json:"client_cert,omitempty"`
	ClientKey       string          `json:"client_key,omitempty"`
	// ClientCertificate is a client certificate and key handed over
	// in-process (the embedded reference server's mTLS client,
	// target/mtls.go); never written out.
	ClientCertificate  *tls.Certificate `json:"-"`
	InsecureSkipVerify bool             `json:"insecure_skip_verify,omitempty"`
	AllowHTTP          bool             `json:"allow_http,omitempty"`

	// Skew is the time allowed after a token's expires_in before it must
	// be refused (--skew wins); nil: estimated from the endpoints' Date
	// headers (suites/skew.go).
	Skew *specs.Duration `json:"skew,omitempty"`

	// lines are the file's keys' lines.
	lines map[string]int
}

// Line is the line of a key in the target file, or 0.
func (t *Target) Line(key string) int { return t.lines[key] }

// Locate gives err, when it is an Error about a key of this target's file,
// the key's line.
func (t *Target) Locate(err error) error {
	if e, ok := err.(*Error); ok && e.File != "" && e.File == t.Path && e.Line == 0 {
		e.Line = t.Line(e.Key)
	}
	return err
}

// Authorize is how an authorization code is obtained: tokencert builds the
// authorization request, and Command or Browser takes it to the redirect.
type Authorize struct {
	// RedirectURI is the client's registered redirection URI.
	RedirectURI string `json:"redirect_uri,omitempty"`
	// Command is run (by /bin/sh -c) with the authorization URL in
	// $TOKENCERT_AUTHORIZATION_URL and on stdin; it prints the URL of the
	// redirect to RedirectURI that it reached.
	Command string `json:"command,omitempty"`
	// Browser drives headless Chromium through a login form.
	Browser *Browser `json:"browser,omitempty"`
	// Form fills in a plain HTML login form (no JavaScript) over HTTP
	// with the target's username and password, then any consent form.
	Form bool `json:"form,omitempty"`
	// Timeout bounds one authorization (default DefaultAuthorizeTimeout).
	Timeout *specs.Duration `json:"timeout,omitempty"`
	// Params are extra parameters of every authorization request, for a
	// server that issues a refresh token only when asked (prompt: consent,
	// access_type: offline); a scope such as offline_access goes in the
	// target's scope.
	Params map[string]string `json:"params,omitempty"`
	// Deny is how a device approval is denied instead (RFC 8628 §3.5
	// access_denied): the deny button's CSS selector for the browser, its
	// id for the form; with a command, any value (the command is run with
	// $TOKENCERT_FLOW=device-deny). Without it the denial is not checked.
	Deny string `json:"deny,omitempty"`
}

// Browser names the CSS selectors of a login page: the username and
// password inputs (the target's username and password are typed there),
// the submit button and, optionally, a consent button.
type Browser struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Submit   string `json:"submit"`
	Consent  string `json:"consent,omitempty"`
	// Chromium is the browser binary (default: chromium on the PATH).
	Chromium string `json:"chromium,omitempty"`
}

// DefaultAuthorizeTimeout bounds one authorization by command or browser.
const DefaultAuthorizeTimeout = time.Minute

// Error is a problem with a target file or flag, naming where it is.
type Error struct {
	File, Key, Problem string
	// Line is the key's line in the file (0: unknown, or a flag).
	Line int
}

func (e *Error) Error() string {
	where := e.File
	if where == "" {
		where = "command line"
	} else if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", where, e.Key, e.Problem)
	}
	return fmt.Sprintf("%s: %s", where, e.Problem)
}

// Load reads a YAML (or JSON) target file, expanding ${VAR}s.
func Load(path string) (*Target, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Problem: "cannot read: " + ReadProblem(err)}
	}
	return Parse(path, b)
}

// ReadProblem says what went wrong reading a file, without its path (the
// message names the file already).
func ReadProblem(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse parses target-file bytes; path names the file (and an error's key
// its line) in errors.
func Parse(path string, b []byte) (t *Target, err error) {
	lines := keyLines(b)
	defer func() {
		if e, ok := err.(*Error); ok && e.Key != "" && e.Line == 0 {
			e.Line = lines[e.Key]
		}
	}()
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, &Error{File: path, Problem: "not valid YAML: " + err.Error()}
	}
	if raw == nil {
		return nil, &Error{File: path, Problem: "empty target file"}
	}
	known := map[string]bool{}
	for _, k := range Keys() {
		known[k] = true
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if !known[k] {
			return nil, &Error{File: path, Key: k, Problem: "unknown key (known keys: " + strings.Join(Keys(), ", ") + ")"}
		}
		var command any
		if m, ok := raw[k].(map[string]any); ok && k == "authorize" {
			// The shell expands the command's variables when it runs
			// ($TOKENCERT_AUTHORIZATION_URL among them), not the loader.
			command = m["command"]
			delete(m, "command")
		}
		v, err := expand(raw[k])
		if m, ok := v.(map[string]any); ok && command != nil {
			m["command"] = command
		}
		if err != nil {
			return nil, &Error{File: path, Key: k, Problem: err.Error()}
		}
		raw[k] = v
		if k == "max_wait" || k == "request_timeout" || k == "skew" {
			if d, ok := v.(string); !ok {
				return nil, &Error{File: path, Key: k, Problem: "want a duration like 10s or 2m, got " + describe(v)}
			} else if _, err := parseDuration(path, k, d); err != nil {
				return nil, err
			}
		}
	}
	j, err := json.Marshal(raw)
	if err != nil {
		return nil, &Error{File: path, Problem: err.Error()}
	}
	t = &Target{}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	if err := dec.Decode(t); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			key, _, _ := strings.Cut(te.Field, ".")
			want := typeName(te.Type)
			return nil, &Error{File: path, Key: key, Problem: fmt.Sprintf("want %s, got %s", want, valueName(te.Value))}
		}
		return nil, &Error{File: path, Problem: typeProblem(err)}
	}
	t.Path, t.lines = path, lines
	return t, nil
}

// keyLines maps the top-level keys of YAML (or JSON) to their lines.
func keyLines(b []byte) map[string]int {
	out := map[string]int{}
	var root yaml3.Node
	if yaml3.Unmarshal(b, &root) != nil || len(root.Content) == 0 || root.Content[0].Kind != yaml3.MappingNode {
		return out
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		out[m.Content[i].Value] = m.Content[i].Line
	}
	return out
}

// typeName says what a target key's Go type takes, for a person.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Slice:
		return "a list of " + strings.TrimPrefix(typeName(t.Elem()), "a ") + "s"
	}
	return t.String()
}

// valueName names a JSON value kind as UnmarshalTypeError reports it
// ("string", "number 2.5", "array").
func valueName(v string) string {
	switch {
	case v == "array":
		return "a list"
	case v == "object":
		return "a mapping"
	case v == "bool":
		return "true or false"
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	}
	return "a " + v
}

func typeProblem(err error) string {
	s := err.Error()
	if i := strings.Index(s, "Go struct field Target."); i >= 0 {
		s = strings.Replace(s, "Go struct field Target.", "key ", 1)
	}
	return s
}

// Keys lists the keys a target file may have.
func Keys() []string {
	return []string{"spec", "endpoint", "client_id", "client_secret", "username", "password", "scope", "audience", "grants", "client_auth", "resource", "introspection", "other_client_id", "other_client_secret", "max_wait", "params", "allow_secret_in_url",
		"refresh_token", "issuer", "authorization", "device_authorization", "revocation", "pkce_methods", "authorize",
		"request_timeout", "max_rps", "max_failed_logins", "ca_file", "client_cert", "client_key", "insecure_skip_verify", "allow_http", "waivers",
		"assertion_key", "assertion_kid", "assertion_alg", "assertion_audience",
		"public_client_id", "jwks", "skew"}
}

// expand replaces ${VAR} in strings (and lists of strings) from the environment.
func expand(v any) (any, error) {
	switch v := v.(type) {
	case string:
		var missing []string
		out := os.Expand(v, func(name string) string {
			val, ok := os.LookupEnv(name)
			if !ok || val == "" {
				missing = append(missing, name)
			}
			return val
		})
		if len(missing) > 0 {
			return nil, fmt.Errorf("environment variable %s is not set or empty", strings.Join(missing, ", "))
		}
		return out, nil
	case []any:
		for i := range v {
			x, err := expand(v[i])
			if err != nil {
				return nil, err
			}
			v[i] = x
		}
	case map[string]any:
		for k := range v {
			x, err := expand(v[k])
			if err != nil {
				return nil, err
			}
			v[k] = x
		}
	}
	return v, nil
}

var pathVar = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_.-]*)\}`)

// fillPath replaces each {name} of an endpoint URL with Params[name],
// path-escaped, and returns the names it filled.
func (t *Target) fillPath() (string, []string, error) {
	var used, missing []string
	out := pathVar.ReplaceAllStringFunc(t.Endpoint, func(m string) string {
		name := m[1 : len(m)-1]
		v, ok := t.Params[name]
		if !ok || v == "" {
			missing = append(missing, name)
			return m
		}
		used = append(used, name)
		return url.PathEscape(v)
	})
	if len(missing) > 0 {
		return "", nil, &Error{File: t.Path, Key: "endpoint", Problem: fmt.Sprintf("{%s} has no value: give it in params (params: {%s: …}) or with --param %s=…", missing[0], missing[0], missing[0])}
	}
	return out, used, nil
}

// checkURL validates an endpoint-like URL value.
func checkURL(file, key, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, &Error{File: file, Key: key, Problem: fmt.Sprintf("%q is not an absolute http(s) URL", withoutUserinfo(raw))}
	}
	if u.Fragment != "" {
		return nil, &Error{File: file, Key: key, Problem: "a token endpoint URL has no fragment (RFC 6749 §3.2)"}
	}
	return u, nil
}

// withoutUserinfo hides credentials in a URL (even an unparsable one)
// before it goes into a message.
func withoutUserinfo(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "//")
	if !ok {
		return raw
	}
	host, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = "…@" + host[i+1:]
	}
	if path != "" || strings.HasSuffix(rest, "/") {
		return scheme + "//" + host + "/" + path
	}
	return scheme + "//" + host
}

func parseDuration(file, key, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, &Error{File: file, Key: key, Problem: fmt.Sprintf("%q is not a duration like 90s or 2m", s)}
	}
	return d, nil
}

// describe names a decoded YAML value for a person.
func describe(v any) string {
	switch v.(type) {
	case bool:
		return "true or false"
	case float64, int, int64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	case nil:
		return "nothing"
	}
	return "a value of another kind"
}

// AuthNone is the client_auth of a public client (RFC 6749 §2.1; RFC 8414's
// "none"): client_id alone.
const AuthNone = "none"

// Public reports whether the client is public (client_auth: none, RFC 6749
// §2.1): it authenticates by client_id alone.
func (t Target) Public() bool { return slices.Equal(t.ClientAuth, []string{"none"}) }

// DefaultMaxWait bounds how long the expiry checks wait for a token to
// expire when the target sets no max_wait.
const DefaultMaxWait = 2 * time.Minute

// Resolve checks the keys and returns the target as the suites and the
// transport use it: client credentials given as the endpoint's userinfo
// moved to ClientID and ClientSecret (they never stay in a URL that is
// logged), and defaults filled in.
func (t Target) Resolve() (Target, error) {
	file := t.Path
	endpoint, used, err := t.fillPath()
	if err != nil {
		return t, err
	}
	t.PathParams = used
	u, err := checkURL(file, "endpoint", endpoint)
	if err != nil {
		return t, err
	}
	if u.User != nil {
		if t.ClientID == "" {
			t.ClientID = u.User.Username()
		}
		if p, ok := u.User.Password(); ok && t.ClientSecret == "" {
			t.ClientSecret = p
		}
		u.User = nil
	}
	t.Endpoint = u.String()
	for _, k := range []struct{ key, url string }{{"resource", t.Resource}, {"introspection", t.Introspection}, {"issuer", t.Issuer},
		{"authorization", t.Authorization}, {"device_authorization", t.DeviceAuthorization}, {"revocation", t.Revocation}} {
		if k.url == "" {
			continue
		}
		if _, err := checkURL(file, k.key, k.url); err != nil {
			return t, err
		}
	}
	if (t.OtherClientID == "") != (t.OtherClientSecret == "") {
		return t, &Error{File: file, Key: "other_client_secret", Problem: "other_client_id and other_client_secret go together"}
	}
	if (t.Username == "") != (t.Password == "") {
		return t, &Error{File: file, Key: "password", Problem: "username and password go together"}
	}
	for _, m := range t.ClientAuth {
		if !slices.Contains(AuthMethods, m) && m != AuthNone {
			return t, &Error{File: file, Key: "client_auth", Problem: fmt.Sprintf("unknown client authentication %q (%s, %s)", m, strings.Join(AuthMethods, ", "), AuthNone)}
		}
	}
	if err := t.loadAssertionKey(); err != nil {
		return t, err
	}
	if err := t.loadJWKS(); err != nil {
		return t, err
	}
	if t.AssertionAudience != "" {
		if _, err := url.Parse(t.AssertionAudience); err != nil || strings.TrimSpace(t.AssertionAudience) != t.AssertionAudience {
			return t, &Error{File: file, Key: "assertion_audience", Problem: "not a URI (the authorization server's issuer or token endpoint URL)"}
		}
	}
	if slices.Contains(t.ClientAuth, "none") {
		if len(t.ClientAuth) > 1 {
			return t, &Error{File: file, Key: "client_auth", Problem: "none (a public client, RFC 6749 §2.1) goes alone: a public client has no secret for basic or body"}
		}
		if t.ClientSecret != "" {
			return t, &Error{File: file, Key: "client_secret", Problem: "a public client (client_auth: none) has no client secret; drop one of the two"}
		}
		if t.ClientID == "" {
			return t, &Error{File: file, Key: "client_id", Problem: "a public client (client_auth: none) identifies itself by client_id alone: give it"}
		}
	}
	for _, m := range t.PKCEMethods {
		if m != "S256" && m != "plain" {
			return t, &Error{File: file, Key: "pkce_methods", Problem: fmt.Sprintf("unknown code_challenge method %q (S256, plain; RFC 7636 §4.2)", m)}
		}
	}
	if len(t.Grants) > 0 {
		names, unknown := grants.Canonical(t.Grants)
		if unknown != "" {
			return t, &Error{File: file, Key: "grants", Problem: fmt.Sprintf("unknown grant %q (%s)", unknown, grants.Known())}
		}
		t.Grants = names
	}
	if a := t.Authorize; a != nil {
		if err := a.check(file); err != nil {
			return t, err
		}
		if (a.Form || a.Browser != nil) && t.Username == "" {
			return t, &Error{File: file, Key: "authorize", Problem: "the login types the target's username and password: give them (target keys username, password)"}
		}
	}
	if t.MaxWait.Duration < 0 {
		return t, &Error{File: file, Key: "max_wait", Problem: fmt.Sprintf("%s is not a duration like 90s or 2m", t.MaxWait)}
	}
	if t.MaxWait.Duration == 0 {
		t.MaxWait.Duration = DefaultMaxWait
	}
	return t, nil
}

// check validates the authorize keys.
func (a *Authorize) check(file string) error {
	bad := func(problem string) error { return &Error{File: file, Key: "authorize", Problem: problem} }
	if a.RedirectURI == "" {
		return bad("redirect_uri is missing: the client's registered redirection URI")
	}
	if u, err := url.Parse(a.RedirectURI); err != nil || u.Scheme == "" || u.Fragment != "" {
		return bad(fmt.Sprintf("redirect_uri %q is not an absolute URI without a fragment (RFC 6749 §3.1.2)", withoutUserinfo(a.RedirectURI)))
	}
	ways := 0
	for _, set := range []bool{a.Command != "", a.Browser != nil, a.Form} {
		if set {
			ways++
		}
	}
	switch {
	case ways > 1:
		return bad("command, browser and form are ways to log in: give one")
	case ways == 0:
		return bad("give command (a program that prints the redirect URL), browser (CSS selectors of the login form) or form: true (a plain HTML login form)")
	}
	if b := a.Browser; b != nil && (b.Username == "" || b.Password == "" || b.Submit == "") {
		return bad("browser needs the CSS selectors username, password and submit")
	}
	if a.Timeout != nil && a.Timeout.Duration <= 0 {
		return bad("timeout must be a positive duration like 30s")
	}
	for _, k := range slices.Sorted(maps.Keys(a.Params)) {
		switch k {
		case "response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method":
			return bad("params: " + k + " is a parameter tokencert sets itself in every authorization request")
		case "scope":
			return bad("params: scope is the target's scope key (put offline_access there)")
		}
	}
	return nil
}

// AuthorizeTimeout bounds one authorization.
func (a *Authorize) AuthorizeTimeout() time.Duration {
	if a == nil || a.Timeout == nil {
		return DefaultAuthorizeTimeout
	}
	return a.Timeout.Duration
}

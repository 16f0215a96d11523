package interop

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/target"
)

// serverConfig is what every server under test is set up with, so that the
// runs differ only by implementation.
type serverConfig struct {
	lifetime time.Duration
	scopes   []string
	// clients[0] is the client tokencert certifies with, clients[1] the
	// other client of the refresh-token binding check.
	clients            []client
	username, password string
}

type client struct{ id, secret string }

// endpoints is where a started server answers: a base URL and paths.
type endpoints struct {
	url                            string
	token, introspection, resource string
	// adjust changes the target (another spec, a client key), or is nil.
	adjust func(*target.Target)
	// authorize is the authorization endpoint, with a plain login form;
	// revoke the revocation endpoint (RFC 7009).
	authorize, revoke string
	// public is a public client's id, or "".
	public string
}

// publicClientID is the public client of the servers that have one.
const publicClientID = "tokencert-public"

// redirectURI is the redirection URI every client registers.
const redirectURI = "https://client.tokencert.invalid/callback"

// loginPage is a plain HTML login form that posts the authorization
// request back with the resource owner's credentials: the application's
// part of an authorization endpoint, which neither library provides.
var loginPage = template.Must(template.New("login").Parse(`<!DOCTYPE html><html><body><form method="post" action="{{.Action}}">
{{range $k, $vs := .Query}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
<input name="username" type="text"><input name="password" type="password"><button type="submit">Sign in</button></form></body></html>`))

// login serves the login form for a GET and reports whether a POST
// carries the resource owner's credentials; a wrong password shows the
// form again.
func login(w http.ResponseWriter, r *http.Request, c serverConfig) bool {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed", http.StatusBadRequest)
		return false
	}
	if r.Method == http.MethodPost && r.PostForm.Get("username") == c.username && r.PostForm.Get("password") == c.password {
		return true
	}
	q := url.Values{}
	for k, v := range r.Form {
		if k != "username" && k != "password" {
			q[k] = v
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = loginPage.Execute(w, struct {
		Action string
		Query  url.Values
	}{r.URL.Path, q})
	return false
}

// lifetime is the access-token lifetime every server is given, short so
// that the expiry checks run (and wait) for about two seconds.
const lifetime = 2 * time.Second

// defaultConfig: plain ASCII ids and secrets, so that no check depends on
// how a server decodes form-encoded Basic credentials.
func defaultConfig() serverConfig {
	return serverConfig{
		lifetime: lifetime,
		scopes:   []string{"read", "write"},
		clients: []client{
			{"tokencert-client", "tokencert-client-secret-7Qp2"},
			{"tokencert-other", "tokencert-other-secret-Vx9k"},
		},
		username: "alice",
		password: "alice-password-3Rt8",
	}
}

// implementation is one OAuth2 server library under test.
type implementation struct {
	name   string // key of the expected-verdict table
	module string // Go module, as pinned in go.mod
	start  func(testing.TB, serverConfig) endpoints
}

var implementations = []implementation{
	{name: "fosite", module: "github.com/ory/fosite", start: startFosite},
	{name: "go-oauth2", module: "github.com/go-oauth2/oauth2/v4", start: startGoOAuth2},
}

// target is the tokencert target for a started server.
func (e endpoints) target(c serverConfig) target.Target {
	tf := target.Target{
		Spec:              "rfc6749",
		AllowSecretInURL:  true, // test clients of in-process servers
		Endpoint:          e.url + e.token,
		ClientID:          c.clients[0].id,
		ClientSecret:      c.clients[0].secret,
		Username:          c.username,
		Password:          c.password,
		Scope:             strings.Join(c.scopes, " "),
		OtherClientID:     c.clients[1].id,
		OtherClientSecret: c.clients[1].secret,
	}
	if e.resource != "" {
		tf.Resource = e.url + e.resource
	}
	if e.introspection != "" {
		tf.Introspection = e.url + e.introspection
	}
	tf.PublicClientID = e.public
	if e.revoke != "" {
		tf.Revocation = e.url + e.revoke
	}
	if e.authorize != "" {
		tf.Authorization = e.url + e.authorize
		tf.Authorize = &target.Authorize{RedirectURI: redirectURI, Form: true}
	}
	if e.adjust != nil {
		e.adjust(&tf)
	}
	return tf
}

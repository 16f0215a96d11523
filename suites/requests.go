package suites

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// send puts a token request on the wire the way the spec says.
func (e *Env) send(ctx context.Context, r probes.Request) *wire.Exchange {
	return e.sendProof(ctx, r, nil)
}

// sendProof is send with a DPoP proof made as edit says (nil: a valid
// one), when the spec's tokens are DPoP tokens (suites/dpop.go).
func (e *Env) sendProof(ctx context.Context, r probes.Request, edit *dpopEdit) *wire.Exchange {
	spec := e.Spec
	params := slices.Clone(r.Params)
	id, secret := r.ClientID, r.Secret
	if id == "" && secret == "" {
		id, secret = e.Target.ClientID, e.Target.ClientSecret
	}
	h := http.Header{}
	if a := spec.AcceptHeader(); a != "" {
		h.Set("Accept", a)
	}
	switch r.Auth {
	case "basic":
		cred := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	case "body":
		params = append(params, probes.Param{Name: "client_id", Value: id}, probes.Param{Name: "client_secret", Value: secret})
	case target.AuthPrivateKeyJWT, target.AuthClientSecretJWT:
		params = append(params, e.assertionParams(r.Auth, r.ClientID, r.Secret)...)
	case authPublic, target.AuthTLSClientAuth, target.AuthSelfSignedTLS:
		params = append(params, probes.Param{Name: "client_id", Value: id})
	}
	method := spec.Request.Method
	if r.Method != "" {
		method = r.Method
	}
	endpoint := e.Target.Endpoint
	if r.URL != "" {
		endpoint = r.URL
	}
	body := r.RawBody
	if len(r.URIParams) > 0 {
		endpoint = addQuery(endpoint, e.formEncode(r.URIParams))
	}
	if r.Query || (spec.Request.Encoding == "query" && body == nil) {
		endpoint = addQuery(endpoint, e.formEncode(params))
	} else if body == nil {
		switch spec.Request.Encoding {
		case "json":
			obj := map[string]string{}
			for _, p := range params {
				obj[spec.Param(p.Name)] = p.Value
			}
			body, _ = json.Marshal(obj)
		default:
			body = []byte(e.formEncode(params))
		}
	}
	if len(body) > 0 {
		ct := spec.Request.ContentType
		if ct == "" {
			ct = map[string]string{"json": "application/json", "form": "application/x-www-form-urlencoded"}[spec.Request.Encoding]
		}
		h.Set("Content-Type", ct)
	}
	failedLogin := e.failedLogin(params)
	if failedLogin {
		if ex := e.takeFailedLogin(r.Label, endpoint); ex != nil {
			return ex
		}
	}
	return e.doDPoP(ctx, wire.Request{Label: r.Label, Method: method, URL: endpoint, Header: h, Body: body,
		Role: "token endpoint", NoRetry: failedLogin}, edit)
}

func (e *Env) formEncode(params []probes.Param) string {
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(e.Spec.Param(p.Name)))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.Value))
	}
	return b.String()
}

func addQuery(endpoint, q string) string {
	if strings.Contains(endpoint, "?") {
		return endpoint + "&" + q
	}
	return endpoint + "?" + q
}

// memo holds the exchanges checks share.
type memo struct {
	mu sync.Mutex
	m  map[string]*memoEntry
}

type memoEntry struct {
	once sync.Once
	ex   *wire.Exchange
	at   time.Time
}

// shared returns the exchange stored under key, making it with fetch the
// first time.
func (e *Env) shared(key string, fetch func() *wire.Exchange) (*wire.Exchange, time.Time) {
	e.memo.mu.Lock()
	ent, ok := e.memo.m[key]
	if !ok {
		ent = &memoEntry{}
		e.memo.m[key] = ent
	}
	e.memo.mu.Unlock()
	ent.once.Do(func() {
		ent.at = time.Now()
		ent.ex = fetch()
	})
	return ent.ex, ent.at
}

// DefaultAuth is the client authentication the spec prefers among those
// the client is registered for.
func (e *Env) DefaultAuth() string {
	if e.Target.Public() {
		return "public"
	}
	for _, m := range e.Spec.Request.ClientAuth {
		if e.authDeclared(m) {
			return m
		}
	}
	return e.Spec.Request.ClientAuth[0]
}

// authDeclared reports whether the target allows a client authentication
// method: it names it in client_auth, or names none.
func (e *Env) authDeclared(m string) bool {
	if e.assertionWhy(m) != "" {
		return false
	}
	return len(e.Target.ClientAuth) == 0 || slices.Contains(e.Target.ClientAuth, m)
}

// authWhy says why the client can use none of the spec's client
// authentication methods, or "".
func (e *Env) authWhy() string {
	var why []string
	for _, m := range e.Spec.Request.ClientAuth {
		if e.authDeclared(m) {
			return ""
		}
		if w := e.assertionWhy(m); w != "" {
			why = append(why, m+": "+w)
		}
	}
	if len(why) == 0 {
		return ""
	}
	return "no client authentication the spec documents can be made: " + strings.Join(why, "; ")
}

// grantAvailable says whether the target can use a grant, and if not, why
// and which keys would let it.
func (e *Env) grantAvailable(grant string) (bool, string) {
	if e.Spec.Grant(grant) == nil {
		return false, fmt.Sprintf("spec %s documents no %s grant", e.Spec.Name, grant)
	}
	if len(e.Target.Grants) > 0 && !slices.Contains(e.Target.Grants, grant) {
		return false, fmt.Sprintf("the client is not registered for the %s grant (target key grants)", grant)
	}
	if e.Target.ClientID == "" && e.Target.ClientSecret == "" {
		return false, "no client credentials (target keys client_id, client_secret)"
	}
	if why := e.authWhy(); why != "" {
		return false, why
	}
	if grant == "client_credentials" && e.Target.Public() {
		return false, "the client is public (client_auth: none): the client_credentials grant is for confidential clients only (RFC 6749 §4.4)"
	}
	for _, name := range e.Spec.Request.Required {
		if grant != "refresh_token" && e.extraValue(name) == "" {
			return false, fmt.Sprintf("spec %s requires %s on every token request and the target gives none (%s)", e.Spec.Name, e.Spec.Param(name), paramKey(name))
		}
	}
	switch grant {
	case "password":
		if e.Target.Username == "" || e.Target.Password == "" {
			return false, "no resource-owner credentials (target keys username, password; flags --username, --password-env)"
		}
	case "refresh_token":
		if e.Target.RefreshToken != "" {
			return true, ""
		}
		if _, ok := e.refreshGrant(); !ok {
			return false, "no grant that yields a refresh token is available, and the target gives none (target keys username, password; or target key refresh_token)"
		}
	}
	return true, ""
}

// refreshGrant is the grant that yields the refresh tokens the checks use:
// password, else client_credentials when the spec has no password grant.
func (e *Env) refreshGrant() (string, bool) {
	if ok, _ := e.grantAvailable("password"); ok {
		return "password", true
	}
	if ok, _ := e.grantAvailable("client_credentials"); ok && e.Spec.Grant("password") == nil {
		return "client_credentials", true
	}
	return "", false
}

// PrimaryGrant is the grant used for probes that need one valid token
// request: client_credentials when available, else password.
func (e *Env) PrimaryGrant() (string, string) {
	var why []string
	for _, g := range []string{"client_credentials", "password"} {
		ok, reason := e.grantAvailable(g)
		if ok {
			return g, ""
		}
		if e.Spec.Grant(g) != nil {
			why = append(why, reason)
		}
	}
	if len(why) == 0 {
		return "", "the spec documents no grant that issues a token directly"
	}
	return "", strings.Join(why, "; ")
}

// grantParams are the parameters of a valid request for grant.
func (e *Env) grantParams(grant string) []probes.Param {
	ps := []probes.Param{{Name: "grant_type", Value: grant}}
	if grant == "password" {
		ps = append(ps, probes.Param{Name: "username", Value: e.Target.Username}, probes.Param{Name: "password", Value: e.Target.Password})
	}
	if e.Target.Scope != "" {
		ps = append(ps, probes.Param{Name: "scope", Value: e.Spec.JoinScope(strings.Fields(e.Target.Scope))})
	}
	for _, name := range slices.Sorted(maps.Keys(e.Target.Params)) {
		if !slices.Contains(e.Target.PathParams, name) {
			ps = probes.With(ps, name, e.Target.Params[name])
		}
	}
	for _, name := range e.Spec.Request.Required {
		if v := e.extraValue(name); v != "" {
			ps = probes.With(ps, name, v) // scope may be both requested and required
		}
	}
	return ps
}

// extraValue is the target's value for an extra required parameter: its
// key of that name (audience, scope), else its params entry.
func (e *Env) extraValue(name string) string {
	switch name {
	case "audience":
		if e.Target.Audience != "" {
			return e.Target.Audience
		}
	case "scope":
		return e.Spec.JoinScope(strings.Fields(e.Target.Scope))
	}
	return e.Target.Params[name]
}

// paramKey names where a target gives a parameter's value.
func paramKey(name string) string {
	switch name {
	case "audience", "scope":
		return "target key " + name
	}
	return "target key params, entry " + name + "; flag --param " + name + "=…"
}

// Token returns the shared response to a valid request for grant with the
// given client authentication, and when it was requested.
func (e *Env) Token(ctx context.Context, grant, auth string) (*wire.Exchange, time.Time) {
	return e.shared("token/"+grant+"/"+auth, func() *wire.Exchange {
		return e.send(ctx, probes.Request{Label: grant + " grant, " + auth + " client authentication", Params: e.grantParams(grant), Auth: auth})
	})
}

// RefreshSource returns a response that carries a refresh token: the shared
// password-grant response, or the client_credentials one when the spec has
// no password grant; nil when no grant can issue one (the target's
// refresh_token is then the only refresh token).
func (e *Env) RefreshSource(ctx context.Context) *wire.Exchange {
	g, ok := e.refreshGrant()
	if !ok {
		return nil
	}
	ex, _ := e.Token(ctx, g, e.DefaultAuth())
	return ex
}

// FreshRefreshToken requests a new token for a check that consumes its
// refresh token, with scope when given; it returns nil and "" when no
// grant can issue one.
func (e *Env) FreshRefreshToken(ctx context.Context, label, scope string) (*wire.Exchange, string) {
	g, ok := e.refreshGrant()
	if !ok {
		return nil, ""
	}
	ps := e.grantParams(g)
	if scope != "" {
		ps = probes.With(ps, "scope", scope)
	}
	ex := e.send(ctx, probes.Request{Label: label, Params: ps, Auth: e.DefaultAuth()})
	return ex, ex.String(e.Spec.Member("refresh_token"))
}

// Refresh sends a refresh request for rt.
func (e *Env) Refresh(ctx context.Context, label, rt, scope string, clientID, secret string) *wire.Exchange {
	ps := []probes.Param{{Name: "grant_type", Value: "refresh_token"}, {Name: "refresh_token", Value: rt}}
	if scope != "" {
		ps = append(ps, probes.Param{Name: "scope", Value: scope})
	}
	return e.send(ctx, probes.Request{Label: label, Params: ps, Auth: e.DefaultAuth(), ClientID: clientID, Secret: secret})
}

// SharedRefresh is the shared response to refreshing the refresh source's
// token, and the refresh token that was presented.
// The target's refresh_token, when it gives one, is the one presented.
func (e *Env) SharedRefresh(ctx context.Context) (*wire.Exchange, string) {
	rt := e.Target.RefreshToken
	if rt == "" {
		if src := e.RefreshSource(ctx); src != nil {
			rt = src.String(e.Spec.Member("refresh_token"))
		}
	}
	if rt == "" {
		return nil, ""
	}
	ex, _ := e.shared("refresh", func() *wire.Exchange {
		return e.Refresh(ctx, "refresh_token grant", rt, "", "", "")
	})
	return ex, rt
}

// SuccessResponses returns every shared response to a valid token request
// the target allows: the primary grant with each client authentication the
// spec names, the password grant, and a refresh.
func (e *Env) SuccessResponses(ctx context.Context) []*wire.Exchange {
	var out []*wire.Exchange
	grant, _ := e.PrimaryGrant()
	if grant != "" {
		for i, auth := range e.Spec.Request.ClientAuth {
			if !e.authDeclared(auth) {
				continue
			}
			ex, _ := e.Token(ctx, grant, auth)
			// The spec's first method is the one the endpoint must accept;
			// a further one is examined only when the endpoint accepts it
			// (whether it must is the client-auth checks' business).
			if i == 0 || (ex.Status() >= 200 && ex.Status() < 300) {
				out = append(out, ex)
			}
		}
	}
	if grant != "password" {
		if ok, _ := e.grantAvailable("password"); ok {
			ex, _ := e.Token(ctx, "password", e.DefaultAuth())
			out = append(out, ex)
		}
	}
	if ok, _ := e.grantAvailable("refresh_token"); ok {
		if ex, _ := e.SharedRefresh(ctx); ex != nil {
			out = append(out, ex)
		}
	}
	return out
}

// probeEnv is the Env as the conditions' requests see it (probes.Env).
type probeEnv struct{ e *Env }

func (p probeEnv) Spec() *specs.Spec                      { return p.e.Spec }
func (p probeEnv) PrimaryGrant() (string, string)         { return p.e.PrimaryGrant() }
func (p probeEnv) GrantAvailable(g string) (bool, string) { return p.e.grantAvailable(g) }
func (p probeEnv) GrantParams(g string) []probes.Param    { return p.e.grantParams(g) }
func (p probeEnv) AuthDeclared(m string) bool             { return p.e.authDeclared(m) }
func (p probeEnv) Public() bool                           { return p.e.Target.Public() }
func (p probeEnv) Credentials() (string, string)          { return p.e.Target.ClientID, p.e.Target.ClientSecret }
func (p probeEnv) FormEncode(ps []probes.Param) string    { return p.e.formEncode(ps) }
func (p probeEnv) SecretInURL() bool                      { return p.e.Target.AllowSecretInURL }

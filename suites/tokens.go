package suites

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// The token source. Every check that needs an access token, a refresh
// token or a valid token request to edit gets it here, through any grant
// the client can use, in grants.All's order: client_credentials and
// password (direct requests), then authorization_code (one login per
// code), then the device grant (one approval and its polling per device
// code), then a refresh of a refresh token one of them issued (or the
// target's refresh_token). A check that consumes what it gets (a code, a
// device code, a refresh token) gets a fresh one; checks that only read a
// token response share one.

// fetched is what the token source produced for a check: an exchange
// (when it was requested, by which grant) with the exchanges that obtained
// what it redeemed; or why it could not be produced.
type fetched struct {
	ex    *wire.Exchange
	at    time.Time
	grant *grants.Grant
	// auth is the client authentication ex was sent with.
	auth string
	// prior are the exchanges that obtained what ex redeemed: the
	// authorization step, the device authorization and its approval, the
	// token whose refresh token it redeemed.
	prior []*wire.Exchange
	// unmet: the request could not be made, for want of something (Needs)
	// or because nothing would make it (not applicable).
	unmet *probes.Unmet
	// failed: a step before the request failed (a login, an approval),
	// which is neither the requirement failing nor a want.
	failed string
}

// use attaches f's exchanges to t as evidence and returns the token-source
// exchange, ending t as skipped (f.unmet) or errored (f.failed) when
// there is none.
func (t *T) use(f fetched) *wire.Exchange {
	t.Evidence(f.prior...)
	switch {
	case f.unmet != nil:
		t.Skip(f.unmet)
	case f.failed != "":
		t.Abortf("%s", f.failed)
	}
	t.Evidence(f.ex)
	return f.ex
}

// obtained is a fresh valid token request of one grant, before it is sent.
type obtained struct {
	fetched
	params   []probes.Param
	auth     string
	clientID string
}

// request is o as a token request, labelled label.
func (o obtained) request(label string) probes.Request {
	return probes.Request{Label: label, Grant: o.grant, Params: o.params, Auth: o.auth, ClientID: o.clientID}
}

// DefaultAuth is the client authentication of requests that belong to no
// grant (revocation, the device authorization request): the one the
// client authenticates with at the token endpoint.
func (e *Env) DefaultAuth() string { return e.authFor("") }

// authFor is the client authentication of a grant's requests: the first
// method the spec documents for the grant (specs.Spec.ClientAuthFor) that
// the client is registered for and can make; else the first the client is
// registered for that tokencert can make, whatever the spec lists (RFC
// 6749 §2.3.2: a server may support other methods); else the spec's first.
func (e *Env) authFor(grant string) string {
	if e.Target.Public() {
		return authPublic
	}
	methods := e.Spec.Request.ClientAuth
	if grant != "" {
		methods = e.Spec.ClientAuthFor(grant)
	}
	for _, m := range methods {
		if e.authDeclared(m) {
			return m
		}
	}
	for _, m := range e.Target.ClientAuth {
		if m != "none" && e.methodUnmet(m) == nil {
			return m
		}
	}
	return methods[0]
}

// authDeclared reports whether the target allows a client authentication
// method and the client can make it: the target names it in client_auth,
// or names none.
func (e *Env) authDeclared(m string) bool {
	if e.methodUnmet(m) != nil {
		return false
	}
	return len(e.Target.ClientAuth) == 0 || slices.Contains(e.Target.ClientAuth, m)
}

// authUnmet says why the client can authenticate by none of the methods a
// grant's requests take (nor by a method of its own), or nil.
func (e *Env) authUnmet(grant string) *probes.Unmet {
	if e.Target.Public() || e.authDeclared(e.authFor(grant)) {
		return nil
	}
	var why, needs []string
	for _, m := range e.Spec.ClientAuthFor(grant) {
		if u := e.methodUnmet(m); u != nil && (len(e.Target.ClientAuth) == 0 || slices.Contains(e.Target.ClientAuth, m)) {
			why = append(why, m+": "+u.Why)
			needs = append(needs, u.Needs...)
		}
	}
	if len(why) == 0 {
		return probes.Excluded(fmt.Sprintf("the client is registered for client authentication by %s, and spec %s documents %s for the %s grant",
			strings.Join(e.Target.ClientAuth, ", "), e.Spec.Name, strings.Join(e.Spec.ClientAuthFor(grant), ", "), grantLabel(grant)))
	}
	return probes.Lacking("no client authentication the spec documents can be made: "+strings.Join(why, "; "), needs...)
}

func grantLabel(grant string) string {
	if g := grants.Lookup(grant); g != nil {
		return g.Short()
	}
	return grant
}

// registered reports whether the target says the client is registered for
// a grant, or says nothing of its grants.
func (e *Env) registered(g *grants.Grant) bool {
	return len(e.Target.Grants) == 0 || slices.Contains(e.Target.Grants, g.Name)
}

// grantUnmet says why the client cannot get a token by g, or nil when it
// can.
func (e *Env) grantUnmet(g *grants.Grant) *probes.Unmet {
	switch {
	case e.Spec.Grant(g.Name) == nil:
		return probes.Excluded(fmt.Sprintf("spec %s documents no %s grant", e.Spec.Name, g.Short()))
	case !e.registered(g):
		return probes.Excluded(fmt.Sprintf("the client is not registered for the %s grant (its grants: %s)", g.Short(), strings.Join(e.Target.Grants, ", ")))
	case e.Target.ClientID == "" && e.Target.ClientSecret == "":
		return probes.Lacking("no client credentials (target keys client_id, client_secret)", "client_id", "client_secret")
	case g.ConfidentialOnly && e.Target.Public():
		return probes.Excluded("the client is public (client_auth: none): the " + g.Short() + " grant is for confidential clients only (RFC 6749 §4.4)")
	}
	if u := e.authUnmet(g.Name); u != nil {
		return u
	}
	for _, name := range e.Spec.RequiredFor(g.Name) {
		if e.extraValue(name) == "" {
			return probes.Lacking(fmt.Sprintf("spec %s requires %s on %s requests and the target gives none (%s)", e.Spec.Name, e.Spec.Param(name), g.Short(), paramKey(name)), paramNeed(name))
		}
	}
	switch g {
	case grants.Password:
		if e.Target.Username == "" || e.Target.Password == "" {
			return probes.Lacking("no resource-owner credentials (target keys username, password; flags --username, --password-env)", "username", "password")
		}
	case grants.AuthorizationCode:
		return e.codeUnmet()
	case grants.DeviceCode:
		if u := e.deviceUnmet(); u != nil {
			return u
		}
		return e.approvalUnmet()
	case grants.RefreshToken:
		if e.Target.RefreshToken != "" {
			return nil
		}
		if _, u := e.refreshGrant(); u != nil {
			return u
		}
	}
	return nil
}

// tokenGrant is the first grant, in the token source's order, that accept
// takes (nil: any that issues a token of its own) and the client can use;
// or why there is none. A refresh is a token grant only where accept
// takes it.
func (e *Env) tokenGrant(accept func(*grants.Grant) bool) (*grants.Grant, *probes.Unmet) {
	var why []string
	var needs []string
	for _, g := range grants.All {
		if accept == nil && !g.Issues() || accept != nil && !accept(g) {
			continue
		}
		u := e.grantUnmet(g)
		if u == nil {
			return g, nil
		}
		if e.Spec.Grant(g.Name) != nil {
			why = append(why, g.Short()+": "+u.Why)
			needs = append(needs, u.Needs...)
		}
	}
	if len(why) == 0 {
		return nil, probes.Excluded(fmt.Sprintf("spec %s documents no grant that fits", e.Spec.Name))
	}
	if len(needs) == 0 && accept != nil {
		// The grants this check needs do not apply to the client.
		return nil, probes.Excluded(strings.Join(why, "; "))
	}
	if len(needs) == 0 {
		// Nothing the target says lets any grant be used: the run cannot
		// check what needs a token, which is a want, not a pass.
		needs = []string{"grants"}
	}
	slices.Sort(needs)
	return nil, probes.Lacking("no grant can be used to get a token: "+strings.Join(why, "; "), slices.Compact(needs)...)
}

// PrimaryGrant is the grant of the token source's shared token: the first
// the client can use.
func (e *Env) PrimaryGrant() (*grants.Grant, *probes.Unmet) { return e.tokenGrant(nil) }

// grantParams are the parameters of a grant's request that need nothing
// obtained first: grant_type, the password grant's credentials, scope
// (the target's, or scope when given) where the grant takes it, the
// target's params, and the parameters the spec requires for the grant.
func (e *Env) grantParams(g *grants.Grant, scope string) []probes.Param {
	ps := []probes.Param{{Name: "grant_type", Value: g.Name}}
	if g == grants.Password {
		ps = append(ps, probes.Param{Name: "username", Value: e.Target.Username}, probes.Param{Name: "password", Value: e.Target.Password})
	}
	if scope == "" {
		scope = e.Spec.JoinScope(strings.Fields(e.Target.Scope))
	}
	if g.Scope && g != grants.RefreshToken && scope != "" {
		ps = append(ps, probes.Param{Name: "scope", Value: scope})
	}
	if g != grants.RefreshToken {
		for _, name := range slices.Sorted(maps.Keys(e.Target.Params)) {
			if !slices.Contains(e.Target.PathParams, name) {
				ps = probes.With(ps, name, e.Target.Params[name])
			}
		}
	}
	for _, name := range e.Spec.RequiredFor(g.Name) {
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

// paramNeed is the target key that gives a parameter's value.
func paramNeed(name string) string {
	switch name {
	case "audience", "scope":
		return name
	}
	return "params." + name
}

// obtainOpts change what obtain asks for.
type obtainOpts struct {
	// scope replaces the target's scope, where the grant asks for one (in
	// the token request, or earlier in the authorization or device
	// authorization request).
	scope string
	// auth replaces the grant's client authentication.
	auth string
	// clientID replaces the target's client (a public client besides it,
	// with auth authPublic).
	clientID string
}

// obtain makes a fresh valid request of g: for the code grant a new code,
// for the device grant a newly approved device code, for a refresh a new
// refresh token from another grant.
func (e *Env) obtain(ctx context.Context, g *grants.Grant, label string, o obtainOpts) obtained {
	out := obtained{fetched: fetched{grant: g}, auth: o.auth, clientID: o.clientID}
	if out.auth == "" {
		out.auth = e.authFor(g.Name)
	}
	if u := e.grantUnmet(g); u != nil {
		out.unmet = u
		return out
	}
	switch g.Obtain {
	case grants.Direct:
		out.params = e.grantParams(g, o.scope)
	case grants.ByCode:
		c, err := e.authorizeCode(ctx, codeRequest{label: label, scope: o.scope, clientID: o.clientID})
		if c.auth != nil {
			out.prior = append(out.prior, c.auth)
		}
		if err != nil {
			out.failed = "no authorization code: " + err.Error()
			return out
		}
		out.params = e.redeemParams(c)
	case grants.ByDevice:
		d, err := e.approvedDevice(ctx, label, o)
		out.prior = append(out.prior, d.ex)
		if err != nil {
			out.failed = err.Error()
			return out
		}
		out.params = append(e.grantParams(g, ""), probes.Param{Name: "device_code", Value: d.code})
	case grants.ByRedeeming:
		src, rt := e.freshRefreshToken(ctx, label+": the refresh token to redeem", o.scope)
		out.prior = append(src.prior, src.ex)
		switch {
		case src.unmet != nil:
			out.unmet = src.unmet
			return out
		case src.failed != "":
			out.failed = src.failed
			return out
		case rt == "":
			out.failed = "the token response carried no refresh token: " + src.ex.Summary()
			return out
		}
		out.params = append(e.grantParams(g, ""), probes.Param{Name: "refresh_token", Value: rt})
		if o.scope != "" {
			out.params = append(out.params, probes.Param{Name: "scope", Value: o.scope})
		}
	}
	return out
}

// validRequest is a fresh valid token request of the first grant accept
// takes (nil: any that issues a token), for a check to edit before it
// sends it.
func (e *Env) validRequest(ctx context.Context, label string, accept func(*grants.Grant) bool, o obtainOpts) obtained {
	g, u := e.tokenGrant(accept)
	if u != nil {
		return obtained{fetched: fetched{unmet: u}}
	}
	return e.obtain(ctx, g, label, o)
}

// fresh is a fresh valid request of the first grant accept takes (nil: any
// that issues a token), for t to edit and send, labelled label; t skips or
// aborts when there is none.
func (t *T) fresh(label string, accept func(*grants.Grant) bool, o obtainOpts) probes.Request {
	ob := t.Env.validRequest(t.Ctx, label, accept, o)
	t.Evidence(ob.prior...)
	switch {
	case ob.unmet != nil:
		t.Skip(ob.unmet)
	case ob.failed != "":
		t.Abortf("%s", ob.failed)
	}
	return ob.request(label)
}

// only accepts the grant g alone.
func only(g *grants.Grant) func(*grants.Grant) bool {
	return func(x *grants.Grant) bool { return x == g }
}

// sendObtained sends o, unless obtaining it failed.
func (e *Env) sendObtained(ctx context.Context, o obtained, label string) fetched {
	f := o.fetched
	if f.unmet != nil || f.failed != "" {
		return f
	}
	f.at, f.auth = time.Now(), o.auth
	r := o.request(label)
	if o.grant == grants.DeviceCode {
		f.ex, f.prior = e.pollPastPendingQuiet(ctx, r, f.prior)
		return f
	}
	f.ex = e.send(ctx, r)
	return f
}

// tokenBy is the shared response to a valid request of g with the client
// authentication auth ("": the grant's).
func (e *Env) tokenBy(ctx context.Context, g *grants.Grant, auth string) fetched {
	if auth == "" {
		auth = e.authFor(g.Name)
	}
	return e.sharedFetch("token/"+g.Name+"/"+auth, func() fetched {
		label := g.Short() + " grant, " + auth + " client authentication"
		return e.sendObtained(ctx, e.obtain(ctx, g, label, obtainOpts{auth: auth}), label)
	})
}

// anyToken is the shared response to a valid request of the primary grant
// (the first the client can use) with its client authentication.
func (e *Env) anyToken(ctx context.Context) fetched {
	g, u := e.PrimaryGrant()
	if u != nil {
		return fetched{unmet: u}
	}
	return e.tokenBy(ctx, g, "")
}

// freshToken is a new response to a valid request of the primary grant,
// for a check that needs a token no other check has touched.
func (e *Env) freshToken(ctx context.Context, label string, o obtainOpts) fetched {
	return e.sendObtained(ctx, e.validRequest(ctx, label, nil, o), label)
}

// refreshGrant is the grant whose responses carry the refresh tokens the
// checks use: the first, in the token source's order, that the client can
// use, whose response the spec does not say lacks one, and whose shared
// response carries one (client_credentials last: RFC 6749 §4.4.3 has it
// issue none).
func (e *Env) refreshGrant() (*grants.Grant, *probes.Unmet) {
	f := e.sharedFetch("refresh/grant", func() fetched {
		var why []string
		var needs []string
		var tried []*wire.Exchange
		for _, g := range refreshCandidates() {
			if e.Spec.RefreshTokenFrom(g.Name) == specs.RefreshNever {
				continue
			}
			if u := e.grantUnmet(g); u != nil {
				if e.Spec.Grant(g.Name) != nil {
					why = append(why, g.Short()+": "+u.Why)
					needs = append(needs, u.Needs...)
				}
				continue
			}
			f := e.tokenBy(context.Background(), g, "")
			if f.ex != nil && f.ex.String(e.Spec.Member("refresh_token")) != "" {
				return fetched{grant: g, prior: tried}
			}
			if f.ex != nil {
				tried = append(tried, f.ex)
				if u := e.unaskedRefresh(g); u != nil && succeeded(f.ex) {
					why = append(why, g.Short()+": "+u.Why)
					needs = append(needs, u.Needs...)
				} else {
					why = append(why, g.Short()+": its response carried no refresh token")
				}
			} else if f.failed != "" {
				why = append(why, g.Short()+": "+f.failed)
			}
		}
		if len(why) == 0 {
			return fetched{unmet: probes.Excluded(fmt.Sprintf("spec %s documents no grant that issues refresh tokens", e.Spec.Name))}
		}
		msg := "no grant yields a refresh token: " + strings.Join(why, "; ")
		if len(needs) == 0 {
			return fetched{unmet: probes.Excluded(msg)}
		}
		slices.Sort(needs)
		return fetched{unmet: probes.Lacking(msg+" (or target key refresh_token)", append(slices.Compact(needs), "refresh_token")...)}
	})
	return f.grant, f.unmet
}

// offlineAccess is the scope value by which a client asks for a refresh
// token (OpenID Connect Core §11).
const offlineAccess = "offline_access"

// unaskedRefresh says, for a grant whose response carried no refresh
// token, what the target could add to ask for one, when it has not: many
// servers issue a refresh token on the code and device grants only when
// the authorization request asks (scope offline_access, OpenID Connect
// Core §11; or prompt=consent, target key authorize.params). tokencert
// adds neither by itself. Nil for a grant asked in no authorization
// request, or a target that asked.
func (e *Env) unaskedRefresh(g *grants.Grant) *probes.Unmet {
	if slices.Contains(strings.Fields(e.Target.Scope), offlineAccess) {
		return nil
	}
	switch g.Obtain {
	case grants.ByCode:
		if a := e.Target.Authorize; a != nil && len(a.Params) > 0 {
			return nil
		}
		return probes.Lacking("its response carried no refresh token; a server that issues one only when asked wants "+offlineAccess+" in scope (OpenID Connect Core §11; target key scope) or prompt=consent in the authorization request (target key authorize.params)", "scope", "authorize.params")
	case grants.ByDevice:
		return probes.Lacking("its response carried no refresh token; a server that issues one only when asked wants "+offlineAccess+" in scope (OpenID Connect Core §11; target key scope)", "scope")
	}
	return nil
}

// refreshCandidates are the grants that may issue a refresh token, in the
// token source's order, those whose RFC says they should not last.
func refreshCandidates() []*grants.Grant {
	var may, last []*grants.Grant
	for _, g := range grants.All {
		switch {
		case !g.Issues():
		case g.Refresh == grants.RefreshShouldNot:
			last = append(last, g)
		default:
			may = append(may, g)
		}
	}
	return append(may, last...)
}

// RefreshSource is the shared token response whose refresh token the
// refresh checks start from (the refresh grant's shared response).
func (e *Env) RefreshSource(ctx context.Context) fetched {
	g, u := e.refreshGrant()
	if u != nil {
		return fetched{unmet: u}
	}
	return e.tokenBy(ctx, g, "")
}

// freshRefreshToken is a new token response carrying a refresh token, for
// a check that consumes it, with scope when given; and its refresh token.
func (e *Env) freshRefreshToken(ctx context.Context, label, scope string) (fetched, string) {
	g, u := e.refreshGrant()
	if u != nil {
		return fetched{unmet: u}, ""
	}
	f := e.sendObtained(ctx, e.obtain(ctx, g, label, obtainOpts{scope: scope}), label)
	if f.ex == nil {
		return f, ""
	}
	return f, f.ex.String(e.Spec.Member("refresh_token"))
}

// Refresh sends a refresh request for rt, by the target's client unless
// clientID or secret is given (with the same client authentication).
func (e *Env) Refresh(ctx context.Context, label, rt, scope string, clientID, secret string) *wire.Exchange {
	return e.refreshAs(ctx, label, rt, scope, sender{clientID: clientID, secret: secret})
}

// refreshAs sends a refresh request for rt as c.
func (e *Env) refreshAs(ctx context.Context, label, rt, scope string, c sender) *wire.Exchange {
	ps := []probes.Param{{Name: "grant_type", Value: "refresh_token"}, {Name: "refresh_token", Value: rt}}
	if scope != "" {
		ps = append(ps, probes.Param{Name: "scope", Value: scope})
	}
	return e.send(ctx, c.request(e, probes.Request{Label: label, Grant: grants.RefreshToken, Params: ps}))
}

// sender is the client a request goes out as: the target's (the zero
// value), or another, with the client authentication it can make.
type sender struct {
	// auth is the client authentication ("": the grant's, authFor).
	auth             string
	clientID, secret string
}

// request is r sent as c.
func (c sender) request(e *Env, r probes.Request) probes.Request {
	r.Auth, r.ClientID, r.Secret = c.auth, c.clientID, c.secret
	if r.Auth == "" {
		r.Auth = e.authFor(r.Grant.Name)
	}
	return r
}

// otherClient is the second client (target keys other_client_id,
// other_client_secret) as it authenticates requests of a grant: itself,
// with its own credentials, since what the binding checks show is that a
// code or refresh token is refused to another authenticated client (RFC
// 6749 §4.1.3, §10.4). It takes the target client's method when it can
// make it, else the first the spec documents for the grant that its
// secret makes; without a secret it sends its client_id alone, as a
// public client does.
func (e *Env) otherClient(grant string) sender {
	c := sender{auth: authPublic, clientID: e.Target.OtherClientID, secret: e.Target.OtherClientSecret}
	can := func(m string) bool {
		switch m {
		case "basic", "body":
			return c.secret != ""
		case target.AuthClientSecretJWT:
			return len(c.secret) >= 32
		}
		return false
	}
	for _, m := range append([]string{e.authFor(grant)}, e.Spec.ClientAuthFor(grant)...) {
		if can(m) {
			c.auth = m
			break
		}
	}
	return c
}

// unauthenticated says, for a note, that the second client could not
// authenticate (it has no secret, or none the spec's methods take).
func (c sender) unauthenticated() bool { return c.auth == authPublic }

// SharedRefresh is the shared response to refreshing the refresh source's
// token, with the refresh token that was presented. The target's
// refresh_token, when it gives one, is the one presented.
func (e *Env) SharedRefresh(ctx context.Context) (fetched, string) {
	if u := e.grantUnmet(grants.RefreshToken); u != nil {
		return fetched{unmet: u}, ""
	}
	var src fetched
	rt := e.Target.RefreshToken
	if rt == "" {
		src = e.RefreshSource(ctx)
		if src.ex == nil {
			return src, ""
		}
		rt = src.ex.String(e.Spec.Member("refresh_token"))
		src.prior = append(src.prior, src.ex)
	}
	f := e.sharedFetch("refresh", func() fetched {
		return fetched{ex: e.Refresh(ctx, "refresh_token grant", rt, "", "", ""), grant: grants.RefreshToken, auth: e.authFor(grants.RefreshToken.Name)}
	})
	f.prior = src.prior
	return f, rt
}

// SuccessResponses returns every shared response to a valid token request
// the target allows: the primary grant with each client authentication
// the spec names for it, every other grant that issues tokens, and a
// refresh.
func (e *Env) SuccessResponses(ctx context.Context) []fetched {
	var out []fetched
	primary, _ := e.PrimaryGrant()
	for _, g := range grants.All {
		if !g.Issues() || e.grantUnmet(g) != nil {
			continue
		}
		if g != primary {
			out = append(out, e.tokenBy(ctx, g, ""))
			continue
		}
		for i, auth := range e.Spec.ClientAuthFor(g.Name) {
			if !e.authDeclared(auth) && auth != e.authFor(g.Name) {
				continue
			}
			f := e.tokenBy(ctx, g, auth)
			// The method the client authenticates with must work; a
			// further one is examined only when the endpoint accepts it
			// (whether it must is the client-auth checks' business).
			if i == 0 || auth == e.authFor(g.Name) || succeeded(f.ex) {
				out = append(out, f)
			}
		}
		if !slices.Contains(e.Spec.ClientAuthFor(g.Name), e.authFor(g.Name)) {
			out = append(out, e.tokenBy(ctx, g, ""))
		}
	}
	if e.grantUnmet(grants.RefreshToken) == nil {
		if f, _ := e.SharedRefresh(ctx); f.ex != nil {
			out = append(out, f)
		}
	}
	return out
}

// needAccepted skips t unless the shared request of grant authenticated by
// method ("": the grant's) yields a token: while the valid request (what)
// is refused too, a refusal of a defective one shows nothing; owner is the
// check that judges the valid one.
func needAccepted(t *T, grant *grants.Grant, method, what, owner string) {
	valid := t.Env.tokenBy(t.Ctx, grant, method)
	if !succeeded(valid.ex) || valid.ex.String(t.Env.Spec.Member("access_token")) == "" {
		t.use(valid)
		t.Skipf("%s is not accepted either, so a refusal shows nothing (%s fails): %s", what, owner, valid.ex.Summary())
	}
}

// succeeded reports whether ex is a 2xx answer.
func succeeded(ex *wire.Exchange) bool {
	return ex != nil && ex.Status() >= 200 && ex.Status() < 300
}

// probeEnv is the Env as the conditions' requests see it (probes.Env).
type probeEnv struct{ e *Env }

func (p probeEnv) Spec() *specs.Spec                   { return p.e.Spec }
func (p probeEnv) AuthDeclared(m string) bool          { return p.e.authDeclared(m) }
func (p probeEnv) Public() bool                        { return p.e.Target.Public() }
func (p probeEnv) Credentials() (string, string)       { return p.e.Target.ClientID, p.e.Target.ClientSecret }
func (p probeEnv) FormEncode(ps []probes.Param) string { return p.e.formEncode(ps) }
func (p probeEnv) SecretInURL() bool                   { return p.e.Target.AllowSecretInURL }
func (p probeEnv) Scope() []string                     { return strings.Fields(p.e.Target.Scope) }

// Package grants declares, once each, the grant types tokencert can get a
// token by: the grant_type on the wire, the parameters of its token
// request, how the run obtains what the request redeems, whether its
// response may carry a refresh token, and where its response is defined.
//
// Spec files, targets, issuer metadata, the reference server, derive and
// the suites' token source all read this list; a test holds each of them
// against it.
package grants

import (
	"slices"
	"strings"
)

// Obtain is how the run gets what a grant's token request redeems.
type Obtain int

// The ways of obtaining a token, in the token source's order of preference
// (cheapest first).
const (
	// Direct: the request carries everything it needs (client
	// credentials, a resource owner's password).
	Direct Obtain = iota
	// ByCode: an authorization code from the authorization endpoint,
	// through the target's authorize hook (one login per code).
	ByCode
	// ByDevice: a device code approved through the target's authorize
	// hook, then polled for at its interval.
	ByDevice
	// ByRedeeming: a token issued earlier, by another grant or supplied
	// in the target (target key refresh_token).
	ByRedeeming
)

// String names the way, for messages and documentation.
func (o Obtain) String() string {
	switch o {
	case Direct:
		return "a direct token request"
	case ByCode:
		return "an authorization code, through the authorize hook"
	case ByDevice:
		return "a device code approved through the authorize hook"
	case ByRedeeming:
		return "a refresh token issued by another grant, or the target's refresh_token"
	}
	return "unknown"
}

// Refresh says whether a grant's success response may carry a refresh
// token.
type Refresh string

// The refresh-token policies of RFC 6749 and the grants' own RFCs.
const (
	// RefreshMay: the response may carry one (RFC 6749 §4.1.4, §4.3.3,
	// RFC 8628 §3.5, and §6 for a rotated one).
	RefreshMay Refresh = "may"
	// RefreshShouldNot: one SHOULD NOT be included (RFC 6749 §4.4.3).
	RefreshShouldNot Refresh = "should-not"
)

// Param is one parameter of a grant's token request, under its RFC 6749
// name.
type Param struct {
	Name string
	// Secret: the value is a credential or a token; it is redacted from
	// every output.
	Secret bool
}

// Grant is one grant type.
type Grant struct {
	// Name is how spec files (grants[].type) and targets (grants) name the
	// grant: its grant_type, or the short Alias.
	Name string
	// Alias is a short name accepted for a URN grant type.
	Alias string
	// Cite is the clause that defines its token request.
	Cite string
	// Params are the token request's required parameters beyond
	// grant_type and client authentication.
	Params []Param
	// Optional are parameters the token request may carry.
	Optional []string
	// Scope: the token request itself may carry scope (the code and
	// device grants ask for it earlier, at the authorization or device
	// authorization request).
	Scope bool
	// Obtain is how the run gets what the request redeems.
	Obtain Obtain
	// Refresh says whether the response may carry a refresh token.
	Refresh Refresh
	// ConfidentialOnly: a public client may not use the grant (RFC 6749
	// §4.4: the client_credentials grant).
	ConfidentialOnly bool
	// Response is the clause that defines its success response.
	Response string
	// Doc says what the grant is, for specs/README.md.
	Doc string
}

// The grants, in the token source's order of preference.
var (
	ClientCredentials = &Grant{Name: "client_credentials",
		Cite: "RFC 6749 §4.4.2", Scope: true, Obtain: Direct, Refresh: RefreshShouldNot, ConfidentialOnly: true,
		Response: "RFC 6749 §4.4.3, §5.1",
		Doc:      "the client's own token, by its credentials alone (confidential clients only)"}
	Password = &Grant{Name: "password",
		Cite:   "RFC 6749 §4.3.2",
		Params: []Param{{Name: "username"}, {Name: "password", Secret: true}}, Scope: true, Obtain: Direct, Refresh: RefreshMay,
		Response: "RFC 6749 §4.3.3, §5.1",
		Doc:      "a token for the resource owner whose `username` and `password` the target gives"}
	AuthorizationCode = &Grant{Name: "authorization_code",
		Cite:     "RFC 6749 §4.1.3; RFC 7636 §4.5",
		Params:   []Param{{Name: "code", Secret: true}, {Name: "redirect_uri"}},
		Optional: []string{"code_verifier"}, Obtain: ByCode, Refresh: RefreshMay,
		Response: "RFC 6749 §4.1.4, §5.1",
		Doc:      "a token for an authorization code the target's `authorize` hook (command, browser or form) brings back from the `authorization` endpoint; one login per code"}
	DeviceCode = &Grant{Name: "urn:ietf:params:oauth:grant-type:device_code", Alias: "device_code",
		Cite:   "RFC 8628 §3.4",
		Params: []Param{{Name: "device_code", Secret: true}}, Obtain: ByDevice, Refresh: RefreshMay,
		Response: "RFC 8628 §3.5; RFC 6749 §5.1",
		Doc:      "a token for a device code from the `device_authorization` endpoint, approved through the target's `authorize` hook and polled for at its interval"}
	RefreshToken = &Grant{Name: "refresh_token",
		Cite:   "RFC 6749 §6",
		Params: []Param{{Name: "refresh_token", Secret: true}}, Scope: true, Obtain: ByRedeeming, Refresh: RefreshMay,
		Response: "RFC 6749 §5.1",
		Doc:      "a new token for a refresh token another grant issued, or the target's `refresh_token`"}
)

// All lists every grant, in the token source's order of preference.
var All = []*Grant{ClientCredentials, Password, AuthorizationCode, DeviceCode, RefreshToken}

// Lookup returns the grant a spec or target names (its grant_type or
// alias), or nil.
func Lookup(name string) *Grant {
	for _, g := range All {
		if g.Name == name || (g.Alias != "" && g.Alias == name) {
			return g
		}
	}
	return nil
}

// Names lists the grants' names, in order.
func Names() []string {
	out := make([]string, len(All))
	for i, g := range All {
		out[i] = g.Name
	}
	return out
}

// Known says, for an error message, which names are grants.
func Known() string {
	var out []string
	for _, g := range All {
		n := g.Name
		if g.Alias != "" {
			n += " (or " + g.Alias + ")"
		}
		out = append(out, n)
	}
	return strings.Join(out, ", ")
}

// Canonical returns names with every alias replaced by its grant's name,
// and whether every one is a grant.
func Canonical(names []string) ([]string, string) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		g := Lookup(n)
		if g == nil {
			return nil, n
		}
		if !slices.Contains(out, g.Name) {
			out = append(out, g.Name)
		}
	}
	return out, ""
}

// Required lists the names of the grant's required parameters.
func (g *Grant) Required() []string {
	out := make([]string, len(g.Params))
	for i, p := range g.Params {
		out[i] = p.Name
	}
	return out
}

// Redeemed is the parameter that carries what the request redeems (the
// password, the code, the device code, the refresh token), if any.
func (g *Grant) Redeemed() (string, bool) {
	for _, p := range g.Params {
		if p.Secret {
			return p.Name, true
		}
	}
	return "", false
}

// Issues reports whether the grant issues a token of its own (every grant
// but the refresh, which renews one another grant issued).
func (g *Grant) Issues() bool { return g.Obtain != ByRedeeming }

// Short is the grant's short name: its alias, else its name.
func (g *Grant) Short() string {
	if g.Alias != "" {
		return g.Alias
	}
	return g.Name
}

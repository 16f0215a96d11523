// Package specs holds the endpoint specs: one data file per documented token
// API, saying how to talk to the endpoint and which requirements apply.
// Specs are data; the suites interpret them and the reference server speaks them.
package specs

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Spec describes one token-endpoint dialect.
type Spec struct {
	Name     string   `json:"name"`
	Title    string   `json:"title"`
	Summary  string   `json:"summary"`
	Document Document `json:"document"`
	Request  Request  `json:"request"`
	Grants   []Grant  `json:"grants"`
	Response Response `json:"response"`
	Errors   Errors   `json:"errors"`
	Expiry   Expiry   `json:"expiry"`
	// Requirements lists every requirement this spec checks, in report order.
	Requirements []Requirement `json:"requirements"`
	// Decisions records each point where the document contradicts itself or is
	// silent, the reading the spec takes, and why.
	Decisions []Decision `json:"decisions,omitempty"`
	// Refserver configures the reference server that speaks this dialect.
	Refserver Refserver `json:"refserver"`

	// Source is where the spec was loaded from; SHA256 is the digest of its bytes.
	Source string `json:"-"`
	SHA256 string `json:"-"`
	// builtin: Load found the spec among the embedded ones, by name.
	builtin bool
}

// Document names the document a spec is derived from.
type Document struct {
	Title string `json:"title"`
	// File is the seed file name or the RFC, as the auditor finds it.
	File string `json:"file"`
}

// Request says how a token request is put on the wire.
type Request struct {
	Method string `json:"method"`
	// Path is the endpoint path the reference server serves.
	Path string `json:"path"`
	// Encoding of the request parameters: "form" or "json" in the body, or
	// "query": form-encoded in the request URI's query, no body.
	Encoding string `json:"encoding"`
	// ContentType overrides the Content-Type header the encoding implies
	// (some documents declare one type and send another).
	ContentType string `json:"content_type,omitempty"`
	// ClientAuth lists the client authentication methods the endpoint
	// supports, the preferred first: "basic" (Authorization header), "body"
	// (client_id and client_secret parameters).
	ClientAuth []string `json:"client_auth"`
	// Params maps the RFC 6749 parameter names to the names on the wire,
	// for the ones that differ.
	Params map[string]string `json:"params,omitempty"`
	// Required lists extra parameters the endpoint requires, by RFC name,
	// beyond those of the grant (e.g. "audience").
	Required []string `json:"required,omitempty"`
	// MaxLength gives documented maximum value lengths by parameter name.
	MaxLength map[string]int `json:"max_length,omitempty"`
	// ResponseWithin is the response time the document promises.
	ResponseWithin Duration `json:"response_within,omitempty"`
	// ScopeSeparator joins scope tokens in requests and splits the scope
	// member of responses: " " (RFC 6749 §3.3, the default) or another,
	// such as ",".
	ScopeSeparator string `json:"scope_separator,omitempty"`
	// Accept is the Accept header of token requests ("application/json"
	// when unset; "-" sends none).
	Accept string `json:"accept,omitempty"`
}

// Grant is one grant type the endpoint supports (grants.All), with what
// the document says of it alone.
type Grant struct {
	// Type is the grant's name (grants.Lookup): its grant_type, or a short
	// alias, which Parse replaces by the grant_type.
	Type string `json:"type"`
	// Rotation of refresh tokens on refresh: "always", "never" or "optional".
	Rotation string `json:"rotation,omitempty"`
	// Required lists parameters this grant's token requests require, by
	// RFC name, beyond the grant's own and Request.Required (a scope the
	// document requires for the password grant only).
	Required []string `json:"required,omitempty"`
	// ClientAuth lists the client authentication methods this grant's
	// requests take, when they differ from Request.ClientAuth.
	ClientAuth []string `json:"client_auth,omitempty"`
	// RefreshToken says whether this grant's success response carries a
	// refresh token: "issued" (always), "never", or "optional" (the
	// default: RFC 6749 lets the server choose; for client_credentials
	// one SHOULD NOT be issued, RFC 6749 §4.4.3).
	RefreshToken string `json:"refresh_token,omitempty"`
	// Schema is this grant's success-body schema, when it differs from
	// Response.Schema.
	Schema string `json:"schema,omitempty"`
}

// The values of Grant.RefreshToken.
const (
	RefreshIssued   = "issued"
	RefreshNever    = "never"
	RefreshOptional = "optional"
)

// Response describes the success body.
type Response struct {
	// Schema is the success-body schema, relative to the schemas folder.
	Schema string `json:"schema"`
	// MediaType of success bodies: "application/json" (the default, RFC
	// 6749 §5.1) or "application/x-www-form-urlencoded", whose members are
	// then judged as strings.
	MediaType string `json:"media_type,omitempty"`
	// Members maps the RFC 6749 member names to the names in the body, for
	// the ones that differ.
	Members map[string]string `json:"members,omitempty"`
	// TokenType is the token_type value the document promises; compared
	// case-insensitively, as RFC 6749 §5.1 requires.
	TokenType string `json:"token_type"`
	// ExpiresIn is the type the lifetime member may have: "number",
	// "string" or "number-or-string".
	ExpiresIn string `json:"expires_in,omitempty"`
	// Echo lists body members that must equal a value of the request.
	Echo []Echo `json:"echo,omitempty"`
	// Dates names an issued/expires pair of date members whose difference
	// must match the lifetime.
	Dates *Dates `json:"dates,omitempty"`
	// JWT describes the access token when it is a JWS.
	JWT *JWT `json:"jwt,omitempty"`
	// NewTokenDiscardsOld says every new token invalidates the earlier ones.
	NewTokenDiscardsOld bool `json:"new_token_discards_old,omitempty"`
	// Negotiation lists the success media types the endpoint answers by
	// the request's Accept header (one API answering JSON or a form); the
	// documented-request check sends each.
	Negotiation []Negotiation `json:"negotiation,omitempty"`
}

// Negotiation is one documented answer to an Accept header: a token
// request with Accept (or with none, "-") gets a success body of MediaType.
type Negotiation struct {
	Accept    string `json:"accept"`
	MediaType string `json:"media_type"`
}

// Header is the Accept header the entry sends, or "" for none.
func (n Negotiation) Header() string {
	if n.Accept == "-" {
		return ""
	}
	return n.Accept
}

// Echo says that body member Member equals the request parameter Param.
type Echo struct {
	Member string `json:"member"`
	Param  string `json:"param"`
}

// Dates names the issued and expires members and their time layout.
type Dates struct {
	Issued  string `json:"issued"`
	Expires string `json:"expires"`
	// Layout names the dates' layout: "RFC1123", an HTTP date (the Go
	// layout http.TimeFormat: RFC 1123's form, always in GMT), "RFC3339",
	// or "unix", a string of the seconds since 1970-01-01T00:00:00Z; Parse
	// and Format read and write it.
	Layout    string   `json:"layout"`
	Tolerance Duration `json:"tolerance"`
}

// JWT profiles (JWT.Profile).
const ProfileRFC9068 = "rfc9068"

// AllowedAlgs are the algorithms a token may be signed with: Algs, else Alg.
func (j *JWT) AllowedAlgs() []string {
	if len(j.Algs) > 0 {
		return j.Algs
	}
	return []string{j.Alg}
}

// JWT describes a JWS access token.
type JWT struct {
	// Alg is the JWS algorithm the document names; the reference server
	// signs with it.
	Alg string `json:"alg"`
	// Algs are the algorithms a token may be signed with (jwt/alg), when
	// more than Alg is allowed; Alg must be among them.
	Algs []string `json:"algs,omitempty"`
	// Profile names the JWT profile the tokens follow: "rfc9068" (JWT
	// access tokens, RFC 9068: typ at+jwt, the required claims, a
	// signature the authorization server's key set verifies; the at-jwt
	// checks, target key jwks). Without a profile the document publishes no
	// key set and the signature is not verified.
	Profile string `json:"profile,omitempty"`
	// Claims maps claim names to the request parameter each must equal.
	Claims map[string]string `json:"claims,omitempty"`
	// Skew is the allowed difference between exp and issue time + expires_in.
	Skew Duration `json:"skew"`
}

// Errors describes the error body and the codes for each failure condition.
type Errors struct {
	// Undocumented: the document describes no error format. The checks
	// then judge only that a request is refused (no token; a refusal
	// status), and keep the body as evidence; the reference server sends
	// RFC 6749 §5.2 errors.
	Undocumented bool `json:"undocumented,omitempty"`
	// Statuses are the HTTP statuses the API refuses requests with where
	// no condition says; a 2xx among them means a refusal may come with a
	// success status, and is then told by its body: no token.
	Statuses []int  `json:"statuses,omitempty"`
	Schema   string `json:"schema"`
	// Template is the error body the reference server sends, with the
	// placeholders "$code", "$description", "$status", "$path" and "$title".
	// The suites find the code, status and path members where the
	// placeholders stand.
	Template any `json:"template"`
	// MediaType the error body is sent as.
	MediaType string `json:"media_type"`
	// Vocabulary is the closed list of codes the endpoint may use.
	Vocabulary []string `json:"vocabulary,omitempty"`
	// Conditions maps a failure condition (probes.Conditions) to the error
	// the document promises for it.
	Conditions map[string]ErrorCase `json:"conditions"`
}

// ErrorCase is the error response promised for one failure condition.
type ErrorCase struct {
	// Codes lists the acceptable codes; the first is the one the reference
	// server sends.
	Codes []string `json:"codes"`
	// Statuses lists the acceptable HTTP statuses; the first is sent.
	Statuses []int `json:"statuses"`
	// AnyStatus: the document gives the condition's code but no status
	// (statuses: undocumented): any refusal status passes, and the
	// reference server sends the condition's RFC 6749 status.
	AnyStatus bool   `json:"-"`
	Title     string `json:"title,omitempty"`
}

// StatusUndocumented is what statuses says where the document gives none.
const StatusUndocumented = "undocumented"

// UnmarshalJSON reads statuses as a list of statuses or "undocumented".
func (e *ErrorCase) UnmarshalJSON(b []byte) error {
	var raw struct {
		Codes    []string        `json:"codes"`
		Statuses json.RawMessage `json:"statuses"`
		Title    string          `json:"title,omitempty"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*e = ErrorCase{Codes: raw.Codes, Title: raw.Title}
	var word string
	if json.Unmarshal(raw.Statuses, &word) == nil {
		if word != StatusUndocumented {
			return fmt.Errorf("statuses %q: a list of HTTP statuses, or %q", word, StatusUndocumented)
		}
		e.AnyStatus = true
		return nil
	}
	if len(raw.Statuses) == 0 {
		return nil
	}
	return json.Unmarshal(raw.Statuses, &e.Statuses)
}

// MarshalJSON writes statuses back as it was read.
func (e ErrorCase) MarshalJSON() ([]byte, error) {
	out := struct {
		Codes    []string `json:"codes"`
		Statuses any      `json:"statuses"`
		Title    string   `json:"title,omitempty"`
	}{Codes: e.Codes, Statuses: e.Statuses, Title: e.Title}
	if e.AnyStatus {
		out.Statuses = StatusUndocumented
	}
	return json.Marshal(out)
}

// Expiry describes lifetime semantics.
type Expiry struct {
	// Documented lifetime of an access token, when the document states one.
	Lifetime Duration `json:"lifetime,omitempty"`
	// Min and Max bound the access-token lifetime where the document gives
	// a range instead of one value ("15 minutes or eight hours depending on
	// the scopes"; a lifetime the tenant configures between two bounds):
	// the expires-in check holds a stated expires_in to it.
	Min Duration `json:"min,omitempty"`
	Max Duration `json:"max,omitempty"`
}

// Ranged reports whether the spec documents a lifetime range.
func (e Expiry) Ranged() bool { return e.Max.Duration > 0 }

// Refserver configures the reference server for this dialect.
type Refserver struct {
	// Lifetime of access tokens when none is given.
	Lifetime Duration `json:"lifetime"`
	// Scopes the test client may be granted; the first are requested by
	// default.
	Scopes []string `json:"scopes,omitempty"`
	// Extra are members added to every success body (e.g. a role).
	Extra map[string]any `json:"extra,omitempty"`
	// Audience the endpoint expects, when the request requires one.
	Audience string `json:"audience,omitempty"`
	// Params are the values the server expects for the path variables of
	// Request.Path and for required parameters other than audience and
	// scope; a variable without one takes "tokencert".
	Params map[string]string `json:"params,omitempty"`
}

// PathVars lists the {name} variables of the token path, in order.
func (s *Spec) PathVars() []string {
	var out []string
	for _, seg := range strings.Split(s.Request.Path, "/") {
		if len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' {
			out = append(out, seg[1:len(seg)-1])
		}
	}
	return out
}

// Requirement is one requirement as this spec applies it.
type Requirement struct {
	ID string `json:"id"`
	// Level overrides the catalogue level (with Why saying why).
	Level Level `json:"level,omitempty"`
	// Cite is the document clause the requirement comes from.
	Cite string `json:"cite"`
	// Text says what is required: the catalogue's for a catalogue ID, the
	// spec's own for a requirement it declares (Declared).
	Text     string `json:"text,omitempty"`
	Declared bool   `json:"-"`
	Why      string `json:"why,omitempty"`
	// Faults name the reference-server faults that break a requirement the
	// spec declares itself (`tokencert faults` lists the faults), so that
	// the reference server can show its check fails.
	Faults []string `json:"faults,omitempty"`
	// Check names the probe that verifies the requirement, when the
	// requirement ID does not already imply one (see suites.Kinds).
	Check string `json:"check,omitempty"`
}

// Decision records a reading of a contradictory or silent document.
type Decision struct {
	Point   string `json:"point"`
	Reading string `json:"reading"`
	Why     string `json:"why"`
}

// Level is a BCP 14 requirement level.
type Level string

// The requirement levels.
const (
	MUST      Level = "MUST"
	MUSTNOT   Level = "MUST NOT"
	SHOULD    Level = "SHOULD"
	SHOULDNOT Level = "SHOULD NOT"
	MAY       Level = "MAY"
)

// Mandatory reports whether failing a requirement of this level fails a run.
func (l Level) Mandatory() bool { return l == MUST || l == MUSTNOT }

// Label is the level as a Ginkgo label ("MUST-NOT").
func (l Level) Label() string { return strings.ReplaceAll(string(l), " ", "-") }

func (l Level) valid() bool {
	return slices.Contains([]Level{MUST, MUSTNOT, SHOULD, SHOULDNOT, MAY}, l)
}

// Duration is a time.Duration written as "2s" or "10m" in spec files.
type Duration struct{ time.Duration }

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("bad duration %s: %v", b, err)
	}
	d.Duration = v
	return nil
}

// MarshalJSON writes a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// FormMediaType is the media type of form-encoded bodies.
const FormMediaType = "application/x-www-form-urlencoded"

// ResponseMediaType is the media type of success bodies.
func (s *Spec) ResponseMediaType() string {
	if s.Response.MediaType == "" {
		return "application/json"
	}
	return s.Response.MediaType
}

// AcceptHeader is the Accept header of token requests, or "" for none.
func (s *Spec) AcceptHeader() string {
	switch s.Request.Accept {
	case "":
		return "application/json"
	case "-":
		return ""
	}
	return s.Request.Accept
}

// JoinScope joins scope tokens with the spec's separator.
func (s *Spec) JoinScope(tokens []string) string {
	return strings.Join(tokens, s.scopeSeparator())
}

// SplitScope splits a scope value into its tokens by the spec's separator.
func (s *Spec) SplitScope(v string) []string {
	if s.scopeSeparator() == " " {
		return strings.Fields(v)
	}
	var out []string
	for _, t := range strings.Split(v, s.scopeSeparator()) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func (s *Spec) scopeSeparator() string {
	if s.Request.ScopeSeparator == "" {
		return " "
	}
	return s.Request.ScopeSeparator
}

// Param returns the wire name of an RFC 6749 parameter.
func (s *Spec) Param(name string) string {
	if n, ok := s.Request.Params[name]; ok {
		return n
	}
	return name
}

// Member returns the body name of an RFC 6749 response member.
func (s *Spec) Member(name string) string {
	if n, ok := s.Response.Members[name]; ok {
		return n
	}
	return name
}

// Grant returns the grant of the given type, or nil.
func (s *Spec) Grant(t string) *Grant {
	for i := range s.Grants {
		if s.Grants[i].Type == t {
			return &s.Grants[i]
		}
	}
	return nil
}

// Supports reports whether the endpoint supports a client auth method for
// some grant: Request.ClientAuth, or a grant's own.
func (s *Spec) Supports(auth string) bool {
	if slices.Contains(s.Request.ClientAuth, auth) {
		return true
	}
	for _, g := range s.Grants {
		if slices.Contains(g.ClientAuth, auth) {
			return true
		}
	}
	return false
}

// ClientAuthFor lists the client authentication methods a grant's
// requests take: the grant's own statement, else Request.ClientAuth.
func (s *Spec) ClientAuthFor(grant string) []string {
	if g := s.Grant(grant); g != nil && len(g.ClientAuth) > 0 {
		return g.ClientAuth
	}
	return s.Request.ClientAuth
}

// RequiredFor lists the extra parameters a grant's requests require:
// Request.Required, then the grant's own Required. A refresh takes none
// (RFC 6749 §6 fixes its parameters) unless its grant entry names some.
func (s *Spec) RequiredFor(grant string) []string {
	var out []string
	if grant != "refresh_token" {
		out = slices.Clone(s.Request.Required)
	}
	if g := s.Grant(grant); g != nil {
		for _, p := range g.Required {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// RefreshTokenFrom says whether a grant's success response carries a
// refresh token (RefreshIssued, RefreshNever or RefreshOptional): the
// grant's statement, else RefreshOptional, else RefreshNever for a grant
// the spec does not document.
func (s *Spec) RefreshTokenFrom(grant string) string {
	g := s.Grant(grant)
	switch {
	case g == nil:
		return RefreshNever
	case g.RefreshToken != "":
		return g.RefreshToken
	}
	return RefreshOptional
}

// SchemaFor is the success-body schema of a grant's responses: the
// grant's own, else Response.Schema.
func (s *Spec) SchemaFor(grant string) string {
	if g := s.Grant(grant); g != nil && g.Schema != "" {
		return g.Schema
	}
	return s.Response.Schema
}

// Requirement returns this spec's entry for a requirement ID, or nil.
func (s *Spec) Requirement(id string) *Requirement {
	for i := range s.Requirements {
		if s.Requirements[i].ID == id {
			return &s.Requirements[i]
		}
	}
	return nil
}

// Condition returns the error case for a failure condition, and whether
// the spec documents one.
func (s *Spec) Condition(c string) (ErrorCase, bool) {
	e, ok := s.Errors.Conditions[c]
	return e, ok
}

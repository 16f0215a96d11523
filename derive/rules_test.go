package derive

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/specs"
	"sigs.k8s.io/yaml"
)

// derived is a derivation of a short document, read back.
type derived struct {
	res    *Result
	spec   specs.Spec
	schema struct {
		Required   []string                  `json:"required"`
		Properties map[string]map[string]any `json:"properties"`
	}
	notes string
}

func deriveDoc(t *testing.T, file, doc string) derived {
	t.Helper()
	res, err := Derive(file, []byte(doc), Options{Name: "rule"})
	if err != nil {
		t.Fatalf("derive: %v", err)
	}
	d := derived{res: res, notes: string(res.Notes)}
	if err := yaml.Unmarshal(res.Spec, &d.spec); err != nil {
		t.Fatalf("the draft does not read: %v\n%s", err, res.Spec)
	}
	if b := res.Schemas["schemas/rule/token-response.json"]; b != nil {
		if err := json.Unmarshal(b, &d.schema); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// A sample request and response: the facts the rules below leave alone.
const ccSample = "```sh\ncurl -X POST https://acme.test/oauth/token -d grant_type=client_credentials -d client_id=a -d client_secret=b\n```\n\n" +
	"```json\n{\"access_token\": \"x\", \"token_type\": \"Bearer\", \"expires_in\": 3600}\n```\n"

// passwordSample is a password grant's request.
const passwordSample = "```sh\ncurl -X POST https://acme.test/oauth/token -d grant_type=password -d username=u -d password=p -d client_id=a -d client_secret=b\n```\n\n"

// Each wrong-fact class of issue 20 is a rule, shown on a short document
// written for it: what the rule keeps out of the draft, and what it still
// takes from the same document.
func TestRulesStateNoWrongFact(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		check     func(t *testing.T, d derived)
	}{
		{"a negation is no fact: HTTP Basic is not listed",
			"# Acme token\n\n## POST /oauth/token\n\nSend client_id and client_secret in the body. HTTP Basic is not listed among the methods.\n\n" + ccSample,
			func(t *testing.T, d derived) {
				if !slices.Equal(d.spec.Request.ClientAuth, []string{"body"}) {
					t.Errorf("client_auth %v, want [body]", d.spec.Request.ClientAuth)
				}
			}},
		{"a question left open is no fact: whether Basic is accepted is not covered",
			"# Acme token\n\n## POST /oauth/token\n\nWhether HTTP Basic is accepted by the token endpoint is not covered here.\n\n" + ccSample,
			func(t *testing.T, d derived) {
				if slices.Contains(d.spec.Request.ClientAuth, "basic") {
					t.Errorf("client_auth %v takes Basic from a sentence that leaves it open", d.spec.Request.ClientAuth)
				}
				if !strings.Contains(d.notes, "states no client authentication") {
					t.Errorf("the notes do not say the sentence was set aside:\n%s", d.notes)
				}
			}},
		{"a denial in one clause leaves the others: the grants a sentence names",
			"# Acme token\n\n## POST /oauth/token\n\nAcme supports the client credentials grant, for apps that don't have a user; the password grant is not supported.\n\n" + ccSample,
			func(t *testing.T, d derived) {
				var gs []string
				for _, g := range d.spec.Grants {
					gs = append(gs, g.Type)
				}
				if !slices.Equal(gs, []string{"client_credentials"}) {
					t.Errorf("grants %v, want [client_credentials]", gs)
				}
			}},
		{"a parameter required for one grant only is that grant's",
			"# Acme token\n\n## POST /oauth/token\n\nAcme supports the client credentials grant and the password grant.\n\n| Parameter | Required | Description |\n|---|---|---|\n| grant_type | Yes | client_credentials or password |\n| audience | Yes, for the password grant only | the API |\n\n" + ccSample,
			func(t *testing.T, d derived) {
				if len(d.spec.Request.Required) > 0 {
					t.Errorf("required %v from a per-grant statement", d.spec.Request.Required)
				}
				if g := d.spec.Grant("password"); g == nil || !slices.Equal(g.Required, []string{"audience"}) {
					t.Errorf("grants %+v: want the password grant to require audience", d.spec.Grants)
				}
				if g := d.spec.Grant("client_credentials"); g == nil || len(g.Required) > 0 {
					t.Errorf("grants %+v: client_credentials requires nothing of its own", d.spec.Grants)
				}
			}},
		{"the request's Content-Type, not the response's",
			"# Acme token\n\n## POST /oauth/token\n\n### Headers\n\n| Header | Value |\n|---|---|\n| Content-Type | Must always be application/x-www-form-urlencoded |\n\n" +
				"### Parameters\n\n| Parameter | Required |\n|---|---|\n| grant_type | Yes |\n| client_id | Yes |\n| client_secret | Yes |\n\n" +
				"### Response\n\n```\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"access_token\": \"x\", \"token_type\": \"Bearer\"}\n```\n",
			func(t *testing.T, d derived) {
				if d.spec.Request.Encoding != "form" || d.spec.Request.ContentType != "" {
					t.Errorf("encoding %q, content_type %q; want form and none", d.spec.Request.Encoding, d.spec.Request.ContentType)
				}
			}},
		{"a response's Content-Type alone says nothing of the request",
			"# Acme token\n\n## POST /oauth/token\n\n| Parameter | Required |\n|---|---|\n| grant_type | Yes |\n| client_id | Yes |\n| client_secret | Yes |\n\n" +
				"```\nHTTP 401 Unauthorized\nContent-Type: application/json;charset=UTF-8\n{\"error\": \"invalid_client\", \"error_description\": \"No client credentials found.\"}\n```\n\n```json\n{\"access_token\": \"x\", \"token_type\": \"Bearer\"}\n```\n",
			func(t *testing.T, d derived) {
				if !strings.Contains(d.spec.Request.Encoding, specs.TODOMarker) {
					t.Errorf("encoding %q from a response header; want a TODO", d.spec.Request.Encoding)
				}
			}},
		{"an error table's members are not the success body's",
			"# Acme token\n\n## POST /oauth/token\n\n" + ccSample + "\n## Response\n\n| Field | Type | Description |\n|---|---|---|\n| access_token | string | the token |\n| token_type | string | Bearer |\n\n" +
				"| Field | Type | Description |\n|---|---|---|\n| error | string | the error code |\n| error_description | string | what went wrong |\n",
			func(t *testing.T, d derived) {
				for _, m := range []string{"error", "error_description"} {
					if _, ok := d.schema.Properties[m]; ok {
						t.Errorf("the success schema has the error member %s", m)
					}
				}
				if _, ok := d.schema.Properties["access_token"]; !ok {
					t.Error("the success schema lost access_token")
				}
			}},
		{"a code's, a refresh token's and a device code's lifetimes are not the access token's",
			"# Acme token\n\n## POST /oauth/token\n\nThe code has a lifetime of 60 seconds. A Refresh Token is valid for 60 days. The device code expires after 15 minutes.\n\n" + ccSample,
			func(t *testing.T, d derived) {
				if d.spec.Expiry.Lifetime.Duration != 0 || d.spec.Expiry.Ranged() {
					t.Errorf("expiry %+v from other kinds of token", d.spec.Expiry)
				}
			}},
		{"the access token's lifetime, and not an example's",
			"# Acme token\n\n## POST /oauth/token\n\nAccess tokens are valid for 2 hours. For example, an expires_in of 3600 means the token expires in one hour.\n\n" + ccSample,
			func(t *testing.T, d derived) {
				if d.spec.Expiry.Lifetime.String() != "2h0m0s" {
					t.Errorf("lifetime %s, want 2h", d.spec.Expiry.Lifetime)
				}
			}},
		{"two durations of the access token are a range",
			"# Acme token\n\n## POST /oauth/token\n\nIn general, access tokens have a life of 15 minutes or eight hours depending on the scopes.\n\n" + ccSample,
			func(t *testing.T, d derived) {
				if !d.spec.Expiry.Ranged() || d.spec.Expiry.Min.String() != "15m0s" || d.spec.Expiry.Max.String() != "8h0m0s" {
					t.Errorf("expiry %+v, want 15m to 8h", d.spec.Expiry)
				}
			}},
		{"two lifetimes contradict: a decision, not a pick",
			"# Acme token\n\n## POST /oauth/token\n\nAccess tokens are valid for 2 hours.\n\nNote: an access token expires after 3 hours.\n\n" + "```sh\ncurl -X POST https://acme.test/oauth/token -d grant_type=client_credentials -d client_id=a -d client_secret=b\n```\n\n```json\n{\"access_token\": \"x\", \"token_type\": \"Bearer\"}\n```\n",
			func(t *testing.T, d derived) {
				if d.spec.Expiry.Lifetime.Duration != 0 || !strings.Contains(string(d.res.Spec), "more than one lifetime") {
					t.Errorf("lifetime %s; want none and a decision:\n%s", d.spec.Expiry.Lifetime, d.res.Spec)
				}
			}},
		{"no member is marked required: a sample makes none required beyond RFC 6749's",
			"# Acme token\n\n## POST /oauth/token\n\n" + ccSample + "\n## Response\n\nNo member is marked required: a response may leave any out.\n",
			func(t *testing.T, d derived) {
				// access_token and token_type are RFC 6749 §5.1's, whose
				// catalogue requirements the schema names.
				if r := slices.Sorted(slices.Values(d.schema.Required)); !slices.Equal(r, []string{"access_token", "token_type"}) {
					t.Errorf("required %v where the document marks none; want RFC 6749's access_token and token_type alone", d.schema.Required)
				}
			}},
		{"a member listed for one grant only is optional, even in every sample",
			"# Acme token\n\n## POST /oauth/token\n\n" + "```sh\ncurl -X POST https://acme.test/oauth/token -d grant_type=password -d username=u -d password=p -d client_id=a -d client_secret=b\n```\n\n" +
				"```json\n{\"access_token\": \"x\", \"token_type\": \"Bearer\", \"refresh_token\": \"r\"}\n```\n\n## Response\n\n| Field | Type | Description |\n|---|---|---|\n| access_token | string | the token |\n| refresh_token | string | only returned for the password grant |\n",
			func(t *testing.T, d derived) {
				if slices.Contains(d.schema.Required, "refresh_token") || !slices.Contains(d.schema.Required, "access_token") {
					t.Errorf("required %v; want access_token and not refresh_token", d.schema.Required)
				}
			}},
		{"a documented template wins over the sample that fills it",
			"# Acme token\n\nUse an HTTP POST to the tenant's endpoint.\n\n```\nhttps://login.acme.test/<tenant id>/oauth2/token\n```\n\n" +
				"```\nPOST /contoso.com/oauth2/token HTTP/1.1\nHost: login.acme.test\nContent-Type: application/x-www-form-urlencoded\n\ngrant_type=client_credentials&client_id=a&client_secret=b\n```\n\n```json\n{\"access_token\": \"x\", \"token_type\": \"Bearer\"}\n```\n",
			func(t *testing.T, d derived) {
				if d.spec.Request.Path != "/{tenant_id}/oauth2/token" || !strings.Contains(string(d.res.Spec), "a sample fills the template") {
					t.Errorf("path %q, want /{tenant_id}/oauth2/token with a decision:\n%s", d.spec.Request.Path, d.res.Spec)
				}
			}},
		{"another flow's error sample describes none of the token endpoint's failures",
			"# Acme token\n\n## POST /oauth/token\n\n" + "```sh\ncurl -X POST https://acme.test/oauth/token -d grant_type=password -d username=u -d password=p -d client_id=a -d client_secret=b\n```\n\n```json\n{\"access_token\": \"x\", \"token_type\": \"Bearer\"}\n```\n\n" +
				"## Errors of the device flow\n\nWhile the user has not yet approved:\n\n```json\n{\"error\": \"invalid_grant\", \"error_description\": \"pending\"}\n```\n",
			func(t *testing.T, d derived) {
				if _, ok := d.spec.Errors.Conditions["bad_password"]; ok {
					t.Errorf("conditions %v: another flow's invalid_grant taken for a wrong password", d.spec.Errors.Conditions)
				}
			}},
		{"an error table makes errors documented, a code's status in parentheses",
			"# Acme token\n\n## POST /oauth/token\n\n" + ccSample + "\n## Errors\n\n| Error Id | Details |\n|---|---|\n| invalid_client (401) | The specified client id wasn't found. |\n| unsupported_grant_type (400) | The grant_type isn't client_credentials |\n",
			func(t *testing.T, d derived) {
				if d.spec.Errors.Undocumented {
					t.Fatalf("errors undocumented although a table lists them:\n%s", d.res.Spec)
				}
				if c := d.spec.Errors.Conditions["bad_client_body"]; !slices.Equal(c.Codes, []string{"invalid_client"}) || !slices.Equal(c.Statuses, []int{401}) {
					t.Errorf("bad_client_body %+v", c)
				}
				if c := d.spec.Errors.Conditions["unsupported_grant_type"]; !slices.Equal(c.Statuses, []int{400}) {
					t.Errorf("unsupported_grant_type %+v", c)
				}
			}},
		{"a code without a status: statuses undocumented, not RFC 6749's",
			"# Acme token\n\n## POST /oauth/token\n\n" + "```sh\ncurl -X POST https://acme.test/oauth/token -d grant_type=authorization_code -d code=c -d redirect_uri=https://app.test/cb -d client_id=a -d client_secret=b\n```\n\n```json\n{\"access_token\": \"x\", \"token_type\": \"Bearer\"}\n```\n\n" +
				"## Bad verification code\n\nIf the code you pass is incorrect or expired you will receive this error.\n\n```json\n{\"error\": \"bad_verification_code\", \"error_description\": \"The code passed is incorrect or expired.\"}\n```\n",
			func(t *testing.T, d derived) {
				c, ok := d.spec.Errors.Conditions["bad_code"]
				if !ok || !c.AnyStatus || !slices.Equal(c.Codes, []string{"bad_verification_code"}) {
					t.Errorf("bad_code %+v (documented %v)", c, ok)
				}
			}},
		{"the code and device grants are modelled",
			"# Acme token\n\n## POST /oauth/token\n\nAcme supports the authorization code grant and the device authorization grant.\n\n" +
				"```sh\ncurl -X POST https://acme.test/oauth/token -d grant_type=authorization_code -d code=c -d client_id=a -d client_secret=b\n```\n\n```json\n{\"access_token\": \"x\", \"token_type\": \"Bearer\"}\n```\n",
			func(t *testing.T, d derived) {
				var gs []string
				for _, g := range d.spec.Grants {
					gs = append(gs, g.Type)
				}
				if !slices.Equal(gs, []string{"authorization_code", "urn:ietf:params:oauth:grant-type:device_code"}) || strings.Contains(d.notes, "not one the spec format models") {
					t.Errorf("grants %v; notes:\n%s", gs, d.notes)
				}
			}},
		{"a grant said to issue no refresh token: refresh_token never, for that grant alone",
			"# Acme token\n\n## POST /oauth/token\n\nAcme supports the client credentials grant, the password grant and the refresh token grant. The client credentials grant does not return a refresh token.\n\n" + ccSample + passwordSample,
			func(t *testing.T, d derived) {
				if g := d.spec.Grant("client_credentials"); g == nil || g.RefreshToken != specs.RefreshNever {
					t.Errorf("grants %+v: want client_credentials refresh_token: never", d.spec.Grants)
				}
				if g := d.spec.Grant("password"); g == nil || g.RefreshToken != "" {
					t.Errorf("grants %+v: the password grant is not said to issue none", d.spec.Grants)
				}
			}},
		{"a refresh_token member for one grant only: the other grants issue none",
			"# Acme token\n\n## POST /oauth/token\n\nAcme supports the client credentials grant and the password grant.\n\n" + ccSample + passwordSample +
				"\n## Response\n\n| Field | Type | Description |\n|---|---|---|\n| access_token | string | the token |\n| refresh_token | string | Only returned for the password grant. |\n",
			func(t *testing.T, d derived) {
				if g := d.spec.Grant("client_credentials"); g == nil || g.RefreshToken != specs.RefreshNever {
					t.Errorf("grants %+v: want client_credentials refresh_token: never", d.spec.Grants)
				}
				if g := d.spec.Grant("password"); g == nil || g.RefreshToken != "" {
					t.Errorf("grants %+v: the password grant may issue one", d.spec.Grants)
				}
			}},
		{"a denial under a condition states no refresh statement",
			"# Acme token\n\n## POST /oauth/token\n\nAcme supports the client credentials grant. Refresh tokens are not issued for the client credentials grant unless offline_access is requested. " +
				"Refresh tokens are issued for the password grant, not for client credentials.\n\n" + ccSample,
			func(t *testing.T, d derived) {
				for _, g := range d.spec.Grants {
					if g.RefreshToken != "" {
						t.Errorf("grant %s: refresh_token %s from a conditional sentence", g.Type, g.RefreshToken)
					}
				}
			}},
		{"a required refresh_token from the one grant: refresh_token issued",
			"# Acme token\n\n## POST /oauth/token\n\n" + ccSample +
				"\n## Response\n\n| Field | Type | Required | Description |\n|---|---|---|---|\n| access_token | string | Yes | the token |\n| token_type | string | Yes | Bearer |\n| refresh_token | string | Yes | a refresh token |\n",
			func(t *testing.T, d derived) {
				if g := d.spec.Grant("client_credentials"); g == nil || g.RefreshToken != specs.RefreshIssued {
					t.Errorf("grants %+v: want client_credentials refresh_token: issued", d.spec.Grants)
				}
				if len(d.res.TODOs) > 0 {
					t.Errorf("TODOs %v", d.res.TODOs)
				}
			}},
		{"a required refresh_token and a grant said to issue none: a decision, the member optional",
			"# Acme token\n\n## POST /oauth/token\n\nAcme supports the client credentials grant, the password grant and the refresh token grant. No refresh token is issued for the client credentials grant.\n\n" + ccSample + passwordSample +
				"\n## Response\n\n| Field | Type | Required | Description |\n|---|---|---|---|\n| access_token | string | Yes | the token |\n| token_type | string | Yes | Bearer |\n| refresh_token | string | Yes | a refresh token |\n",
			func(t *testing.T, d derived) {
				if g := d.spec.Grant("client_credentials"); g == nil || g.RefreshToken != specs.RefreshNever {
					t.Errorf("grants %+v: want client_credentials refresh_token: never", d.spec.Grants)
				}
				if slices.Contains(d.schema.Required, "refresh_token") {
					t.Errorf("required %v: refresh_token cannot be, a grant issues none", d.schema.Required)
				}
				if !slices.ContainsFunc(d.spec.Decisions, func(x specs.Decision) bool { return strings.Contains(x.Point, "refresh_token") }) {
					t.Errorf("no decision on refresh_token: %+v", d.spec.Decisions)
				}
			}},
		{"a member naming a catalogue requirement holds the catalogue's constraints, the token type in any case",
			"# Acme token\n\n## POST /oauth/token\n\n" + ccSample,
			func(t *testing.T, d derived) {
				at := d.schema.Properties["access_token"]
				if at["minLength"] != float64(1) || at["pattern"] == nil {
					t.Errorf("access_token %v: want RFC6749-5.1-ACCESS-TOKEN's minLength and pattern", at)
				}
				p, _ := d.schema.Properties["token_type"]["pattern"].(string)
				re, err := regexp.Compile(p)
				if err != nil || !re.MatchString("bearer") || !re.MatchString("BEARER") || re.MatchString("mac") {
					t.Errorf("token_type pattern %q: want the documented Bearer in any letter case and nothing else", p)
				}
			}},
		{"a placeholder in a sample is no value: <string> is no token type, <integer> an integer",
			"# Acme token\n\n## POST /oauth/token\n\n```sh\ncurl -X POST https://acme.test/oauth/token -d grant_type=client_credentials -d client_id=a -d client_secret=b\n```\n\n" +
				"```json\n{\"access_token\": \"<string>\", \"token_type\": \"<string>\", \"expires_in\": \"<integer>\"}\n```\n",
			func(t *testing.T, d derived) {
				if tt := d.spec.Response.TokenType; !strings.HasPrefix(tt, "TODO(derive)") {
					t.Errorf("token_type %q from a placeholder", tt)
				}
				if ty := d.schema.Properties["expires_in"]["type"]; ty != "integer" {
					t.Errorf("expires_in typed %v; the placeholder names an integer", ty)
				}
			}},
		{"a type that admits null admits null",
			"# Acme token\n\n## POST /oauth/token\n\n" + ccSample + "\n## Response\n\naccess_token\nstring\nrequired\n\nThe token.\n\nrefresh_token\nstring | null\n\nA refresh token.\n\n" +
				"| Field | Type | Description |\n|---|---|---|\n| scope | string (nullable) | the scope |\n",
			func(t *testing.T, d derived) {
				for _, n := range []string{"refresh_token", "scope"} {
					ty, _ := d.schema.Properties[n]["type"].([]any)
					if !slices.Contains(ty, any("null")) || !slices.Contains(ty, any("string")) {
						t.Errorf("%s typed %v; want string or null", n, d.schema.Properties[n]["type"])
					}
				}
			}},
		{"an OpenAPI type list with null, and nullable, admit null",
			`{"openapi": "3.1.0", "info": {"title": "Acme", "version": "1"}, "paths": {"/oauth/token": {"post": {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["grant_type"], "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]}}}}}},
			"responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "required": ["access_token", "token_type"], "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string", "enum": ["Bearer"]}, "refresh_token": {"type": ["null", "string"]}}}}}}}}}}}`,
			func(t *testing.T, d derived) {
				ty, _ := d.schema.Properties["refresh_token"]["type"].([]any)
				if !slices.Contains(ty, any("null")) || !slices.Contains(ty, any("string")) {
					t.Errorf("refresh_token typed %v; want string or null", d.schema.Properties["refresh_token"]["type"])
				}
			}},
	} {
		file := "rule.md"
		if strings.HasPrefix(tc.doc, "{") {
			file = "rule.json"
		}
		t.Run(tc.name, func(t *testing.T) { tc.check(t, deriveDoc(t, file, tc.doc)) })
	}
}

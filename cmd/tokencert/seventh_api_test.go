package main

import (
	"strings"
	"testing"

	"github.com/tokencert/tokencert/lint"
	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// A seventh token API, written as a vendor would from specs/README.md alone,
// using the API's real shape as data: a tenant in the path, a required
// parameter of its own, comma-separated scopes, form-encoded success
// bodies sent only when asked for them, one refusal answered with status
// 200, and requirements the spec declares itself.
const seventhSpec = `
name: tenantgate
title: TenantGate token API (invented for a test)
summary: "POST /{tenant}/oauth2/token, form in and form out, scopes joined with commas, an unknown grant type answered 200."
document: {title: TenantGate API (invented), file: tenantgate.md}
request:
  method: POST
  path: /{tenant}/oauth2/token
  encoding: form
  client_auth: [basic]
  required: [region]
  scope_separator: ","
  accept: application/x-www-form-urlencoded
grants:
  - type: client_credentials
response:
  schema: tenantgate/token.json
  media_type: application/x-www-form-urlencoded
  token_type: Bearer
  expires_in: string
errors:
  schema: tenantgate/error.json
  media_type: application/json
  template: {"error": "$code", "error_description": "$description"}
  conditions:
    bad_client_basic: {codes: [invalid_client], statuses: [401]}
    no_client_auth: {codes: [invalid_client], statuses: [401]}
    unsupported_grant_type: {codes: [unsupported_grant_type], statuses: [200]}
requirements:
  - {id: RFC6749-5.1-STATUS-200, cite: "TenantGate §2"}
  - {id: RFC6749-5.1-ACCESS-TOKEN, cite: "TenantGate §2 (access_token)"}
  - {id: RFC6749-5.1-CACHE-CONTROL-NO-STORE, cite: "TenantGate §2"}
  - {id: RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE, cite: "TenantGate §3"}
  - {id: RFC6749-3.2.1-AUTH-REQUIRED, cite: "TenantGate §3"}
  - id: TENANTGATE-UNKNOWN-GRANT-200
    level: MUST
    text: "An unknown grant type is answered with status 200 and the error unsupported_grant_type, no token."
    cite: "TenantGate §3 (errors come back as 200)"
    check: error/unsupported_grant_type
    faults: [unsupported-grant-invalid-request]
  - id: TENANTGATE-SCOPE-COMMAS
    level: MUST
    text: "The granted scopes are listed in scope, joined with commas."
    cite: "TenantGate §2 (scope)"
    faults: [scope-comma-joined]
  - id: TENANTGATE-FORM-RESPONSE
    level: MUST
    text: "Asked for application/x-www-form-urlencoded, the token endpoint answers form-encoded."
    cite: "TenantGate §2"
    faults: [text-plain]
decisions:
  - {point: "Invented for a test.", reading: "Everything above.", why: "To show the API's shape is data."}
refserver:
  lifetime: 2s
  scopes: [parcels.read, parcels.write]
  params: {tenant: acme-corp, region: eu-1}
`

const seventhTokenSchema = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "TenantGate token response (form-encoded: every member a string)",
  "x-requirement": "TENANTGATE-FORM-RESPONSE",
  "type": "object",
  "required": ["access_token", "token_type", "expires_in"],
  "x-required-by": {"access_token": "RFC6749-5.1-ACCESS-TOKEN", "token_type": "TENANTGATE-FORM-RESPONSE", "expires_in": "TENANTGATE-FORM-RESPONSE"},
  "properties": {
    "access_token": {"description": "TenantGate §2", "x-requirement": "RFC6749-5.1-ACCESS-TOKEN", "type": "string", "minLength": 1, "pattern": "^[\\x20-\\x7E]+$"},
    "expires_in": {"description": "TenantGate §2", "x-requirement": "TENANTGATE-FORM-RESPONSE", "type": "string", "pattern": "^[0-9]+$"},
    "scope": {"description": "TenantGate §2", "x-requirement": "TENANTGATE-SCOPE-COMMAS", "type": "string", "pattern": "^[a-z.]+(,[a-z.]+)*$"}
  }
}`

const seventhErrorSchema = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "TenantGate error",
  "type": "object"
}`

// TestSeventhAPIShapeIsData: the spec lints clean, certifies the reference
// server configured from it, and every fault that applies to it is caught.
func TestSeventhAPIShapeIsData(t *testing.T) {
	t.Parallel()
	path := writeSpecFiles(t, "tenantgate.yaml", map[string]string{
		"tenantgate.yaml":       seventhSpec,
		"tenantgate/token.json": seventhTokenSchema,
		"tenantgate/error.json": seventhErrorSchema,
	})
	if ps := lint.Spec(path); len(ps) > 0 {
		t.Fatalf("lint: %v", ps)
	}
	certifiesAndCatches(t, path)
	r := tokencert(t, nil, "run", "--spec", path, "--lifetime", "1s")
	if !strings.Contains(r.stdout, "/acme-corp/oauth2/token") {
		t.Errorf("the endpoint's {tenant} was not filled:\n%s", r.stdout)
	}
}

// A document that describes no error format: the spec says so, the checks
// judge only that requests are refused, and every fault that makes the
// endpoint accept what it must refuse is caught.
const undocumentedSpec = `
name: quiet
title: Quiet token API (invented for a test)
summary: "RFC 6749's request and response; the document describes no error format."
document: {title: Quiet API (invented), file: quiet.md}
request: {method: POST, path: /token, encoding: form, client_auth: [basic]}
grants: [{type: client_credentials}]
response: {schema: rfc6749/token-response.json, token_type: Bearer}
errors: {undocumented: true}
requirements:
  - {id: RFC6749-5.1-STATUS-200, cite: "Quiet §1"}
  - {id: RFC6749-3.2.1-AUTH-REQUIRED, cite: "Quiet §1 (client credentials are required)"}
  - {id: RFC6749-3.2-POST-ONLY, cite: "Quiet §1 (POST)"}
  - {id: RFC6749-5.2-MISSING-GRANT-TYPE, cite: "Quiet §1 (grant_type is required)"}
decisions:
  - {point: "No error format is documented.", reading: "errors.undocumented: only refusals are judged.", why: "Invented for a test."}
refserver: {lifetime: 2s, scopes: [read]}
`

func TestUndocumentedErrors(t *testing.T) {
	t.Parallel()
	path := writeSpecFiles(t, "quiet.yaml", map[string]string{"quiet.yaml": undocumentedSpec})
	if ps := lint.Spec(path); lint.Errors(ps) > 0 {
		t.Fatalf("lint: %v", ps)
	}
	spec, err := specs.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("conformant", func(t *testing.T) {
		t.Parallel()
		if r := tokencert(t, nil, "run", "--spec", path, "--strict"); r.exit != 0 {
			t.Fatalf("exit %d, want 0\n%s", r.exit, failures(r))
		}
	})
	for _, name := range []string{"no-auth-accepted", "get-accepted"} {
		f, err := refserver.FaultByName(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			expectFaultCaught(t, spec, path, f)
		})
	}
}

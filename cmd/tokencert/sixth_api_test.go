package main

import (
	"os"
	"path/filepath"
	"testing"
)

// A sixth token API that differs from the built-in ones only in data: its
// own path, parameter and member names, form encoding with the client
// credentials in the body under other names, and a nested error object of
// its own codes. It needs no Go change: the spec file and its schemas are
// written to a temporary folder, and `tokencert run --spec FILE` certifies
// the embedded reference server configured from that same file.
const sixthSpec = `
name: parcelhub
title: ParcelHub "Issue access token" (invented for a test)
summary: "POST /api/v2/auth/issue with a form body (flow, appId, appSecret, permissions); accessToken, tokenType, ttl; errors as a fault object (code, message, httpStatus, path)."
document: {title: ParcelHub API (invented), file: parcelhub.md}
request:
  method: POST
  path: /api/v2/auth/issue
  encoding: form
  client_auth: [body]
  params: {grant_type: flow, client_id: appId, client_secret: appSecret, scope: permissions}
grants:
  - type: client_credentials
response:
  schema: parcelhub/token.json
  members: {access_token: accessToken, token_type: tokenType, expires_in: ttl}
  token_type: Bearer
  expires_in: number
errors:
  schema: parcelhub/error.json
  media_type: application/json
  template: {"fault": {"faultCode": "$code", "message": "$description", "httpStatus": "$status", "path": "$path"}}
  vocabulary: [CLIENT_REJECTED, FLOW_UNKNOWN, FLOW_MISSING, BAD_REQUEST, PERMISSION_UNKNOWN]
  conditions:
    bad_client_body: {codes: [CLIENT_REJECTED], statuses: [401]}
    no_client_auth: {codes: [CLIENT_REJECTED], statuses: [401]}
    unsupported_grant_type: {codes: [FLOW_UNKNOWN], statuses: [400]}
    missing_grant_type: {codes: [FLOW_MISSING], statuses: [400]}
    repeated_parameter: {codes: [BAD_REQUEST], statuses: [400]}
    malformed_body: {codes: [BAD_REQUEST], statuses: [400]}
    invalid_scope: {codes: [PERMISSION_UNKNOWN], statuses: [400]}
    wrong_method: {codes: [], statuses: [405]}
requirements:
  - {id: RFC6749-5.1-STATUS-200, cite: "ParcelHub §2"}
  - {id: RFC6749-5.1-JSON-MEDIA-TYPE, cite: "ParcelHub §2"}
  - {id: RFC6749-5.1-ACCESS-TOKEN, cite: "ParcelHub §2 (accessToken)"}
  - {id: RFC6749-5.1-TOKEN-TYPE, cite: "ParcelHub §2 (tokenType)"}
  - {id: RFC6749-5.1-JSON-TYPES, cite: "ParcelHub §2 (ttl)"}
  - {id: RFC6749-5.1-CACHE-CONTROL-NO-STORE, cite: "ParcelHub §2"}
  - {id: RFC6749-2.3.1-BODY-CREDENTIALS, level: MUST, cite: "ParcelHub §1 (appId, appSecret)", why: "The only documented client authentication."}
  - {id: RFC6749-4.4.3-CC-NO-REFRESH, cite: "ParcelHub §2"}
  - {id: RFC6749-5.2-INVALID-CLIENT-BODY, cite: "ParcelHub §3 (CLIENT_REJECTED)"}
  - {id: RFC6749-3.2.1-AUTH-REQUIRED, cite: "ParcelHub §3 (CLIENT_REJECTED)"}
  - {id: RFC6749-5.2-UNSUPPORTED-GRANT, cite: "ParcelHub §3 (FLOW_UNKNOWN)"}
  - {id: RFC6749-5.2-MISSING-GRANT-TYPE, cite: "ParcelHub §3 (FLOW_MISSING)"}
  - {id: RFC6749-3.2-NO-REPEATED-PARAMS, cite: "ParcelHub §3 (BAD_REQUEST)"}
  - {id: RFC6749-5.2-INVALID-SCOPE, check: error/invalid_scope, cite: "ParcelHub §3 (PERMISSION_UNKNOWN)"}
  - {id: RFC6749-5.2-STATUS-400, cite: "ParcelHub §3 (BAD_REQUEST)"}
  - {id: RFC6749-5.2-ERROR-MEMBER, cite: "ParcelHub §3 (the fault object)"}
  - {id: RFC6749-5.2-ERROR-CODE-VOCAB, cite: "ParcelHub §3 (the code table)"}
  - {id: RFC6749-3.2-POST-ONLY, cite: "ParcelHub §1"}
  - {id: RFC6749-7-EXPIRED-REJECTED-AT-RS, cite: "ParcelHub §4 (ttl)"}
decisions:
  - {point: "Invented for a test.", reading: "Everything above.", why: "To show a sixth API needs data only."}
refserver:
  lifetime: 2s
  scopes: [parcels.read, parcels.write]
`

const sixthTokenSchema = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "ParcelHub token response",
  "x-requirement": "RFC6749-5.1-JSON-MEDIA-TYPE",
  "type": "object",
  "required": ["accessToken", "tokenType", "ttl"],
  "x-required-by": {"accessToken": "RFC6749-5.1-ACCESS-TOKEN", "tokenType": "RFC6749-5.1-TOKEN-TYPE", "ttl": "RFC6749-5.1-JSON-TYPES"},
  "properties": {
    "accessToken": {"description": "ParcelHub §2", "x-requirement": "RFC6749-5.1-ACCESS-TOKEN", "type": "string", "pattern": "^[\\x20-\\x7E]+$"},
    "tokenType": {"description": "ParcelHub §2", "x-requirement": "RFC6749-5.1-TOKEN-TYPE", "type": "string", "pattern": "^[Bb][Ee][Aa][Rr][Ee][Rr]$"},
    "ttl": {"description": "ParcelHub §2", "x-requirement": "RFC6749-5.1-JSON-TYPES", "type": "integer", "minimum": 0}
  }
}`

const sixthErrorSchema = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "ParcelHub error",
  "x-requirement": "RFC6749-5.2-ERROR-MEMBER",
  "type": "object",
  "required": ["fault"],
  "x-required-by": {"fault": "RFC6749-5.2-ERROR-MEMBER"},
  "properties": {
    "fault": {
      "description": "ParcelHub §3", "x-requirement": "RFC6749-5.2-ERROR-MEMBER",
      "type": "object", "required": ["faultCode", "message", "httpStatus", "path"],
      "properties": {"faultCode": {"type": "string"}, "message": {"type": "string"}, "httpStatus": {"type": "integer"}, "path": {"type": "string"}}
    }
  }
}`

// writeSpecFiles writes a spec file and its schemas (by path relative to
// a temporary folder) and returns the path of the first, the spec.
func writeSpecFiles(t *testing.T, spec string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, spec)
}

// writeSixthSpec writes the spec and its schemas into a temporary folder
// and returns the spec file's path.
func writeSixthSpec(t *testing.T) string {
	return writeSpecFiles(t, "parcelhub.yaml", map[string]string{
		"parcelhub.yaml":       sixthSpec,
		"parcelhub/token.json": sixthTokenSchema,
		"parcelhub/error.json": sixthErrorSchema,
	})
}

// TestSixthAPINeedsNoGoChange: the spec file certifies the reference server
// speaking it (exit 0, every check passed), and each fault that breaks one
// of its requirements makes that requirement's check fail, with the exit
// code of its level.
func TestSixthAPINeedsNoGoChange(t *testing.T) {
	t.Parallel()
	certifiesAndCatches(t, writeSixthSpec(t))
}

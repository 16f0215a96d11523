package reports

import (
	"github.com/tokencert/tokencert/result"
	"time"
)

var t0 = time.Date(2026, 3, 14, 9, 26, 53, 0, time.FixedZone("CET", 3600))

// sampleRun is a run with every verdict, several levels, a duplicate name,
// IDs that sort differently as text and as numbers, markup in evidence and
// invalid XML characters; its checks are out of order on purpose.
func sampleRun() *result.Run {
	tokenReq := result.Message{
		Method: "POST", URL: "http://127.0.0.1:8080/token",
		Header: map[string][]string{
			"Authorization": {"Basic [credentials#0badc0de]"},
			"Content-Type":  {"application/x-www-form-urlencoded"},
		},
		Body: "grant_type=client_credentials&scope=read",
	}
	ok := result.Exchange{
		Label: "client_credentials grant", Started: t0.Add(time.Second), Duration: 12 * time.Millisecond,
		Request: tokenReq,
		Response: &result.Message{Status: 200, Header: map[string][]string{
			"Content-Type": {"application/json"}, "Cache-Control": {"no-store"},
		}, Body: `{"access_token":"[access_token#1a2b3c4d]","token_type":"Bearer","expires_in":3600}`},
	}
	bad := result.Exchange{
		Label: "client_credentials grant", Started: t0.Add(2 * time.Second), Duration: 9 * time.Millisecond,
		Request: tokenReq,
		Response: &result.Message{Status: 200, Header: map[string][]string{"Content-Type": {"text/html"}},
			Body: "<script>alert('x')</script>\x00\x1b[31m not JSON", Truncated: true},
	}
	timeout := result.Exchange{
		Label: "refresh", Started: t0.Add(3 * time.Second), Duration: 10 * time.Second,
		Request: result.Message{Method: "POST", URL: "http://127.0.0.1:8080/token", Body: "grant_type=refresh_token&refresh_token=[refresh_token#5e6f7a8b]"},
		Err:     "context deadline exceeded",
	}
	return &result.Run{
		Tool: "tokencert 0.1.0",
		Spec: result.Spec{
			Name: "rfc6749", Title: "RFC 6749 token endpoint", Document: "RFC 6749: The OAuth 2.0 Authorization Framework",
			File: "rfc6749.txt", Source: "built-in", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			Decisions: []result.Decision{{Point: "expires_in as a string", Reading: "rejected", Why: "§5.1 and App. A.14 say number"}},
		},
		Schemas: map[string]string{
			"rfc6749/token-response.json": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			"rfc6749/error-response.json": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		},
		Endpoint: "http://127.0.0.1:8080/token",
		Started:  t0, Finished: t0.Add(42*time.Second + 123*time.Millisecond),
		Verdict: result.RunFail, ExitCode: 1,
		Message:  "4 passed, 2 failed, 1 skipped, 1 errors; 2 MUST-level failures",
		Requests: 17,
		Checks: []result.Check{
			{Name: "RFC6749-5.1-TOKEN-TYPE token_type is present and registered", ID: "RFC6749-5.1-TOKEN-TYPE", Level: "MUST",
				Cite: "RFC 6749 §5.1, §7.1", Requirement: "`token_type` is present.", Concern: "fields", Title: "token_type is present and registered",
				Verdict: result.Fail, Message: "token_type is missing\nbody: <script>alert('x')</script>", Duration: 15 * time.Millisecond,
				Notes: []string{"the response was HTML"}, Evidence: []result.Exchange{bad}},
			{Name: "RFC6749-10.4-REFRESH-ROTATION refresh tokens rotate", ID: "RFC6749-10.4-REFRESH-ROTATION", Level: "SHOULD",
				Cite: "RFC 6749 §10.4", Requirement: "Refresh tokens are rotated.", Concern: "refresh", Title: "refresh tokens rotate",
				Verdict: result.Skip, Message: "not selected by --label-filter MUST"},
			{Name: "RFC6749-5.1-STATUS-200 a valid request gets 200", ID: "RFC6749-5.1-STATUS-200", Level: "MUST",
				Cite: "RFC 6749 §5.1", Requirement: "A valid request is answered with HTTP 200.", Concern: "fields", Title: "a valid request gets 200",
				Verdict: result.Pass, Duration: 12 * time.Millisecond, Evidence: []result.Exchange{ok}},
			{Name: "RFC6749-5.2-ERROR-CODE [invalid_client] error code", ID: "RFC6749-5.2-ERROR-CODE", Level: "MUST",
				Cite: "RFC 6749 §5.2", Requirement: "The error code is one of the registered ones.", Concern: "errors", Variant: "invalid_client", Title: "error code",
				Verdict: result.Pass, Duration: 3 * time.Millisecond},
			{Name: "RFC6749-5.2-ERROR-CODE [invalid_client] error code", ID: "RFC6749-5.2-ERROR-CODE", Level: "MUST",
				Cite: "RFC 6749 §5.2", Requirement: "The error code is one of the registered ones.", Concern: "errors", Variant: "invalid_client", Title: "error code",
				Verdict: result.Pass, Duration: 4 * time.Millisecond},
			{Name: "OAUTH21-JSON-NO-NULL no null members", ID: "OAUTH21-JSON-NO-NULL", Level: "SHOULD",
				Cite: "OAuth 2.1 JSON Serialization", Requirement: "Absent parameters are left out.", Concern: "fields", Title: "no null members",
				Verdict: result.Fail, Message: "scope is null | should be absent", Why: "a SHOULD in OAuth 2.1"},
			{Name: "RFC6749-3.2-NO-DUP-RESPONSE-PARAM no duplicate members", ID: "RFC6749-3.2-NO-DUP-RESPONSE-PARAM", Level: "MUST NOT",
				Cite: "RFC 6749 §3.2", Requirement: "No parameter occurs twice.", Concern: "fields", Title: "no duplicate members",
				Verdict: result.Pass},
			{Name: "RFC6749-6-REFRESH-WORKS a refresh token can be used", ID: "RFC6749-6-REFRESH-WORKS", Level: "MUST",
				Cite: "RFC 6749 §6", Requirement: "A refresh token can be used.", Concern: "refresh", Title: "a refresh token can be used",
				Verdict: result.Error, Message: "the check timed out: refresh\nafter 10s", Duration: 10 * time.Second, Evidence: []result.Exchange{timeout}},
		},
	}
}

// sortedNames are sampleRun's check names in report order.
var sortedNames = []string{
	"OAUTH21-JSON-NO-NULL no null members",
	"RFC6749-3.2-NO-DUP-RESPONSE-PARAM no duplicate members",
	"RFC6749-5.1-STATUS-200 a valid request gets 200",
	"RFC6749-5.1-TOKEN-TYPE token_type is present and registered",
	"RFC6749-5.2-ERROR-CODE [invalid_client] error code",
	"RFC6749-5.2-ERROR-CODE [invalid_client] error code #2",
	"RFC6749-6-REFRESH-WORKS a refresh token can be used",
	"RFC6749-10.4-REFRESH-ROTATION refresh tokens rotate",
}

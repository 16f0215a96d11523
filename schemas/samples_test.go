package schemas

import (
	"encoding/json"
	"strings"
	"testing"
)

func decode(t *testing.T, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// The documents' own sample bodies pass their schemas (a schema that fails
// the document's sample would fail every server that follows it), and the
// variants the specs' decisions accept pass too; the variants they refuse
// fail, each against the requirement that refuses it.
func TestDocumentSamples(t *testing.T) {
	const sandboxSample = `{
    "access_token": "_OKlRyxchDiJgKXaOoz6gHMLNjmGGZHr27kyDG6NgbMlnOUJqatgglDePpDCCzRxr1Mj0jtked0pTJDhuJOt1cWeGrigebwvXacwYPJBc2_QxEsgsJX2WMGOvY7TGarhwflE7oDO_0OPU5QrywLZMuBlTGCGOLhwnGYZ9Mb-_EwCxKRl5dAdSd5_1GUeKEa8OpMs7Rm9JuyOfyVmlQWYzebeaPdVC_t4RR9ie8zrcHUEy7n9aHxkh4OXc7DFg4HjaBHAdWFySg0ZCWaCEwVCZggNJSN2XTrMbiWxkp9sMGIKdsMC7JLWk8J94idHfvm0JvjpZ2PtwH-L1aRzwsxqz4u95dp5Zoe9j3YSvqVOhEOEVXHueynpdUnLEvXMJ7Kg-WiwTh4UP7p8z2K1bdsCKaZdIHIjmSbsXmd0NDK-CzusBgpFpFEO5VWa0-2OOuk0KNM_35kxOzHzR9DMsl-lmRB9hFBRjjbHIB_OUeQN_SgJdELCLsqaZSRruHAAREwK7CLv3kwgQY5LTHdh4sxqKcUj8mS4YDOg-zlni5pig24",
    "token_type": "bearer",
    "expires_in": 1209599,
    "userName": "user@example.com",
    "userId": "614a1d03-873d-489e-9ab5-fb53b0a0c64f",
    "role": "Administrator",
    ".issued": "Sun, 13 Sep 2020 09:35:33 GMT",
    ".expires": "Sun, 27 Sep 2020 09:35:33 GMT"
}`
	const dotSample = `{
    "access_token": "Df0Z0r74hxZmO47mo9QnRrncVJIGU6",
    "expires_in": 3600,
    "refresh_token": "Y23rwVNSRtLjhy2nIwslJdo3FbAS6d",
    "scope": "read write groups",
    "token_type": "Bearer"
}`
	const dotFailure = `{"error": "invalid_grant", "error_description": "Invalid credentials given."}`
	cases := []struct {
		schema, body string
		// change replaces one string of the sample.
		from, to string
		// want is the requirement the body breaks, "" when it passes.
		want string
	}{
		{"sandbox/token-response.json", sandboxSample, "", "", ""},
		{"sandbox/token-response.json", sandboxSample, `"bearer"`, `"Bearer"`, ""},
		{"sandbox/token-response.json", sandboxSample, `614a1d03-873d-489e-9ab5-fb53b0a0c64f`, `614A1D03-873D-489E-9AB5-FB53B0A0C64F`, ""},
		{"sandbox/token-response.json", sandboxSample, `614a1d03-873d-489e-9ab5-fb53b0a0c64f`, `{614a1d03-873d-489e-9ab5-fb53b0a0c64f}`, "SANDBOX-USERID-UUID"},
		{"sandbox/token-response.json", sandboxSample, `Sun, 27 Sep 2020 09:35:33 GMT`, `Sun, 27 Sep 2020 09:35:33 +0000`, "SANDBOX-DATES-RFC1123"},
		{"sandbox/token-response.json", sandboxSample, `Sun, 13 Sep 2020 09:35:33 GMT`, `2020-09-13T09:35:33Z`, "SANDBOX-DATES-RFC1123"},
		{"sandbox/token-response.json", sandboxSample, `"role"`, `"roles"`, "SANDBOX-RESPONSE-MEMBERS"},
		{"sandbox/token-response.json", sandboxSample, `1209599`, `"1209599"`, "RFC6749-5.1-JSON-TYPES"},
		{"dot/token-response.json", dotSample, "", "", ""},
		{"dot/token-response.json", dotSample, `3600`, `"3600"`, ""},
		{"dot/token-response.json", dotSample, `3600`, `"1h0m0s"`, "DOT-EXPIRES-IN-NUMERIC"},
		{"dot/token-response.json", dotSample, `3600`, `3600.5`, "DOT-EXPIRES-IN-NUMERIC"},
		{"dot/token-response.json", dotSample, `read write groups`, `read,write,groups`, "DOT-SCOPE-SPACE-SEPARATED"},
		{"dot/token-response.json", dotSample, `"scope"`, `"scopes"`, "DOT-RESPONSE-MEMBERS"},
		{"dot/token-response.json", dotSample, `"refresh_token"`, `"refresh"`, "DOT-REFRESH-TOKEN-ISSUED"},
		{"dot/error-response.json", dotFailure, "", "", ""},
		{"sandbox/error-response.json", dotFailure, "", "", ""},
	}
	for _, c := range cases {
		s, err := Load(c.schema, "")
		if err != nil {
			t.Fatal(err)
		}
		body := c.body
		if c.from != "" {
			if !strings.Contains(body, c.from) {
				t.Fatalf("%s: the sample has no %s", c.schema, c.from)
			}
			body = strings.Replace(body, c.from, c.to, 1)
		}
		vs := s.Validate(decode(t, body))
		var got []string
		for _, v := range vs {
			got = append(got, v.Requirement+" ("+v.Field+": "+v.Message+")")
		}
		switch {
		case c.want == "" && len(vs) > 0:
			t.Errorf("%s, %s → %s: want valid, got %s", c.schema, c.from, c.to, strings.Join(got, "; "))
		case c.want != "" && (len(vs) == 0 || !allAttributedTo(vs, c.want)):
			t.Errorf("%s, %s → %s: want a violation of %s only, got %v", c.schema, c.from, c.to, c.want, got)
		}
	}
}

func allAttributedTo(vs []Violation, id string) bool {
	for _, v := range vs {
		if v.Requirement != id {
			return false
		}
	}
	return true
}

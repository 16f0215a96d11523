package wire

import (
	"encoding/json"
	"github.com/tokencert/tokencert/result"
	"slices"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/redact"
)

// FuzzResponseParsers feeds arbitrary bodies to what checks read responses
// with: JSON, Object, String, DuplicateKeys and the partial token scan. None
// may panic; JSON accepts exactly the bodies encoding/json calls valid; a
// token that parses is redacted from the evidence. Seeds:
// testdata/fuzz/FuzzResponseParsers.
func FuzzResponseParsers(f *testing.F) {
	for _, s := range []string{`{"access_token":"abc","token_type":"Bearer","expires_in":3600}`, `{"a":1,"a":2}`, `[1,2]`, `<html>`, `{"access_token":`, ``, `null`, `{"x":{"access_token":"y"}}`} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, body []byte, truncated bool) {
		ex := &Exchange{Exchange: result.Exchange{Response: &result.Message{Status: 200}}, body: body, truncated: truncated, maxBody: int64(len(body)), status: 200}
		v, err := ex.JSON()
		trimmedValid := json.Valid(body)
		if !truncated && (err == nil) != trimmedValid {
			t.Errorf("JSON error %v, but json.Valid says %v", err, trimmedValid)
		}
		if err != nil && v != nil {
			t.Errorf("JSON returned a value with an error")
		}
		m, oerr := ex.Object()
		if oerr == nil && m == nil {
			t.Errorf("Object returned nil without an error")
		}
		_ = ex.String("access_token")
		for _, k := range DuplicateKeys(body) {
			if !strings.Contains(string(body), k) && !slices.Contains(jsonStrings(body), k) {
				t.Errorf("duplicate key %q is not in the body", k)
			}
		}
		r := redact.New()
		c := &Client{Redactor: r, TokenMembers: []string{"access_token", "refresh_token"}}
		c.registerTokens(ex)
		if m != nil {
			// A weak token (redact.Weak) is replaced where it stands as the
			// access_token member's value, a strong one wherever it is.
			at, ok := m["access_token"].(string)
			redacted := r.String(string(body))
			switch {
			case !ok || len(at) < 4:
			case redact.Weak(at):
				if member := `"access_token":"` + at + `"`; strings.Contains(string(body), member) && strings.Contains(redacted, member) {
					t.Errorf("access token %q not redacted as the access_token member", at)
				}
			case strings.Contains(redacted, at) && !strings.Contains(r.String(at), "[access_token#"):
				t.Errorf("access token %q not redacted", at)
			}
		}
		_ = ex.Summary()
	})
}

// jsonStrings returns the strings of body as a JSON decoder reads them, up
// to the first syntax error: a key written with escapes, or with bytes that
// are not UTF-8 (each read as U+FFFD), is not in the body verbatim.
func jsonStrings(body []byte) []string {
	var out []string
	dec := json.NewDecoder(strings.NewReader(string(body)))
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		if s, ok := tok.(string); ok {
			out = append(out, s)
		}
	}
}

package wire

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/redact"
)

// TestResponseMemberNamedCodeIsNoSecret: an error body's "code" member
// shares its name with the authorization-code parameter but is no secret;
// only token members of a response are.
func TestResponseMemberNamedCodeIsNoSecret(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"code":"bad_request_body","access_token":"tok-abcdef-123456"}`))
	}))
	defer ts.Close()
	r := redact.New()
	c := New(r, Options{})
	c.TokenMembers = []string{"access_token"}
	ex := c.Do(context.Background(), Request{Label: "x", Method: "POST", URL: ts.URL})
	if !strings.Contains(ex.Response.Body, "bad_request_body") {
		t.Errorf("the error code was redacted: %s", ex.Response.Body)
	}
	if strings.Contains(ex.Response.Body, "tok-abcdef-123456") {
		t.Errorf("the token was not redacted: %s", ex.Response.Body)
	}
	for _, s := range r.Secrets() {
		if s == "bad_request_body" {
			t.Errorf("the error code was registered as a secret")
		}
	}
}

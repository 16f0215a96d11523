package refserver

import (
	"net/http"
	"testing"

	"github.com/tokencert/tokencert/specs"
)

// A spec's statements about one grant: the parameters it alone requires,
// the client authentication it alone takes, and whether it issues a
// refresh token, the reference server models each (Okta's scope for the
// password grant only, Salesforce's password grant without a refresh
// token, Box's subject parameters with client_credentials only).
func TestPerGrantStatements(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t, "rfc6749")
	for i := range spec.Grants {
		switch g := &spec.Grants[i]; g.Type {
		case "client_credentials":
			g.Required, g.ClientAuth = []string{"box_subject_type"}, []string{"body"}
		case "password":
			g.Required, g.RefreshToken = []string{"scope"}, specs.RefreshNever
		}
	}
	spec.Refserver.Params = map[string]string{"box_subject_type": "enterprise"}
	h := start(t, Options{Spec: spec})
	c := testCreds

	// client_credentials: its own parameter, and body credentials only.
	wantError(t, h.token(ccForm(), inBody(c.ClientID, c.ClientSecret)), http.StatusBadRequest, "invalid_request")
	cc := withValue(ccForm(), "box_subject_type", "enterprise")
	if tok := mustToken(t, h.token(cc, inBody(c.ClientID, c.ClientSecret))); tok["refresh_token"] != nil {
		t.Errorf("client_credentials issued a refresh token: %v", tok)
	}
	wantError(t, h.token(cc, basic(c.ClientID, c.ClientSecret)), http.StatusUnauthorized, "invalid_client")

	// password: scope is required for it alone, and it issues no refresh
	// token; Basic works for it (the spec's request.client_auth).
	wantError(t, h.token(withValue(passwordForm(), "scope", ""), basic(c.ClientID, c.ClientSecret)), http.StatusBadRequest, "invalid_request")
	tok := mustToken(t, h.token(withValue(passwordForm(), "scope", "read"), basic(c.ClientID, c.ClientSecret)))
	if tok["refresh_token"] != nil {
		t.Errorf("the password grant issued a refresh token although its statement says never: %v", tok)
	}
}

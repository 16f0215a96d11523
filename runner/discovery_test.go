package runner

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/target"
)

// TestDiscoveryFallsBackAndChecksIssuer: the OpenID configuration is read
// when the RFC 8414 document is missing; a document naming another issuer
// is not used, and without an endpoint that is a target error; a server
// that never answers costs bounded time.
func TestDiscoveryFallsBackAndChecksIssuer(t *testing.T) {
	var issuer string
	claimed := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			iss := issuer
			if claimed != "" {
				iss = claimed
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"issuer":"` + iss + `","token_endpoint":"` + issuer + `/oauth/token","revocation_endpoint":"` + issuer + `/oauth/revoke"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	issuer = srv.URL
	tr := &transport{timeout: 2 * time.Second, allowHTTP: true}

	tf := target.Target{Issuer: issuer}
	d, err := discover(&tf, tr, redact.New())
	if err != nil {
		t.Fatal(err)
	}
	if tf.Endpoint != issuer+"/oauth/token" || tf.Revocation != issuer+"/oauth/revoke" || !strings.HasSuffix(d.URL, "/.well-known/openid-configuration") {
		t.Errorf("not filled from the OpenID configuration: %+v, %+v", tf, d)
	}

	claimed = "https://elsewhere.example"
	tf = target.Target{Issuer: issuer}
	if _, err := discover(&tf, tr, redact.New()); err == nil || !strings.Contains(err.Error(), "RFC 8414 §3.3") {
		t.Errorf("a document of another issuer: error %v", err)
	}
	tf = target.Target{Issuer: issuer, Endpoint: issuer + "/token"}
	d, err = discover(&tf, tr, redact.New())
	if err != nil || d.URL != "" || d.Problem == "" || tf.Revocation != "" {
		t.Errorf("with an explicit endpoint, unusable metadata is a note: %v, %+v, %+v", err, d, tf)
	}

	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(hang)
	tf = target.Target{Issuer: slow.URL}
	if _, err := discover(&tf, &transport{timeout: 100 * time.Millisecond, allowHTTP: true}, redact.New()); err == nil || !strings.Contains(err.Error(), "no usable metadata") {
		t.Errorf("a metadata endpoint that never answers: error %v", err)
	}
}

package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tokencert/tokencert/refserver"
)

// assertionRecorder remembers every client assertion a run sends.
type assertionRecorder struct {
	next       http.Handler
	mu         sync.Mutex
	assertions map[string]bool
}

func (a *assertionRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if q, err := url.ParseQuery(string(body)); err == nil {
		a.mu.Lock()
		for _, v := range q["client_assertion"] {
			a.assertions[v] = true
		}
		a.mu.Unlock()
	}
	a.next.ServeHTTP(w, r)
}

// TestNoAssertionSecretInAnyOutput certifies the rfc7523 reference server
// with a private key in a file and a secret long enough for HS256, with a
// fault so that failures and evidence are written, and looks for the key
// (whole, by line, and its JWK private members), the client secret and
// every client assertion sent in every output.
func TestNoAssertionSecretInAnyOutput(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{"", "assertion-aud-unchecked"} {
		t.Run("fault="+fault, func(t *testing.T) {
			t.Parallel()
			creds := &refserver.Credentials{ClientID: "client-one", ClientSecret: "S3cr3t+Client/Secret=1-long-enough-for-hs256"}
			srv := faultyRefserver(t, "rfc7523", creds, fault)
			rec := &assertionRecorder{next: srv.Handler(), assertions: map[string]bool{}}
			ts := httptest.NewServer(rec)
			defer ts.Close()
			key := string(srv.Target().AssertionKeyData)
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "client.pem"), []byte(key), 0o600); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "target.yaml")
			yaml := "spec: rfc7523\nendpoint: " + ts.URL + "/token\nclient_id: client-one\nclient_secret: ${T_SECRET}\n" +
				"client_auth: [private_key_jwt, client_secret_jwt]\nassertion_key: client.pem\nassertion_kid: k1\nscope: read write\n"
			if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			r := tokencert(t, []string{"T_SECRET=" + creds.ClientSecret}, "run", "--target", file)
			if len(r.cases()) == 0 {
				t.Fatalf("no report written (exit %d)\n%s\n%s", r.exit, r.stdout, r.stderr)
			}
			if fault == "" && r.exit != 0 {
				t.Fatalf("exit %d against the conformant server\n%s", r.exit, failures(r))
			}
			secrets := map[string]string{"client secret": creds.ClientSecret, "private key": key}
			for i, line := range strings.Split(key, "\n") {
				if len(line) > 16 && !strings.HasPrefix(line, "-----") {
					secrets[fmt.Sprintf("private key line %d", i)] = line
				}
			}
			rec.mu.Lock()
			for a := range rec.assertions {
				secrets[fmt.Sprintf("assertion #%d", len(secrets))] = a
				// The signature alone, too (alg none has none).
				if sig := a[strings.LastIndex(a, ".")+1:]; sig != "" {
					secrets[fmt.Sprintf("assertion signature #%d", len(secrets))] = sig
				}
			}
			n := len(rec.assertions)
			rec.mu.Unlock()
			if n < 10 {
				t.Fatalf("only %d client assertions were sent; the run did not exercise the server", n)
			}
			expectNoSecrets(t, r, secrets)
		})
	}
}

package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tokencert/tokencert/refserver"
)

// proofRecorder remembers every DPoP proof and access token a run presents.
type proofRecorder struct {
	next   http.Handler
	mu     sync.Mutex
	proofs map[string]bool
	tokens map[string]bool
}

func (p *proofRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	for _, v := range r.Header.Values("DPoP") {
		p.proofs[v] = true
	}
	if _, tok, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && r.URL.Path == "/resource" {
		p.tokens[tok] = true
	}
	p.mu.Unlock()
	p.next.ServeHTTP(w, r)
}

// TestNoDPoPSecretInAnyOutput certifies the rfc9449 reference server,
// conformant and with a fault (so that failures and evidence are written),
// and looks for every DPoP proof sent (whole, and its signature), the
// private key a probe put in a proof's jwk, and every access token
// presented, in every output.
func TestNoDPoPSecretInAnyOutput(t *testing.T) {
	t.Parallel()
	for _, fault := range []string{"", "dpop-private-key-accepted"} {
		t.Run("fault="+fault, func(t *testing.T) {
			t.Parallel()
			creds := &refserver.Credentials{ClientID: "client-one", ClientSecret: "S3cr3t+Client/Secret=1"}
			srv := faultyRefserver(t, "rfc9449", creds, fault)
			rec := &proofRecorder{next: srv.Handler(), proofs: map[string]bool{}, tokens: map[string]bool{}}
			ts := httptest.NewServer(rec)
			defer ts.Close()
			tg := srv.Target()
			file := filepath.Join(t.TempDir(), "target.yaml")
			yaml := "spec: rfc9449\nendpoint: " + ts.URL + "/token\nclient_id: client-one\nclient_secret: ${T_SECRET}\n" +
				"username: " + tg.Username + "\npassword: " + tg.Password + "\npublic_client_id: " + tg.PublicClientID + "\n" +
				"other_client_id: " + tg.OtherClientID + "\nother_client_secret: " + tg.OtherClientSecret + "\n" +
				"resource: " + ts.URL + "/resource\nscope: read write\nmax_rps: 1000\n"
			if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			r := tokencert(t, []string{"T_SECRET=" + creds.ClientSecret}, "run", "--target", file, "--label-filter", "!expiry")
			if len(r.cases()) == 0 {
				t.Fatalf("no report written (exit %d)\n%s\n%s", r.exit, r.stdout, r.stderr)
			}
			if fault == "" && r.exit != 0 {
				t.Fatalf("exit %d against the conformant server\n%s", r.exit, failures(r))
			}
			secrets := map[string]string{"client secret": creds.ClientSecret}
			rec.mu.Lock()
			for p := range rec.proofs {
				secrets[fmt.Sprintf("DPoP proof #%d", len(secrets))] = p
				secrets[fmt.Sprintf("DPoP proof signature #%d", len(secrets))] = p[strings.LastIndex(p, ".")+1:]
				if d := privateJWK(p); d != "" {
					secrets[fmt.Sprintf("private key in a proof #%d", len(secrets))] = d
				}
			}
			for tok := range rec.tokens {
				secrets[fmt.Sprintf("access token #%d", len(secrets))] = tok
			}
			n, nt := len(rec.proofs), len(rec.tokens)
			rec.mu.Unlock()
			if n < 10 || nt == 0 {
				t.Fatalf("only %d DPoP proofs and %d presented tokens; the run did not exercise the server", n, nt)
			}
			if !hasPrivateJWK(secrets) {
				t.Fatal("no proof carried a private key: the private-key probe did not run")
			}
			expectNoSecrets(t, r, secrets)
		})
	}
}

// privateJWK is the d of a proof's jwk, or "".
func privateJWK(proof string) string {
	h, _, _ := strings.Cut(proof, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return ""
	}
	var hdr struct {
		JWK map[string]string `json:"jwk"`
	}
	_ = json.Unmarshal(b, &hdr)
	return hdr.JWK["d"]
}

func hasPrivateJWK(secrets map[string]string) bool {
	for k := range secrets {
		if strings.HasPrefix(k, "private key in a proof") {
			return true
		}
	}
	return false
}

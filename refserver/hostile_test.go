package refserver

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bounded is a client that gives up after d and follows no redirect.
func bounded(d time.Duration) *http.Client {
	return &http.Client{Timeout: d, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// post sends a client_credentials request with c and returns the response
// (body unread) or the error.
func (h *harness) post(c *http.Client) (*http.Response, error) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.base+h.spec.Request.Path, strings.NewReader(ccForm().Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
	return c.Do(req)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func init() {
	faultCases[FaultHang.Name] = func(t *testing.T, h *harness) {
		if resp, err := h.post(bounded(300 * time.Millisecond)); !isTimeout(err) {
			t.Errorf("want a timeout, got %v %v", resp, err)
		}
		if r := h.resource(""); r.status != http.StatusUnauthorized {
			t.Errorf("the resource hangs too: %d", r.status)
		}
	}
	faultCases[FaultSlow.Name] = func(t *testing.T, h *harness) {
		resp, err := h.post(bounded(1200 * time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !isTimeout(err) || !strings.HasPrefix(string(b), `{"access_token": `) {
			t.Errorf("status %d, body %q, error %v; want the start of a body, then a timeout", resp.StatusCode, b, err)
		}
	}
	faultCases[FaultReset.Name] = func(t *testing.T, h *harness) {
		_, err := h.post(bounded(5 * time.Second))
		if err == nil || !(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)) {
			t.Errorf("want a reset connection, got %v", err)
		}
	}
	faultCases[FaultRedirect.Name] = func(t *testing.T, h *harness) {
		resp, err := h.post(bounded(5 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != "/moved/token" {
			t.Errorf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	faultCases[FaultHugeBody.Name] = func(t *testing.T, h *harness) {
		resp, err := h.post(bounded(30 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		head := make([]byte, 1<<20)
		n, err := io.ReadFull(resp.Body, head)
		if err != nil || resp.ContentLength != hugeBodySize || !bytes.HasPrefix(head[:n], []byte(`{"access_token":"`)) {
			t.Errorf("Content-Length %d, %q…, %v", resp.ContentLength, head[:min(n, 40)], err)
		}
		if !bytes.Contains(head, []byte(`,"padding":"xxxx`)) {
			t.Errorf("no padding in the first MiB")
		}
	}
	faultCases[FaultGarbageJSON.Name] = func(t *testing.T, h *harness) {
		r := h.token(ccForm(), mainBasic)
		if r.status != 200 || json.Valid(r.body) || !bytes.HasPrefix(r.body, []byte(`{"access_token":"`)) || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%d %q %s", r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	faultCases[FaultHTMLError.Name] = func(t *testing.T, h *harness) {
		r := h.token(ccForm(), noAuth)
		if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !bytes.Contains(r.body, []byte("<h1>401 Unauthorized</h1>")) {
			t.Errorf("%d %q %s", r.status, r.header.Get("Content-Type"), r.body)
		}
		mustToken(t, h.token(ccForm(), mainBasic))
	}
	faultCases[FaultPlainHTTP.Name] = func(t *testing.T, h *harness) {
		cfg, _, _, err := SelfSigned()
		if err != nil {
			t.Fatal(err)
		}
		h2 := start(t, Options{TLS: cfg, Faults: []Fault{FaultPlainHTTP}})
		if !strings.HasPrefix(h2.base, "http://") {
			t.Errorf("URL %s, want http://", h2.base)
		}
		mustToken(t, h2.token(ccForm(), mainBasic))
	}
}

// TestTLS: with Options.TLS the server serves HTTPS with a certificate a
// client trusts through SelfSigned's pool.
func TestTLS(t *testing.T) {
	t.Parallel()
	cfg, pool, pemCert, err := SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pemCert, []byte("-----BEGIN CERTIFICATE-----")) {
		t.Errorf("PEM %q", pemCert)
	}
	h := start(t, Options{TLS: cfg})
	if !strings.HasPrefix(h.base, "https://127.0.0.1:") {
		t.Fatalf("URL %s", h.base)
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := h.post(c)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Errorf("status %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if _, err := h.post(bounded(10 * time.Second)); err == nil {
		t.Error("a client without the pool trusted the certificate")
	}
}

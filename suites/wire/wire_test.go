package wire

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokencert/tokencert/redact"
)

// get sends one request to url with a fresh client.
func get(t *testing.T, c *Client, url string) *Exchange {
	t.Helper()
	return c.Do(context.Background(), Request{Label: "probe", Method: http.MethodPost, URL: url, Role: "token endpoint",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte("grant_type=client_credentials")})
}

func serve(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// hang answers nothing until the client gives up. (The server notices a
// client hanging up only once the request body is read.)
func hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

func TestTimeoutNamesTheTimeout(t *testing.T) {
	t.Parallel()
	s := serve(t, hang)
	ex := get(t, New(redact.New(), Options{Timeout: 100 * time.Millisecond}), s.URL)
	if ex.OK() || ex.Err != "no response within 100ms" || !ex.Stalled() {
		t.Errorf("OK %v, Err %q, stalled %v", ex.OK(), ex.Err, ex.Stalled())
	}
	if !strings.Contains(ex.Summary(), "no response within 100ms") {
		t.Errorf("summary %q", ex.Summary())
	}
}

// After MaxStalls unanswered requests in a row, a host gets no more
// requests: a hanging endpoint costs Timeout × MaxStalls, not Timeout ×
// the number of checks. Other hosts are not affected, and the message is
// the same.
func TestStalledHostIsNotAskedAgain(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1); hang(w, r) })
	ok := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{}") })
	c := New(redact.New(), Options{Timeout: 100 * time.Millisecond, MaxStalls: 2})
	for i := 0; i < 2; i++ {
		if ex := get(t, c, s.URL); ex.Err != "no response within 100ms" {
			t.Fatalf("request %d: %q", i, ex.Err)
		}
	}
	for i := 0; i < 5; i++ {
		ex := get(t, c, s.URL)
		if !strings.HasPrefix(ex.Err, "no response within 100ms (not sent:") || !ex.Stalled() {
			t.Errorf("request after the stalls: %q", ex.Err)
		}
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("the hanging endpoint got %d requests, want 2", n)
	}
	if c.Count() != 2 {
		t.Errorf("Count %d, want 2 (requests not sent are not counted)", c.Count())
	}
	if ex := get(t, c, ok.URL); !ex.OK() {
		t.Errorf("another host: %s", ex.Summary())
	}
}

func TestAResponseResetsTheStallCount(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 1 {
			hang(w, r)
			return
		}
		fmt.Fprint(w, "{}")
	})
	c := New(redact.New(), Options{Timeout: 100 * time.Millisecond, MaxStalls: 2})
	for i := 0; i < 6; i++ {
		ex := get(t, c, s.URL)
		if strings.Contains(ex.Err, "not sent") {
			t.Fatalf("request %d not sent, though every other request is answered", i)
		}
	}
}

// slow sends the headers and a little of the body, then stalls.
func slow(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"access_token":`)
	w.(http.Flusher).Flush()
	<-r.Context().Done()
}

func TestSlowBodyIsNoResponse(t *testing.T) {
	t.Parallel()
	s := serve(t, slow)
	ex := get(t, New(redact.New(), Options{Timeout: 150 * time.Millisecond}), s.URL)
	if ex.OK() || ex.Status() != 0 || !ex.Stalled() {
		t.Errorf("OK %v, status %d, stalled %v", ex.OK(), ex.Status(), ex.Stalled())
	}
	want := "no complete response within 150ms: the body stopped after 16 bytes"
	if ex.Err != want || !strings.Contains(ex.Summary(), "→ 200, then "+want) {
		t.Errorf("Err %q\nsummary %q", ex.Err, ex.Summary())
	}
	if _, err := ex.JSON(); err == nil || err.Error() != want {
		t.Errorf("JSON: %v", err)
	}
}

// hugeBody streams n bytes of a JSON object whose token comes first,
// without holding them in memory.
func hugeBody(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		head := `{"access_token":"huge-body-secret-token-1234","padding":"`
		w.Header().Set("Content-Length", fmt.Sprint(n))
		_, _ = fmt.Fprint(w, head)
		chunk := []byte(strings.Repeat("x", 32<<10))
		for sent := len(head); sent < n-2; {
			c := chunk[:min(len(chunk), n-2-sent)]
			if _, err := w.Write(c); err != nil {
				return
			}
			sent += len(c)
		}
		_, _ = fmt.Fprint(w, `"}`)
	}
}

func TestHugeBodyIsCutAtTheCap(t *testing.T) {
	t.Parallel()
	s := serve(t, hugeBody(50<<20))
	c := New(redact.New(), Options{Timeout: 10 * time.Second})
	c.TokenMembers = []string{"access_token"}
	ex := get(t, c, s.URL)
	if !ex.OK() || ex.Status() != 200 || !ex.Truncated() || len(ex.Body()) != DefaultMaxBody {
		t.Fatalf("OK %v status %d truncated %v len %d", ex.OK(), ex.Status(), ex.Truncated(), len(ex.Body()))
	}
	if _, err := ex.JSON(); err == nil || err.Error() != "response body exceeds the 1 MiB cap" {
		t.Errorf("JSON: %v", err)
	}
	if sum := ex.Summary(); !strings.Contains(sum, "body exceeds the 1 MiB cap") || len(sum) > 400 {
		t.Errorf("summary %q", sum)
	}
	if len(ex.Response.Body) > maxEvidence+100 {
		t.Errorf("evidence keeps %d bytes", len(ex.Response.Body))
	}
	if strings.Contains(ex.Response.Body, "huge-body-secret-token") || strings.Contains(ex.Summary(), "huge-body-secret-token") {
		t.Errorf("the token in a truncated body was not redacted: %s", ex.Summary())
	}
}

// TestHugeBodyMemoryIsFlat reads a 50 MiB body and checks that the process
// allocated a small multiple of the cap, not of the body. Not parallel:
// the allocation counter is process-wide.
func TestHugeBodyMemoryIsFlat(t *testing.T) {
	s := serve(t, hugeBody(50<<20))
	c := New(redact.New(), Options{Timeout: 30 * time.Second})
	get(t, c, s.URL) // warm up the connection machinery
	alloc := allocated(func() { get(t, c, s.URL) })
	if alloc > 16<<20 {
		t.Errorf("reading a 50 MiB body allocated %d MiB; want it bounded by the 1 MiB cap", alloc>>20)
	}
}

func TestGarbageBecomesClearMessages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		h       http.HandlerFunc
		status  int
		jsonErr string
		summary string
	}{
		{"html error page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprint(w, "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>upstream down</body></html>")
		}, 502, "body is HTML or XML, not JSON", "→ 502 <html> <head><title>502 Bad Gateway</title>"},
		{"invalid json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"access_token": "abc", token_type: Bearer}`)
		}, 200, "body is not JSON: invalid character 't' looking for beginning of object key string", `→ 200 {"access_token": "abc", token_type: Bearer}`},
		{"cut-off json", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"access_token": "abc", "expires_in": `)
		}, 200, "body is not JSON: unexpected EOF", `"expires_in":`},
		{"empty body", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }, 500, "body is empty, not JSON", "→ 500"},
		{"5xx text", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "internal error", 503)
		}, 503, "body is not JSON: invalid character 'i' looking for beginning of value", "→ 503 internal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ex := get(t, New(redact.New(), Options{}), serve(t, tc.h).URL)
			if !ex.OK() || ex.Status() != tc.status {
				t.Fatalf("OK %v status %d: %s", ex.OK(), ex.Status(), ex.Summary())
			}
			if _, err := ex.JSON(); err == nil || err.Error() != tc.jsonErr {
				t.Errorf("JSON error %v, want %q", err, tc.jsonErr)
			}
			if !strings.Contains(ex.Summary(), tc.summary) {
				t.Errorf("summary %q lacks %q", ex.Summary(), tc.summary)
			}
		})
	}
}

// hijack runs f on the raw connection after reading the request.
func hijack(f func(c net.Conn, rw *bufio.ReadWriter)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		defer c.Close()
		f(c, rw)
	}
}

func TestBrokenConnections(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, want string
		h          http.HandlerFunc
	}{
		{"reset before answering", "the endpoint reset the connection before answering", hijack(func(c net.Conn, _ *bufio.ReadWriter) {
			_ = c.(*net.TCPConn).SetLinger(0)
		})},
		{"closed before answering", "closed the connection without answering", hijack(func(c net.Conn, _ *bufio.ReadWriter) {})},
		{"body shorter than announced", "the body ended early: the connection closed after 10 bytes", hijack(func(c net.Conn, rw *bufio.ReadWriter) {
			fmt.Fprint(rw, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"access_t")
			_ = rw.Flush()
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ex := get(t, New(redact.New(), Options{}), serve(t, tc.h).URL)
			if ex.OK() || ex.Status() != 0 || ex.Stalled() {
				t.Errorf("OK %v status %d stalled %v", ex.OK(), ex.Status(), ex.Stalled())
			}
			if !strings.Contains(ex.Err, tc.want) {
				t.Errorf("Err %q, want %q", ex.Err, tc.want)
			}
		})
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	var followed atomic.Bool
	elsewhere := serve(t, func(w http.ResponseWriter, r *http.Request) { followed.Store(true) })
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/login?code=abc123secret", http.StatusFound)
	})
	ex := get(t, New(redact.New(), Options{}), s.URL+"/token")
	if followed.Load() {
		t.Error("the redirect was followed")
	}
	loc, ok := ex.Redirect()
	if !ok || ex.Status() != 302 || !strings.HasPrefix(loc, elsewhere.URL+"/login?code=") || strings.Contains(loc, "abc123secret") {
		t.Errorf("redirect %q %v, status %d", loc, ok, ex.Status())
	}
	want := "→ 302: the token endpoint redirected to " + loc + "; tokencert does not follow redirects with credentials"
	if !strings.HasSuffix(ex.Summary(), want) {
		t.Errorf("summary %q, want suffix %q", ex.Summary(), want)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		fmt.Fprint(w, "{}")
	})
	ex := get(t, New(redact.New(), Options{}), s.URL)
	if ex.Status() != 200 || len(ex.Notes) != 1 || !strings.Contains(ex.Notes[0], "429 Too Many Requests; waited 0s as its Retry-After asked, then retried") {
		t.Errorf("status %d, notes %q", ex.Status(), ex.Notes)
	}
}

func TestRetryAfterLimits(t *testing.T) {
	t.Parallel()
	throttle := func(ra string) *httptest.Server {
		return serve(t, func(w http.ResponseWriter, r *http.Request) {
			if ra != "" {
				w.Header().Set("Retry-After", ra)
			}
			w.WriteHeader(http.StatusTooManyRequests)
		})
	}
	for _, tc := range []struct {
		name, ra, note string
		deadline       time.Duration
		noRetry        bool
	}{
		{"no Retry-After", "", `without a usable Retry-After ("")`, 0, false},
		{"past the deadline", "3600", "with Retry-After 1h0m0s, past the run's deadline", time.Minute, false},
		{"failed login", "0", "not retried: the request would count as another failed login", 0, true},
		{"always 429", "0", "again after 3 retries; gave up", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := New(redact.New(), Options{})
			if tc.deadline > 0 {
				c.Deadline = time.Now().Add(tc.deadline)
			}
			ex := c.Do(context.Background(), Request{Method: http.MethodPost, URL: throttle(tc.ra).URL, NoRetry: tc.noRetry})
			if ex.Status() != 429 || len(ex.Notes) == 0 || !strings.Contains(ex.Notes[len(ex.Notes)-1], tc.note) {
				t.Errorf("status %d, notes %q, want %q", ex.Status(), ex.Notes, tc.note)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"7": 7 * time.Second, " 0 ": 0, "Fri, 02 Jan 2026 03:04:15 GMT": 10 * time.Second,
		"Fri, 02 Jan 2026 03:00:00 GMT": 0,
	} {
		if got, ok := parseRetryAfter(in, now); !ok || got != want {
			t.Errorf("parseRetryAfter(%q) = %s %v, want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-1", "soon", "1.5"} {
		if _, ok := parseRetryAfter(in, now); ok {
			t.Errorf("parseRetryAfter(%q) accepted", in)
		}
	}
}

func TestDeadlineStopsRequests(t *testing.T) {
	t.Parallel()
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	c := New(redact.New(), Options{Deadline: time.Now().Add(-time.Second)})
	if ex := get(t, c, s.URL); ex.Err != "not sent: the run's deadline has passed" || c.Count() != 0 {
		t.Errorf("Err %q, count %d", ex.Err, c.Count())
	}
}

// The pacer spaces requests 1/rps apart; only a lower bound is asserted,
// which a slow machine cannot break.
func TestPacerSpacesRequests(t *testing.T) {
	t.Parallel()
	pace := NewPacer(20)
	start := time.Now()
	for i := 0; i < 6; i++ {
		if err := pace(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("6 requests at 20 rps took %s, want at least 250ms", d)
	}
	for _, rps := range []float64{0, -1} {
		if NewPacer(rps) != nil {
			t.Errorf("NewPacer(%v) paces", rps)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	slowPace := NewPacer(0.001)
	_ = slowPace(ctx)
	if err := slowPace(ctx); err == nil {
		t.Error("a cancelled wait did not return an error")
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{}") }))
	s.StartTLS()
	t.Cleanup(s.Close)
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())

	ex := get(t, New(redact.New(), Options{}), s.URL)
	if ex.OK() || !strings.Contains(ex.Err, "x509: certificate signed by unknown authority (trust its CA with the target key ca_file)") {
		t.Errorf("untrusted certificate: %q", ex.Err)
	}
	if ex := get(t, New(redact.New(), Options{TLS: &tls.Config{RootCAs: pool}}), s.URL); !ex.OK() || ex.TLSVersion() != "TLS 1.3" {
		t.Errorf("trusted CA: %s (%s)", ex.Summary(), ex.TLSVersion())
	}
	if ex := get(t, New(redact.New(), Options{InsecureSkipVerify: true}), s.URL); !ex.OK() {
		t.Errorf("insecure: %s", ex.Summary())
	}
	plain := serve(t, func(w http.ResponseWriter, r *http.Request) {})
	if ex := get(t, New(redact.New(), Options{}), plain.URL); ex.TLSVersion() != "" {
		t.Errorf("cleartext reported as %s", ex.TLSVersion())
	}
}

func TestClientCertificateRequired(t *testing.T) {
	t.Parallel()
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{}") }))
	s.TLS = &tls.Config{ClientAuth: tls.RequireAnyClientCert}
	s.StartTLS()
	t.Cleanup(s.Close)
	s.Config.ErrorLog = nil
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	ex := get(t, New(redact.New(), Options{TLS: &tls.Config{RootCAs: pool}}), s.URL)
	if ex.OK() || !strings.Contains(ex.Err, "client_cert, client_key") {
		t.Errorf("no client certificate: %q", ex.Err)
	}
}

func TestRegisterPartial(t *testing.T) {
	t.Parallel()
	r := redact.New()
	c := New(r, Options{})
	c.registerPartial([]byte(`{"a":{"access_token":"nested-secret-1"},"list":[{"refresh_token":"rt-secret-2"}],"access_token":"top-secret-3","x":"not-secret-4","refresh_token":"cut-off-`), []string{"access_token", "refresh_token"})
	got := r.String("nested-secret-1 rt-secret-2 top-secret-3 not-secret-4")
	if strings.Contains(got, "secret-1") || strings.Contains(got, "secret-2") || strings.Contains(got, "secret-3") || !strings.Contains(got, "not-secret-4") {
		t.Errorf("redacted: %s", got)
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{1 << 20: "1 MiB", 64 << 10: "64 KiB", 1000: "1000 bytes", 3 << 20: "3 MiB", 1<<20 + 1: "1048577 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}

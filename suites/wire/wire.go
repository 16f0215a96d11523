// Package wire sends the suites' HTTP requests and records each exchange,
// with secrets redacted, as evidence. It never follows redirects, reads at
// most a capped number of body bytes and bounds every request in time.
package wire

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/result"
)

// DefaultMaxBody is how much of a response body is read.
const DefaultMaxBody = 1 << 20

// Client sends requests and records exchanges.
type Client struct {
	HTTP     *http.Client
	Redactor *redact.Redactor
	// Timeout bounds one request, from dial to the last body byte.
	Timeout time.Duration
	// MaxBody caps the bytes read of a response body.
	MaxBody int64
	// TokenMembers are JSON member names whose string values are secrets
	// (access and refresh tokens); they are registered with the Redactor
	// before the exchange is recorded.
	TokenMembers []string
	// Pace, when set, is called before every request (rate limiting).
	Pace func(context.Context) error
	// Deadline, when set, ends the run: no request is sent, and no
	// Retry-After is waited for, past it.
	Deadline time.Time
	// MaxStalls is how many requests in a row to one host may go
	// unanswered within Timeout before the client stops sending to that
	// host, so that a hanging endpoint costs Timeout × MaxStalls, not
	// Timeout × the number of checks.
	MaxStalls int
	// Observe, when set, is called with every request as it was sent (raw,
	// secrets included) and its exchange, once the exchange is complete.
	// It must not keep the raw request beyond the run.
	Observe func(Request, *Exchange)

	mu     sync.Mutex
	count  int
	stalls map[string]int // host -> requests in a row that got no response
}

// Options configure a new Client.
type Options struct {
	Timeout            time.Duration
	MaxBody            int64
	TLS                *tls.Config
	InsecureSkipVerify bool
	// MaxRPS paces every request: at most MaxRPS requests start per
	// second. 0 or +Inf: no pacing.
	MaxRPS float64
	// Deadline: see Client.Deadline.
	Deadline time.Time
	// MaxStalls: see Client.MaxStalls (default DefaultMaxStalls).
	MaxStalls int
}

// DefaultMaxStalls is how many unanswered requests in a row make the client
// stop sending to a host.
const DefaultMaxStalls = 2

// New returns a Client that does not follow redirects.
func New(r *redact.Redactor, o Options) *Client {
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxBody == 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxStalls == 0 {
		o.MaxStalls = DefaultMaxStalls
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	if o.TLS != nil {
		tr.TLSClientConfig = o.TLS.Clone()
	}
	if o.InsecureSkipVerify {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}
		tr.TLSClientConfig.InsecureSkipVerify = true
	}
	tr.ResponseHeaderTimeout = o.Timeout
	tr.DialContext = (&net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}).DialContext
	return &Client{
		HTTP: &http.Client{
			Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		Redactor:  r,
		Timeout:   o.Timeout,
		MaxBody:   o.MaxBody,
		Pace:      NewPacer(o.MaxRPS),
		Deadline:  o.Deadline,
		MaxStalls: o.MaxStalls,
		stalls:    map[string]int{},
	}
}

// Request is one request to send.
type Request struct {
	// Label says what the request probes, for the evidence.
	Label  string
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Role names what is asked ("token endpoint", "protected resource") in
	// messages; default "endpoint".
	Role string
	// NoRetry: never resend this request, even when a 429 asks to retry
	// (it would count as another failed login).
	NoRetry bool
}

// Exchange is a request and what came back. Its record (result.Exchange)
// is redacted and safe to write anywhere; the raw response is reachable
// only through the accessor methods, for checks.
type Exchange struct {
	result.Exchange

	role      string
	maxBody   int64
	location  string // redacted redirect target
	tlsState  *tls.ConnectionState
	stalled   bool // no (complete) response within the timeout
	status    int
	header    http.Header
	body      []byte
	truncated bool
	jsonOnce  sync.Once
	json      any
	jsonErr   error
}

// Count is the number of requests sent so far.
func (c *Client) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

// Do sends a request and records the exchange. A transport failure is
// recorded in Err, never returned: the exchange is the evidence either way.
// A 429 with Retry-After is waited for and the request resent (at most
// maxRetries times, never past Deadline); Notes say so.
func (c *Client) Do(ctx context.Context, r Request) *Exchange {
	started := time.Now()
	var notes []string
	for retries := 0; ; retries++ {
		ex := c.attempt(ctx, r)
		ex.Started = started
		wait, note := c.retryAfter(ex, r, retries)
		if note != "" {
			notes = append(notes, note)
		}
		if wait == 0 || !sleep(ctx, wait) {
			ex.Notes = notes
			ex.Duration = time.Since(started)
			if c.Observe != nil {
				c.Observe(r, ex)
			}
			return ex
		}
	}
}

// maxRetries bounds how often one request is resent after a 429.
const maxRetries = 3

// attempt sends the request once.
func (c *Client) attempt(ctx context.Context, r Request) *Exchange {
	ex := &Exchange{Exchange: result.Exchange{Label: r.Label, Started: time.Now()}, role: r.Role, maxBody: c.MaxBody}
	ex.Request = result.Message{
		Method: r.Method,
		URL:    c.Redactor.URL(r.URL),
		Header: c.Redactor.Header(r.Header),
		Body:   c.redactBody(r.Header.Get("Content-Type"), r.Body, redact.SecretParams),
	}
	host := hostOf(r.URL)
	if n := c.stallsOf(host); n >= c.MaxStalls && c.MaxStalls > 0 {
		ex.stalled = true
		ex.Err = fmt.Sprintf("no response within %s (not sent: the last %d requests to %s got none, so tokencert sends it no more)", c.Timeout, n, host)
		return ex
	}
	if c.pastDeadline() {
		ex.Err = "not sent: the run's deadline has passed"
		return ex
	}
	if c.Pace != nil {
		if err := c.Pace(ctx); err != nil {
			ex.Err = "not sent: " + c.describe(err)
			return ex
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	if !c.Deadline.IsZero() {
		var cancelRun context.CancelFunc
		ctx, cancelRun = context.WithDeadline(ctx, c.Deadline)
		defer cancelRun()
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		ex.Err = c.Redactor.String("bad request: " + err.Error())
		return ex
	}
	for k, vs := range r.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if len(r.Body) == 0 && r.Method == http.MethodGet {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	c.mu.Lock()
	c.count++
	c.mu.Unlock()
	sent := time.Now()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		ex.Duration = time.Since(ex.Started)
		ex.ServerTime = time.Since(sent)
		ex.stalled = isTimeout(err) && !c.pastDeadline()
		ex.Err = c.Redactor.String(c.describe(err))
		c.noteStall(host, ex.stalled)
		return ex
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, c.MaxBody+1))
	if readErr == nil && int64(len(body)) <= c.MaxBody && ctx.Err() != nil {
		// The transport can end a body cut short by the timeout with a
		// plain EOF; a body that ends only when time is up is not
		// complete.
		readErr = ctx.Err()
	}
	ex.Duration = time.Since(ex.Started)
	ex.ServerTime = time.Since(sent)
	if int64(len(body)) > c.MaxBody {
		body, ex.truncated = body[:c.MaxBody], true
	}
	ex.header, ex.body, ex.tlsState = resp.Header, body, resp.TLS
	if readErr != nil {
		ex.stalled = isTimeout(readErr) && !c.pastDeadline()
		ex.Err = c.Redactor.String(c.describeBody(readErr, len(body)))
	} else {
		ex.status = resp.StatusCode
	}
	c.noteStall(host, ex.stalled)
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if loc, err := resp.Location(); err == nil {
			ex.location = c.Redactor.URL(loc.String())
		}
	}
	c.registerTokens(ex)
	ex.Response = &result.Message{
		Status:    resp.StatusCode,
		Header:    c.Redactor.Header(resp.Header),
		Body:      excerpt(c.redactBody(resp.Header.Get("Content-Type"), body, c.TokenMembers), len(body)),
		Truncated: ex.truncated,
	}
	return ex
}

// retryAfter decides whether to resend after ex: a 429 with a usable
// Retry-After that ends before the deadline. It returns the wait (0: do not
// resend) and a note for the report.
func (c *Client) retryAfter(ex *Exchange, r Request, retries int) (time.Duration, string) {
	if ex.Status() != http.StatusTooManyRequests {
		return 0, ""
	}
	const said = "the endpoint answered 429 Too Many Requests"
	ra := ex.Header().Get("Retry-After")
	wait, ok := parseRetryAfter(ra, time.Now())
	switch {
	case !ok:
		return 0, fmt.Sprintf("%s without a usable Retry-After (%q); not retried", said, ra)
	case r.NoRetry:
		return 0, said + "; not retried: the request would count as another failed login"
	case retries >= maxRetries:
		return 0, fmt.Sprintf("%s again after %d retries; gave up", said, retries)
	case !c.Deadline.IsZero() && time.Now().Add(wait).After(c.Deadline):
		return 0, fmt.Sprintf("%s with Retry-After %s, past the run's deadline; not retried", said, wait)
	case c.Deadline.IsZero() && wait > maxRetryWait:
		return 0, fmt.Sprintf("%s with Retry-After %s, longer than %s; not retried", said, wait, maxRetryWait)
	}
	return max(wait, time.Millisecond), fmt.Sprintf("%s; waited %s as its Retry-After asked, then retried", said, wait)
}

// maxRetryWait bounds a Retry-After wait when the client has no deadline.
const maxRetryWait = 2 * time.Minute

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP-date
// (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (c *Client) pastDeadline() bool {
	return !c.Deadline.IsZero() && !time.Now().Before(c.Deadline)
}

func (c *Client) stallsOf(host string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stalls[host]
}

// noteStall counts a request to host that got no response in time, and
// forgets the count when one did.
func (c *Client) noteStall(host string, stalled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stalls == nil {
		c.stalls = map[string]int{}
	}
	if stalled {
		c.stalls[host]++
	} else {
		delete(c.stalls, host)
	}
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// describe turns a transport error into a sentence a report reader follows.
func (c *Client) describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var (
		cve  *tls.CertificateVerificationError
		uae  x509.UnknownAuthorityError
		he   x509.HostnameError
		cie  x509.CertificateInvalidError
		rhe  tls.RecordHeaderError
		alrt tls.AlertError
	)
	switch {
	case c.pastDeadline() && (isTimeout(err) || errors.Is(err, context.Canceled)):
		return "the run's deadline passed before a response arrived"
	case isTimeout(err):
		return fmt.Sprintf("no response within %s", c.Timeout)
	case errors.Is(err, context.Canceled):
		return "cancelled (run deadline or interrupt)"
	case errors.Is(err, syscall.ECONNRESET):
		return "the endpoint reset the connection before answering (connection reset by peer)"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the endpoint closed the connection without answering"
	case errors.As(err, &cve), errors.As(err, &uae), errors.As(err, &he), errors.As(err, &cie):
		return fmt.Sprintf("the endpoint's TLS certificate was not accepted: %v (trust its CA with the target key ca_file)", err)
	case errors.As(err, &rhe):
		return fmt.Sprintf("the endpoint does not speak TLS: %v", err)
	case errors.As(err, &alrt), strings.Contains(err.Error(), "remote error: tls:"):
		msg := fmt.Sprintf("the TLS handshake failed: %v", err)
		if strings.Contains(err.Error(), "certificate") {
			msg += " (the endpoint may require a client certificate: target keys client_cert, client_key)"
		}
		return msg
	}
	return err.Error()
}

// describeBody says why reading a response body failed after n bytes.
func (c *Client) describeBody(err error, n int) string {
	switch {
	case c.pastDeadline() && (isTimeout(err) || errors.Is(err, context.Canceled)):
		return fmt.Sprintf("the run's deadline passed while the body arrived (%d bytes received)", n)
	case isTimeout(err):
		return fmt.Sprintf("no complete response within %s: the body stopped after %d bytes", c.Timeout, n)
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Sprintf("the endpoint reset the connection during the body (%d bytes received)", n)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Sprintf("the body ended early: the connection closed after %d bytes, before the length the endpoint announced", n)
	}
	return fmt.Sprintf("reading the body: %v (%d bytes received)", err, n)
}

// maxEvidence caps how much of a body is kept as evidence.
const maxEvidence = 4096

// excerpt cuts redacted evidence to maxEvidence bytes (redacting first, so
// that no secret is cut in half and left unrecognised).
func excerpt(s string, n int) string {
	if len(s) <= maxEvidence {
		return s
	}
	cut := maxEvidence
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d bytes)", n)
}

// redactBody returns a body with every secret replaced, first registering
// the values of the named members or parameters as secrets: the secret
// request parameters for a request, the token members for a response (a
// response member that merely shares a request parameter's name, such as
// an error "code", is no secret).
func (c *Client) redactBody(contentType string, b []byte, names []string) string {
	s := string(b)
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" || (s != "" && !strings.ContainsAny(s[:1], "{[<") && strings.Contains(s, "=")) {
		if q, err := url.ParseQuery(s); err == nil {
			for _, name := range names {
				for _, v := range q[name] {
					c.Redactor.Add(name, v)
				}
			}
		}
		return c.Redactor.String(s)
	}
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		var v any
		if json.Unmarshal(b, &v) == nil {
			c.registerJSON(v, names)
		}
	}
	return c.Redactor.String(s)
}

func (c *Client) registerTokens(ex *Exchange) {
	v, err := ex.JSON()
	if err != nil {
		// Truncated, cut-off or garbled JSON still carries tokens.
		c.registerPartial(ex.body, c.TokenMembers)
		return
	}
	c.registerJSON(v, c.TokenMembers)
}

// registerPartial registers the string values of the named members in a
// body that is not (complete) JSON, as far as it parses.
func (c *Client) registerPartial(b []byte, names []string) {
	type frame struct{ object, wantKey bool }
	var stack []frame
	key := ""
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		n := len(stack)
		if n > 0 && stack[n-1].object && stack[n-1].wantKey {
			if tok == json.Delim('}') {
				stack = stack[:n-1]
				valueDone()
				continue
			}
			key, _ = tok.(string)
			stack[n-1].wantKey = false
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, frame{object: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				if n > 0 {
					stack = stack[:n-1]
				}
				valueDone()
			}
		case string:
			if n > 0 && stack[n-1].object && contains(names, key) {
				c.Redactor.Add(key, t)
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// registerJSON registers string values of the named members, at any depth.
func (c *Client) registerJSON(v any, names []string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && contains(names, k) {
				c.Redactor.Add(k, s)
			} else {
				c.registerJSON(x, names)
			}
		}
	case []any:
		for _, x := range v {
			c.registerJSON(x, names)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// OK reports whether a complete response arrived.
func (e *Exchange) OK() bool { return e.Response != nil && e.Err == "" }

// Stalled reports whether the request got no (complete) response within the
// timeout, or was not sent because its host had stopped answering.
func (e *Exchange) Stalled() bool { return e.stalled }

// Redirect returns where a 3xx response pointed (redacted), if it did.
func (e *Exchange) Redirect() (string, bool) {
	return e.location, e.location != "" && e.status >= 300 && e.status < 400
}

// TLSVersion names the TLS version the response came over, or "" for
// cleartext or no response.
func (e *Exchange) TLSVersion() string {
	if e.tlsState == nil {
		return ""
	}
	return tls.VersionName(e.tlsState.Version)
}

// Status is the response status, 0 without a complete response.
func (e *Exchange) Status() int { return e.status }

// Header is the raw response header.
func (e *Exchange) Header() http.Header {
	if e.header == nil {
		return http.Header{}
	}
	return e.header
}

// Body is the raw response body (up to the cap).
func (e *Exchange) Body() []byte { return e.body }

// Truncated reports whether the body exceeded the cap.
func (e *Exchange) Truncated() bool { return e.truncated }

// MediaType is the response's media type without parameters, lower-case.
func (e *Exchange) MediaType() string {
	mt, _, err := mime.ParseMediaType(e.Header().Get("Content-Type"))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(e.Header().Get("Content-Type")))
	}
	return mt
}

// JSON decodes the body (numbers as json.Number). The body must be one JSON
// value with nothing after it.
func (e *Exchange) JSON() (any, error) {
	e.jsonOnce.Do(func() {
		trimmed := bytes.TrimSpace(e.body)
		switch {
		case e.Err != "":
			e.jsonErr = errors.New(e.Err)
			return
		case e.truncated:
			e.jsonErr = fmt.Errorf("response body exceeds the %s cap", Size(e.maxBody))
			return
		case len(trimmed) == 0:
			e.jsonErr = errors.New("body is empty, not JSON")
			return
		case trimmed[0] == '<':
			e.jsonErr = errors.New("body is HTML or XML, not JSON")
			return
		case e.MediaType() == "application/x-www-form-urlencoded":
			e.json, e.jsonErr = decodeForm(trimmed)
			return
		}
		dec := json.NewDecoder(bytes.NewReader(e.body))
		dec.UseNumber()
		if err := dec.Decode(&e.json); err != nil {
			e.jsonErr = fmt.Errorf("body is not JSON: %v", err)
			return
		}
		// dec.More is false at a stray '}' or ']': look at the rest.
		if len(bytes.Trim(e.body[dec.InputOffset():], " \t\r\n")) > 0 {
			e.json, e.jsonErr = nil, errors.New("body has data after the JSON value")
		}
	})
	return e.json, e.jsonErr
}

// decodeForm reads a form-encoded body as an object of strings (a name
// given more than once: a list of them), for checks written for JSON.
func decodeForm(b []byte) (any, error) {
	q, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, fmt.Errorf("body is not form-encoded: %v", err)
	}
	out := make(map[string]any, len(q))
	for k, vs := range q {
		if len(vs) == 1 {
			out[k] = vs[0]
			continue
		}
		list := make([]any, len(vs))
		for i, v := range vs {
			list[i] = v
		}
		out[k] = list
	}
	return out, nil
}

// Object returns the body as a JSON object.
func (e *Exchange) Object() (map[string]any, error) {
	v, err := e.JSON()
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("body is JSON but not an object (%s)", kind(v))
	}
	return m, nil
}

// String returns a string member of a JSON object body, or "".
func (e *Exchange) String(member string) string {
	m, err := e.Object()
	if err != nil {
		return ""
	}
	s, _ := m[member].(string)
	return s
}

func kind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// Summary is a one-line, redacted description of the exchange, quoting
// the start of the body.
func (e *Exchange) Summary() string {
	s := e.Request.Method + " " + e.Request.URL
	switch {
	case e.Response == nil:
		return s + " → " + e.Err
	case e.Err != "":
		return fmt.Sprintf("%s → %d, then %s", s, e.Response.Status, e.Err)
	}
	if loc, ok := e.Redirect(); ok {
		return fmt.Sprintf("%s → %d: %s", s, e.Response.Status, RedirectMessage(e.role, loc))
	}
	if e.truncated {
		return fmt.Sprintf("%s → %d, body exceeds the %s cap: %s", s, e.Response.Status, Size(e.maxBody), oneLine(e.Response.Body, 200))
	}
	return fmt.Sprintf("%s → %d %s", s, e.Response.Status, oneLine(e.Response.Body, 200))
}

// RedirectMessage says that the endpoint in role redirected to loc.
func RedirectMessage(role, loc string) string {
	if role == "" {
		role = "endpoint"
	}
	return fmt.Sprintf("the %s redirected to %s; tokencert does not follow redirects with credentials", role, loc)
}

// Size formats a byte count the way caps are given: "1 MiB", "64 KiB".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n] + "…"
	}
	return s
}

// DuplicateKeys returns the member names that occur more than once in the
// top-level JSON object of b.
func DuplicateKeys(b []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil
	}
	seen := map[string]bool{}
	var dups []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return dups
		}
		k, _ := t.(string)
		if seen[k] {
			dups = append(dups, k)
		}
		seen[k] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return dups
		}
	}
	return dups
}

// Package wire sends the suites' HTTP requests and records each exchange,
// with secrets redacted, as evidence. It never follows redirects, reads at
// most a capped number of body bytes and bounds every request in time.
package wire

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tokencert/tokencert/reports/redact"
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

	mu    sync.Mutex
	count int
}

// Options configure a new Client.
type Options struct {
	Timeout            time.Duration
	MaxBody            int64
	TLS                *tls.Config
	InsecureSkipVerify bool
}

// New returns a Client that does not follow redirects.
func New(r *redact.Redactor, o Options) *Client {
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxBody == 0 {
		o.MaxBody = DefaultMaxBody
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	if o.TLS != nil {
		tr.TLSClientConfig = o.TLS
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
		Redactor: r,
		Timeout:  o.Timeout,
		MaxBody:  o.MaxBody,
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
}

// Message is a recorded (redacted) request or response.
type Message struct {
	Method    string      `json:"method,omitempty"`
	URL       string      `json:"url,omitempty"`
	Status    int         `json:"status,omitempty"`
	Header    http.Header `json:"header,omitempty"`
	Body      string      `json:"body,omitempty"`
	Truncated bool        `json:"truncated,omitempty"`
}

// Exchange is a request and what came back. Request, Response and Err are
// redacted and safe to write anywhere; the raw response is reachable only
// through the accessor methods, for checks.
type Exchange struct {
	Label    string        `json:"label"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Request  Message       `json:"request"`
	Response *Message      `json:"response,omitempty"`
	Err      string        `json:"error,omitempty"`

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
func (c *Client) Do(ctx context.Context, r Request) *Exchange {
	ex := &Exchange{Label: r.Label, Started: time.Now()}
	ex.Request = Message{
		Method: r.Method,
		URL:    c.Redactor.URL(r.URL),
		Header: c.Redactor.Header(r.Header),
		Body:   c.redactBody(r.Header.Get("Content-Type"), r.Body),
	}
	if c.Pace != nil {
		if err := c.Pace(ctx); err != nil {
			ex.Err = "not sent: " + err.Error()
			return ex
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
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
	resp, err := c.HTTP.Do(req)
	if err != nil {
		ex.Duration = time.Since(ex.Started)
		ex.Err = c.Redactor.String(describe(err, c.Timeout))
		return ex
	}
	defer resp.Body.Close()
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, c.MaxBody+1))
	ex.Duration = time.Since(ex.Started)
	if int64(len(body)) > c.MaxBody {
		body, ex.truncated = body[:c.MaxBody], true
	}
	ex.status, ex.header, ex.body = resp.StatusCode, resp.Header, body
	if readErr != nil {
		ex.Err = c.Redactor.String("response body: " + describe(readErr, c.Timeout))
	}
	c.registerTokens(ex)
	ex.Response = &Message{
		Status:    resp.StatusCode,
		Header:    c.Redactor.Header(resp.Header),
		Body:      c.redactBody(resp.Header.Get("Content-Type"), excerpt(body)),
		Truncated: ex.truncated,
	}
	return ex
}

// describe turns a transport error into a sentence a report reader follows.
func describe(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no response within %s", timeout)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Sprintf("no response within %s", timeout)
	case errors.Is(err, context.Canceled):
		return "cancelled (run deadline or interrupt)"
	}
	return err.Error()
}

// maxEvidence caps how much of a body is kept as evidence.
const maxEvidence = 4096

func excerpt(b []byte) []byte {
	if len(b) <= maxEvidence {
		return b
	}
	return append(append([]byte(nil), b[:maxEvidence]...), []byte(fmt.Sprintf("… (%d bytes)", len(b)))...)
}

func (c *Client) redactBody(contentType string, b []byte) string {
	s := string(b)
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "application/x-www-form-urlencoded" || (s != "" && !strings.ContainsAny(s[:1], "{[<") && strings.Contains(s, "=")) {
		return c.Redactor.Form(s)
	}
	if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
		var v any
		if json.Unmarshal(b, &v) == nil {
			c.registerJSON(v, redact.SecretParams)
		}
	}
	return c.Redactor.String(s)
}

func (c *Client) registerTokens(ex *Exchange) {
	v, err := ex.JSON()
	if err != nil {
		return
	}
	c.registerJSON(v, c.TokenMembers)
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

// OK reports whether a response arrived.
func (e *Exchange) OK() bool { return e.Response != nil }

// Status is the response status, 0 without a response.
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
		if e.truncated {
			e.jsonErr = fmt.Errorf("body larger than the %d-byte cap", len(e.body))
			return
		}
		dec := json.NewDecoder(bytes.NewReader(e.body))
		dec.UseNumber()
		if err := dec.Decode(&e.json); err != nil {
			e.jsonErr = fmt.Errorf("body is not JSON: %v", err)
			return
		}
		if dec.More() {
			e.json, e.jsonErr = nil, errors.New("body has data after the JSON value")
		}
	})
	return e.json, e.jsonErr
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

// Summary is a one-line, redacted description of the exchange.
func (e *Exchange) Summary() string {
	s := e.Request.Method + " " + e.Request.URL
	if e.Response == nil {
		return s + " → " + e.Err
	}
	return fmt.Sprintf("%s → %d %s", s, e.Response.Status, oneLine(e.Response.Body, 200))
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
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

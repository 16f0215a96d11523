package refserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tokencert/tokencert/specs"
)

// The hostile faults make the token endpoint misbehave the way broken
// deployments do: hang, trickle, reset, redirect, send an HTML error page,
// cut-off JSON or a 50 MiB body. They show that a run against such an
// endpoint ends in bounded time with a clear verdict.

// hostile serves a token request the way a hostile fault says, and reports
// whether it did (the request is then handled).
func (s *Server) hostile(w http.ResponseWriter, r *http.Request) bool {
	switch {
	case s.has(FaultHang):
		// The request body is already read (routes), so the server
		// notices when the client hangs up.
		<-r.Context().Done()
	case s.has(FaultSlow):
		s.trickle(w, r)
	case s.has(FaultReset):
		reset(w)
	case s.has(FaultRedirect):
		http.Redirect(w, r, redirectPath+r.URL.Path, http.StatusTemporaryRedirect)
	default:
		return false
	}
	return true
}

// redirectPath prefixes the token path in FaultRedirect's Location; nothing
// is served there.
const redirectPath = "/moved"

// trickleEvery is how often FaultSlow sends one more byte.
const trickleEvery = 500 * time.Millisecond

// trickle sends a 200 with the start of a token response, then one byte
// every trickleEvery, never finishing, until the client hangs up.
func (s *Server) trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(w, `{%q:`, s.spec.Member("access_token"))
	rc := http.NewResponseController(w)
	t := time.NewTicker(trickleEvery)
	defer t.Stop()
	for {
		if rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-t.C:
		}
		if _, err := w.Write([]byte(" ")); err != nil {
			return
		}
	}
}

// reset closes the connection with a TCP RST (SO_LINGER 0), without a
// response (and, over TLS, without a close_notify alert).
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "cannot reset the connection", http.StatusInternalServerError)
		return
	}
	if nc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		conn = nc.NetConn()
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// hugeBodySize is FaultHugeBody's body size.
const hugeBodySize = 50 << 20

// writeToken sends a successful token response, as writeJSON does, unless a
// fault says to cut it off (FaultGarbageJSON) or pad it to hugeBodySize
// (FaultHugeBody), streamed so the server never holds it.
func (s *Server) writeToken(w http.ResponseWriter, status int, contentType string, v object) {
	switch {
	case s.has(FaultGarbageJSON):
		body, err := json.Marshal(v)
		if err != nil {
			http.Error(w, "cannot encode the response", http.StatusInternalServerError)
			return
		}
		// Cut inside the value after the access token: the token is
		// issued, the JSON never ends.
		cut := len(body) / 2
		if i := bytes.IndexByte(body, ','); i > 0 {
			cut = i + 4
		}
		body = body[:min(cut, len(body))]
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	case s.has(FaultHugeBody):
		body, err := json.Marshal(v)
		if err != nil {
			http.Error(w, "cannot encode the response", http.StatusInternalServerError)
			return
		}
		head := append(body[:len(body)-1:len(body)-1], `,"padding":"`...)
		tail := `"}`
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", fmt.Sprint(hugeBodySize))
		w.WriteHeader(status)
		if _, err := w.Write(head); err != nil {
			return
		}
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for left := hugeBodySize - len(head) - len(tail); left > 0; {
			n, err := w.Write(chunk[:min(len(chunk), left)])
			if err != nil {
				return // the client stopped reading: nothing more to send
			}
			left -= n
		}
		_, _ = w.Write([]byte(tail))
	case contentType == specs.FormMediaType:
		writeForm(w, status, v)
	default:
		writeJSON(w, status, contentType, v)
	}
}

// writeForm sends a token response form-encoded: each member's value as
// text (numbers as digits, lists space-joined).
func writeForm(w http.ResponseWriter, status int, v object) {
	q := url.Values{}
	for _, m := range v {
		switch x := m.value.(type) {
		case string:
			q.Add(m.name, x)
		case []string:
			q.Add(m.name, strings.Join(x, " "))
		default:
			b, _ := json.Marshal(x)
			q.Add(m.name, strings.Trim(string(b), `"`))
		}
	}
	w.Header().Set("Content-Type", specs.FormMediaType)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(q.Encode()))
}

// writeHTMLError sends the error page a misconfigured gateway or web
// framework sends instead of an RFC 6749 §5.2 error (FaultHTMLError).
func writeHTMLError(w http.ResponseWriter, status int) {
	text := html.EscapeString(fmt.Sprintf("%d %s", status, http.StatusText(status)))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!DOCTYPE html>\n<html>\n<head><title>%s</title></head>\n<body>\n<center><h1>%s</h1></center>\n<hr><center>tokencert-refserver</center>\n</body>\n</html>\n", text, text)
}

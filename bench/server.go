package bench

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/target"
)

// request is one request as the server received it: what the floor
// replays. It holds raw credentials and tokens, so it only ever lives in
// memory.
type request struct {
	method  string
	uri     string // path and query
	header  http.Header
	body    []byte
	arrived time.Time // the handler was entered
	done    time.Time // the handler returned
}

// server is the reference token server behind a handler that records every
// request it serves while recording is on.
type server struct {
	ref  *refserver.Server
	http *http.Server
	base string

	mu        sync.Mutex
	recording bool
	log       []request
}

// startServer serves ref's handler on 127.0.0.1 and records requests.
func startServer(ref *refserver.Server) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &server{ref: ref, base: "http://" + ln.Addr().String()}
	inner := ref.Handler()
	s.http = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived := time.Now()
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		inner.ServeHTTP(w, r)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.recording {
			s.log = append(s.log, request{method: r.Method, uri: r.URL.RequestURI(), header: r.Header.Clone(), body: body, arrived: arrived, done: time.Now()})
		}
	})}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// target is the running server as a target file, with the base URL of the
// recording listener.
func (s *server) target() target.Target {
	t := s.ref.Target() // not started itself: its URLs are bare paths
	t.Endpoint, t.Resource, t.Introspection = s.base+t.Endpoint, s.base+t.Resource, s.base+t.Introspection
	if t.Authorization != "" {
		t.Authorization = s.base + t.Authorization
	}
	if t.DeviceAuthorization != "" {
		t.DeviceAuthorization = s.base + t.DeviceAuthorization
	}
	// Revocation (optional) spends fresh tokens on purpose: the bench
	// measures the token endpoint's suite without it.
	t.Revocation = ""
	return t
}

// record turns recording on (clearing the log) or off.
func (s *server) record(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recording = on
	if on {
		s.log = nil
	}
}

// requests returns what was recorded, in arrival order.
func (s *server) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]request(nil), s.log...)
	// Handlers append when they finish; the suite sends one request at a
	// time, but keep arrival order whatever it does.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].arrived.Before(out[j-1].arrived); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (s *server) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = s.http.Shutdown(ctx)
}

// replay sends reqs back to back with a plain net/http client over one
// keep-alive connection, and returns how long each took, from sending to
// the end of the body: what a suite sending the same requests one after
// another cannot beat.
func (s *server) replay(ctx context.Context, reqs []request) ([]time.Duration, error) {
	c := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 1},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	defer c.CloseIdleConnections()
	took := make([]time.Duration, len(reqs))
	for i, r := range reqs {
		req, err := http.NewRequestWithContext(ctx, r.method, s.base+r.uri, bytes.NewReader(r.body))
		if err != nil {
			return nil, err
		}
		req.Header = r.header.Clone()
		if len(r.body) == 0 {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		took[i] = time.Since(start)
	}
	return took, nil
}

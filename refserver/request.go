package refserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
)

// maxBody is the most request-body bytes the server reads.
const maxBody = 1 << 20

// tokenRequest is a decoded token request: one value per parameter, by
// wire name. Parameters sent without a value are absent (RFC 6749 §3.1).
type tokenRequest struct {
	spec   *specs.Spec
	params map[string]string
	// jkt is the thumbprint of the key of the request's valid DPoP proof,
	// or "" (refserver/dpop.go).
	jkt string
	// x5t is the thumbprint of the connection's client certificate, or ""
	// (refserver/mtls.go).
	x5t string
	// accept is the request's Accept header (response.negotiation).
	accept string
}

// get returns a parameter by its RFC 6749 name.
func (t *tokenRequest) get(name string) string { return t.params[t.spec.Param(name)] }

// readTokenRequest decodes the body per the spec's encoding. It refuses a
// body that is not well-formed (malformed_body) and a parameter given more
// than once (repeated_parameter, RFC 6749 §3.2). Query parameters count
// only when the spec's method is GET, or under FaultGetAccepted.
func (s *Server) readTokenRequest(r *http.Request) (*tokenRequest, *apiError) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			return nil, fail(bodyTooLarge)
		}
		return nil, fail(probes.MalformedBody)
	}
	var values map[string][]string
	query := s.bodyEncoding() == "query"
	switch s.bodyEncoding() {
	case "json":
		values, err = decodeJSONParams(body)
	case "query":
		values, err = url.ParseQuery(r.URL.RawQuery)
	default:
		values, err = url.ParseQuery(string(body))
	}
	if err != nil {
		return nil, fail(probes.MalformedBody)
	}
	if !query && (r.Method == http.MethodGet || r.Method != s.spec.Request.Method) {
		for k, vs := range r.URL.Query() {
			values[k] = append(values[k], vs...)
		}
	}
	req := &tokenRequest{spec: s.spec, params: map[string]string{}, jkt: proofKey(r), x5t: peerThumbprint(r), accept: r.Header.Get("Accept")}
	for k, vs := range values {
		if len(vs) > 1 && !s.has(FaultRepeatedParamAccepted) {
			return nil, fail(probes.RepeatedParam)
		}
		if v := vs[len(vs)-1]; v != "" {
			req.params[k] = v
		}
	}
	return req, nil
}

// decodeJSONParams decodes a JSON object of strings. A member given twice
// yields two values (so it is refused as repeated); any other kind of value,
// or data after the object, is an error. An empty body has no parameters.
func decodeJSONParams(body []byte) (map[string][]string, error) {
	out := map[string][]string{}
	if len(bytes.TrimSpace(body)) == 0 {
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("the body is not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("member %q is not a string", key)
		}
		out[key] = append(out[key], s)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return out, nil
}

package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// discover reads the issuer's metadata (RFC 8414 §3: the well-known
// oauth-authorization-server URI, then OpenID Connect Discovery's) and
// fills what the target does not name. A document whose issuer differs
// from the one asked for is discarded (RFC 8414 §3.3). When no metadata
// can be read, the run goes on with the target's keys, unless it lacks the
// token endpoint: then nothing can be sent, and that is a target error.
func discover(tf *target.Target, tr *transport, r *redact.Redactor) (*result.Discovery, error) {
	if tf.Issuer == "" {
		return nil, nil
	}
	if _, err := (target.Target{Path: tf.Path, Endpoint: tf.Issuer}).Resolve(); err != nil {
		return nil, &target.Error{File: tf.Path, Key: "issuer", Problem: fmt.Sprintf("%q is not an absolute http(s) URL", r.URL(tf.Issuer))}
	}
	if err := refuseCleartext(tf.Path, "issuer", tf.Issuer, tr.allowHTTP); err != nil {
		return nil, err
	}
	client := wire.New(r, tr.wireOptions())
	d := &result.Discovery{Issuer: tf.Issuer}
	var problems []string
	for _, u := range target.MetadataURLs(tf.Issuer) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*tr.timeout)
		ex := client.Do(ctx, wire.Request{Label: "authorization server metadata", Method: http.MethodGet, URL: u,
			Header: http.Header{"Accept": {"application/json"}}, Role: "metadata endpoint"})
		cancel()
		m, why := readMetadata(ex)
		if why == "" && m.Issuer != tf.Issuer {
			why = fmt.Sprintf("its issuer %q is not the one asked for (RFC 8414 §3.3: such a document is not used)", m.Issuer)
		}
		if why != "" {
			problems = append(problems, r.URL(u)+": "+why)
			continue
		}
		d.URL = r.URL(u)
		d.Filled = tf.FillFromMetadata(m)
		return d, nil
	}
	d.Problem = strings.Join(problems, "; ")
	if tf.Endpoint == "" {
		return nil, &target.Error{File: tf.Path, Key: "issuer", Problem: "no usable metadata, so no token endpoint (give endpoint, or fix the metadata): " + d.Problem}
	}
	return d, nil
}

// readMetadata decodes a metadata response, or says why it is not one.
func readMetadata(ex *wire.Exchange) (target.Metadata, string) {
	var m target.Metadata
	switch {
	case !ex.OK():
		return m, ex.Summary()
	case ex.Status() != http.StatusOK:
		return m, fmt.Sprintf("status %d", ex.Status())
	}
	if err := json.Unmarshal(ex.Body(), &m); err != nil {
		return m, "not a JSON metadata object: " + err.Error()
	}
	return m, ""
}

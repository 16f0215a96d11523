package wire

import (
	"crypto/tls"
	"net/http"
)

// WithTLS returns a client like c whose TLS configuration edit changes
// (its client certificate taken away or replaced, RFC 8705 probes). It
// shares c's redactor, limits, token members, pacing and deadline; it
// counts its own requests and stalls.
func (c *Client) WithTLS(edit func(*tls.Config)) *Client {
	tr, ok := c.HTTP.Transport.(*http.Transport)
	if !ok {
		tr = http.DefaultTransport.(*http.Transport)
	}
	tr = tr.Clone()
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{}
	}
	edit(tr.TLSClientConfig)
	return &Client{
		HTTP:     &http.Client{Transport: tr, CheckRedirect: c.HTTP.CheckRedirect},
		Redactor: c.Redactor, Timeout: c.Timeout, MaxBody: c.MaxBody, TokenMembers: c.TokenMembers,
		Pace: c.Pace, Deadline: c.Deadline, MaxStalls: c.MaxStalls, stalls: map[string]int{},
	}
}

// ClientCertificate is the DER of the client certificate c presents, or
// nil.
func (c *Client) ClientCertificate() []byte {
	tr, ok := c.HTTP.Transport.(*http.Transport)
	if !ok || tr.TLSClientConfig == nil || len(tr.TLSClientConfig.Certificates) == 0 || len(tr.TLSClientConfig.Certificates[0].Certificate) == 0 {
		return nil
	}
	return tr.TLSClientConfig.Certificates[0].Certificate[0]
}

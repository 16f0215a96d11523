package wire

import (
	"net/http"
	"time"

	"github.com/tokencert/tokencert/result"
)

// Recorded is an exchange that did not go through the client (an
// authorization made by a program or a browser), recorded as evidence:
// the request URL, and the status and Location it ended with. Register
// every secret in the URLs with the client's Redactor first.
func (c *Client) Recorded(label, method, reqURL string, status int, location, errText string, started time.Time) *Exchange {
	r := c.Redactor
	ex := &Exchange{Exchange: result.Exchange{Label: label, Started: started, Duration: time.Since(started),
		Request: result.Message{Method: method, URL: r.URL(reqURL)}, Err: r.String(errText)}, status: status}
	if status != 0 {
		h := http.Header{}
		if location != "" {
			h.Set("Location", location)
			ex.location = r.URL(location)
		}
		ex.header = h
		ex.Response = &result.Message{Status: status, Header: r.Header(h)}
	}
	return ex
}

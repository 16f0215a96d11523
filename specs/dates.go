package specs

import (
	"net/http"
	"time"
)

// GoLayout returns the Go time layout of the dates' Layout, and false for
// a layout the spec format does not know. "RFC1123" is the HTTP date
// (RFC 9110 §5.6.7), http.TimeFormat: RFC 1123's form, always in GMT, so a
// zone name other than GMT does not parse. "RFC3339" is time.RFC3339. The
// reference server writes the dates with it (in UTC) and the suites parse
// them with it.
func (d *Dates) GoLayout() (string, bool) {
	switch d.Layout {
	case "RFC1123":
		return http.TimeFormat, true
	case "RFC3339":
		return time.RFC3339, true
	}
	return "", false
}

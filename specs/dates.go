package specs

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// GoLayout returns the Go time layout of the dates' Layout, and false for
// a layout that has none ("unix") or that the spec format does not know.
// "RFC1123" is the HTTP date (RFC 9110 §5.6.7), http.TimeFormat: RFC 1123's
// form, always in GMT, so a zone name other than GMT does not parse.
// "RFC3339" is time.RFC3339.
func (d *Dates) GoLayout() (string, bool) {
	switch d.Layout {
	case "RFC1123":
		return http.TimeFormat, true
	case "RFC3339":
		return time.RFC3339, true
	}
	return "", false
}

// Known reports whether the spec format knows the dates' layout.
func (d *Dates) Known() bool {
	_, ok := d.GoLayout()
	return ok || d.Layout == "unix"
}

// Parse reads a date written in the dates' layout: a Go layout's, or for
// "unix" a string of decimal seconds since 1970-01-01T00:00:00Z (epoch
// seconds, as Microsoft Entra's expires_on and not_before are written).
func (d *Dates) Parse(s string) (time.Time, error) {
	if d.Layout == "unix" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return time.Time{}, fmt.Errorf("%q is not a count of seconds since 1970", s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	layout, ok := d.GoLayout()
	if !ok {
		return time.Time{}, fmt.Errorf("unknown date layout %q", d.Layout)
	}
	return time.Parse(layout, s)
}

// Format writes t in the dates' layout (in UTC); the reference server
// writes the dates with it and the suites parse them with Parse.
func (d *Dates) Format(t time.Time) string {
	if d.Layout == "unix" {
		return strconv.FormatInt(t.Unix(), 10)
	}
	layout, _ := d.GoLayout()
	return t.UTC().Format(layout)
}

package specs

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// "RFC1123" dates are HTTP dates (always GMT), not time.RFC1123's any zone.
func TestDatesGoLayout(t *testing.T) {
	for layout, want := range map[string]string{"RFC1123": http.TimeFormat, "RFC3339": time.RFC3339} {
		if got, ok := (&Dates{Layout: layout}).GoLayout(); !ok || got != want {
			t.Errorf("%s: %q %v, want %q", layout, got, ok, want)
		}
	}
	if got, ok := (&Dates{Layout: "Kitchen"}).GoLayout(); ok {
		t.Errorf("Kitchen: %q, want unknown", got)
	}
	layout, _ := (&Dates{Layout: "RFC1123"}).GoLayout()
	if _, err := time.Parse(layout, "Sun, 27 Sep 2020 09:35:33 GMT"); err != nil {
		t.Error(err)
	}
	if _, err := time.Parse(layout, "Sun, 27 Sep 2020 09:35:33 +0000"); err == nil {
		t.Error("a numeric zone parsed as an HTTP date")
	}
	for _, name := range Names() {
		s, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if d := s.Response.Dates; d != nil && !d.Known() {
			t.Errorf("%s: layout %q is not known", name, d.Layout)
		}
	}
}

// "unix" dates are strings of epoch seconds (Entra's expires_on): they
// round-trip, and milliseconds or a number with a fraction are no such date.
func TestDatesUnix(t *testing.T) {
	d := &Dates{Layout: "unix"}
	if !d.Known() {
		t.Fatal("unix is not a known layout")
	}
	at := time.Date(2013, 12, 31, 1, 9, 27, 0, time.UTC)
	if s := d.Format(at); s != "1388452167" {
		t.Errorf("Format: %q", s)
	}
	if got, err := d.Parse("1388452167"); err != nil || !got.Equal(at) {
		t.Errorf("Parse: %v %v", got, err)
	}
	for _, bad := range []string{"1388452167.5", "-1", "Tue, 31 Dec 2013 01:09:27 GMT", ""} {
		if _, err := d.Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}

// statuses is a list, or "undocumented": any refusal status, the code
// still judged; it is written back as it was read.
func TestStatusesUndocumented(t *testing.T) {
	var e ErrorCase
	if err := json.Unmarshal([]byte(`{"codes": ["bad_verification_code"], "statuses": "undocumented"}`), &e); err != nil || !e.AnyStatus || e.Statuses != nil {
		t.Fatalf("%+v %v", e, err)
	}
	if b, _ := json.Marshal(e); string(b) != `{"codes":["bad_verification_code"],"statuses":"undocumented"}` {
		t.Errorf("marshalled %s", b)
	}
	if err := json.Unmarshal([]byte(`{"codes": [], "statuses": "any"}`), &e); err == nil {
		t.Error("statuses \"any\" accepted")
	}
	if err := json.Unmarshal([]byte(`{"codes": [], "statuses": [401, 400]}`), &e); err != nil || e.AnyStatus || len(e.Statuses) != 2 {
		t.Errorf("%+v %v", e, err)
	}
}

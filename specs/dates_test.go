package specs

import (
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
		if d := s.Response.Dates; d != nil {
			if _, ok := d.GoLayout(); !ok {
				t.Errorf("%s: layout %q has no Go layout", name, d.Layout)
			}
		}
	}
}

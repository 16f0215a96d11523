package refserver

import (
	"net/http"
	"testing"
	"time"
)

// A server whose clock is off (Options.ClockOffset) says so in its Date
// headers, and keeps its own time consistently: a token it issues works
// for its lifetime and then stops, counted by its clock alone.
func TestClockOffset(t *testing.T) {
	const offset = -47 * time.Second
	h := start(t, Options{ClockOffset: offset, Lifetime: 300 * time.Millisecond})
	before := time.Now()
	r := h.token(ccForm(), mainBasic)
	at := mustToken(t, r)["access_token"].(string)
	date, err := http.ParseTime(r.header.Get("Date"))
	if err != nil {
		t.Fatalf("Date %q: %v", r.header.Get("Date"), err)
	}
	if d := date.Sub(before); d < offset-time.Second || d > offset+time.Second {
		t.Errorf("Date is %s off this machine's clock, want %s (±1s)", d, offset)
	}
	if got := h.resource("Bearer " + at); got.status != http.StatusOK {
		t.Fatalf("a fresh token is refused: %d %s", got.status, got.body)
	}
	sleepPast(before, 400*time.Millisecond)
	if got := h.resource("Bearer " + at); got.status != http.StatusUnauthorized {
		t.Errorf("a token past its lifetime is answered %d, want 401", got.status)
	}
}

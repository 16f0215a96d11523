package suites

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "dates", Plan: planDates,
		Fix: "Write the documented date members in their documented layout, and make the expiry date the issue date plus `expires_in`.",
		Doc: "`response.dates` parse in their layout and differ by `expires_in` within the tolerance"})
}

// planDates checks the spec's issued/expires date pair (Response.Dates):
// both parse in the documented layout, and expires − issued equals the
// response's own expires_in within the spec's tolerance.
func planDates(e *Env, req specs.Requirement) []Check {
	title := "the issued and expires dates describe the lifetime expires_in states"
	if d := e.Spec.Response.Dates; d != nil {
		title = fmt.Sprintf("%s and %s are %s dates whose difference equals %s within %s", d.Issued, d.Expires, d.Layout, e.Spec.Member("expires_in"), d.Tolerance.Duration)
	}
	return []Check{{Req: req, Concern: Expiry, Title: title, Run: func(t *T) {
		d := t.Env.Spec.Response.Dates
		if d == nil {
			t.Skipf("spec %s names no response.dates", t.Env.Spec.Name)
		}
		if !d.Known() {
			t.Errorf("spec %s: unknown date layout %q", t.Env.Spec.Name, d.Layout)
			return
		}
		eachSuccess(t, func(ex *wire.Exchange) {
			examined(t, ex, func() { checkDates(t, ex, d) })
		})
	}}}
}

func checkDates(t *T, ex *wire.Exchange, d *specs.Dates) {
	m, err := ex.Object()
	if err != nil {
		t.Errorf("%s: %v", ex.Label, err)
		return
	}
	issued, ok1 := parseDate(t, ex, m, d, d.Issued)
	expires, ok2 := parseDate(t, ex, m, d, d.Expires)
	if !ok1 || !ok2 {
		return
	}
	member := t.Env.Spec.Member("expires_in")
	lifetime, ok := statedLifetime(m[member])
	if !ok {
		t.Errorf("%s: %s is %s, so the dates cannot be compared with it", ex.Label, member, jsonTypeOf(m[member]))
		return
	}
	span := expires.Sub(issued)
	if diff := (span - lifetime).Abs(); diff > d.Tolerance.Duration {
		t.Errorf("%s: %s − %s is %s, but %s is %s (%s apart, more than the %s allowed)",
			ex.Label, d.Expires, d.Issued, span, member, lifetime, diff, d.Tolerance.Duration)
	}
}

// parseDate reads one date member in the spec's layout.
func parseDate(t *T, ex *wire.Exchange, m map[string]any, d *specs.Dates, member string) (time.Time, bool) {
	v, present := m[member]
	s, isString := v.(string)
	switch {
	case !present:
		t.Errorf("%s: no %s member", ex.Label, member)
		return time.Time{}, false
	case !isString:
		t.Errorf("%s: %s is %s, not a %s date string", ex.Label, member, jsonTypeOf(v), d.Layout)
		return time.Time{}, false
	}
	at, err := d.Parse(s)
	if err != nil {
		t.Errorf("%s: %s %q is not a %s date (%v)", ex.Label, member, s, d.Layout, err)
		return time.Time{}, false
	}
	return at, true
}

// statedLifetime reads an expires_in value: a JSON number or a string of
// digits (whichever the spec allows is the schema's business; here only
// the value matters).
func statedLifetime(v any) (time.Duration, bool) {
	var f float64
	var err error
	switch x := v.(type) {
	case json.Number:
		f, err = x.Float64()
	case string:
		f, err = strconv.ParseFloat(strings.TrimSpace(x), 64)
	default:
		return 0, false
	}
	if err != nil || f < 0 {
		return 0, false
	}
	return time.Duration(f * float64(time.Second)), true
}

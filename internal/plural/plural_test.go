package plural

import "testing"

func TestN(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{N(0, "spec"), "0 specs"},
		{N(1, "spec"), "1 spec"},
		{Irregular(1, "failure waived", "failures waived"), "1 failure waived"},
		{Irregular(5, "entry", "entries"), "5 entries"},
	} {
		if c.got != c.want {
			t.Errorf("%q, want %q", c.got, c.want)
		}
	}
}

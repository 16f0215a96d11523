package target

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseTarget feeds arbitrary bytes to the target-file loader: it never
// panics, and every error is a TargetError naming the file (and, when it
// names a key, one the file may have). Seeds: testdata/fuzz/FuzzParseTarget.
func FuzzParseTarget(f *testing.F) {
	f.Add([]byte("endpoint: https://idp.example/token\nclient_id: c\nclient_secret: ${HOME}\n"))
	f.Add([]byte("max_rps: 2.5\nmax_failed_logins: 3\nallow_http: true\n"))
	f.Add([]byte("grants: [password, 1]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tf, err := Parse("fuzz.yaml", b)
		if err == nil {
			if tf == nil || tf.Path != "fuzz.yaml" {
				t.Fatalf("no error and target %+v", tf)
			}
			return
		}
		var te *Error
		if !errors.As(err, &te) {
			t.Fatalf("error %T is not a target.Error: %v", err, err)
		}
		if te.File != "fuzz.yaml" || !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
			t.Errorf("error does not name the file: %v", err)
		}
		if te.Key != "" && !strings.Contains(te.Problem, "unknown key") {
			known := false
			for _, k := range Keys() {
				known = known || k == te.Key
			}
			if !known {
				t.Errorf("error names %q, not a target key: %v", te.Key, err)
			}
		}
	})
}

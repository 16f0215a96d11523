package interop

import (
	"testing"

	"github.com/tokencert/tokencert/target"
)

func init() {
	implementations = append(implementations, implementation{name: "fosite-code", module: "github.com/ory/fosite", start: startFositeCode})
}

// startFositeCode is startFosite with its clients registered for the
// authorization code and refresh grants alone, as most deployed clients
// are: the target says so (grants), and every token the checks need comes
// through a code the login form brings back.
func startFositeCode(t testing.TB, c serverConfig) endpoints {
	t.Helper()
	e := startFositeFor(t, c, []string{"authorization_code", "refresh_token"})
	e.adjust = func(tf *target.Target) { tf.Grants = []string{"authorization_code", "refresh_token"} }
	return e
}

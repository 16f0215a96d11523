package redact

import (
	"slices"
	"testing"
)

func TestSecretsListsRegisteredValues(t *testing.T) {
	r := New()
	r.Add("password", "pw-2")
	r.Add("client_secret", "cs-1")
	r.Add("client_secret", "cs-1")
	r.Add("access_token", "")
	if got := r.Secrets(); !slices.Equal(got, []string{"cs-1", "pw-2"}) {
		t.Errorf("Secrets() = %q", got)
	}
}

package target

import (
	"strings"
	"testing"
)

func TestBadURLMessageHidesCredentials(t *testing.T) {
	_, err := checkURL("t.yaml", "endpoint", "ftp://client:SUPERSECRET@idp.example/token")
	if err == nil || strings.Contains(err.Error(), "SUPERSECRET") || !strings.Contains(err.Error(), "idp.example") {
		t.Errorf("error %v", err)
	}
}

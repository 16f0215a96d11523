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

// params fill the endpoint's {variables} (path-escaped) and expand ${VAR};
// a variable without a value is refused naming the key and its line.
func TestParams(t *testing.T) {
	t.Setenv("TOKENCERT_TEST_REGION", "eu-1")
	tg, err := Parse("t.yaml", []byte("endpoint: https://idp.example/{tenant}/oauth2/token\nparams: {tenant: acme corp, region: '${TOKENCERT_TEST_REGION}'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := tg.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r.Endpoint != "https://idp.example/acme%20corp/oauth2/token" || r.Params["region"] != "eu-1" || len(r.PathParams) != 1 || r.PathParams[0] != "tenant" {
		t.Errorf("resolved %q %v %v", r.Endpoint, r.Params, r.PathParams)
	}
	tg, err = Parse("t.yaml", []byte("client_id: c\nendpoint: https://idp.example/{tenant}/token\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tg.Resolve()
	if err = tg.Locate(err); err == nil || !strings.HasPrefix(err.Error(), "t.yaml:2: endpoint: {tenant} has no value") {
		t.Errorf("error %v", err)
	}
}

// Every target key says what it gives (an incomplete run's report shows it).
func TestEveryKeyHasADoc(t *testing.T) {
	for _, k := range Keys() {
		if KeyDoc(k) == "" {
			t.Errorf("target key %s: no KeyDoc", k)
		}
	}
}

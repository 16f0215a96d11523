package refserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/specs"
)

// startStatements starts the server speaking the spec that makes every
// statement of issue 20 (cmd/tokencert/testdata/statements.yaml).
func startStatements(t *testing.T, faults ...Fault) *harness {
	t.Helper()
	spec, err := specs.Load("../cmd/tokencert/testdata/statements.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return start(t, Options{Spec: spec, Lifetime: 2 * time.Second, Faults: faults})
}

// tokenAccept sends a client_credentials request with an Accept header
// ("" for none).
func (h *harness) tokenAccept(accept string) reply {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.base+h.spec.Request.Path, strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return h.send(req)
}

// The conformant server: an unknown code or device code is invalid_grant
// (or the code the spec documents, with the RFC status where it documents
// none), a redirect mismatch likewise, Basic and body at once is
// invalid_request, a malformed Basic header invalid_client with a
// challenge; the success media type follows Accept; unix dates are epoch
// seconds whose difference is expires_in.
func TestFormatStatements(t *testing.T) {
	t.Parallel()
	h := start(t, Options{Lifetime: shortLifetime})
	wantError(t, h.token(codeForm("never-issued", testVerifier), mainBasic), 400, "invalid_grant")
	wantError(t, h.token(deviceForm("never-issued"), mainBasic), 400, "invalid_grant")
	wantError(t, h.token(withValue(withValue(ccForm(), "client_id", testCreds.ClientID), "client_secret", testCreds.ClientSecret), mainBasic), 400, "invalid_request")
	req, _ := http.NewRequest(http.MethodPost, h.base+"/token", strings.NewReader(ccForm().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic tokencert%not*base64")
	r := h.send(req)
	wantError(t, r, 401, "invalid_client")
	if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Basic") {
		t.Errorf("malformed Basic: no Basic challenge: %q", r.header.Get("WWW-Authenticate"))
	}
	redirect := codeForm(h.code(testVerifier).Get("code"), testVerifier)
	wantError(t, h.token(withValue(redirect, "redirect_uri", RedirectURI+"/other"), mainBasic), 400, "invalid_grant")

	s := startStatements(t)
	wantError(t, s.token(codeForm("never-issued", testVerifier), mainBasic), 400, "bad_verification_code")
	wantError(t, s.token(deviceForm("never-issued"), mainBasic), 400, "incorrect_device_code")
	if r := s.tokenAccept(""); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), specs.FormMediaType) || !strings.Contains(string(r.body), "access_token=") {
		t.Errorf("no Accept: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	m := mustToken(t, s.tokenAccept("application/json"))
	nb, _ := strconv.ParseInt(m["not_before"].(string), 10, 64)
	eo, _ := strconv.ParseInt(m["expires_on"].(string), 10, 64)
	if eo-nb != 2 || m["expires_in"].(json.Number).String() != "2" || time.Since(time.Unix(nb, 0)).Abs() > time.Minute {
		t.Errorf("dates %v %v, expires_in %v", m["not_before"], m["expires_on"], m["expires_in"])
	}
}

func init() {
	faultCases[FaultCodeUnknownInvalidRequest.Name] = func(t *testing.T, h *harness) {
		wantError(t, h.token(codeForm("never-issued", testVerifier), mainBasic), 400, "invalid_request")
		mustToken(t, h.token(codeForm(h.code(testVerifier).Get("code"), testVerifier), mainBasic))
	}
	faultCases[FaultDeviceCodeUnknownPending.Name] = func(t *testing.T, h *harness) {
		wantError(t, h.token(deviceForm("never-issued"), mainBasic), 400, "authorization_pending")
	}
	faultCases[FaultMultipleAuthAccepted.Name] = func(t *testing.T, h *harness) {
		mustToken(t, h.token(withValue(withValue(ccForm(), "client_id", testCreds.ClientID), "client_secret", testCreds.ClientSecret), mainBasic))
	}
	faultCases[FaultMalformedBasic500.Name] = func(t *testing.T, h *harness) {
		req, _ := http.NewRequest(http.MethodPost, h.base+"/token", strings.NewReader(ccForm().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Basic tokencert%not*base64")
		if r := h.send(req); r.status != http.StatusInternalServerError {
			t.Errorf("status %d, want 500: %s", r.status, r.body)
		}
		wantError(t, h.token(ccForm(), basic(testCreds.ClientID, "wrong")), 401, "invalid_client")
	}
	faultCases[FaultAcceptIgnored.Name] = func(t *testing.T, _ *harness) {
		s := startStatements(t, FaultAcceptIgnored)
		if r := s.tokenAccept(""); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("no Accept: %d %q", r.status, r.header.Get("Content-Type"))
		}
	}
	faultCases[FaultDatesMilliseconds.Name] = func(t *testing.T, h *harness) {
		m := mustToken(t, startStatements(t, FaultDatesMilliseconds).tokenAccept("application/json"))
		nb, _ := strconv.ParseInt(m["not_before"].(string), 10, 64)
		if time.UnixMilli(nb).Sub(time.Now()).Abs() > time.Minute {
			t.Errorf("not_before %v is not epoch milliseconds", m["not_before"])
		}
		if _, has := mustToken(t, h.token(ccForm(), mainBasic))["not_before"]; has {
			t.Error("a spec without dates got dates")
		}
	}
	faultCases[FaultLifetimeOutOfRange.Name] = func(t *testing.T, h *harness) {
		m := mustToken(t, h.token(ccForm(), mainBasic))
		if want := strconv.FormatInt(10*int64((shortLifetime+time.Second-1)/time.Second), 10); m["expires_in"].(json.Number).String() != want {
			t.Errorf("expires_in %v, want %s", m["expires_in"], want)
		}
	}
}

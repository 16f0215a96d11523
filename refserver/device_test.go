package refserver

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tokencert/tokencert/grants"
)

// deviceStart asks for a device code for the main client.
func (h *harness) deviceStart() map[string]any {
	h.t.Helper()
	r := h.form(http.MethodPost, devicePath, "scope=read", mainBasic)
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil || r.status != 200 {
		h.t.Fatalf("device authorization: %d %v", r.status, err)
	}
	return m
}

// approve signs in at the verification page and decides.
func (h *harness) approve(userCode, decision string) {
	h.t.Helper()
	resp, err := http.PostForm(h.base+deviceVerifyPath, url.Values{"user_code": {userCode}, "username": {testCreds.Username},
		"password": {testCreds.Password}, "decision": {decision}})
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
}

func deviceForm(code string) url.Values {
	return url.Values{"grant_type": {grants.DeviceCode.Name}, "device_code": {code}}
}

// The conformant device grant: pending, slow_down for a poll too soon,
// the token once approved (and only once), access_denied, expired_token.
func TestDeviceGrant(t *testing.T) {
	t.Parallel()
	h := start(t, Options{})
	h.srv.deviceLifetime = 10 * time.Minute
	d := h.deviceStart()
	for _, k := range []string{"device_code", "user_code", "verification_uri", "verification_uri_complete", "expires_in", "interval"} {
		if d[k] == nil {
			t.Errorf("device authorization response lacks %s: %v", k, d)
		}
	}
	code := d["device_code"].(string)
	wantError(t, h.token(deviceForm(code), mainBasic), 400, "authorization_pending")
	wantError(t, h.token(deviceForm(code), mainBasic), 400, "slow_down")
	h.approve(d["user_code"].(string), "approve")
	mustToken(t, h.token(deviceForm(code), mainBasic))
	wantError(t, h.token(deviceForm(code), mainBasic), 400, "invalid_grant")

	denied := h.deviceStart()
	h.approve(denied["user_code"].(string), "deny")
	wantError(t, h.token(deviceForm(denied["device_code"].(string)), mainBasic), 400, "access_denied")

	h.srv.deviceLifetime = 0
	wantError(t, h.token(deviceForm(h.deviceStart()["device_code"].(string)), mainBasic), 400, "expired_token")
}

func init() {
	faultCases[FaultDeviceResponseIncomplete.Name] = func(t *testing.T, h *harness) {
		if d := h.deviceStart(); d["verification_uri"] != nil {
			t.Errorf("verification_uri present: %v", d)
		}
	}
	faultCases[FaultDeviceTokenEarly.Name] = func(t *testing.T, h *harness) {
		mustToken(t, h.token(deviceForm(h.deviceStart()["device_code"].(string)), mainBasic))
	}
	faultCases[FaultDeviceApprovalIgnored.Name] = func(t *testing.T, h *harness) {
		d := h.deviceStart()
		h.approve(d["user_code"].(string), "approve")
		wantError(t, h.token(deviceForm(d["device_code"].(string)), mainBasic), 400, "authorization_pending")
	}
	faultCases[FaultDeviceDenialIgnored.Name] = func(t *testing.T, h *harness) {
		d := h.deviceStart()
		h.approve(d["user_code"].(string), "deny")
		mustToken(t, h.token(deviceForm(d["device_code"].(string)), mainBasic))
	}
	faultCases[FaultDeviceExpiredPending.Name] = func(t *testing.T, h *harness) {
		h.srv.deviceLifetime = 0
		wantError(t, h.token(deviceForm(h.deviceStart()["device_code"].(string)), mainBasic), 400, "authorization_pending")
	}
}

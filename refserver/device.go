package refserver

import (
	"crypto/rand"
	"html/template"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/specs"
)

// The device authorization grant (RFC 8628).
const (
	devicePath        = "/device"
	deviceVerifyPath  = "/device/verify"
	deviceInterval    = time.Second
	deviceLifetimeDef = 3 * time.Second
)

// deviceRecord is what the server knows of a device authorization.
type deviceRecord struct {
	client, userCode string
	scope            []string
	issued, lastPoll time.Time
	interval         time.Duration
	approved         string // the approving user, or ""
	denied, used     bool
}

// devices holds the device authorizations, by device_code.
type devices struct {
	mu sync.Mutex
	m  map[string]*deviceRecord
}

func (d *devices) with(f func(map[string]*deviceRecord)) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]*deviceRecord{}
	}
	f(d.m)
}

// The device grant's own failure conditions (RFC 8628 §3.5): they are
// errors of the token endpoint, in RFC 6749 §5.2's format.
var (
	devicePending = &probes.Condition{Name: "authorization_pending", Answer: specs.ErrorCase{Codes: []string{"authorization_pending"}, Statuses: []int{http.StatusBadRequest}},
		Description: "the user has not yet approved the device"}
	deviceSlowDown = &probes.Condition{Name: "slow_down", Answer: specs.ErrorCase{Codes: []string{"slow_down"}, Statuses: []int{http.StatusBadRequest}},
		Description: "polling too fast: the interval is now 5 seconds longer"}
	deviceExpired = &probes.Condition{Name: "expired_token", Answer: specs.ErrorCase{Codes: []string{"expired_token"}, Statuses: []int{http.StatusBadRequest}},
		Description: "the device code has expired"}
	deviceDenied = &probes.Condition{Name: "access_denied", Answer: specs.ErrorCase{Codes: []string{"access_denied"}, Statuses: []int{http.StatusBadRequest}},
		Description: "the user denied the authorization"}
)

// userCode is eight characters of RFC 8628 §6.1's example alphabet (no
// vowels, no look-alikes).
func userCode() string {
	const alphabet = "BCDFGHJKLMNPQRSTVWXZ"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// serveDevice is the device authorization endpoint (RFC 8628 §3.1-§3.2):
// a POST by an authenticated (or public) client, answered with the device
// code, the user code, the verification URIs, expires_in and interval.
func (s *Server) serveDevice(w http.ResponseWriter, r *http.Request) {
	// A hostile server is hostile at its device endpoint too.
	if s.hostile(w, r) {
		return
	}
	req, c, ok := s.clientPost(w, r, false)
	if !ok {
		return
	}
	sc, aerr := s.grantScope(req, s.spec.Refserver.Scopes, false)
	if aerr != nil {
		s.writeError(w, r, aerr)
		return
	}
	code, uc := randomToken(), userCode()
	s.devices.with(func(m map[string]*deviceRecord) {
		m[code] = &deviceRecord{client: c.id, userCode: uc, scope: sc.scope, issued: s.now(), interval: deviceInterval}
	})
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	verify := scheme + "://" + r.Host + deviceVerifyPath
	body := object{{"device_code", code}, {"user_code", uc}}
	if !s.has(FaultDeviceResponseIncomplete) {
		body = append(body, member{"verification_uri", verify})
	}
	body = append(body, member{"verification_uri_complete", verify + "?" + url.Values{"user_code": {uc}}.Encode()},
		member{"expires_in", int64(s.deviceLifetime.Seconds())}, member{"interval", int64(deviceInterval.Seconds())})
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, "application/json", body)
}

var devicePage = template.Must(template.New("device").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>tokencert reference server: approve a device</title></head>
<body><h1>Approve the device {{.UserCode}}</h1>{{if .Message}}<p id="message">{{.Message}}</p>{{end}}
{{if .Form}}<form method="post" action="{{.Action}}"><input type="hidden" name="user_code" value="{{.UserCode}}">
<label>Username <input id="username" name="username" type="text"></label>
<label>Password <input id="password" name="password" type="password"></label>
<button id="submit" type="submit" name="decision" value="approve">Approve</button>
<button id="deny" type="submit" name="decision" value="deny">Deny</button>
</form>{{end}}</body></html>
`))

// serveDeviceVerify is the verification page (RFC 8628 §3.3): the user
// signs in with the user code and approves or denies the device.
func (s *Server) serveDeviceVerify(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed request", http.StatusBadRequest)
		return
	}
	uc := r.Form.Get("user_code")
	show := func(msg string, form bool) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = devicePage.Execute(w, struct {
			UserCode, Message, Action string
			Form                      bool
		}{uc, msg, deviceVerifyPath, form})
	}
	if r.Method != http.MethodPost {
		show("", true)
		return
	}
	if !s.reg.resourceOwner(r.PostForm.Get("username"), r.PostForm.Get("password")) {
		show("The username or password is wrong.", true)
		return
	}
	found := false
	s.devices.with(func(m map[string]*deviceRecord) {
		for _, d := range m {
			if d.userCode == uc && s.now().Sub(d.issued) < s.deviceLifetime {
				found = true
				if r.PostForm.Get("decision") == "deny" && s.has(FaultDeviceDenialIgnored) {
					d.approved = r.PostForm.Get("username")
				} else if r.PostForm.Get("decision") == "deny" {
					d.denied = true
				} else if !s.has(FaultDeviceApprovalIgnored) {
					d.approved = r.PostForm.Get("username")
				}
			}
		}
	})
	if !found {
		show("No device is waiting with this code.", true)
		return
	}
	show("Done: you may return to your device.", false)
}

// grantDeviceCode serves the device access token request (RFC 8628 §3.4,
// §3.5): authorization_pending until the user decides, slow_down for a
// poll sooner than the interval (which then grows by 5 seconds),
// access_denied, expired_token after expires_in, and the tokens once.
func (s *Server) grantDeviceCode(req *tokenRequest, c client) (*grant, *apiError) {
	code := req.get("device_code")
	if code == "" {
		return nil, fail(probes.MissingParam)
	}
	var g *grant
	var e *apiError
	now := s.now()
	s.devices.with(func(m map[string]*deviceRecord) {
		d, ok := m[code]
		switch {
		case !ok && s.has(FaultDeviceCodeUnknownPending):
			e = fail(devicePending)
		case !ok || d.client != c.id || d.used:
			e = fail(probes.BadDeviceCode)
		case now.Sub(d.issued) >= s.deviceLifetime && !s.has(FaultDeviceExpiredPending):
			e = fail(deviceExpired)
		case s.has(FaultDeviceTokenEarly) && d.approved == "":
			d.used = true
			g = &grant{client: c.id, scope: scopeGrant{scope: d.scope}}
		case d.denied:
			e = fail(deviceDenied)
		case d.approved == "" && !d.lastPoll.IsZero() && now.Sub(d.lastPoll) < d.interval-100*time.Millisecond:
			d.interval += 5 * time.Second
			e = fail(deviceSlowDown)
		case d.approved == "":
			e = fail(devicePending)
		default:
			d.used = true
			g = &grant{client: c.id, username: d.approved, scope: scopeGrant{scope: d.scope},
				refresh: s.issuesRefresh(grants.DeviceCode.Name), refreshScope: d.scope}
		}
		if ok {
			d.lastPoll = now
		}
	})
	return g, e
}

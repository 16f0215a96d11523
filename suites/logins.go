package suites

import (
	"fmt"
	"sync"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/suites/wire"
)

// DefaultMaxFailedLogins is how many token requests with a wrong resource-
// owner password a run sends when the target sets no max_failed_logins.
const DefaultMaxFailedLogins = 3

// logins counts the wrong-password requests a run sends, so that a run
// cannot lock out the test user (identity providers commonly lock an
// account after a few failed logins).
type logins struct {
	mu     sync.Mutex
	sent   int
	capped map[*wire.Exchange]string // requests not sent -> why
}

// maxFailedLogins is the target's cap: Target.MaxFailedLogins, or the
// default when the target sets none.
func (e *Env) maxFailedLogins() int {
	if n := e.Target.MaxFailedLogins; n != nil {
		return max(*n, 0)
	}
	return DefaultMaxFailedLogins
}

// failedLogin reports whether params log the target's resource owner in
// with a password that is not theirs.
func (e *Env) failedLogin(params []probes.Param) bool {
	var grant, user, password string
	hasPassword := false
	for _, p := range params {
		switch p.Name {
		case "grant_type":
			grant = p.Value
		case "username":
			user = p.Value
		case "password":
			password, hasPassword = p.Value, true
		}
	}
	return grant == "password" && hasPassword && user == e.Target.Username && password != e.Target.Password
}

// takeFailedLogin reserves one wrong-password request, or returns a
// not-sent exchange saying why the cap forbids it.
func (e *Env) takeFailedLogin(label, url string) *wire.Exchange {
	e.logins.mu.Lock()
	defer e.logins.mu.Unlock()
	limit := e.maxFailedLogins()
	if e.logins.sent < limit {
		e.logins.sent++
		return nil
	}
	why := fmt.Sprintf("the max_failed_logins cap (%d) stops it: it would be wrong-password request %d for user %s, and the cap keeps a run from locking out the test user (raise the target key max_failed_logins to run it)",
		limit, e.logins.sent+1, e.Target.Username)
	ex := &wire.Exchange{Exchange: result.Exchange{Label: label, Request: result.Message{URL: e.Redactor.URL(url)}, Err: "not sent: " + why}}
	if e.logins.capped == nil {
		e.logins.capped = map[*wire.Exchange]string{}
	}
	e.logins.capped[ex] = why
	return ex
}

// FailedLogins is how many wrong-password requests the run has sent.
func (e *Env) FailedLogins() int {
	e.logins.mu.Lock()
	defer e.logins.mu.Unlock()
	return e.logins.sent
}

// cappedWhy says why ex was not sent, if the failed-login cap stopped it.
func (e *Env) cappedWhy(ex *wire.Exchange) (string, bool) {
	e.logins.mu.Lock()
	defer e.logins.mu.Unlock()
	why, ok := e.logins.capped[ex]
	return why, ok
}

package lint

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/tokencert/tokencert/authorize"
	"github.com/tokencert/tokencert/redact"
	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites"
	"github.com/tokencert/tokencert/suites/wire"
)

// trialTimeout bounds one fault's trial.
const trialTimeout = time.Minute

// tryFaults runs, for each fault a requirement names (faults:), the
// requirement's checks against the reference server in memory with that
// fault: a fault under which every check passes cannot break the
// requirement, and shows nothing.
func (l *linter) tryFaults(s *specs.Spec) {
	for _, r := range s.Requirements {
		for _, name := range r.Faults {
			f, err := refserver.FaultByName(name)
			if err != nil {
				continue // faults() reports it
			}
			broke, exercised, err := trial(s, r.ID, f)
			line := l.requirementLine(r.ID)
			switch {
			case err != nil:
				l.add(Warning, line, "requirement %s: fault %s could not be tried against the reference server: %v", r.ID, name, err)
			case !exercised:
				l.add(Warning, line, "requirement %s: fault %s could not be tried: no check of the requirement could run against the reference server", r.ID, name)
			case !broke:
				l.add(Error, line, "requirement %s: fault %s cannot break it: every check of the requirement passes against the reference server with that fault (tokencert faults lists what each does)", r.ID, name)
			}
		}
	}
}

// trial runs the checks of requirement id against the reference server
// speaking s with fault f, and says whether one of them failed and
// whether any was carried out at all.
func trial(s *specs.Spec, id string, f refserver.Fault) (broke, exercised bool, err error) {
	srv, err := refserver.New(refserver.Options{Spec: s, Lifetime: time.Second, Faults: []refserver.Fault{f}})
	if err != nil {
		return false, false, err
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		return false, false, err
	}
	defer srv.Close()
	tg := srv.Target()
	tg.ClientAuth, tg.AllowSecretInURL = s.Request.ClientAuth, true
	tg.Skew = &specs.Duration{Duration: 500 * time.Millisecond}
	tg.MaxWait = specs.Duration{Duration: 30 * time.Second}
	resolved, err := tg.Resolve()
	if err != nil {
		return false, false, err
	}
	timeout := 2 * time.Second
	if f.Stalls {
		timeout = time.Second
	}
	env, err := suites.NewEnv(s, resolved, wire.New(redact.New(), wire.Options{Timeout: timeout}), io.Discard)
	if err != nil {
		return false, false, err
	}
	if a := resolved.Authorize; a != nil && a.Form {
		env.Authorizer = authorize.Form{Client: &http.Client{Timeout: timeout}, Username: resolved.Username, Password: resolved.Password,
			RedirectURI: a.RedirectURI, DenyButton: a.Deny}
	}
	plan, err := env.Plan()
	if err != nil {
		return false, false, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), trialTimeout)
	defer cancel()
	for i := range plan {
		c := &plan[i]
		if c.Req.ID != id {
			continue
		}
		res := suites.Execute(ctx, env, c)
		if len(res.Problems) > 0 {
			return true, true, nil
		}
		if res.Skipped == "" && res.Errored == "" {
			exercised = true
		}
	}
	return false, exercised, nil
}

package refserver

import (
	"net/http"
	"net/url"
	"testing"
)

func init() {
	faultCases[FaultClientSecretAccepted.Name] = func(t *testing.T, _ *harness) {
		// rfc7523 offers no secret method: HTTP Basic is no client
		// authentication there, unless the fault accepts it.
		for _, f := range []*Fault{nil, &FaultClientSecretAccepted} {
			o := Options{Spec: loadSpec(t, "rfc7523")}
			if f != nil {
				o.Faults = []Fault{*f}
			}
			r := start(t, o).token(ccForm(), mainBasic)
			if got, want := r.status == http.StatusOK, f != nil; got != want {
				t.Errorf("fault %v: status %d: %s", f != nil, r.status, r.body)
			}
		}
	}
	faultCases[FaultPasswordGrantServed.Name] = func(t *testing.T, _ *harness) {
		form := url.Values{"grant_type": {"password"}, "username": {testCreds.Username}, "password": {testCreds.Password}}
		for _, f := range []*Fault{nil, &FaultPasswordGrantServed} {
			o := Options{Spec: loadSpec(t, "rfc9068")}
			if f != nil {
				o.Faults = []Fault{*f}
			}
			r := start(t, o).token(form, mainBasic)
			if got, want := r.status == http.StatusOK, f != nil; got != want {
				t.Errorf("fault %v: status %d: %s", f != nil, r.status, r.body)
			}
		}
	}
	faultCases[FaultJWTAlgRS256.Name] = func(t *testing.T, _ *harness) {
		for _, f := range []*Fault{nil, &FaultJWTAlgRS256} {
			spec := *loadSpec(t, "rfc9068")
			j := *spec.Response.JWT
			j.Alg = "PS256"
			spec.Response.JWT = &j
			o := Options{Spec: &spec}
			want := "PS256"
			if f != nil {
				o.Faults, want = []Fault{*f}, "RS256"
			}
			h := start(t, o)
			at, _ := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
			if header, _, _ := jwtParts(t, at); header["alg"] != want {
				t.Errorf("fault %v: header %v, want alg %s", f != nil, header, want)
			}
		}
	}
}

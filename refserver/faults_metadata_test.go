package refserver

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// metadataWith is the oauth21 server's metadata document, with fault f
// (nil: none).
func metadataWith(t *testing.T, f *Fault) (*harness, map[string]any) {
	t.Helper()
	o := Options{Spec: loadSpec(t, "oauth21")}
	if f != nil {
		o.Faults = []Fault{*f}
	}
	h := start(t, o)
	req, _ := http.NewRequest(http.MethodGet, h.base+metadataPath, nil)
	r := h.send(req)
	if r.status != http.StatusOK {
		t.Fatalf("metadata: status %d: %s", r.status, r.body)
	}
	return h, r.obj(t)
}

func init() {
	faultCases[FaultMetadataIssuerMismatch.Name] = func(t *testing.T, _ *harness) {
		for _, f := range []*Fault{nil, &FaultMetadataIssuerMismatch} {
			h, m := metadataWith(t, f)
			if got, want := m["issuer"] == h.base, f == nil; got != want {
				t.Errorf("fault %v: issuer %v, base %s", f != nil, m["issuer"], h.base)
			}
			if h.srv.Target().Issuer != h.base {
				t.Errorf("the target's issuer is %q, want %q", h.srv.Target().Issuer, h.base)
			}
		}
	}
	faultCases[FaultMetadataHTTPEndpoints.Name] = func(t *testing.T, _ *harness) {
		for _, f := range []*Fault{nil, &FaultMetadataHTTPEndpoints} {
			_, m := metadataWith(t, f)
			for _, k := range []string{"revocation_endpoint", "introspection_endpoint"} {
				u, err := url.Parse(fmt.Sprint(m[k]))
				if got, want := err == nil && u.Scheme == "http" && u.Hostname() != "127.0.0.1", f != nil; got != want {
					t.Errorf("fault %v: %s is %v", f != nil, k, m[k])
				}
			}
			if strings.Contains(fmt.Sprint(m["token_endpoint"]), ".invalid") {
				t.Errorf("fault %v: token_endpoint %v", f != nil, m["token_endpoint"])
			}
		}
	}
	faultCases[FaultMetadataGrantUnserved.Name] = func(t *testing.T, _ *harness) {
		const te = "urn:ietf:params:oauth:grant-type:token-exchange"
		for _, f := range []*Fault{nil, &FaultMetadataGrantUnserved} {
			h, m := metadataWith(t, f)
			grants, _ := m["grant_types_supported"].([]any)
			if got, want := slices.Contains(grants, any(te)), f != nil; got != want {
				t.Errorf("fault %v: grant_types_supported %v", f != nil, grants)
			}
			if r := h.token(url.Values{"grant_type": {te}}, mainBasic); r.str(t, "error") != "unsupported_grant_type" {
				t.Errorf("fault %v: token exchange answered %d %s", f != nil, r.status, r.body)
			}
		}
	}
	faultCases[FaultMetadataGrantOmitted.Name] = func(t *testing.T, _ *harness) {
		for _, f := range []*Fault{nil, &FaultMetadataGrantOmitted} {
			h, m := metadataWith(t, f)
			grants, _ := m["grant_types_supported"].([]any)
			if got, want := slices.Contains(grants, any("refresh_token")), f == nil; got != want {
				t.Errorf("fault %v: grant_types_supported %v", f != nil, grants)
			}
			// The token endpoint serves it either way.
			rt := mustToken(t, h.token(codeForm(h.code(testVerifier).Get("code"), testVerifier), mainBasic))["refresh_token"].(string)
			mustToken(t, h.token(refreshForm(rt), mainBasic))
		}
	}
	faultCases[FaultMetadataSigningAlgsMissing.Name] = func(t *testing.T, _ *harness) {
		for _, f := range []*Fault{nil, &FaultMetadataSigningAlgsMissing} {
			_, m := metadataWith(t, f)
			methods, _ := m["introspection_endpoint_auth_methods_supported"].([]any)
			if got, want := slices.Contains(methods, any("private_key_jwt")), f != nil; got != want {
				t.Errorf("fault %v: introspection_endpoint_auth_methods_supported %v", f != nil, methods)
			}
			if _, ok := m["introspection_endpoint_auth_signing_alg_values_supported"]; ok {
				t.Errorf("fault %v: introspection_endpoint_auth_signing_alg_values_supported is there", f != nil)
			}
		}
		// A server whose clients sign assertions lists the algorithms.
		h := start(t, Options{Spec: loadSpec(t, "rfc7523")})
		req, _ := http.NewRequest(http.MethodGet, h.base+metadataPath, nil)
		m := h.send(req).obj(t)
		methods, _ := m["token_endpoint_auth_methods_supported"].([]any)
		algs, _ := m["token_endpoint_auth_signing_alg_values_supported"].([]any)
		if !slices.Contains(methods, any("private_key_jwt")) || !slices.Contains(algs, any("ES256")) || slices.Contains(methods, any("")) {
			t.Errorf("rfc7523: token_endpoint_auth_methods_supported %v, signing algs %v", methods, algs)
		}
	}
	faultCases[FaultMetadataPKCEPlainListed.Name] = func(t *testing.T, _ *harness) {
		for _, f := range []*Fault{nil, &FaultMetadataPKCEPlainListed} {
			h, m := metadataWith(t, f)
			methods, _ := m["code_challenge_methods_supported"].([]any)
			if got, want := slices.Contains(methods, any("plain")), f != nil; got != want || !slices.Contains(methods, any("S256")) {
				t.Errorf("fault %v: code_challenge_methods_supported %v", f != nil, methods)
			}
			if p := h.codePKCE(testVerifier, "plain"); p.Get("error") != "invalid_request" {
				t.Errorf("fault %v: plain answered %v, want invalid_request", f != nil, p)
			}
		}
	}
	faultCases[FaultMetadataPKCEPlainOnly.Name] = func(t *testing.T, _ *harness) {
		for _, f := range []*Fault{nil, &FaultMetadataPKCEPlainOnly} {
			_, m := metadataWith(t, f)
			methods, _ := m["code_challenge_methods_supported"].([]any)
			if got, want := slices.Contains(methods, any("S256")), f == nil; got != want {
				t.Errorf("fault %v: code_challenge_methods_supported %v", f != nil, methods)
			}
		}
	}
}

func init() {
	// The conformant server refuses plain and a missing challenge at the
	// authorization endpoint (invalid_request); the faults issue the code
	// and the token endpoint redeems it.
	pkceCase := func(fault Fault, challenge, method, verifier string) func(t *testing.T, _ *harness) {
		return func(t *testing.T, _ *harness) {
			for _, f := range []*Fault{nil, &fault} {
				o := Options{Spec: loadSpec(t, "oauth21")}
				if f != nil {
					o.Faults = []Fault{*f}
				}
				h := start(t, o)
				p := h.codePKCE(challenge, method)
				if f == nil {
					if p.Get("error") != "invalid_request" || p.Get("code") != "" {
						t.Errorf("conformant: the authorization answered %v, want error=invalid_request", p)
					}
					continue
				}
				if r := h.token(codeForm(p.Get("code"), verifier), mainBasic); r.status != http.StatusOK {
					t.Errorf("fault: the code was not redeemed: %d %s", r.status, r.body)
				}
			}
		}
	}
	faultCases[FaultPKCEPlainAccepted.Name] = pkceCase(FaultPKCEPlainAccepted, testVerifier, "plain", testVerifier)
	faultCases[FaultPKCEOptional.Name] = pkceCase(FaultPKCEOptional, "", "", testVerifier)
	faultCases[FaultPKCEOptionalPublic.Name] = func(t *testing.T, _ *harness) {
		for _, f := range []*Fault{nil, &FaultPKCEOptionalPublic} {
			o := Options{Spec: loadSpec(t, "oauth21")}
			if f != nil {
				o.Faults = []Fault{*f}
			}
			h := start(t, o)
			// The confidential client's request without a challenge is
			// refused either way.
			if p := h.codePKCE("", ""); p.Get("error") != "invalid_request" {
				t.Errorf("fault %v: the confidential client's authorization answered %v", f != nil, p)
			}
			p := h.codeFor(h.srv.PublicClientID(), "", "")
			if f == nil {
				if p.Get("error") != "invalid_request" || p.Get("code") != "" {
					t.Errorf("conformant: the public client's authorization answered %v, want error=invalid_request", p)
				}
				continue
			}
			mustToken(t, h.token(withValue(codeForm(p.Get("code"), ""), "client_id", h.srv.PublicClientID()), noAuth))
			// A verifier for such a code is still a downgrade, refused.
			p = h.codeFor(h.srv.PublicClientID(), "", "")
			f := withValue(codeForm(p.Get("code"), testVerifier), "client_id", h.srv.PublicClientID())
			wantError(t, h.token(f, noAuth), 400, "invalid_grant")
		}
	}
}

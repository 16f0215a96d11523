package refserver

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/target"
)

func TestQuirkRegistry(t *testing.T) {
	t.Parallel()
	all := Quirks()
	if !slices.IsSortedFunc(all, func(a, b Quirk) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("Quirks() is not sorted by name")
	}
	seen := map[string]bool{}
	for _, q := range all {
		if seen[q.Name] {
			t.Errorf("quirk %s listed twice", q.Name)
		}
		seen[q.Name] = true
		if _, err := FaultByName(q.Name); err == nil {
			t.Errorf("quirk %s has the name of a fault", q.Name)
		}
		if q.Doc == "" || q.Seen == "" || q.Name != strings.ToLower(q.Name) || strings.ContainsAny(q.Name, " _") || len(q.Concerns) == 0 {
			t.Errorf("quirk %+v: want a kebab-case name, a doc, where it was seen and the requirements it concerns", q)
		}
		for _, id := range q.Concerns {
			if _, ok := specs.Lookup(id); !ok {
				t.Errorf("quirk %s concerns %q, which is not in the catalogue", q.Name, id)
			}
		}
		if got, err := QuirkByName(q.Name); err != nil || got.Name != q.Name {
			t.Errorf("QuirkByName(%q) = %+v, %v", q.Name, got, err)
		}
	}
	if _, err := QuirkByName("nope"); err == nil || !strings.Contains(err.Error(), "scope-free-form") {
		t.Errorf("QuirkByName(nope): %v, want an error listing the quirks", err)
	}
	if _, err := New(Options{Spec: loadSpec(t, "rfc6749"), Quirks: []Quirk{{Name: "nope"}}}); err == nil {
		t.Error("New accepted an unknown quirk")
	}
	if got := QuirksFor(loadSpec(t, "rfc9068")); slices.ContainsFunc(got, func(q Quirk) bool { return q.Name == QuirkCodeOtherClientInvalidClient.Name }) {
		t.Errorf("QuirksFor(rfc9068) lists %s, whose requirement rfc9068 does not have", QuirkCodeOtherClientInvalidClient.Name)
	}
}

// Each quirk behaves as its doc says, and the conformant server does not.
func TestQuirks(t *testing.T) {
	t.Parallel()
	for name, test := range quirkTests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			q, err := QuirkByName(name)
			if err != nil {
				t.Fatal(err)
			}
			test(t, start(t, Options{Quirks: []Quirk{q}}), start(t, Options{}))
		})
	}
	for _, q := range Quirks() {
		if quirkTests[q.Name] == nil {
			t.Errorf("quirk %s has no test", q.Name)
		}
	}
}

// quirkTests show each quirk on h, and the conformant behaviour on plain.
var quirkTests = map[string]func(t *testing.T, h, plain *harness){
	QuirkCodeOtherClientInvalidClient.Name: func(t *testing.T, h, plain *harness) {
		for _, x := range []struct {
			h      *harness
			status int
			code   string
		}{{h, 401, "invalid_client"}, {plain, 400, "invalid_grant"}} {
			p := x.h.code(testVerifier)
			r := x.h.token(codeForm(p.Get("code"), testVerifier), otherBasic)
			wantError(t, r, x.status, x.code)
			if x.status == 401 && r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without a challenge")
			}
		}
	},
	QuirkPrivateKeyJWTUnlisted.Name: func(t *testing.T, h, plain *harness) {
		tg := h.srv.Target()
		if !slices.Equal(tg.ClientAuth, []string{target.AuthPrivateKeyJWT}) || len(tg.AssertionKeyData) == 0 {
			t.Fatalf("target client_auth %v, key %d bytes: want private_key_jwt and its key", tg.ClientAuth, len(tg.AssertionKeyData))
		}
		if pt := plain.srv.Target(); len(pt.ClientAuth) != 0 || len(pt.AssertionKeyData) != 0 {
			t.Errorf("the conformant rfc6749 server's target names client_auth %v and a key", pt.ClientAuth)
		}
		k, err := target.ParseAssertionKey(tg.AssertionKeyData, "", tg.AssertionAlg)
		if err != nil {
			t.Fatal(err)
		}
		j := &jwtHarness{harness: h, key: k}
		mustToken(t, j.send(j.sign(t, j.claims(), nil)))
		// Without the quirk rfc6749's server reads no assertion: the
		// request has no client authentication.
		p := &jwtHarness{harness: plain, key: k}
		wantError(t, p.send(p.sign(t, p.claims(), nil)), 401, "invalid_client")
	},
	QuirkScopeFreeForm.Name: func(t *testing.T, h, plain *harness) {
		if m := mustToken(t, h.token(withValue(ccForm(), "scope", "read anything-at-all"), mainBasic)); m["scope"] != "read anything-at-all" {
			t.Errorf("scope %v, want the scope as requested", m["scope"])
		}
		wantError(t, plain.token(withValue(ccForm(), "scope", "read anything-at-all"), mainBasic), 400, "invalid_scope")
		// A refresh still grants no more than the original grant.
		m := mustToken(t, h.token(withValue(passwordForm(), "scope", "read"), mainBasic))
		wantError(t, h.token(withValue(refreshForm(m["refresh_token"].(string)), "scope", "read anything-at-all"), mainBasic), 400, "invalid_scope")
	},
	QuirkIntrospectionForbidden.Name: func(t *testing.T, h, plain *harness) {
		at := mustToken(t, h.token(ccForm(), mainBasic))["access_token"].(string)
		if r := h.introspect(at, mainBasic); r.status != http.StatusForbidden {
			t.Errorf("introspection by the main client: %d %s, want 403", r.status, r.body)
		}
		if r := h.introspect(at, otherBasic); r.status != 200 || r.obj(t)["active"] != true {
			t.Errorf("introspection by the second client: %d %s, want 200 active", r.status, r.body)
		}
		if !plain.active(mustToken(t, plain.token(ccForm(), mainBasic))["access_token"].(string)) {
			t.Error("the conformant server does not let the main client introspect")
		}
	},
	QuirkWrongMethod401.Name: func(t *testing.T, h, plain *harness) {
		r := h.raw(http.MethodGet, "grant_type=client_credentials", mainBasic)
		if r.status != 401 || r.header.Get("WWW-Authenticate") != "" || r.header.Get("Allow") != "" {
			t.Errorf("GET: %d, challenge %q, Allow %q; want 401 with neither", r.status, r.header.Get("WWW-Authenticate"), r.header.Get("Allow"))
		}
		if r := plain.raw(http.MethodGet, "grant_type=client_credentials", mainBasic); r.status != 405 {
			t.Errorf("the conformant server answers GET %d, want 405", r.status)
		}
		// The token endpoint's own 401s keep their challenge.
		if r := h.token(ccForm(), basic(testCreds.ClientID, "wrong")); r.status != 401 || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("wrong secret: %d, challenge %q", r.status, r.header.Get("WWW-Authenticate"))
		}
	},
	QuirkRefreshNeedsOfflineAccess.Name: func(t *testing.T, h, plain *harness) {
		redeem := func(x *harness, extra url.Values) map[string]any {
			q := url.Values{"response_type": {"code"}, "client_id": {testCreds.ClientID}, "redirect_uri": {RedirectURI},
				"state": {"st"}, "scope": {"read"}, "code_challenge": {pkceS256(testVerifier)}, "code_challenge_method": {"S256"}}
			for k, v := range extra {
				q[k] = v
			}
			return mustToken(t, x.token(codeForm(x.authorize(q).Get("code"), testVerifier), mainBasic))
		}
		for _, c := range []struct {
			h     *harness
			extra url.Values
			want  bool
		}{
			{h, nil, false},
			{h, url.Values{"scope": {"read offline_access"}}, true},
			{h, url.Values{"prompt": {"consent"}}, true},
			{plain, nil, true},
		} {
			if _, has := redeem(c.h, c.extra)["refresh_token"]; has != c.want {
				t.Errorf("authorization request with %v: refresh token %v, want %v", c.extra, has, c.want)
			}
		}
		wantError(t, plain.token(withValue(ccForm(), "scope", "offline_access"), mainBasic), 400, "invalid_scope")
	},
}

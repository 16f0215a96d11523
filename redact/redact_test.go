package redact

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestEveryEncodedFormIsReplaced(t *testing.T) {
	r := New()
	secret := "s3cr3t+/=&value"
	fp := r.Add("client_secret", secret)
	for _, form := range []string{
		secret,
		url.QueryEscape(secret),
		base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.RawURLEncoding.EncodeToString([]byte(secret)),
	} {
		out := r.String("before " + form + " after")
		if strings.Contains(out, form) || !strings.Contains(out, fp) {
			t.Errorf("form %q: got %q", form, out)
		}
	}
}

func TestFingerprintsAreStable(t *testing.T) {
	r := New()
	a := r.Add("access_token", "token-one-value")
	if b := r.Add("refresh_token", "token-one-value"); a != b {
		t.Errorf("same value, two fingerprints: %s %s", a, b)
	}
	if c := r.Add("access_token", "token-two-value"); c == a {
		t.Errorf("two values, one fingerprint %s", a)
	}
}

func TestHeaderKeepsSchemeDropsCredentials(t *testing.T) {
	r := New()
	h := r.Header(http.Header{"Authorization": {"Basic Y2xpZW50OnNlY3JldA=="}})
	got := h.Get("Authorization")
	if !strings.HasPrefix(got, "Basic [credentials#") || strings.Contains(got, "Y2xpZW50") {
		t.Errorf("Authorization redacted to %q", got)
	}
}

func TestFormAndURL(t *testing.T) {
	r := New()
	out := r.Form("grant_type=password&username=alice&password=hunter22")
	if strings.Contains(out, "hunter22") {
		t.Errorf("password left in %q", out)
	}
	u := r.URL("https://client:topsecret@example.test/o/token/")
	if strings.Contains(u, "topsecret") {
		t.Errorf("userinfo password left in %q", u)
	}
}

// Redacting what is already redacted changes nothing: a token first seen
// in a response body and then in an Authorization header keeps the one
// fingerprint, however often the evidence holding it is redacted again.
func TestRedactingTwiceKeepsOneFingerprint(t *testing.T) {
	r := New()
	fp := r.Add("access_token", "tok-0123456789")
	h := http.Header{"Authorization": {"Bearer tok-0123456789"}}
	once := r.Header(h)
	twice := r.Header(once)
	if got := twice.Get("Authorization"); got != "Bearer "+fp {
		t.Errorf("twice redacted: %q, want %q", got, "Bearer "+fp)
	}
	body := r.String(`{"access_token":"tok-0123456789"}`)
	if again := r.String(body); again != body || !strings.Contains(body, fp) {
		t.Errorf("body %q, again %q", body, again)
	}
	if len(r.Secrets()) != 1 {
		t.Errorf("secrets %q: a fingerprint was registered as a secret", r.Secrets())
	}
}

func TestWeak(t *testing.T) {
	for s, want := range map[string]bool{
		"secret": true, "Secret": true, "SECRET": true, "password": true, "changeme": true, "abc": true, "s3cr3t": true,
		"secretValue": false, "password1": false, "correcthorsebatterystaple": false, "XkQpLmZrTbWa": false, "s3cr3t+/=&value": false,
	} {
		if got := Weak(s); got != want {
			t.Errorf("Weak(%q) = %v, want %v", s, got, want)
		}
	}
}

// A weak secret is replaced where it is the value of a secret's name, and
// nowhere else: the words of the prose, and the same word as another
// parameter's value, stay as they are; its base64 forms go everywhere.
func TestWeakSecretReplacedWhereItIsTheSecret(t *testing.T) {
	r := New()
	fp := r.Add("client_secret", "secret")
	pw := r.Add("password", "password")
	r.Name("clientSecret")
	for in, want := range map[string]string{
		"grant_type=password&username=alice&password=password":         "grant_type=password&username=alice&password=" + pw,
		"client_id=c&client_secret=secret":                             "client_id=c&client_secret=" + fp,
		`{"client_secret": "secret", "grant_type":"password"}`:         `{"client_secret": "` + fp + `", "grant_type":"password"}`,
		`{"clientSecret":"secret"}`:                                    `{"clientSecret":"` + fp + `"}`,
		"a wrong client secret in the client_secret parameter":         "a wrong client secret in the client_secret parameter",
		"the password grant: client_secret=secrets is not it":          "the password grant: client_secret=secrets is not it",
		"Basic " + base64.StdEncoding.EncodeToString([]byte("secret")): "Basic " + fp,
	} {
		if got := r.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
	if names := r.Names(); !slices.Contains(names, "clientSecret") || !slices.Contains(names, "client_secret") {
		t.Errorf("Names() = %q", names)
	}
}

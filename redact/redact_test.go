package redact

import (
	"encoding/base64"
	"net/http"
	"net/url"
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

package suites

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func samples(n int, f func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

// The entropy estimate fails what a few samples show to be weak, and never
// a token that carries 128 random bits, however it is written.
func TestAnalyseTokens(t *testing.T) {
	uuid4 := func(int) string {
		b := randomBytes(16)
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		h := hex.EncodeToString(b)
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	}
	prefix := base64.RawURLEncoding.EncodeToString(randomBytes(32))
	now := time.Now().UnixNano()
	for _, c := range []struct {
		name   string
		tokens func(i int) string
		strong bool
	}{
		{"256 random bits, base64url", func(int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(32)) }, true},
		{"128 random bits, hex", func(int) string { return hex.EncodeToString(randomBytes(16)) }, true},
		{"128 random bits, upper-case hex", func(int) string { return strings.ToUpper(hex.EncodeToString(randomBytes(16))) }, true},
		{"a timestamp, then 256 random bits", func(i int) string {
			return fmt.Sprint(now+int64(i)) + "." + base64.RawURLEncoding.EncodeToString(randomBytes(32))
		}, true},
		{"UUIDv4 (122 bits)", uuid4, false}, // with 12 samples; see below
		{"a fixed prefix and a counter", func(i int) string { return fmt.Sprintf("%s-%08d", prefix, i+1) }, false},
		{"a timestamp alone", func(i int) string { return fmt.Sprint(now + int64(i)*1e6) }, false},
		{"64 random bits, hex", func(int) string { return hex.EncodeToString(randomBytes(8)) }, false},
	} {
		// The fewest samples the check judges, and a typical run's.
		for _, n := range []int{entropySamples - 1, 12} {
			if !c.strong && n < 12 && strings.HasPrefix(c.name, "UUID") {
				continue // four samples cannot tell its five fixed characters from chance
			}
			for range 200 {
				a := analyse(samples(n, c.tokens))
				if (a.judged >= entropyBits) != c.strong {
					t.Errorf("%s, %d samples: %s", c.name, n, a.describe())
					break
				}
			}
		}
	}
	if a := analyse(samples(5, func(i int) string { return fmt.Sprintf("%s-%08d", prefix, i+1) })); !a.counter {
		t.Errorf("a counter not named: %s", a.describe())
	}
}

func TestBearerChallengeError(t *testing.T) {
	for _, c := range []struct {
		values    []string
		challenge bool
		code      string
	}{
		{[]string{`Bearer realm="x", error="invalid_token", error_description="expired"`}, true, "invalid_token"},
		{[]string{`Bearer error = "invalid_token"`}, true, "invalid_token"},
		{[]string{`bearer realm="x"`}, true, ""},
		{[]string{`Bearer`}, true, ""},
		{[]string{`Basic realm="x", error="invalid_token"`}, false, ""},
		{[]string{`Basic realm="x"`, `Bearer realm="y", error="invalid_request"`}, true, "invalid_request"},
		{nil, false, ""},
	} {
		if ch, code := bearerChallengeError(c.values); ch != c.challenge || code != c.code {
			t.Errorf("%q: %v %q, want %v %q", c.values, ch, code, c.challenge, c.code)
		}
	}
}

func TestEchoSearch(t *testing.T) {
	secret := "s3cret/with+signs&more"
	for _, text := range []string{
		"x" + secret,
		"a=" + strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(secret, "/", "%2F"), "+", "%2B"), "&", "%26"),
		base64.StdEncoding.EncodeToString([]byte(secret)),
		base64.RawURLEncoding.EncodeToString([]byte(secret)),
		`{"d":"s3cret/with+signs\u0026more"}`,
	} {
		if echoedIn(text, secret) == "" {
			t.Errorf("%q: the secret is not found", text)
		}
	}
	if echoedIn("nothing here", secret) != "" {
		t.Error("found in unrelated text")
	}
	rt := "rt-abc/def"
	body := `{"access_token":"a","refresh_token":"rt-abc\/def","scope":"read"}`
	if got := withoutReturnedRefreshToken(body, "refresh_token", rt); strings.Contains(got, "abc") {
		t.Errorf("the returned refresh token is kept: %s", got)
	}
	body = `{"refresh_token":"new","error_description":"rt-abc/def"}`
	if got := withoutReturnedRefreshToken(body, "refresh_token", rt); echoedIn(got, rt) == "" {
		t.Errorf("an echo elsewhere is removed: %s", got)
	}
}

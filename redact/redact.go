// Package redact replaces secrets (client secrets, passwords, tokens) with
// stable fingerprints wherever they might be written: evidence, messages,
// logs. The same value gets the same fingerprint within one Redactor, so an
// auditor can follow a token through a refresh without seeing it.
package redact

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// minLen is the shortest value replaced inside free text; shorter secrets
// are still replaced where they stand structurally (headers, parameters).
const minLen = 4

// SecretParams are request parameters whose values are always redacted.
var SecretParams = []string{"client_secret", "password", "refresh_token", "access_token", "token", "assertion", "client_assertion", "code"}

// Redactor knows the secrets of one run.
type Redactor struct {
	key []byte

	mu       sync.RWMutex
	fp       map[string]string // secret value -> fingerprint
	made     map[string]bool   // the fingerprints themselves
	forms    map[string]string // every encoded form -> fingerprint
	replacer *strings.Replacer
}

// New returns a Redactor with a fresh fingerprint key.
func New() *Redactor {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &Redactor{key: key, fp: map[string]string{}, made: map[string]bool{}, forms: map[string]string{}}
}

// Add registers a secret of the given kind ("client_secret", "access_token",
// ...) and returns its fingerprint. Empty values are ignored, and so is a
// fingerprint of this Redactor's: redacting twice changes nothing, so one
// value keeps one fingerprint however often what holds it is redacted.
func (r *Redactor) Add(kind, value string) string {
	if value == "" {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if fp, ok := r.fp[value]; ok {
		return fp
	}
	if r.made[value] {
		return value
	}
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(value))
	fp := "[" + kind + "#" + hex.EncodeToString(m.Sum(nil))[:8] + "]"
	r.fp[value] = fp
	r.made[fp] = true
	if len(value) >= minLen {
		for _, f := range encodings(value) {
			if _, taken := r.forms[f]; !taken {
				r.forms[f] = fp
			}
		}
	}
	r.replacer = nil
	return fp
}

// encodings are the forms in which a secret may appear in text we write.
func encodings(v string) []string {
	js, _ := json.Marshal(v)
	out := []string{
		v,
		url.QueryEscape(v),
		url.PathEscape(v),
		strings.Trim(string(js), `"`),
		base64.StdEncoding.EncodeToString([]byte(v)),
		base64.RawStdEncoding.EncodeToString([]byte(v)),
		base64.URLEncoding.EncodeToString([]byte(v)),
		base64.RawURLEncoding.EncodeToString([]byte(v)),
	}
	return out
}

func (r *Redactor) rep() *strings.Replacer {
	r.mu.RLock()
	rep := r.replacer
	r.mu.RUnlock()
	if rep != nil {
		return rep
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	forms := make([]string, 0, len(r.forms))
	for f := range r.forms {
		forms = append(forms, f)
	}
	// Longest first, so a secret inside a longer registered value is not
	// replaced before the longer one.
	sort.Slice(forms, func(i, j int) bool {
		if len(forms[i]) != len(forms[j]) {
			return len(forms[i]) > len(forms[j])
		}
		return forms[i] < forms[j]
	})
	pairs := make([]string, 0, 2*len(forms))
	for _, f := range forms {
		pairs = append(pairs, f, r.forms[f])
	}
	r.replacer = strings.NewReplacer(pairs...)
	return r.replacer
}

// String returns s with every registered secret replaced.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	return r.rep().Replace(s)
}

// Header returns a copy of h with credentials replaced: Authorization and
// Proxy-Authorization keep their scheme, Cookie values go, and every other
// value has registered secrets replaced.
func (r *Redactor) Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			switch http.CanonicalHeaderKey(k) {
			case "Authorization", "Proxy-Authorization":
				scheme, cred, _ := strings.Cut(v, " ")
				if cred == "" {
					v = r.Add("credentials", scheme)
				} else {
					v = scheme + " " + r.Add("credentials", cred)
				}
			case "Cookie", "Set-Cookie":
				v = r.Add("cookie", v)
			default:
				v = r.String(v)
			}
			out[k] = append(out[k], v)
		}
	}
	return out
}

// URL returns u with any userinfo password and secret query parameters
// replaced.
func (r *Redactor) URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return r.String(raw)
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), r.Add("client_secret", p))
		}
	}
	if u.RawQuery != "" {
		u.RawQuery = r.Form(u.RawQuery)
	}
	return r.String(u.String())
}

// Form redacts the values of secret parameters in a form-encoded string and
// any registered secret elsewhere in it.
func (r *Redactor) Form(s string) string {
	q, err := url.ParseQuery(s)
	if err != nil {
		return r.String(s)
	}
	for _, name := range SecretParams {
		for _, v := range q[name] {
			r.Add(name, v)
		}
	}
	return r.String(s)
}

// Secrets returns every registered secret value, sorted, for a last scan of
// what a run wrote (reports.Scan).
func (r *Redactor) Secrets() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.fp))
	for v := range r.fp {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

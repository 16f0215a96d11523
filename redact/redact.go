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
	"slices"
	"sort"
	"strings"
	"sync"
)

// Weak reports whether a secret is too short or too plain to be told from
// the words around it: shorter than 8 bytes, or one word (letters only, in
// lower case, capitalised or upper case) of at most 16. A weak secret is
// replaced only where it stands as the value of a secret's name (AsValue:
// client_secret=…, "password":"…"; Basic credentials go whole, see
// Header), not wherever its letters occur: a client secret "secret" must
// neither turn every "client_secret" of a message into a fingerprint nor
// make the leak scan (reports.Scan) find it in the prose of a report, and
// a password "password" must leave grant_type=password alone.
func Weak(s string) bool {
	if len(s) < 8 {
		return true
	}
	if len(s) > 16 {
		return false
	}
	lower, upper := 0, 0
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
			lower++
		case c >= 'A' && c <= 'Z':
			if i > 0 && lower > 0 {
				return false // "secretValue": not a word as typed
			}
			upper++
		default:
			return false
		}
	}
	return lower == 0 || upper <= 1
}

// ValueClosers may follow a parameter's value: the next parameter's "&",
// the end of a quoted string or an element, an escaped quote, white space
// and punctuation.
const ValueClosers = "&\"'<\\ \t\r\n,;)}]%"

// AsValue reports whether v stands at text[i:] as the value of one of
// names: a form parameter (name=v, then a closer or the end) or a JSON
// member ("name":"v"). That is where a weak secret is the secret.
func AsValue(text string, i int, v string, names []string) bool {
	before, after := text[:i], text[i+len(v):]
	for _, n := range names {
		if strings.HasSuffix(before, n+"=") && (after == "" || strings.IndexByte(ValueClosers, after[0]) >= 0) {
			return true
		}
	}
	if !strings.HasSuffix(before, `"`) || !strings.HasPrefix(after, `"`) {
		return false
	}
	b := strings.TrimRight(before[:len(before)-1], " \t\r\n")
	if !strings.HasSuffix(b, ":") {
		return false
	}
	b = strings.TrimRight(b[:len(b)-1], " \t\r\n")
	for _, n := range names {
		if strings.HasSuffix(b, `"`+n+`"`) {
			return true
		}
	}
	return false
}

// SecretParams are request parameters whose values are always redacted.
var SecretParams = []string{"client_secret", "password", "refresh_token", "access_token", "token", "assertion", "client_assertion", "code"}

// Redactor knows the secrets of one run.
type Redactor struct {
	key []byte

	mu    sync.RWMutex
	fp    map[string]string // secret value -> fingerprint
	made  map[string]bool   // the fingerprints themselves
	forms map[string]string // every encoded form -> fingerprint
	// weak are the weak secrets' forms that are replaced only where they
	// stand as the value of one of names (Weak), longest first.
	weak     []weakForm
	names    []string
	replacer *strings.Replacer
}

// weakForm is a form of a weak secret and its fingerprint.
type weakForm struct{ form, fp string }

// New returns a Redactor with a fresh fingerprint key.
func New() *Redactor {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &Redactor{key: key, fp: map[string]string{}, made: map[string]bool{}, forms: map[string]string{}, names: slices.Clone(SecretParams)}
}

// Name registers names of parameters and members whose values are secrets
// (a spec's names for the secret parameters of RFC 6749, such as
// clientSecret), beside SecretParams and the kinds secrets were added as.
func (r *Redactor) Name(names ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range names {
		if n != "" {
			r.addName(n)
		}
	}
}

// addName adds a name, copying the list: String reads it unlocked.
func (r *Redactor) addName(n string) {
	if !slices.Contains(r.names, n) {
		ns := append(slices.Clone(r.names), n)
		slices.Sort(ns)
		r.names = ns
	}
}

// Names returns the names whose values are secrets, sorted, for a last
// scan of what a run wrote (reports.Scan).
func (r *Redactor) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Clone(r.names)
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
	r.addName(kind)
	weak := slices.Clone(r.weak) // String reads the list unlocked
	for i, f := range encodings(value) {
		if Weak(value) && (i < textForms || len(f) < minFragment) {
			// Where a weak secret's letters stand in text they may be a
			// word; only its base64 forms, long enough not to occur by
			// chance, are replaced wherever they are.
			if i < textForms && !slices.ContainsFunc(weak, func(w weakForm) bool { return w.form == f }) {
				weak = append(weak, weakForm{f, fp})
			}
			continue
		}
		if _, taken := r.forms[f]; !taken {
			r.forms[f] = fp
		}
	}
	slices.SortStableFunc(weak, func(a, b weakForm) int { return len(b.form) - len(a.form) })
	r.weak = weak
	r.replacer = nil
	return fp
}

// minFragment is the shortest base64 form of a weak secret replaced
// wherever it stands (8 characters, 48 bits: no chance match).
const minFragment = 8

// textForms is how many of encodings' forms are text (the rest are base64).
const textForms = 4

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

// String returns s with every registered secret replaced: a weak one
// (Weak) where it stands as the value of a secret's name.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	s = r.rep().Replace(s)
	r.mu.RLock()
	weak, names := r.weak, r.names
	r.mu.RUnlock()
	for _, w := range weak {
		for from := 0; from < len(s); {
			i := strings.Index(s[from:], w.form)
			if i < 0 {
				break
			}
			i += from
			if AsValue(s, i, w.form, names) {
				s = s[:i] + w.fp + s[i+len(w.form):]
				from = i + len(w.fp)
				continue
			}
			from = i + 1
		}
	}
	return s
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

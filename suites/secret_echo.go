package suites

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "no-secret-echo", Plan: planNoSecretEcho, Requirements: []string{"TOKENCERT-NO-SECRET-ECHO"},
		Fix: "Never return a credential the client sent (client secret, password, refresh token presented) in a body, header or redirect: error descriptions and logs of the request included.",
		Doc: "no response of the run (body, header or redirect) carries a credential the client sent (client secret, password, a refresh token it presented), plain, URL-encoded, base64 or JSON-escaped; a refresh response's own `refresh_token` member may return the presented one (no rotation)"})
}

// sentExchange is one request as it was sent (raw, secrets included) and
// its exchange.
type sentExchange struct {
	req wire.Request
	ex  *wire.Exchange
}

// sentLog records every exchange of the run, for the checks that judge
// them all (PhaseFinal). The raw requests never leave memory.
type sentLog struct {
	mu  sync.Mutex
	all []sentExchange
}

func (l *sentLog) add(r wire.Request, ex *wire.Exchange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, sentExchange{req: r, ex: ex})
}

func (l *sentLog) list() []sentExchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.all)
}

// minEchoLen is the shortest credential searched for: a shorter one would
// be found by chance in ordinary text.
const minEchoLen = 8

// credential is a secret a request carried, named for messages (never
// printed itself).
type credential struct{ kind, value string }

// requestCredentials are the credentials a raw request carried: the HTTP
// Basic secret (and the Basic credentials as sent), and the client secret,
// password and refresh token parameters of its URI and body, under their
// wire names.
func (e *Env) requestCredentials(r wire.Request) []credential {
	var out []credential
	if scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Basic") {
		out = append(out, credential{"Basic credentials", strings.TrimSpace(cred)})
		if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
			if _, secret, ok := strings.Cut(string(raw), ":"); ok {
				if s, err := url.QueryUnescape(secret); err == nil {
					secret = s
				}
				out = append(out, credential{"client secret", secret})
			}
		}
	}
	names := map[string]string{e.Spec.Param("client_secret"): "client secret", e.Spec.Param("password"): "password", e.Spec.Param("refresh_token"): "refresh token"}
	add := func(name, v string) {
		if kind, ok := names[name]; ok && v != "" {
			out = append(out, credential{kind, v})
		}
	}
	if u, err := url.Parse(r.URL); err == nil {
		for k, vs := range u.Query() {
			for _, v := range vs {
				add(k, v)
			}
		}
		if u.User != nil {
			if p, ok := u.User.Password(); ok {
				out = append(out, credential{"client secret", p})
			}
		}
	}
	if obj := decodeObject(string(r.Body)); obj != nil {
		for k, v := range obj {
			if s, ok := v.(string); ok {
				add(k, s)
			}
		}
	} else if q, err := url.ParseQuery(string(r.Body)); err == nil {
		for k, vs := range q {
			for _, v := range vs {
				add(k, v)
			}
		}
	}
	return out
}

// echoForms are the encodings a credential is searched in, by name.
func echoForms(v string) [][2]string {
	js, _ := json.Marshal(v)
	forms := [][2]string{
		{"as sent", v},
		{"URL-encoded", url.QueryEscape(v)},
		{"URL-path-encoded", url.PathEscape(v)},
		{"JSON-escaped", strings.Trim(string(js), `"`)},
		{"JSON-escaped", strings.ReplaceAll(strings.Trim(string(js), `"`), "/", `\/`)},
		{"base64-encoded", base64.StdEncoding.EncodeToString([]byte(v))},
		{"base64-encoded", base64.RawStdEncoding.EncodeToString([]byte(v))},
		{"base64url-encoded", base64.URLEncoding.EncodeToString([]byte(v))},
		{"base64url-encoded", base64.RawURLEncoding.EncodeToString([]byte(v))},
	}
	var out [][2]string
	seen := map[string]bool{}
	for _, f := range forms {
		if !seen[f[1]] {
			seen[f[1]] = true
			out = append(out, f)
		}
	}
	return out
}

// echoedIn says where (and in which encoding) text carries v, or "".
func echoedIn(text, v string) string {
	for _, f := range echoForms(v) {
		if strings.Contains(text, f[1]) {
			return f[0]
		}
	}
	return ""
}

// withoutReturnedRefreshToken removes from a successful refresh response's
// body its refresh_token member when that member is the refresh token the
// request presented: a server that does not rotate returns it (RFC 6749
// §6), which is no echo of a secret. Anywhere else the presented token is.
func withoutReturnedRefreshToken(body, member, rt string) string {
	js, _ := json.Marshal(rt)
	escaped := strings.Trim(string(js), `"`)
	for _, q := range []string{rt, escaped, strings.ReplaceAll(escaped, "/", `\/`)} {
		re := regexp.MustCompile(`("` + regexp.QuoteMeta(member) + `"\s*:\s*)"` + regexp.QuoteMeta(q) + `"`)
		if loc := re.FindStringSubmatchIndex(body); loc != nil {
			return body[:loc[3]] + `""` + body[loc[1]:]
		}
	}
	return body
}

func planNoSecretEcho(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Security, Phase: PhaseFinal, Title: "no response carries a credential the client sent", Run: func(t *T) {
		global := []credential{{"client secret", t.Env.Target.ClientSecret}, {"password", t.Env.Target.Password}, {"second client's secret", t.Env.Target.OtherClientSecret}}
		log := t.Env.sent.list()
		responses, searched := 0, map[string]bool{}
		var short []string
		for _, s := range log {
			if s.ex.Response == nil {
				continue
			}
			responses++
			creds := append(slices.Clone(global), t.Env.requestCredentials(s.req)...)
			body := string(s.ex.Body())
			presentedRT := ""
			for _, c := range creds {
				if c.kind == "refresh token" {
					presentedRT = c.value
				}
			}
			if presentedRT != "" && s.ex.Status() >= 200 && s.ex.Status() < 300 {
				body = withoutReturnedRefreshToken(body, t.Env.Spec.Member("refresh_token"), presentedRT)
			}
			reported := map[string]bool{}
			for _, c := range creds {
				if c.value == "" {
					continue
				}
				if len(c.value) < minEchoLen {
					if !slices.Contains(short, c.kind) {
						short = append(short, c.kind)
					}
					continue
				}
				searched[c.kind] = true
				var where []string
				if enc := echoedIn(body, c.value); enc != "" {
					where = append(where, "its body ("+enc+")")
				}
				for _, name := range slices.Sorted(maps.Keys(s.ex.Header())) {
					for _, v := range s.ex.Header()[name] {
						if enc := echoedIn(v, c.value); enc != "" {
							what := "header " + name
							if strings.EqualFold(name, "Location") {
								what = "its redirect (Location)"
							}
							where = append(where, what+" ("+enc+")")
						}
					}
				}
				if len(where) > 0 && !reported[c.kind] {
					reported[c.kind] = true
					t.Evidence(s.ex)
					t.Errorf("%s: the response carries the %s the request sent, in %s", s.ex.Label, c.kind, strings.Join(where, ", "))
				}
			}
		}
		if responses == 0 || len(searched) == 0 {
			t.Skipf("no response to search, or no credential of at least %d characters to search for (%d responses)", minEchoLen, responses)
		}
		t.Examined(responses)
		kinds := slices.Sorted(maps.Keys(searched))
		t.Notef("searched %d responses (bodies and headers, redirects included) for the %s, each plain, URL-encoded, base64/base64url-encoded and JSON-escaped", responses, strings.Join(kinds, ", "))
		if len(short) > 0 {
			t.Notef("not searched for, being shorter than %d characters (they would be found by chance): %s", minEchoLen, strings.Join(short, ", "))
		}
	}}}
}

// describeCount is "1 token" or "3 tokens".
func describeCount(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

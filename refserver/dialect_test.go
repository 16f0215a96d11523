package refserver

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/tokencert/tokencert/specs"
)

// acmeSpec is a made-up dialect that turns every knob of the spec format
// away from RFC 6749, to show the server takes all of it from the data.
const acmeSpec = `
name: acme
title: Acme token API
summary: A made-up dialect for the reference server's tests.
document: {title: Acme API, file: acme.pdf}
request:
  method: POST
  path: /oauth/v2/token
  encoding: json
  client_auth: [body]
  params: {client_id: clientId, client_secret: clientSecret, grant_type: grantType}
  required: [audience]
  max_length: {scope: 20}
grants:
  - type: client_credentials
  - type: password
response:
  schema: rfc6749/token-response.json
  members: {access_token: accessToken, expires_in: expiresIn}
  token_type: bearer
  expires_in: string
  echo: [{member: audience, param: audience}]
  dates: {issued: issuedAt, expires: expiresAt, layout: RFC3339, tolerance: 2s}
  jwt: {alg: ES256, claims: {aud: audience}, skew: 5s}
  new_token_discards_old: true
errors:
  schema: rfc6749/error-response.json
  media_type: application/problem+json
  template: {type: "about:blank", status: "$status", title: "$title", detail: "$description", instance: "$path", error: "$code"}
  conditions:
    no_client_auth: {codes: [unauthorized], statuses: [401], title: Unauthorized client}
    invalid_parameter: {codes: [invalid_target], statuses: [400]}
    malformed_body: {codes: [bad_json], statuses: [400]}
    repeated_parameter: {codes: [bad_json], statuses: [400]}
    wrong_method: {codes: [method_not_allowed], statuses: [405]}
requirements:
  - {id: RFC6749-5.1-STATUS-200, cite: "Acme §1"}
refserver:
  lifetime: 10m
  scopes: [orders]
  extra: {role: tester}
  audience: https://api.acme.test
`

const acmeAudience = "https://api.acme.test"

func acme(t testing.TB) *specs.Spec {
	t.Helper()
	s, err := specs.Parse("acme.yaml", []byte(acmeSpec))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// post sends a JSON body to the acme token endpoint.
func (h *harness) postJSON(body string) reply {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.base+h.spec.Request.Path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return h.send(req)
}

func acmeRequest(extra map[string]string) string {
	m := map[string]string{"grantType": "client_credentials", "clientId": testCreds.ClientID,
		"clientSecret": testCreds.ClientSecret, "audience": acmeAudience}
	for k, v := range extra {
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestDialectSuccess(t *testing.T) {
	t.Parallel()
	h := start(t, Options{Spec: acme(t)})
	before := time.Now().Truncate(time.Second)
	r := h.postJSON(acmeRequest(nil))
	m := mustToken(t, r)
	want := map[string]any{"token_type": "bearer", "expiresIn": "600", "scope": "orders", "role": "tester", "audience": acmeAudience}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %#v, want %#v", k, m[k], v)
		}
	}
	if r.header.Get("Content-Type") != "application/json" || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", r.header)
	}
	issued, err1 := time.Parse(time.RFC3339, m["issuedAt"].(string))
	expires, err2 := time.Parse(time.RFC3339, m["expiresAt"].(string))
	if err1 != nil || err2 != nil || expires.Sub(issued) != 10*time.Minute || issued.Before(before) {
		t.Errorf("dates %v, %v", m["issuedAt"], m["expiresAt"])
	}
	at := m["accessToken"].(string)
	claims := verifyES256(t, h, at)
	if claims["aud"] != acmeAudience || claims["client_id"] != testCreds.ClientID || claims["scope"] != "orders" {
		t.Errorf("claims %v", claims)
	}
	if exp, iat := claims["exp"].(json.Number), claims["iat"].(json.Number); mustInt(t, exp)-mustInt(t, iat) != 600 {
		t.Errorf("exp %s - iat %s != 600", exp, iat)
	}
	if r := h.resource("Bearer " + at); r.status != 200 {
		t.Errorf("resource: %d", r.status)
	}
	tg := h.srv.Target()
	if tg.Endpoint != h.base+"/oauth/v2/token" || tg.Audience != acmeAudience || tg.Scope != "orders" || tg.Spec != "acme.yaml" {
		t.Errorf("target %+v", tg)
	}

	// The password grant, without a refresh grant, issues no refresh token.
	p := mustToken(t, h.postJSON(acmeRequest(map[string]string{"grantType": "password", "username": testCreds.Username, "password": testCreds.Password})))
	if p["refresh_token"] != nil {
		t.Errorf("refresh token without the refresh_token grant: %v", p)
	}
	// new_token_discards_old: the first client token is gone; the
	// password-grant token, of another resource owner, is not.
	second := mustToken(t, h.postJSON(acmeRequest(nil)))["accessToken"].(string)
	if h.resource("Bearer "+at).status != 401 || h.resource("Bearer "+second).status != 200 || h.resource("Bearer "+p["accessToken"].(string)).status != 200 {
		t.Error("a new token did not discard exactly the older one")
	}
}

func mustInt(t testing.TB, n json.Number) int64 {
	t.Helper()
	i, err := n.Int64()
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func verifyES256(t testing.TB, h *harness, jws string) map[string]any {
	t.Helper()
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		t.Fatalf("%q is not a JWS", jws)
	}
	var header map[string]any
	if err := json.Unmarshal(b64(t, parts[0]), &header); err != nil || header["alg"] != "ES256" || header["typ"] != "at+jwt" {
		t.Errorf("header %v: %v", header, err)
	}
	sig := b64(t, parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	pub, _ := h.srv.signer.key.Public().Key.(*ecdsa.PublicKey)
	if len(sig) != 64 || pub == nil || !ecdsa.Verify(pub, digest[:], r, s) {
		t.Error("bad ES256 signature")
	}
	dec := json.NewDecoder(bytes.NewReader(b64(t, parts[1])))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func b64(t testing.TB, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Errors follow the dialect's template, media type, codes and titles.
func TestDialectErrors(t *testing.T) {
	t.Parallel()
	h := start(t, Options{Spec: acme(t)})
	cases := []struct {
		name   string
		body   string
		status int
		code   string
		title  string
	}{
		{"missing audience", acmeRequest(map[string]string{"audience": ""}), 400, "invalid_target", "Bad Request"},
		{"wrong audience", acmeRequest(map[string]string{"audience": "https://elsewhere"}), 400, "invalid_target", "Bad Request"},
		{"scope too long", acmeRequest(map[string]string{"scope": strings.Repeat("o", 21)}), 400, "invalid_target", "Bad Request"},
		{"no client auth", acmeRequest(map[string]string{"clientSecret": ""}), 401, "unauthorized", "Unauthorized client"},
		{"wrong secret (RFC 6749 default)", acmeRequest(map[string]string{"clientSecret": "wrong"}), 400, "invalid_client", "Bad Request"},
		{"unknown scope", acmeRequest(map[string]string{"scope": "admin"}), 400, "invalid_scope", "Bad Request"},
		{"duplicate member", `{"grantType":"client_credentials","grantType":"client_credentials"}`, 400, "bad_json", "Bad Request"},
		{"number member", `{"grantType":"client_credentials","clientId":7}`, 400, "bad_json", "Bad Request"},
		{"trailing data", acmeRequest(nil) + `{}`, 400, "bad_json", "Bad Request"},
		{"form body", "grantType=client_credentials", 400, "bad_json", "Bad Request"},
		{"array body", `[]`, 400, "bad_json", "Bad Request"},
	}
	for _, c := range cases {
		r := h.postJSON(c.body)
		if r.status != c.status || r.header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %q: %s", c.name, r.status, r.header.Get("Content-Type"), r.body)
		}
		m := r.obj(t)
		if m["error"] != c.code || m["title"] != c.title || m["instance"] != "/oauth/v2/token" || m["type"] != "about:blank" {
			t.Errorf("%s: body %s", c.name, r.body)
		}
		if n, ok := m["status"].(json.Number); !ok || mustInt(t, n) != int64(c.status) {
			t.Errorf("%s: status member %#v, want the number %d", c.name, m["status"], c.status)
		}
		if v := r.header.Values("WWW-Authenticate"); len(v) != 0 {
			t.Errorf("%s: a Basic challenge from an endpoint without Basic: %q", c.name, v)
		}
	}
	// HTTP Basic is not a method of this dialect: it counts as no
	// authentication.
	req, _ := http.NewRequest(http.MethodPost, h.base+"/oauth/v2/token", strings.NewReader(`{"grantType":"client_credentials","audience":"`+acmeAudience+`"}`))
	req.Header.Set("Authorization", basicHeader(testCreds.ClientID, testCreds.ClientSecret))
	wantError(t, h.send(req), 401, "unauthorized")
	r := h.send(mustRequest(t, http.MethodGet, h.base+"/oauth/v2/token"))
	wantError(t, r, 405, "method_not_allowed")
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
}

// A fault adapts to the dialect: expires_in is documented as a string, so
// FaultExpiresInString sends a number.
func TestDialectExpiresInFault(t *testing.T) {
	t.Parallel()
	h := start(t, Options{Spec: acme(t), Faults: []Fault{FaultExpiresInString}})
	if m := mustToken(t, h.postJSON(acmeRequest(nil))); m["expiresIn"] != json.Number("600") {
		t.Errorf("expiresIn %#v, want the number 600", m["expiresIn"])
	}
}

func TestExpiresInAbsent(t *testing.T) {
	t.Parallel()
	spec := loadSpec(t, "rfc6749")
	spec.Response.ExpiresIn = "absent"
	h := start(t, Options{Spec: spec})
	if m := mustToken(t, h.token(ccForm(), mainBasic)); m["expires_in"] != nil {
		t.Errorf("expires_in %v", m["expires_in"])
	}
}

func TestUnsupportedSpecs(t *testing.T) {
	t.Parallel()
	for name, change := range map[string]func(s *specs.Spec){
		"path clash":             func(s *specs.Spec) { s.Request.Path = "/resource" },
		"relative path":          func(s *specs.Spec) { s.Request.Path = "token" },
		"brace inside a segment": func(s *specs.Spec) { s.Request.Path = "/t{tenant}/token" },
		"encoding":               func(s *specs.Spec) { s.Request.Encoding = "xml" },
		"grant":                  func(s *specs.Spec) { s.Grants = append(s.Grants, specs.Grant{Type: "implicit"}) },
		"jwt alg":                func(s *specs.Spec) { s.Response.JWT = &specs.JWT{Alg: "none"} },
		"date layout":            func(s *specs.Spec) { s.Response.Dates = &specs.Dates{Layout: "Kitchen"} },
	} {
		s := loadSpec(t, "rfc6749")
		change(s)
		if _, err := New(Options{Spec: s}); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

func TestSigners(t *testing.T) {
	t.Parallel()
	claims := object{{"sub", "x"}}
	for _, alg := range []string{"HS256", "RS256", "ES256"} {
		s, err := newSigner(alg)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := s.sign(claims)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(jws, ".")
		input := []byte(parts[0] + "." + parts[1])
		sig := b64(t, parts[2])
		digest := sha256.Sum256(input)
		var ok bool
		verifyWith := s.key.Public()
		switch alg {
		case "HS256":
			secret, _ := s.key.Key.([]byte)
			m := hmac.New(sha256.New, secret)
			m.Write(input)
			ok = len(secret) > 0 && hmac.Equal(m.Sum(nil), sig)
			verifyWith = s.key
		case "RS256":
			pub, _ := verifyWith.Key.(*rsa.PublicKey)
			ok = pub != nil && rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
		case "ES256":
			pub, _ := verifyWith.Key.(*ecdsa.PublicKey)
			ok = pub != nil && len(sig) == 64 && ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
		}
		if !ok || string(b64(t, parts[1])) != `{"sub":"x"}` {
			t.Errorf("%s: bad JWS %s", alg, jws)
		}
		// The same token through go-jose: only its alg is accepted, and the
		// signer's JWK verifies it.
		tok, err := jwt.ParseSigned(jws, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		var got jwt.Claims
		if err := tok.Claims(verifyWith, &got); err != nil || got.Subject != "x" || tok.Headers[0].ExtraHeaders["typ"] != "at+jwt" {
			t.Errorf("%s: go-jose: claims %+v, header %+v: %v", alg, got, tok.Headers[0], err)
		}
	}
}

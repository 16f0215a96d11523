package derive

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/specs"
)

const twoEndpoints = "# Tokens\n\n## POST /v1/token\n\n```\ncurl -X POST https://a.test/v1/token -u id:s -d grant_type=client_credentials\n```\n\n## POST /v2/oauth/token\n\n```\ncurl -X POST https://a.test/v2/oauth/token -u id:s -d grant_type=client_credentials\n```\n\n```json\n{\"access_token\": \"x\", \"token_type\": \"Bearer\"}\n```\n"

// Two candidate token endpoints are never a silent pick: the spec records
// a decision naming both, and --endpoint picks the other.
func TestTwoCandidateEndpoints(t *testing.T) {
	res, err := Derive("two.md", []byte(twoEndpoints), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(res.Spec)
	if !strings.Contains(s, "more than one candidate token endpoint: /v1/token") || !strings.Contains(s, "/v2/oauth/token (line") {
		t.Errorf("no decision naming both endpoints:\n%s", s)
	}
	res, err = Derive("two.md", []byte(twoEndpoints), Options{Endpoint: "/v2/oauth/token"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Spec), "path: /v2/oauth/token") || !strings.Contains(string(res.Spec), "--endpoint chose it") {
		t.Errorf("--endpoint did not pick /v2/oauth/token:\n%s", res.Spec)
	}
	if _, err := Derive("two.md", []byte(twoEndpoints), Options{Endpoint: "/v3"}); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("--endpoint naming no candidate: %v", err)
	}
}

// An HTML page reads like the same Markdown: the facts and their lines
// come from the page's tags, tables and <pre> blocks.
func TestHTML(t *testing.T) {
	page := `<!DOCTYPE html>
<html><head><title>Acme</title><script>var x = "POST /nope";</script></head>
<body>
<h1>Acme token API</h1>
<h2>POST /oauth2/token</h2>
<table><tr><th>Parameter</th><th>Required</th><th>Type</th></tr>
<tr><td>grant_type</td><td>Yes</td><td>string</td></tr>
<tr><td>tenant</td><td>Yes</td><td>string</td></tr>
</table>
<pre>curl -X POST https://acme.test/oauth2/token \
  -H "Content-Type: application/x-www-form-urlencoded" \
  -u "id:secret" \
  -d "grant_type=client_credentials&amp;tenant=t1"
</pre>
<p>Response:</p>
<pre>{
  "access_token": "abc",
  "token_type": "Bearer",
  "expires_in": 3600
}</pre>
<p>Errors:</p>
<pre>HTTP/1.1 400 Bad Request

{"error": "invalid_request", "error_description": "tenant missing"}</pre>
</body></html>`
	res, err := Derive("acme.html", []byte(page), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(res.Spec)
	for _, want := range []string{"method: POST # line 10 (sample), line 5 (heading)", "path: /oauth2/token", "encoding: form", "client_auth: [basic]", "required: [tenant]", "{type: client_credentials}", "token_type: Bearer", "template: {error: $code, error_description: $description}"} {
		if !strings.Contains(s, want) {
			t.Errorf("derived spec lacks %q:\n%s", want, s)
		}
	}
	if res.Format != "html" || strings.Contains(s, "/nope") {
		t.Errorf("format %s; script text read:\n%s", res.Format, s)
	}
	if _, err := specs.Parse("acme.yaml", res.Spec); err == nil || !strings.Contains(err.Error(), "schema") {
		// the schemas are not beside it, but the spec itself parses: only
		// a missing-schema complaint (or none) is acceptable.
		if err != nil {
			t.Errorf("derived spec does not parse: %v", err)
		}
	}
}

// A plain-text document is read like Markdown.
func TestDetect(t *testing.T) {
	for src, want := range map[string]string{
		"openapi: 3.0.1\ninfo: {}\n":         "openapi",
		"{\n  \"swagger\": \"2.0\"\n}":       "swagger",
		"<!doctype html><p>x</p>":            "html",
		"# Title\n\ntext":                    "markdown",
		"Just words\nGET - Get Access Token": "text",
	} {
		if got := Detect([]byte(src)); got != want {
			t.Errorf("Detect(%q) = %s, want %s", src, got, want)
		}
	}
}

func fuzzSeeds(f *testing.F) {
	for _, s := range seeds {
		if b, err := os.ReadFile(seedDir + "/" + s.file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(twoEndpoints))
	f.Add([]byte("curl 'x\n{\"a\": [\n| a | b |\n|---|---|\n| `grant_type` | M |\nPOST /token HTTP/1.1\nContent-Type: application/json\n\n{\"grant_type\":\"password\"}"))
}

// FuzzMarkdown: any Markdown or text is derived, or refused with an
// error, in bounded time and without a panic; what is derived parses as a
// spec but for its TODO markers and missing schemas.
func FuzzMarkdown(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		if checkText(b) != nil {
			return
		}
		fuzzOne(t, extractText(readMarkdown(b, "markdown")))
	})
}

// FuzzHTML: the same for HTML pages.
func FuzzHTML(f *testing.F) {
	f.Add([]byte("<html><body><h2>POST /token</h2><table><tr><th>Field</th><th>Required</th></tr><tr><td>grant_type</td><td>yes</td></tr></table><pre>{\"access_token\":\"a\",\"token_type\":\"Bearer\"}</pre></body></html>"))
	f.Add([]byte("<pre>curl -u a:b -d grant_type=password https://x/oauth/token</pre><table><tr><td>errorCode<td>x"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if checkText(b) != nil {
			return
		}
		fuzzOne(t, extractText(readHTML(b)))
	})
}

func fuzzOne(t *testing.T, f *facts) {
	b := &builder{f: f, name: "fuzz", file: "fuzz.md", prefix: "FUZZ-DERIVED-", reqIDs: map[string]bool{}, schemas: map[string][]byte{}}
	g, err := b.endpoint()
	if err != nil {
		if !errors.Is(err, ErrNoEndpoint) {
			t.Fatalf("endpoint: %v", err)
		}
		return
	}
	if _, err := b.build(g); err != nil {
		t.Fatalf("build: %v", err)
	}
}

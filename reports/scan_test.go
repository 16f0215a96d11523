package reports

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/redact"
)

const testSecret = "s3cr3t+/=&<v\"al'ue"

func scanOne(t *testing.T, content string, secrets ...string) []Leak {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f.txt"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	leaks, err := Scan(dir, secrets, append(slices.Clone(redact.SecretParams), "clientSecret")...)
	if err != nil {
		t.Fatal(err)
	}
	return leaks
}

func TestScanFindsEveryForm(t *testing.T) {
	js, _ := json.Marshal(testSecret)
	basic := base64.StdEncoding.EncodeToString([]byte("client-id:" + testSecret))
	for form, text := range map[string]string{
		"raw":                            testSecret,
		"url":                            url.QueryEscape(testSecret),
		"url path":                       url.PathEscape(testSecret),
		"json":                           string(js),
		"html":                           template.HTMLEscapeString(testSecret),
		"html/template":                  `<pre>` + strings.ReplaceAll(template.HTMLEscapeString(testSecret), "+", "&#43;") + `</pre>`,
		"xml":                            "s3cr3t+/=&amp;&lt;v&#34;al&#39;ue",
		"markdown":                       mdText(testSecret),
		"base64":                         base64.StdEncoding.EncodeToString([]byte(testSecret)),
		"base64 raw":                     base64.RawStdEncoding.EncodeToString([]byte(testSecret)),
		"base64url":                      base64.URLEncoding.EncodeToString([]byte(testSecret)),
		"base64url raw":                  base64.RawURLEncoding.EncodeToString([]byte(testSecret)),
		"basic credentials":              "Authorization: Basic " + basic,
		"basic credentials offset 1":     base64.StdEncoding.EncodeToString([]byte("id1:" + testSecret + "x")),
		"base64url inside a longer text": base64.RawURLEncoding.EncodeToString([]byte(`{"s":"` + testSecret + `"}`)),
	} {
		leaks := scanOne(t, "before "+text+" after", "unrelated-secret", testSecret)
		if len(leaks) == 0 {
			t.Errorf("%s form %q not found", form, text)
			continue
		}
		for _, l := range leaks {
			if l.Secret != 1 || l.File != "f.txt" || l.Offset < len("before ") {
				t.Errorf("%s: %+v", form, l)
			}
		}
	}
}

func TestScanIgnoresFingerprintsAndShortSecrets(t *testing.T) {
	content := `{"x":"[client_secret#0123abcd]"} Basic%20%5Bcredentials%23aabbccdd%5D \[access\_token#99887766\]`
	if leaks := scanOne(t, content, "secret", "credentials", "access", "abc"); len(leaks) != 0 {
		t.Errorf("fingerprints counted as leaks: %+v", leaks)
	}
	// The same word outside a fingerprint, as the value of a secret
	// parameter, is a leak.
	if leaks := scanOne(t, content+" client_secret=secret", "secret"); len(leaks) != 1 || leaks[0].Form != "raw value of client_secret" {
		t.Errorf("%+v", leaks)
	}
	if leaks := scanOne(t, "abc", "abc"); len(leaks) != 0 {
		t.Errorf("a secret shorter than %d bytes was searched: %+v", MinSecretLen, leaks)
	}
	if leaks := scanOne(t, "nothing here", testSecret); len(leaks) != 0 {
		t.Errorf("%+v", leaks)
	}
}

func TestScanWalksSubdirectoriesAndSorts(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "b.txt"), []byte("tok-AAAA tok-BBBB"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("tok-BBBB"), 0o644)
	leaks, err := Scan(dir, []string{"tok-AAAA", "tok-BBBB"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range leaks {
		got = append(got, l.String())
	}
	want := []string{"a.txt: secret #1 (raw form) at byte 0", "sub/b.txt: secret #0 (raw form) at byte 0", "sub/b.txt: secret #1 (raw form) at byte 9"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

// TestWriteRemovesLeakingFiles plants a secret the redactor missed in a
// run's evidence: Write must not leave it on disk, nor write a manifest.
func TestWriteRemovesLeakingFiles(t *testing.T) {
	r := sampleRun()
	r.Checks[2].Evidence[0].Response.Body = `{"access_token":"eyJhbGciOi.leaked.token"}`
	dir := filepath.Join(t.TempDir(), "bundle")
	err := Write(dir, r, WriteOptions{Secrets: []string{"eyJhbGciOi.leaked.token", "never-written-1"}})
	var le *LeakError
	if !errors.As(err, &le) {
		t.Fatalf("got %v, want a *LeakError", err)
	}
	if strings.Contains(err.Error(), "eyJhbGciOi.leaked.token") {
		t.Error("the error repeats the secret")
	}
	// The evidence is in junit.xml, report.json and report.html; the
	// summary lists failed checks only.
	var files []string
	for _, l := range le.Leaks {
		files = append(files, l.File)
	}
	if want := []string{JUnitFile, HTMLFile, JSONFile}; !slices.Equal(slices.Compact(slices.Sorted(slices.Values(files))), slices.Sorted(slices.Values(want))) {
		t.Errorf("leaks in %v, want %v", files, want)
	}
	left, _ := Scan(dir, []string{"eyJhbGciOi.leaked.token"})
	if len(left) != 0 {
		t.Errorf("secret still on disk: %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, ManifestFile)); err == nil {
		t.Error("a manifest was written for a leaking bundle")
	}
	// A clean run with the same secrets writes the whole bundle.
	if err := Write(dir, sampleRun(), WriteOptions{Secrets: []string{"eyJhbGciOi.leaked.token", "never-written-1"}}); err != nil {
		t.Fatal(err)
	}
	if v, _ := Verify(dir, nil); !v.OK() {
		t.Errorf("%v", v.Problems)
	}
}

// A weak secret (a common word, or short) is a leak where it is the value
// of a secret's name, in every form a report writes it, and its base64
// forms anywhere; the same word in prose is none.
func TestScanWeakSecrets(t *testing.T) {
	basic := base64.StdEncoding.EncodeToString([]byte("client-id-1:secret")) // at an offset where its 8 base64 characters are its own
	for form, text := range map[string]string{
		"form":              "grant_type=client_credentials&client_secret=secret&scope=read",
		"form, last":        "client_id=c&client_secret=secret",
		"form in JSON":      `"body": "client_id=c\u0026client_secret=secret\u0026x=1"`,
		"JSON member":       `{"client_secret":"secret"}`,
		"JSON in JSON":      `"body": "{\"client_secret\": \"secret\"}"`,
		"JSON in HTML":      `<pre>{&#34;client_secret&#34;:&#34;secret&#34;}</pre>`,
		"renamed parameter": "clientSecret=secret",
		"basic credentials": "Authorization: Basic " + basic,
	} {
		if leaks := scanOne(t, "before "+text+" after", "secret"); len(leaks) == 0 {
			t.Errorf("%s: %q not found", form, text)
		}
	}
	for _, text := range []string{
		"a wrong client secret sent in the client_secret parameter is refused",
		`"title": "secret"s are redacted: client_secret=secrets`,
		"grant_type=password&password=[password#0123abcd]",
	} {
		if leaks := scanOne(t, text, "secret", "password"); len(leaks) != 0 {
			t.Errorf("%q: %+v, want no leak", text, leaks)
		}
	}
}

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// jwksTarget starts the rfc9068 reference server and writes a target file
// for it whose jwks key is jwks ("" keeps the server's own URL).
func jwksTarget(t *testing.T, jwks string) (path string, env []string, srv *refserver.Server) {
	t.Helper()
	spec, err := specs.Load("rfc9068")
	if err != nil {
		t.Fatal(err)
	}
	srv, err = refserver.New(refserver.Options{Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	tg := srv.Target()
	env = []string{"JWKS_TEST_SECRET=" + tg.ClientSecret}
	tg.ClientSecret = "${JWKS_TEST_SECRET}"
	tg.OtherClientSecret, tg.OtherClientID = "", ""
	if jwks != "" {
		tg.JWKS = jwks
	}
	b, err := json.Marshal(tg)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path = filepath.Join(dir, "target.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, env, srv
}

// The key set as a file and as a URL; a bad file is a target error (exit
// 2, nothing sent); a bad URL fails the signature check with what went
// wrong, in bounded time.
func TestJWKSFileAndURL(t *testing.T) {
	t.Parallel()
	write := func(t *testing.T, dir, name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("file", func(t *testing.T) {
		t.Parallel()
		path, _, srv := jwksTarget(t, "")
		resp, err := http.Get(srv.Target().JWKS)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		keys := write(t, filepath.Dir(path), "keys.json", string(b))
		path2, env2, _ := jwksTarget(t, keys)
		// The second server signs with a key of its own, which the first
		// server's key set does not hold.
		r := tokencert(t, env2, "run", "--target", path2)
		if r.exit != 1 || !strings.Contains(r.stdout, "which no key of the key set") {
			t.Errorf("another server's key set: exit %d\n%s", r.exit, r.stdout)
		}
		path3, env3, srv3 := jwksTarget(t, "")
		resp, err = http.Get(srv3.Target().JWKS)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		own := write(t, filepath.Dir(path3), "own.json", string(b))
		path4 := strings.Replace(path3, "target.json", "target-own.json", 1)
		tb, _ := os.ReadFile(path3)
		var m map[string]any
		_ = json.Unmarshal(tb, &m)
		m["jwks"] = filepath.Base(own)
		tb, _ = json.Marshal(m)
		write(t, filepath.Dir(path3), filepath.Base(path4), string(tb))
		if r := tokencert(t, env3, "run", "--target", path4, "--strict"); r.exit != 0 {
			t.Errorf("its own key set as a file (relative to the target): exit %d\n%s", r.exit, failures(r))
		}
	})
	t.Run("bad file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		for name, content := range map[string]string{"garbage.json": "<html>", "private.json": `{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}]}`} {
			path, env, _ := jwksTarget(t, write(t, dir, name, content))
			r := tokencert(t, env, "run", "--target", path)
			if r.exit != 2 || !strings.Contains(r.stderr, "jwks") {
				t.Errorf("%s: exit %d, want 2 naming jwks\n%s", name, r.exit, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, "jpsQnnGQ") {
				t.Errorf("%s: the private key reached the output", name)
			}
		}
	})
	t.Run("bad URL", func(t *testing.T) {
		t.Parallel()
		garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>no keys</html>") }))
		t.Cleanup(garbage.Close)
		hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		t.Cleanup(hang.Close)
		for url, want := range map[string]string{garbage.URL + "/jwks": "not a JWK Set", hang.URL + "/jwks": "could not be fetched within 1s"} {
			path, env, _ := jwksTarget(t, url)
			r := tokencert(t, env, "run", "--target", path, "--request-timeout", "1s")
			if r.exit != 1 || !strings.Contains(r.stdout, want) {
				t.Errorf("%s: exit %d, want 1 and %q\n%s", url, r.exit, want, r.stdout)
			}
		}
	})
}

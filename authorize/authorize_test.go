package authorize

import (
	"context"
	"strings"
	"testing"
	"time"
)

const redirect = "https://app.example/cb"

// A command that prints the redirect works; one that hangs, fails, or
// prints something else is a clear error, in bounded time, that does not
// repeat what it printed (it may hold a code).
func TestCommand(t *testing.T) {
	for name, c := range map[string]struct {
		shell, want string
	}{
		"prints the redirect": {`read u; test "$u" = "$TOKENCERT_AUTHORIZATION_URL" && echo noise && echo "$TOKENCERT_REDIRECT_URI?code=abc&state=s"`, ""},
		"exits non-zero":      {`echo oops >&2; exit 3`, "exited with status 3; its stderr ends: oops"},
		"prints no redirect":  {`echo "https://elsewhere.example/?code=SECRETCODE"`, "printed no URL starting with the redirect_uri"},
		"hangs":               {`sleep 600`, "did not finish within the authorize timeout"},
		"hangs in a child":    {`(sleep 600; echo x) & wait`, "did not finish within the authorize timeout"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			done := make(chan struct{})
			var got string
			var err error
			go func() {
				got, err = Command{Shell: c.shell, RedirectURI: redirect}.Authorize(ctx, "https://as.example/authorize?x=1")
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Authorize did not return")
			}
			if c.want == "" {
				if err != nil || got != redirect+"?code=abc&state=s" {
					t.Errorf("got %q, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "SECRETCODE") {
				t.Errorf("error %v, want one saying %q (and no code)", err, c.want)
			}
		})
	}
}

func TestFormOf(t *testing.T) {
	page := `<html><body><form action="/login" method="post"><input type="hidden" name="req" value="r1">
<input name="user" type="email"><input name="pw" type="password"><button name="go" value="yes">Go</button><button name="go" value="no">No</button></form></body></html>`
	action, v, login, ok := formOf([]byte(page), "alice", "pw1", "")
	if !ok || !login || action != "/login" || v.Get("req") != "r1" || v.Get("user") != "alice" || v.Get("pw") != "pw1" || v.Get("go") != "yes" {
		t.Errorf("formOf: %q %v %v", action, v, ok)
	}
	// A deny button named by its id is pressed instead of the first.
	device := `<form action="/device" method="post"><button id="ok" name="decision" value="approve">OK</button><button id="deny" name="decision" value="deny">Deny</button></form>`
	if _, v, _, _ := formOf([]byte(device), "a", "b", "deny"); v.Get("decision") != "deny" {
		t.Errorf("formOf with the deny button: %v", v)
	}
	if _, _, _, ok := formOf([]byte("<p>no form</p>"), "a", "b", ""); ok {
		t.Error("a page without a form")
	}
}

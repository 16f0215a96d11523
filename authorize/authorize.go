// Package authorize takes an authorization request (RFC 6749 §4.1.1) to
// the redirect that carries the authorization code: by a program of the
// team's own (Command), by headless Chromium through a login form
// (Browser), or, for the embedded reference server, by filling in its
// plain HTML login form over HTTP (Form). Every way is bounded in time.
package authorize

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/html"
)

// Authorizer takes an authorization URL to the redirect to the client's
// redirection URI and returns the URL redirected to.
type Authorizer interface {
	Authorize(ctx context.Context, authURL string) (string, error)
	// Approve signs in at a device verification URI (RFC 8628 §3.3) and
	// approves the device; the token endpoint tells whether it worked.
	Approve(ctx context.Context, verificationURL string) error
	// Name says how ("command", "browser", "form").
	Name() string
}

// Denier is an Authorizer that can also deny a device at its
// verification URI (RFC 8628 §3.3) instead of approving it.
type Denier interface {
	Deny(ctx context.Context, verificationURL string) error
}

// Command runs a program of the team's own: the authorization URL is in
// $TOKENCERT_AUTHORIZATION_URL and on its stdin, the redirection URI in
// $TOKENCERT_REDIRECT_URI; it prints the URL of the redirect it reached.
type Command struct {
	Shell       string // run with /bin/sh -c
	RedirectURI string
}

// Name is "command".
func (Command) Name() string { return "command" }

// Authorize runs the command until it exits or ctx ends; the process
// group is killed then.
func (c Command) Authorize(ctx context.Context, authURL string) (string, error) {
	out, err := c.run(ctx, authURL, "authorization_code")
	if err != nil {
		return "", err
	}
	for _, line := range lastFirst(out) {
		if strings.HasPrefix(line, c.RedirectURI) {
			return line, nil
		}
	}
	// What it printed may hold a code: say only what shape it had.
	return "", fmt.Errorf("the authorize command printed no URL starting with the redirect_uri %s (it printed %d lines, %d bytes)", c.RedirectURI, strings.Count(out, "\n"), len(out))
}

// Approve runs the command with the verification URL (and
// $TOKENCERT_FLOW=device); exiting 0 means it approved.
func (c Command) Approve(ctx context.Context, verificationURL string) error {
	_, err := c.run(ctx, verificationURL, "device")
	return err
}

// Deny runs the command with the verification URL and
// $TOKENCERT_FLOW=device-deny; exiting 0 means it denied.
func (c Command) Deny(ctx context.Context, verificationURL string) error {
	_, err := c.run(ctx, verificationURL, "device-deny")
	return err
}

// run runs the command with url and returns its stdout.
func (c Command) run(ctx context.Context, authURL, flow string) (string, error) {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", c.Shell)
	cmd.Env = append(os.Environ(), "TOKENCERT_AUTHORIZATION_URL="+authURL, "TOKENCERT_REDIRECT_URI="+c.RedirectURI, "TOKENCERT_FLOW="+flow)
	cmd.Stdin = strings.NewReader(authURL + "\n")
	var stdout, stderr capped
	stdout.max, stderr.max = 64<<10, 4<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return "", fmt.Errorf("the authorize command did not finish within the authorize timeout%s", stderrTail(stderr.String()))
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return "", fmt.Errorf("the authorize command exited with status %d%s", ee.ExitCode(), stderrTail(stderr.String()))
	}
	if err != nil {
		return "", fmt.Errorf("the authorize command did not run: %v", err)
	}
	return stdout.String(), nil
}

// lastFirst returns the non-empty lines of s, last first.
func lastFirst(s string) []string {
	lines := strings.Split(s, "\n")
	var out []string
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func stderrTail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if len(s) > 300 {
		s = "…" + s[len(s)-300:]
	}
	return "; its stderr ends: " + strings.ReplaceAll(s, "\n", " ⏎ ")
}

// capped is a buffer that keeps at most max bytes.
type capped struct {
	bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		if len(p) > room {
			c.Buffer.Write(p[:room])
		} else {
			c.Buffer.Write(p)
		}
	}
	return len(p), nil
}

// Form logs in through a plain HTML login form over HTTP, without a
// browser: it submits the page's form with Username and Password in its
// text and password inputs (hidden inputs as they are), then any further
// form (consent), until a redirect to RedirectURI. It serves the embedded
// reference server, whose pages need no JavaScript.
type Form struct {
	Client             *http.Client
	Username, Password string
	RedirectURI        string
	// DenyButton is the id of the button that denies a device (Deny).
	DenyButton string
}

// Name is "form".
func (Form) Name() string { return "form" }

// maxSteps bounds the pages a Form login goes through.
const maxSteps = 5

// Authorize follows the login to the redirect.
func (f Form) Authorize(ctx context.Context, authURL string) (string, error) {
	return f.follow(ctx, authURL, false, "")
}

// Approve follows the login at a verification URI until a page with no
// form (or a redirect to the redirect URI).
func (f Form) Approve(ctx context.Context, verificationURL string) error {
	_, err := f.follow(ctx, verificationURL, true, "")
	return err
}

// Deny is Approve pressing the button whose id is DenyButton.
func (f Form) Deny(ctx context.Context, verificationURL string) error {
	if f.DenyButton == "" {
		return fmt.Errorf("no deny button (target key authorize.deny)")
	}
	_, err := f.follow(ctx, verificationURL, true, f.DenyButton)
	return err
}

// follow submits the forms from authURL on; button, when given, is the id
// of the button to press (else the first).
func (f Form) follow(ctx context.Context, authURL string, approve bool, button string) (string, error) {
	c := *f.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return "", err
	}
	for step := 0; step < maxSteps; step++ {
		resp, err := c.Do(req)
		if err != nil {
			return "", fmt.Errorf("the authorization endpoint did not answer: %v", err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
			next, err := req.URL.Parse(loc)
			if err != nil {
				return "", fmt.Errorf("the authorization endpoint redirected to an unparsable location")
			}
			if strings.HasPrefix(next.String(), f.RedirectURI) {
				return next.String(), nil
			}
			if req, err = http.NewRequestWithContext(ctx, http.MethodGet, next.String(), nil); err != nil {
				return "", err
			}
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("the authorization endpoint answered %d at %s, not a login form or a redirect", resp.StatusCode, req.URL.Redacted())
		}
		action, values, login, ok := formOf(body, f.Username, f.Password, button)
		if !ok {
			if approve && step > 0 {
				return "", nil
			}
			return "", fmt.Errorf("the page at %s has no form to submit", req.URL.Redacted())
		}
		if login && req.Method == http.MethodPost {
			// Signing in again would only repeat a failed login.
			return "", fmt.Errorf("the login form came back after signing in at %s (wrong username or password?)", req.URL.Redacted())
		}
		target, err := req.URL.Parse(action)
		if err != nil {
			return "", fmt.Errorf("the login form's action is unparsable")
		}
		if req, err = http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(values.Encode())); err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return "", fmt.Errorf("no redirect to %s after %d pages", f.RedirectURI, maxSteps)
}

// formOf finds the page's first form and fills it: hidden inputs keep
// their values, a password input gets password, a text or email input
// username; the button pressed is the one whose id is button, else the
// first.
func formOf(page []byte, username, password, button string) (action string, values url.Values, login, ok bool) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return "", nil, false, false
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if form != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "form" {
			form = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if form == nil {
		return "", nil, false, false
	}
	values = url.Values{}
	submitted := false
	var fill func(*html.Node)
	fill = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "input" || n.Data == "button") {
			name, typ, value := attr(n, "name"), strings.ToLower(attr(n, "type")), attr(n, "value")
			switch {
			case name == "":
			case (n.Data == "button" || typ == "submit") && button != "":
				if attr(n, "id") == button {
					values.Set(name, value)
				}
			case n.Data == "button" || typ == "submit":
				// The first button is the one a person would press.
				if value != "" && !submitted {
					values.Set(name, value)
				}
				submitted = true
			case typ == "password":
				values.Set(name, password)
				login = true
			case typ == "" || typ == "text" || typ == "email":
				values.Set(name, username)
			default:
				values.Set(name, value)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			fill(c)
		}
	}
	fill(form)
	return attr(form, "action"), values, login, true
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

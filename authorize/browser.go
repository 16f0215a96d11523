package authorize

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser logs in with headless Chromium: it opens the authorization URL,
// types Username and Password into the inputs the CSS selectors name,
// clicks Submit and, when Consent is set, the consent button, and
// captures the navigation to RedirectURI (nothing needs to listen there).
// Every login uses a fresh profile, removed afterwards.
type Browser struct {
	// Chromium is the browser binary ("": chromium on the PATH).
	Chromium                                                        string
	Username, Password                                              string
	UserSelector, PasswordSelector, SubmitSelector, ConsentSelector string
	// DenySelector is the button that denies a device (Deny).
	DenySelector string
	RedirectURI  string
	// IgnoreCertErrors: the target turned TLS verification off.
	IgnoreCertErrors bool
	// Screenshots, when set, is a folder where a login that does not reach
	// the redirect leaves a screenshot of where it stopped.
	Screenshots string
}

// Name is "browser".
func (*Browser) Name() string { return "browser" }

// chromiumFlags are the flags every headless run gets: no sandbox (CI
// containers), no GPU, no QUIC, nothing reaching the network by itself.
var chromiumFlags = []string{"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run",
	"disable-background-networking", "disable-component-update", "disable-sync", "disable-dev-shm-usage"}

// Authorize runs one login; ctx bounds it (Chromium is killed then).
func (b *Browser) Authorize(ctx context.Context, authURL string) (string, error) {
	profile, err := os.MkdirTemp("", "tokencert-login-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(profile)
	bctx, done := b.start(ctx, profile)
	defer done()
	bin := b.Chromium
	if bin == "" {
		bin = "chromium"
	}

	reached := make(chan string, 1)
	// Listen starts the browser; the network domain is enabled with it.
	if err := chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request != nil && strings.HasPrefix(e.Request.URL, b.RedirectURI) {
			select {
			case reached <- e.Request.URL + e.Request.URLFragment:
			default:
			}
		}
	}); err != nil {
		return "", fmt.Errorf("headless Chromium (%s) did not start: %v", bin, err)
	}
	steps := make(chan error, 1)
	go func() {
		// Navigate fails when the page goes to the redirect URI, which
		// nothing serves: the capture is what counts.
		_ = chromedp.Do(bctx, chromedp.Navigate(authURL))
		user, pass := chromedp.CSS(b.UserSelector), chromedp.CSS(b.PasswordSelector)
		err := chromedp.Do(bctx,
			chromedp.WaitVisible(user),
			chromedp.SendKeys(user, b.Username),
			chromedp.SendKeys(pass, b.Password),
			chromedp.Click(chromedp.CSS(b.SubmitSelector)))
		if err == nil && b.ConsentSelector != "" {
			consent := chromedp.CSS(b.ConsentSelector)
			err = chromedp.Do(bctx, chromedp.WaitVisible(consent), chromedp.Click(consent))
		}
		steps <- err
	}()
	var stepErr error
	for {
		select {
		case u := <-reached:
			return u, nil
		case stepErr = <-steps:
			steps = nil // the steps are done: now only the redirect can come
			if stepErr != nil && !errors.Is(stepErr, context.Canceled) && !errors.Is(stepErr, context.DeadlineExceeded) {
				return "", b.stopped(bctx, fmt.Sprintf("the login page did not go as the selectors say (%v)", stepErr))
			}
		case <-ctx.Done():
			what := "the browser did not reach the redirect_uri within the authorize timeout"
			if steps != nil {
				what = "the login did not finish within the authorize timeout (a selector that matches nothing waits until then)"
			}
			return "", b.stopped(bctx, what)
		}
	}
}

// Approve signs in at a device verification URI and clicks submit (and
// consent), then waits until the login form is gone.
func (b *Browser) Approve(ctx context.Context, verificationURL string) error {
	return b.decide(ctx, verificationURL, b.SubmitSelector, "approval")
}

// Deny is Approve clicking DenySelector instead of submit.
func (b *Browser) Deny(ctx context.Context, verificationURL string) error {
	if b.DenySelector == "" {
		return fmt.Errorf("no deny button (target key authorize.deny)")
	}
	return b.decide(ctx, verificationURL, b.DenySelector, "denial")
}

func (b *Browser) decide(ctx context.Context, verificationURL, button, what string) error {
	profile, err := os.MkdirTemp("", "tokencert-login-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	bctx, done := b.start(ctx, profile)
	defer done()
	user, pass := chromedp.CSS(b.UserSelector), chromedp.CSS(b.PasswordSelector)
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(verificationURL), chromedp.WaitVisible(user),
		chromedp.SendKeys(user, b.Username), chromedp.SendKeys(pass, b.Password), chromedp.Click(chromedp.CSS(button))}
	if b.ConsentSelector != "" && button == b.SubmitSelector {
		consent := chromedp.CSS(b.ConsentSelector)
		steps = append(steps, chromedp.WaitVisible(consent), chromedp.Click(consent))
	}
	steps = append(steps, chromedp.WaitNotPresent(user))
	lctx, cancel := context.WithDeadline(bctx, deadlineOf(ctx))
	defer cancel()
	if err := chromedp.Do(lctx, steps...); err != nil {
		return b.stopped(bctx, fmt.Sprintf("the %s did not finish within the authorize timeout (%v)", what, err))
	}
	return nil
}

// deadlineOf is ctx's deadline, or two minutes from now.
func deadlineOf(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now().Add(2 * time.Minute)
}

// start starts Chromium with a fresh profile; the browser outlives ctx by
// a little, so that a login cut off by the timeout can still say where it
// stopped.
func (b *Browser) start(ctx context.Context, profile string) (context.Context, func()) {
	opts := []chromedp.ExecAllocatorOption{chromedp.UserDataDir(profile)}
	for _, f := range chromiumFlags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	if b.IgnoreCertErrors {
		opts = append(opts, chromedp.Flag("ignore-certificate-errors", true))
	}
	bin := b.Chromium
	if bin == "" {
		bin = "chromium"
	}
	opts = append(opts, chromedp.ExecPath(bin))
	parent, cancelParent := context.WithDeadline(context.WithoutCancel(ctx), deadlineOf(ctx).Add(10*time.Second))
	actx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	bctx, cancel := chromedp.NewContext(actx)
	return bctx, func() { cancel(); cancelAlloc(); cancelParent() }
}

// stopped describes where the browser stopped: the page's URL (without its
// query, which may hold secrets) and title, and a screenshot when a folder
// is set.
func (b *Browser) stopped(bctx context.Context, what string) error {
	if bctx.Err() != nil {
		return errors.New(what)
	}
	ctx, cancel := context.WithTimeout(bctx, 5*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	title, _ := chromedp.Run(ctx, chromedp.Title())
	// The password may be typed into a field that shows it: it is emptied
	// before the screenshot, and without that there is no screenshot.
	var shot []byte
	if b.clearPassword(ctx) == nil {
		shot, _ = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	}
	if i := strings.IndexAny(loc, "?#"); i >= 0 {
		loc = loc[:i] + "?…"
	}
	msg := fmt.Sprintf("%s; the browser stopped at %s (title %q)", what, loc, title)
	if b.Screenshots != "" && len(shot) > 0 && os.MkdirAll(b.Screenshots, 0o755) == nil {
		if f, err := os.CreateTemp(b.Screenshots, "login-*.png"); err == nil {
			_, werr := f.Write(shot)
			if f.Close() == nil && werr == nil {
				msg += "; screenshot " + filepath.Join(filepath.Base(b.Screenshots), filepath.Base(f.Name())) + " in the report bundle"
			}
		}
	}
	return errors.New(msg)
}

// clearPassword empties every field the password selector matches.
func (b *Browser) clearPassword(ctx context.Context) error {
	sel, err := json.Marshal(b.PasswordSelector)
	if err != nil {
		return err
	}
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { for (const e of document.querySelectorAll(`+string(sel)+`)) { if ("value" in e) e.value = ""; } return true })()`))
	return err
}

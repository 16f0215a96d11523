package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/internal/headless"
)

// screen is the viewport report.html's first screen is judged at.
const screenWidth, screenHeight = 1280, 800

// TestReportFirstScreen opens the report.html of a failed, an incomplete,
// a passed and a waived run in headless Chromium at 1280×800 and checks
// that what the reader came for is on the first screen, before any
// scrolling: the first failure with its message, requirement and fix; the
// target keys an incomplete run lacks; a passed run's coverage; the waived
// failure and its waiver.
//
// With TOKENCERT_SCREENSHOTS=DIR it also takes their screenshots into DIR
// (README's docs/screenshots: TOKENCERT_SCREENSHOTS=$PWD/docs/screenshots
// go test ./cmd/tokencert -run TestReportFirstScreen), from whole runs;
// otherwise the runs leave out the checks that wait for expiry.
func TestReportFirstScreen(t *testing.T) {
	bin := headless.Need(t)
	t.Parallel()
	shots := os.Getenv("TOKENCERT_SCREENSHOTS")
	var filter []string
	if shots == "" {
		filter = []string{"--label-filter", "!expiry && !device"}
	}
	waivers := filepath.Join(t.TempDir(), "waivers.yaml")
	if err := os.WriteFile(waivers, []byte("- id: RFC6749-5.1-TOKEN-TYPE\n  reason: the gateway drops token_type; fixed in release 4.2\n  owner: alice@example.com\n  expires: 2999-12-31\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args func(t *testing.T) []string
		exit int
		// lead must be on the first screen, whole.
		lead []string
	}{
		{"fail", func(*testing.T) []string { return []string{"--fault", "no-token-type"} }, 1,
			[]string{"#failures .failure h3", "#failures .failure ul.msg", "#failures .failure dd.fix"}},
		{"incomplete", incompleteTarget, 4, []string{"#missing-keys"}},
		{"pass", func(*testing.T) []string { return nil }, 0, []string{"#coverage-table"}},
		{"waived", func(*testing.T) []string { return []string{"--fault", "no-token-type", "--waivers", waivers} }, 0,
			[]string{"#waived .failure h3", "#waived .failure ul.msg", "#waived .failure dd.waived"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := tokencert(t, nil, append(append([]string{"run"}, c.args(t)...), filter...)...)
			if r.exit != c.exit {
				t.Fatalf("exit %d, want %d\n%s", r.exit, c.exit, r.stdout)
			}
			page := filepath.Join(r.dir, "report", "report.html")
			width, boxes := measure(t, bin, page, c.lead)
			for i, sel := range c.lead {
				top, bottom := boxes[i][0], boxes[i][1]
				t.Logf("%s: %d to %d px", sel, top, bottom)
				if width != screenWidth || top < 0 || bottom > screenHeight {
					t.Errorf("%s spans %d to %d px of a %d px wide page: not whole on a %d×%d first screen", sel, top, bottom, width, screenWidth, screenHeight)
				}
			}
			if shots != "" {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				defer cancel()
				out := filepath.Join(shots, c.name+".png")
				if _, _, err := headless.Run(ctx, bin, "--screenshot="+out, "--window-size="+strconv.Itoa(screenWidth)+","+strconv.Itoa(screenHeight), "file://"+page); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// incompleteTarget is a target file for a reference server of the test's
// own that names no second client: the binding checks cannot run.
func incompleteTarget(t *testing.T) []string {
	tg := startRefserver(t, nil).Target()
	tg.OtherClientID, tg.OtherClientSecret = "", ""
	b, err := json.Marshal(tg)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "target.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"--target", file}
}

// measureRE reads what measure's script leaves in the page.
var measureRE = regexp.MustCompile(`data-measure="([^"]*)"`)

// measure loads page in Chromium at the first screen's size, with a script
// appended that records where the first element each selector matches
// stands (getBoundingClientRect, before any scrolling), and returns the
// page's width and each element's top and bottom, in CSS pixels.
func measure(t *testing.T, bin, page string, sels []string) (width int, boxes [][2]int) {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	list, err := json.Marshal(sels)
	if err != nil {
		t.Fatal(err)
	}
	script := `<script>(function(){var out=[window.innerWidth];` + string(list) + `.forEach(function(s){var e=document.querySelector(s);` +
		`if(!e){out.push("none","none");return;}var r=e.getBoundingClientRect();out.push(Math.round(r.top),Math.round(r.bottom));});` +
		`document.body.setAttribute("data-measure",out.join(" "));})();</script>`
	measured := filepath.Join(t.TempDir(), "measured.html")
	if err := os.WriteFile(measured, []byte(strings.Replace(string(b), "</body>", script+"</body>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dom, _, err := headless.Run(ctx, bin, "--dump-dom", "--window-size="+strconv.Itoa(screenWidth)+","+strconv.Itoa(screenHeight), "file://"+measured)
	if err != nil {
		t.Fatal(err)
	}
	m := measureRE.FindStringSubmatch(dom)
	if m == nil {
		t.Fatal("the measuring script left nothing")
	}
	f := strings.Fields(m[1])
	if len(f) != 1+2*len(sels) {
		t.Fatalf("the measuring script left %q", m[1])
	}
	width, _ = strconv.Atoi(f[0])
	for i, sel := range sels {
		if f[1+2*i] == "none" {
			t.Fatalf("%s matches nothing in %s", sel, page)
		}
		top, _ := strconv.Atoi(f[1+2*i])
		bottom, _ := strconv.Atoi(f[2+2*i])
		boxes = append(boxes, [2]int{top, bottom})
	}
	return width, boxes
}

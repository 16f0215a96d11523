package reports

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromium finds Debian's Chromium (or another Chrome) for the browser check.
func chromium() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// runChromium runs headless Chromium with a fresh profile and returns its
// standard output. The context only guards against a hung browser.
func runChromium(t *testing.T, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	profile, err := os.MkdirTemp("", "tokencert-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	// Chromium's helpers may still write into the profile as it exits.
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage", "--hide-scrollbars",
		"--enable-logging=stderr", "--v=0", "--user-data-dir=" + profile}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

// TestHTMLInChromium renders report.html in headless Chromium: the page
// runs its script, shows the verdict and the matrix, filters from a link,
// loads nothing, and its screenshot shows the verdict banner in red.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/run installs it (apt-get install chromium)")
		}
		t.Skip("chromium is not installed (apt-get install chromium): the browser check of report.html is skipped")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	if err := WriteHTML(sampleRun(), page); err != nil {
		t.Fatal(err)
	}
	url := "file://" + page

	dom, logs := runChromium(t, bin, "--dump-dom", url)
	for _, want := range []string{`id="verdict-word">FAIL</div>`, `class=" js"`, "8 of 8 checks shown"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
	rows := regexp.MustCompile(`<tr class="row-\w+" data-verdict="\w+" data-level="[A-Z ]+" data-id="([^"]+)">`).FindAllStringSubmatch(dom, -1)
	if len(rows) != len(sortedNames) {
		t.Errorf("rendered matrix has %d rows, want %d", len(rows), len(sortedNames))
	}
	for i := 0; i < len(rows) && i < len(sortedNames); i++ {
		if !strings.HasPrefix(sortedNames[i], rows[i][1]+" ") {
			t.Errorf("row %d: %s", i, rows[i][1])
		}
	}
	if strings.Contains(logs, "Content Security Policy") || strings.Contains(logs, "Uncaught") {
		t.Errorf("the page was blocked or threw:\n%s", logs)
	}

	// A link can open the report filtered.
	filtered, _ := runChromium(t, bin, "--dump-dom", url+"#verdict=fail,error&level=MUST")
	if !strings.Contains(filtered, "2 of 8 checks shown") {
		t.Errorf("filter from the link not applied: %s", regexp.MustCompile(`\d+ of \d+ checks shown`).FindString(filtered))
	}
	if hidden := regexp.MustCompile(`<tr class="row-pass"[^>]*hidden`).FindAllString(filtered, -1); len(hidden) != 4 {
		t.Errorf("%d passed rows hidden, want 4", len(hidden))
	}

	shot := filepath.Join(dir, "report.png")
	runChromium(t, bin, "--screenshot="+shot, "--window-size=1280,2000", url)
	b, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	if keep := os.Getenv("TOKENCERT_SCREENSHOT"); keep != "" {
		_ = os.WriteFile(keep, b, 0o644)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if sz := img.Bounds().Size(); sz.X != 1280 || sz.Y != 2000 || len(b) < 50_000 {
		t.Errorf("screenshot %v, %d bytes: looks empty", sz, len(b))
	}
	// The banner's background at its top-left is the fail colour #cf222e.
	r, g, bl, _ := img.At(8, 8).RGBA()
	if r>>8 < 0xb0 || g>>8 > 0x50 || bl>>8 > 0x60 {
		t.Errorf("banner pixel is #%02x%02x%02x, want the fail red", r>>8, g>>8, bl>>8)
	}
}

package reports

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tokencert/tokencert/internal/headless"
)

// runChromium runs headless Chromium with a fresh profile and returns its
// standard output and error.
func runChromium(t *testing.T, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, errs, err := headless.Run(ctx, bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out, errs
}

// TestHTMLInChromium renders report.html in headless Chromium: the page
// runs its script, shows the verdict and the matrix, filters from a link,
// loads nothing, and its screenshot shows the verdict banner in red.
func TestHTMLInChromium(t *testing.T) {
	bin := headless.Need(t)
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

package runner

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// WaitEvery is how often a countdown is printed where the console is not a
// terminal (a CI log): a line each time would fill the log with waiting.
const WaitEvery = 10 * time.Second

// statusWidth bounds the status line, so that it never wraps (a wrapped
// line cannot be rewritten in place).
const statusWidth = 78

// console is what a run prints for the person watching it: tokencert's own
// voice, one line per event and the summary at the end. In a terminal a
// status line (checks done, what the run waits for) is rewritten in place;
// elsewhere a countdown is printed at most once every WaitEvery. Ginkgo's
// reporter speaks only with -v, and then the status line is off.
type console struct {
	w        io.Writer
	terminal bool
	now      func() time.Time

	mu          sync.Mutex
	total, done int
	failed      int
	waiting     string    // the countdown shown in the status line, "" when none
	shown       bool      // a status line is on the screen
	lastWait    time.Time // when a countdown line was last printed (not a terminal)
}

func newConsole(w io.Writer, terminal bool) *console {
	return &console{w: w, terminal: terminal, now: time.Now}
}

// println prints a line of its own, above the status line.
func (c *console) println(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
	fmt.Fprintf(c.w, format+"\n", args...)
	c.draw()
}

// Write prints what a check tells the person watching (suites.Env.Console)
// as lines of their own, prefixed "tokencert: ".
func (c *console) Write(p []byte) (int, error) {
	for _, line := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		c.println("tokencert: %s", line)
	}
	return len(p), nil
}

// start says what the run certifies and how many checks it has.
func (c *console) start(total int, format string, args ...any) {
	c.mu.Lock()
	c.total = total
	c.mu.Unlock()
	c.println(format, args...)
}

// checkDone counts a finished check.
func (c *console) checkDone(failed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.done++
	if failed {
		c.failed++
	}
	c.clear()
	c.draw()
}

// countdown says the run waits for what, with left to go. Called about
// once a second by a wait; a terminal shows each call in the status line,
// a log at most one line every WaitEvery.
func (c *console) countdown(what string, left time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	line := fmt.Sprintf("%s: %s left", what, left.Round(100*time.Millisecond))
	if c.terminal {
		// The status line is short: the requirement ID in parentheses
		// is left to the report.
		c.waiting = fmt.Sprintf("%s: %s left", parenthetical.ReplaceAllString(what, ""), left.Round(100*time.Millisecond))
		if left <= 0 {
			c.waiting = ""
		}
		c.clear()
		c.draw()
		return
	}
	now := c.now()
	if left <= 0 || (!c.lastWait.IsZero() && now.Sub(c.lastWait) < WaitEvery) {
		return
	}
	c.lastWait = now
	fmt.Fprintf(c.w, "tokencert: %s\n", line)
}

// finish takes the status line off the screen for the summary.
func (c *console) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clear()
	c.total = 0
}

// clear erases the status line (callers hold mu).
func (c *console) clear() {
	if c.terminal && c.shown {
		fmt.Fprint(c.w, "\r\033[K")
		c.shown = false
	}
}

// draw writes the status line (callers hold mu).
func (c *console) draw() {
	if !c.terminal || c.total == 0 {
		return
	}
	line := fmt.Sprintf("%d/%d checks", c.done, c.total)
	if c.failed > 0 {
		line += fmt.Sprintf(", %d failed", c.failed)
	}
	if c.waiting != "" {
		line += " · " + c.waiting
	}
	if utf8.RuneCountInString(line) > statusWidth {
		line = string([]rune(line)[:statusWidth-1]) + "…"
	}
	fmt.Fprint(c.w, line)
	c.shown = true
}

// parenthetical is an aside in parentheses.
var parenthetical = regexp.MustCompile(` \([^)]*\)`)

// sourceRoot is the directory tokencert was built from, as Ginkgo's code
// locations show it: a path of the build machine, which -v output leaves
// out.
var sourceRoot = func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return filepath.Dir(filepath.Dir(file)) + string(filepath.Separator)
}()

// trimSource is a writer that cuts the build machine's source root out of
// what goes through it (Ginkgo's code locations become module paths).
type trimSource struct{ w io.Writer }

func (t trimSource) Write(p []byte) (int, error) {
	if sourceRoot == "" || !strings.Contains(string(p), sourceRoot) {
		return t.w.Write(p)
	}
	if _, err := io.WriteString(t.w, strings.ReplaceAll(string(p), sourceRoot, "")); err != nil {
		return 0, err
	}
	return len(p), nil
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/tokencert/tokencert/internal/plural"
	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// named collects repeated flags that each name a registered value (a
// fault, a quirk), looked up by lookup.
type named[T any] struct {
	list   []T
	lookup func(string) (T, error)
}

func (n *named[T]) String() string { return fmt.Sprint(n.list) }

func (n *named[T]) Set(name string) error {
	v, err := n.lookup(name)
	if err != nil {
		return err
	}
	n.list = append(n.list, v)
	return nil
}

// serveHelp is 'tokencert serve --help'.
var serveHelp = help{
	Usage: "serve [--spec NAME|FILE] [--addr HOST:PORT] [--lifetime D] [--clock-offset D] [--fault F]... [--quirk Q]...",
	About: "Runs the reference token server in the foreground until interrupted. It speaks the spec's dialect and serves " +
		"a token endpoint, a protected resource, introspection, revocation, device authorization, RFC 8414 metadata and an " +
		"authorization endpoint with a login form, with the faults named injected and the quirks named taken on. Its one line on stdout is a target file " +
		"(JSON) that 'tokencert run --target' certifies; the rest goes to stderr.",
	Exits:   []string{"0: interrupted", exitUsageLine + ", spec or fault, or an address that cannot be listened on"},
	Example: "tokencert serve --lifetime 5s > target.json &    # then: tokencert run --target target.json",
}

func serveCmd(args []string, stdout, stderr io.Writer) int {
	fs := serveHelp.flags("serve", stderr)
	spec := fs.String("spec", "rfc6749", "dialect to speak: a built-in spec name or a spec file")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	lifetime := fs.Duration("lifetime", 0, "access-token lifetime (default: the spec's)")
	latency := fs.Duration("latency", 0, "delay every response by this much")
	offset := fs.Duration("clock-offset", 0, "run the server's clock this far from the machine's, e.g. 37s or -2m: its Date headers and every time it issues and checks (a server whose clock is off)")
	faults := named[refserver.Fault]{lookup: refserver.FaultByName}
	fs.Var(&faults, "fault", "inject a fault (repeatable; see 'tokencert faults')")
	quirks := named[refserver.Quirk]{lookup: refserver.QuirkByName}
	fs.Var(&quirks, "quirk", "take on a behaviour of real servers (repeatable; see 'tokencert faults')")
	pos, err := serveHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
	if len(pos) > 0 {
		return serveHelp.usageError(stderr, "serve", "unexpected argument %q", pos[0])
	}
	s, err := specs.Load(*spec)
	if err != nil {
		fmt.Fprintf(stderr, "tokencert: %v\n", err)
		return 2
	}
	srv, err := refserver.New(refserver.Options{Spec: s, Lifetime: *lifetime, Latency: *latency, Faults: faults.list, Quirks: quirks.list, ClockOffset: *offset})
	if err != nil {
		fmt.Fprintf(stderr, "tokencert: %v\n", err)
		return 2
	}
	if err := srv.Start(*addr); err != nil {
		fmt.Fprintf(stderr, "tokencert: %v\n", err)
		return 2
	}
	defer srv.Close()
	// The first line is a target file for 'tokencert run --target'.
	line, _ := json.Marshal(srv.Target())
	fmt.Fprintln(stdout, string(line))
	fmt.Fprintf(stderr, "tokencert: reference server (%s) on %s; interrupt to stop\n", s.Name, srv.URL())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	return 0
}

// specsHelp is 'tokencert specs --help'.
var specsHelp = help{
	Usage: "specs",
	About: "Lists the built-in endpoint specs: each one's name (for --spec and the target key spec), what it checks, " +
		"the document it was written from, and how many requirements and decisions it has. A spec file of your own " +
		"(specs/README.md describes the format) is named by its path instead.",
	Exits:   []string{"0: listed", "1: a built-in spec does not load (a bug)", exitUsageLine},
	Example: "tokencert specs",
}

func specsCmd(args []string, stdout, stderr io.Writer) int {
	fs := specsHelp.flags("specs", stderr)
	pos, err := specsHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
	if len(pos) > 0 {
		return specsHelp.usageError(stderr, "specs", "takes no argument, got %q", pos[0])
	}
	for _, name := range specs.Names() {
		s, err := specs.Load(name)
		if err != nil {
			fmt.Fprintf(stderr, "tokencert: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%-13s %s\n              document: %s (%s)\n              %s, %s\n", s.Name, s.Summary, s.Document.Title, s.Document.File,
			plural.N(len(s.Requirements), "requirement"), plural.N(len(s.Decisions), "decision"))
	}
	return 0
}

// faultsHelp is 'tokencert faults --help'.
var faultsHelp = help{
	Usage: "faults [--spec NAME|FILE]",
	About: "Lists the reference server's injectable faults (for 'tokencert serve --fault' and 'tokencert run --fault'): " +
		"each one's name, the requirement it breaks with that requirement's level, and what the server then does wrong. " +
		"A fault that breaks a MUST makes a run fail (exit 1); one below the MUST level gives a finding. The level is the " +
		"catalogue's, or --spec's where the spec sets its own. Then the quirks (for --quirk): behaviours of real servers " +
		"that RFC 6749 allows or leaves to the server, each with the requirements it concerns, which a run must not fail, " +
		"and where it was seen.",
	Exits:   []string{"0: listed", exitUsageLine + ", or a spec that does not load"},
	Example: "tokencert faults --spec rfc6749",
}

func faultsCmd(args []string, stdout, stderr io.Writer) int {
	fs := faultsHelp.flags("faults", stderr)
	spec := fs.String("spec", "", "only the faults that break a requirement of this spec, with its levels")
	pos, err := faultsHelp.parse(fs, args, stdout)
	if err != nil {
		return exitOf(err)
	}
	if len(pos) > 0 {
		return faultsHelp.usageError(stderr, "faults", "takes no argument, got %q", pos[0])
	}
	list, quirks := refserver.Faults(), refserver.Quirks()
	var only *specs.Spec
	if *spec != "" {
		s, err := specs.Load(*spec)
		if err != nil {
			fmt.Fprintf(stderr, "tokencert faults: %v\n", err)
			return 2
		}
		list, quirks, only = refserver.FaultsFor(s), refserver.QuirksFor(s), s
	}
	level := levels(only)
	fmt.Fprintf(stdout, "%-34s %-44s %-10s %s\n", "FAULT", "BREAKS", "LEVEL", "WHAT THE SERVER DOES")
	for _, f := range list {
		breaks, lvl := f.Breaks, level[f.Breaks]
		if breaks == "" {
			breaks, lvl = "(what a requirement naming it says)", "—"
		}
		fmt.Fprintf(stdout, "%-34s %-44s %-10s %s\n", f.Name, breaks, lvl, f.Doc)
	}
	if len(quirks) > 0 {
		fmt.Fprintf(stdout, "\nQuirks: behaviours of real servers that RFC 6749 allows or leaves to the server (--quirk NAME); a run must fail none of the requirements each concerns.\n")
	}
	for _, q := range quirks {
		fmt.Fprintf(stdout, "%-34s %s\n  %s\n  seen: %s\n", q.Name, strings.Join(q.Concerns, ", "), q.Doc, q.Seen)
	}
	return 0
}

// levels maps requirement IDs to their level: spec's when given, else
// the catalogue's and the built-in specs' own.
func levels(spec *specs.Spec) map[string]string {
	out := map[string]string{}
	all, _ := specs.Catalogue()
	for _, e := range all {
		out[e.ID] = string(e.Level)
	}
	list := []*specs.Spec{spec}
	if spec == nil {
		list = nil
		for _, name := range specs.Names() {
			if s, err := specs.Load(name); err == nil {
				list = append(list, s)
			}
		}
	}
	for _, s := range list {
		for _, r := range s.Requirements {
			if _, ok := out[r.ID]; !ok || spec != nil {
				out[r.ID] = string(r.Level)
			}
		}
	}
	return out
}

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tokencert/tokencert/refserver"
	"github.com/tokencert/tokencert/specs"
)

// faultList collects repeated --fault flags.
type faultList []refserver.Fault

func (f *faultList) String() string { return fmt.Sprint(*f) }

func (f *faultList) Set(name string) error {
	fault, err := refserver.FaultByName(name)
	if err != nil {
		return err
	}
	*f = append(*f, fault)
	return nil
}

func serveCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "rfc6749", "dialect to speak: a built-in spec name or a spec file")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	lifetime := fs.Duration("lifetime", 0, "access-token lifetime (default: the spec's)")
	latency := fs.Duration("latency", 0, "delay every response by this much")
	offset := fs.Duration("clock-offset", 0, "run the server's clock this far from the machine's, e.g. 37s or -2m: its Date headers and every time it issues and checks (a server whose clock is off)")
	var faults faultList
	fs.Var(&faults, "fault", "inject a fault (repeatable; see 'tokencert faults')")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	s, err := specs.Load(*spec)
	if err != nil {
		fmt.Fprintf(stderr, "tokencert: %v\n", err)
		return 2
	}
	srv, err := refserver.New(refserver.Options{Spec: s, Lifetime: *lifetime, Latency: *latency, Faults: faults, ClockOffset: *offset})
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

func specsCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("specs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, name := range specs.Names() {
		s, err := specs.Load(name)
		if err != nil {
			fmt.Fprintf(stderr, "tokencert: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "%-13s %s\n              document: %s (%s)\n              %d requirements, %d decisions\n", s.Name, s.Summary, s.Document.Title, s.Document.File, len(s.Requirements), len(s.Decisions))
	}
	return 0
}

func faultsCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("faults", flag.ContinueOnError)
	fs.SetOutput(stderr)
	spec := fs.String("spec", "", "only the faults that break a requirement of this spec")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	list := refserver.Faults()
	if *spec != "" {
		s, err := specs.Load(*spec)
		if err != nil {
			fmt.Fprintf(stderr, "tokencert: %v\n", err)
			return 2
		}
		list = refserver.FaultsFor(s)
	}
	for _, f := range list {
		breaks := f.Breaks
		if breaks == "" {
			breaks = "(what a requirement naming it says)"
		}
		fmt.Fprintf(stdout, "%-34s %-44s %s\n", f.Name, breaks, f.Doc)
	}
	return 0
}

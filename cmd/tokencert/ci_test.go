package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tokencert/tokencert/reports"
	model "github.com/tokencert/tokencert/result"
	"github.com/tokencert/tokencert/shard"
)

// secretsOf are the secrets startRef's env holds, by variable name.
func secretsOf(env []string) map[string]string {
	out := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}

// withKey adds a key to a JSON target file.
func withKey(t *testing.T, path, key, value string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m[key] = value
	if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readRun(t *testing.T, dir string) *model.Run {
	t.Helper()
	r, err := reports.ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const dupID = "RFC6749-3.2-NO-DUP-RESPONSE-PARAM"

// TestWaivers: a waived MUST failure passes the run and shows in every
// output and on the console; a stale waiver is a note; an expired one
// fails the run and says which; a certification refuses waivers; a bad
// waivers file is exit 2 naming file, line and key. No secret leaks.
func TestWaivers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target, env, _ := startRef(t, dir, "dup.json", "duplicate-member")
	withKey(t, target, "waivers", "waivers.yaml") // relative to the target file
	write(t, filepath.Join(dir, "waivers.yaml"), "- id: "+dupID+"\n  reason: the gateway repeats a member\n  owner: alice@example.com\n  expires: 2099-12-31\n  ticket: https://tracker.example/SEC-1\n"+
		"- id: RFC6749-5.2-ERROR-CODE-VOCAB\n  target: \"dup.*\"\n  reason: long fixed\n  owner: bob\n  expires: 2099-01-01\n"+
		"- id: RFC6749-5.1-STATUS-200\n  target: \"https://elsewhere.example/*\"\n  reason: another tenant\n  owner: carol\n  expires: 2099-01-01\n")

	r := tokencert(t, env, "run", "--target", target, "--skew", "500ms")
	if r.exit != 0 {
		t.Fatalf("exit %d, want 0: the only MUST failure is waived\n%s%s", r.exit, r.stdout, r.stderr)
	}
	sentence := "waived until 2099-12-31 by alice@example.com: the gateway repeats a member"
	out := r.outputs(t)
	for _, name := range []string{"junit.xml", "report.json", "report.html", "summary.md", "stdout"} {
		if !strings.Contains(string(out[name]), sentence) {
			t.Errorf("%s does not say %q", name, sentence)
		}
	}
	if !strings.Contains(r.stdout, "stale waiver "+filepath.Join(dir, "waivers.yaml")+":6: RFC6749-5.2-ERROR-CODE-VOCAB matches no failed check") {
		t.Errorf("the stale waiver is not reported:\n%s", r.stdout)
	}
	rep := readRun(t, filepath.Join(r.dir, "report"))
	if rep.Verdict != model.RunPass || len(rep.Waivers) != 3 || rep.Waivers[2].Status != model.WaiverOtherTarget {
		t.Errorf("report.json: verdict %s, waivers %+v", rep.Verdict, rep.Waivers)
	}
	for _, c := range rep.Checks {
		if c.ID == dupID && (c.Verdict != model.Fail || c.Waived == nil) {
			t.Errorf("%s: verdict %s, waived %v; want fail, waived", c.Name, c.Verdict, c.Waived)
		}
	}
	var m reports.Manifest
	if err := json.Unmarshal(out["MANIFEST.json"], &m); err != nil || len(m.Waivers) != 3 || m.WaiversFile == nil || m.Build.Go == "" {
		t.Errorf("MANIFEST.json: waivers %+v, file %v, build %+v (%v)", m.Waivers, m.WaiversFile, m.Build, err)
	}
	expectNoSecrets(t, r, secretsOf(env))

	// --waivers wins over the target key; an expired waiver fails the run.
	expired := filepath.Join(dir, "expired.yaml")
	write(t, expired, "- id: "+dupID+"\n  reason: r\n  owner: alice\n  expires: 2020-01-01\n")
	r = tokencert(t, env, "run", "--target", target, "--skew", "500ms", "--waivers", expired)
	if r.exit != 1 || !strings.Contains(r.stdout, "EXPIRED WAIVER "+expired+":1: "+dupID+" expired on 2020-01-01") {
		t.Errorf("exit %d, want 1 naming the expired waiver\n%s%s", r.exit, r.stdout, r.stderr)
	}

	r = tokencert(t, env, "run", "--target", target, "--certify")
	if r.exit != 2 || !regexp.MustCompile(regexp.QuoteMeta(target)+`:\d+: waivers: a certification \(--certify\) accepts no waivers`).MatchString(r.stderr) {
		t.Errorf("--certify with waivers: exit %d\n%s", r.exit, r.stderr)
	}
	for _, bad := range []struct{ content, want string }{
		{"- id: " + dupID + "\n  reason: r\n  owner: o\n  expiry: 2026-01-01\n", "bad.yaml:4: expiry: unknown key"},
		{"- id: " + dupID + "\n  reason: r\n  owner: o\n  expires: 2026-13-01\n", `bad.yaml:4: expires: "2026-13-01" is not a date`},
		{"- id: RFC6749-NO-SUCH\n  reason: r\n  owner: o\n  expires: 2026-01-01\n", "bad.yaml:1: id: spec rfc6749 has no requirement RFC6749-NO-SUCH"},
	} {
		write(t, filepath.Join(dir, "bad.yaml"), bad.content)
		r = tokencert(t, env, "run", "--target", target, "--waivers", filepath.Join(dir, "bad.yaml"))
		if r.exit != 2 || !strings.Contains(r.stderr, bad.want) {
			t.Errorf("exit %d, want 2 saying %q\n%s", r.exit, bad.want, r.stderr)
		}
	}
}

// TestBaselineAndDiff: --fail-on regressions fails only on failures new
// since the baseline; diff says what changed and refuses runs of
// different specs.
func TestBaselineAndDiff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dup, env1, _ := startRef(t, dir, "dup.json", "duplicate-member")
	nostore, env2, _ := startRef(t, dir, "nostore.json", "no-store-missing")
	env := append(env1, env2...)

	base := tokencert(t, env, "run", "--target", dup, "--skew", "500ms")
	if base.exit != 1 {
		t.Fatalf("baseline: exit %d, want 1\n%s", base.exit, base.stderr)
	}
	baseline := filepath.Join(base.dir, "report")

	same := tokencert(t, env, "run", "--target", dup, "--skew", "500ms", "--baseline", baseline, "--fail-on", "regressions")
	if same.exit != 0 {
		t.Errorf("the same failure again: exit %d, want 0 (no regression)\n%s%s", same.exit, same.stdout, same.stderr)
	}

	worse := tokencert(t, env, "run", "--target", nostore, "--skew", "500ms", "--baseline", baseline, "--fail-on", "regressions")
	if worse.exit != 1 {
		t.Errorf("a new MUST failure: exit %d, want 1\n%s%s", worse.exit, worse.stdout, worse.stderr)
	}
	rep := readRun(t, filepath.Join(worse.dir, "report"))
	if ch := rep.Changes; ch == nil || len(ch.Regressions) == 0 || len(ch.NewlyPassing) == 0 || !strings.HasPrefix(ch.NewlyPassing[0].Name, dupID) {
		t.Fatalf("report.json changes: %+v", rep.Changes)
	}
	if md := string(worse.outputs(t)["summary.md"]); !strings.Contains(md, "### What changed since the baseline") || !strings.Contains(md, "#### Newly failing") {
		t.Errorf("summary.md lacks the changes:\n%s", md)
	}

	d := tokencert(t, nil, "diff", baseline, filepath.Join(worse.dir, "report", "report.json"))
	if d.exit != 1 || !strings.Contains(d.stdout, "#### Newly failing") || !strings.Contains(d.stdout, "#### Newly passing (1)") {
		t.Errorf("diff: exit %d, want 1 with Markdown\n%s%s", d.exit, d.stdout, d.stderr)
	}
	d = tokencert(t, nil, "diff", "--format", "text", filepath.Join(worse.dir, "report"), baseline)
	if d.exit != 1 || !strings.Contains(d.stdout, "Newly failing (1):\n  "+dupID) {
		t.Errorf("diff the other way: exit %d, want 1 (the duplicate member is new)\n%s%s", d.exit, d.stdout, d.stderr)
	}
	for _, out := range []string{d.stdout, d.stderr} {
		for _, s := range secretsOf(env) {
			if strings.Contains(out, s) {
				t.Error("diff printed a secret")
			}
		}
	}

	b, _ := os.ReadFile(filepath.Join(baseline, "report.json"))
	other := filepath.Join(dir, "vision10.json")
	write(t, other, strings.Replace(string(b), `"name": "rfc6749"`, `"name": "vision10"`, 1))
	d = tokencert(t, nil, "diff", other, baseline)
	if d.exit != 2 || !strings.Contains(d.stderr, "different specs (vision10, then rfc6749)") {
		t.Errorf("diff of different specs: exit %d, want 2\n%s", d.exit, d.stderr)
	}
	d = tokencert(t, nil, "diff", baseline, filepath.Join(dir, "nothing-here"))
	if d.exit != 2 {
		t.Errorf("diff with a missing report: exit %d, want 2", d.exit)
	}
}

// TestShardAndMerge: two shards of a fleet certify each target once, by
// the name's hash; merge lists them all with the worst exit code.
func TestShardAndMerge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fleet := filepath.Join(dir, "fleet")
	if err := os.Mkdir(fleet, 0o755); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, n := range []struct{ name, fault string }{{"eu.json", ""}, {"us.json", "no-store-missing"}, {"ap.json", ""}} {
		_, e, _ := startRef(t, fleet, n.name, n.fault)
		env = append(env, e...)
	}
	write(t, filepath.Join(fleet, "down.json"), `{"endpoint": "http://`+closedPort(t)+`/token", "client_id": "c"}`)
	names := []string{"ap.json", "down.json", "eu.json", "us.json"}

	out := filepath.Join(dir, "out")
	s0 := tokencert(t, env, "run", "--target", fleet, "--shard", "0/2", "--skew", "500ms", "--report-dir", filepath.Join(out, "s0"))
	s1 := tokencert(t, append(env, "JOB_COMPLETION_INDEX=1"), "run", "--target", fleet, "--shard", "/2", "--skew", "500ms", "--report-dir", filepath.Join(out, "s1"))
	var got []string
	worstExit := 0
	for i, s := range []string{"s0", "s1"} {
		x := readIndex(t, filepath.Join(out, s))
		if x.Shard != []string{"0/2", "1/2"}[i] {
			t.Errorf("%s: shard %q", s, x.Shard)
		}
		for _, e := range x.Targets {
			base := filepath.Base(e.Target)
			if shard.Of(base, 2) != i {
				t.Errorf("%s certified %s, which is shard %d's", s, base, shard.Of(base, 2))
			}
			got = append(got, base)
		}
		worstExit = max(worstExit, []int{s0.exit, s1.exit}[i])
	}
	slices.Sort(got)
	if !slices.Equal(got, names) {
		t.Fatalf("the shards certified %q, want each of %q once\n%s%s", got, names, s0.stdout, s1.stdout)
	}

	m := tokencert(t, nil, "merge", "--out", out, filepath.Join(out, "s0"), filepath.Join(out, "s1"))
	if m.exit != 1 {
		t.Errorf("merge: exit %d, want 1 (a MUST failed; it ranks above unreachable)\n%s%s", m.exit, m.stdout, m.stderr)
	}
	x := readIndex(t, out)
	if len(x.Targets) != 4 || x.ExitCode != 1 {
		t.Fatalf("merged index: %d targets, exit %d", len(x.Targets), x.ExitCode)
	}
	for _, e := range x.Targets {
		if e.Verdict == model.RunUnreachable {
			continue
		}
		if _, err := os.Stat(filepath.Join(out, e.Bundle, "report.json")); err != nil || !strings.HasPrefix(e.Bundle, "s") {
			t.Errorf("merged entry %s links bundle %q: %v", e.Target, e.Bundle, err)
		}
	}
	secrets := secretsOf(env)
	for _, f := range []string{"index.json", "index.md", "index.html"} {
		b, _ := os.ReadFile(filepath.Join(out, f))
		for what, s := range secrets {
			if strings.Contains(string(b), s) || strings.Contains(m.stdout+m.stderr, s) {
				t.Errorf("merge wrote the secret %s (in %s or its console)", what, f)
			}
		}
	}
	if got := baselineOf(out, "eu"); got != filepath.Join(out, x.Targets[slices.IndexFunc(x.Targets, func(e reports.IndexEntry) bool { return filepath.Base(e.Target) == "eu.json" })].Bundle) {
		t.Errorf("baselineOf(merged index, eu) = %s", got)
	}
	if got := baselineOf(dir, "eu"); got != filepath.Join(dir, "eu") {
		t.Errorf("baselineOf(no index, eu) = %s", got)
	}
	if m = tokencert(t, nil, "merge", "--out", out, dir); m.exit != 2 || !strings.Contains(m.stderr, "neither a report dir") {
		t.Errorf("merge of a directory that is no run: exit %d\n%s", m.exit, m.stderr)
	}
}

func TestShardUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--target", ".", "--shard", "3/2"}, `--shard: "3/2": the shard index 3 is not below the shard count 2`},
		{[]string{"run", "--shard", "0/2"}, "--shard: splits the targets of --target DIR"},
		{[]string{"run", "--target", ".", "--shard", "/2"}, "none of $TOKENCERT_SHARD_INDEX, $JOB_COMPLETION_INDEX is set"},
		{[]string{"run", "--fail-on", "regressions"}, "--fail-on: regressions are failures new since a baseline"},
		{[]string{"run", "--fail-on", "sometimes"}, `--fail-on: "sometimes": want must or regressions`},
	} {
		r := tokencert(t, []string{"JOB_COMPLETION_INDEX=", "TOKENCERT_SHARD_INDEX="}, c.args...)
		if r.exit != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: exit %d, want 2 saying %q\n%s", c.args, r.exit, c.want, r.stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	r := tokencert(t, nil, "version")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.exit != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "tokencert ") || !strings.HasPrefix(lines[1], "commit ") || !strings.HasPrefix(lines[2], "go1.") {
		t.Errorf("exit %d:\n%s%s", r.exit, r.stdout, r.stderr)
	}
}

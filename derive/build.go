package derive

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/schemas"
	"github.com/tokencert/tokencert/specs"
)

// rfcParams are the parameters RFC 6749 defines for the token request; a
// required parameter outside them (and scope, which RFC 6749 makes
// optional) is one the spec lists in request.required.
var rfcParams = map[string]bool{
	"grant_type": true, "client_id": true, "client_secret": true, "username": true, "password": true,
	"refresh_token": true, "code": true, "redirect_uri": true, "code_verifier": true, "device_code": true,
	"client_assertion": true, "client_assertion_type": true,
}

// carried are the parameters the suites' token requests carry (the RFC
// 6749 parameters a spec may rename or limit, lint's list).
var carried = map[string]bool{"grant_type": true, "client_id": true, "client_secret": true, "username": true, "password": true,
	"scope": true, "refresh_token": true, "code": true, "redirect_uri": true, "code_verifier": true, "audience": true}

// aliases are wire names documents use for RFC 6749 parameters.
var aliases = map[string]string{
	"clientId": "client_id", "clientSecret": "client_secret", "grantType": "grant_type",
	"refreshToken": "refresh_token", "client-id": "client_id", "client-secret": "client_secret",
}

// rfcMembers are the success members RFC 6749 §5.1 defines.
var rfcMembers = map[string]bool{"access_token": true, "token_type": true, "expires_in": true, "refresh_token": true, "scope": true}

// builder turns facts into a spec, its schemas and the notes.
type builder struct {
	f       *facts
	name    string
	file    string
	prefix  string
	opts    Options
	rows    []noteRow
	todos   []string
	decide  []decision
	others  []string
	reqs    []*yaml.Node
	reqIDs  map[string]bool
	schemas map[string][]byte

	method, path, encoding string
	auth                   []string
	authO                  map[string][]obs
	grants                 []string
	sampleParams           map[string]string
	// grantNodes are the grants' entries; refreshNever the grants whose
	// entry says refresh_token: never, with where the document says so.
	grantNodes   map[string]*yaml.Node
	refreshNever map[string][]obs
}

type noteRow struct{ fact, value, from, quote string }

type decision struct{ point, reading, why string }

func (b *builder) note(fact, value string, os ...obs) string {
	var from, quote []string
	seen := map[string]bool{}
	for _, o := range os {
		w := o.at.String()
		if seen[w] {
			continue
		}
		seen[w] = true
		k := o.kind
		if k == "" {
			k = "?"
		}
		from = append(from, w+" ("+k+")")
		if o.quote != "" && len(quote) < 3 {
			q := o.quote
			if len(q) > 120 {
				q = q[:117] + "..."
			}
			quote = append(quote, q)
		}
	}
	b.rows = append(b.rows, noteRow{fact, value, strings.Join(from, ", "), strings.Join(quote, " / ")})
	if len(from) > 3 {
		from = append(from[:3], "…")
	}
	return strings.Join(from, ", ")
}

func (b *builder) todo(what string) string {
	t := "TODO(derive): " + what
	b.todos = append(b.todos, what)
	return t
}

func (b *builder) decision(point, reading, why string) {
	b.decide = append(b.decide, decision{point, "NEEDS REVIEW (derived): " + reading, why})
}

func (b *builder) cite(os ...obs) string {
	var out []string
	seen := map[string]bool{}
	for _, o := range os {
		w := o.at.String()
		if seen[w] {
			continue
		}
		seen[w] = true
		q := o.quote
		if len(q) > 80 {
			q = q[:77] + "..."
		}
		if q != "" {
			w += ": " + q
		}
		out = append(out, w)
		if len(out) == 2 {
			break
		}
	}
	return b.file + " " + strings.Join(out, "; ")
}

func (b *builder) require(id, level, text, check string, os ...obs) {
	if b.reqIDs[id] {
		return
	}
	b.reqIDs[id] = true
	var kv []any
	kv = append(kv, "id", id)
	if level != "" {
		kv = append(kv, "level", level, "text", text)
	}
	if check != "" {
		kv = append(kv, "check", check)
	}
	kv = append(kv, "cite", b.cite(os...))
	b.reqs = append(b.reqs, flowMap(kv...))
}

// group is one candidate token endpoint: the mentions of one path.
type group struct {
	path    string
	mention []endpoint
	score   int
	grant   bool
}

func (b *builder) endpoint() (*group, error) {
	var groups []*group
	find := func(p string) *group {
		for _, g := range groups {
			if g.path == p || strings.HasSuffix(g.path, p) || strings.HasSuffix(p, g.path) {
				if len(p) > len(g.path) {
					g.path = p
				}
				return g
			}
			// A sample's path that fills a documented template's variables
			// (/contoso.com/oauth2/token for /{tenant_id}/oauth2/token) is
			// the template's endpoint; the template is what the spec says.
			if fills(p, g.path) {
				return g
			}
			if fills(g.path, p) {
				g.path = p
				return g
			}
		}
		g := &group{path: p}
		groups = append(groups, g)
		return g
	}
	for _, e := range b.f.endpoints {
		if e.path.val == "" {
			continue
		}
		g := find(e.path.val)
		g.mention = append(g.mention, e)
		switch {
		case e.grant:
			g.score += 10
			g.grant = true
		case e.path.kind == "sample" || e.path.kind == "schema":
			g.score += 3
		case e.path.kind == "heading" || e.path.kind == "table":
			g.score += 2
		default:
			g.score++
		}
	}
	hasTokenFacts := len(b.f.success) > 0 || len(b.f.grants) > 0 || len(b.f.requests) > 0
	var cands, others []*group
	for _, g := range groups {
		if g.grant || (hasTokenFacts && strings.Contains(strings.ToLower(g.path), "token")) {
			cands = append(cands, g)
		} else {
			others = append(others, g)
		}
	}
	if len(cands) == 0 && len(groups) == 1 && hasTokenFacts {
		cands = groups
		others = nil
	}
	for _, g := range others {
		b.others = append(b.others, fmt.Sprintf("%s (%s)", g.path, g.mention[0].path.at))
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("%w: looked for a token request (a curl, HTTPie, HTTP or Python sample, or a JSON body, with grant_type), a heading, table or line naming a method and a path with \"token\" in it, and an OpenAPI operation whose request body has grant_type; found %s", ErrNoEndpoint, foundSummary(b.f, groups))
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	pick := cands[0]
	if b.opts.Endpoint != "" {
		pick = nil
		for _, g := range cands {
			if g.path == normPath(b.opts.Endpoint) {
				pick = g
			}
		}
		if pick == nil {
			var ps []string
			for _, g := range cands {
				ps = append(ps, g.path)
			}
			return nil, fmt.Errorf("%w: --endpoint %s is none of the candidate token endpoints (%s)", ErrNoEndpoint, b.opts.Endpoint, strings.Join(ps, ", "))
		}
	}
	if len(cands) > 1 {
		var all []string
		for _, g := range cands {
			all = append(all, fmt.Sprintf("%s (%s, %d mention(s))", g.path, g.mention[0].path.at, len(g.mention)))
		}
		why := "it has the most evidence (request samples with grant_type count most)"
		if b.opts.Endpoint != "" {
			why = "--endpoint chose it"
		}
		b.decision("The document names more than one candidate token endpoint: "+strings.Join(all, "; ")+".",
			"this spec describes "+pick.path+"; derive again with --endpoint PATH for another",
			why+"; the others may be other APIs, versions or environments, which only a reader can tell.")
	}
	return pick, nil
}

// fills reports whether path is template with its variables filled in: as
// many segments, each equal or a {variable} of the template.
func fills(path, template string) bool {
	ps, ts := strings.Split(path, "/"), strings.Split(template, "/")
	if len(ps) != len(ts) || len(pathVars(template)) == 0 || path == template {
		return false
	}
	for i := range ps {
		if ps[i] != ts[i] && !(strings.HasPrefix(ts[i], "{") && strings.HasSuffix(ts[i], "}")) {
			return false
		}
	}
	return true
}

func foundSummary(f *facts, groups []*group) string {
	var s []string
	for _, g := range groups {
		s = append(s, g.path)
	}
	if len(s) == 0 {
		return "no method and path, and no request sample"
	}
	return "only paths that are not a token endpoint: " + strings.Join(s, ", ")
}

// requestsTo lists the request samples sent to the chosen endpoint (JSON
// bodies, which name no path, go with it).
func (b *builder) requestsTo(g *group) []reqSample {
	var out []reqSample
	for _, r := range b.f.requests {
		if r.path == "" || r.path == g.path || strings.HasSuffix(g.path, r.path) || strings.HasSuffix(r.path, g.path) {
			out = append(out, r)
		}
	}
	return out
}

func sampleObs(r reqSample, val string) obs {
	q := r.tool + " sample"
	if r.url != "" {
		q += " " + r.method + " " + r.url
	}
	return obs{val: val, at: r.at, quote: q, kind: "sample"}
}

func (b *builder) build(g *group) (*yaml.Node, error) {
	f := b.f
	spec := &yaml.Node{Kind: yaml.MappingNode}
	add(spec, "name", str(b.name), "")
	title := f.title.val
	if title == "" {
		title = b.name
	}
	add(spec, "title", str(title), b.note("title", title, f.title))
	docNode := &yaml.Node{Kind: yaml.MappingNode}
	add(docNode, "title", str(title), "")
	add(docNode, "file", str(b.file), "")
	reqs := b.requestsTo(g)
	b.sampleParams = map[string]string{}
	for _, r := range reqs {
		for k, v := range r.params {
			if _, ok := b.sampleParams[k]; !ok {
				b.sampleParams[k] = v
			}
		}
	}

	// request
	rq := &yaml.Node{Kind: yaml.MappingNode}
	var methods []obs
	for _, e := range g.mention {
		if e.method.val != "" {
			methods = append(methods, e.method)
		}
	}
	for _, e := range f.endpoints {
		if e.path.val == "" && e.method.val != "" {
			methods = append(methods, e.method)
		}
	}
	b.method = b.resolve("request.method", methods, "sample", rq, "method",
		"the document names no method for the token endpoint")
	var paths []obs
	bases := map[string]bool{}
	for _, e := range g.mention {
		paths = append(paths, obs{val: g.path, at: e.path.at, quote: e.path.quote, kind: e.path.kind})
		if e.base != "" {
			bases[e.base] = true
		}
	}
	b.path = g.path
	add(rq, "path", str(g.path), b.note("request.path", g.path, paths...))
	var variants []string
	for _, e := range g.mention {
		if e.path.val != g.path {
			variants = append(variants, e.path.val+" ("+e.path.at.String()+")")
		}
	}
	if len(variants) > 0 {
		b.note("path variants (the same endpoint written shorter, or a template filled in)", strings.Join(dedupe(variants), ", "), paths...)
		var filled []string
		for _, e := range g.mention {
			if fills(e.path.val, g.path) {
				filled = append(filled, e.path.val+" ("+e.path.at.String()+")")
			}
		}
		if len(filled) > 0 {
			b.decision(fmt.Sprintf("The document writes the token path as the template %s and, in its samples, as %s.", g.path, strings.Join(dedupe(filled), ", ")),
				"request.path "+g.path+": the template; the target gives each variable in params",
				"a sample fills the template with one tenant's values; the template is what holds for every client.")
		}
	}
	if len(bases) > 0 {
		var bs []string
		for k := range bases {
			bs = append(bs, k)
		}
		sort.Strings(bs)
		b.note("base URL", strings.Join(bs, ", "), paths...)
	}
	for _, v := range pathVars(g.path) {
		b.note("path variable", "{"+v+"}", paths...)
	}

	// encoding
	var encS, encD []obs
	ctDeclared := []obs{}
	for _, r := range reqs {
		if r.encoding == "json" || r.encoding == "form" {
			encS = append(encS, sampleObs(r, r.encoding))
		} else if r.encoding == "multipart" {
			f.ask("the %s sample at %s sends multipart/form-data, which the spec format does not model", r.tool, r.at)
		}
		if r.ctype != "" {
			ctDeclared = append(ctDeclared, sampleObs(r, strings.ToLower(r.ctype)))
		}
	}
	encD = append(encD, f.encodings...)
	ctDeclared = append(ctDeclared, f.ctypes...)
	switch {
	case len(encS) > 0:
		vals := distinct(encS)
		b.encoding = vals[0]
		if len(vals) > 1 {
			b.decision(fmt.Sprintf("The request samples disagree on the body encoding: %s.", describe(encS)),
				"request.encoding "+b.encoding+" (the first sample's)", "each sample is a request someone could send; which one the endpoint requires the document does not say.")
		}
		for _, d := range distinct(encD) {
			if d != b.encoding {
				o := firstOf(encD, d)
				b.decision(fmt.Sprintf("%s (%s) says the body is %s; the request samples send %s (%s).", o.at, o.quote, d, b.encoding, places(encS, b.encoding)),
					"request.encoding "+b.encoding+", as the samples send it",
					"a sample is a whole request as sent; a table or sentence describes it, and may describe the response instead.")
			}
		}
		add(rq, "encoding", str(b.encoding), b.note("request.encoding", b.encoding, append(filter(encS, b.encoding), filter(encD, b.encoding)...)...))
	case len(encD) > 0:
		vals := distinct(encD)
		b.encoding = vals[0]
		if len(vals) > 1 {
			b.decision(fmt.Sprintf("The document names more than one body encoding: %s.", describe(encD)), "request.encoding "+b.encoding+" (the first named)", "no request sample settles it.")
		}
		add(rq, "encoding", str(b.encoding), b.note("request.encoding", b.encoding, filter(encD, b.encoding)...))
	default:
		if ct := distinct(ctDeclared); len(ct) == 1 && (strings.Contains(ct[0], "json") || strings.Contains(ct[0], "urlencoded")) {
			b.encoding = "json"
			if strings.Contains(ct[0], "urlencoded") {
				b.encoding = "form"
			}
			add(rq, "encoding", str(b.encoding), b.note("request.encoding", b.encoding+" (from the declared Content-Type)", ctDeclared...))
		} else {
			add(rq, "encoding", str(b.todo("the document shows no request body: form or json?")), "")
		}
	}
	if b.encoding != "" {
		implied := map[string]string{"form": "application/x-www-form-urlencoded", "json": "application/json"}[b.encoding]
		for _, ct := range distinct(ctDeclared) {
			base := strings.TrimSpace(strings.Split(ct, ";")[0])
			if base != implied && (strings.Contains(base, "json") || strings.Contains(base, "urlencoded")) {
				add(rq, "content_type", str(base), b.note("request.content_type", base, filter(ctDeclared, ct)...))
				b.decision(fmt.Sprintf("The document declares Content-Type %s (%s) on a body it encodes as %s (%s).", base, places(ctDeclared, ct), b.encoding, places(append(encS, encD...), b.encoding)),
					"request.encoding "+b.encoding+" with request.content_type "+base+": the spec sends what the document shows",
					"a client written from the document sends exactly this, so the endpoint must take it.")
				break
			}
		}
	}

	// client authentication
	var basicO, bodyO []obs
	params := map[string]string{}
	for _, r := range reqs {
		if r.basic {
			basicO = append(basicO, sampleObs(r, "basic"))
		}
		id, sec := "", ""
		for k := range r.params {
			switch rfcName(k) {
			case "client_id":
				id = k
			case "client_secret":
				sec = k
			}
		}
		if id != "" && sec != "" {
			bodyO = append(bodyO, sampleObs(r, "body"))
			for _, k := range []string{id, sec} {
				if rfcName(k) != k {
					params[rfcName(k)] = k
				}
			}
		}
	}
	sampleAuth := []string{}
	for _, r := range reqs {
		if r.basic && !slices.Contains(sampleAuth, "basic") {
			sampleAuth = append(sampleAuth, "basic")
		}
		if len(bodyO) > 0 && slices.ContainsFunc(bodyO, func(o obs) bool { return o.at == r.at }) && !slices.Contains(sampleAuth, "body") {
			sampleAuth = append(sampleAuth, "body")
		}
	}
	basicO = append(basicO, f.auth...)
	pid, psec := f.params["client_id"], f.params["client_secret"]
	if pid != nil && psec != nil && (pid.in == nil || pid.in.val == "body") {
		o := obs{val: "body", kind: "table", quote: "client_id, client_secret request parameters"}
		if pid.required != nil {
			o.at, o.quote = pid.required.at, pid.required.quote
		} else if pid.typ != nil {
			o.at, o.quote = pid.typ.at, pid.typ.quote
		}
		bodyO = append(bodyO, o)
	}
	// A sample that authenticates by a JWT assertion (RFC 7523 §2.2) signed
	// with a certificate or private key, as the document says, is
	// private_key_jwt.
	var jwtO []obs
	for _, r := range reqs {
		if strings.Contains(r.params["client_assertion_type"], "jwt-bearer") && r.params["client_assertion"] != "" {
			if len(f.keySigned) > 0 {
				jwtO = append(jwtO, sampleObs(r, "private_key_jwt"))
			} else {
				f.ask("the %s sample at %s authenticates by a client assertion; the document does not say what signs it (private_key_jwt or client_secret_jwt), so it is left out", r.tool, r.at)
			}
		}
	}
	if len(jwtO) > 0 {
		jwtO = append(jwtO, f.keySigned...)
	}
	b.authO = map[string][]obs{"basic": basicO, "body": bodyO, "private_key_jwt": jwtO}
	b.auth = sampleAuth
	if len(basicO) > 0 && !slices.Contains(b.auth, "basic") {
		b.auth = append(b.auth, "basic")
	}
	if len(bodyO) > 0 && !slices.Contains(b.auth, "body") {
		b.auth = append(b.auth, "body")
	}
	if len(jwtO) > 0 {
		b.auth = append(b.auth, "private_key_jwt")
	}
	if len(b.auth) == 0 {
		add(rq, "client_auth", flowSeq(str(b.todo("the document shows no client authentication: basic, body or both?"))), "")
	} else {
		var cs []string
		for _, a := range b.auth {
			cs = append(cs, a+": "+b.note("client_auth "+a, a, b.authO[a]...))
		}
		var items []*yaml.Node
		for _, a := range b.auth {
			items = append(items, str(a))
		}
		add(rq, "client_auth", flowSeq(items...), strings.Join(cs, "; "))
	}
	for k, v := range b.sampleParams {
		if n := rfcName(k); n != k && !strings.HasPrefix(n, "client_") {
			params[n] = k
			_ = v
		}
	}
	if len(params) > 0 {
		add(rq, "params", mapOf(params), b.note("request.params (wire names)", fmt.Sprint(params), reqObs(reqs)...))
	}

	// required parameters and lengths
	var required []string
	var reqO []obs
	maxLen := map[string]int{}
	var lenO []obs
	for _, n := range f.porder {
		p := f.params[n]
		name := rfcName(n)
		if p.in != nil && p.in.val != "body" {
			f.ask("parameter %s is passed as %s (%s); the spec format sends parameters in the body, so it is not listed", n, p.in.val, p.in.at)
			continue
		}
		if p.required != nil && p.required.val == "true" {
			b.note("request parameter "+n+" required", "yes", *p.required)
			if !rfcParams[name] {
				required = append(required, name)
				reqO = append(reqO, *p.required)
			}
		} else if p.required != nil {
			b.note("request parameter "+n+" required", "no", *p.required)
		}
		if p.typ != nil {
			b.note("request parameter "+n+" type", p.typ.val, *p.typ)
		}
		if p.maxLen != nil && (carried[name] || slices.Contains(required, name) || p.required != nil && p.required.val == "true") {
			v, _ := strconv.Atoi(p.maxLen.val)
			maxLen[name] = v
			lenO = append(lenO, *p.maxLen)
		} else if p.maxLen != nil {
			f.ask("parameter %s has a maximum length (%s) but no token request the spec makes carries it; the length is left out", n, p.maxLen.at)
		}
	}
	if len(required) > 0 {
		var items []*yaml.Node
		for _, r := range required {
			items = append(items, str(r))
		}
		add(rq, "required", flowSeq(items...), b.note("request.required", strings.Join(required, ", "), reqO...))
	}
	if len(maxLen) > 0 {
		m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		for _, n := range f.porder {
			if v, ok := maxLen[rfcName(n)]; ok {
				add(m, rfcName(n), intNode(v), "")
			}
		}
		add(rq, "max_length", m, b.note("request.max_length", fmt.Sprint(maxLen), lenO...))
		b.decision(fmt.Sprintf("The parameter table gives a length (%s) without saying whether it is a maximum.", b.places(lenO)),
			"request.max_length: each length is a maximum, in characters", "a fixed length cannot hold for values of other lengths the document itself shows; a maximum is the reading every row allows.")
	}
	// scope separator
	var sep []obs
	for _, r := range reqs {
		if v := r.params[b.wire("scope")]; strings.Contains(v, ",") && !strings.Contains(v, " ") {
			sep = append(sep, sampleObs(r, ","))
		}
	}
	for _, s := range f.success {
		if v, ok := obj(s.value)["scope"].(string); ok && strings.Contains(v, ",") && !strings.Contains(v, " ") {
			sep = append(sep, obs{val: ",", at: s.at, quote: "\"scope\": \"" + v + "\"", kind: "sample"})
		}
	}
	sep = append(sep, f.separator...)
	if len(sep) > 0 {
		add(rq, "scope_separator", str(","), b.note("request.scope_separator", "\",\"", sep...))
	}
	add(spec, "summary", str(""), "")
	add(spec, "document", docNode, "")
	add(spec, "request", rq, "")

	// grants
	var gO []obs
	for _, r := range reqs {
		if v, ok := r.params[b.wire("grant_type")]; ok && v != "" {
			gO = append(gO, sampleObs(r, v))
		}
	}
	gO = append(gO, f.grants...)
	b.grantNodes, b.refreshNever = map[string]*yaml.Node{}, map[string][]obs{}
	gs := &yaml.Node{Kind: yaml.SequenceNode}
	for _, gv := range distinct(gO) {
		if g := grants.Lookup(gv); g == nil {
			if !strings.ContainsAny(gv, "{<") {
				f.ask("grant type %s (%s) is not one the spec format models (%s); it is left out", gv, places(gO, gv), grants.Known())
			}
			continue
		} else {
			gv = g.Name
		}
		b.grants = append(b.grants, gv)
		m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		add(m, "type", str(gv), "")
		if req, os := b.requiredFor(gv); len(req) > 0 {
			var items []*yaml.Node
			for _, r := range req {
				items = append(items, str(r))
			}
			add(m, "required", flowSeq(items...), "")
			b.note("grants["+gv+"].required", strings.Join(req, ", "), os...)
		}
		if os, comment := b.refreshFor(gv); comment != "" {
			add(m, "refresh_token", str(b.todo(comment)), "")
		} else if len(os) > 0 {
			add(m, "refresh_token", str(specs.RefreshNever), "")
			b.note("grants["+gv+"].refresh_token", specs.RefreshNever, os...)
			b.refreshNever[gv] = os
		}
		b.grantNodes[gv] = m
		gs.Content = append(gs.Content, m)
		m.LineComment = "# " + b.note("grant "+gv, gv, filter(gO, gv)...)
	}
	for _, n := range f.porder {
		for _, o := range f.params[n].perGrant {
			if !slices.Contains(b.grants, o.val) {
				f.ask("%s: %s is required for the %s grant only, which the document shows no request of; it is left out", o.at, n, o.val)
			}
		}
	}
	if len(b.grants) == 0 {
		m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		add(m, "type", str(b.todo("no grant_type value found ("+grants.Known()+"?)")), "")
		gs.Content = append(gs.Content, m)
	}
	add(spec, "grants", gs, "")

	// response
	resp, err := b.response()
	if err != nil {
		return nil, err
	}
	add(spec, "response", resp, "")
	add(spec, "errors", b.errors(), "")
	if lt := b.lifetime(); lt != "" {
		e := &yaml.Node{Kind: yaml.MappingNode}
		add(e, "lifetime", str(lt), "")
		add(spec, "expiry", e, "")
	} else if min, max := b.lifetimeRange(); min != "" {
		e := &yaml.Node{Kind: yaml.MappingNode}
		add(e, "min", str(min), "")
		add(e, "max", str(max), "")
		add(spec, "expiry", e, "")
	}
	b.requirements()
	rs := &yaml.Node{Kind: yaml.SequenceNode, Content: b.reqs}
	add(spec, "requirements", rs, "")
	if len(b.decide) > 0 {
		ds := &yaml.Node{Kind: yaml.SequenceNode}
		for _, d := range b.decide {
			ds.Content = append(ds.Content, mapNode("point", d.point, "reading", d.reading, "why", d.why))
		}
		add(spec, "decisions", ds, "")
	}
	add(spec, "refserver", b.refserver(), "")
	setValue(spec, "summary", str(b.summary()))
	return spec, nil
}

// refreshFor reads whether the document says grant gv issues no refresh
// token: where it says so (refresh_token: never), or a question when it
// says both that gv issues none and that only gv issues them. The
// refresh_token grant's own response is rotation's business.
func (b *builder) refreshFor(gv string) (never []obs, question string) {
	if gv == grants.RefreshToken.Name || !grants.Lookup(gv).Issues() {
		return nil, ""
	}
	f := b.f
	never = filter(f.refreshNever, gv)
	var others []obs
	for _, o := range f.refreshOnly {
		if o.val != gv {
			others = append(others, o)
		}
	}
	if len(f.refreshOnly) > 0 && len(filter(f.refreshOnly, gv)) == 0 {
		never = append(never, others...)
	}
	if len(never) > 0 && len(filter(f.refreshOnly, gv)) > 0 {
		return nil, fmt.Sprintf("the document says both that the %s grant issues no refresh token (%s) and that it alone issues them (%s)", gv, b.places(never), b.places(filter(f.refreshOnly, gv)))
	}
	return never, ""
}

// requiredFor lists the parameters the document requires for the grant
// gv only (grants[].required), beyond the grant's own (grants registry)
// and the client's credentials.
func (b *builder) requiredFor(gv string) ([]string, []obs) {
	g := grants.Lookup(gv)
	var out []string
	var os []obs
	for _, n := range b.f.porder {
		p := b.f.params[n]
		name := rfcName(n)
		for _, o := range p.perGrant {
			if o.val != gv || name == "grant_type" || strings.HasPrefix(name, "client_") || slices.ContainsFunc(g.Params, func(x grants.Param) bool { return x.Name == name }) {
				continue
			}
			if !slices.Contains(out, name) {
				out, os = append(out, name), append(os, o)
			}
		}
	}
	return out, os
}

func (b *builder) places(os []obs) string {
	var out []string
	for _, o := range os {
		out = append(out, o.at.String())
	}
	return strings.Join(dedupe(out), ", ")
}

func reqObs(rs []reqSample) []obs {
	var out []obs
	for _, r := range rs {
		out = append(out, sampleObs(r, ""))
	}
	return out
}

func (b *builder) wire(rfc string) string {
	for k := range b.sampleParams {
		if rfcName(k) == rfc {
			return k
		}
	}
	return rfc
}

func rfcName(k string) string {
	if a, ok := aliases[k]; ok {
		return a
	}
	return k
}

func describe(os []obs) string {
	var out []string
	for _, v := range distinct(os) {
		out = append(out, v+" ("+places(os, v)+")")
	}
	return strings.Join(out, " versus ")
}

func filter(os []obs, val string) []obs {
	var out []obs
	for _, o := range os {
		if o.val == val {
			out = append(out, o)
		}
	}
	return out
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// resolve sets key to the one value the observations agree on, to the
// samples' value with a decision when they disagree, or to a TODO.
func (b *builder) resolve(fact string, os []obs, prefer string, m *yaml.Node, key, missing string) string {
	vals := distinct(os)
	switch {
	case len(vals) == 0:
		add(m, key, str(b.todo(missing)), "")
		return ""
	case len(vals) == 1:
		add(m, key, str(vals[0]), b.note(fact, vals[0], os...))
		return vals[0]
	}
	pick := ""
	for _, o := range os {
		if o.kind == prefer {
			pick = o.val
			break
		}
	}
	if pick == "" {
		add(m, key, str(b.todo(fmt.Sprintf("the document gives %s as %s", fact, describe(os)))), "")
		b.decision(fmt.Sprintf("The document gives %s as %s.", fact, describe(os)), "none taken: a TODO(derive) marker blocks the spec", "nothing in the document settles it.")
		return ""
	}
	b.decision(fmt.Sprintf("The document gives %s as %s.", fact, describe(os)), fact+" "+pick+", as the request samples send it", "a sample is a request as sent; headings and prose describe it.")
	add(m, key, str(pick), b.note(fact, pick, filter(os, pick)...))
	return pick
}

func pathVars(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			out = append(out, s[1:len(s)-1])
		}
	}
	return out
}

func obj(v any) map[string]any {
	if m, ok := v.(map[string]any); ok {
		return m
	}
	if a, ok := v.([]any); ok && len(a) > 0 {
		m, _ := a[0].(map[string]any)
		return m
	}
	return nil
}

// jsonType is the JSON Schema type of a sample value.
func jsonType(v any) string {
	switch v := v.(type) {
	case string:
		return "string"
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "null"
}

// memberInfo is what the document says about one body member.
type memberInfo struct {
	name     string
	types    []obs
	required []obs
	optional *obs
	inAll    bool
	sample   any
	// nullable: the document also types it null.
	nullable *obs
}

func (b *builder) members(samples []jsonSample, table map[string]*member, order []string) []*memberInfo {
	var out []*memberInfo
	by := map[string]*memberInfo{}
	get := func(n string) *memberInfo {
		if m := by[n]; m != nil {
			return m
		}
		m := &memberInfo{name: n, inAll: len(samples) > 0}
		by[n] = m
		out = append(out, m)
		return m
	}
	for _, s := range samples {
		o := obj(s.value)
		text, _ := json.Marshal(s.value)
		for _, k := range sortedKeys(string(text), o) {
			m := get(k)
			if m.sample == nil {
				m.sample = o[k]
			}
			q := fmt.Sprintf("%q: %s", k, short(o[k]))
			t := jsonType(o[k])
			if v, ok := o[k].(string); ok {
				if pt, ok := placeholderType(v); ok && pt != "" {
					// "<integer>" stands for an integer, not a string.
					t = pt
				}
			}
			m.types = append(m.types, obs{val: t, at: s.at, quote: q, kind: "sample"})
		}
	}
	for _, n := range order {
		t := table[n]
		m := get(n)
		if t.typ != nil {
			m.types = append(m.types, *t.typ)
		}
		m.nullable = t.nullable
		if t.required != nil {
			if t.required.val == "true" {
				m.required = append(m.required, *t.required)
			} else {
				o := *t.required
				m.optional = &o
			}
		}
	}
	for _, m := range out {
		for _, s := range samples {
			if _, ok := obj(s.value)[m.name]; !ok || s.fromSchema {
				m.inAll = false
			}
			if s.schema != nil && contains(s.schema, m.name) {
				m.required = append(m.required, obs{val: "true", at: s.at, quote: fmt.Sprintf("required: %v", s.schema), kind: "schema"})
			}
		}
	}
	// Samples make a member required only where the document says
	// nothing of it: a document that marks members required (a table
	// column, "required" under a name, an OpenAPI schema's required list)
	// has said which are, and a member whose description makes it depend
	// on something ("only applicable to certain grant types") is not.
	documented, info := b.f.format == "openapi" || b.f.format == "swagger", false
	for _, n := range order {
		if t := table[n]; t.required != nil {
			info = true
			documented = documented || t.required.val == "true"
		}
	}
	documented = documented && len(order) > 0 || table != nil && b.f.noneRequired != nil
	for _, m := range out {
		t := table[m.name]
		if documented {
			m.inAll = false
		}
		if t != nil && t.conditional != nil {
			m.inAll = false
			if len(m.required) == 0 && m.optional == nil {
				o := *t.conditional
				m.optional = &o
			}
		}
		// A response table and nothing else: the table is what the
		// response carries.
		if len(samples) == 0 && !documented && !info && t != nil && t.row != nil && t.conditional == nil && table != nil {
			m.required = append(m.required, obs{val: "true", at: t.row.at, quote: "the response table lists it: " + t.row.quote, kind: "table"})
		}
	}
	return out
}

func short(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 40 {
		s = s[:37] + "...\""
	}
	return s
}

// schemaFor writes a body's JSON Schema: types from the samples and tables,
// required what the document calls required or every sample has.
func (b *builder) schemaFor(kind string, ms []*memberInfo, samples []jsonSample, root string, reqOf func(string) string, isArray bool) ([]byte, map[string]string) {
	props := map[string]any{}
	var required []string
	requiredBy := map[string]string{}
	typesOf := map[string]string{}
	for _, m := range ms {
		ts := distinct(m.types)
		p := map[string]any{"x-requirement": reqOf(m.name)}
		var desc []string
		switch len(ts) {
		case 0:
			desc = append(desc, "no type documented")
		case 1:
			p["type"] = ts[0]
			desc = append(desc, ts[0]+": "+b.places(m.types))
			if m.nullable != nil && ts[0] != "null" {
				p["type"] = []string{ts[0], "null"}
				desc = append(desc, "or null: "+m.nullable.at.String())
			}
		default:
			p["type"] = ts
			desc = append(desc, "types "+describe(m.types)+": the document disagrees, both are accepted (see the spec's decisions)")
			b.decision(fmt.Sprintf("The %s member %s is typed %s.", kind, m.name, describe(m.types)),
				fmt.Sprintf("the schema accepts %s", strings.Join(ts, " or ")), "each reading has the document behind it, so neither may fail a server.")
		}
		if m.nullable != nil && len(ts) > 1 && !slices.Contains(ts, "null") {
			p["type"] = append(slices.Clone(ts), "null")
		}
		typesOf[m.name] = strings.Join(ts, "|")
		reason := ""
		switch {
		case len(m.required) > 0:
			reason = "the document calls it required (" + b.places(m.required) + ")"
		case m.optional != nil:
			reason = ""
			desc = append(desc, "optional ("+m.optional.at.String()+")")
		case m.inAll:
			reason = fmt.Sprintf("every %s sample has it (%s)", kind, b.places(sampleAts(samples)))
		}
		if cat := catalogueMember(m.name, reqOf(m.name)); cat != nil {
			// The member names a catalogue requirement: the schema holds
			// what the catalogue holds (lint refuses a weaker one).
			for _, k := range []string{"minLength", "maxLength", "pattern"} {
				if v, ok := cat.props[k]; ok {
					p[k] = v
				}
			}
			if m.name == "token_type" {
				p["pattern"] = b.tokenTypePattern()
			}
			desc = append(desc, "constraints of "+reqOf(m.name)+" (RFC 6749)")
			if reason == "" && cat.required {
				reason = "RFC 6749 §5.1 requires it (" + reqOf(m.name) + "); the document does not say"
			}
		}
		if reason != "" {
			required = append(required, m.name)
			requiredBy[m.name] = reqOf(m.name)
			desc = append(desc, "required: "+reason)
		}
		p["description"] = b.file + ": " + strings.Join(desc, "; ")
		props[m.name] = p
		b.note(kind+" member "+m.name, strings.Join(ts, " or ")+map[bool]string{true: ", required", false: ""}[reason != ""], m.types...)
	}
	body := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		body["required"] = required
		body["x-required-by"] = requiredBy
	}
	s := map[string]any{
		"$schema":       "http://json-schema.org/draft-07/schema#",
		"title":         fmt.Sprintf("%s %s body (derived from %s)", b.name, kind, b.file),
		"description":   fmt.Sprintf("Derived by tokencert derive from %s (%s); review before use. Members beyond these are allowed.", b.file, b.places(sampleAts(samples))),
		"x-requirement": root,
	}
	if isArray {
		s["type"] = "array"
		s["minItems"] = 1
		s["items"] = body
	} else {
		for k, v := range body {
			s[k] = v
		}
	}
	out, _ := json.MarshalIndent(s, "", "  ")
	return append(out, '\n'), typesOf
}

// rePlaceholder: a sample value that stands for one ("<string>",
// "{{token_type}}", "${TYPE}", "[TOKEN TYPE]", "YOUR_TOKEN"), not a value.
var rePlaceholder = regexp.MustCompile(`^(<[^<>]*>|\{\{[^{}]*\}\}|\$\{[^{}]*\}|\[[^\[\]]*\]|YOUR_\w+)$`)

func isPlaceholder(v string) bool { return rePlaceholder.MatchString(strings.TrimSpace(v)) }

// placeholderType reads a placeholder sample value: ok when it is one, and
// the type it names ("<integer>": integer), or "".
func placeholderType(v string) (typ string, ok bool) {
	if !isPlaceholder(v) {
		return "", false
	}
	return typeWord(strings.Trim(v, "<>{}[]$ ")), true
}

// catalogueMember is what the catalogue's success schema (the built-in
// rfc6749/token-response.json) holds of a member that names requirement
// id: its constraints and whether it requires the member; nil when the
// catalogue ties the member to another requirement or to none.
func catalogueMember(name, id string) *struct {
	props    map[string]any
	required bool
} {
	raw, err := schemas.Raw("rfc6749/token-response.json", "")
	if err != nil {
		return nil
	}
	var cat struct {
		RequiredBy map[string]string         `json:"x-required-by"`
		Properties map[string]map[string]any `json:"properties"`
	}
	if json.Unmarshal(raw, &cat) != nil || cat.Properties[name]["x-requirement"] != id {
		return nil
	}
	return &struct {
		props    map[string]any
		required bool
	}{cat.Properties[name], cat.RequiredBy[name] == id}
}

// tokenTypePattern is the pattern of the success body's token_type: the
// documented type, in any letter case (RFC 6749 §5.1), or, where the
// document gives none or several, any type name or absolute URI (the
// catalogue's RFC6749-5.1-TOKEN-TYPE).
func (b *builder) tokenTypePattern() string {
	if _, lower := b.tokenTypes(); len(lower) == 1 {
		var p strings.Builder
		for v := range lower {
			for _, r := range v {
				if u := unicode.ToUpper(r); u != r {
					p.WriteString("[" + string(u) + string(r) + "]")
				} else {
					p.WriteString(regexp.QuoteMeta(string(r)))
				}
			}
		}
		return "^" + p.String() + "$"
	}
	return `^([A-Za-z0-9._-]+|[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7E]+)$`
}

// tokenTypes are the token_type values the document gives (its success
// samples', then its words'), and their lower-case forms.
func (b *builder) tokenTypes() ([]obs, map[string]bool) {
	var tt []obs
	for _, s := range b.f.success {
		if v, ok := obj(s.value)["token_type"].(string); ok && !isPlaceholder(v) {
			tt = append(tt, obs{val: v, at: s.at, quote: "\"token_type\": \"" + v + "\"", kind: "sample"})
		}
	}
	tt = append(tt, b.f.tokenType...)
	lower := map[string]bool{}
	for _, o := range tt {
		lower[strings.ToLower(o.val)] = true
	}
	return tt, lower
}

func sampleAts(s []jsonSample) []obs {
	var out []obs
	for _, x := range s {
		out = append(out, obs{at: x.at})
	}
	return out
}

func (b *builder) response() (*yaml.Node, error) {
	f := b.f
	r := &yaml.Node{Kind: yaml.MappingNode}
	ms := b.members(f.success, f.respTable, f.rorder)
	ref := "schemas/" + b.name + "/token-response.json"
	if len(ms) == 0 {
		add(r, "schema", str(b.todo("the document shows no success body (no sample with access_token, no response table)")), "")
	} else {
		reqOf := func(n string) string {
			switch n {
			case "access_token":
				return "RFC6749-5.1-ACCESS-TOKEN"
			case "token_type":
				return "RFC6749-5.1-TOKEN-TYPE"
			}
			return b.prefix + "RESPONSE-MEMBERS"
		}
		b.refreshMember(ms)
		schema, types := b.schemaFor("success", ms, f.success, "RFC6749-5.1-JSON-MEDIA-TYPE", reqOf, false)
		b.schemas[ref] = schema
		add(r, "schema", str(ref), b.refreshIssued(ms, ref))
		var all []obs
		for _, m := range ms {
			all = append(all, m.types...)
		}
		b.require("RFC6749-5.1-STATUS-200", "", "", "", append(sampleAts2(f.success, "success sample"), all...)...)
		if len(f.success) > 0 {
			b.require("RFC6749-5.1-JSON-MEDIA-TYPE", "", "", "", sampleAts2(f.success, "a JSON success body")...)
		}
		for _, m := range ms {
			switch m.name {
			case "access_token", "token_type":
				b.require(reqOf(m.name), "", "", "", m.types...)
			}
		}
		for _, m := range ms {
			if reqOf(m.name) == b.prefix+"RESPONSE-MEMBERS" {
				b.require(b.prefix+"RESPONSE-MEMBERS", "MUST", "The success body carries the members the document shows, of the documented types (the derived schema's required members and types).", "", append(sampleAts2(f.success, "success sample"), all...)...)
				break
			}
		}
		switch t := types["expires_in"]; t {
		case "integer", "number":
			add(r, "expires_in", str("number"), "")
		case "string":
			add(r, "expires_in", str("string"), "")
		case "":
		default:
			if strings.Contains(t, "string") && (strings.Contains(t, "integer") || strings.Contains(t, "number")) {
				add(r, "expires_in", str("number-or-string"), "")
			}
		}
	}
	// token_type
	tt, lower := b.tokenTypes()
	switch {
	case len(tt) == 0:
		add(r, "token_type", str(b.todo("the document shows no token_type value (Bearer?)")), "")
	case len(lower) == 1:
		add(r, "token_type", str(tt[0].val), b.note("response.token_type", tt[0].val, tt...))
	default:
		add(r, "token_type", str(b.todo("the document gives token_type as "+describe(tt))), "")
	}
	// a JWS access token
	for _, s := range f.success {
		if v, ok := obj(s.value)["access_token"].(string); ok {
			if alg := jwsAlg(v); alg != "" {
				o := obs{val: alg, at: s.at, quote: "the sample access_token is a JWS with header alg " + alg, kind: "sample"}
				j := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
				add(j, "alg", str(alg), "")
				add(r, "jwt", j, b.note("response.jwt.alg", alg, o))
				b.require(b.prefix+"JWT-ALG", "MUST", "The access token is a JWS signed with "+alg+", as the sample token is.", "jwt/alg", o)
				break
			}
		}
	}
	return r, nil
}

// requiredMember reports whether a JSON Schema requires a member.
func (b *builder) requiredMember(schema []byte, name string) bool {
	var s struct {
		Required []string `json:"required"`
	}
	return json.Unmarshal(schema, &s) == nil && slices.Contains(s.Required, name)
}

// refreshMember makes the success body's refresh_token optional where the
// document says a grant of the spec issues none (grants[].refresh_token:
// never): samples of other grants that carry one are no rule, and a
// document that also calls it required contradicts itself (a decision).
func (b *builder) refreshMember(ms []*memberInfo) {
	var never []obs
	for _, g := range b.grants {
		never = append(never, b.refreshNever[g]...)
	}
	if len(never) == 0 {
		return
	}
	for _, m := range ms {
		if m.name != "refresh_token" {
			continue
		}
		if len(m.required) > 0 {
			b.decision(fmt.Sprintf("The success member refresh_token is called required (%s), and a grant is said to issue none (%s).", b.places(m.required), b.places(never)),
				"refresh_token is optional in the success schema; the grant's entry says refresh_token: never",
				"a schema that requires it would fail that grant's every response, which the document allows.")
			m.required = nil
		}
		m.inAll = false
		if m.optional == nil {
			o := never[0]
			m.optional = &o
		}
	}
}

// refreshIssued states refresh_token: issued for each grant whose success
// responses must carry a refresh token by the success schema but would
// carry none by default (client_credentials, RFC 6749 §4.4.3; any grant
// when the spec has no refresh_token grant): where the document calls the
// member required, or every sample has it and one grant issues tokens.
// Otherwise it is the comment of a question.
func (b *builder) refreshIssued(ms []*memberInfo, ref string) string {
	var m *memberInfo
	for _, x := range ms {
		if x.name == "refresh_token" {
			m = x
		}
	}
	if m == nil || len(m.required) == 0 && !m.inAll {
		return ""
	}
	var issuing, lacking []string
	for _, g := range b.grants {
		if gr := grants.Lookup(g); gr != nil && gr.Issues() && g != grants.RefreshToken.Name {
			issuing = append(issuing, g)
			if g == grants.ClientCredentials.Name || !slices.Contains(b.grants, grants.RefreshToken.Name) {
				lacking = append(lacking, g)
			}
		}
	}
	if len(lacking) == 0 {
		return ""
	}
	if len(m.required) == 0 && len(issuing) > 1 {
		return b.todo(fmt.Sprintf("every success sample has refresh_token, but the samples do not say which of the grants %s they answer, and by default %s issue none: say which grant issues one (grants[].refresh_token: issued), or make refresh_token optional in %s", strings.Join(issuing, ", "), strings.Join(lacking, ", "), ref))
	}
	why := m.required
	if len(why) == 0 {
		why = m.types
	}
	for _, g := range lacking {
		add(b.grantNodes[g], "refresh_token", str(specs.RefreshIssued), "")
		b.note("grants["+g+"].refresh_token", specs.RefreshIssued, why...)
	}
	return ""
}

func sampleAts2(s []jsonSample, q string) []obs {
	var out []obs
	for _, x := range s {
		out = append(out, obs{at: x.at, quote: q, kind: "sample"})
	}
	return out
}

var reJWSPart = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// jwsAlg is the alg of a compact JWS, or "".
func jwsAlg(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || !reJWSPart.MatchString(parts[0]) || !reJWSPart.MatchString(parts[1]) {
		return ""
	}
	h, err := b64url(parts[0])
	if err != nil {
		return ""
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(h, &hdr) != nil || hdr.Alg == "" || hdr.Alg == "none" {
		return ""
	}
	return hdr.Alg
}

// rfcConditions maps an RFC 6749 §5.2 error code to the failure conditions
// RFC 6749 gives it (of the grants and client authentication the spec
// has), and their statuses.
func (b *builder) rfcConditions(code string) ([]string, []int) {
	switch code {
	case "invalid_client":
		var cs []string
		if slices.Contains(b.auth, "basic") {
			cs = append(cs, "bad_client_basic")
		}
		if slices.Contains(b.auth, "body") {
			cs = append(cs, "bad_client_body")
		}
		return append(cs, "no_client_auth"), []int{401, 400}
	case "invalid_grant":
		var cs []string
		for _, g := range []struct{ grant, cond string }{{"password", "bad_password"}, {"refresh_token", "bad_refresh_token"},
			{"authorization_code", "bad_code"}, {"authorization_code", "redirect_mismatch"}, {deviceGrant, "bad_device_code"}} {
			if slices.Contains(b.grants, g.grant) {
				cs = append(cs, g.cond)
			}
		}
		return cs, []int{400}
	case "unsupported_grant_type":
		return []string{"unsupported_grant_type"}, []int{400}
	case "invalid_request":
		return []string{"missing_grant_type", "missing_parameter", "malformed_body"}, []int{400}
	case "invalid_scope":
		return []string{"invalid_scope"}, []int{400}
	}
	return nil, nil
}

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

var (
	reDescClient   = regexp.MustCompile(`(?i)client.{0,20}(credential|secret|auth)|(credential|secret).{0,20}client|invalid client|unknown client|client.?id.{0,30}(not found|wasn.?t found|unknown|invalid|incorrect|not registered)`)
	reDescNoClient = regexp.MustCompile(`(?i)\bmissing\b|no client (credentials|authentication)|no credentials|not (provided|included|sent)`)
	reDescScope    = regexp.MustCompile(`(?i)(invalid|unknown|unsupported|malformed|not (valid|allowed|permitted|supported))\b.{0,40}\bscope|\bscope.{0,30}(invalid|unknown|not (valid|allowed|supported|permitted))`)
	reDescCreds    = regexp.MustCompile(`(?i)\bcredentials?\b`)
	reDescGrant    = regexp.MustCompile(`(?i)grant.?type.{0,40}(unsupported|not supported|must be|isn.?t|is not|invalid|unknown|not allowed)|(unsupported|invalid|unknown)\W{1,3}(value for field \W?)?grant.?type`)
	reDescUser     = regexp.MustCompile(`(?i)password|user(name)? credential|resource owner`)
	reDescRT       = regexp.MustCompile(`(?i)refresh`)
	reDescMissing  = regexp.MustCompile(`(?i)missing.{0,40}param|param\w*.{0,30}missing|(mandatory|required) (fields?|param\w*).{0,20}(not passed|missing|not (provided|sent))|is missing required`)
	reDescMalform  = regexp.MustCompile(`(?i)malformed|structure (was|is) invalid|invalid (json|body|syntax)|(cannot|could not) be (parsed|read)`)
	reDescRedirect = regexp.MustCompile(`(?i)redirect.?ur[il].{0,60}(match|mismatch|differ)`)
	reDescDevice   = regexp.MustCompile(`(?i)device.?code.{0,40}(not valid|invalid|incorrect|unknown|wrong)|(invalid|incorrect|unknown) device.?code`)
	reDescCode     = regexp.MustCompile(`(?i)\bcode\b.{0,70}(incorrect|invalid|not valid|unknown|wrong|expired)|(invalid|incorrect|unknown|expired) (authorization |verification )?code\b`)
	reDescDevWord  = regexp.MustCompile(`(?i)device.?code|user.?code`)
	reDescGrantErr = regexp.MustCompile(`(?i)\binvalid[ _]grant\b`)
)

// descConditions maps an error's documented description (a table row, the
// words that introduce a sample, a sample's own description, an OpenAPI
// response's) to the conditions it describes, of the grants and client
// authentication the spec has.
func (b *builder) descConditions(desc string) []string {
	var cs []string
	add := func(c string) {
		if !slices.Contains(cs, c) {
			cs = append(cs, c)
		}
	}
	grant := func(g string) bool { return slices.Contains(b.grants, g) }
	if reDescClient.MatchString(desc) {
		if slices.Contains(b.auth, "basic") {
			add("bad_client_basic")
		}
		if slices.Contains(b.auth, "body") {
			add("bad_client_body")
		}
		if reDescNoClient.MatchString(desc) {
			add("no_client_auth")
		}
	}
	if reDescScope.MatchString(desc) {
		add("invalid_scope")
	}
	if reDescGrant.MatchString(desc) {
		add("unsupported_grant_type")
	}
	if reDescMissing.MatchString(desc) {
		add("missing_parameter")
		add("missing_grant_type")
	}
	if reDescMalform.MatchString(desc) {
		add("malformed_body")
	}
	if (reDescUser.MatchString(desc) || reDescCreds.MatchString(desc) && !reDescClient.MatchString(desc)) && grant("password") {
		add("bad_password")
	}
	if reDescRT.MatchString(desc) && grant("refresh_token") {
		add("bad_refresh_token")
	}
	if reDescDevice.MatchString(desc) && grant(deviceGrant) {
		add("bad_device_code")
	}
	if reDescCode.MatchString(desc) && !reDescDevWord.MatchString(desc) && grant("authorization_code") {
		add("bad_code")
	}
	if reDescRedirect.MatchString(desc) && grant("authorization_code") {
		add("redirect_mismatch")
	}
	if reDescGrantErr.MatchString(desc) {
		for _, g := range []struct{ grant, cond string }{{"password", "bad_password"}, {"refresh_token", "bad_refresh_token"}, {"authorization_code", "bad_code"}} {
			if grant(g.grant) {
				add(g.cond)
			}
		}
	}
	return cs
}

var rfcCodes = map[string]bool{"invalid_request": true, "invalid_client": true, "invalid_grant": true, "unauthorized_client": true, "unsupported_grant_type": true, "invalid_scope": true}

var condReq = map[string]string{
	"bad_client_basic": "BAD-CLIENT-BASIC", "bad_client_body": "BAD-CLIENT-BODY", "no_client_auth": "NO-CLIENT-AUTH",
	"bad_password": "BAD-PASSWORD", "bad_refresh_token": "BAD-REFRESH-TOKEN", "unsupported_grant_type": "UNSUPPORTED-GRANT",
	"missing_grant_type": "MISSING-GRANT-TYPE", "missing_parameter": "MISSING-PARAMETER", "malformed_body": "MALFORMED-BODY",
	"invalid_scope": "INVALID-SCOPE", "bad_code": "BAD-CODE", "redirect_mismatch": "REDIRECT-MISMATCH", "bad_device_code": "BAD-DEVICE-CODE",
}

func (b *builder) errors() *yaml.Node {
	f := b.f
	e := &yaml.Node{Kind: yaml.MappingNode}
	undocumented := len(f.errSample) == 0 && len(f.codes) == 0 && len(f.statuses) == 0
	if undocumented {
		add(e, "undocumented", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}, "")
		b.note("errors", "undocumented: no error sample, error-code table or error response found", obs{kind: "absent", quote: "looked for JSON error bodies, tables with an error-code column, OpenAPI 4xx responses"})
		if len(f.statusDescs) == 0 {
			return e
		}
	}
	var codeKey, statusKey string
	status := 0
	var tmpl any
	var statusO []obs
	if len(f.errSample) > 0 {
		s := f.errSample[0]
		o := obj(s.value)
		for _, k := range []string{"error", "errorCode", "error_code", "code", "errorcode"} {
			if _, ok := o[k]; ok {
				codeKey = k
				break
			}
		}
		for _, k := range []string{"status", "httpStatus", "statusCode", "http_status", "status_code"} {
			if n, ok := o[k].(json.Number); ok {
				if v, err := strconv.Atoi(n.String()); err == nil && v >= 100 && v < 600 {
					statusKey, status = k, v
					statusO = append(statusO, obs{val: n.String(), at: s.at, quote: fmt.Sprintf("%q: %s", k, n), kind: "sample"})
				}
			}
		}
		if status == 0 && s.status != 0 {
			status = s.status
			statusO = append(statusO, obs{val: strconv.Itoa(s.status), at: s.at, quote: s.label, kind: "sample"})
		}
		descs := map[string]bool{}
		for _, c := range f.codes {
			if c.desc != "" {
				descs[c.desc] = true
			}
		}
		var fill func(k string, v any) any
		fill = func(k string, v any) any {
			switch v := v.(type) {
			case string:
				switch {
				case k == codeKey:
					return "$code"
				case v == b.path && v != "":
					return "$path"
				case status != 0 && v == http.StatusText(status):
					return "$title"
				case descs[v] || k == "error_description" || k == "message" || k == "detail" && s.fromSchema:
					return "$description"
				}
				if s.fromSchema {
					f.ask("the error schema (%s) gives member %s no value; the template sends %q", s.at, k, v)
				}
				return v
			case json.Number:
				if k == statusKey {
					return "$status"
				}
				if i, err := v.Int64(); err == nil {
					return i
				}
				fl, _ := v.Float64()
				return fl
			case []any:
				out := make([]any, len(v))
				for i, x := range v {
					out[i] = fill(k, x)
				}
				return out
			case map[string]any:
				out := map[string]any{}
				for kk, x := range v {
					out[kk] = fill(kk, x)
				}
				return out
			}
			return v
		}
		if arr, ok := s.value.([]any); ok && len(arr) > 0 {
			tmpl = []any{fill("", arr[0])}
		} else {
			tmpl = fill("", s.value)
		}
		ms := b.members(f.errSample, nil, nil)
		reqOf := func(string) string { return b.prefix + "ERROR-FORMAT" }
		schema, _ := b.schemaFor("error", ms, f.errSample, b.prefix+"ERROR-FORMAT", reqOf, isArray(s.value))
		ref := "schemas/" + b.name + "/error-response.json"
		b.schemas[ref] = schema
		add(e, "schema", str(ref), "")
		tn := toNode(tmpl)
		add(e, "template", tn, b.note("errors.template", "from the error sample", obs{at: s.at, quote: s.label, kind: "sample"}))
		mt := "application/json"
		if f.errorMediaType != nil {
			mt = f.errorMediaType.val
		}
		add(e, "media_type", str(mt), "")
		b.require(b.prefix+"ERROR-FORMAT", "MUST", "Error bodies have the shape of the document's error sample (the derived error schema).", "", obs{at: s.at, quote: "error sample", kind: "sample"})
		if codeKey == "" {
			f.ask("the error sample at %s has no member recognisable as the error code (error, errorCode, code); the template has no $code, so no code is checked", s.at)
		}
	} else if !undocumented {
		add(e, "schema", str(b.todo("error codes are documented but no error body: give the error schema")), "")
		add(e, "template", str(b.todo("error codes are documented but no error body: give the template")), "")
		add(e, "media_type", str("application/json"), "")
	}
	// codes → conditions
	type cond struct {
		codes     []string
		statuses  []int
		anyStatus bool
		from      []obs
	}
	conds := map[string]*cond{}
	var corder []string
	addCond := func(c, code string, statuses []int, o obs) {
		x := conds[c]
		if x == nil {
			x = &cond{}
			conds[c] = x
			corder = append(corder, c)
		}
		if code != "" && !slices.Contains(x.codes, code) {
			x.codes = append(x.codes, code)
		}
		if len(statuses) == 0 {
			x.anyStatus = true
		}
		for _, s := range statuses {
			if !slices.Contains(x.statuses, s) {
				x.statuses = append(x.statuses, s)
			}
		}
		x.from = append(x.from, o)
	}
	type documented struct {
		code, desc string
		at         where
		status     int
		kind       string
	}
	var docs []documented
	for _, c := range f.codes {
		docs = append(docs, documented{c.code, c.desc, c.at, c.status, "table"})
	}
	descUses := map[string]int{}
	for _, s := range f.errSample {
		for _, v := range obj(s.value) {
			if text, ok := v.(string); ok {
				descUses[text]++
			}
		}
	}
	for _, s := range f.errSample {
		if codeKey == "" || s.fromSchema {
			// An OpenAPI schema's sample holds no codes, only names.
			continue
		}
		code := scalar(obj(s.value)[codeKey])
		st := 0
		if statusKey != "" {
			if n, ok := obj(s.value)[statusKey].(json.Number); ok {
				st, _ = strconv.Atoi(n.String())
			}
		} else {
			st = s.status
		}
		// The words introducing the sample say which failure it is, and
		// its own description members may say more, unless every sample
		// has the same.
		desc := s.label
		for k, v := range obj(s.value) {
			lk := strings.ToLower(k)
			if text, ok := v.(string); ok && k != codeKey && (strings.Contains(lk, "desc") || strings.Contains(lk, "detail") || strings.Contains(lk, "message")) && descUses[text] == 1 {
				desc += " / " + text
			}
		}
		found := false
		for i := range docs {
			if docs[i].code == code {
				found = true
				if docs[i].status == 0 {
					docs[i].status = st
				}
				docs[i].desc += " / " + desc
			}
		}
		if !found {
			docs = append(docs, documented{code, desc, s.at, st, "sample"})
		}
	}
	var vocab []string
	for _, d := range docs {
		vocab = append(vocab, d.code)
		o := obs{val: d.code, at: d.at, quote: strings.TrimSpace(d.code + " " + d.desc), kind: d.kind}
		described := b.descConditions(d.desc)
		var cs []string
		switch rfc, _ := b.rfcConditions(d.code); {
		case rfcCodes[d.code] && len(described) > 0:
			// The description picks among the failures RFC 6749 gives the
			// code; one it names beside them is another code's.
			cs = intersect(rfc, described, nil)
		case rfcCodes[d.code] && d.kind == "table":
			// A table row's RFC 6749 code means what RFC 6749 says.
			cs = rfc
		case rfcCodes[d.code]:
			// A sample's code is evidence of the failure its words
			// describe, and of no other (another flow's sample).
		case len(described) > 0:
			cs = described
			b.decision(fmt.Sprintf("Error code %s (%s) is described as %q; the document does not name the failures it is for.", d.code, d.at, strings.TrimSpace(d.desc)),
				"it is the error for "+strings.Join(cs, ", ")+", by the words of its description", "the description names those failures; which others share the code only a reader can tell.")
		}
		var statuses []int
		if d.status != 0 {
			statuses = []int{d.status}
		}
		if len(cs) == 0 {
			f.ask("error code %s (%s, %q) maps to no failure condition the suite probes; it is only in the vocabulary", d.code, d.at, strings.TrimSpace(d.desc))
			continue
		}
		if len(statuses) == 0 {
			f.ask("the document gives no HTTP status for %s (%s): its conditions (%s) take statuses: undocumented, any refusal", d.code, d.at, strings.Join(cs, ", "))
		}
		for _, c := range cs {
			addCond(c, d.code, statuses, o)
		}
	}
	// Statuses documented with their causes and no code ("400 Bad request.
	// The request body is missing required parameters"; an OpenAPI 4xx
	// response's description): the condition's status, any code.
	var statusDocs []errCode
	statusDocs = append(statusDocs, f.statusDescs...)
	for _, s := range f.errSample {
		if s.fromSchema && s.status != 0 {
			statusDocs = append(statusDocs, errCode{desc: strings.TrimPrefix(s.label, "OpenAPI "), at: s.at, status: s.status})
		}
	}
	for _, d := range statusDocs {
		for _, c := range b.descConditions(d.desc) {
			if _, coded := conds[c]; coded {
				continue
			}
			addCond(c, "", []int{d.status}, obs{val: strconv.Itoa(d.status), at: d.at, quote: strconv.Itoa(d.status) + " " + d.desc, kind: "prose"})
		}
	}
	cn := &yaml.Node{Kind: yaml.MappingNode}
	for _, c := range corder {
		x := conds[c]
		m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		var cs, ss []*yaml.Node
		for _, code := range x.codes {
			cs = append(cs, str(code))
		}
		for _, s := range x.statuses {
			ss = append(ss, intNode(s))
		}
		add(m, "codes", flowSeq(cs...), "")
		statusText := joinInts(x.statuses)
		if x.anyStatus && len(x.statuses) == 0 {
			add(m, "statuses", str(specs.StatusUndocumented), "")
			statusText = "any status (undocumented)"
		} else {
			add(m, "statuses", flowSeq(ss...), "")
		}
		add(cn, c, m, b.note("errors.conditions."+c, fmt.Sprintf("codes %v, statuses %s", x.codes, statusText), x.from...))
		codeText := strings.Join(x.codes, " or ")
		if codeText == "" {
			codeText = "any code"
		}
		b.require(b.prefix+"ERROR-"+condReq[c], "MUST", fmt.Sprintf("%s is refused with %s and status %s, as the document says.", probeText[c], codeText, statusText), "error/"+c, x.from...)
	}
	if len(f.codes) > 0 && f.codesOpen == nil && len(vocab) > 0 {
		var vs []*yaml.Node
		for _, v := range dedupe(vocab) {
			vs = append(vs, str(v))
		}
		add(e, "vocabulary", flowSeq(vs...), b.note("errors.vocabulary", strings.Join(dedupe(vocab), ", "), codesObs(f.codes)...))
	} else if len(f.vocabEnum) > 0 {
		var vs []*yaml.Node
		for _, v := range distinct(f.vocabEnum) {
			vs = append(vs, str(v))
		}
		add(e, "vocabulary", flowSeq(vs...), b.note("errors.vocabulary", strings.Join(distinct(f.vocabEnum), ", "), f.vocabEnum...))
	} else if f.codesOpen != nil {
		b.note("errors.vocabulary", "none: the document says there are further codes", *f.codesOpen)
	}
	if len(statusO) > 0 {
		b.note("error status", distinct(statusO)[0], statusO...)
	}
	add(e, "conditions", cn, "")
	return e
}

var probeText = map[string]string{
	"bad_client_basic": "A wrong client secret by HTTP Basic", "bad_client_body": "A wrong client secret in the body",
	"no_client_auth": "A request without client authentication", "bad_password": "A wrong resource-owner password",
	"bad_refresh_token": "An unknown refresh token", "unsupported_grant_type": "An unknown grant_type",
	"missing_grant_type": "A request without grant_type", "missing_parameter": "A request missing a required parameter",
	"malformed_body": "A body that does not parse", "invalid_scope": "An unknown scope",
	"bad_code": "An authorization code the server never issued", "redirect_mismatch": "A code redeemed with another redirect_uri",
	"bad_device_code": "A device code the server never issued",
}

func codesObs(cs []errCode) []obs {
	var out []obs
	for _, c := range cs {
		out = append(out, obs{val: c.code, at: c.at, quote: c.code + " " + c.desc, kind: "table"})
	}
	return out
}

func intersect(a, b, fallback []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return fallback
	}
	return out
}

func joinInts(s []int) string {
	var out []string
	for _, i := range s {
		out = append(out, strconv.Itoa(i))
	}
	return strings.Join(out, " or ")
}

// lifetime is the documented access-token lifetime as a duration, "" when
// the document states none or contradicts itself unresolvably.
func (b *builder) lifetime() string {
	f := b.f
	vals := distinct(f.lifetimes)
	var sample []obs
	for _, s := range f.success {
		if n, ok := obj(s.value)["expires_in"].(json.Number); ok {
			sample = append(sample, obs{val: n.String(), at: s.at, quote: "\"expires_in\": " + n.String(), kind: "sample"})
		}
	}
	dur := durString
	near := func(v string) bool {
		n, _ := strconv.ParseFloat(v, 64)
		for _, s := range sample {
			m, _ := strconv.ParseFloat(s.val, 64)
			if m > 0 && n > 0 && (m-n)/n < 0.01 && (n-m)/n < 0.01 {
				return true
			}
		}
		return false
	}
	switch len(vals) {
	case 0:
		return ""
	case 1:
		b.note("expiry.lifetime", dur(vals[0]), append(f.lifetimes, sample...)...)
		if len(sample) > 0 && !near(vals[0]) {
			f.ask("the stated lifetime %s (%s) and the sample expires_in (%s) differ; a sample may show a remaining time", dur(vals[0]), places(f.lifetimes, vals[0]), sample[0].val)
		}
		return dur(vals[0])
	}
	var match []string
	for _, v := range vals {
		if near(v) {
			match = append(match, v)
		}
	}
	var ds []string
	for _, v := range vals {
		ds = append(ds, dur(v)+" ("+places(f.lifetimes, v)+")")
	}
	if len(match) == 1 {
		b.decision("The document states more than one lifetime: "+strings.Join(ds, ", ")+"; the sample expires_in is "+sample[0].val+" ("+sample[0].at.String()+").",
			"expiry.lifetime "+dur(match[0])+", the one the sample agrees with", "the sample and that statement agree; the checks wait for the response's own expires_in in any case.")
		b.note("expiry.lifetime", dur(match[0]), append(filter(f.lifetimes, match[0]), sample...)...)
		return dur(match[0])
	}
	b.decision("The document states more than one lifetime: "+strings.Join(ds, ", ")+".", "no expiry.lifetime; the checks use the response's expires_in", "nothing in the document settles which holds.")
	return ""
}

// lifetimeRange is the access-token lifetime the document gives as a range
// ("15 minutes or eight hours depending on the scopes"), where it states
// no single one: its least and greatest values as durations, or "".
func (b *builder) lifetimeRange() (string, string) {
	f := b.f
	if len(f.ranges) == 0 || len(f.lifetimes) > 0 {
		if len(f.ranges) > 0 {
			f.ask("the document states a lifetime (%s) and a range (%s); the range is left out", places(f.lifetimes, f.lifetimes[0].val), f.ranges[0].min.at)
		}
		return "", ""
	}
	r := f.ranges[0]
	for _, x := range f.ranges[1:] {
		if x.min.val != r.min.val || x.max != r.max {
			b.decision(fmt.Sprintf("The document states lifetime ranges %s (%s) and %s (%s).", durString(r.min.val)+" to "+durString(r.max), r.min.at, durString(x.min.val)+" to "+durString(x.max), x.min.at),
				"no expiry range; the checks use the response's expires_in", "nothing in the document settles which holds.")
			return "", ""
		}
	}
	b.note("expiry.min, expiry.max", durString(r.min.val)+" to "+durString(r.max), r.min)
	return durString(r.min.val), durString(r.max)
}

// durString writes seconds as a Go duration.
func durString(v string) string {
	n, _ := strconv.Atoi(v)
	switch {
	case n%3600 == 0:
		return strconv.Itoa(n/3600) + "h"
	case n%60 == 0:
		return strconv.Itoa(n/60) + "m"
	}
	return (time.Duration(n) * time.Second).String()
}

func (b *builder) requirements() {
	f := b.f
	if b.method == "POST" {
		b.require("RFC6749-3.2-POST-ONLY", "", "", "", firstOf(b.methodsObs(), "POST"))
	}
	for _, a := range b.auth {
		switch a {
		case "basic":
			b.require("RFC6749-2.3.1-BASIC-SUPPORT", "", "", "", b.authO["basic"]...)
		case "body":
			b.require("RFC6749-2.3.1-BODY-CREDENTIALS", "", "", "", b.authO["body"]...)
		}
	}
	if slices.Contains(b.grants, "password") {
		b.require("RFC6749-4.3-PASSWORD-SUCCESS", "", "", "", filter(f.grants, "password")...)
	}
	if slices.Contains(b.grants, "refresh_token") {
		b.require("RFC6749-6-REFRESH-SUCCESS", "", "", "", filter(f.grants, "refresh_token")...)
	}
	for _, n := range f.porder {
		p := f.params[n]
		if p.required != nil && p.required.val == "true" && !rfcParams[rfcName(n)] && (p.in == nil || p.in.val == "body") {
			id := b.prefix + "REQUIRED-" + strings.ToUpper(strings.NewReplacer("_", "-", ".", "-").Replace(rfcName(n)))
			b.require(id, "MUST", "A token request without "+rfcName(n)+" is refused: the document marks it required.", "required-param/"+rfcName(n), *p.required)
		}
	}
	var lens []obs
	for _, n := range f.porder {
		if p := f.params[n]; p.maxLen != nil {
			lens = append(lens, *p.maxLen)
		}
	}
	if len(lens) > 0 {
		b.require(b.prefix+"MAX-LENGTH", "MUST", "Each parameter of the documented length is accepted at that length and refused one character over it.", "max-length", lens...)
	}
	if len(b.reqs) == 0 {
		b.require("RFC6749-5.1-STATUS-200", "", "", "", obs{quote: "the token endpoint (" + b.path + ")"})
	}
}

func (b *builder) methodsObs() []obs {
	var out []obs
	for _, e := range b.f.endpoints {
		if e.method.val != "" {
			out = append(out, e.method)
		}
	}
	return out
}

// refserver configures the reference server speaking the derived dialect:
// test-double settings, not claims about the API.
func (b *builder) refserver() *yaml.Node {
	r := &yaml.Node{Kind: yaml.MappingNode}
	add(r, "lifetime", str("2s"), "")
	var scopes []string
	for _, v := range []string{b.sampleParams[b.wire("scope")]} {
		for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' }) {
			if reName.MatchString(t) {
				scopes = append(scopes, t)
			}
		}
	}
	if len(scopes) == 0 {
		for _, s := range b.f.success {
			if v, ok := obj(s.value)["scope"].(string); ok {
				for _, t := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' }) {
					if reName.MatchString(t) {
						scopes = append(scopes, t)
					}
				}
			}
		}
	}
	comment := ""
	if len(scopes) == 0 && b.requiredMember(b.schemas["schemas/"+b.name+"/token-response.json"], "scope") {
		// The success body requires scope, which the reference server
		// sends only for a scope it grants.
		scopes, comment = []string{"read"}, "the reference server's own: the document gives no scope value, and its success body requires scope"
	}
	if len(scopes) > 0 {
		var items []*yaml.Node
		for _, s := range dedupe(scopes) {
			items = append(items, str(s))
		}
		add(r, "scopes", flowSeq(items...), comment)
	}
	extra := map[string]any{}
	for _, s := range b.f.success {
		for k, v := range obj(s.value) {
			if _, ok := extra[k]; !ok && !rfcMembers[k] {
				extra[k] = v
			}
		}
	}
	if len(extra) > 0 {
		add(r, "extra", toNode(extra), "the sample's values")
	}
	params := map[string]string{}
	for _, n := range b.f.porder {
		p := b.f.params[n]
		name := rfcName(n)
		if p.required == nil || p.required.val != "true" || rfcParams[name] || name == "scope" {
			continue
		}
		if name == "audience" {
			add(r, "audience", str("https://audience.tokencert.test"), "")
			continue
		}
		params[name] = "tokencert"
	}
	if len(params) > 0 {
		add(r, "params", mapOf(params), "")
	}
	return r
}

func (b *builder) summary() string {
	s := fmt.Sprintf("Derived by tokencert derive from %s: %s %s", b.file, orQ(b.method), b.path)
	if b.encoding != "" {
		s += ", " + b.encoding + " body"
	}
	if len(b.auth) > 0 {
		s += ", client auth " + strings.Join(b.auth, "/")
	}
	if len(b.grants) > 0 {
		s += ", grants " + strings.Join(b.grants, "/")
	}
	s += fmt.Sprintf("; %d decision(s) and %d TODO(s) to review (derive-notes.md).", len(b.decide), len(b.todos))
	return s
}

func orQ(s string) string {
	if s == "" {
		return "?"
	}
	return s
}

// YAML helpers.

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func intNode(i int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(i)}
}

func add(m *yaml.Node, key string, v *yaml.Node, comment string) {
	k := str(key)
	if comment != "" {
		comment = "# " + comment
		if v.Kind == yaml.ScalarNode || v.Style == yaml.FlowStyle {
			v.LineComment = comment
		} else {
			k.LineComment = comment
		}
	}
	m.Content = append(m.Content, k, v)
}

func setValue(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
		}
	}
}

func flowSeq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: items}
}

func flowMap(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for i := 0; i+1 < len(kv); i += 2 {
		add(m, kv[i].(string), str(kv[i+1].(string)), "")
	}
	return m
}

func mapNode(kv ...string) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		add(m, kv[i], str(kv[i+1]), "")
	}
	return m
}

func mapOf(m map[string]string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		add(n, k, str(m[k]), "")
	}
	return n
}

// toNode turns a JSON-like value into a flow-style YAML node.
func toNode(v any) *yaml.Node {
	switch v := v.(type) {
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			add(n, k, toNode(v[k]), "")
		}
		return n
	case []any:
		n := flowSeq()
		for _, x := range v {
			n.Content = append(n.Content, toNode(x))
		}
		return n
	case string:
		return str(v)
	case int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v, 10)}
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(v, 'g', -1, 64)}
	case json.Number:
		if _, err := v.Int64(); err != nil {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: v.String()}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: v.String()}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

package derive

import (
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/tokencert/tokencert/grants"
)

// maxJSONTries and maxJSONBytes bound the attempts to read a JSON sample,
// so that a document of many lines that only look like JSON is read in
// bounded time.
const (
	maxJSONTries = 2000
	maxJSONBytes = 4 << 20
)

var (
	reMention   = regexp.MustCompile("(?:^|[\\s`*#(\\[|>])(POST|GET|PUT)(?:\\s*[-–:]\\s*|\\s+)`?((?:https?://|/|\\$\\{[A-Za-z_][\\w.]*\\}/|\\{\\{[A-Za-z_][\\w.]*\\}\\}/|\\{)[^\\s`'\"<>)\\]|]*)")
	reMethodTop = regexp.MustCompile(`^[#*\s]*(POST|GET|PUT)\s*[-–:]\s+\S`)
	reURLLine   = regexp.MustCompile(`^\s*<?(https?://(?:[^\s<>'"` + "`" + `]|<[A-Za-z_][\w -]*>)+)>?\s*$`)
	reHTTPLine  = regexp.MustCompile(`^\s*(POST|GET|PUT) (\S+) HTTP/\d(?:\.\d)?\s*$`)
	reGrantText = regexp.MustCompile(`(?i)grant_type\W{0,4}(?:=|:|\bof\b|\bvalue as\b|\bis\b|\bset to\b|\bmust be\b)\s*["'` + "`" + `]?([a-z][a-z0-9_:.\-]*)`)
	reBasic     = regexp.MustCompile(`(?i)\b(basic auth(?:entication)?|http basic|authorization:\s*basic)\b`)
	reTokenType = regexp.MustCompile("(?i)\\btoken[ _]type is\\s+[\"'`]?([A-Za-z][\\w-]*)")
	reFormWord  = regexp.MustCompile(`(?i)x-www-form-urlencoded|\burl-?encoded\b`)
	reCTProse   = regexp.MustCompile(`(?i)content-type\W{0,3}(?:(?:must|should|shall|is|be|always|set|to|as)\s+){0,4}(application/[a-z0-9.+\-]+)`)
	reStatus    = regexp.MustCompile("(?i)(?:HTTP(?:/\\d(?:\\.\\d)?)?\\s+|status(?: code)?:?\\s+`?)([1-5]\\d\\d)\\b")
	reCodeSpan  = regexp.MustCompile("`([^`]+)`")
	reFurther   = regexp.MustCompile(`(?i)in addition to|other error codes|common error codes|additional error codes|see also`)
	reRequired  = regexp.MustCompile(`(?i)\b(mandatory|required)\b`)
	reName      = regexp.MustCompile(`^[A-Za-z_.][A-Za-z0-9_.\-\[\]]*$`)
	rePython    = regexp.MustCompile(`requests\.(post|get|put)\(\s*(?:["']([^"']+)["'])?`)
	rePyURL     = regexp.MustCompile(`["'](https?://[^"']+)["']`)
	rePyKV      = regexp.MustCompile(`["']([A-Za-z_][\w.\-]*)["']\s*:\s*["']([^"']*)["']`)
)

var reHeaders = regexp.MustCompile(`(?i)\bheaders?\b`)

var reTOC = regexp.MustCompile(`(?i)^(table of )?contents$|^toc$`)

// knownGrants are the grant types a document may name: the registry's,
// and two it does not model (a document that names them gets a question).
var knownGrants = append(grants.Names(), "urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:ietf:params:oauth:grant-type:token-exchange")

// extractText collects the facts of a Markdown, text or HTML document.
func extractText(d *document) *facts {
	f := newFacts(d.format)
	for _, h := range d.headings {
		if !reTOC.MatchString(h.text) && h.text != "" {
			f.title = obs{val: h.text, at: where{line: h.line}, quote: h.text, kind: "heading"}
			break
		}
	}
	for i, l := range d.lines {
		if f.title.val != "" || i > 30 {
			break
		}
		if s := strings.TrimSpace(l.s); len(s) < 60 && strings.Contains(strings.ToLower(s), "token") && !strings.HasPrefix(s, "<") {
			f.title = obs{val: s, at: where{line: l.n}, quote: s, kind: "prose"}
		}
	}
	used := map[int]bool{}
	scanSamples(d, f, used)
	scanJSON(d, f, used)
	scanProse(d, f, used)
	scanStacked(d, f)
	for _, t := range d.tables {
		scanTable(d, f, t)
	}
	return f
}

// scanSamples reads the runnable request samples: curl, HTTPie, raw HTTP,
// Python requests.
func scanSamples(d *document, f *facts, used map[int]bool) {
	for i := 0; i < len(d.lines); i++ {
		l := d.lines[i]
		s := strings.TrimSpace(l.s)
		s = strings.TrimPrefix(strings.TrimPrefix(s, "$ "), "> ")
		switch {
		case strings.HasPrefix(s, "curl "):
			cmd, n := command(d.lines[i:])
			for k := 0; k < n; k++ {
				used[d.lines[i+k].n] = true
			}
			if r, ok := parseCurl(cmd); ok {
				r.at = where{line: l.n}
				f.addRequest(r)
			}
		case strings.HasPrefix(s, "http ") || strings.HasPrefix(s, "https "):
			cmd, n := command(d.lines[i:])
			for k := 0; k < n; k++ {
				used[d.lines[i+k].n] = true
			}
			if r, ok := parseHTTPie(cmd); ok {
				r.at = where{line: l.n}
				f.addRequest(r)
			}
		case reHTTPLine.MatchString(l.s):
			r, n := parseHTTPMessage(d.lines[i:])
			for k := 0; k < n; k++ {
				used[d.lines[i+k].n] = true
			}
			r.at = where{line: l.n}
			f.addRequest(r)
		case rePython.MatchString(l.s):
			m := rePython.FindStringSubmatch(l.s)
			r := reqSample{tool: "python requests", at: where{line: l.n}, method: strings.ToUpper(m[1]), params: map[string]string{}}
			end := min(len(d.lines), i+20)
			for k := i; k < end; k++ {
				t := d.lines[k].s
				if k > i && (strings.HasPrefix(strings.TrimSpace(t), ")") || rePython.MatchString(t)) {
					break
				}
				if r.url == "" {
					if u := rePyURL.FindStringSubmatch(t); u != nil {
						r.url = u[1]
					}
				}
				switch {
				case strings.Contains(t, "json="):
					r.encoding = "json"
				case strings.Contains(t, "data="):
					r.encoding = "form"
				}
				if strings.Contains(t, "auth=") {
					r.basic = true
				}
				if kv := rePyKV.FindAllStringSubmatch(t, -1); kv != nil && r.encoding != "" {
					for _, p := range kv {
						r.set(p[1], p[2])
					}
				}
			}
			if r.url != "" {
				r.base, r.path = splitURL(r.url)
				f.addRequest(r)
			}
		}
	}
}

// command joins a shell command's lines (backslash continuations, quotes
// left open) and says how many lines it took.
func command(ls []line) (string, int) {
	var b strings.Builder
	n := 0
	for n < len(ls) && n < 80 {
		s := strings.TrimSpace(ls[n].s)
		n++
		cont := strings.HasSuffix(s, "\\")
		s = strings.TrimSuffix(s, "\\")
		b.WriteString(s)
		b.WriteString("\n")
		if !cont && !openQuote(b.String()) {
			break
		}
	}
	return b.String(), n
}

func openQuote(s string) bool {
	var q rune
	for _, c := range s {
		switch {
		case q == 0 && (c == '\'' || c == '"'):
			q = c
		case q != 0 && c == q:
			q = 0
		}
	}
	return q != 0
}

// words splits a shell command into words (quotes removed).
func words(s string) []string {
	var out []string
	var b strings.Builder
	var q rune
	in := false
	for _, c := range s {
		switch {
		case q != 0:
			if c == q {
				q = 0
			} else {
				b.WriteRune(c)
			}
		case c == '\'' || c == '"':
			q, in = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if in {
				out = append(out, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteRune(c)
			in = true
		}
	}
	if in {
		out = append(out, b.String())
	}
	return out
}

func (r *reqSample) set(k, v string) {
	if r.params == nil {
		r.params = map[string]string{}
	}
	if _, ok := r.params[k]; !ok {
		r.order = append(r.order, k)
	}
	r.params[k] = v
}

// body reads a request body: a JSON object or form pairs.
func (r *reqSample) body(data string, urlencoded bool) {
	t := strings.TrimSpace(data)
	if !urlencoded && strings.HasPrefix(t, "{") {
		var m map[string]any
		dec := json.NewDecoder(strings.NewReader(t))
		dec.UseNumber()
		if dec.Decode(&m) == nil {
			r.encoding = "json"
			for _, k := range sortedKeys(t, m) {
				r.set(k, scalar(m[k]))
			}
			return
		}
	}
	if r.encoding == "" || r.encoding == "form" {
		r.encoding = "form"
	}
	for _, p := range strings.Split(t, "&") {
		k, v, _ := strings.Cut(p, "=")
		if k = strings.TrimSpace(k); k != "" && reName.MatchString(k) {
			if u, err := url.QueryUnescape(v); err == nil {
				v = u
			}
			r.set(k, v)
		}
	}
}

func parseCurl(cmd string) (reqSample, bool) {
	r := reqSample{tool: "curl"}
	w := words(cmd)
	var data []string
	urlenc := false
	jsonFlag := false
	valued := map[string]bool{"-X": true, "--request": true, "-H": true, "--header": true, "-d": true, "--data": true, "--data-raw": true, "--data-binary": true, "--data-ascii": true, "--data-urlencode": true, "-u": true, "--user": true, "--json": true, "-F": true, "--form": true, "--url": true, "-o": true, "--output": true, "-m": true, "--max-time": true, "--connect-timeout": true, "-A": true, "--user-agent": true, "-e": true, "--referer": true, "--cert": true, "--key": true, "--cacert": true, "-b": true, "--cookie": true}
	for i := 1; i < len(w); i++ {
		a := w[i]
		v := ""
		if valued[a] && i+1 < len(w) {
			v = w[i+1]
			i++
		} else if strings.HasPrefix(a, "-X") && len(a) > 2 {
			a, v = "-X", a[2:]
		}
		switch a {
		case "-X", "--request":
			r.method = strings.ToUpper(v)
		case "-H", "--header":
			k, val, _ := strings.Cut(v, ":")
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "content-type":
				r.ctype = strings.TrimSpace(val)
			case "authorization":
				if strings.HasPrefix(strings.ToLower(strings.TrimSpace(val)), "basic") {
					r.basic = true
				}
			}
		case "-d", "--data", "--data-raw", "--data-binary", "--data-ascii":
			data = append(data, v)
		case "--data-urlencode":
			data = append(data, v)
			urlenc = true
		case "--json":
			data = append(data, v)
			jsonFlag = true
		case "-u", "--user":
			r.basic = true
		case "-F", "--form":
			r.encoding = "multipart"
		case "--url":
			r.url = v
		default:
			if !strings.HasPrefix(a, "-") && r.url == "" {
				r.url = a
			}
		}
	}
	if r.url == "" {
		return r, false
	}
	if r.method == "" {
		r.method = "GET"
		if len(data) > 0 || r.encoding == "multipart" {
			r.method = "POST"
		}
	}
	if r.encoding != "multipart" {
		for _, d := range data {
			r.body(d, urlenc)
		}
		if jsonFlag {
			r.encoding = "json"
		}
	}
	r.base, r.path = splitURL(r.url)
	if strings.Contains(hostPart(r.url), "@") {
		r.basic = true
	}
	return r, true
}

func parseHTTPie(cmd string) (reqSample, bool) {
	r := reqSample{tool: "HTTPie", encoding: "json"}
	w := words(cmd)
	items := 0
	for i := 1; i < len(w); i++ {
		a := w[i]
		switch {
		case a == "-f" || a == "--form":
			r.encoding = "form"
		case a == "-a" || a == "--auth":
			r.basic = true
			i++
		case strings.HasPrefix(a, "-"):
		case r.url == "" && (a == "POST" || a == "GET" || a == "PUT"):
			r.method = a
		case r.url == "":
			r.url = a
		case strings.Contains(a, ":=") || strings.Contains(a, "="):
			k, v, _ := strings.Cut(strings.Replace(a, ":=", "=", 1), "=")
			if reName.MatchString(k) {
				if v2, _, ok := strings.Cut(v, "&"); ok {
					v = v2
				}
				r.set(k, v)
				items++
			}
		case strings.Contains(a, ":"):
			k, v, _ := strings.Cut(a, ":")
			if strings.EqualFold(k, "content-type") {
				r.ctype = v
			}
		}
	}
	if r.url == "" || !strings.Contains(r.url, "/") {
		return r, false
	}
	if r.method == "" {
		r.method = "GET"
		if items > 0 {
			r.method = "POST"
		}
	}
	if items == 0 {
		r.encoding = ""
	}
	r.base, r.path = splitURL(r.url)
	if strings.Contains(hostPart(r.url), "@") {
		r.basic = true
	}
	return r, true
}

// parseHTTPMessage reads "POST /token HTTP/1.1", its headers and body.
func parseHTTPMessage(ls []line) (reqSample, int) {
	m := reHTTPLine.FindStringSubmatch(ls[0].s)
	r := reqSample{tool: "HTTP", method: m[1], url: m[2]}
	n := 1
	host := ""
	for n < len(ls) && n < 40 {
		s := strings.TrimSpace(ls[n].s)
		if s == "" || strings.HasPrefix(s, "```") {
			break
		}
		k, v, ok := strings.Cut(s, ":")
		if !ok {
			break
		}
		switch strings.ToLower(k) {
		case "content-type":
			r.ctype = strings.TrimSpace(v)
		case "authorization":
			if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "basic") {
				r.basic = true
			}
		case "host":
			host = strings.TrimSpace(v)
		}
		n++
	}
	var body []string
	for n < len(ls) && n < 60 {
		s := strings.TrimSpace(ls[n].s)
		if strings.HasPrefix(s, "```") || (s == "" && len(body) > 0) {
			break
		}
		if s != "" {
			body = append(body, s)
		}
		n++
	}
	if len(body) > 0 {
		if strings.Contains(strings.ToLower(r.ctype), "json") {
			r.body(strings.Join(body, "\n"), false)
		} else {
			r.body(strings.Join(body, ""), strings.Contains(strings.ToLower(r.ctype), "urlencoded"))
		}
	}
	if strings.HasPrefix(r.url, "http") {
		r.base, r.path = splitURL(r.url)
	} else {
		r.path = normPath(r.url)
		if host != "" {
			r.base = "https://" + host
		}
	}
	return r, n
}

func (f *facts) addRequest(r reqSample) {
	if r.path == "" {
		return
	}
	if r.encoding == "" && len(r.params) > 0 {
		r.encoding = "form"
	}
	f.requests = append(f.requests, r)
	_, grant := r.params["grant_type"]
	f.endpoints = append(f.endpoints, endpoint{
		method: obs{val: r.method, at: r.at, quote: r.tool + " sample", kind: "sample"},
		path:   obs{val: r.path, at: r.at, quote: r.url, kind: "sample"},
		base:   r.base, grant: grant,
	})
}

func hostPart(u string) string {
	rest := u
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// splitURL splits a URL as written (placeholders allowed) into its scheme
// and host, without credentials, and its path.
func splitURL(u string) (base, path string) {
	scheme := ""
	rest := u
	if i := strings.Index(rest, "://"); i >= 0 {
		scheme, rest = rest[:i+3], rest[i+3:]
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, rest = rest[:i], rest[i:]
	} else {
		rest = "/"
	}
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = host[i+1:]
	}
	return scheme + host, normPath(rest)
}

var (
	reColonVar = regexp.MustCompile(`^:([A-Za-z_][A-Za-z0-9_]*)$`)
	reAngleVar = regexp.MustCompile(`^<([A-Za-z_][A-Za-z0-9_ -]*)>$`)
	reSegment  = regexp.MustCompile(`^([A-Za-z0-9._~!$&'()*+,;=:@%-]+|\{[A-Za-z_][A-Za-z0-9_]*\})$`)
)

// normPath makes a path as written into the spec format's: no query, a
// leading slash, variables as {name}; "" when it is not a path.
func normPath(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	p = strings.TrimRight(strings.TrimLeft(p, "^"), ".,;:")
	p = strings.TrimSuffix(p, "$")
	if p == "" {
		return ""
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if i == 0 || (s == "" && i == len(segs)-1) {
			continue
		}
		if m := reColonVar.FindStringSubmatch(s); m != nil {
			s = "{" + m[1] + "}"
		} else if m := reAngleVar.FindStringSubmatch(s); m != nil {
			// "<tenant id>" is the variable tenant_id
			s = "{" + strings.NewReplacer(" ", "_", "-", "_").Replace(strings.TrimSpace(m[1])) + "}"
		}
		if !reSegment.MatchString(s) {
			return ""
		}
		segs[i] = s
	}
	if p = strings.Join(segs, "/"); p == "/" {
		return ""
	}
	return p
}

// scanJSON reads every JSON object or array the document shows and sorts
// it: a request body, a success body, an error body.
func scanJSON(d *document, f *facts, used map[int]bool) {
	tries, budget := 0, maxJSONBytes
	for i := 0; i < len(d.lines) && tries < maxJSONTries && budget > 0; i++ {
		s := strings.TrimSpace(d.lines[i].s)
		if used[d.lines[i].n] || !(strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")) {
			continue
		}
		tries++
		var b strings.Builder
		for k := i; k < len(d.lines) && k < i+400 && b.Len() < 64<<10; k++ {
			b.WriteString(d.lines[k].s)
			b.WriteByte('\n')
		}
		text := b.String()
		budget -= len(text)
		text = text[strings.IndexAny(text, "{["):]
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			continue
		}
		consumed := strings.Count(text[:dec.InputOffset()], "\n")
		start := d.lines[i].n
		end := d.lines[min(i+consumed, len(d.lines)-1)].n
		js := jsonSample{at: where{line: start}, end: end, value: v, label: d.label(start)}
		if m := reStatus.FindStringSubmatch(js.label); m != nil {
			js.status, _ = strconv.Atoi(m[1])
		}
		obj, _ := v.(map[string]any)
		if arr, ok := v.([]any); ok && len(arr) > 0 {
			obj, _ = arr[0].(map[string]any)
		}
		if obj == nil {
			continue
		}
		switch {
		case obj["grant_type"] != nil:
			r := reqSample{tool: "JSON body", at: js.at, encoding: "json"}
			for _, k := range sortedKeys(text[:dec.InputOffset()], obj) {
				r.set(k, scalar(obj[k]))
			}
			f.requests = append(f.requests, r)
		case obj["access_token"] != nil && !isArray(v):
			f.success = append(f.success, js)
		case isErrorBody(obj, js.label):
			f.errSample = append(f.errSample, js)
		default:
			continue
		}
		for k := i; k <= i+consumed && k < len(d.lines); k++ {
			used[d.lines[k].n] = true
		}
		i += consumed
	}
}

func isArray(v any) bool { _, ok := v.([]any); return ok }

var errorKeys = []string{"error", "errorcode", "error_code", "errors", "code", "fault", "message", "error_description"}

func isErrorBody(obj map[string]any, label string) bool {
	n := 0
	for k := range obj {
		for _, e := range errorKeys {
			if strings.EqualFold(k, e) {
				n++
			}
		}
	}
	if _, ok := obj["error"]; ok {
		return true
	}
	l := strings.ToLower(label)
	return n > 0 && (strings.Contains(l, "error") || strings.Contains(l, "fail") || strings.Contains(l, "invalid"))
}

// sortedKeys lists an object's keys in the order the text writes them.
func sortedKeys(text string, m map[string]any) []string {
	var out []string
	dec := json.NewDecoder(strings.NewReader(text))
	depth := 0
	expectKey := false
	for {
		t, err := dec.Token()
		if err != nil {
			break
		}
		switch t := t.(type) {
		case json.Delim:
			switch t {
			case '{':
				depth++
				expectKey = depth == 1
				continue
			case '}', ']':
				depth--
			case '[':
				depth++
			}
			expectKey = depth == 1
			if depth == 0 {
				goto done
			}
			continue
		case string:
			if depth == 1 && expectKey {
				if _, ok := m[t]; ok {
					out = append(out, t)
				}
				expectKey = false
				continue
			}
		}
		if depth == 1 {
			expectKey = true
		}
	}
done:
	if len(out) != len(m) {
		out = out[:0]
		for k := range m {
			out = append(out, k)
		}
		sortStrings(out)
	}
	return out
}

func scalar(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// scanProse reads the statements in running text: endpoint mentions,
// grant types, HTTP Basic, lifetimes, the token type, body encodings,
// documented error statuses. A sentence that denies, conditions or only
// exemplifies what it mentions states no fact (statements.go); the header
// lines after an HTTP status line are a response's, not a request's.
func scanProse(d *document, f *facts, used map[int]bool) {
	hl := map[int]bool{}
	for _, h := range d.headings {
		hl[h.line] = true
	}
	response := false
	for _, l := range d.lines {
		s := l.s
		q := strings.TrimSpace(s)
		if len(q) > 300 {
			q = q[:300]
		}
		at := where{line: l.n}
		kind := "prose"
		if hl[l.n] {
			kind = "heading"
		}
		switch {
		case reResponseStart.MatchString(s):
			response = true
			continue
		case response && reHeaderLine.MatchString(s):
			continue // a response header
		default:
			response = false
		}
		if !used[l.n] {
			for _, m := range reMention.FindAllStringSubmatch(s, -1) {
				base, p := "", ""
				if strings.HasPrefix(m[2], "http") {
					base, p = splitURL(m[2])
				} else {
					p = normPath(stripPlaceholderBase(m[2]))
				}
				if p != "" {
					f.endpoints = append(f.endpoints, endpoint{method: obs{val: m[1], at: at, quote: q, kind: kind}, path: obs{val: p, at: at, quote: q, kind: kind}, base: base})
				}
			}
			if m := reMethodTop.FindStringSubmatch(s); m != nil && !reMention.MatchString(s) {
				f.endpoints = append(f.endpoints, endpoint{method: obs{val: m[1], at: at, quote: q, kind: "heading"}})
			}
			if m := reURLLine.FindStringSubmatch(s); m != nil {
				if base, p := splitURL(m[1]); p != "" {
					f.endpoints = append(f.endpoints, endpoint{path: obs{val: p, at: at, quote: q, kind: "prose"}, base: base})
				}
			}
			if m := reStatusLine.FindStringSubmatch(s); m != nil {
				st, _ := strconv.Atoi(m[1])
				f.statusDescs = append(f.statusDescs, errCode{desc: strings.TrimSpace(m[2]), at: at, status: st})
			}
			f.readRefresh(s, false, at, kind)
			for _, sen := range sentences(s) {
				if found, hedge := hedgedAt(sen, reBasic); found && hedge {
					f.ask("%s (%q) is negated or conditional: it states no client authentication", at, strings.TrimSpace(sen))
				} else if found {
					f.auth = append(f.auth, obs{val: "basic", at: at, quote: q, kind: kind})
				}
				if reNoneRequired.MatchString(sen) && f.noneRequired == nil && (reRespSect.MatchString(d.section(l.n)) || reAboutResponse.MatchString(sen)) {
					f.noneRequired = &obs{val: "none", at: at, quote: strings.TrimSpace(sen), kind: "prose"}
				}
				if found, hedge := hedgedAt(sen, reKeySigned); found && !hedge {
					f.keySigned = append(f.keySigned, obs{val: "private_key_jwt", at: at, quote: q, kind: kind})
				}
				if !reAboutResponse.MatchString(sen) {
					if found, hedge := hedgedAt(sen, reFormWord); found && !hedge {
						f.encodings = append(f.encodings, obs{val: "form", at: at, quote: q, kind: kind})
					}
					if found, hedge := hedgedAt(sen, reCTProse); found && !hedge && !reRespSect.MatchString(d.section(l.n)) {
						f.ctypes = append(f.ctypes, obs{val: strings.ToLower(reCTProse.FindStringSubmatch(sen)[1]), at: at, quote: q, kind: kind})
					}
				}
				if found, hedge := hedgedAt(sen, reTokenType); found && !hedge {
					f.tokenType = append(f.tokenType, obs{val: reTokenType.FindStringSubmatch(sen)[1], at: at, quote: q, kind: "prose"})
				}
				for _, g := range grantsStated(sen) {
					f.grants = append(f.grants, obs{val: g, at: at, quote: q, kind: kind})
				}
				if min, max, ok := lifetimeSentence(sen); ok {
					o := obs{val: strconv.Itoa(min), at: at, quote: strings.TrimSpace(sen), kind: "prose"}
					if min == max {
						f.lifetimes = append(f.lifetimes, o)
					} else {
						f.ranges = append(f.ranges, lifeRange{min: o, max: strconv.Itoa(max)})
					}
				} else if reLifeWords.MatchString(sen) && reDuration.MatchString(sen) && reOtherToken.MatchString(sen) {
					f.ask("%s states a duration of another kind of token or code (%q); it is not taken as the access token's lifetime", at, strings.TrimSpace(sen))
				}
			}
		}
		for _, m := range reGrantText.FindAllStringSubmatch(s, -1) {
			f.grants = append(f.grants, obs{val: strings.TrimRight(m[1], ".,;:"), at: at, quote: q, kind: kind})
		}
	}
}

// stripPlaceholderBase turns "${baseUrl}/v1/token" or "{{host}}/token" or
// "<server>/token" into the path after the placeholder.
func stripPlaceholderBase(p string) string {
	for _, open := range []struct{ start, end string }{{"${", "}"}, {"{{", "}}"}, {"<", ">"}} {
		if strings.HasPrefix(p, open.start) {
			if i := strings.Index(p, open.end); i > 0 && strings.HasPrefix(p[i+len(open.end):], "/") {
				return p[i+len(open.end):]
			}
		}
	}
	return p
}

// col finds the first header cell that matches.
func col(header []string, re *regexp.Regexp) int {
	for i, h := range header {
		if re.MatchString(norm(h)) {
			return i
		}
	}
	return -1
}

func norm(s string) string {
	s = strings.ToLower(strings.TrimSpace(reCodeSpan.ReplaceAllString(s, "$1")))
	s = strings.Trim(s, "*_ ")
	return spaces.ReplaceAllString(s, " ")
}

func cell(row []string, i int) string {
	if i < 0 || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

func cellName(s string) string { return cellWord(s, reName) }

// cellWord is the first word of a table cell, without Markdown's code and
// emphasis marks, when re matches it, or "".
func cellWord(s string, re *regexp.Regexp) string {
	s = strings.NewReplacer("`", "", "*", "", "\\_", "_").Replace(strings.TrimSpace(s))
	if f := strings.Fields(s); len(f) > 0 {
		s = f[0]
	}
	if !re.MatchString(s) {
		return ""
	}
	return s
}

var (
	reColName    = regexp.MustCompile(`^(field|name|parameter|param|variable|schema|attribute|key|property|member|parameter name|field name)s?$`)
	reColReq     = regexp.MustCompile(`^(required|mandatory|m/o|req|required\?|optional|mandatory/optional)$`)
	reColType    = regexp.MustCompile(`^(type|data type|format)$`)
	reColLen     = regexp.MustCompile(`^(length|max length|maxlength|max|maximum length|size)$`)
	reColIn      = regexp.MustCompile(`^(passed as|in|location|sent as|where)$`)
	reColDesc    = regexp.MustCompile(`desc|values|meaning|message|notes`)
	reColMethod  = regexp.MustCompile(`method`)
	reColPath    = regexp.MustCompile(`location|path|endpoint|url|uri|resource`)
	reColCType   = regexp.MustCompile(`content.?type|format|encoding`)
	reColCode    = regexp.MustCompile(`^(error ?(code|id|name|type|value)?|code|error_code|errorcode)$`)
	reColStatus  = regexp.MustCompile(`^(http )?(status|status code|http code|http status code)$`)
	reCellStatus = regexp.MustCompile(`\(([45]\d\d)\)|^\s*([45]\d\d)\b`)
	reReqWord    = regexp.MustCompile(`(?i)^\W*(required|mandatory|optional)\b`)
	reTypeValue  = regexp.MustCompile("(?i)(?:the value is|value is always|always|must be)\\W{0,3}[`*\"']*([A-Za-z][\\w-]*)")
	reRespSect   = regexp.MustCompile(`(?i)respon|return|output|result`)
	reReqSect    = regexp.MustCompile(`(?i)request|body|payload|param|input|minimum`)
)

// scanTable reads a table: an endpoint table, an error-code table, or the
// parameters of a request or the members of a response.
func scanTable(d *document, f *facts, t table) {
	if len(t.header) == 0 || len(t.rows) == 0 {
		return
	}
	quote := func(i int) string { return strings.Join(t.rows[i], " | ") }
	at := func(i int) where { return where{line: t.rowLines[i]} }
	if mc, pc := col(t.header, reColMethod), col(t.header, reColPath); mc >= 0 && pc >= 0 {
		cc := col(t.header, reColCType)
		for i, r := range t.rows {
			m := strings.ToUpper(strings.TrimSpace(cell(r, mc)))
			p := normPath(strings.Trim(cell(r, pc), "`* "))
			if m != "POST" && m != "GET" && m != "PUT" {
				continue
			}
			f.endpoints = append(f.endpoints, endpoint{method: obs{val: m, at: at(i), quote: quote(i), kind: "table"}, path: obs{val: p, at: at(i), quote: quote(i), kind: "table"}})
			if ct := strings.ToLower(cell(r, cc)); ct != "" {
				switch {
				case strings.Contains(ct, "json"):
					f.encodings = append(f.encodings, obs{val: "json", at: at(i), quote: quote(i), kind: "table"})
				case strings.Contains(ct, "urlencoded") || strings.Contains(ct, "form"):
					f.encodings = append(f.encodings, obs{val: "form", at: at(i), quote: quote(i), kind: "table"})
				}
			}
		}
		return
	}
	if cc := col(t.header, reColCode); cc >= 0 && col(t.header, reColType) < 0 {
		dc := col(t.header, reColDesc)
		if dc < 0 {
			dc = col(t.header, regexp.MustCompile(`detail|cause|reason|explanation`))
		}
		sc := col(t.header, reColStatus)
		for i, r := range t.rows {
			code := codeName(cell(r, cc))
			if code == "" {
				continue
			}
			e := errCode{code: code, desc: cell(r, dc), at: at(i)}
			for _, c := range []string{cell(r, cc), cell(r, sc)} {
				if m := reCellStatus.FindStringSubmatch(c); m != nil && c != "" {
					e.status, _ = strconv.Atoi(m[1] + m[2])
					break
				}
			}
			f.codes = append(f.codes, e)
		}
		// A sentence after the table saying there are further codes makes
		// the table an excerpt, not the vocabulary.
		last := t.rowLines[len(t.rowLines)-1]
		h := d.headingAt(last)
		for i := d.index(last + 1); i < len(d.lines) && i < d.index(last+1)+50; i++ {
			l := d.lines[i]
			if d.headingAt(l.n) != h {
				break
			}
			if reFurther.MatchString(l.s) {
				o := obs{val: "open", at: where{line: l.n}, quote: strings.TrimSpace(l.s), kind: "prose"}
				f.codesOpen = &o
				break
			}
		}
		return
	}
	nc := col(t.header, reColName)
	if nc < 0 {
		return
	}
	var names []string
	for _, r := range t.rows {
		names = append(names, cellName(cell(r, nc)))
	}
	has := func(n string) bool {
		for _, x := range names {
			if x == n {
				return true
			}
		}
		return false
	}
	ctx := d.section(t.line)
	if has("Authorization") || has("Content-Type") || reHeaders.MatchString(ctx) {
		// HTTP headers, not body members: a request's Content-Type and
		// Authorization say how it is sent.
		if reRespSect.MatchString(ctx) {
			return
		}
		for i, r := range t.rows {
			rest := strings.Join(r[1:], " ")
			switch strings.ToLower(names[i]) {
			case "content-type":
				if m := regexp.MustCompile(`(?i)application/[a-z0-9.+\-]+`).FindString(rest); m != "" && !hedged(rest) {
					f.ctypes = append(f.ctypes, obs{val: strings.ToLower(m), at: at(i), quote: quote(i), kind: "table"})
				}
			case "authorization":
				if reBasic.MatchString(rest) || regexp.MustCompile(`(?i)\bbasic\b`).MatchString(rest) {
					if !hedged(rest) {
						f.auth = append(f.auth, obs{val: "basic", at: at(i), quote: quote(i), kind: "table"})
					}
				}
			}
		}
		return
	}
	if (has("error") || has("error_description")) && !has("access_token") {
		return // the members of an error body, not a success body's
	}
	role := ""
	switch {
	case has("grant_type") || has("client_id") || has("username"):
		role = "request"
		if has("access_token") && reRespSect.MatchString(d.section(t.line)) {
			role = "response"
		}
	case has("access_token") || has("token_type") || has("expires_in"):
		role = "response"
	case reRespSect.MatchString(ctx):
		role = "response"
	case reReqSect.MatchString(ctx):
		role = "request"
	}
	if role == "" {
		return
	}
	rc, tc, lc, ic, dc := col(t.header, reColReq), col(t.header, reColType), col(t.header, reColLen), col(t.header, reColIn), col(t.header, reColDesc)
	if rc < 0 {
		// A column headed otherwise ("Type") whose every cell says
		// required or optional is the required column.
		for c := range t.header {
			if c == nc {
				continue
			}
			all := len(t.rows) > 0
			for _, r := range t.rows {
				v := norm(cell(r, c))
				if v != "required" && v != "optional" && v != "mandatory" {
					all = false
					break
				}
			}
			if all {
				rc = c
				if tc == c {
					tc = -1
				}
				break
			}
		}
	}
	// Without a required column, a sentence between the heading and the
	// table may call every row required.
	var all *obs
	if rc < 0 {
		hline := 0
		if i := d.headingAt(t.line); i >= 0 {
			hline = d.headings[i].line
		}
		for i := max(d.index(hline), d.index(t.line)-30); i < len(d.lines) && d.lines[i].n < t.line; i++ {
			l := d.lines[i]
			if reRequired.MatchString(l.s) && !strings.Contains(strings.ToLower(l.s), "not required") {
				all = &obs{val: "true", at: where{line: l.n}, quote: strings.TrimSpace(l.s), kind: "prose"}
				break
			}
		}
	}
	for i, r := range t.rows {
		name := names[i]
		if name == "" {
			continue
		}
		var req *obs
		if rc >= 0 {
			v := norm(cell(r, rc))
			h := norm(t.header[rc])
			yes := v == "yes" || v == "y" || v == "true" || v == "required" || v == "mandatory" || v == "m" || v == "✓" || v == "✔" || v == "✅" || v == "x"
			no := v == "no" || v == "n" || v == "false" || v == "optional" || v == "o" || v == "-" || v == ""
			if h == "optional" {
				yes, no = no && v != "", yes
			}
			if !yes && !no && rePerGrant.MatchString(cell(r, rc)) {
				// "Yes, for the password grant only": required for that
				// grant (grants[].required), not for every request.
				if gs := grantsNamed(cell(r, rc)); len(gs) > 0 && (strings.HasPrefix(v, "yes") || strings.HasPrefix(v, "required")) {
					p := f.param(name)
					for _, g := range gs {
						p.perGrant = append(p.perGrant, obs{val: g, at: at(i), quote: quote(i), kind: "table"})
					}
				} else {
					f.ask("%s: %s is marked %q: a statement for some grants only, which names no grant the format models; it is not taken as required", at(i), name, cell(r, rc))
				}
			}
			if yes || no {
				req = &obs{val: strconv.FormatBool(yes), at: at(i), quote: quote(i), kind: "table"}
			}
		} else if all != nil {
			o := *all
			req = &o
		} else if m := reReqWord.FindStringSubmatch(cell(r, dc)); m != nil {
			// "Required, is what was returned …" in the description.
			req = &obs{val: strconv.FormatBool(!strings.EqualFold(m[1], "optional")), at: at(i), quote: quote(i), kind: "table"}
		}
		var typ, null *obs
		if ty, n := nullableType(cell(r, tc)); ty != "" {
			typ = &obs{val: ty, at: at(i), quote: quote(i), kind: "table"}
			if n {
				null = &obs{val: "null", at: at(i), quote: quote(i), kind: "table"}
			}
		}
		if role == "response" {
			m := f.respMember(name)
			if m.row == nil {
				m.row = &obs{val: name, at: at(i), quote: quote(i), kind: "table"}
			}
			if m.nullable == nil {
				m.nullable = null
			}
			if m.typ == nil {
				m.typ = typ
			}
			if m.required == nil {
				m.required = req
			}
			desc := cell(r, dc)
			if m.desc == "" {
				m.desc = desc
			}
			if name == "refresh_token" {
				f.readRefresh(desc, true, at(i), "table")
			}
			if reMemberConditional.MatchString(desc) && m.conditional == nil {
				m.conditional = &obs{val: "conditional", at: at(i), quote: quote(i), kind: "table"}
			}
			if name == "token_type" {
				if tv := reTypeValue.FindStringSubmatch(desc); tv != nil && !hedged(desc) {
					f.tokenType = append(f.tokenType, obs{val: tv[1], at: at(i), quote: quote(i), kind: "table"})
				}
			}
			continue
		}
		p := f.param(name)
		if p.required == nil {
			p.required = req
		}
		if p.typ == nil {
			p.typ = typ
		}
		if n, err := strconv.Atoi(strings.Trim(cell(r, lc), "* `")); err == nil && n > 0 && p.maxLen == nil {
			p.maxLen = &obs{val: strconv.Itoa(n), at: at(i), quote: quote(i), kind: "table"}
		}
		if in := norm(cell(r, ic)); in != "" && p.in == nil {
			v := ""
			switch {
			case strings.Contains(in, "payload") || strings.Contains(in, "body") || strings.Contains(in, "form"):
				v = "body"
			case strings.Contains(in, "query"):
				v = "query"
			case strings.Contains(in, "header"):
				v = "header"
			}
			if v != "" {
				p.in = &obs{val: v, at: at(i), quote: quote(i), kind: "table"}
			}
		}
		if name == "grant_type" {
			desc := cell(r, dc)
			for _, g := range knownGrants {
				if regexp.MustCompile(`(^|[^a-z_])` + regexp.QuoteMeta(g) + `($|[^a-z_])`).MatchString(desc) {
					f.grants = append(f.grants, obs{val: g, at: at(i), quote: quote(i), kind: "table"})
				}
			}
		}
	}
}

var reCode = regexp.MustCompile(`^[A-Za-z0-9_.:\-]+$`)

// codeName is an error code as a table cell writes it, or "".
func codeName(s string) string { return cellWord(s, reCode) }

// typeWord reads a documented type: "string", "integer", "number",
// "boolean", "object", "array", or "" when it is none of them.
// reNullable: a type that admits null ("string | null", "null | string",
// "string, nullable", "string (nullable)", "nullable string").
var reNullable = regexp.MustCompile(`(?i)^\s*(?:null\s*\|\s*|nullable\s+)?(.*?)(?:\s*\|\s*null|\s*,\s*nullable|\s*\(nullable\)|\s+or\s+null)?\s*$`)

// nullableType reads a type word that may admit null.
func nullableType(s string) (typ string, nullable bool) {
	m := reNullable.FindStringSubmatch(s)
	if m == nil || m[1] == s {
		return typeWord(s), false
	}
	return typeWord(m[1]), typeWord(m[1]) != ""
}

func typeWord(s string) string {
	s = norm(strings.NewReplacer("*", "", "_", "").Replace(s))
	switch s {
	case "string", "str", "text", "uuid", "date", "datetime", "date-time", "url", "uri":
		return "string"
	case "int", "integer", "long", "int32", "int64":
		return "integer"
	case "number", "float", "double", "numeric", "decimal":
		return "number"
	case "bool", "boolean":
		return "boolean"
	case "object", "json", "map", "dict":
		return "object"
	case "array", "list":
		return "array"
	}
	return ""
}

func sortStrings(s []string) { sort.Strings(s) }

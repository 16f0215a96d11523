package derive

import (
	"fmt"
	"sort"
	"strings"
)

// where is a fact's place in the document: a line of a text document or a
// JSON pointer into an OpenAPI file.
type where struct {
	line int
	ptr  string
}

func (w where) String() string {
	if w.ptr != "" {
		return "#" + w.ptr
	}
	if w.line > 0 {
		return fmt.Sprintf("line %d", w.line)
	}
	return "the whole document"
}

// obs is one statement of the document: a value, where it stands, the
// document's words, and what kind of statement it is.
type obs struct {
	val   string
	at    where
	quote string
	// kind: "sample" (a runnable request or a response sample), "table",
	// "heading", "prose", "schema" (OpenAPI) or "rfc" (RFC 6749's rule for
	// a code the document uses).
	kind string
}

// param is a request parameter as the document describes it.
type param struct {
	name     string
	required *obs
	typ      *obs
	maxLen   *obs
	enum     []obs
	in       *obs // "body", "query", "header"
	// perGrant: the document requires the parameter for these grants only
	// (val: the grant type).
	perGrant []obs
}

// endpoint is a place the document says token requests go.
type endpoint struct {
	method obs // val "" when only the path is given
	path   obs
	base   string // scheme and host as written, when a URL is given
	// grant: a request sample with grant_type is sent here.
	grant bool
}

// reqSample is a token request the document shows whole (curl, HTTP,
// HTTPie, Python requests, or a JSON body).
type reqSample struct {
	tool     string
	at       where
	method   string
	url      string
	path     string
	base     string
	ctype    string // declared Content-Type
	encoding string // what the body is: "form", "json" or ""
	basic    bool
	params   map[string]string
	order    []string
}

// jsonSample is a JSON value the document shows.
type jsonSample struct {
	at     where
	end    int
	value  any
	label  string
	status int // the HTTP status the sample is said to come with (0: unknown)
	// schema: the sample stands for an OpenAPI schema (its property names
	// as values); these are the members that schema requires.
	schema []string
	// fromSchema: the sample stands for an OpenAPI schema, required
	// members or not.
	fromSchema bool
}

// errCode is one documented error code, or a documented error status
// with its cause (code "").
type errCode struct {
	code string
	desc string
	at   where
	// status is the HTTP status the document gives with it, 0 for none.
	status int
}

// lifeRange is a lifetime the document gives as a range: min is the
// observation (its value the least, in seconds), max the greatest.
type lifeRange struct {
	min obs
	max string
}

// member is one success- or error-body member as a table describes it.
type member struct {
	name     string
	typ      *obs
	required *obs
	// conditional is a description that makes the member's presence
	// depend on something ("only applicable to certain grant types").
	conditional *obs
	// desc is the documented description (a table's or list's).
	desc string
	// nullable is where the document types the member as also null
	// ("string | null", OpenAPI nullable).
	nullable *obs
	// row is where a table or list names the member.
	row *obs
}

// facts is everything extracted from one document, before it is resolved
// into a spec.
type facts struct {
	format       string
	title        obs
	endpoints    []endpoint
	requests     []reqSample
	encodings    []obs // from tables and prose ("JSON", "urlencoded")
	ctypes       []obs // declared Content-Type outside samples
	auth         []obs // "basic" / "body"
	keySigned    []obs // statements that client assertions are signed with a certificate or private key
	noneRequired *obs  // "no member is marked required"
	// refreshNever are grants the document says issue no refresh token,
	// refreshOnly those it says alone issue them (val: the grant).
	refreshNever, refreshOnly []obs
	grants                    []obs
	params                    map[string]*param
	porder                    []string
	success                   []jsonSample
	errSample                 []jsonSample
	respTable                 map[string]*member
	rorder                    []string
	codes                     []errCode
	codesOpen                 *obs // a sentence saying there are further codes
	vocabEnum                 []obs
	lifetimes                 []obs // val: seconds
	ranges                    []lifeRange
	statusDescs               []errCode // documented error statuses with their causes
	tokenType                 []obs
	separator                 []obs
	jwtAlg                    *obs
	statuses                  []obs // error statuses the document lists (OpenAPI responses)
	questions                 []string
	errorMediaType            *obs
}

func newFacts(format string) *facts {
	return &facts{format: format, params: map[string]*param{}, respTable: map[string]*member{}}
}

func (f *facts) param(name string) *param {
	p := f.params[name]
	if p == nil {
		p = &param{name: name}
		f.params[name] = p
		f.porder = append(f.porder, name)
	}
	return p
}

func (f *facts) respMember(name string) *member {
	m := f.respTable[name]
	if m == nil {
		m = &member{name: name}
		f.respTable[name] = m
		f.rorder = append(f.rorder, name)
	}
	return m
}

func (f *facts) ask(format string, a ...any) {
	q := fmt.Sprintf(format, a...)
	for _, x := range f.questions {
		if x == q {
			return
		}
	}
	f.questions = append(f.questions, q)
}

// distinct returns the distinct values of observations, in first-seen order.
func distinct(os []obs) []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range os {
		if !seen[o.val] {
			seen[o.val] = true
			out = append(out, o.val)
		}
	}
	return out
}

// where lists the places of the observations with a given value.
func places(os []obs, val string) string {
	var out []string
	seen := map[string]bool{}
	for _, o := range os {
		if o.val == val && !seen[o.at.String()] {
			seen[o.at.String()] = true
			out = append(out, o.at.String())
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) < len(out[j]) })
	return strings.Join(out, ", ")
}

func firstOf(os []obs, val string) obs {
	for _, o := range os {
		if o.val == val {
			return o
		}
	}
	return obs{}
}

package derive

import (
	"regexp"
	"strconv"
	"strings"
)

// What a sentence states. derive takes a fact from a sentence only when
// the sentence asserts it: a negated sentence ("HTTP Basic is not
// listed"), a conditional one ("only if", "for the password grant only"),
// an example ("For example, a value of 3600 …") or one about another kind
// of token ("The code has a lifetime of 60 seconds") states no fact about
// the token endpoint's own request or access token.

var (
	// reNegated: the sentence denies or leaves open what it mentions.
	reNegated = regexp.MustCompile(`(?i)\b(not|no|never|cannot|can't|isn't|aren't|doesn't|don't|won't|without|neither|nor|whether|unsupported|deprecated)\b|n't\b`)
	// reConditional: the sentence holds only under a condition.
	reConditional = regexp.MustCompile(`(?i)\b(only if|if|unless|when|whenever|except|depending on|depends on|only (for|with|when|applicable)|for [a-z_ ]{1,40} only|in case|provided that|optional(ly)?)\b`)
	// reExample: the sentence gives an example, not the rule.
	reExample = regexp.MustCompile(`(?i)\b(for example|for instance|e\.g\.|such as|say,)`)
	// reOtherToken names a token or code other than the access token.
	reOtherToken = regexp.MustCompile(`(?i)\b(authorization code|auth code|the code|temporary code|verification code|refresh[ _-]?tokens?|device[ _-]?codes?|user[ _-]?codes?|id[ _-]?tokens?|session|client secret|secret|assertion|nonce|link|one-time|otp|api key|cookie|certificate|signing key|keys?)\b|\bcodes?\b`)
	// reMemberConditional: a member's description makes its presence
	// depend on something ("only applicable to certain grant types", "only
	// present if the OPENID scope is requested", "optional").
	reMemberConditional = regexp.MustCompile(`(?i)\bonly (present|returned|included|sent|applicable|issued|available|when|if|for)\b|\bif\b|\bunless\b|\boptional(ly)?\b|\bmay\b|\bdepending on\b|\bnot always\b|\bwhen (the |a |an )?[\w.]+ (is|are) (requested|present|included|set|enabled|true|false)\b`)
	// reAccessToken names the access token (or a token in general).
	reAccessToken = regexp.MustCompile(`(?i)\b(access[ _-]?tokens?|bearer tokens?|tokens?|expires_in|lifetime of (the|an?) token)\b`)
	// reAboutResponse: the sentence is about the Accept header or the
	// response, not the request body.
	reAboutResponse = regexp.MustCompile(`(?i)\baccept\b|\bresponse\b|\breturn(s|ed)?\b|\breply\b`)
)

// sentences splits a line into its sentences.
func sentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?' || s[i] == ';') && (i+1 == len(s) || s[i+1] == ' ') {
			// "e.g." and "i.e." do not end a sentence.
			if i >= 3 && (strings.EqualFold(s[i-3:i+1], "e.g.") || strings.EqualFold(s[i-3:i+1], "i.e.")) {
				continue
			}
			out = append(out, strings.TrimSpace(s[start:i+1]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

// reClauseBreak separates the clauses of a sentence: a denial in one
// ("for apps that don't have a browser") says nothing of another.
var reClauseBreak = regexp.MustCompile(`(?i),\s|;\s|\s(and|but|that|which|who|where|while)\s|\(|\)`)

// clauseAt is the clause of s that holds byte offset i.
func clauseAt(s string, i int) string {
	start, end := 0, len(s)
	for _, m := range reClauseBreak.FindAllStringIndex(s, -1) {
		if m[1] <= i {
			start = m[1]
		} else if m[0] > i {
			end = m[0]
			break
		}
	}
	return s[start:end]
}

// hedgedAt reports whether the clause of s around the match of re is
// hedged, and whether re matches at all.
func hedgedAt(s string, re *regexp.Regexp) (found, hedge bool) {
	loc := re.FindStringIndex(s)
	if loc == nil {
		return false, false
	}
	return true, hedged(clauseAt(s, loc[0])) || reExample.MatchString(s)
}

// hedged reports whether a sentence denies, conditions or only
// exemplifies what it says, and so states no fact.
func hedged(s string) bool {
	return reNegated.MatchString(s) || conditional(s) || reExample.MatchString(s)
}

// numberWords are the number words documents write lifetimes with.
var numberWords = map[string]int{"one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
	"nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "twenty-four": 24, "thirty": 30, "sixty": 60, "ninety": 90}

var reDuration = regexp.MustCompile(`(?i)\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty-four|twenty|thirty|sixty|ninety|an?)\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?)\b`)

var reLifeWords = regexp.MustCompile(`(?i)\b(valid|expir\w*|lifetime|lives?|life|ttl|time to live|every|equals)\b`)

// lifetimeSentence reads the access-token lifetime a sentence states: one
// duration (seconds), two or more (a range: the least and the greatest),
// or none. ok is false when the sentence states none: no lifetime words,
// an example, a denial, one duration under a condition, or a sentence
// about another kind of token ("The code has a lifetime of 60 seconds").
// Where the access token comes first and another kind later ("every 60
// minutes using the refresh token"), only the durations before the other
// kind count.
func lifetimeSentence(s string) (min, max int, ok bool) {
	if !reLifeWords.MatchString(s) || reExample.MatchString(s) || reNegated.MatchString(s) {
		return 0, 0, false
	}
	at := reAccessToken.FindStringIndex(s)
	if at == nil {
		return 0, 0, false
	}
	if other := reOtherToken.FindStringIndex(s); other != nil {
		if other[0] < at[0] {
			return 0, 0, false
		}
		s = s[:other[0]]
	}
	var secs []int
	for _, m := range reDuration.FindAllStringSubmatch(s, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = numberWords[strings.ToLower(m[1])]
		}
		if n <= 0 || n > 1e7 {
			continue
		}
		unit := strings.ToLower(m[2])
		switch {
		case strings.HasPrefix(unit, "min"):
			n *= 60
		case strings.HasPrefix(unit, "h"):
			n *= 3600
		case strings.HasPrefix(unit, "d"):
			n *= 86400
		}
		secs = append(secs, n)
	}
	if len(secs) == 0 {
		return 0, 0, false
	}
	min, max = secs[0], secs[0]
	for _, n := range secs[1:] {
		min, max = minInt(min, n), maxInt(max, n)
	}
	if min == max && conditional(s) {
		// One lifetime under a condition ("24 hours if short_lived"): it is
		// not the lifetime.
		return 0, 0, false
	}
	return min, max, true
}

// reIssueClause: "when the API first issues a token" says when, not under
// which condition.
var reIssueClause = regexp.MustCompile(`(?i)\bwhen\b[^,.]{0,40}\bissue[sd]?\b`)

// conditional reports whether a sentence holds only under a condition.
func conditional(s string) bool {
	return reConditional.MatchString(reIssueClause.ReplaceAllString(s, ""))
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// grantNames are the words documents name the grants with.
var grantNames = []struct {
	re    *regexp.Regexp
	grant string
}{
	{regexp.MustCompile(`(?i)\bauthori[sz]ation[ _]code\b`), "authorization_code"},
	{regexp.MustCompile(`(?i)\bclient[ _]credentials?\b`), "client_credentials"},
	{regexp.MustCompile(`(?i)\b(resource owner )?password( credentials)?\b`), "password"},
	{regexp.MustCompile(`(?i)\brefresh[ _]token\b`), "refresh_token"},
	{regexp.MustCompile(`(?i)\bdevice([ _]code| authori[sz]ation)?\b`), "urn:ietf:params:oauth:grant-type:device_code"},
	{regexp.MustCompile(`(?i)\btoken[ _]exchange\b`), "urn:ietf:params:oauth:grant-type:token-exchange"},
	{regexp.MustCompile(`(?i)\bjwt[ _-]bearer\b`), "urn:ietf:params:oauth:grant-type:jwt-bearer"},
}

// reGrantPhrase: "the authorization code grant", "Client Credentials flow".
var reGrantPhrase = regexp.MustCompile(`(?i)\b(authori[sz]ation[ _]code|client[ _]credentials?|(?:resource owner )?password(?: credentials)?|refresh[ _]token|device(?:[ _]code| authori[sz]ation)?|token[ _]exchange)\W{0,3}\s*(grant|flow)s?\b`)

// reGrantList: "Supports authorization_code, client_credentials and
// device_code grants."
var reGrantList = regexp.MustCompile(`(?i)\bsupports?\b(.{0,200}?)\bgrants?\b`)

// grantsNamed lists the grants a phrase names ("for the password grant
// only": password).
func grantsNamed(s string) []string {
	var out []string
	for _, g := range grantNames {
		if g.re.MatchString(s) && !containsStr(out, g.grant) {
			out = append(out, g.grant)
		}
	}
	return out
}

// grantsStated lists the grants a sentence says the endpoint serves: each
// named in a clause that is not hedged.
func grantsStated(s string) []string {
	if reExample.MatchString(s) {
		return nil
	}
	var out []string
	add := func(text string) {
		for _, g := range grantNames {
			if g.re.MatchString(text) && !containsStr(out, g.grant) {
				out = append(out, g.grant)
			}
		}
	}
	for _, m := range reGrantPhrase.FindAllStringSubmatchIndex(s, -1) {
		if !hedged(clauseAt(s, m[0])) {
			add(s[m[2]:m[3]])
		}
	}
	if m := reGrantList.FindStringSubmatchIndex(s); m != nil && !hedged(clauseAt(s, m[0])) {
		add(s[m[2]:m[3]])
	}
	return out
}

func containsStr(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

// reNoneRequired: "no member is marked required", "all fields are
// optional": the document says which success members are required (none).
var reNoneRequired = regexp.MustCompile(`(?i)\bno (members?|fields?|parameters?|properties|attributes?) (is|are) (marked )?(as )?(required|mandatory)|\ball (of the )?(members|fields|parameters|properties|attributes) are optional|\bnone of (the|these) (members|fields|parameters|properties|attributes) (is|are) (marked )?(required|mandatory)`)

// rePerGrant: a statement that holds for some grants only ("required for
// the password grant only", "only with authorization_code").
var rePerGrant = regexp.MustCompile(`(?i)\b(for|with|in) (the )?[\w:.-]+ (grant|flow)s?( type)?( only)?\b|\bonly (for|with) (the )?[\w:.-]+\b`)

// reKeySigned: client assertions are signed with a key of the client's
// own (private_key_jwt), not its secret.
var reKeySigned = regexp.MustCompile(`(?i)\bsign\w*\b.{0,40}\b(certificate|private key)\b|\bprivate_key_jwt\b`)

// reStatusLine: a documented error status with its cause: "- 400 Bad
// request. The request body is missing required parameters", "401
// Unauthorized: the client credentials are invalid".
var reStatusLine = regexp.MustCompile(`^\s*(?:[-*+]\s+)?\*{0,2}([45]\d\d)\*{0,2}\s*(?:[-–:]\s*)?(?:[A-Z][A-Za-z]*(?: [A-Z]?[a-z]+){0,3}[.:]?)?\s+(.{12,})$`)

// reResponseStart: an HTTP response's status line; the header lines after
// it are the response's, not a request's.
var reResponseStart = regexp.MustCompile(`^\s*HTTP(?:/\d(?:\.\d)?)?\s+[1-5]\d\d\b`)

// reHeaderLine is one "Name: value" header line.
var reHeaderLine = regexp.MustCompile(`^\s*[A-Za-z][A-Za-z0-9-]*:\s*\S`)

// reStackedType is a type written on a line of its own under a name, as
// API reference pages render parameter lists ("string", "enum<string>").
var reStackedType = regexp.MustCompile(`^(?i)(null\s*\|\s*)?(string|integer|int|long|number|boolean|object|array|enum<string>|enum<integer>|string\[\])(\s*\|\s*null)?$`)

// scanStacked reads parameter and member lists written one item to a few
// lines, as API reference pages render them (readme.io, Mintlify): a name
// alone on its line, its type on the next, "required" on the one after
// when it is, then a description. The section says whose they are.
func scanStacked(d *document, f *facts) {
	ls := d.lines
	for i := 0; i+1 < len(ls); i++ {
		name := strings.TrimSpace(ls[i].s)
		tline := strings.TrimSpace(ls[i+1].s)
		if !reStackedType.MatchString(tline) || !reName.MatchString(name) || len(name) > 64 || strings.ContainsAny(name, "[]") {
			continue
		}
		typ, nullable := nullableType(tline)
		if strings.HasPrefix(strings.ToLower(tline), "enum<") {
			typ = typeWord(strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(tline), "enum<"), ">"))
		}
		at := where{line: ls[i].n}
		quote := name + " " + tline
		j := i + 2
		required := false
		if j < len(ls) && strings.EqualFold(strings.TrimSpace(ls[j].s), "required") {
			required, quote = true, quote+" required"
			j++
		}
		var desc []string
		for ; j < len(ls) && strings.TrimSpace(ls[j].s) != "" && !(j+1 < len(ls) && reStackedType.MatchString(strings.TrimSpace(ls[j+1].s))); j++ {
			desc = append(desc, strings.TrimSpace(ls[j].s))
		}
		text := strings.Join(desc, " ")
		sect := d.section(ls[i].n)
		req := &obs{val: strconv.FormatBool(required), at: at, quote: quote, kind: "table"}
		var t *obs
		if typ != "" {
			t = &obs{val: typ, at: at, quote: quote, kind: "table"}
		}
		switch {
		case reHeaders.MatchString(sect):
		case reRespSect.MatchString(sect):
			m := f.respMember(name)
			if m.row == nil {
				m.row = &obs{val: name, at: at, quote: quote, kind: "table"}
			}
			if m.typ == nil {
				m.typ = t
			}
			if m.nullable == nil && nullable {
				m.nullable = &obs{val: "null", at: at, quote: quote, kind: "table"}
			}
			if m.required == nil && required {
				m.required = req
			}
			if m.desc == "" {
				m.desc = text
			}
			if name == "refresh_token" {
				f.readRefresh(text, true, at, "table")
			}
			if reMemberConditional.MatchString(text) && m.conditional == nil {
				m.conditional = &obs{val: "conditional", at: at, quote: quote + " " + text, kind: "table"}
			}
		case reReqSect.MatchString(sect):
			p := f.param(name)
			if p.required == nil {
				p.required = req
			}
			if p.typ == nil {
				p.typ = t
			}
		}
		i = j - 1
	}
}

// Which grants issue refresh tokens (grants[].refresh_token). Only a
// sentence of one of the shapes below says it; a condition anywhere in
// it ("unless offline_access is requested") makes it say nothing.
var (
	// gName is a grant named as a grant ("client credentials", "the
	// password grant"), not the refresh token itself.
	gName  = `(?:the\s+)?(?:authori[sz]ation[ _]code|client[ _]credentials?|(?:resource\s+owner\s+)?password(?:\s+credentials)?|device(?:[ _]code|\s+authori[sz]ation)?|token[ _]exchange|jwt[ _-]bearer)(?:\s+(?:grant|flow)s?(?:\s+types?)?)?`
	gNames = gName + `(?:\s*(?:,|and|or|,\s*and|,\s*or)\s*` + gName + `)*`
	rtWord = `refresh[ _-]?tokens?`
	rtVerb = `(?:issued|returned|included|provided|supported|available|sent|generated)`
	// reRefreshNever: "no refresh token is issued for the client
	// credentials grant", "refresh tokens are not returned for X", "the
	// client credentials grant does not return a refresh token", "X
	// returns no refresh token", "X ... without a refresh token".
	reRefreshNever = []*regexp.Regexp{
		regexp.MustCompile(`(?i)\bno\s+` + rtWord + `\s+(?:is|are|will\s+be)\s+` + rtVerb + `\s+(?:for|with|in|by|to)\s+(` + gNames + `)`),
		regexp.MustCompile(`(?i)\b` + rtWord + `\s+(?:is|are|will)\s+(?:not|never)\s+(?:be\s+)?` + rtVerb + `\s+(?:for|with|in|by|to)\s+(` + gNames + `)`),
		regexp.MustCompile(`(?i)\b(` + gNames + `)\s+(?:does|do|will|can)\s*(?:not|n't)\s+(?:issue|return|include|provide|support|produce|generate)\s+(?:a\s+|any\s+)?` + rtWord),
		regexp.MustCompile(`(?i)\b(` + gNames + `)\s+(?:never\s+)?(?:returns?|issues?|provides?|gives?|yields?)\s+no\s+` + rtWord),
	}
	// reRefreshOnly: "refresh tokens are only issued for the
	// authorization code grant", "a refresh token is issued only with X".
	reRefreshOnly = regexp.MustCompile(`(?i)\b` + rtWord + `\s+(?:is|are)\s+(?:only\s+` + rtVerb + `|` + rtVerb + `\s+only)\s+(?:for|with|in|by|to)\s+(` + gNames + `)`)
	// reMemberNever, reMemberOnly: the same said by a refresh_token
	// member's description ("Not returned for the client credentials
	// grant", "Only returned for the password grant", "password grant only").
	reMemberNever = regexp.MustCompile(`(?i)^\s*(?:not|never)\s+` + rtVerb + `\s+(?:for|with|in|by|to)\s+(` + gNames + `)\W*$`)
	reMemberOnly  = []*regexp.Regexp{
		regexp.MustCompile(`(?i)^\s*(?:only\s+` + rtVerb + `|` + rtVerb + `\s+only)\s+(?:for|with|in|by|to)\s+(` + gNames + `)\W*$`),
		regexp.MustCompile(`(?i)^\s*(?:` + rtVerb + `\s+)?(?:for|with|in)\s+(` + gNames + `)\s+only\W*$`),
	}
	// reRefreshCondition: a condition other than the grant.
	reRefreshCondition = regexp.MustCompile(`(?i)\b(if|unless|when|whenever|except|depending|depends|provided that|in case|may|might|can be|optional(ly)?|configur\w*|enabled?|requested)\b`)
)

// refreshStatement reads what a sentence says of the grants whose success
// responses carry a refresh token: never lists those it says issue none,
// only those it says alone issue them. member says the sentence is a
// refresh_token member's description, whose subject is the refresh token.
func refreshStatement(s string, member bool) (never, only []string) {
	if reExample.MatchString(s) {
		return nil, nil
	}
	// The words a condition is read from are those outside the grants.
	rest := regexp.MustCompile(`(?i)`+gNames).ReplaceAllString(s, "")
	if reRefreshCondition.MatchString(rest) {
		return nil, nil
	}
	named := func(m []string) []string { return grantsNamed(m[1]) }
	if member {
		if m := reMemberNever.FindStringSubmatch(s); m != nil {
			return named(m), nil
		}
		for _, re := range reMemberOnly {
			if m := re.FindStringSubmatch(s); m != nil {
				return nil, named(m)
			}
		}
		return nil, nil
	}
	for _, re := range reRefreshNever {
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			never = append(never, named(m)...)
		}
	}
	if m := reRefreshOnly.FindStringSubmatch(s); m != nil {
		only = named(m)
	}
	return never, only
}

// readRefresh records what text (prose, or a refresh_token member's
// description when member) says of the grants that issue refresh tokens.
func (f *facts) readRefresh(text string, member bool, at where, kind string) {
	for _, sen := range sentences(text) {
		q := strings.TrimSpace(sen)
		never, only := refreshStatement(sen, false)
		if member {
			n, o := refreshStatement(sen, true)
			never, only = append(never, n...), append(only, o...)
		}
		for _, g := range never {
			f.refreshNever = append(f.refreshNever, obs{val: g, at: at, quote: q, kind: kind})
		}
		for _, g := range only {
			f.refreshOnly = append(f.refreshOnly, obs{val: g, at: at, quote: q, kind: kind})
		}
	}
}

package suites

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites/wire"
)

func init() {
	register(&Kind{Name: "token-entropy", Plan: planTokenEntropy, Requirements: []string{"RFC6749-10.10-TOKEN-ENTROPY-128"},
		Fix: "Make tokens unguessable (RFC 6749 §10.10): at least 128 random bits from a cryptographic generator, no counters, timestamps or shared prefixes carrying the entropy.",
		Doc: "every access and refresh token of the run differs from every other, and the samples (the run's own tokens, topped up to a few of the primary grant) show no shared prefix, counter or timestamp that leaves under 128 bits to guess (JWTs: the `jti`, else the signature)"})
}

// entropySamples is how many tokens of one kind the pattern needs; the
// check asks for at most maxExtraSamples more to reach it.
const (
	entropySamples  = 5
	maxExtraSamples = 3
	entropyBits     = 128
	// shannonMargin (bits per character) is how far below the alphabet's
	// entropy the observed one must fall to count as non-uniform.
	shannonMargin = 0.5
)

// issuedToken is one token a success response carried, and who asked for
// it: the client, grant, resource owner and scope of its request.
type issuedToken struct {
	kind, value, label string
	asker              string
}

// issuedTokens lists the access and refresh tokens the run's successful
// token responses issued, in order. A refresh response that returns the
// refresh token it was sent issued none (RFC 6749 §6: no rotation).
func (e *Env) issuedTokens() []issuedToken {
	var out []issuedToken
	for _, s := range e.sent.list() {
		if s.req.Role != "token endpoint" || s.ex.Status() < 200 || s.ex.Status() > 299 {
			continue
		}
		m, err := s.ex.Object()
		if err != nil {
			continue
		}
		presented := ""
		for _, c := range e.requestCredentials(s.req) {
			if c.kind == "refresh token" {
				presented = c.value
			}
		}
		asker := e.asker(s.req)
		if at, ok := m[e.Spec.Member("access_token")].(string); ok && at != "" {
			out = append(out, issuedToken{"access token", at, s.ex.Label, asker})
		}
		if rt, ok := m[e.Spec.Member("refresh_token")].(string); ok && rt != "" && rt != presented {
			out = append(out, issuedToken{"refresh token", rt, s.ex.Label, asker})
		}
	}
	return out
}

func planTokenEntropy(e *Env, req specs.Requirement) []Check {
	return []Check{{Req: req, Concern: Security, Phase: PhaseFinal, Title: "issued tokens are unique and show no guessable pattern", Run: func(t *T) {
		count := func(kind string) int {
			n := 0
			for _, tok := range t.Env.issuedTokens() {
				if tok.kind == kind {
					n++
				}
			}
			return n
		}
		for i := 0; i < maxExtraSamples && count("access token") < entropySamples; i++ {
			f := t.Env.freshToken(t.Ctx, fmt.Sprintf("token sample %d (token entropy)", i+1), obtainOpts{})
			if f.ex == nil || f.ex.Status() != 200 {
				t.Evidence(f.prior...)
				t.Evidence(f.ex)
				break
			}
		}
		tokens := t.Env.issuedTokens()
		if len(tokens) == 0 {
			if _, u := t.Env.PrimaryGrant(); u != nil {
				t.Skip(u)
			}
			t.Unexercised("the run obtained no token to examine")
		}
		seen := map[string]issuedToken{}
		for _, tok := range tokens {
			first, dup := seen[tok.value]
			switch {
			case !dup:
				seen[tok.value] = tok
			case first.kind == tok.kind && tok.kind == "access token" && first.asker == tok.asker && tok.asker != "":
				// A server may hand the same client a still-valid token
				// again for the same grant and scope; that says nothing of
				// how guessable tokens are (RFC 6749 §10.10).
				t.Notef("the %s of %q is the one %q got: the same client, grant and scope were given the still-valid token again (counted once)", tok.kind, tok.label, first.label)
			default:
				t.Errorf("the same token was issued twice: the %s of %q is the %s of %q", tok.kind, tok.label, first.kind, first.label)
			}
		}
		judged := 0
		for _, kind := range []string{"access token", "refresh token"} {
			var values []string
			for _, tok := range tokens {
				if tok.kind == kind && !containsString(values, tok.value) {
					values = append(values, tok.value)
				}
			}
			if len(values) == 0 {
				continue
			}
			if len(values) < entropySamples-1 {
				t.Notef("only %s: too few to look for a pattern", describeCount(len(values), kind))
				continue
			}
			parts, what := randomParts(values)
			a := analyse(parts)
			judged++
			t.Notef("%s (%s): %s", describeCount(len(values), kind), what, a.describe())
			if a.judged < entropyBits {
				t.Errorf("%s: %s, so at most about %.0f bits are left to guess, below the %d bits RFC 6749 §10.10 (RFC 6819 §5.1.4.2.2) asks for", describeCount(len(values), kind), a.describe(), a.judged, entropyBits)
			}
		}
		if judged == 0 {
			t.Skipf("too few tokens of one kind (%d wanted) to look for a pattern; %d tokens were unique", entropySamples-1, len(seen))
		}
		t.Examined(len(tokens))
		t.Notef("what a handful of samples can show is a weakness (a duplicate, a shared prefix, a counter or timestamp, a small alphabet); a pass does not prove the tokens unpredictable: a predictable generator (a seeded PRNG, a hash of guessable inputs) yields samples that look random")
	}}}
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// randomParts returns the part of each token that must carry its
// randomness: for JWTs (every sample a JWS) the jti claim when every one
// has one, else the signature; otherwise the whole token.
func randomParts(values []string) ([]string, string) {
	var jtis, sigs []string
	for _, v := range values {
		parts := strings.Split(v, ".")
		if len(parts) != 3 {
			return values, "opaque"
		}
		var header, claims map[string]any
		h, err1 := base64.RawURLEncoding.DecodeString(parts[0])
		c, err2 := base64.RawURLEncoding.DecodeString(parts[1])
		if err1 != nil || err2 != nil || json.Unmarshal(h, &header) != nil || json.Unmarshal(c, &claims) != nil || header["alg"] == nil {
			return values, "opaque"
		}
		if jti, ok := claims["jti"].(string); ok && jti != "" {
			jtis = append(jtis, jti)
		}
		sigs = append(sigs, parts[2])
	}
	if len(jtis) == len(values) {
		return jtis, "JWTs: their jti claims"
	}
	return sigs, "JWTs without jti: their signatures"
}

// patternAnalysis is what a few samples say about a token generator.
type patternAnalysis struct {
	n              int
	prefix, suffix int // shared by every sample
	constant       int // further positions every sample shares (equal lengths)
	varying        int // positions that vary
	alphabet       int
	shannon        float64 // bits per varying character, from the samples
	bits           float64
	// chance is how many of the shared positions a few samples may share
	// by chance (one in a million runs has more); judged adds them back,
	// so that no random token is failed for a coincidence.
	chance  int
	judged  float64
	counter bool // the varying parts are increasing numbers
}

// analyse estimates the unpredictability of samples: the positions that
// vary (shared prefixes, suffixes and fixed positions removed) times the
// smaller of log2 of the alphabet they use and their Shannon entropy.
func analyse(samples []string) patternAnalysis {
	a := patternAnalysis{n: len(samples)}
	minLen := len(samples[0])
	for _, s := range samples {
		minLen = min(minLen, len(s))
	}
	for a.prefix < minLen && allAt(samples, func(s string) byte { return s[a.prefix] }) {
		a.prefix++
	}
	for a.suffix < minLen-a.prefix && allAt(samples, func(s string) byte { return s[len(s)-1-a.suffix] }) {
		a.suffix++
	}
	equal := true
	for _, s := range samples {
		equal = equal && len(s) == minLen
	}
	freq := map[byte]int{}
	total := 0
	var middles []string
	for _, s := range samples {
		middles = append(middles, s[a.prefix:len(s)-a.suffix])
	}
	for i := 0; i < minLen-a.prefix-a.suffix; i++ {
		if equal && allAt(middles, func(s string) byte { return s[i] }) {
			a.constant++
			continue
		}
		a.varying++
		for _, m := range middles {
			freq[m[i]]++
			total++
		}
	}
	a.alphabet = alphabetSize(freq)
	for _, n := range freq {
		p := float64(n) / float64(total)
		a.shannon -= p * math.Log2(p)
	}
	if total > 0 {
		// Miller-Madow: a few samples understate the entropy by about
		// (symbols seen - 1) / 2N nats.
		a.shannon += float64(len(freq)-1) / (2 * float64(total) * math.Ln2)
	}
	perChar := math.Log2(float64(max(a.alphabet, 1)))
	// The observed entropy counts only when it is clearly below the
	// alphabet's: a few samples of uniform characters scatter around it,
	// and that noise must not fail a 128-bit token.
	if a.shannon < perChar-shannonMargin {
		perChar = a.shannon
	}
	a.bits = float64(a.varying) * perChar
	shared := a.prefix + a.suffix + a.constant
	a.chance = min(shared, chanceShared(minLen, a.alphabet, len(samples)))
	a.judged = a.bits + float64(a.chance)*perChar
	a.counter = len(middles) > 1
	var last uint64
	for i, m := range middles {
		n, err := strconv.ParseUint(m, 10, 64)
		if err != nil || (i > 0 && n <= last) {
			a.counter = false
			break
		}
		last = n
	}
	return a
}

// chanceShared is how many of length positions n uniform samples over an
// alphabet of size k may all share by chance: the smallest c with
// P(more than c) < 1e-6, the count being Poisson with mean
// length * k^-(n-1).
func chanceShared(length, k, n int) int {
	if k < 2 || n < 2 {
		return length
	}
	mean := float64(length) * math.Pow(float64(k), -float64(n-1))
	for c := 0; c < length; c++ {
		// The tail beyond c, summed term by term (no cancellation).
		tail, term := 0.0, math.Exp(-mean)
		for j := 1; j <= c; j++ {
			term *= mean / float64(j)
		}
		for j := c + 1; j <= c+40; j++ {
			term *= mean / float64(j)
			tail += term
		}
		if tail < 1e-6 {
			return c
		}
	}
	return length
}

func allAt(samples []string, at func(string) byte) bool {
	for _, s := range samples[1:] {
		if at(s) != at(samples[0]) {
			return false
		}
	}
	return true
}

// alphabetSize estimates the alphabet the varying characters are drawn
// from: digits, hex, letters of each case, and any other symbol seen.
func alphabetSize(freq map[byte]int) int {
	var digit, lowHex, low, upHex, up bool
	other := 0
	for c := range freq {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f':
			lowHex = true
		case c >= 'g' && c <= 'z':
			low = true
		case c >= 'A' && c <= 'F':
			upHex = true
		case c >= 'G' && c <= 'Z':
			up = true
		default:
			other++
		}
	}
	size := 0
	switch {
	case !low && !up && !(lowHex && upHex):
		if digit {
			size = 10
		}
		if lowHex || upHex {
			size = 16
		}
	default:
		if digit {
			size += 10
		}
		if low || lowHex {
			size += 26
		}
		if up || upHex {
			size += 26
		}
	}
	return size + other
}

func (a patternAnalysis) describe() string {
	var b strings.Builder
	if a.prefix > 0 || a.suffix > 0 {
		fmt.Fprintf(&b, "every sample shares a %d-character prefix and a %d-character suffix; ", a.prefix, a.suffix)
	}
	if a.constant > 0 {
		fmt.Fprintf(&b, "%d more positions never change; ", a.constant)
	}
	fmt.Fprintf(&b, "%d positions vary, over about %d symbols (%.1f bits per character observed)", a.varying, a.alphabet, a.shannon)
	if a.counter {
		b.WriteString("; the varying part is an increasing number (a counter or a timestamp)")
	}
	fmt.Fprintf(&b, ": about %.0f bits", a.bits)
	if a.chance > 0 {
		fmt.Fprintf(&b, " (%d samples may share up to %d positions by chance; judged as about %.0f bits)", a.n, a.chance, a.judged)
	}
	return b.String()
}

// asker names who a token request asked for what: the client, the grant
// type, the resource owner and the scope, from the raw request ("" when
// it cannot be read).
func (e *Env) asker(r wire.Request) string {
	params := map[string]string{}
	if obj := decodeObject(string(r.Body)); obj != nil {
		for k, v := range obj {
			if s, ok := v.(string); ok {
				params[k] = s
			}
		}
	} else if q, err := url.ParseQuery(string(r.Body)); err == nil {
		for k := range q {
			params[k] = q.Get(k)
		}
	}
	if u, err := url.Parse(r.URL); err == nil {
		for k := range u.Query() {
			params[k] = u.Query().Get(k)
		}
	}
	client := params[e.Spec.Param("client_id")]
	if scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Basic") {
		if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred)); err == nil {
			id, _, _ := strings.Cut(string(raw), ":")
			client = id
		}
	}
	grant := params[e.Spec.Param("grant_type")]
	if client == "" || grant == "" || grant == "refresh_token" {
		return ""
	}
	return strings.Join([]string{client, grant, params[e.Spec.Param("username")], params[e.Spec.Param("scope")]}, "\x00")
}

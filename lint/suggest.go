package lint

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/tokencert/tokencert/suites"
)

// maxSuggestions bounds the check kinds suggested for a requirement.
const maxSuggestions = 3

// unchecked says what to do about a requirement no check implements: for
// a check kind that does not exist, the kinds whose names are closest; for
// none at all, the kinds whose descriptions share the most words with the
// requirement's text.
func unchecked(id, kind, text string) string {
	if kind != "" {
		base, _, _ := strings.Cut(kind, "/")
		msg := fmt.Sprintf("requirement %s: no check kind %q", id, base)
		if near := nearNames(base); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, " or ") + "?"
		}
		return msg + " (specs/README.md lists the kinds)"
	}
	msg := fmt.Sprintf("requirement %s names no check, and no kind checks it by default: give it a check", id)
	if fit := fitting(text); len(fit) > 0 {
		msg += "; kinds that may fit its text: " + strings.Join(fit, "; ")
	} else {
		msg += " (specs/README.md lists the kinds)"
	}
	return msg
}

// nearNames are the check kinds within a few edits of name, closest first.
func nearNames(name string) []string {
	type near struct {
		name string
		d    int
	}
	var out []near
	for _, k := range suites.Kinds() {
		if d := distance(name, k.Name); d <= max(2, len(name)/3) {
			out = append(out, near{k.Name, d})
		}
	}
	slices.SortStableFunc(out, func(a, b near) int { return a.d - b.d })
	var names []string
	for i, n := range out {
		if i == maxSuggestions {
			break
		}
		names = append(names, n.name)
	}
	return names
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// fitting are the check kinds whose name and description share the most
// telling words with text, each with its description's start. A word
// tells more the fewer kinds use it, and a long description matches more
// words by chance: the score weighs both.
func fitting(text string) []string {
	want := words(text)
	kinds := suites.Kinds()
	docs := make([]map[string]bool, len(kinds))
	used := map[string]int{}
	for i, k := range kinds {
		docs[i] = words(k.Name + " " + k.Doc)
		for w := range docs[i] {
			used[w]++
		}
	}
	type fit struct {
		kind  *suites.Kind
		score float64
	}
	var fits []fit
	for i, k := range kinds {
		score, matched := 0.0, 0
		for w := range want {
			if docs[i][w] {
				score += math.Log(float64(len(kinds)) / float64(used[w]))
				matched++
			}
		}
		if matched >= 2 {
			fits = append(fits, fit{k, score / math.Sqrt(float64(len(docs[i])))})
		}
	}
	slices.SortStableFunc(fits, func(a, b fit) int { return cmp.Compare(b.score, a.score) })
	var out []string
	for i, f := range fits {
		if i == maxSuggestions || f.score < minFit {
			break
		}
		doc := f.kind.Doc
		if len([]rune(doc)) > 80 {
			doc = string([]rune(doc)[:79]) + "…"
		}
		name := f.kind.Name
		if f.kind.Arg != "" {
			name += "/…"
		}
		out = append(out, fmt.Sprintf("%s (%s)", name, doc))
	}
	return out
}

// minFit is the least score (fitting) of a kind worth suggesting.
const minFit = 0.5

// stopWords carry no meaning for matching a requirement to a check kind.
var stopWords = map[string]bool{
	"the": true, "and": true, "for": true, "with": true, "that": true, "its": true, "are": true, "not": true, "any": true,
	"from": true, "this": true, "one": true, "has": true, "have": true, "when": true, "which": true, "each": true, "every": true,
	"token": true, "request": true, "response": true, "endpoint": true, "server": true, "client": true, "must": true, "should": true,
}

// words are the lower-case words of s of three letters or more, but for
// stop words.
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	}) {
		w = strings.TrimSuffix(w, "s")
		if len(w) >= 3 && !stopWords[w] {
			out[w] = true
		}
	}
	return out
}

package suites

import (
	"fmt"
	"strings"

	"github.com/tokencert/tokencert/specs"
)

func init() {
	register(&Kind{Name: "documented-request", Plan: planDocumentedRequest,
		Fix: "Accept a token request sent exactly as the API's document shows it (method, encoding, Content-Type, client authentication), and answer in the media type its `Accept` asks for, where the document offers several.",
		Doc: "a token request sent exactly as documented (method, encoding, declared Content-Type, client auth) yields a token; and with each `response.negotiation` entry's `Accept` (or none), a token in the entry's media type"})
}

// planDocumentedRequest checks that the endpoint answers a token request
// put on the wire exactly as the spec's document sends it (method, body
// encoding, declared Content-Type, client authentication), e.g. sandbox's
// GET with a url-encoded body labelled application/json. Its title spells
// out the request, so the report says what was sent.
func planDocumentedRequest(e *Env, req specs.Requirement) []Check {
	out := []Check{{Req: req, Concern: Transport, Title: "a token request sent as documented (" + e.documentedRequest() + ") yields a token", Run: func(t *T) {
		f := t.Env.anyToken(t.Ctx)
		ex := t.use(f)
		if !ex.OK() {
			t.Errorf("%s", ex.Summary())
			return
		}
		if ex.Status() < 200 || ex.Status() > 299 || ex.String(t.Env.Spec.Member("access_token")) == "" {
			t.Errorf("the %s grant request sent as documented yielded no token: %s", f.grant.Short(), ex.Summary())
		}
	}}}
	for _, n := range e.Spec.Response.Negotiation {
		accept := "Accept: " + n.Accept
		if n.Header() == "" {
			accept = "no Accept header"
		}
		out = append(out, Check{Req: req, Concern: Transport, Variant: "accept " + n.Accept, Title: "a token request with " + accept + " gets its token as " + n.MediaType, Run: func(t *T) {
			r := t.fresh("a token request with "+accept, nil, obtainOpts{})
			r.Accept = n.Accept
			ex := t.Env.send(t.Ctx, r)
			t.Evidence(ex)
			switch {
			case !ex.OK():
				t.Errorf("%s", ex.Summary())
			case ex.Status() < 200 || ex.Status() > 299:
				t.Errorf("no token: %s", ex.Summary())
			case ex.MediaType() != n.MediaType:
				t.Errorf("the success body is %q; spec %s documents %s for %s", ex.MediaType(), t.Env.Spec.Name, n.MediaType, accept)
			case ex.String(t.Env.Spec.Member("access_token")) == "":
				t.Errorf("the %s body carries no %s: %s", n.MediaType, t.Env.Spec.Member("access_token"), ex.Summary())
			}
		}})
	}
	return out
}

// documentedRequest describes how the spec puts a token request on the wire.
func (e *Env) documentedRequest() string {
	r := e.Spec.Request
	body := map[string]string{"form": "url-encoded", "json": "JSON"}[r.Encoding]
	if body == "" {
		body = r.Encoding
	}
	parts := []string{fmt.Sprintf("%s %s with a %s body", r.Method, r.Path, body)}
	if r.ContentType != "" {
		parts = append(parts, "Content-Type: "+r.ContentType)
	}
	parts = append(parts, map[string]string{"basic": "HTTP Basic", "body": "body"}[e.DefaultAuth()]+" client authentication")
	return strings.Join(parts, ", ")
}

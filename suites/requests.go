package suites

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tokencert/tokencert/probes"
	"github.com/tokencert/tokencert/suites/wire"
	"github.com/tokencert/tokencert/target"
)

// send puts a token request on the wire the way the spec says.
func (e *Env) send(ctx context.Context, r probes.Request) *wire.Exchange {
	return e.sendProof(ctx, r, nil)
}

// sendProof is send with a DPoP proof made as edit says (nil: a valid
// one), when the spec's tokens are DPoP tokens (suites/dpop.go).
func (e *Env) sendProof(ctx context.Context, r probes.Request, edit *dpopEdit) *wire.Exchange {
	spec := e.Spec
	params := slices.Clone(r.Params)
	id, secret := r.ClientID, r.Secret
	if id == "" && secret == "" {
		id, secret = e.Target.ClientID, e.Target.ClientSecret
	}
	h := http.Header{}
	if a := spec.AcceptHeader(); a != "" && r.Accept == "" {
		h.Set("Accept", a)
	} else if r.Accept != "" && r.Accept != "-" {
		h.Set("Accept", r.Accept)
	}
	switch r.Auth {
	case "basic":
		h.Set("Authorization", basicAuthorization(id, secret))
	case "body":
		params = append(params, probes.Param{Name: "client_id", Value: id}, probes.Param{Name: "client_secret", Value: secret})
	case probes.AuthBasicAndBody:
		h.Set("Authorization", basicAuthorization(id, secret))
		params = append(params, probes.Param{Name: "client_id", Value: id}, probes.Param{Name: "client_secret", Value: secret})
	case target.AuthPrivateKeyJWT, target.AuthClientSecretJWT:
		params = append(params, e.assertionParams(r.Auth, r.ClientID, r.Secret)...)
	case authPublic, target.AuthTLSClientAuth, target.AuthSelfSignedTLS:
		params = append(params, probes.Param{Name: "client_id", Value: id})
	}
	if r.Authorization != "" {
		h.Set("Authorization", r.Authorization)
	}
	method := spec.Request.Method
	if r.Method != "" {
		method = r.Method
	}
	endpoint := e.Target.Endpoint
	if r.URL != "" {
		endpoint = r.URL
	}
	body := r.RawBody
	if len(r.URIParams) > 0 {
		endpoint = addQuery(endpoint, e.formEncode(r.URIParams))
	}
	if r.Query || (spec.Request.Encoding == "query" && body == nil) {
		endpoint = addQuery(endpoint, e.formEncode(params))
	} else if body == nil {
		switch spec.Request.Encoding {
		case "json":
			obj := map[string]string{}
			for _, p := range params {
				obj[spec.Param(p.Name)] = p.Value
			}
			body, _ = json.Marshal(obj)
		default:
			body = []byte(e.formEncode(params))
		}
	}
	if len(body) > 0 {
		ct := spec.Request.ContentType
		if ct == "" {
			ct = map[string]string{"json": "application/json", "form": "application/x-www-form-urlencoded"}[spec.Request.Encoding]
		}
		h.Set("Content-Type", ct)
	}
	failedLogin := e.failedLogin(params)
	if failedLogin {
		if ex := e.takeFailedLogin(r.Label, endpoint); ex != nil {
			return ex
		}
	}
	ex := e.doDPoP(ctx, wire.Request{Label: r.Label, Method: method, URL: endpoint, Header: h, Body: body,
		Role: "token endpoint", NoRetry: failedLogin}, edit)
	if r.Grant != nil {
		e.grantOf.Store(ex, r.Grant.Name)
	}
	return ex
}

func (e *Env) formEncode(params []probes.Param) string {
	var b strings.Builder
	for i, p := range params {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(e.Spec.Param(p.Name)))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.Value))
	}
	return b.String()
}

func addQuery(endpoint, q string) string {
	if strings.Contains(endpoint, "?") {
		return endpoint + "&" + q
	}
	return endpoint + "?" + q
}

// memo holds the exchanges checks share.
type memo struct {
	mu sync.Mutex
	m  map[string]*memoEntry
}

type memoEntry struct {
	once sync.Once
	f    fetched
}

// shared returns the exchange stored under key, making it with fetch the
// first time.
func (e *Env) shared(key string, fetch func() *wire.Exchange) (*wire.Exchange, time.Time) {
	f := e.sharedFetch(key, func() fetched { return fetched{ex: fetch()} })
	return f.ex, f.at
}

// sharedFetch returns the token-source result stored under key, making it
// with fetch the first time.
func (e *Env) sharedFetch(key string, fetch func() fetched) fetched {
	e.memo.mu.Lock()
	ent, ok := e.memo.m[key]
	if !ok {
		ent = &memoEntry{}
		e.memo.m[key] = ent
	}
	e.memo.mu.Unlock()
	ent.once.Do(func() {
		at := time.Now()
		ent.f = fetch()
		if ent.f.at.IsZero() {
			ent.f.at = at
		}
	})
	return ent.f
}

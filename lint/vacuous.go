package lint

import (
	"fmt"
	"strings"

	"github.com/tokencert/tokencert/grants"
	"github.com/tokencert/tokencert/specs"
	"github.com/tokencert/tokencert/suites"
	"github.com/tokencert/tokencert/target"
)

// A requirement is vacuous when the spec's own data leaves its check
// nothing to judge: the check would pass, or skip, whatever the endpoint
// does. lint refuses such a requirement rather than let it read as checked.

// hasGrant reports whether the spec documents a grant.
func hasGrant(s *specs.Spec, g *grants.Grant) bool { return s.Grant(g.Name) != nil }

// conditionNeeds says why a condition's probe cannot be sent for a spec,
// or "".
func conditionNeeds(s *specs.Spec, cond string) string {
	need := func(ok bool, why string) string {
		if ok {
			return ""
		}
		return why
	}
	switch cond {
	case "bad_client_basic", "malformed_basic":
		return need(s.Supports("basic"), "the spec documents no HTTP Basic client authentication")
	case "bad_client_body":
		return need(s.Supports("body"), "the spec documents no body client authentication")
	case "multiple_client_auth":
		return need(s.Supports("basic") && s.Supports("body"), "the spec does not document both HTTP Basic and body client authentication")
	case "bad_password":
		return need(hasGrant(s, grants.Password), "the spec documents no password grant")
	case "bad_refresh_token", "other_client_refresh":
		return need(hasGrant(s, grants.RefreshToken), "the spec documents no refresh_token grant")
	case "bad_code", "redirect_mismatch":
		return need(hasGrant(s, grants.AuthorizationCode), "the spec documents no authorization_code grant")
	case "bad_device_code":
		return need(hasGrant(s, grants.DeviceCode), "the spec documents no device grant")
	case "repeated_parameter":
		return need(s.Request.Encoding != "json", "a JSON body cannot repeat a parameter")
	case "malformed_body":
		return need(s.Request.Encoding != "query", "the spec's requests have no body to malform")
	}
	return ""
}

// kindNeeds are, per check kind, what of the spec its checks judge: why a
// spec without it leaves them nothing, or "".
var kindNeeds = map[string]func(s *specs.Spec, arg string) string{
	"echo": func(s *specs.Spec, _ string) string {
		return when(len(s.Response.Echo) == 0, "the spec names no response.echo")
	},
	"dates": func(s *specs.Spec, _ string) string {
		return when(s.Response.Dates == nil, "the spec names no response.dates")
	},
	"jwt": func(s *specs.Spec, _ string) string {
		return when(s.Response.JWT == nil, "the spec names no response.jwt")
	},
	"at-jwt": func(s *specs.Spec, _ string) string {
		return when(s.Response.JWT == nil || s.Response.JWT.Profile != specs.ProfileRFC9068, "the spec's response.jwt has no profile rfc9068")
	},
	"discard-old": func(s *specs.Spec, _ string) string {
		return when(!s.Response.NewTokenDiscardsOld, "the spec does not say new tokens discard old ones (response.new_token_discards_old)")
	},
	"response-time": func(s *specs.Spec, _ string) string {
		return when(s.Request.ResponseWithin.Duration == 0, "the spec promises no response time (request.response_within)")
	},
	"max-length": func(s *specs.Spec, _ string) string {
		return when(len(s.Request.MaxLength) == 0, "the spec documents no maximum length (request.max_length)")
	},
	"error-vocab": func(s *specs.Spec, _ string) string {
		return when(len(s.Errors.Vocabulary) == 0, "the spec lists no error vocabulary (errors.vocabulary)")
	},
	"error-template": func(s *specs.Spec, arg string) string {
		return when(!strings.Contains(fmt.Sprint(s.Errors.Template), "$"+arg), "the error template has no $"+arg)
	},
	"password-grant": func(s *specs.Spec, _ string) string {
		return when(!hasGrant(s, grants.Password), "the spec documents no password grant")
	},
	"cc-no-refresh": func(s *specs.Spec, _ string) string {
		return when(!hasGrant(s, grants.ClientCredentials), "the spec documents no client_credentials grant")
	},
	"dpop": func(s *specs.Spec, _ string) string {
		return when(!strings.EqualFold(s.Response.TokenType, "DPoP"), "the spec's tokens are not DPoP tokens (response.token_type)")
	},
	"client-assertion": func(s *specs.Spec, _ string) string {
		return when(!s.Supports(target.AuthPrivateKeyJWT) && !s.Supports(target.AuthClientSecretJWT), "the spec documents no JWT client authentication")
	},
	"mtls": func(s *specs.Spec, _ string) string {
		return when(!s.Supports(target.AuthTLSClientAuth) && !s.Supports(target.AuthSelfSignedTLS), "the spec documents no mutual-TLS client authentication")
	},
}

func init() {
	for _, k := range []string{"refresh", "refresh-chain", "refresh-new-token", "refresh-other-client", "refresh-rotation", "refresh-scope"} {
		kindNeeds[k] = func(s *specs.Spec, _ string) string {
			return when(!hasGrant(s, grants.RefreshToken), "the spec documents no refresh_token grant")
		}
	}
	for _, k := range []string{"code-exchange", "code-state", "code-reuse", "code-other-client", "code-redirect-uri", "pkce-verifier", "pkce-downgrade"} {
		kindNeeds[k] = func(s *specs.Spec, _ string) string {
			return when(!hasGrant(s, grants.AuthorizationCode), "the spec documents no authorization_code grant")
		}
	}
	for _, k := range []string{"device-authorization", "device-pending", "device-approved", "device-denied", "device-expired"} {
		kindNeeds[k] = func(s *specs.Spec, _ string) string {
			return when(!hasGrant(s, grants.DeviceCode), "the spec documents no device grant")
		}
	}
}

func when(vacuous bool, why string) string {
	if vacuous {
		return why
	}
	return ""
}

// vacuous reports every requirement whose check the spec's own data makes
// vacuous: a check of data the spec does not have, a condition whose
// probe the spec cannot send, and a requirement below the MUST level
// checked with a condition the spec does not declare (where the spec
// documents its errors): any refusal then passes it, so the code or status
// it names is never judged.
func (l *linter) vacuous(s *specs.Spec) {
	for _, r := range s.Requirements {
		check := r.Check
		if check == "" {
			check = suites.DefaultCheck(r.ID)
		}
		kind, arg, _ := strings.Cut(check, "/")
		line := l.requirementLine(r.ID)
		if f := kindNeeds[kind]; f != nil {
			if why := f(s, arg); why != "" {
				l.add(Error, line, "requirement %s is vacuous: its check %s judges what %s, so it can never fail", r.ID, check, strings.TrimPrefix(why, "the "))
			}
		}
		if kind != "error" && kind != "error-body" {
			continue
		}
		if why := conditionNeeds(s, arg); why != "" {
			l.add(Error, line, "requirement %s is vacuous: its check %s sends a probe the spec cannot have sent (%s), so it can never fail", r.ID, check, why)
			continue
		}
		if _, declared := s.Condition(arg); !declared && !s.Errors.Undocumented && !r.Level.Mandatory() {
			l.add(Error, line, "requirement %s (%s) is vacuous: spec %s documents its errors but not errors.conditions.%s, so its check %s passes any refusal and never judges the error %s names; declare the condition with the error the document (or RFC 6749) gives, or drop the requirement", r.ID, r.Level, s.Name, arg, check, r.ID)
		}
	}
}

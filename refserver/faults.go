package refserver

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tokencert/tokencert/specs"
)

// Fault is a deliberate deviation the reference server can be told to make.
// Each fault breaks one requirement (Breaks, a catalogue ID) and, where the
// suite allows it, nothing else, so that running the suite against a faulty
// server shows the suite catches that one violation. A fault with no Breaks
// breaks what the requirements that name it (specs.Requirement.Faults) say:
// it serves requirements specs declare themselves.
type Fault struct {
	Name, Breaks, Doc string
	// Stalls: the fault leaves token requests unanswered until the client
	// gives up; tests run it with a short --request-timeout.
	Stalls bool
	// Lifetime, when set, is the shortest access-token lifetime that lets
	// its check see the fault on a busy machine (a probe timed within the
	// token's life); tests run it with no shorter one.
	Lifetime time.Duration
}

// The faults. Handlers test for them with Server.has; each is listed once in
// the faults table below.
var (
	// Success responses (RFC 6749 §5.1).
	FaultStatus201 = Fault{Name: "status-201", Breaks: "RFC6749-5.1-STATUS-200",
		Doc: "token responses are sent with status 201 Created instead of 200"}
	FaultTextPlain = Fault{Name: "text-plain", Breaks: "RFC6749-5.1-JSON-MEDIA-TYPE",
		Doc: "token responses are labelled Content-Type: text/plain (the body is still JSON)"}
	FaultAccessTokenNonASCII = Fault{Name: "access-token-non-ascii", Breaks: "RFC6749-5.1-ACCESS-TOKEN",
		Doc: "access tokens contain non-ASCII characters, outside VSCHAR (they still work at the resource)"}
	FaultNoTokenType = Fault{Name: "no-token-type", Breaks: "RFC6749-5.1-TOKEN-TYPE",
		Doc: "token responses have no token_type member"}
	FaultExpiresInString = Fault{Name: "expires-in-string", Breaks: "RFC6749-5.1-JSON-TYPES",
		Doc: "expires_in is sent as a JSON string (as a number where the spec expects a string)"}
	FaultRefreshTokenNumber = Fault{Name: "refresh-token-number", Breaks: "RFC6749-5.1-REFRESH-TOKEN-SYNTAX",
		Doc: "refresh tokens are all digits and sent as a JSON number"}
	FaultScopeArray = Fault{Name: "scope-array", Breaks: "RFC6749-3.3-SCOPE-SYNTAX",
		Doc: "the scope member is a JSON array of scope tokens instead of one space-separated string"}
	FaultDuplicateMember = Fault{Name: "duplicate-member", Breaks: "RFC6749-3.2-NO-DUP-RESPONSE-PARAM",
		Doc: "token responses carry the token_type member twice"}
	FaultNoStoreMissing = Fault{Name: "no-store-missing", Breaks: "RFC6749-5.1-CACHE-CONTROL-NO-STORE",
		Doc: "token responses carry Cache-Control: no-cache instead of no-store"}
	FaultPragmaMissing = Fault{Name: "pragma-missing", Breaks: "RFC6749-5.1-PRAGMA-NO-CACHE",
		Doc: "token responses carry no Pragma: no-cache"}

	// Client authentication (RFC 6749 §2.3.1, §3.2.1).
	FaultBasicUnsupported = Fault{Name: "basic-unsupported", Breaks: "RFC6749-2.3.1-BASIC-SUPPORT",
		Doc: "correct HTTP Basic client credentials are refused (401 invalid_client) on requests for the primary grant (the first the spec lists of client_credentials, password, authorization_code and the device grant)"}
	FaultBodyUnsupported = Fault{Name: "body-unsupported", Breaks: "RFC6749-2.3.1-BODY-CREDENTIALS",
		Doc: "client_id and client_secret body parameters are ignored, so body-authenticated requests have no client authentication"}
	FaultNoAuthAccepted = Fault{Name: "no-auth-accepted", Breaks: "RFC6749-3.2.1-AUTH-REQUIRED",
		Doc: "a token request without client authentication is served as if the main client had authenticated"}
	FaultBasic401NoChallenge = Fault{Name: "basic-401-no-challenge", Breaks: "RFC6749-5.2-INVALID-CLIENT-401-CHALLENGE",
		Doc: "failed HTTP Basic client authentication is answered 401 without a WWW-Authenticate challenge"}
	FaultCredentialsInURIAccepted = Fault{Name: "credentials-in-uri-accepted", Breaks: "RFC6749-2.3.1-NO-CREDS-IN-URI",
		Doc: "client_id and client_secret in the request URI's query authenticate the client when the request carries no other client authentication"}
	FaultBodyAuthInvalidRequest = Fault{Name: "body-auth-invalid-request", Breaks: "RFC6749-5.2-INVALID-CLIENT-BODY",
		Doc: "a wrong client_secret in the body is answered invalid_request instead of invalid_client"}
	FaultMultipleAuthAccepted = Fault{Name: "multiple-auth-accepted", Breaks: "RFC6749-2.3-SINGLE-AUTH-METHOD",
		Doc: "a request that authenticates the client by HTTP Basic and by client_id and client_secret in the body at once is served (the Basic credentials win)"}
	FaultMalformedBasic500 = Fault{Name: "malformed-basic-500", Breaks: "RFC6749-2.3.1-BASIC-MALFORMED",
		Doc: "an Authorization: Basic header that does not decode is answered with status 500"}

	// Grants (RFC 6749 §4.3, §4.4).
	FaultPasswordBroken = Fault{Name: "password-broken", Breaks: "RFC6749-4.3-PASSWORD-SUCCESS",
		Doc: "the password grant refuses correct resource-owner credentials with invalid_grant"}
	FaultCCRefreshToken = Fault{Name: "cc-refresh-token", Breaks: "RFC6749-4.4.3-CC-NO-REFRESH",
		Doc: "client_credentials responses include a refresh token"}

	// Token-endpoint errors (RFC 6749 §5.2).
	FaultPasswordInvalidClient = Fault{Name: "password-invalid-client", Breaks: "RFC6749-5.2-INVALID-GRANT-PASSWORD",
		Doc: "a wrong resource-owner password is answered 401 invalid_client instead of 400 invalid_grant"}
	FaultUnsupportedGrantInvalidRequest = Fault{Name: "unsupported-grant-invalid-request", Breaks: "RFC6749-5.2-UNSUPPORTED-GRANT",
		Doc: "an unknown grant_type is answered invalid_request instead of unsupported_grant_type"}
	FaultMissingGrantTypeUnsupported = Fault{Name: "missing-grant-type-unsupported", Breaks: "RFC6749-5.2-MISSING-GRANT-TYPE",
		Doc: "a request without grant_type is answered unsupported_grant_type instead of invalid_request"}
	FaultMissingParamInvalidGrant = Fault{Name: "missing-param-invalid-grant", Breaks: "RFC6749-5.2-MISSING-REQUIRED-PARAM",
		Doc: "a missing password or refresh_token parameter is answered invalid_grant instead of invalid_request"}
	FaultRepeatedParamAccepted = Fault{Name: "repeated-param-accepted", Breaks: "RFC6749-3.2-NO-REPEATED-PARAMS",
		Doc: "a repeated request parameter is accepted; the last value wins"}
	FaultUnknownScopeGranted = Fault{Name: "unknown-scope-granted", Breaks: "RFC6749-5.2-INVALID-SCOPE",
		Doc: "unknown scope values are granted and echoed in scope instead of refused with invalid_scope"}
	FaultScopeNarrowedSilently = Fault{Name: "scope-narrowed-silently", Breaks: "RFC6749-3.3-SCOPE-IF-CHANGED",
		Doc: "unknown scope values are dropped and the token issued with no scope member saying so"}
	FaultMalformedBody500 = Fault{Name: "malformed-body-500", Breaks: "RFC6749-5.2-STATUS-400",
		Doc: "a malformed request body is answered with status 500"}
	FaultErrorTextPlain = Fault{Name: "error-text-plain", Breaks: "RFC6749-5.2-ERROR-MEMBER",
		Doc: "token-endpoint errors are labelled Content-Type: text/plain (the body is still the JSON error)"}
	// Named by the specs whose error checks it breaks (rfc6749): under a
	// spec that documents its errors below MUST, every error check would
	// fail with it, not one requirement.
	FaultErrorBodyEmpty = Fault{Name: "error-body-empty",
		Doc: "token-endpoint errors have an empty body (status and headers as before): no error code can be read, so the error-code vocabulary check is not exercised rather than passed"}
	FaultErrorCodeInvented = Fault{Name: "error-code-invented", Breaks: "RFC6749-5.2-ERROR-CODE-VOCAB",
		Doc: "an unknown grant_type is answered with the invented code grant_not_supported"}
	FaultErrorDescriptionUnicode = Fault{Name: "error-description-unicode", Breaks: "RFC6749-5.2-ERROR-CHARSET",
		Doc: "error descriptions contain non-ASCII characters and a double quote"}
	FaultGetAccepted = Fault{Name: "get-accepted", Breaks: "RFC6749-3.2-POST-ONLY",
		Doc: "a token request with another HTTP method (parameters in the query) is served like a valid one"}

	// Refresh (RFC 6749 §6, §10.4; RFC 9700 §4.14.2).
	FaultRefreshBroken = Fault{Name: "refresh-broken", Breaks: "RFC6749-6-REFRESH-SUCCESS",
		Doc: "every refresh is refused with invalid_grant"}
	FaultRotationOldValid = Fault{Name: "rotation-old-valid", Breaks: "RFC9700-4.14.2-OLD-RT-REJECTED",
		Doc: "a refresh issues a new refresh token but the old one keeps working"}
	FaultRefreshScopeEscalation = Fault{Name: "refresh-scope-escalation", Breaks: "RFC6749-6-NO-SCOPE-ESCALATION",
		Doc: "a refresh grants any scope the client may have, beyond the original grant"}
	FaultRefreshScopeEscalationSilent = Fault{Name: "refresh-scope-escalation-silent", Breaks: "RFC6749-6-NO-SCOPE-ESCALATION",
		Doc: "a refresh grants any scope the client may have, beyond the original grant, and its response states no scope (only introspection tells)"}
	FaultRefreshAnyClient = Fault{Name: "refresh-any-client", Breaks: "RFC6749-10.4-RT-BOUND-TO-CLIENT",
		Doc: "any authenticated client can redeem any refresh token"}
	FaultPublicRTNotRotated = Fault{Name: "public-rt-not-rotated", Breaks: "RFC9700-2.2.2-PUBLIC-CLIENT-RT-PROTECTION",
		Doc: "a public client's refresh returns the presented refresh token again, which keeps working (neither rotated nor sender-constrained)"}
	FaultRefreshUnknownInvalidRequest = Fault{Name: "refresh-unknown-invalid-request", Breaks: "RFC6749-5.2-INVALID-GRANT-REFRESH",
		Doc: "an unknown refresh token is answered invalid_request instead of invalid_grant"}

	// Authorization code grant (RFC 6749 §4.1; RFC 7636 §4.6).
	FaultCodeExchangeBroken = Fault{Name: "code-exchange-broken", Breaks: "RFC6749-4.1.3-CODE-EXCHANGE",
		Doc: "every authorization code is refused at the token endpoint with invalid_grant"}
	FaultCodeReuseAccepted = Fault{Name: "code-reuse-accepted", Breaks: "RFC6749-4.1.2-CODE-SINGLE-USE",
		Doc: "an authorization code can be redeemed again and again"}
	FaultCodeReuseTokensKept = Fault{Name: "code-reuse-tokens-kept", Breaks: "RFC6749-4.1.2-CODE-REUSE-REVOKES",
		Doc: "a code redeemed twice is refused, but the tokens issued from it keep working"}
	FaultCodeAnyClient = Fault{Name: "code-any-client", Breaks: "RFC6749-4.1.3-CODE-BOUND-TO-CLIENT",
		Doc: "any authenticated client can redeem any authorization code"}
	FaultCodeUnknownInvalidRequest = Fault{Name: "code-unknown-invalid-request", Breaks: "RFC6749-5.2-INVALID-GRANT-CODE",
		Doc: "an authorization code the server never issued is answered invalid_request instead of invalid_grant"}
	FaultCodeRedirectUnchecked = Fault{Name: "code-redirect-uri-unchecked", Breaks: "RFC6749-4.1.3-REDIRECT-URI-MATCH",
		Doc: "the redirect_uri of a code redemption is not compared with the authorization request's"}
	FaultCodeRedirectOptional = Fault{Name: "code-redirect-uri-optional", Breaks: "RFC6749-4.1.3-REDIRECT-URI-REQUIRED",
		Doc: "a code whose authorization request carried a redirect_uri is redeemed without one (a different one is still refused), as OAuth 2.1 allows and RFC 6749 does not"}
	FaultPKCEVerifierOptional = Fault{Name: "pkce-verifier-optional", Breaks: "RFC7636-4.6-VERIFIER-REQUIRED",
		Doc: "a code requested with a code_challenge is redeemed without any code_verifier"}
	FaultPKCEVerifierUnchecked = Fault{Name: "pkce-verifier-unchecked", Breaks: "RFC7636-4.6-VERIFIER-CHECKED",
		Doc: "any code_verifier is accepted, whatever the code_challenge was"}
	FaultStateNotEchoed = Fault{Name: "state-not-echoed", Breaks: "RFC6749-4.1.2-STATE-ECHOED",
		Doc: "the authorization endpoint's redirect carries no state parameter"}

	// Device authorization grant (RFC 8628).
	FaultDeviceResponseIncomplete = Fault{Name: "device-response-incomplete", Breaks: "RFC8628-3.2-DEVICE-RESPONSE",
		Doc: "the device authorization response has no verification_uri"}
	FaultDeviceTokenEarly = Fault{Name: "device-token-early", Breaks: "RFC8628-3.5-PENDING",
		Doc: "the token endpoint issues a token for a device code the user has not approved"}
	FaultDeviceApprovalIgnored = Fault{Name: "device-approval-ignored", Breaks: "RFC8628-3.5-SUCCESS",
		Doc: "the user's approval is not recorded: polling answers authorization_pending until the device code expires"}
	FaultDeviceDenialIgnored = Fault{Name: "device-denial-ignored", Breaks: "RFC8628-3.5-ACCESS-DENIED",
		Doc: "a device the user denied at the verification page is approved: polling yields a token instead of access_denied"}
	FaultDeviceCodeUnknownPending = Fault{Name: "device-code-unknown-pending", Breaks: "RFC8628-3.5-UNKNOWN-DEVICE-CODE",
		Doc: "a device code the server never issued is answered authorization_pending, as if a user could still approve it"}
	FaultDeviceExpiredPending = Fault{Name: "device-expired-pending", Breaks: "RFC8628-3.5-EXPIRED-TOKEN",
		Doc: "an expired device code is answered authorization_pending instead of expired_token"}

	// Revocation (RFC 7009).
	FaultRevokeRefreshIgnored = Fault{Name: "revoke-refresh-ignored", Breaks: "RFC7009-2-RT-REVOCATION",
		Doc: "the revocation endpoint answers 200 for a refresh token but leaves it working"}
	FaultRevokeNoCascade = Fault{Name: "revoke-no-cascade", Breaks: "RFC7009-2.1-RT-REVOCATION-CASCADE",
		Doc: "revoking a refresh token leaves the access tokens issued with it working"}
	FaultRevokeAccessIgnored = Fault{Name: "revoke-access-ignored", Breaks: "RFC7009-2-AT-REVOCATION",
		Doc: "the revocation endpoint answers 200 for an access token but leaves it working"}
	FaultRevokeUnknown400 = Fault{Name: "revoke-unknown-400", Breaks: "RFC7009-2.2-UNKNOWN-TOKEN-200",
		Doc: "revoking a token the server does not know is answered 400 invalid_request instead of 200"}

	// The callers of revocation and introspection (RFC 7009 §2.1, RFC 7662
	// §2.1).
	FaultRevokeNoClientAuth = Fault{Name: "revoke-no-client-auth", Breaks: "RFC7009-2.1-REVOCATION-CLIENT-CHECKS",
		Doc: "the revocation endpoint serves a request without client authentication, or with a wrong client secret, as the main client's (and revokes its token)"}
	FaultRevokeAnyClient = Fault{Name: "revoke-any-client", Breaks: "RFC7009-2.1-REVOCATION-CLIENT-CHECKS",
		Doc: "the revocation endpoint revokes a token whichever authenticated client asks"}
	FaultIntrospectNoClientAuth = Fault{Name: "introspect-no-client-auth", Breaks: "RFC7662-2.1-CALLER-AUTH",
		Doc: "the introspection endpoint describes tokens to a caller without client authentication, or with a wrong client secret"}

	// Expiry (RFC 6749 §7, RFC 6750 §3.1, RFC 7662 §2.2).
	FaultExpiredAcceptedAtResource = Fault{Name: "expired-accepted-at-resource", Breaks: "RFC6749-7-EXPIRED-REJECTED-AT-RS",
		Doc: "the protected resource accepts expired access tokens"}
	FaultRevokeOnRefreshNeverExpire = Fault{Name: "revoke-on-refresh-never-expire", Breaks: "RFC6749-7-EXPIRED-REJECTED-AT-RS",
		Doc: "access tokens never expire, but a refresh revokes the access token issued with the presented refresh token (as Django OAuth Toolkit revokes the one it replaces): expiry checks that watch a token whose refresh token another check redeems would pass"}
	FaultExpiredActiveIntrospection = Fault{Name: "expired-active-introspection", Breaks: "RFC7662-2.2-EXPIRED-INACTIVE",
		Doc: "introspection reports expired access tokens as active"}

	// Documented dialects: sandbox (data: request.method, response.echo,
	// response.dates, response.new_token_discards_old, refserver.extra).
	FaultDocumentedMethodRefused = Fault{Name: "get-refused", Breaks: "SANDBOX-GET-FORM-BODY",
		Doc: "the token endpoint refuses the spec's method (sandbox: GET) with 405 and serves POST instead, as RFC 6749 §3.2 would have it"}
	FaultExtraMissing = Fault{Name: "extra-members-missing", Breaks: "SANDBOX-RESPONSE-MEMBERS",
		Doc: "the members refserver.extra adds to success bodies (sandbox: userId, role) are left out"}
	FaultExtraUUIDBraced = Fault{Name: "userid-not-uuid", Breaks: "SANDBOX-USERID-UUID",
		Doc: "refserver.extra values that are UUIDs (sandbox: userId) are sent in braces, {…}, the .NET \"B\" format"}
	FaultEchoMismatch = Fault{Name: "echo-mismatch", Breaks: "SANDBOX-USERNAME-ECHO",
		Doc: "members echoed from the request (response.echo; sandbox: userName) carry the value upper-cased"}
	FaultDatesNotRFC1123 = Fault{Name: "dates-not-rfc1123", Breaks: "SANDBOX-DATES-RFC1123",
		Doc: "the response.dates members are written with a numeric zone (\"Sun, 13 Sep 2020 09:35:33 +0000\") instead of GMT"}
	FaultDatesMismatch = Fault{Name: "dates-mismatch", Breaks: "SANDBOX-DATES-MATCH-EXPIRES-IN",
		Doc: "the expires date (response.dates) is one day later than expires_in says (the 15-day note against the 14-day expires_in)"}
	FaultOldTokensKept = Fault{Name: "old-tokens-kept", Breaks: "SANDBOX-NEW-TOKEN-DISCARDS-OLD",
		Doc: "a new access token does not discard the earlier ones, though response.new_token_discards_old says it does"}

	// Documented dialects: dot (data: request.encoding, response.expires_in,
	// errors.conditions titles, refresh rotation).
	FaultFormBodyRefused = Fault{Name: "form-body-refused", Breaks: "DOT-FORM-BODY",
		Doc: "the token endpoint decodes bodies in the other encoding (dot: JSON, as the table's Content Type says), so requests as documented are malformed"}
	FaultExpiresInNotNumeric = Fault{Name: "expires-in-not-numeric", Breaks: "DOT-EXPIRES-IN-NUMERIC",
		Doc: "expires_in is sent as a duration string such as \"1h0m0s\", neither a number nor digits"}
	FaultScopeCommaJoined = Fault{Name: "scope-comma-joined", Breaks: "DOT-SCOPE-SPACE-SEPARATED",
		Doc: "the scope member joins the granted scope tokens with commas (\"read,write\")"}
	FaultScopeOmitted = Fault{Name: "scope-omitted", Breaks: "DOT-RESPONSE-MEMBERS",
		Doc: "the scope member is left out of success responses (RFC 6749 §5.1 would allow it when the scope is as requested)"}
	FaultNoRefreshOnPassword = Fault{Name: "no-refresh-token-on-password", Breaks: "DOT-REFRESH-TOKEN-ISSUED",
		Doc: "password-grant responses carry no refresh token, though the spec serves the refresh_token grant"}
	FaultRefreshNotRotated = Fault{Name: "refresh-not-rotated", Breaks: "DOT-REFRESH-ROTATES",
		Doc: "a refresh returns the presented refresh token again, which keeps working, instead of rotating it"}
	// For requirements specs declare themselves (no Breaks of its own).
	FaultErrorMembersDropped = Fault{Name: "error-members-dropped",
		Doc: "error bodies keep only the members of the spec's error template that carry $code or $description: the members a vendor's format adds (diagnostics, identifiers) are left out"}
	// Statements of the spec format (response.negotiation, dates layout
	// unix, an expiry range), for the requirements that name them.
	FaultAcceptIgnored = Fault{Name: "accept-ignored",
		Doc: "the Accept header is ignored: every success body is sent in response.media_type, whatever response.negotiation says the Accept asks for"}
	FaultDatesMilliseconds = Fault{Name: "dates-milliseconds",
		Doc: "response.dates of layout unix are written in epoch milliseconds instead of seconds (other layouts are not changed)"}
	FaultLifetimeOutOfRange = Fault{Name: "lifetime-out-of-range",
		Doc: "expires_in states ten times the token's real lifetime, beyond an expiry range (expiry.min, expiry.max) the spec documents"}
	FaultErrorTitleUndocumented = Fault{Name: "invalid-credentials-body-undocumented", Breaks: "DOT-INVALID-CREDENTIALS-BODY",
		Doc: "error bodies carry the HTTP status text where the spec documents a condition's title (dot: \"Bad Request\" instead of \"Invalid credentials given.\")"}
)

// faults is the table of every fault.
var faults = []Fault{
	FaultStatus201, FaultTextPlain, FaultAccessTokenNonASCII, FaultNoTokenType, FaultExpiresInString,
	FaultRefreshTokenNumber, FaultScopeArray, FaultDuplicateMember, FaultNoStoreMissing, FaultPragmaMissing,
	FaultBasicUnsupported, FaultBodyUnsupported, FaultNoAuthAccepted, FaultCredentialsInURIAccepted, FaultBasic401NoChallenge, FaultBodyAuthInvalidRequest,
	FaultMultipleAuthAccepted, FaultMalformedBasic500,
	FaultPasswordBroken, FaultCCRefreshToken,
	FaultPasswordInvalidClient, FaultUnsupportedGrantInvalidRequest, FaultMissingGrantTypeUnsupported,
	FaultMissingParamInvalidGrant, FaultRepeatedParamAccepted, FaultUnknownScopeGranted, FaultScopeNarrowedSilently,
	FaultMalformedBody500, FaultErrorTextPlain, FaultErrorBodyEmpty, FaultErrorCodeInvented, FaultErrorDescriptionUnicode, FaultGetAccepted,
	FaultRefreshBroken, FaultRotationOldValid, FaultRefreshScopeEscalation, FaultRefreshScopeEscalationSilent, FaultRefreshAnyClient, FaultRefreshUnknownInvalidRequest, FaultPublicRTNotRotated,
	FaultCodeExchangeBroken, FaultCodeReuseAccepted, FaultCodeReuseTokensKept, FaultCodeAnyClient, FaultCodeRedirectUnchecked, FaultCodeRedirectOptional, FaultCodeUnknownInvalidRequest,
	FaultPKCEVerifierOptional, FaultPKCEVerifierUnchecked, FaultStateNotEchoed,
	FaultDeviceResponseIncomplete, FaultDeviceTokenEarly, FaultDeviceApprovalIgnored, FaultDeviceDenialIgnored, FaultDeviceExpiredPending, FaultDeviceCodeUnknownPending,
	FaultRevokeRefreshIgnored, FaultRevokeNoCascade, FaultRevokeAccessIgnored, FaultRevokeUnknown400, FaultRevokeNoClientAuth, FaultRevokeAnyClient, FaultIntrospectNoClientAuth,
	FaultExpiredAcceptedAtResource, FaultRevokeOnRefreshNeverExpire, FaultExpiredActiveIntrospection,
	FaultAudienceIgnored, FaultAudienceNotChecked, FaultClientSecretNotChecked, FaultLengthUnchecked, FaultSlowToken,
	FaultExpiresInAbsent, FaultAccessTokenOpaque, FaultJWTAlgNone, FaultJWTExpMismatch, FaultJWTClaimsMismatch,
	FaultErrorObjectNotArray, FaultErrorInstanceWrong, FaultErrorStatusMismatch,
	FaultDocumentedMethodRefused, FaultExtraMissing, FaultExtraUUIDBraced, FaultEchoMismatch, FaultDatesNotRFC1123,
	FaultDatesMismatch, FaultOldTokensKept,
	FaultFormBodyRefused, FaultExpiresInNotNumeric, FaultScopeCommaJoined, FaultScopeOmitted, FaultNoRefreshOnPassword,
	FaultRefreshNotRotated, FaultErrorTitleUndocumented, FaultErrorMembersDropped, FaultAcceptIgnored, FaultDatesMilliseconds, FaultLifetimeOutOfRange,
	FaultHang, FaultSlow, FaultReset, FaultRedirect, FaultHugeBody, FaultGarbageJSON, FaultHTMLError, FaultPlainHTTP,
	FaultSecretEchoed, FaultTokenCounter, FaultTokenDiesEarly, FaultIntrospectUnknownActive, FaultBearerNoError,
	FaultRefreshTokenNarrowed, FaultRotatedRefreshDead, FaultWrongMethodBodyAccepted, FaultScopePartlyNarrowedSilently,
}

// Faults returns every fault, sorted by name.
func Faults() []Fault {
	out := slices.Clone(faults)
	slices.SortFunc(out, func(a, b Fault) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// FaultByName returns the fault of that name.
func FaultByName(name string) (Fault, error) {
	for _, f := range faults {
		if f.Name == name {
			return f, nil
		}
	}
	names := make([]string, 0, len(faults))
	for _, f := range Faults() {
		names = append(names, f.Name)
	}
	return Fault{}, fmt.Errorf("unknown fault %q (faults: %s)", name, strings.Join(names, ", "))
}

// FaultsFor returns the faults that break a requirement of spec, sorted by
// name: those whose Breaks is one of its requirements, and those a
// requirement names (Requirement.Faults), as breaking that requirement.
func FaultsFor(spec *specs.Spec) []Fault {
	var out []Fault
	for _, f := range Faults() {
		if spec.Requirement(f.Breaks) != nil {
			out = append(out, f)
		}
		for _, r := range spec.Requirements {
			if slices.Contains(r.Faults, f.Name) && r.ID != f.Breaks {
				declared := f
				declared.Breaks = r.ID
				out = append(out, declared)
			}
		}
	}
	return out
}

// has reports whether the server was told to make fault f.
func (s *Server) has(f Fault) bool { return s.faults[f.Name] }

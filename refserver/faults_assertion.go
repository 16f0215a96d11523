package refserver

// Faults of JWT client authentication (RFC 7523 §3; spec
// request.client_auth private_key_jwt, client_secret_jwt). Each bends one
// of the checks refserver/assertion.go makes of a client assertion.
var (
	FaultAssertionRefused = Fault{Name: "assertion-refused", Breaks: "RFC7523-2.2-ASSERTION-ACCEPTED",
		Doc: "every client assertion is refused with invalid_client, valid ones too"}
	FaultAssertionAudUnchecked = Fault{Name: "assertion-aud-unchecked", Breaks: "RFC7523-3-AUD",
		Doc: "a client assertion's aud is not compared with the server's token endpoint URL or issuer"}
	FaultAssertionExpUnchecked = Fault{Name: "assertion-exp-unchecked", Breaks: "RFC7523-3-EXP",
		Doc: "a client assertion whose exp has passed is accepted"}
	FaultAssertionIssSubUnchecked = Fault{Name: "assertion-iss-sub-unchecked", Breaks: "RFC7523-3-ISS-SUB",
		Doc: "a client assertion authenticates the first registered client its client_id, iss or sub names; iss and sub need not both be there, nor be the client"}
	FaultAssertionAlgNoneAccepted = Fault{Name: "assertion-alg-none-accepted", Breaks: "RFC7523-3-SIGNATURE",
		Doc: "an unsigned client assertion (alg none, empty signature) is accepted"}
	FaultAssertionSignatureUnchecked = Fault{Name: "assertion-signature-unchecked", Breaks: "RFC7523-3-SIGNATURE",
		Doc: "a signed client assertion is accepted whatever key signed it (alg none is still refused)"}
	FaultAssertionReplayAccepted = Fault{Name: "assertion-replay-accepted", Breaks: "RFC7523-3-JTI-REPLAY",
		Doc: "a client assertion is accepted again with a jti already used"}
)

func init() {
	faults = append(faults, FaultAssertionRefused, FaultAssertionAudUnchecked, FaultAssertionExpUnchecked,
		FaultAssertionIssSubUnchecked, FaultAssertionAlgNoneAccepted, FaultAssertionSignatureUnchecked, FaultAssertionReplayAccepted)
}

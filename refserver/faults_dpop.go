package refserver

// Faults of DPoP (RFC 9449; spec response.token_type DPoP). Each bends one
// of the checks refserver/dpop.go makes.
var (
	FaultDPoPBearerIssued = Fault{Name: "dpop-bearer-issued", Breaks: "RFC9449-5-DPOP-BOUND",
		Doc: "a token request with a valid DPoP proof gets an unbound token of type Bearer"}
	FaultDPoPHtmUnchecked = Fault{Name: "dpop-htm-unchecked", Breaks: "RFC9449-4.3-HTM",
		Doc: "a DPoP proof's htm is not compared with the request method"}
	FaultDPoPHtuUnchecked = Fault{Name: "dpop-htu-unchecked", Breaks: "RFC9449-4.3-HTU",
		Doc: "a DPoP proof's htu is not compared with the request URI"}
	FaultDPoPSignatureUnchecked = Fault{Name: "dpop-signature-unchecked", Breaks: "RFC9449-4.3-SIGNATURE",
		Doc: "a DPoP proof is accepted whatever key signed it"}
	FaultDPoPPrivateKeyAccepted = Fault{Name: "dpop-private-key-accepted", Breaks: "RFC9449-4.3-PUBLIC-JWK",
		Doc: "a DPoP proof whose jwk carries the private key is accepted"}
	FaultDPoPTypUnchecked = Fault{Name: "dpop-typ-unchecked", Breaks: "RFC9449-4.3-TYP",
		Doc: "a DPoP proof of any typ is accepted"}
	FaultDPoPIatUnchecked = Fault{Name: "dpop-iat-unchecked", Breaks: "RFC9449-4.3-IAT-WINDOW",
		Doc: "the token endpoint demands no DPoP nonce and accepts a proof whatever its iat"}
	FaultDPoPReplayAccepted = Fault{Name: "dpop-replay-accepted", Breaks: "RFC9449-11.1-JTI-REPLAY",
		Doc: "a DPoP proof is accepted again with a jti already used"}
	FaultDPoPNonceNoHeader = Fault{Name: "dpop-nonce-no-header", Breaks: "RFC9449-8-NONCE",
		Doc: "the token endpoint demands a DPoP nonce (use_dpop_nonce) without a DPoP-Nonce header"}
	FaultDPoPNonceLoop = Fault{Name: "dpop-nonce-loop", Breaks: "RFC9449-8-NONCE",
		Doc: "the token endpoint demands a new DPoP nonce on every request and accepts none"}
	FaultDPoPNonceUnchecked = Fault{Name: "dpop-nonce-unchecked", Breaks: "RFC9449-4.3-NONCE-MATCH",
		Doc: "a DPoP proof with any nonce is accepted once the token endpoint has provided one"}
	FaultDPoPNonceDowngrade = Fault{Name: "dpop-nonce-downgrade", Breaks: "RFC9449-11.3-NONCE-DOWNGRADE",
		Doc: "once the token endpoint has provided a DPoP nonce, a proof without any nonce is accepted (a wrong nonce is still refused)"}
	FaultDPoPRTUnbound = Fault{Name: "dpop-rt-unbound", Breaks: "RFC9449-5-RT-KEY-BOUND",
		Doc: "a public client's refresh token is redeemed with a proof by any key"}
	FaultDPoPBearerAccepted = Fault{Name: "dpop-bearer-accepted", Breaks: "RFC9449-7.2-NO-BEARER-DOWNGRADE",
		Doc: "the protected resource accepts a DPoP-bound access token presented as a Bearer token"}
)

func init() {
	faults = append(faults, FaultDPoPBearerIssued, FaultDPoPHtmUnchecked, FaultDPoPHtuUnchecked, FaultDPoPSignatureUnchecked,
		FaultDPoPPrivateKeyAccepted, FaultDPoPTypUnchecked, FaultDPoPIatUnchecked, FaultDPoPReplayAccepted,
		FaultDPoPNonceNoHeader, FaultDPoPNonceLoop, FaultDPoPNonceUnchecked, FaultDPoPNonceDowngrade, FaultDPoPRTUnbound, FaultDPoPBearerAccepted)
}

package refserver

// Hostile faults: the token endpoint hangs, trickles, resets, redirects or
// answers with an HTML page, cut-off JSON or a 50 MiB body (hostile.go), and
// plain HTTP where TLS was asked for (Options.TLS). They show that a run
// against a broken endpoint ends in bounded time with a clear verdict. The
// faults table in faults.go lists them.
var (
	FaultHang = Fault{Name: "hang", Breaks: "RFC6749-5.1-STATUS-200", Stalls: true,
		Doc: "the token endpoint reads each request and never answers (until the client hangs up)"}
	FaultSlow = Fault{Name: "slow", Breaks: "RFC6749-5.1-STATUS-200", Stalls: true,
		Doc: "token responses send their status and first bytes, then one more byte every 500 ms, never finishing"}
	FaultReset = Fault{Name: "reset", Breaks: "RFC6749-5.1-STATUS-200",
		Doc: "the token endpoint reads each request, then resets the connection (TCP RST) without answering"}
	FaultRedirect = Fault{Name: "redirect", Breaks: "RFC6749-5.1-STATUS-200",
		Doc: "token requests are answered 307 Temporary Redirect to /moved/<token path>, which a client following it would send its credentials to"}
	FaultHugeBody = Fault{Name: "huge-body", Breaks: "RFC6749-5.1-JSON-MEDIA-TYPE",
		Doc: "successful token responses are padded to 50 MiB (a valid JSON object, streamed)"}
	FaultGarbageJSON = Fault{Name: "garbage-json", Breaks: "RFC6749-5.1-JSON-MEDIA-TYPE",
		Doc: "successful token responses are cut off a few bytes after the access token: application/json that never closes"}
	FaultHTMLError = Fault{Name: "html-error", Breaks: "RFC6749-5.2-ERROR-MEMBER",
		Doc: "token-endpoint errors are an HTML error page (text/html) with the right status instead of a JSON error"}
	FaultPlainHTTP = Fault{Name: "plain-http", Breaks: "RFC6749-3.2-TLS-REQUIRED",
		Doc: "the server listens on cleartext HTTP even when it has a TLS certificate (the embedded server uses TLS otherwise)"}
)

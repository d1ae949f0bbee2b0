// Digest authentication: SIPp's [authentication] keyword and <verifyauth> action. Pure: no I/O.
//
// How the engine uses it (each step as SIPp 3.6.1 does it, checked against /usr/bin/sipp):
//
// Scenario load
//   parseAuthenticationKeyword(keywordText) for each [authentication ...]: an AuthError is a
//   load error. Its username/password are template text: render them per call like any send
//   template (they may hold \xHH escapes); undefined means resolveCredentials() defaults
//   (-au, else -s service; -ap, else "password").
//
// <recv response="401|407" auth="true">
//   Keep, per call: the status code, the challenge text
//   selectChallengeHeader(name => first value of that header in the response), and an answer
//   count reset to 0. SIPp parses the challenge only when answering: parseChallenge() may be
//   called here or at the send, but its AuthError is to be reported at the send (SIPp stops
//   there with that message).
//
// Rendering a <send> holding [authentication]
//   Render everything else first (the body is needed), then replace the keyword with
//   buildAuthorization({
//     challenge,                             // parseChallenge(kept challenge text)
//     proxy: status !== 401,                 // authorizationHeaderName(status)
//     method,                                // request line of the message being rendered
//     uri: sippDigestUri(remoteIp, remotePort, authUri),  // NOT the Request-URI
//     body,                                  // rendered bytes after the first CR LF CR LF
//     username, password,                    // rendered keyword values or defaults
//     nc: ++answerCount,                     // 1 for the first answer to this challenge
//     cnonce,                                // omit: random; sippCnonces() replays SIPp's
//   })
//   which is the whole header line without CR LF. The body does not contain the header, so
//   [len] and auth-int agree.
//
// <verifyauth assign_to username password> on a received request
//   verifyAuthorization({ authorizationHeaderValue: value of its Authorization header ('' when
//   absent; Proxy-Authorization is not read), method: its method, username, password (rendered
//   attributes), body: its body }).
export * from './errors.js';
export * from './digest.js';
export * from './keyword.js';

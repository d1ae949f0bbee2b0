/**
 * Why a challenge cannot be answered or an `[authentication ...]` keyword cannot be used.
 *
 * - `not-digest`: the challenge does not say `Digest` (SIPp: "createAuthHeader: authentication
 *   must be digest").
 * - `no-realm`, `no-nonce`: the challenge lacks the parameter (SIPp: "couldn't parse realm in
 *   '...'", "couldn't parse nonce").
 * - `unsupported-algorithm`: an algorithm that is none of MD5, MD5-sess, SHA-256, SHA-256-sess,
 *   SHA-512-256, SHA-512-256-sess.
 * - `aka-not-supported`: AKAv1-MD5 challenges and the `aka_K`, `aka_OP`, `aka_AMF` keyword
 *   parameters: SIPp has them, Gossipper does not support them yet.
 * - `sess-needs-qop`: a `-sess` algorithm without qop: without qop there is no cnonce to put in
 *   HA1 (RFC 7616 3.4.2).
 * - `keyword-syntax`: an `[authentication ...]` keyword SIPp would not render as meant.
 */
export type AuthErrorCode =
  | 'not-digest'
  | 'no-realm'
  | 'no-nonce'
  | 'unsupported-algorithm'
  | 'aka-not-supported'
  | 'sess-needs-qop'
  | 'keyword-syntax';

/** A typed, SIPp-worded error of the digest-authentication module. Returned, never thrown, by
 * the parsing functions; thrown only by buildAuthorization when handed an impossible challenge
 * object (one parseChallenge would not have produced). */
export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

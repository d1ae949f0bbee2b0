// Digest authentication as SIPp 3.6.1 does it (src/auth.cpp createAuthHeader, verifyAuthHeader;
// src/call.cpp for what it hands them), checked byte for byte against /usr/bin/sipp.
//
// What SIPp writes for `[authentication]` (one header line, no CR LF):
//
//   Authorization: Digest username="joe",realm="sipp.example",cnonce="6b8b4567",nc=00000001,
//   qop=auth,uri="sip:127.0.0.1:13001",nonce="abc",response="<hex>",algorithm=MD5,opaque="xyz"
//
// (on one line) with these rules:
// - The header name is `Authorization` after a 401 challenge, `Proxy-Authorization` otherwise
//   (407). One space after the colon, then `Digest `, then the parameters separated by a bare
//   comma, no spaces, always in the order username, realm, [cnonce, nc, qop,] uri, nonce,
//   response, algorithm, [opaque].
// - username, realm, cnonce, uri, nonce, response and opaque are quoted, nc, qop and algorithm
//   are not. Nothing is escaped: values are copied as they are.
// - cnonce, nc and qop are there only when the challenge has a non-empty qop. SIPp's cnonce is
//   `%x` of libc rand() (lower-case hex, not padded, e.g. `6b8b4567`); nc is `%08x` of the count
//   of answers to this challenge (00000001 for the first).
// - qop: SIPp takes the challenge's qop value (the quoted text, at most 15 characters) and
//   answers `auth-int` when it contains `auth-int` (any case), else `auth` when it contains
//   `auth`, else the value itself. So `qop="auth,auth-int"` is answered with auth-int.
// - algorithm= is always written: the challenge's algorithm text as the server wrote it (case
//   kept), `MD5` when the challenge has none.
// - opaque is written when the challenge has a non-empty one, cut to 63 characters (SIPp's
//   buffer); realm and nonce are cut to 2048.
// - uri is NOT the Request-URI: SIPp writes `sip:` + the remote address `ip:port` it sends to
//   (or `sip:` + the -auth_uri value); see sippDigestUri(). The response is computed over that
//   uri, the method of the request line of the message being sent, and, for auth-int, the body
//   of that message (the bytes after its first CR LF CR LF, up to a NUL byte if any).
//
// - nc counts the answers to the last challenge received: a new challenge starts it again at
//   00000001. SIPp never seeds rand(), so its cnonces are glibc's rand() sequence (6b8b4567,
//   327b23c6, ...): sippCnonces() replays it.
// - The challenge answered is the first Proxy-Authenticate of the response, else its first
//   WWW-Authenticate (selectChallengeHeader); the header name follows the status code only.
// - <verifyauth> reads only the Authorization header (after a 407 SIPp's verifyauth is false).
//
// Where Gossipper differs from SIPp 3.6.1 (on purpose, and only there):
// - SIPp 3.6.1 knows only MD5 and AKAv1-MD5. It treats any algorithm starting with `MD5` as
//   plain MD5 (so it answers an MD5-sess challenge with a plain MD5 response it labels
//   MD5-sess) and refuses SHA-256. Gossipper computes MD5-sess, SHA-256, SHA-256-sess,
//   SHA-512-256 and SHA-512-256-sess as RFC 7616 says, in the same header layout, which is the
//   layout of later SIPp versions that added them.
// - AKAv1-MD5 is refused with an `aka-not-supported` AuthError.
// - Parameters are found as later SIPp does: outside quoted strings, only as whole names (so
//   `nonce` is never read from `cnonce`), with spaces allowed around `=`.
import { createHash } from 'node:crypto';
import { AuthError } from './errors.js';

/** Node's crypto name of the hash of a digest algorithm. */
export type DigestHash = 'md5' | 'sha256' | 'sha512-256';

/** A `WWW-Authenticate` / `Proxy-Authenticate` Digest challenge, as SIPp reads it. */
export interface DigestChallenge {
  /** Quotes removed, at most 2048 characters (SIPp's buffer). */
  readonly realm: string;
  /** Quotes removed, at most 2048 characters. */
  readonly nonce: string;
  /** Quotes removed, at most 63 characters (SIPp's buffer); undefined when absent or empty. */
  readonly opaque: string | undefined;
  /** The algorithm as the challenge writes it (case kept), `MD5` when it has none. It is echoed
   * as is in `algorithm=`. */
  readonly algorithm: string;
  readonly hash: DigestHash;
  /** A `-sess` algorithm: HA1 covers the nonce and cnonce too. */
  readonly sess: boolean;
  /** The qop options the challenge offers, split on commas, trimmed, lower-cased; [] if none. */
  readonly qopOptions: readonly string[];
  /** The qop SIPp answers with (see the top of this file), undefined when the challenge has no
   * qop: then the answer has no cnonce, nc nor qop (RFC 2069 style). */
  readonly qop: string | undefined;
  /** `stale=true` (any case). */
  readonly stale: boolean;
  /** The domain parameter, quotes removed, when present. */
  readonly domain: string | undefined;
}

const ALGORITHMS: ReadonlyArray<{ name: string; hash: DigestHash; sess: boolean }> = [
  { name: 'MD5', hash: 'md5', sess: false },
  { name: 'MD5-sess', hash: 'md5', sess: true },
  { name: 'SHA-256', hash: 'sha256', sess: false },
  { name: 'SHA-256-sess', hash: 'sha256', sess: true },
  { name: 'SHA-512-256', hash: 'sha512-256', sess: false },
  { name: 'SHA-512-256-sess', hash: 'sha512-256', sess: true },
];

function algorithmOf(name: string): { hash: DigestHash; sess: boolean } | undefined {
  const lower = name.toLowerCase();
  return ALGORITHMS.find((a) => a.name.toLowerCase() === lower);
}

// ---- parameter lookup ------------------------------------------------------------------------

const SPACE = /[ \t\r\n]/;

/**
 * The value of auth-param `name` in `header` (a challenge or credentials), or undefined: the
 * name (any case) must start the text or follow a comma or white space, outside a quoted
 * string, and be followed by `=` (white space allowed around it). A quoted value runs to the
 * next `"`; a bare one to the next space, comma, quote, CR or LF. As SIPp's getAuthParameter.
 */
export function authParameter(name: string, header: string): string | undefined {
  const n = name.length;
  const lowerName = name.toLowerCase();
  let quoted = false;
  for (let p = 0; p < header.length; p++) {
    const c = header[p]!;
    if (quoted && c === '\\' && p + 1 < header.length) {
      p++; // an escaped character
      continue;
    }
    if (c === '"') {
      quoted = !quoted;
      continue;
    }
    if (quoted) continue;
    const before = p === 0 ? '' : header[p - 1]!;
    if (p !== 0 && before !== ',' && !SPACE.test(before)) continue;
    if (header.slice(p, p + n).toLowerCase() !== lowerName) continue;
    let eq = p + n;
    while (eq < header.length && SPACE.test(header[eq]!)) eq++;
    if (header[eq] !== '=') continue;
    let start = eq + 1;
    while (start < header.length && SPACE.test(header[start]!)) start++;
    if (header[start] === '"') {
      const end = header.indexOf('"', start + 1);
      return header.slice(start + 1, end < 0 ? header.length : end);
    }
    let end = start;
    while (end < header.length && !' ,"\r\n'.includes(header[end]!)) end++;
    return header.slice(start, end);
  }
  return undefined;
}

/** SIPp copies a parameter into a fixed buffer of `size` bytes: at most size - 1 characters. */
function cut(value: string, size: number): string {
  return value.length >= size ? value.slice(0, size - 1) : value;
}

/** SIPp's MAX_HEADER_LEN: the buffer of realm, nonce and uri. */
const MAX_HEADER_LEN = 2049;

/** Does the text say Digest somewhere (any case)? SIPp checks no more than that. */
function saysDigest(text: string): boolean {
  return text.toLowerCase().includes('digest');
}

/** The qop SIPp answers a challenge's qop value with (see the top of this file). */
function chooseQop(raw: string): string | undefined {
  const value = cut(raw, 16);
  if (value === '') return undefined;
  const lower = value.toLowerCase();
  if (lower.includes('auth-int')) return 'auth-int';
  if (lower.includes('auth')) return 'auth';
  return value;
}

// ---- challenge -------------------------------------------------------------------------------

/**
 * The challenge SIPp 3.6.1 answers in a 401/407 received with `auth="true"`: the value of the
 * first `Proxy-Authenticate` header when the response has one, else of the first
 * `WWW-Authenticate`, whatever the status code (a 401 carrying both is answered from its
 * Proxy-Authenticate, in an `Authorization` header: the header name follows the status code,
 * see authorizationHeaderName()). Seen with SIPp 3.6.1. `header` looks a header up by name
 * (case-insensitive, compact forms are not needed: these headers have none) and returns the
 * value of its first occurrence.
 */
export function selectChallengeHeader(
  header: (name: 'Proxy-Authenticate' | 'WWW-Authenticate') => string | undefined,
): string | undefined {
  return header('Proxy-Authenticate') ?? header('WWW-Authenticate');
}

/**
 * Reads the value of a `WWW-Authenticate` or `Proxy-Authenticate` header (the text after the
 * colon; a whole `Name: value` line works too). Tolerant of the spacing, parameter order, case
 * of names and quoting real servers use. Returns an AuthError, with SIPp's wording, when SIPp
 * could not answer the challenge, or when it needs what Gossipper does not support (AKA).
 */
export function parseChallenge(headerValue: string): DigestChallenge | AuthError {
  if (!saysDigest(headerValue)) {
    return new AuthError('not-digest', 'createAuthHeader: authentication must be digest');
  }
  const algorithm = authParameter('algorithm', headerValue) || 'MD5';
  if (algorithm.toLowerCase() === 'akav1-md5') {
    return new AuthError(
      'aka-not-supported',
      'createAuthHeader: AKAv1-MD5 authentication is not supported yet by Gossipper',
    );
  }
  const algo = algorithmOf(algorithm);
  if (!algo) {
    return new AuthError(
      'unsupported-algorithm',
      `createAuthHeader: authentication must use MD5, MD5-sess, SHA-256, SHA-256-sess, SHA-512-256, SHA-512-256-sess or AKAv1-MD5, not '${algorithm}'`,
    );
  }
  const qopRaw = authParameter('qop', headerValue) ?? '';
  const qop = chooseQop(qopRaw);
  if (algo.sess && qop === undefined) {
    return new AuthError(
      'sess-needs-qop',
      `createAuthHeader: ${algorithm} needs a qop in the challenge, for a cnonce`,
    );
  }
  const realm = authParameter('realm', headerValue);
  if (!realm) {
    return new AuthError('no-realm', `createAuthHeader: couldn't parse realm in '${headerValue}'`);
  }
  const nonce = authParameter('nonce', headerValue);
  if (!nonce) return new AuthError('no-nonce', "createAuthHeader: couldn't parse nonce");
  const opaque = authParameter('opaque', headerValue);
  return {
    realm: cut(realm, MAX_HEADER_LEN),
    nonce: cut(nonce, MAX_HEADER_LEN),
    opaque: opaque ? cut(opaque, 64) : undefined,
    algorithm,
    hash: algo.hash,
    sess: algo.sess,
    qopOptions: qopRaw
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter((q) => q !== ''),
    qop,
    stale: (authParameter('stale', headerValue) ?? '').toLowerCase() === 'true',
    domain: authParameter('domain', headerValue),
  };
}

// ---- hashing ---------------------------------------------------------------------------------

/** Strings here are byte strings (one character per byte, latin1), as in the rest of core. */
function bytes(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
}

/** SIPp hands the body to strlen(): it ends at the first NUL byte. */
function bodyBytes(body: string | Buffer): Buffer {
  const b = bytes(body);
  const nul = b.indexOf(0);
  return nul < 0 ? b : b.subarray(0, nul);
}

function hex(hash: DigestHash, ...parts: Array<string | Buffer>): string {
  const h = createHash(hash);
  for (const part of parts) h.update(bytes(part));
  return h.digest('hex');
}

/** The inputs of a digest response (RFC 7616 3.4.1), as SIPp's createAuthResponse takes them. */
export interface DigestResponseInput {
  readonly hash: DigestHash;
  readonly sess: boolean;
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly method: string;
  /** The digest-uri exactly as in `uri="..."`. */
  readonly uri: string;
  readonly nonce: string;
  /** Empty: an RFC 2069 response, without nc, cnonce and qop. */
  readonly cnonce: string;
  /** The 8 hex digits as written in `nc=`. */
  readonly nc: string;
  /** The qop as written in `qop=` (any text: `auth-int` anywhere in it, any case, adds the body
   * hash to A2, as SIPp does). */
  readonly qop: string;
  readonly body: string | Buffer;
}

/**
 * The response, in lower-case hex:
 * HA1 = H(username:realm:password), for -sess H(HA1:nonce:cnonce);
 * HA2 = H(method:uri), for auth-int H(method:uri:H(body));
 * response = H(HA1:nonce:nc:cnonce:qop:HA2), or H(HA1:nonce:HA2) when cnonce is empty.
 */
export function digestResponse(input: DigestResponseInput): string {
  const { hash } = input;
  let ha1 = hex(hash, input.username, ':', input.realm, ':', input.password);
  if (input.sess) ha1 = hex(hash, ha1, ':', input.nonce, ':', input.cnonce);
  const authInt = input.qop.toLowerCase().includes('auth-int');
  const ha2 = authInt
    ? hex(hash, input.method, ':', input.uri, ':', hex(hash, bodyBytes(input.body)))
    : hex(hash, input.method, ':', input.uri);
  return input.cnonce !== ''
    ? hex(hash, ha1, ':', input.nonce, ':', input.nc, ':', input.cnonce, ':', input.qop, ':', ha2)
    : hex(hash, ha1, ':', input.nonce, ':', ha2);
}

// ---- building --------------------------------------------------------------------------------

/** `%08x`: the nc of the n-th answer to a challenge (n = 1 for the first). */
export function formatNonceCount(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** A cnonce as SIPp 3.6.1 makes one: `%x` of a random number in 0..2^31-1 (libc rand()). */
export function sippCnonce(random: () => number = Math.random): string {
  return Math.floor(random() * 0x80000000).toString(16);
}

/**
 * glibc's rand() (random(), TYPE_3, the additive feedback generator) from `seed`: the numbers
 * in 0..2^31-1 an unseeded C program draws, in order (1804289383, 846930886, ...).
 */
export function glibcRand(seed = 1): () => number {
  const r = new Array<number>(34);
  r[0] = seed | 0;
  for (let i = 1; i < 31; i++) {
    r[i] = (16807 * r[i - 1]!) % 2147483647;
    if (r[i]! < 0) r[i]! += 2147483647;
  }
  for (let i = 31; i < 34; i++) r[i] = r[i - 31]!;
  // A ring of the last 34 words: word k = word k-31 + word k-3 (mod 2^32).
  const ring = new Uint32Array(34);
  for (let i = 0; i < 34; i++) ring[i] = r[i]! >>> 0;
  let k = 34;
  const step = (): number => {
    const v = (ring[(k - 31) % 34]! + ring[(k - 3) % 34]!) >>> 0;
    ring[k % 34] = v;
    k++;
    return v;
  };
  for (let i = 34; i < 344; i++) step(); // glibc discards the first 310 words
  return () => step() >>> 1;
}

/**
 * The cnonces SIPp 3.6.1 writes, in order: it never seeds rand(), so as long as nothing else in
 * the run draws from rand(), its answers carry `6b8b4567`, `327b23c6`, `643c9869`, ...
 * For a byte-identical replay of a SIPp run; sippCnonce() is the unpredictable choice.
 */
export function sippCnonces(): () => string {
  const rand = glibcRand(1);
  return () => rand().toString(16);
}

/** The digest-uri SIPp 3.6.1 answers with: `sip:` + the -auth_uri value when there is one,
 * else `sip:` + the remote IP and port the message is sent to (`sip:127.0.0.1:5060`). An IPv6
 * address is written without brackets, as SIPp does (`sip:::1:5060`, seen with SIPp 3.6.1). */
export function sippDigestUri(remoteIp: string, remotePort: number, authUri?: string): string {
  return `sip:${authUri ?? `${remoteIp}:${remotePort}`}`;
}

/** The header SIPp's [authentication] writes after a challenge of this status code: 401 gives
 * `Authorization`, anything else (407) `Proxy-Authorization`. */
export function authorizationHeaderName(challengeStatus: number): 'Authorization' | 'Proxy-Authorization' {
  return challengeStatus === 401 ? 'Authorization' : 'Proxy-Authorization';
}

export interface BuildAuthorizationInput {
  readonly challenge: DigestChallenge;
  /** true after a 407 (Proxy-Authenticate): the header is Proxy-Authorization. */
  readonly proxy: boolean;
  /** The method of the request line of the message being sent. */
  readonly method: string;
  /** The digest-uri, written as `uri="..."` and hashed as is; SIPp's is sippDigestUri(). */
  readonly uri: string;
  /** The body of the message being sent (after its first CR LF CR LF); used for auth-int. */
  readonly body: string | Buffer;
  readonly username: string;
  readonly password: string;
  /** Used only when the challenge has a qop; sippCnonce() when not given or empty. Inject it
   * in tests (or sippCnonces() for SIPp's exact sequence). */
  readonly cnonce?: string;
  /** How many answers to this challenge, this one included (1 for the first). */
  readonly nc: number;
}

/**
 * The credentials only: `Digest username="...",...` (no header name, no CR LF).
 * Throws an AuthError only for a challenge object parseChallenge would not have produced
 * (a -sess algorithm without qop).
 */
export function buildAuthorizationValue(input: BuildAuthorizationInput): string {
  const { challenge } = input;
  const qop = challenge.qop;
  if (challenge.sess && qop === undefined) {
    throw new AuthError(
      'sess-needs-qop',
      `createAuthHeader: ${challenge.algorithm} needs a qop in the challenge, for a cnonce`,
    );
  }
  const cnonce = qop === undefined ? '' : input.cnonce || sippCnonce();
  const nc = formatNonceCount(input.nc);
  let out = `Digest username="${input.username}",realm="${challenge.realm}"`;
  if (qop !== undefined) out += `,cnonce="${cnonce}",nc=${nc},qop=${qop}`;
  out += `,uri="${input.uri}"`;
  const response = digestResponse({
    hash: challenge.hash,
    sess: challenge.sess,
    username: input.username,
    realm: challenge.realm,
    password: input.password,
    method: input.method,
    uri: input.uri,
    nonce: challenge.nonce,
    cnonce,
    nc,
    qop: qop ?? '',
    body: input.body,
  });
  out += `,nonce="${challenge.nonce}",response="${response}",algorithm=${challenge.algorithm}`;
  if (challenge.opaque !== undefined) out += `,opaque="${challenge.opaque}"`;
  return out;
}

/**
 * Exactly the header line SIPp's `[authentication]` renders, header name included and without
 * the CR LF (the template's line end follows it):
 * `Authorization: Digest username="joe",realm="r",...` or `Proxy-Authorization: Digest ...`.
 */
export function buildAuthorization(input: BuildAuthorizationInput): string {
  return `${input.proxy ? 'Proxy-Authorization' : 'Authorization'}: ${buildAuthorizationValue(input)}`;
}

// ---- verifying -------------------------------------------------------------------------------

export interface VerifyAuthorizationInput {
  /** The value of the received Authorization header (the text after the colon; the whole
   * line works too). */
  readonly authorizationHeaderValue: string;
  /** The method of the received request. */
  readonly method: string;
  /** The user the response must be of. SIPp computes HA1 with this name and does not compare
   * it with the header's username: a header of another user fails unless its response
   * happens to match. Undefined: the header's own username. */
  readonly username?: string;
  readonly password: string;
  /** The body of the received request, for auth-int. */
  readonly body: string | Buffer;
}

/**
 * What SIPp's `<verifyauth>` yields: whether the header's response is the one the password
 * gives. As SIPp: realm, uri, nonce, cnonce, nc and qop are taken from the header itself (the
 * uri is not compared with the Request-URI); algorithm absent means MD5; a qop containing
 * auth-int hashes the body; a -sess algorithm needs a cnonce; an unknown algorithm, a header
 * that is not Digest and an empty response all give false.
 */
export function verifyAuthorization(input: VerifyAuthorizationInput): boolean {
  const auth = input.authorizationHeaderValue;
  if (!saysDigest(auth)) return false;
  const algo = algorithmOf(authParameter('algorithm', auth) || 'MD5');
  if (!algo) return false;
  const cnonce = authParameter('cnonce', auth) ?? '';
  if (algo.sess && cnonce === '') return false;
  const response = authParameter('response', auth) ?? '';
  if (response === '') return false;
  const username = input.username ?? authParameter('username', auth) ?? '';
  const expected = digestResponse({
    hash: algo.hash,
    sess: algo.sess,
    username,
    realm: authParameter('realm', auth) ?? '',
    password: input.password,
    method: input.method,
    uri: authParameter('uri', auth) ?? '',
    nonce: authParameter('nonce', auth) ?? '',
    cnonce,
    nc: authParameter('nc', auth) ?? '',
    qop: authParameter('qop', auth) ?? '',
    body: input.body,
  });
  return expected === response;
}

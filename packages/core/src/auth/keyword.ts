// The `[authentication ...]` keyword of a <send>, as SIPp 3.6.1 reads it (src/message.cpp
// parseAuthenticationKeyword, getKeywordParam).
//
// - The keyword is any whose text starts with `authentication`.
// - `username=` and `password=` are looked for anywhere in the keyword text (SIPp uses
//   strstr). A value runs to the end of the text, a `]`, or a byte that is not printable ASCII
//   (below 33 or above 126: a space ends it). A value starting with `0x` is hex: each pair of
//   hex digits is one byte (`username=0x6a6f65` is `joe`).
// - A parameter absent or empty takes the run's default at send time: the username of `-au`,
//   else the `-s` service; the password of `-ap`, else `password`. See resolveCredentials().
// - SIPp compiles each value as a send template of its own, so `\xHH` escapes in a value work
//   (`a\x41b` is `aAb`). Keywords cannot work in a value, since the first `]` ends the whole
//   keyword: SIPp renders `[authentication username=[service] ...]` as garbage, Gossipper
//   refuses a value with `[`.
// - `aka_K=`, `aka_OP=`, `aka_AMF=` (AKAv1-MD5) are recognised and refused: not supported yet.
// Other text in the keyword is ignored, as SIPp ignores it.
import { AuthError } from './errors.js';

/** SIPp's KEYWORD_SIZE: a value must end within this many characters of the keyword start. */
const KEYWORD_SIZE = 256;

/** The parameters of an `[authentication]` keyword; undefined: take the run's default. */
export interface AuthenticationKeyword {
  /** Raw template text (may hold `\xHH` escapes, to be rendered as any send template). */
  readonly username: string | undefined;
  /** Raw template text, as username. */
  readonly password: string | undefined;
}

/** getKeywordParam: the value of `param` (e.g. `username=`) in the keyword text, '' if none. */
function keywordParam(text: string, param: string): string | AuthError {
  const at = text.indexOf(param);
  if (at < 0) return '';
  let key = at + param.length;
  if (text[key] === '0' && text[key + 1] === 'x') {
    key += 2;
    let out = '';
    while (key + 1 < text.length && isHex(text[key]!) && isHex(text[key + 1]!)) {
      out += String.fromCharCode(parseInt(text.slice(key, key + 2), 16));
      key += 2;
    }
    return out;
  }
  const start = key;
  for (; key < text.length; key++) {
    const code = text.charCodeAt(key);
    if (text[key] === ']' || code < 33 || code > 126) break;
    if (key > KEYWORD_SIZE) {
      return new AuthError('keyword-syntax', `Syntax error parsing '${param}' parameter`);
    }
  }
  return text.slice(start, key);
}

function isHex(c: string): boolean {
  return /^[0-9a-fA-F]$/.test(c);
}

/**
 * Reads the text of an `[authentication ...]` keyword: the text between the brackets
 * (`authentication username=joe password=secret`; the brackets may be included).
 */
export function parseAuthenticationKeyword(text: string): AuthenticationKeyword | AuthError {
  let body = text.startsWith('[') ? text.slice(1) : text;
  if (body.endsWith(']')) body = body.slice(0, -1);
  if (!body.startsWith('authentication')) {
    return new AuthError('keyword-syntax', `'${text}' is not an [authentication] keyword`);
  }
  for (const aka of ['aka_K=', 'aka_OP=', 'aka_AMF=']) {
    if (body.includes(aka)) {
      return new AuthError(
        'aka-not-supported',
        `[authentication]: ${aka.slice(0, -1)} (AKAv1-MD5 authentication) is not supported yet`,
      );
    }
  }
  const username = keywordParam(body, 'username=');
  if (username instanceof AuthError) return username;
  const password = keywordParam(body, 'password=');
  if (password instanceof AuthError) return password;
  for (const [name, value] of [
    ['username', username],
    ['password', password],
  ] as const) {
    if (value.includes('[')) {
      return new AuthError(
        'keyword-syntax',
        `[authentication]: the ${name} cannot hold a keyword ('${value}'): the first ']' ends [authentication]`,
      );
    }
  }
  return { username: username || undefined, password: password || undefined };
}

/** The run's defaults for `[authentication]`: the `-au`, `-ap` and `-s` values. */
export interface AuthenticationDefaults {
  /** `-au`; when undefined the service is the username. */
  readonly authUsername?: string;
  /** `-ap`; when undefined the password is `password`. */
  readonly authPassword?: string;
  /** `-s`. */
  readonly service: string;
}

/** The username and password an `[authentication]` uses: the keyword's, else the run's
 * defaults (`-au`, else the service; `-ap`, else `password`). Values already rendered. */
export function resolveCredentials(
  keyword: { readonly username: string | undefined; readonly password: string | undefined },
  defaults: AuthenticationDefaults,
): { username: string; password: string } {
  return {
    username: keyword.username ?? defaults.authUsername ?? defaults.service,
    password: keyword.password ?? defaults.authPassword ?? 'password',
  };
}

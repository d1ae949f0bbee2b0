// Send templates: the CDATA of a <send>, compiled once per scenario into segments, bound once
// per run (the run's constant keywords become literal bytes), rendered once per send.
//
// Everything here follows SIPp 3.6.1 (src/scenario.cpp clean_cdata, src/message.cpp
// SendingMessage, src/call.cpp createSendingMessage), checked byte for byte against
// /usr/bin/sipp. The rules a scenario author sees:
//
// Text
// - CDATA cleaning: see clean.ts (indentation and trailing blanks of every line removed, blank
//   lines at both ends removed, a message without body ends with CR LF CR LF, a body ends with
//   CR LF only when the CDATA had a line end after it).
// - LF becomes CR LF. `\xHH` (one or two hex digits) is the byte HH; SIPp then skips the next
//   character, so `\x5B` gives `[`, `\x41` gives `A`, but `\x4G` gives byte 4 and loses the G.
// - Every `[` starts a keyword that ends at the next `]` (a `"..."` section may hold `]`).
//   An unknown keyword is an error; so is a template that starts with a keyword, a first line
//   without a space, a response code that is not a literal number in 100..699.
//
// Keywords (`+N`/`-N`: see keywords.ts; the keywords not named as taking an offset ignore it)
// - [service] [remote_host] [transport] [local_ip_type] [media_ip] [media_ip_type] [pid]: the
//   run's values. [remote_ip] and [local_ip] put an IPv6 address in brackets, [media_ip] and
//   [remote_host] do not.
// - [remote_port+N] [media_port+N]: run values plus N. [local_port+N]: the call's socket port
//   (CallKeywordState.localPort) plus N.
// - [call_id] [call_number]: the call's. [msg_index]: the index of the step being sent.
// - [cseq+N]: the call's CSeq counter plus N. SIPp's counter: it starts at `-base_cseq` - 1
//   (SIPp stores the option minus one; without the option it starts at 0) and is incremented
//   BEFORE rendering every send whose template is a request other than ACK and CANCEL,
//   whether or not that template uses [cseq] (a send that fails with EWOULDBLOCK takes the
//   increment back). ACK, CANCEL and responses render the current value. So the first INVITE
//   has 1 (or the -base_cseq value), its ACK the same, the next request one more.
// - [branch+N]: `z9hG4bK-<pid>-<call_number>-<step index + N>` (the step index counts every
//   step but labels; N may make it negative: `z9hG4bK-8661-1--1`).
// - [peer_tag_param]: `;tag=<peer tag>`, nothing when there is none yet.
// - [routes]: CallKeywordState.routes (`Route: <...>, <...>`). [next_url]: the saved Contact URI.
// - [last_Header:] and [last_Header] (same thing), [last_Request_URI], [last_cseq_number+N],
//   [last_message]: read from the last received message, see last-header.ts.
// - A [last_Header:] that renders nothing (header absent, or nothing received yet) and an empty
//   [routes] swallow the line they start: when the byte before them is LF, SIPp drops the
//   leading white space (CR LF included) of the next literal text. Only that: `[last_X:];a=b`
//   alone on its line leaves `;a=b` on its own line, and `X: [last_X:]` leaves `X: `. When the
//   swallowed line is the last header, the empty line that ends the headers goes with it.
// - [len+N]: the byte length of the body (after every keyword) plus N, as `%5u` (5 characters,
//   right-aligned). Only the last [len] of a message is filled; any other stays 5 spaces. The
//   body starts after the first CR LF CR LF of the rendered message; when there is none or
//   the body is empty, SIPp writes `    0\r\n\r\n` and a NUL byte over the message from the
//   [len] on, within the message (this is what it sends: when more headers follow a
//   `Content-Length: [len]` of a message without body, the first 3 bytes of the next header
//   become CR LF NUL, so the headers end there).
// - [server_ip]: the address the SIP socket is bound to (RunKeywordValues.serverIp), no brackets.
// - With RunKeywordValues.localIpPerCall (-t ui) [local_ip] and [server_ip] are the call's own
//   address (CallKeywordState.localIp). SIPp 3.6.1 renders the run's [local_ip] there (and
//   port 0 in [local_port] for most calls), so its Via names an address the call does not
//   send from; we render the address and port the call really uses.
// - [users]: the -users value, -1 without it. [userid]: the call's user (CallKeywordState.userId),
//   0 without -users. [sipp_version]: `3.6.1`. [rtpstream_audio_port] [rtpstream_video_port]:
//   the media port, whatever the offset (SIPp without rtpstream media does the same).
// - [clock_tick]: milliseconds since the run started. [timestamp]: local time as
//   `2026-11-23<TAB>12:51:29.036152<TAB>1795438289.036152`. [date]: `Mon, 23 Nov 2026 12:51:29 GMT`.
// - [dynamic_id]: a counter shared by all calls (CallKeywordState.nextDynamicId): by default
//   10000, 10004, ... 18000, 10000, ... (%u); every occurrence takes the next value. The offset
//   is ignored.
// - [auto_media_port+N]: media port + N + (4 * (call_number - 1)) % 10000. The text rendered so
//   far on its line must contain `audio`, `image` or `video`, else SIPp stops the run; the same
//   holds for [media_port] (SIPp's PCAPPLAY builds, Debian's included).
// - [fill text="ab" variable=n]: `text` (default `X`) repeated to the length held by the variable
//   $n (as SIPp's getDouble: 0 unless it holds a number; truncated; negative is 0).
// - [file name="x"]: the bytes of file x, as they are (no LF -> CR LF). The name is template
//   text; a name without keywords is read once when the scenario is compiled (CompileOptions.
//   readFile), one with keywords (or one that could not be read then) at every send. A file
//   that cannot be read when sending stops the run.
// - [tdmmap]: the call's -tdmmap circuit (CallKeywordState.tdmmapText); without -tdmmap SIPp
//   stops the run, and so do we.
import { ScenarioError } from '../scenario/errors.js';
import type { SourcePlace } from '../scenario/types.js';
import type { SipMessage } from '../sip/message.js';
import { cleanCdata } from './clean.js';
import { classifyKeyword, parseKeywordSyntax } from './keywords.js';
import { AuthError } from '../auth/errors.js';
import { parseAuthenticationKeyword } from '../auth/keyword.js';
import { InjectionError } from '../inject/errors.js';
import { keywordParam, parseFieldKeyword } from '../inject/keyword.js';
import { sippDate, sippTimestamp } from './time-format.js';
import { InjectionSet } from '../inject/set.js';
import {
  findLastHeader,
  headerQuery,
  lastCseqNumber,
  lastMessageText,
  lastRequestUri,
  type HeaderQuery,
  type LastMessageText,
} from './last-header.js';
import type {
  BoundTemplate,
  BoundText,
  CallKeywordState,
  CompiledTemplate,
  RunKeywordValues,
  TextTemplate,
} from './types.js';

/** SIPp's limit on the text between `[` and `]`. */
const KEYWORD_SIZE = 256;

// ---- segment model ---------------------------------------------------------------------------

/** Run keywords: constant for a run, folded into literal bytes by bind(). */
type RunKey =
  | 'service'
  | 'remote_ip'
  | 'remote_host'
  | 'remote_port'
  | 'transport'
  | 'local_ip'
  | 'local_ip_type'
  | 'media_ip'
  | 'media_ip_type'
  | 'media_port'
  | 'pid'
  | 'server_ip'
  | 'users'
  | 'sipp_version'
  | 'rtpstream_audio_port'
  | 'rtpstream_video_port';

const RUN_KEYS: ReadonlySet<string> = new Set<RunKey>([
  'service',
  'remote_ip',
  'remote_host',
  'remote_port',
  'transport',
  'local_ip',
  'local_ip_type',
  'media_ip',
  'media_ip_type',
  'media_port',
  'pid',
  'server_ip',
  'users',
  'sipp_version',
  'rtpstream_audio_port',
  'rtpstream_video_port',
]);

/** What [sipp_version] renders: SIPp's SIPP_VERSION without its `v` (not the build suffix). */
export const SIPP_VERSION_KEYWORD = '3.6.1';


// Per-call operations (numbers for a fast switch).
const OP_LITERAL = 0;
const OP_CALL_ID = 1;
const OP_CALL_NUMBER = 2;
const OP_CSEQ = 3;
const OP_BRANCH = 4;
const OP_MSG_INDEX = 5;
const OP_LOCAL_PORT = 6;
const OP_LEN = 7;
const OP_PEER_TAG = 8;
const OP_ROUTES = 9;
const OP_NEXT_URL = 10;
const OP_LAST_HEADER = 11;
const OP_LAST_REQUEST_URI = 12;
const OP_LAST_CSEQ_NUMBER = 13;
const OP_LAST_MESSAGE = 14;
const OP_VARIABLE = 15;
const OP_FIELD = 16;
const OP_AUTH = 17;
const OP_CLOCK_TICK = 18;
const OP_TIMESTAMP = 19;
const OP_DATE = 20;
const OP_USERID = 21;
const OP_DYNAMIC_ID = 22;
const OP_AUTO_MEDIA_PORT = 23;
const OP_FILL = 24;
const OP_FILE = 25;
const OP_TDMMAP = 26;
/** [media_port+N]: a run value, but SIPp checks its line first (see mediaLineOk). */
const OP_MEDIA_PORT = 27;
/** [local_ip] and [server_ip] of a call with an address of its own (-t ui). */
const OP_LOCAL_IP = 28;
const OP_SERVER_IP = 29;

const SIMPLE_CALL_OPS: Readonly<Record<string, number>> = {
  call_id: OP_CALL_ID,
  call_number: OP_CALL_NUMBER,
  cseq: OP_CSEQ,
  branch: OP_BRANCH,
  msg_index: OP_MSG_INDEX,
  local_port: OP_LOCAL_PORT,
  len: OP_LEN,
  peer_tag_param: OP_PEER_TAG,
  routes: OP_ROUTES,
  next_url: OP_NEXT_URL,
  last_Request_URI: OP_LAST_REQUEST_URI,
  last_cseq_number: OP_LAST_CSEQ_NUMBER,
  last_message: OP_LAST_MESSAGE,
  clock_tick: OP_CLOCK_TICK,
  timestamp: OP_TIMESTAMP,
  date: OP_DATE,
  userid: OP_USERID,
  dynamic_id: OP_DYNAMIC_ID,
  auto_media_port: OP_AUTO_MEDIA_PORT,
  tdmmap: OP_TDMMAP,
};

/** What compile() produces: the template as SIPp's component list. */
type Part =
  /** `original`: literal text of the template (SIPp's E_Message_Literal), not a keyword value. */
  | { kind: 'literal'; text: string; original: boolean }
  | { kind: 'run'; key: RunKey; offset: number }
  | { kind: 'call'; op: number; offset: number; query: HeaderQuery | undefined; arg: number }
  /** `[fieldN file=F line=L]`: `line` is template text itself. */
  | { kind: 'field'; file: string; field: number; line: Part[] | undefined }
  /** `[authentication username=U password=P]`: U and P are template text; undefined = the run's default. */
  | { kind: 'auth'; username: Part[] | undefined; password: Part[] | undefined }
  /** `[fill text=T variable=V]`: T repeated to the length in variable slot V. */
  | { kind: 'fill'; text: string; slot: number }
  /** `[file name=N]` whose name holds keywords: N rendered per send, then read. */
  | { kind: 'file'; name: Part[]; read: FileReader };

/** One rendering step. Every segment has the same shape (one hidden class for the hot loop). */
interface Segment {
  readonly op: number;
  /** OP_LITERAL: the bytes; OP_BRANCH: `z9hG4bK-<pid>-`. */
  readonly bytes: Buffer;
  /**
   * OP_LITERAL: where the first original literal text starts and ends in `bytes` (-1 when the
   * segment holds only keyword values): the part a pending line swallow strips.
   */
  readonly stripFrom: number;
  readonly stripTo: number;
  readonly offset: number;
  readonly query: HeaderQuery | undefined;
  /** OP_VARIABLE: the variable slot; OP_FIELD: the field number. */
  readonly arg: number;
  /** OP_FIELD: the file key. */
  readonly file: string;
  /** OP_FIELD: the line= text; OP_AUTH: the username text (undefined: not given). */
  readonly textA: readonly Segment[] | undefined;
  /** OP_AUTH: the password text. */
  readonly textB: readonly Segment[] | undefined;
  /** OP_FILE: reads the file named by textA. */
  readonly reader: FileReader | undefined;
}

const EMPTY = Buffer.alloc(0);

/** Every field of a Segment at its neutral value: segments are spread from it (one shape). */
const NO_SEGMENT: Segment = {
  op: OP_LITERAL,
  bytes: EMPTY,
  stripFrom: -1,
  stripTo: -1,
  offset: 0,
  query: undefined,
  arg: 0,
  file: '',
  textA: undefined,
  textB: undefined,
  reader: undefined,
};

// ---- compile -------------------------------------------------------------------------------

/**
 * Compile the text of a `<send>` CDATA block. Throws ScenarioError (naming `place`) for an
 * unknown or malformed keyword.
 *
 * `place.line` is taken as the line where the CDATA text starts (the line of `<![CDATA[`): an
 * error about a keyword names `place.line` plus the number of line ends before it in `cdata`.
 */
/**
 * Reads a file for `[file name=...]`: its bytes, or throws an Error whose message is what to
 * report (the CLI: `Could not open 'x': No such file or directory`, as SIPp). The core does no
 * I/O itself: the front end supplies this.
 */
export type FileReader = (name: string) => Buffer;

export interface CompileOptions {
  /** `-key NAME VALUE` pairs: a keyword SIPp does not know is looked up here before it is refused. */
  readonly keys?: Readonly<Record<string, string>>;
  /**
   * Resolves `[$name]` to a variable slot (the scenario loader counts the reference). Without
   * it, `[$name]` is refused: a template outside a scenario has no variables.
   */
  readonly variables?: (name: string, place: SourcePlace, what?: string) => number;
  /** `[file name=...]`: how to read a file. Without it, `[file]` is refused. */
  readonly readFile?: FileReader;
  /** The run's -inf files, for `[fieldN file=... line=...]` (checked at load, as SIPp does). */
  readonly injection?: InjectionSet;
}

/**
 * Compile the text of an action attribute (`<log message>`, `<assignstr value>`, `<exec
 * command>`, ...): SIPp reads it as a message with keywords but without the SIP checks.
 */
export function compileText(text: string, place: SourcePlace, options: CompileOptions = {}): TextTemplate {
  const lineOf = (offset: number): SourcePlace => ({ file: place.file, line: place.line + countNewlines(text, offset) });
  return new Text(text, parseParts(text, lineOf, options));
}

export function compileTemplate(cdata: string, place: SourcePlace, options: CompileOptions = {}): CompiledTemplate {
  const cleaned = cleanCdata(cdata);
  if (cleaned === undefined) throw new ScenarioError(place, 'Empty cdata in xml scenario file');
  const { text, leadingNewlines } = cleaned;
  const lineOf = (offset: number): SourcePlace => ({
    file: place.file,
    line: place.line + leadingNewlines + countNewlines(text, offset),
  });
  const parts = parseParts(text, lineOf, options);

  // Only the last [len] is filled in; SIPp leaves the others as their 5 spaces.
  let lastLen = -1;
  for (let p = parts.length - 1; p >= 0; p--) {
    const part = parts[p]!;
    if (part.kind === 'call' && part.op === OP_LEN) {
      if (lastLen < 0) lastLen = p;
      else parts[p] = { kind: 'literal', text: '     ', original: false };
    }
  }

  const first = parts[0];
  if (first === undefined || first.kind !== 'literal' || !first.original) {
    throw new ScenarioError(
      lineOf(0),
      'You can not use a keyword for the METHOD or to generate "SIP/2.0" to ensure proper [cseq] operation!',
    );
  }
  const startLine = parseStartLine(first.text, lineOf(0));

  return new Template(text, parts, startLine, cseqMethodOf(parts));
}

/** The text as SIPp's component list: literal text and keywords (SendingMessage's parse). */
function parseParts(text: string, lineOf: (offset: number) => SourcePlace, options: CompileOptions): Part[] {
  const parts: Part[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') parts.push({ kind: 'literal', text: literal, original: true });
    literal = '';
  };

  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */ && text.charCodeAt(i + 1) === 0x78 /* x */) {
      i += 2;
      const high = hexValue(text.charCodeAt(i));
      if (high >= 0) {
        let value = high;
        i++;
        const low = hexValue(text.charCodeAt(i));
        if (low >= 0) value = value * 16 + low;
        literal += String.fromCharCode(value & 0xff);
      }
      i++;
    } else if (c === 0x0a) {
      literal += '\r\n';
      i++;
    } else if (c !== 0x5b /* [ */) {
      const next = nextSpecial(text, i);
      literal += text.slice(i, next);
      i = next;
    } else {
      flush();
      const open = i;
      const start = i + 1;
      const close = quotedIndexOf(text, 0x5d /* ] */, start);
      const inner = quotedIndexOf(text, 0x5b /* [ */, start);
      if (close < 0) {
        throw new ScenarioError(lineOf(open), `invalid keyword "${firstLineFrom(text, open)}": no closing "]"`);
      }
      const raw = text.slice(start, close);
      if (inner >= 0 && inner < close) {
        throw new ScenarioError(lineOf(open), `unsupported keyword "[${raw}]" ("[" inside a keyword)`);
      }
      if (raw === '') throw new ScenarioError(lineOf(open), 'invalid keyword "[]": empty');
      if (raw.length > KEYWORD_SIZE) {
        throw new ScenarioError(lineOf(open), `invalid keyword "[${raw}]": longer than ${KEYWORD_SIZE} characters`);
      }
      parts.push(keywordPart(raw, lineOf(open), options));
      i = close + 1;
    }
  }
  flush();
  return parts;
}

function keywordPart(raw: string, place: SourcePlace, options: CompileOptions): Part {
  if (raw.startsWith('$')) return variablePart(raw.slice(1), place, options);
  if (raw.startsWith('field')) return fieldPart(raw, place, options);
  if (raw.startsWith('authentication')) return authPart(raw, place, options);
  const keys = options.keys;
  const { name, offset } = parseKeywordSyntax(raw);
  const cls = classifyKeyword(name);
  if (cls === 'unknown') {
    // As SIPp: built-in keywords win; only an otherwise unknown name is a -key value.
    const value = keys !== undefined && Object.hasOwn(keys, raw) ? keys[raw] : undefined;
    if (value !== undefined) return { kind: 'literal', text: value, original: false };
    throw new ScenarioError(place, `unsupported keyword "[${raw}]"`);
  }
  if (cls === 'later') throw new ScenarioError(place, `keyword "[${raw}]" is not supported yet`);
  // SIPp tests `file` before `fill`, both on the text with the offset cut off.
  if (name.startsWith('file')) return filePart(name, place, options);
  if (name.startsWith('fill')) return fillPart(name, place, options);
  if (name === 'media_port') return { kind: 'call', op: OP_MEDIA_PORT, offset, query: undefined, arg: 0 };
  if (RUN_KEYS.has(name)) return { kind: 'run', key: name as RunKey, offset };
  const op = SIMPLE_CALL_OPS[name];
  if (op !== undefined) return { kind: 'call', op, offset, query: undefined, arg: 0 };
  // classifyKeyword only calls `last_<anything>` supported beyond the tables above.
  return { kind: 'call', op: OP_LAST_HEADER, offset, query: headerQuery(name.slice('last_'.length)), arg: 0 };
}

/** `[fieldN ...]`: the file is checked now; the line, when given, is rendered per call. */
function fieldPart(raw: string, place: SourcePlace, options: CompileOptions): Part {
  const keyword = parseFieldKeyword(raw);
  let file: string;
  try {
    file = (options.injection ?? new InjectionSet()).resolveKeyword(keyword);
  } catch (error) {
    if (error instanceof InjectionError) throw new ScenarioError(place, error.detail);
    throw error;
  }
  const line = keyword.line === undefined ? undefined : parseParts(keyword.line, () => place, options);
  return { kind: 'field', file, field: keyword.field, line };
}

/** `[authentication ...]`: the answer to the call's last challenge, computed after the body. */
function authPart(raw: string, place: SourcePlace, options: CompileOptions): Part {
  const keyword = parseAuthenticationKeyword(raw);
  if (keyword instanceof AuthError) throw new ScenarioError(place, keyword.message);
  const text = (value: string | undefined) => (value === undefined ? undefined : parseParts(value, () => place, options));
  return { kind: 'auth', username: text(keyword.username), password: text(keyword.password) };
}

/**
 * `[file name="x"]`: the name is template text. Without keywords the file is read now (SIPp
 * reads it at every send: a file changed during the run is not seen); with keywords, or when it
 * cannot be read now, at every send, where a failure stops the run as in SIPp (exit 255).
 */
function filePart(name: string, place: SourcePlace, options: CompileOptions): Part {
  const fileName = keywordParam(name, 'name=');
  if (fileName === '') throw new ScenarioError(place, "No name specified for 'file' keyword!");
  const read = options.readFile;
  if (read === undefined) throw new ScenarioError(place, `keyword "[${name}]": files can not be read here`);
  const nameParts = parseParts(fileName, () => place, options);
  if (nameParts.every((p) => p.kind === 'literal')) {
    const path = nameParts.map((p) => (p.kind === 'literal' ? p.text : '')).join('');
    try {
      return { kind: 'literal', text: read(path).toString('latin1'), original: false };
    } catch {
      // SIPp only finds out when it sends: so do we (the message and the exit code are SIPp's).
    }
  }
  return { kind: 'file', name: nameParts, read };
}

/** `[fill text="ab" variable=n]`: the text is taken as written (no keywords); default `X`. */
function fillPart(name: string, place: SourcePlace, options: CompileOptions): Part {
  let text = keywordParam(name, 'text=');
  if (text === '') text = 'X';
  const variable = keywordParam(name, 'variable=');
  if (options.variables === undefined) throw new ScenarioError(place, `keyword "[${name}]": no variables here`);
  return { kind: 'fill', text, slot: options.variables(variable, place, 'Fill Variable') };
}

/** `[$name]`: SIPp reads the whole rest as the name (no offset). */
function variablePart(name: string, place: SourcePlace, options: CompileOptions): Part {
  if (options.variables === undefined) throw new ScenarioError(place, `keyword "[$${name}]": no variables here`);
  return { kind: 'call', op: OP_VARIABLE, offset: 0, query: undefined, arg: options.variables(name, place) };
}

interface StartLine {
  isRequest: boolean;
  method: string | undefined;
  statusCode: number | undefined;
}

/** SIPp's checks on the first literal text (SendingMessage constructor). */
function parseStartLine(firstLiteral: string, place: SourcePlace): StartLine {
  const space = firstLiteral.indexOf(' ');
  if (space < 0) {
    throw new ScenarioError(
      place,
      'You can not use a keyword for the METHOD or to generate "SIP/2.0" to ensure proper [cseq] operation!',
    );
  }
  const word = firstLiteral.slice(0, space);
  if (word !== 'SIP/2.0') {
    let from = 0;
    while (from < word.length && isCSpace(word.charCodeAt(from))) from++;
    return { isRequest: true, method: word.slice(from), statusCode: undefined };
  }
  // strtol(q, &endptr, 10) after the spaces, then: end of the literal or a space must follow.
  let q = space + 1;
  while (q < firstLiteral.length && isCSpace(firstLiteral.charCodeAt(q))) q++;
  let p = q;
  let negative = false;
  if (firstLiteral[p] === '+' || firstLiteral[p] === '-') {
    negative = firstLiteral[p] === '-';
    p++;
  }
  let code = 0;
  let digits = 0;
  while (p < firstLiteral.length && isDigit(firstLiteral.charCodeAt(p))) {
    code = code * 10 + (firstLiteral.charCodeAt(p) - 48);
    digits++;
    p++;
  }
  const endptr = digits === 0 ? q : p;
  if (endptr < firstLiteral.length && !isCSpace(firstLiteral.charCodeAt(endptr))) {
    throw new ScenarioError(place, `Invalid reply code: ${firstLiteral.slice(q).split('\r\n')[0]}`);
  }
  if (negative) code = -code;
  if (code < 100 || code >= 700) {
    throw new ScenarioError(place, 'Response codes must be in the range of 100-700');
  }
  return { isRequest: false, method: undefined, statusCode: code };
}

/** The method written in the CSeq line (`CSeq: [cseq] INVITE` -> INVITE), when literal. */
function cseqMethodOf(parts: readonly Part[]): string | undefined {
  // Keyword values stand as NUL: a method holding one is not literal.
  let shape = '\r\n';
  for (const part of parts) shape += part.kind === 'literal' && part.original ? part.text : '\0';
  const headerEnd = shape.indexOf('\r\n\r\n');
  const headers = (headerEnd < 0 ? shape : shape.slice(0, headerEnd)).toLowerCase();
  const at = headers.indexOf('\r\ncseq:');
  if (at < 0) return undefined;
  let p = at + '\r\ncseq:'.length;
  const end = headers.indexOf('\r\n', p);
  const lineEnd = end < 0 ? headers.length : end;
  while (p < lineEnd && isBlank(shape.charCodeAt(p))) p++;
  while (p < lineEnd && !isBlank(shape.charCodeAt(p))) p++; // the number, or its keyword
  while (p < lineEnd && isBlank(shape.charCodeAt(p))) p++;
  const method = shape.slice(p, lineEnd).trimEnd();
  if (method === '' || method.includes('\0')) return undefined;
  return method;
}

// ---- the compiled template -------------------------------------------------------------------

class Template implements CompiledTemplate {
  readonly isRequest: boolean;
  readonly method: string | undefined;
  readonly statusCode: number | undefined;
  readonly usesCseq: boolean;

  constructor(
    readonly source: string,
    private readonly parts: readonly Part[],
    startLine: StartLine,
    readonly cseqMethod: string | undefined,
  ) {
    this.isRequest = startLine.isRequest;
    this.method = startLine.method;
    this.statusCode = startLine.statusCode;
    this.usesCseq = parts.some((p) => p.kind === 'call' && p.op === OP_CSEQ);
  }

  bind(run: RunKeywordValues): BoundTemplate {
    return new Bound(bindParts(this.parts, run), this.method);
  }
}

/** An action's text: keywords rendered, returned as a string. */
class Text implements TextTemplate {
  constructor(
    readonly source: string,
    private readonly parts: readonly Part[],
  ) {}

  bind(run: RunKeywordValues): BoundText {
    const segments = bindParts(this.parts, run);
    return { render: (call) => renderInner(segments, call) };
  }
}

/** Fold the run's constant keywords into literal bytes: what is left is per call. */
function bindParts(parts: readonly Part[], run: RunKeywordValues): Segment[] {
  const segments: Segment[] = [];
  let text = '';
  let stripFrom = -1;
  let stripTo = -1;
  const flush = (): void => {
    if (text !== '') {
      segments.push({ ...NO_SEGMENT, bytes: Buffer.from(text, 'latin1'), stripFrom, stripTo });
    }
    text = '';
    stripFrom = -1;
    stripTo = -1;
  };
  for (const part of parts) {
    if (part.kind === 'literal') {
      if (part.original && stripFrom < 0) {
        stripFrom = text.length;
        stripTo = text.length + part.text.length;
      }
      text += part.text;
    } else if (part.kind === 'run' && run.localIpPerCall === true && (part.key === 'local_ip' || part.key === 'server_ip')) {
      flush();
      segments.push({ ...NO_SEGMENT, op: part.key === 'local_ip' ? OP_LOCAL_IP : OP_SERVER_IP });
    } else if (part.kind === 'run') {
      text += runValue(run, part.key, part.offset);
    } else if (part.kind === 'fill') {
      flush();
      segments.push({ ...NO_SEGMENT, op: OP_FILL, bytes: Buffer.from(part.text, 'latin1'), arg: part.slot });
    } else if (part.kind === 'file') {
      flush();
      segments.push({ ...NO_SEGMENT, op: OP_FILE, textA: bindParts(part.name, run), reader: part.read });
    } else if (part.kind === 'field' || part.kind === 'auth') {
      flush();
      const sub = (parts: Part[] | undefined) => (parts === undefined ? undefined : bindParts(parts, run));
      segments.push({
        ...NO_SEGMENT,
        op: part.kind === 'field' ? OP_FIELD : OP_AUTH,
        arg: part.kind === 'field' ? part.field : 0,
        file: part.kind === 'field' ? part.file : '',
        textA: sub(part.kind === 'field' ? part.line : part.username),
        textB: sub(part.kind === 'auth' ? part.password : undefined),
      });
    } else {
      flush();
      const bytes = part.op === OP_BRANCH ? Buffer.from(`z9hG4bK-${run.pid}-`, 'latin1') : EMPTY;
      // [auto_media_port+N]: the run's media port folds into the offset.
      const offset =
        part.op === OP_AUTO_MEDIA_PORT || part.op === OP_MEDIA_PORT ? (run.mediaPort + part.offset) | 0 : part.offset;
      segments.push({ ...NO_SEGMENT, op: part.op, bytes, offset, query: part.query, arg: part.arg });
    }
  }
  flush();
  return segments;
}

/** SIPp formats: ports with %d, the media port with %u, addresses as below. */
function runValue(run: RunKeywordValues, key: RunKey, offset: number): string {
  switch (key) {
    case 'service':
      return run.service;
    case 'remote_ip':
      return bracketed(run.remoteIp);
    case 'remote_host':
      return run.remoteHost;
    case 'remote_port':
      return String((run.remotePort + offset) | 0);
    case 'transport':
      return run.transport;
    case 'local_ip':
      return bracketed(run.localIp);
    case 'local_ip_type':
      return run.localIpType;
    case 'media_ip':
      return run.mediaIp;
    case 'media_ip_type':
      return run.mediaIpType;
    case 'media_port':
      return String((run.mediaPort + offset) >>> 0);
    case 'pid':
      return String(run.pid | 0);
    case 'server_ip':
      return run.serverIp ?? unbracketed(run.localIp);
    case 'users':
      return String((run.users ?? -1) | 0);
    case 'sipp_version':
      return SIPP_VERSION_KEYWORD;
    case 'rtpstream_audio_port':
    case 'rtpstream_video_port':
      return String(run.mediaPort | 0);
  }
}

function unbracketed(ip: string): string {
  return ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
}

/** SIPp's remote_ip_escaped / local_ip_escaped: an IPv6 address in brackets. */
function bracketed(ip: string): string {
  return ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
}

// ---- rendering -------------------------------------------------------------------------------

/** Where a render writes; it grows by doubling. */
interface Area {
  buf: Buffer;
}

/**
 * The output area of send templates: render() is synchronous, so one buffer serves them all.
 * The texts inside a keyword (`line=`, `username=`) render into an area of their own.
 */
const shared: Area = { buf: Buffer.allocUnsafe(16 * 1024) };

function grow(area: Area, needed: number, used: number): Buffer {
  let size = area.buf.length * 2;
  while (size < needed) size *= 2;
  const bigger = Buffer.allocUnsafe(size);
  area.buf.copy(bigger, 0, 0, used);
  area.buf = bigger;
  return bigger;
}

/** A keyword's inner text for one call (rare: not worth the shared area). */
function renderInner(segments: readonly Segment[], call: CallKeywordState): string {
  const area: Area = { buf: Buffer.allocUnsafe(256) };
  const end = renderInto(area, segments, call, undefined);
  return area.buf.toString('latin1', 0, end);
}

/** The last message's header text, kept for the message most recently read. */
let cachedMessage: SipMessage | undefined;
let cachedText: LastMessageText | undefined;

function lastText(message: SipMessage | undefined): LastMessageText | undefined {
  if (message === undefined) return undefined;
  if (message !== cachedMessage) {
    const raw = message.raw;
    cachedText = raw.length === 0 || raw[0] === 0 ? undefined : lastMessageText(raw);
    cachedMessage = message;
  }
  return cachedText;
}

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const ZERO_LENGTH = Buffer.from('    0\r\n\r\n\0', 'latin1');

class Bound implements BoundTemplate {
  constructor(
    private readonly segments: readonly Segment[],
    /** The request method, for [authentication]. */
    private readonly method: string | undefined,
  ) {}

  render(call: CallKeywordState): Buffer {
    const pos = renderInto(shared, this.segments, call, this.method);
    const out = Buffer.allocUnsafe(pos);
    shared.buf.copy(out, 0, 0, pos);
    return out;
  }
}

/** Render `segments` for `call` into `area` from offset 0; returns the end offset. */
function renderInto(area: Area, segments: readonly Segment[], call: CallKeywordState, method: string | undefined): number {
  let buf: Buffer = area.buf;
  let auth: PendingAuthorization | undefined;
  let pos = 0;
  let swallow = false;
  let lenAt = -1;
  let lenOffset = 0;
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s]!;
    let value = '';
    switch (seg.op) {
      case OP_LITERAL: {
        const bytes = seg.bytes;
        if (pos + bytes.length > buf.length) buf = grow(area, pos + bytes.length, pos);
        if (swallow && seg.stripFrom >= 0) {
          swallow = false;
          let from = seg.stripFrom;
          bytes.copy(buf, pos, 0, from);
          pos += from;
          while (from < seg.stripTo && isCSpace(bytes[from]!)) from++;
          pos += bytes.copy(buf, pos, from);
        } else {
          pos += bytes.copy(buf, pos);
        }
        continue;
      }
      case OP_CALL_ID:
        value = call.callId;
        break;
      case OP_CALL_NUMBER:
        value = String(call.callNumber >>> 0);
        break;
      case OP_CSEQ:
        value = String((call.cseq + seg.offset) >>> 0);
        break;
      case OP_BRANCH: {
        const prefix = seg.bytes;
        if (pos + prefix.length > buf.length) buf = grow(area, pos + prefix.length, pos);
        pos += prefix.copy(buf, pos);
        value = `${call.callNumber >>> 0}-${(call.stepIndex + seg.offset) | 0}`;
        break;
      }
      case OP_MSG_INDEX:
        value = String(call.stepIndex | 0);
        break;
      case OP_LOCAL_PORT:
        value = String((call.localPort + seg.offset) | 0);
        break;
      case OP_LOCAL_IP:
        value = bracketed(call.localIp);
        break;
      case OP_SERVER_IP:
        value = call.localIp;
        break;
      case OP_LEN:
        lenAt = pos;
        lenOffset = seg.offset;
        value = '     ';
        break;
      case OP_PEER_TAG:
        if (call.peerTag !== '') value = `;tag=${call.peerTag}`;
        break;
      case OP_ROUTES:
        value = call.routes;
        if (value === '' && pos > 0 && buf[pos - 1] === 0x0a) swallow = true;
        break;
      case OP_NEXT_URL:
        value = call.nextUrl;
        break;
      case OP_LAST_HEADER: {
        const text = lastText(call.lastMessage);
        if (text !== undefined) value = findLastHeader(text, seg.query!);
        if (value === '' && pos > 0 && buf[pos - 1] === 0x0a) swallow = true;
        break;
      }
      case OP_LAST_REQUEST_URI: {
        const text = lastText(call.lastMessage);
        if (text !== undefined) value = lastRequestUri(text);
        break;
      }
      case OP_LAST_CSEQ_NUMBER: {
        const text = lastText(call.lastMessage);
        value = String(((text === undefined ? 0 : lastCseqNumber(text)) + seg.offset) | 0);
        break;
      }
      case OP_VARIABLE:
        value = call.variableText(seg.arg);
        break;
      case OP_FIELD: {
        value = call.fieldText(seg.file, seg.arg, seg.textA === undefined ? undefined : renderInner(seg.textA, call));
        // SIPp: a field holding `[authentication ...]` is that keyword (users.csv often
        // carries the credentials so), and a field ending in a line end eats the next one.
        const marker = value.indexOf('[authentication');
        if (marker >= 0 && auth === undefined) {
          const close = value.indexOf(']', marker);
          const end = close < 0 ? value.length : close + 1;
          const keyword = parseAuthenticationKeyword(value.slice(marker + 1, close < 0 ? value.length : close));
          const before = value.slice(0, marker);
          if (pos + before.length > buf.length) buf = grow(area, pos + before.length, pos);
          pos += buf.write(before, pos, 'latin1');
          auth = keyword instanceof AuthError ? { at: pos, username: undefined, password: undefined, error: keyword.message }
            : { at: pos, username: keyword.username, password: keyword.password, error: undefined };
          value = value.slice(end);
        }
        if (value.endsWith('\n')) swallow = true;
        break;
      }
      case OP_AUTH:
        // Computed last: an auth-int answer covers the final body.
        auth = {
          at: pos,
          username: seg.textA === undefined ? undefined : renderInner(seg.textA, call),
          password: seg.textB === undefined ? undefined : renderInner(seg.textB, call),
          error: undefined,
        };
        continue;
      case OP_CLOCK_TICK:
        value = String(Math.max(0, Math.floor(call.clockTick())));
        break;
      case OP_TIMESTAMP:
        value = sippTimestamp(call.wallClockMs());
        break;
      case OP_DATE:
        value = sippDate(call.wallClockMs());
        break;
      case OP_USERID:
        value = String(call.userId | 0);
        break;
      case OP_DYNAMIC_ID:
        value = String(call.nextDynamicId() >>> 0);
        break;
      case OP_AUTO_MEDIA_PORT:
        if (!mediaLineOk(buf, pos, call)) continue;
        value = String((seg.offset + ((Math.imul(4, call.callNumber - 1) >>> 0) % 10000)) >>> 0);
        break;
      case OP_MEDIA_PORT:
        if (!mediaLineOk(buf, pos, call)) continue;
        value = String(seg.offset >>> 0);
        break;
      case OP_FILL:
        value = fillText(seg.bytes.toString('latin1'), call.variableDouble(seg.arg));
        break;
      case OP_FILE: {
        const name = renderInner(seg.textA!, call);
        let bytes: Buffer;
        try {
          bytes = seg.reader!(name);
        } catch (error) {
          call.keywordError(error instanceof Error ? error.message : String(error));
          continue;
        }
        if (pos + bytes.length > buf.length) buf = grow(area, pos + bytes.length, pos);
        pos += bytes.copy(buf, pos);
        continue;
      }
      case OP_TDMMAP: {
        const text = call.tdmmapText();
        if (text === undefined) {
          call.keywordError('[tdmmap] keyword without -tdmmap parameter on command line');
          continue;
        }
        value = text;
        break;
      }
      case OP_LAST_MESSAGE: {
        const message = call.lastMessage;
        if (message !== undefined) {
          const raw = message.raw;
          const nul = raw.indexOf(0);
          const end = nul < 0 ? raw.length : nul;
          if (pos + end > buf.length) buf = grow(area, pos + end, pos);
          pos += raw.copy(buf, pos, 0, end);
        }
        continue;
      }
    }
    if (value !== '') {
      if (pos + value.length > buf.length) buf = grow(area, pos + value.length, pos);
      pos += buf.write(value, pos, 'latin1');
    }
  }

  if (lenAt >= 0) fillLength(buf, pos, lenAt, lenOffset);
  if (auth !== undefined) pos = insertAuthorization(area, pos, auth, call, method ?? '');
  return pos;
}

/** An [authentication] met while rendering: where it goes, with its rendered parameters. */
interface PendingAuthorization {
  at: number;
  username: string | undefined;
  password: string | undefined;
  /** A malformed keyword found in an injected field (reported when the message is built). */
  error: string | undefined;
}

/** Most bytes a [fill] writes (SIPp's limit is its message buffer; this keeps a typo from eating memory). */
const FILL_MAX = 1 << 20;

/** SIPp's [fill]: `text` repeated to `(int) length` characters, none when negative. */
function fillText(text: string, length: number): string {
  let n = Math.trunc(length);
  if (!(n > 0)) return '';
  if (n > FILL_MAX) n = FILL_MAX;
  return text.repeat(Math.ceil(n / text.length)).slice(0, n);
}

const AUDIO = Buffer.from('audio', 'latin1');
const IMAGE = Buffer.from('image', 'latin1');
const VIDEO = Buffer.from('video', 'latin1');

/**
 * SIPp's check before a media port (PCAPPLAY builds): the text rendered so far on the current
 * line must contain `audio`, `image` or `video`. Reports SIPp's error and returns false when not.
 */
function mediaLineOk(buf: Buffer, pos: number, call: CallKeywordState): boolean {
  const begin = buf.lastIndexOf(0x0a, pos - 1);
  if (begin <= 0) {
    call.keywordError('Can not find beginning of a line for the media port!');
    return false;
  }
  const line = buf.subarray(begin, pos);
  if (line.includes(AUDIO) || line.includes(IMAGE) || line.includes(VIDEO)) return true;
  call.keywordError(`media_port keyword with no audio or video on the current line (${line.toString('latin1')})`);
  return false;
}

/** SIPp's [authentication]: the answer over the rendered message, put where the keyword stood. */
function insertAuthorization(area: Area, pos: number, auth: PendingAuthorization, call: CallKeywordState, method: string): number {
  const at = auth.at;
  const message = area.buf.subarray(0, pos);
  const headerEnd = message.indexOf(CRLFCRLF);
  let body = headerEnd < 0 ? EMPTY : message.subarray(headerEnd + 4);
  const nul = body.indexOf(0);
  if (nul >= 0) body = body.subarray(0, nul);
  const header = call.authorization({
    method,
    body: Buffer.from(body),
    username: auth.username,
    password: auth.password,
    ...(auth.error !== undefined ? { error: auth.error } : {}),
  });
  const tail = Buffer.from(area.buf.subarray(at, pos));
  const end = at + header.length + tail.length;
  if (end > area.buf.length) grow(area, end, pos);
  area.buf.write(header, at, 'latin1');
  tail.copy(area.buf, at + header.length);
  return end;
}

/** SIPp's "Fix up the length" step of createSendingMessage. */
function fillLength(buf: Buffer, pos: number, at: number, offset: number): void {
  const body = buf.subarray(0, pos).indexOf(CRLFCRLF);
  if (body >= 0 && pos - body > 4 && pos - body < 100004) {
    const digits = String((pos - body - 4 + offset) >>> 0);
    // %5u; a longer number would overflow SIPp's field too: keep its first 5 characters.
    buf.write(digits.length >= 5 ? digits.slice(0, 5) : digits.padStart(5, ' '), at, 'latin1');
  } else {
    ZERO_LENGTH.copy(buf, at, 0, Math.min(ZERO_LENGTH.length, pos - at));
  }
}

// ---- small helpers ---------------------------------------------------------------------------

function nextSpecial(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x5b || c === 0x5c) break;
    i++;
  }
  return i === from ? from + 1 : i;
}

/** SIPp's quoted_strchr: the next `c` outside double quotes, -1 when none. */
function quotedIndexOf(text: string, c: number, from: number): number {
  let p = from;
  while (p < text.length) {
    const ch = text.charCodeAt(p);
    if (ch === c) return p;
    if (ch === 0x22 /* " */) {
      const q = text.indexOf('"', p + 1);
      if (q < 0) return -1;
      p = q;
    }
    p++;
  }
  return -1;
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function firstLineFrom(text: string, from: number): string {
  const nl = text.indexOf('\n', from);
  return text.slice(from, nl < 0 ? text.length : nl);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** C isspace(). */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * SIPp's command line, parsed the way SIPp 3.6.1 parses it.
 *
 * SIPp reads its arguments in passes, left to right each time:
 *  - pass 0: an unknown option is an error (exit 1); `-h`/`-help` prints the help, `-v` the
 *    version and `-sd NAME` a scenario (exit 99), whichever comes first; every other option
 *    only takes its values here, so a value is never read as an option (`-s -h` sets the
 *    service to "-h") and a missing value at the end is an error;
 *  - pass 1: every other option's value is checked and stored (`-r abc` is an error only if
 *    no `-h` stands anywhere on the line);
 *  - pass 2: the scenario (`-sf`, `-sn`);
 *  - pass 3: `-set` (kept raw here: it needs the scenario's <Global> variables).
 * Options take `-` or `--`. Any word not starting with `-` (and not an option's value) is
 * the positional `remote_host[:remote_port]`, wherever it stands; the last one wins.
 *
 * Pure: no process.exit, no console. The caller maps the result to output and an exit code.
 */
import * as t from 'io-ts';
import { decode, parseRtpCodec, parseTdmMap, ptimeError } from '@gossipper/core';
import { gossipperFlags, sippFlags } from './help.js';

// ---------------------------------------------------------------------------------------
// The result

const RequiredFields = t.type({
  /** -s: user part of the request URI ([service]). Default 'service'. */
  service: t.string,
  /** -p: local SIP port; 0 = first free of 5060..5119, then any. Default 0. */
  localPort: t.number,
  /** -mp: local media port ([media_port]). Default 6000. */
  mediaPort: t.number,
  /** -r: calls per rate period. Default 10. */
  rate: t.number,
  /** -rp: the rate period in ms. Default 1000. */
  ratePeriodMs: t.number,
  /** -d: duration of a <pause/> without its own, in ms. Default 0. */
  callDurationMs: t.number,
  /**
   * -t: u1/un (UDP), t1/tn (TCP), l1/ln (TLS): one socket for all calls, or one per call.
   * Aliases: s1/sn -> u1/un, sl/cl -> l1, cln -> ln. Default 'u1'.
   */
  transport: t.keyof({ u1: null, un: null, ui: null, t1: null, tn: null, l1: null, ln: null, w1: null, wn: null, wss1: null, wssn: null }),
  /** -timeout_error: reaching -timeout is a fatal error. Default false. */
  timeoutError: t.boolean,
  /** -max_retrans: UDP retransmissions before a call fails. Default 5. */
  maxRetrans: t.number,
  /** -nr: no UDP retransmissions. Default false. */
  noRetrans: t.boolean,
  /** -buff_size: socket send/receive buffer in bytes. Default 4194304 (larger than SIPp's). */
  bufferSize: t.number,
  /** -base_cseq: [cseq] of the first request of a call. Default 1. */
  baseCseq: t.number,
  /** -key k v: generic parameters [k]; a later -key with the same k wins. Default {}. */
  keys: t.record(t.string, t.string),
  /** -set var value: raw, in command-line order, for after the scenario is loaded. Default []. */
  sets: t.array(t.tuple([t.string, t.string])),
  /** -f: how often the screen is redrawn, in ms (0: only on a key). Default 1000. */
  reportFrequencyMs: t.number,
  /** -rate_scale: the step of the + - * / keys (1 and 10 times this). Default 1. */
  rateScale: t.number,
  /** -nostdin. Default false. */
  noStdin: t.boolean,
  /** -bg. Default false. */
  background: t.boolean,
  /** -trace_stat. Default false. */
  traceStat: t.boolean,
  /** -fd: statistics row interval in ms. Default 60000. */
  statFrequencyMs: t.number,
  /** -stat_delimiter. Default ';'. */
  statDelimiter: t.string,
  /** -trace_msg. Default false. */
  traceMsg: t.boolean,
  /** -trace_err: <scenario>_<pid>_errors.log. Default false. */
  traceErr: t.boolean,
  /** -trace_screen: <scenario>_<pid>_screen.log at exit. Default false. */
  traceScreen: t.boolean,
  /** -trace_counts: <scenario>_<pid>_counts.csv. Default false. */
  traceCounts: t.boolean,
  /** -trace_rtt: <scenario>_<pid>_rtt.csv. Default false. */
  traceRtt: t.boolean,
  /** -rtt_freq: RTD samples per -trace_rtt write. Default 200. */
  rttFrequency: t.number,
  /** -trace_shortmsg: <scenario>_<pid>_shortmessages.log. Default false. */
  traceShortMsg: t.boolean,
  /** -trace_error_codes: <scenario>_<pid>_error_codes.csv. Default false. */
  traceErrorCodes: t.boolean,
  /** -trace_logs: <scenario>_<pid>_logs.log. Default false. */
  traceLogs: t.boolean,
  /** -trace_calldebug: <scenario>_<pid>_calldebug.log. Default false. */
  traceCalldebug: t.boolean,
  /** IPv6: -i is an IPv6 address, or the remote host is an IPv6 literal. Default false. */
  ipv6: t.boolean,
});

const OptionalFields = t.partial({
  /** -dynamicStart, -dynamicStep, -dynamicMax: SIPp's [dynamic_id] counter (10000, 4, 18000 when absent). */
  dynamicStart: t.number,
  dynamicStep: t.number,
  dynamicMax: t.number,
  /** -tdmmap {x-X}{h}{y-Y}{z-Z}: the circuit table of [tdmmap]. */
  tdmMap: t.type({ x: t.number, a: t.number, h: t.number, y: t.number, b: t.number, z: t.number, c: t.number }),
  /**
   * -ip_field N: with -t ui, the field of the first -inf file that holds each call's source
   * address (0 when absent, as SIPp). Read only with -t ui, as SIPp does.
   */
  ipField: t.number,
  /** -sf FILE. */
  scenarioFile: t.string,
  /** -sn NAME; 'uac' when neither -sf nor -sn is given (as SIPp). */
  scenarioName: t.string,
  /** Positional remote_host (brackets of an IPv6 literal removed). */
  remoteHost: t.string,
  /** Positional :remote_port, when given (SIPp then uses 5060). */
  remotePort: t.number,
  /** -i (brackets and any :port removed, as SIPp). */
  localIp: t.string,
  /** -mi (brackets and any :port removed, as SIPp). */
  mediaIp: t.string,
  /** -l, or -users (which sets the open-call limit too). Absent: see {@link defaultCallLimit}. */
  callLimit: t.number,
  /** -m: stop after this many calls; absent = no limit (-m 0 = no call at all, as SIPp). */
  maxCalls: t.number,
  /** -users. */
  users: t.number,
  /** -timeout in ms; absent (or -timeout 0) = none. */
  timeoutMs: t.number,
  /** -recv_timeout in ms; absent (or 0) = none. */
  recvTimeoutMs: t.number,
  /** -stf. */
  statFile: t.string,
  /** -message_file. */
  messageFile: t.string,
  /** -error_file (needs -trace_err, as in SIPp). */
  errorFile: t.string,
  /** -screen_file (needs -trace_screen). */
  screenFile: t.string,
  /** -log_file (needs -trace_logs). */
  logFile: t.string,
  /** -shortmessage_file (needs -trace_shortmsg). */
  shortmessageFile: t.string,
  /** -calldebug_file (needs -trace_calldebug). */
  calldebugFile: t.string,
  /** -summary_json FILE (ours). */
  summaryJson: t.string,
  /** -media_scale (ours): synthetic RTP on the scale engine; set by -sn invite_media_scale too. */
  mediaScale: t.boolean,
  /** -media_threads N (ours); absent: the number of cores. */
  mediaThreads: t.number,
  /** -media_shared_socket (ours): one socket per media thread instead of one per stream. */
  mediaSharedSocket: t.boolean,
  /** -media_skip_late MS (ours): packets due longer ago are skipped; 500 when absent. */
  mediaSkipLateMs: t.number,
  /** -rtp_send (ours): the standalone RTP generator, no SIP. */
  rtpSend: t.boolean,
  /** -rtp_streams N; 1 when absent. */
  rtpStreams: t.number,
  /** -rtp_addr host:port. */
  rtpAddrHost: t.string,
  rtpAddrPort: t.number,
  /** -rtp_codec, e.g. PCMU/8000. */
  rtpCodec: t.string,
  /** -rtp_freq: packetization interval in ms. */
  rtpFreqMs: t.number,
  /** -rtp_dur in ms; absent: until stopped. */
  rtpDurMs: t.number,
  /** -rtp_pattern silence|tone. */
  rtpPattern: t.keyof({ silence: null, tone: null }),
  /** -rsa host[:port]: where packets are actually sent. */
  rsaHost: t.string,
  /** -default_behaviors / -nd: SIPp's default behaviours (absent: all on). */
  defaultBehaviors: t.type({ bye: t.boolean, abortUnexpected: t.boolean, pingReply: t.boolean }),
  /** -aa: answer unexpected INFO, NOTIFY, OPTIONS and UPDATE with a 200. */
  autoAnswer: t.boolean,
  /** -inf FILE and -infindex FILE FIELD, in command-line order (an index needs its file first). */
  injections: t.array(t.union([t.type({ inf: t.string }), t.type({ index: t.string, field: t.string })])),
  /** -au: user name for [authentication] (else the -s service). */
  authUsername: t.string,
  /** -ap: password for [authentication] (else "password"). */
  authPassword: t.string,
  /** -auth_uri: the URI digest answers are computed over (else sip:remote_ip:remote_port). */
  authUri: t.string,
  /** -rsa port; 5060 when -rsa has none (as SIPp). */
  rsaPort: t.number,
  /** -3pcc ip:port: the twin SIPp's address (3PCC). */
  twinHost: t.string,
  /** -3pcc port; 6060 when it has none (SIPp's DEFAULT_3PCC_PORT). */
  twinPort: t.number,
  /** -master NAME (3PCC extended mode). */
  master: t.string,
  /** -slave NAME (3PCC extended mode). */
  slave: t.string,
  /** -slave_cfg FILE: `name;ip:port` lines (3PCC extended mode). */
  slaveCfg: t.string,
  /** -max_socket: tn/ln connections open at once (SIPp's default 50000 when absent). */
  maxSocket: t.number,
  /** -max_reconnect: replacements of a lost t1/l1 connection (0 when absent). */
  maxReconnect: t.number,
  /** -reconnect_sleep in ms (1000 when absent). */
  reconnectSleepMs: t.number,
  /** -reconnect_close (true when absent). */
  reconnectClose: t.boolean,
  /** -tls_cert, -tls_key, -tls_ca, -tls_crl: PEM files. */
  tlsCert: t.string,
  tlsKey: t.string,
  tlsCa: t.string,
  tlsCrl: t.string,
  /** -tls_version: 1.0, 1.1, 1.2 or 1.3. */
  tlsVersion: t.string,
  /** -tls_verify (ours). */
  tlsVerify: t.boolean,
  /** -tls_sni NAME (ours). */
  tlsSni: t.string,
  /** -ws_path PATH (ours): the WebSocket upgrade's request path. */
  wsPath: t.string,
});

/** The run options, decoded at the edge with `decode(RunOptionsCodec, raw, 'command line')`. */
export const RunOptionsCodec = t.intersection([RequiredFields, OptionalFields], 'RunOptions');
export type RunOptions = t.TypeOf<typeof RunOptionsCodec>;

export type ParsedCommand =
  /** -h / -help (exit 99); `-h stat` asks for the statistics help. */
  | { kind: 'help'; topic?: 'stat' }
  /** -v (exit 99). */
  | { kind: 'version' }
  /** -sd NAME (exit 99); the caller checks that NAME is an embedded scenario (else exit 1). */
  | { kind: 'dump-scenario'; name: string }
  | { kind: 'run'; options: RunOptions }
  /** `gossipper demo [flags]`: the embedded uac against an embedded uas. */
  | { kind: 'demo'; options: RunOptions }
  /**
   * A bad command line (exit 1). `message` is one line naming the flag and the bad value.
   * `showHelp`: a usage error (unknown option, missing value) — print {@link helpHint} after
   * the message, where SIPp prints its help or "Use 'sipp -h' for details".
   */
  | { kind: 'error'; message: string; exitCode: 1; showHelp: boolean };

/** Defaults of the non-optional fields (SIPp's, except -buff_size which is larger on purpose). */
export const RUN_DEFAULTS: Readonly<
  Omit<RunOptions, 'keys' | 'sets'> & { keys: Readonly<Record<string, string>>; sets: readonly [] }
> = Object.freeze({
  service: 'service',
  localPort: 0,
  mediaPort: 6000,
  rate: 10,
  ratePeriodMs: 1000,
  callDurationMs: 0,
  transport: 'u1',
  timeoutError: false,
  maxRetrans: 5,
  noRetrans: false,
  bufferSize: 4194304,
  baseCseq: 1,
  keys: Object.freeze({}),
  sets: [] as const,
  reportFrequencyMs: 1000,
  rateScale: 1,
  noStdin: false,
  background: false,
  traceStat: false,
  statFrequencyMs: 60000,
  statDelimiter: ';',
  traceMsg: false,
  traceErr: false,
  traceScreen: false,
  traceCounts: false,
  traceRtt: false,
  rttFrequency: 200,
  traceShortMsg: false,
  traceErrorCodes: false,
  traceLogs: false,
  traceCalldebug: false,
  ipv6: false,
});

/**
 * SIPp's open-call limit when -l and -users are not given (CallGenerationTask::set_rate):
 * 3 * rate * max(scenario length, -d, 1000 ms) / rate period, at least 1.
 */
export function defaultCallLimit(p: {
  rate: number;
  ratePeriodMs: number;
  callDurationMs: number;
  scenarioDurationMs: number;
}): number {
  const length = Math.max(p.scenarioDurationMs, p.callDurationMs, 1000);
  const limit = Math.trunc((3 * p.rate * length) / p.ratePeriodMs);
  return limit >= 1 ? limit : 1;
}

// ---------------------------------------------------------------------------------------
// Value parsers: each returns the value or throws a UsageError naming the flag.

class UsageError extends Error {
  constructor(
    message: string,
    readonly showHelp = false,
  ) {
    super(message);
  }
}

const NUMBER = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^\d+$/;

function quote(value: string): string {
  return JSON.stringify(value);
}

function parseInteger(flag: string, value: string): number {
  if (!INTEGER.test(value)) {
    const what = /^-\d+$/.test(value) ? 'an integer >= 0' : 'an integer';
    throw new UsageError(`${flag}: expected ${what}, got ${quote(value)}`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: ${quote(value)} is too large`);
  return n;
}

/** A value SIPp reads as a C int and may be negative (-dynamicStart -5). */
function signedInteger(field: 'dynamicStart' | 'dynamicStep' | 'dynamicMax'): Apply {
  return (d, [v], f) => {
    if (!/^-?\d+$/.test(v)) throw new UsageError(`${f}: expected an integer, got ${quote(v)}`);
    const n = Number(v);
    if (n < -2147483648 || n > 2147483647) throw new UsageError(`${f}: ${quote(v)} is too large`);
    d[field] = n;
  };
}

function parsePort(flag: string, value: string): number {
  const n = INTEGER.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) {
    throw new UsageError(`${flag}: expected a port number (0-65535), got ${quote(value)}`);
  }
  return n;
}

function parseNumber(flag: string, value: string): number {
  if (!NUMBER.test(value)) {
    const what = /^-/.test(value) && NUMBER.test(value.slice(1)) ? 'a number >= 0' : 'a number';
    throw new UsageError(`${flag}: expected ${what}, got ${quote(value)}`);
  }
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${flag}: ${quote(value)} is too large`);
  return n;
}

const TIME_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const TIME = /^((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(ms|s|m|h)?$/;

/** A time with an optional ms/s/m/h suffix; a bare number is in `unit`. Result in whole ms. */
function parseTime(flag: string, value: string, unit: 'ms' | 's'): number {
  const match = TIME.exec(value);
  if (!match) {
    throw new UsageError(
      `${flag}: expected a time (a number with ms, s, m or h; bare: ${unit === 'ms' ? 'milliseconds' : 'seconds'}), got ${quote(value)}`,
    );
  }
  const ms = Math.trunc(Number(match[1]) * TIME_UNITS_MS[match[2] ?? unit]);
  if (!Number.isSafeInteger(ms)) throw new UsageError(`${flag}: ${quote(value)} is too large`);
  return ms;
}

/**
 * SIPp's get_host_and_port: `[v6]:port`, `[v6]`, `v6` (two colons or more: no port),
 * `host:port` or `host`. Unlike SIPp (atol), a port that is not a number is an error.
 */
export function splitHostPort(
  what: string,
  value: string,
): { host: string; port?: number } {
  const open = value.indexOf('[');
  const close = open >= 0 ? value.indexOf(']', open) : -1;
  let host: string;
  let portText: string | undefined;
  if (close >= 0) {
    host = value.slice(open + 1, close);
    const rest = value.slice(close + 1);
    if (rest.startsWith(':')) portText = rest.slice(1);
    else if (rest !== '') throw new UsageError(`${what}: malformed address ${quote(value)}`);
  } else {
    const first = value.indexOf(':');
    if (first >= 0 && value.indexOf(':', first + 1) < 0) {
      host = value.slice(0, first);
      portText = value.slice(first + 1);
    } else {
      host = value;
    }
  }
  if (host === '') throw new UsageError(`${what}: expected a host, got ${quote(value)}`);
  if (portText === undefined) return { host };
  const port = INTEGER.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(`${what}: expected a port number (0-65535) in ${quote(value)}, got ${quote(portText)}`);
  }
  return { host, port };
}

const TRANSPORT_ALIASES: Readonly<Record<string, RunOptions['transport']>> = {
  u1: 'u1',
  s1: 'u1',
  un: 'un',
  sn: 'un',
  ui: 'ui',
  t1: 't1',
  tn: 'tn',
  l1: 'l1',
  sl: 'l1',
  cl: 'l1',
  ln: 'ln',
  cln: 'ln',
  w1: 'w1',
  ws: 'w1',
  wn: 'wn',
  wss1: 'wss1',
  wss: 'wss1',
  wssn: 'wssn',
};
const UNSUPPORTED_TRANSPORTS = ['c1', 'cn'];

function parseTransport(value: string): RunOptions['transport'] {
  const mode = TRANSPORT_ALIASES[value];
  if (mode !== undefined) return mode;
  if (UNSUPPORTED_TRANSPORTS.includes(value)) throw new UsageError(`-t ${quote(value)} is not supported yet`);
  throw new UsageError(
    `-t: expected a transport (u1, un, ui, t1, tn, l1, ln, w1, wn, wss1, wssn, or the aliases s1, sn, sl, cl, cln, ws, wss), got ${quote(value)}`,
    true,
  );
}

/** SIPp's boolean option values. */
function parseBoolean(flag: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true' || v === 'yes' || v === '1') return true;
  if (v === 'false' || v === 'no' || v === '0') return false;
  throw new UsageError(`${flag}: expected true or false, got ${quote(value)}`);
}

// ---------------------------------------------------------------------------------------
// The options we support: name (without dash) -> how to store its values in the draft.

type Draft = Record<string, unknown> & {
  keys: Record<string, string>;
  sets: Array<[string, string]>;
};
type Apply = (draft: Draft, values: string[], flag: string) => void;

/**
 * SIPp's -default_behaviors: a comma list of all, none, bye, abortunexp, pingreply, each
 * turned off by a leading `-` (`all,-bye`); the list starts from none.
 */
function parseDefaultBehaviors(text: string, flag: string): { bye: boolean; abortUnexpected: boolean; pingReply: boolean } {
  const result = { bye: false, abortUnexpected: false, pingReply: false };
  for (const raw of text.split(',')) {
    const on = !raw.startsWith('-');
    const name = on ? raw : raw.slice(1);
    if (name === 'all' || name === 'none') {
      const value = name === 'all' ? on : !on;
      result.bye = result.abortUnexpected = result.pingReply = value;
    } else if (name === 'bye') result.bye = on;
    else if (name === 'abortunexp') result.abortUnexpected = on;
    else if (name === 'pingreply') result.pingReply = on;
    else throw new UsageError(`${flag}: unknown default behavior ${quote(name)} (all, none, bye, abortunexp, pingreply)`);
  }
  return result;
}

function injectionsOf(d: Draft): Array<{ inf: string } | { index: string; field: string }> {
  d.injections ??= [];
  return d.injections as Array<{ inf: string } | { index: string; field: string }>;
}

const set =
  (field: string): Apply =>
  (d, [v]) => {
    d[field] = v;
  };
const flagOn =
  (field: string): Apply =>
  (d) => {
    d[field] = true;
  };
const integer =
  (field: string): Apply =>
  (d, [v], f) => {
    d[field] = parseInteger(f, v);
  };
const time =
  (field: string, unit: 'ms' | 's', zeroMeansNone = false): Apply =>
  (d, [v], f) => {
    const ms = parseTime(f, v, unit);
    if (zeroMeansNone && ms === 0) delete d[field];
    else d[field] = ms;
  };
const fileName =
  (field: string): Apply =>
  (d, [v], f) => {
    if (v === '') throw new UsageError(`${f}: expected a file name, got ""`);
    d[field] = v;
  };
const ip =
  (field: string): Apply =>
  (d, [v], f) => {
    d[field] = splitHostPort(f, v).host;
  };

const supported: Readonly<Record<string, Apply>> = {
  sf: set('scenarioFile'), // pass 2, see parseCommandLine
  sn: set('scenarioName'), // pass 2
  rsa: (d, [v], f) => {
    const { host, port } = splitHostPort(f, v);
    d.rsaHost = host;
    d.rsaPort = port ?? 5060;
  },
  s: set('service'),
  i: ip('localIp'),
  p: (d, [v], f) => {
    d.localPort = parsePort(f, v);
  },
  mi: ip('mediaIp'),
  mp: (d, [v], f) => {
    d.mediaPort = parsePort(f, v);
  },
  r: (d, [v], f) => {
    d.rate = parseNumber(f, v);
  },
  rate_scale: (d, [v], f) => {
    d.rateScale = parseNumber(f, v);
  },
  f: time('reportFrequencyMs', 's'),
  rp: (d, [v], f) => {
    const ms = parseTime(f, v, 'ms');
    if (ms <= 0) throw new UsageError(`${f}: the rate period must be more than 0 ms, got ${quote(v)}`);
    d.ratePeriodMs = ms;
  },
  l: (d, [v], f) => {
    if (d.users !== undefined) {
      throw new UsageError(`${f}: can not set the open call limit when -users is given before it`);
    }
    d.callLimit = parseInteger(f, v);
  },
  m: integer('maxCalls'),
  ip_field: integer('ipField'),
  d: time('callDurationMs', 'ms'),
  t: (d, [v]) => {
    d.transport = parseTransport(v);
  },
  users: (d, [v], f) => {
    const users = parseInteger(f, v);
    d.users = users;
    d.callLimit = users; // as SIPp: -users sets the open call limit too
  },
  timeout: time('timeoutMs', 's', true),
  timeout_error: flagOn('timeoutError'),
  recv_timeout: time('recvTimeoutMs', 'ms', true),
  max_retrans: integer('maxRetrans'),
  nr: flagOn('noRetrans'),
  buff_size: (d, [v], f) => {
    const n = parseInteger(f, v);
    if (n <= 0) throw new UsageError(`${f}: the buffer size must be more than 0, got ${quote(v)}`);
    d.bufferSize = n;
  },
  base_cseq: integer('baseCseq'),
  dynamicStart: signedInteger('dynamicStart'),
  dynamicStep: signedInteger('dynamicStep'),
  dynamicMax: signedInteger('dynamicMax'),
  tdmmap: (d, [v], f) => {
    const spec = parseTdmMap(v);
    if (spec === undefined) {
      throw new UsageError(`${f}: Parameter -tdmmap must be of form {%d-%d}{%d}{%d-%d}{%d-%d}, got ${quote(v)}`);
    }
    d.tdmMap = spec;
  },
  key: (d, [k, v]) => {
    d.keys[k] = v;
  },
  set: (d, [k, v]) => {
    d.sets.push([k, v]); // pass 3, see parseCommandLine
  },
  inf: (d, [file]) => {
    injectionsOf(d).push({ inf: file });
  },
  infindex: (d, [file, field]) => {
    injectionsOf(d).push({ index: file, field });
  },
  aa: (d) => {
    d.autoAnswer = true;
  },
  nd: (d) => {
    d.defaultBehaviors = { bye: false, abortUnexpected: false, pingReply: false };
  },
  default_behaviors: (d, [v], f) => {
    d.defaultBehaviors = parseDefaultBehaviors(v, f);
  },
  au: set('authUsername'),
  ap: set('authPassword'),
  auth_uri: set('authUri'),
  nostdin: flagOn('noStdin'),
  bg: flagOn('background'),
  trace_stat: flagOn('traceStat'),
  stf: set('statFile'),
  fd: (d, [v], f) => {
    const ms = parseTime(f, v, 's');
    if (ms <= 0) throw new UsageError(`${f}: the dump interval must be more than 0, got ${quote(v)}`);
    d.statFrequencyMs = ms;
  },
  stat_delimiter: set('statDelimiter'),
  trace_msg: flagOn('traceMsg'),
  message_file: set('messageFile'),
  trace_err: flagOn('traceErr'),
  error_file: fileName('errorFile'),
  trace_screen: flagOn('traceScreen'),
  screen_file: fileName('screenFile'),
  trace_counts: flagOn('traceCounts'),
  trace_rtt: flagOn('traceRtt'),
  rtt_freq: (d, [v], f) => {
    const n = parseInteger(f, v);
    if (n <= 0) throw new UsageError(`${f}: the number of response times per write must be more than 0, got ${quote(v)}`);
    d.rttFrequency = n;
  },
  trace_shortmsg: flagOn('traceShortMsg'),
  shortmessage_file: fileName('shortmessageFile'),
  trace_error_codes: flagOn('traceErrorCodes'),
  trace_logs: flagOn('traceLogs'),
  log_file: fileName('logFile'),
  trace_calldebug: flagOn('traceCalldebug'),
  calldebug_file: fileName('calldebugFile'),
  summary_json: set('summaryJson'),
  media_scale: flagOn('mediaScale'),
  media_threads: (d, [v], f) => {
    const n = parseInteger(f, v);
    if (n < 1) throw new UsageError(`${f}: expected at least 1 thread, got ${quote(v)}`);
    d.mediaThreads = n;
  },
  media_shared_socket: flagOn('mediaSharedSocket'),
  media_skip_late: (d, [v], f) => {
    const ms = parseTime(f, v, 'ms');
    if (ms <= 0) throw new UsageError(`${f}: expected a duration above 0, got ${quote(v)}`);
    d.mediaSkipLateMs = ms;
  },
  media_srtp: flagOn('mediaSrtp'), // refused in checkMediaOptions, with the reason
  rtp_send: flagOn('rtpSend'),
  rtp_streams: (d, [v], f) => {
    const n = parseInteger(f, v);
    if (n < 1) throw new UsageError(`${f}: expected at least 1 stream, got ${quote(v)}`);
    d.rtpStreams = n;
  },
  rtp_addr: (d, [v], f) => {
    const { host, port } = splitHostPort(f, v);
    if (port === undefined) throw new UsageError(`${f}: expected host:port, got ${quote(v)}`);
    d.rtpAddrHost = host;
    d.rtpAddrPort = port;
  },
  rtp_codec: (d, [v], f) => {
    const codec = parseRtpCodec(v);
    if (typeof codec === 'string') throw new UsageError(`${f}: ${codec}`);
    d.rtpCodec = v;
  },
  rtp_freq: (d, [v], f) => {
    const ms = parseInteger(f, v);
    const problem = ptimeError(ms);
    if (problem !== undefined) throw new UsageError(`${f}: ${problem}`);
    d.rtpFreqMs = ms;
  },
  rtp_dur: (d, [v], f) => {
    const ms = parseTime(f, v, 'ms');
    if (ms <= 0) throw new UsageError(`${f}: expected a duration above 0, got ${quote(v)}`);
    d.rtpDurMs = ms;
  },
  rtp_pattern: (d, [v], f) => {
    if (v !== 'silence' && v !== 'tone') throw new UsageError(`${f}: expected silence or tone, got ${quote(v)}`);
    d.rtpPattern = v;
  },
  max_socket: (d, [v], f) => {
    const n = parseInteger(f, v);
    if (n <= 0) throw new UsageError(`${f}: the socket limit must be more than 0, got ${quote(v)}`);
    d.maxSocket = n;
  },
  max_reconnect: integer('maxReconnect'),
  reconnect_sleep: time('reconnectSleepMs', 'ms'),
  reconnect_close: (d, [v], f) => {
    d.reconnectClose = parseBoolean(f, v);
  },
  tls_cert: fileName('tlsCert'),
  tls_key: fileName('tlsKey'),
  tls_ca: fileName('tlsCa'),
  tls_crl: fileName('tlsCrl'),
  tls_version: (d, [v], f) => {
    if (!['1', '1.0', '1.1', '1.2', '1.3'].includes(v)) throw new UsageError(`${f}: expected 1.0, 1.1, 1.2 or 1.3, got ${quote(v)}`);
    d.tlsVersion = v;
  },
  tls_verify: flagOn('tlsVerify'),
  tls_sni: set('tlsSni'),
  ws_path: (d, [v], f) => {
    if (!v.startsWith('/')) throw new UsageError(`${f}: expected a path starting with /, got ${quote(v)}`);
    d.wsPath = v;
  },
  // 3PCC, with SIPp's checks in SIPp's order (each only sees the options before it).
  '3pcc': (d, [v], f) => {
    if (d.master !== undefined || d.slave !== undefined) {
      throw new UsageError('-3PCC option is not compatible with -master and -slave options');
    }
    if (d.slaveCfg !== undefined) throw new UsageError('-3pcc and -slave_cfg options are not compatible');
    const { host, port } = splitHostPort(f, v);
    d.twinHost = host;
    d.twinPort = port ?? 6060;
  },
  master: (d, [v]) => {
    if (d.master !== undefined || d.slave !== undefined) throw new UsageError('-slave and -master options are not compatible');
    if (d.twinHost !== undefined) throw new UsageError('-master and -slave options are not compatible with -3PCC option');
    d.master = v;
  },
  slave: (d, [v]) => {
    if (d.master !== undefined || d.slave !== undefined) throw new UsageError('-slave and -master options are not compatible');
    if (d.twinHost !== undefined) throw new UsageError('-master and -slave options are not compatible with -3PCC option');
    d.slave = v;
  },
  slave_cfg: (d, [v]) => {
    if (d.twinHost !== undefined) throw new UsageError('-slave_cfg and -3pcc options are not compatible');
    d.slaveCfg = v;
  },
};

/** The scenario that turns -media_scale on by itself. */
export const MEDIA_SCALE_SCENARIO = 'invite_media_scale';

/** -media_scale, -rtp_send and friends: the combinations that cannot work, said up front. */
function checkMediaOptions(d: Draft): void {
  if (d.scenarioName === MEDIA_SCALE_SCENARIO && d.scenarioFile === undefined) d.mediaScale = true;
  if (d.mediaSrtp === true) {
    delete d.mediaSrtp;
    throw new UsageError(
      d.mediaScale === true
        ? '-media_scale cannot be combined with -media_srtp: the scale engine sends cleartext RTP only'
        : '-media_srtp is not supported yet',
    );
  }
  const streams = (d.rtpStreams as number | undefined) ?? 1;
  if (streams > 1 && d.mediaScale !== true) {
    throw new UsageError(`-rtp_streams ${streams} needs -media_scale (more than one stream runs only on the scale engine)`);
  }
  if (d.rtpSend !== true) {
    for (const [field, flag] of [
      ['rtpStreams', 'rtp_streams'],
      ['rtpAddrHost', 'rtp_addr'],
      ['rtpCodec', 'rtp_codec'],
      ['rtpFreqMs', 'rtp_freq'],
      ['rtpDurMs', 'rtp_dur'],
      ['rtpPattern', 'rtp_pattern'],
    ] as const) {
      if (d[field] !== undefined) throw new UsageError(`-${flag} applies only to -rtp_send (the standalone RTP generator)`);
    }
  } else if (d.rtpAddrHost === undefined) {
    throw new UsageError('-rtp_send needs -rtp_addr host:port (where the RTP goes)');
  }
  if (d.mediaThreads !== undefined && d.mediaScale !== true) throw new UsageError('-media_threads applies only with -media_scale');
  if (d.mediaSharedSocket === true && d.mediaScale !== true) throw new UsageError('-media_shared_socket applies only with -media_scale');
  if (d.mediaSkipLateMs !== undefined && d.mediaScale !== true) throw new UsageError('-media_skip_late applies only with -media_scale');
}

/** The options `parseCommandLine` accepts (without dash), besides -h, -help, -v and -sd. */
export function supportedFlags(): string[] {
  return Object.keys(supported);
}

/** The name of an option token without its `-` or `--`, or undefined for a positional word. */
function optionName(token: string): string | undefined {
  if (!token.startsWith('-')) return undefined;
  return token.startsWith('--') ? token.slice(2) : token.slice(1);
}

function arityOf(name: string): 0 | 1 | 2 | undefined {
  if (Object.hasOwn(sippFlags, name)) return sippFlags[name];
  if (Object.hasOwn(gossipperFlags, name)) return gossipperFlags[name];
  return undefined;
}

function error(message: string, showHelp: boolean): ParsedCommand {
  return { kind: 'error', message, exitCode: 1, showHelp };
}

function isIpv6Literal(host: string | undefined): boolean {
  return host !== undefined && host.includes(':');
}

// ---------------------------------------------------------------------------------------

/**
 * Parse `gossipper`'s arguments (argv without node and the script).
 * `gossipper sipp [flags]` is `gossipper [flags]`; `gossipper demo [flags]` is the demo.
 * No arguments at all prints the help, as SIPp does.
 */
export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  let args = [...argv];
  let mode: 'run' | 'demo' = 'run';
  if (args[0] === 'sipp') {
    args = args.slice(1);
  } else if (args[0] === 'demo') {
    mode = 'demo';
    args = args.slice(1);
  }
  if (args.length === 0 && mode === 'run') return { kind: 'help' };

  // Pass 0: unknown options, -h/-v/-sd (first one wins), option values taken.
  interface Item {
    name?: string; // undefined: a positional word
    values: string[];
  }
  const items: Item[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i];
    const name = optionName(token);
    if (name === undefined) {
      items.push({ values: [token] });
      continue;
    }
    const arity = arityOf(name);
    if (arity === undefined) return error(`unknown option ${quote(token)}`, true);
    if (name === 'h' || name === 'help') {
      return args[i + 1] === 'stat' ? { kind: 'help', topic: 'stat' } : { kind: 'help' };
    }
    if (name === 'v') return { kind: 'version' };
    if (i + arity >= args.length) {
      const got = args.length - 1 - i;
      return error(
        arity === 1
          ? `-${name}: missing value`
          : `-${name}: expected ${arity} values, got ${got}`,
        true,
      );
    }
    const values = args.slice(i + 1, i + 1 + arity);
    if (name === 'sd') return { kind: 'dump-scenario', name: values[0] };
    items.push({ name, values });
    i += arity;
  }

  // Pass 1: every other option, left to right; the first error stops.
  const draft: Draft = { ...RUN_DEFAULTS, keys: {}, sets: [] };
  let remote: string | undefined;
  const scenarioItems: Item[] = [];
  const setItems: Item[] = [];
  try {
    for (const item of items) {
      if (item.name === undefined) {
        remote = item.values[0]; // the last one wins, as SIPp
        continue;
      }
      if (item.name === 'sf' || item.name === 'sn') {
        scenarioItems.push(item);
        continue;
      }
      if (item.name === 'set') {
        setItems.push(item);
        continue;
      }
      const apply = supported[item.name];
      if (apply === undefined) throw new UsageError(`-${item.name} is not supported yet`);
      apply(draft, item.values, `-${item.name}`);
    }
    if (remote !== undefined) {
      const { host, port } = splitHostPort('remote host', remote);
      draft.remoteHost = host;
      if (port !== undefined) draft.remotePort = port;
    }

    // Pass 2: the scenario. SIPp stops on a second one ("main_scenario already set").
    if (scenarioItems.length > 1) {
      const [a, b] = scenarioItems;
      throw new UsageError(
        `-${b.name} ${quote(b.values[0])}: a scenario is already given (-${a.name} ${quote(a.values[0])})`,
      );
    }
    for (const item of scenarioItems) supported[item.name!](draft, item.values, `-${item.name}`);
    if (scenarioItems.length === 0) draft.scenarioName = 'uac';

    // Pass 3: -set, kept raw.
    for (const item of setItems) supported.set(draft, item.values, '-set');

    checkMediaOptions(draft);
    if (draft.transport === 'ui' && !injectionsOf(draft).some((item) => 'inf' in item)) {
      throw new UsageError('-t ui sends each call from the address in its -inf line: give -inf FILE (and -ip_field N for its field, 0 by default)');
    }
  } catch (e) {
    if (e instanceof UsageError) return error(e.message, e.showHelp);
    throw e;
  }

  draft.ipv6 = isIpv6Literal(draft.localIp as string | undefined) ||
    isIpv6Literal(draft.remoteHost as string | undefined);

  let options: RunOptions;
  try {
    options = decode(RunOptionsCodec, draft, 'command line');
  } catch (e) {
    return error(e instanceof Error ? e.message : String(e), false);
  }
  return { kind: mode, options };
}

// Runs a step's `<action>` block for one call, as SIPp's call::executeAction does. The call
// gives access to its variables and to the effects an action may have (log, stop, ...).
import type { Action, EregAction, Operand, StrcmpAction, TestAction } from '../scenario/actions.js';
import type { VariableValue } from '../scenario/variables.js';
import type { FailureCause } from '../stats/types.js';
import type { TextTemplate } from '../template/types.js';
import { verifyAuthorization } from '../auth/digest.js';
import type { InjectionSet } from '../inject/set.js';
import type { RtpStreamCommand } from '../media/rtp-stream.js';

/** What an action may read or do to its call and run. */
export interface ActionHost {
  /** The index of the step whose actions run (SIPp's msg_index). */
  readonly stepIndex: number;
  readonly stepCount: number;
  variable(slot: number): VariableValue;
  render(text: TextTemplate): string;
  /** `<log>`: a line for the -trace_logs file. */
  log(text: string): void;
  /** `<warning>` and failed checks: a line for the error log. */
  warn(text: string): void;
  /** `<error>`, a bad jump: SIPp stops the whole run (exit 255). */
  fatal(text: string): void;
  /** `<exec command>`: run it with /bin/sh, without waiting. */
  runCommand(command: string): void;
  /** `<exec rtp_stream>`: start, pause, resume or stop the call's synthetic RTP. */
  rtpStream(command: RtpStreamCommand): void;
  /** `<exec int_cmd="stop_gracefully">`: no new calls. */
  stopGracefully(): void;
  /** `<exec int_cmd="stop_now">`: end the run at once (exit 97). */
  stopNow(): void;
  /** `<setdest>`; returns an error text when it cannot. */
  setDestination(host: string, port: string, protocol: string): string | undefined;
  /** Wall-clock time in ms since the epoch (for gettimeofday). */
  wallClockMs(): number;
  /** The run's uniform [0, 1) source. */
  readonly random: () => number;
  /** Run an operation on the -inf files; their errors are fatal (the fallback is returned). */
  injected<T>(operation: (set: InjectionSet) => T, fallback: T): T;
}

export type ActionOutcome =
  /** Go on with the call. `jumpTo`: the step a `<jump>` chose. `checkFailed`: the call fails at its end. */
  | { kind: 'continue'; jumpTo: number | undefined; checkFailed: FailureCause | undefined }
  /** `int_cmd="stop_call"`: the call ends now, counted as rejected. */
  | { kind: 'stop-call' }
  /** A fatal error or stop_now: the run is ending. */
  | { kind: 'halted' };

const CONTINUE: ActionOutcome = { kind: 'continue', jumpTo: undefined, checkFailed: undefined };

/**
 * Run `actions` in order. `message` is the text of the message just received or sent ('' for a
 * nop). A failed check (`check_it`) skips the remaining actions and marks the call to fail when
 * it ends, as SIPp does; the call itself goes on.
 */
export function runActions(actions: readonly Action[], message: string, host: ActionHost): ActionOutcome {
  let jumpTo: number | undefined;
  for (const action of actions) {
    switch (action.kind) {
      case 'ereg': {
        const failed = ereg(action, message, host);
        if (failed !== undefined) return { kind: 'continue', jumpTo, checkFailed: failed };
        break;
      }
      case 'log':
        host.log(host.render(action.message));
        break;
      case 'warning':
        host.warn(host.render(action.message));
        break;
      case 'error':
        host.fatal(host.render(action.message));
        return { kind: 'halted' };
      case 'assign':
        host.variable(action.assignTo).setDouble(operand(action.operand, host));
        break;
      case 'add':
      case 'subtract':
      case 'multiply':
      case 'divide': {
        const target = host.variable(action.assignTo);
        const rhs = operand(action.operand, host);
        const lhs = target.getDouble();
        if (action.kind === 'add') target.setDouble(lhs + rhs);
        else if (action.kind === 'subtract') target.setDouble(lhs - rhs);
        else if (action.kind === 'multiply') target.setDouble(lhs * rhs);
        else if (rhs === 0) host.warn('Action failure: Can not divide by zero!');
        else target.setDouble(lhs / rhs);
        break;
      }
      case 'assignstr':
        host.variable(action.assignTo).setString(host.render(action.value));
        break;
      case 'gettimeofday': {
        const ms = host.wallClockMs();
        const seconds = Math.floor(ms / 1000);
        host.variable(action.seconds).setDouble(seconds);
        host.variable(action.microseconds).setDouble(Math.floor((ms - seconds * 1000) * 1000));
        break;
      }
      case 'index':
        host.variable(action.slot).setDouble(host.stepIndex);
        break;
      case 'trim': {
        const variable = host.variable(action.slot);
        variable.setString(variable.getString().replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, ''));
        break;
      }
      case 'urlencode': {
        const variable = host.variable(action.slot);
        variable.setString(urlEncode(variable.getString()));
        break;
      }
      case 'urldecode': {
        const variable = host.variable(action.slot);
        variable.setString(urlDecode(variable.getString()));
        break;
      }
      case 'jump': {
        const target = Math.trunc(operand(action.operand, host));
        if (target === host.stepIndex) {
          host.fatal(`Jump statement at index ${host.stepIndex} jumps to itself and causes an infinite loop`);
          return { kind: 'halted' };
        }
        if (target > host.stepCount - 1) {
          host.fatal(`Jump statement out of range in index ${host.stepIndex}`);
          return { kind: 'halted' };
        }
        jumpTo = Math.max(target, 0);
        break;
      }
      case 'todouble': {
        const value = host.variable(action.variable).toDouble();
        if (value === undefined) host.warn('Invalid double conversion');
        else host.variable(action.assignTo).setDouble(value);
        break;
      }
      case 'test': {
        const failed = test(action, host);
        if (failed !== undefined) return { kind: 'continue', jumpTo, checkFailed: failed };
        break;
      }
      case 'strcmp': {
        const failed = strcmp(action, host);
        if (failed !== undefined) return { kind: 'continue', jumpTo, checkFailed: failed };
        break;
      }
      case 'exec':
        host.runCommand(host.render(action.command));
        break;
      case 'rtp_stream':
        host.rtpStream(action.command);
        break;
      case 'int_cmd':
        if (action.command === 'stop_call') return { kind: 'stop-call' };
        if (action.command === 'stop_now') {
          host.stopNow();
          return { kind: 'halted' };
        }
        host.stopGracefully();
        break;
      case 'sample':
        host.variable(action.assignTo).setDouble(action.distribution.sample(host.random));
        break;
      case 'lookup': {
        const file = host.render(action.file);
        const key = host.render(action.key);
        host.variable(action.assignTo).setDouble(host.injected((set) => set.lookup(file, key), -1));
        break;
      }
      case 'insert': {
        const file = host.render(action.file);
        const value = host.render(action.value);
        host.injected((set) => set.insert(file, value), undefined);
        break;
      }
      case 'replace': {
        const file = host.render(action.file);
        const line = host.render(action.line);
        const value = host.render(action.value);
        host.injected((set) => set.replace(file, line, value), undefined);
        break;
      }
      case 'verifyauth':
        host.variable(action.assignTo).setBool(verifyRequest(message, host.render(action.username), host.render(action.password)));
        break;
      case 'setdest': {
        const problem = host.setDestination(host.render(action.host), host.render(action.port), host.render(action.protocol));
        if (problem !== undefined) {
          host.fatal(problem);
          return { kind: 'halted' };
        }
        break;
      }
    }
  }
  return jumpTo === undefined ? CONTINUE : { kind: 'continue', jumpTo, checkFailed: undefined };
}

/**
 * SIPp's verifyauth on the message just received: only a request's `Authorization` header is
 * read (a Proxy-Authorization never verifies), over its method and body.
 */
function verifyRequest(message: string, username: string, password: string): boolean {
  const lineEnd = message.indexOf('\n');
  const space = message.indexOf(' ');
  if (lineEnd < 0 || space < 0 || lineEnd < space) return false;
  const headerEnd = message.indexOf('\r\n\r\n');
  const head = headerEnd < 0 ? message : message.slice(0, headerEnd);
  const authorization = /(?:^|\n)Authorization:[ \t]*([^\r\n]*)/i.exec(head)?.[1] ?? '';
  return verifyAuthorization({
    authorizationHeaderValue: authorization,
    method: message.slice(0, space),
    username,
    password,
    body: Buffer.from(headerEnd < 0 ? '' : message.slice(headerEnd + 4), 'latin1'),
  });
}

/** SIPp's get_rhs. */
function operand(value: Operand, host: ActionHost): number {
  return 'value' in value ? value.value : host.variable(value.variable).getDouble();
}

function ereg(action: EregAction, message: string, host: ActionHost): FailureCause | undefined {
  let haystack: string;
  switch (action.searchIn) {
    case 'msg':
      haystack = message;
      break;
    case 'hdr':
      haystack = extractHeader(message, action.header!, action.regexp.flags.includes('i'), action.occurrence, action.headersOnly);
      break;
    case 'body': {
      const at = message.indexOf('\r\n\r\n');
      haystack = at < 0 ? '' : message.slice(at + 4);
      break;
    }
    case 'var':
      haystack = host.variable(action.variable!).getString();
      break;
  }
  const match = action.regexp.exec(haystack);
  if (match !== null) {
    // Whole match, then the groups, stopping at the first group that did not take part.
    const slots = [action.assignTo, ...action.subAssignTo];
    for (let i = 0; i < slots.length; i++) {
      const text = match[i];
      if (text === undefined) break;
      host.variable(slots[i]!).setMatch(text);
    }
  }
  if (match === null && action.checkIt) {
    host.warn(`Failed regexp match: looking in '${haystack}', with regexp '${action.source}'`);
    return 'regexp-doesnt-match';
  }
  if (match !== null && action.checkItInverse) {
    host.warn(`Regexp matched but should not: looking in '${haystack}', with regexp '${action.source}'`);
    return 'regexp-shouldnt-match';
  }
  return undefined;
}

/**
 * SIPp's extractSubMessage: the text after the first (or `occurrence`-th) `header` up to the
 * end of its line. Without `headersOnly` (start_line) the name is found anywhere in the
 * message, as SIPp's strstr does; `caseIndep` compares without case.
 */
export function extractHeader(
  message: string,
  header: string,
  caseIndep: boolean,
  occurrence: number,
  headersOnly: boolean,
): string {
  const haystack = caseIndep ? message.toLowerCase() : message;
  const needle = caseIndep ? header.toLowerCase() : header;
  let remaining = occurrence;
  let at = haystack.indexOf(needle);
  while (at >= 0) {
    const atLineStart = at === 0 || haystack.charCodeAt(at - 1) === 0x0a;
    if (!headersOnly || atLineStart) {
      if (remaining <= 1) break;
      remaining--;
    }
    at = haystack.indexOf(needle, at + 1);
  }
  if (at < 0) return '';
  const start = at + header.length;
  let end = start;
  while (end < message.length && message.charCodeAt(end) !== 0x0a && message.charCodeAt(end) !== 0x0d) end++;
  return message.slice(start, end);
}

function test(action: TestAction, host: ActionHost): FailureCause | undefined {
  const lhs = host.variable(action.variable).getDouble();
  const rhs = operand(action.operand, host);
  let result: boolean;
  switch (action.compare) {
    case 'equal':
      result = lhs === rhs;
      break;
    case 'not_equal':
      result = lhs !== rhs;
      break;
    case 'greater_than':
      result = lhs > rhs;
      break;
    case 'less_than':
      result = lhs < rhs;
      break;
    case 'greater_than_equal':
      result = lhs >= rhs;
      break;
    case 'less_than_equal':
      result = lhs <= rhs;
      break;
  }
  if (action.assignTo !== undefined) host.variable(action.assignTo).setBool(result);
  if (action.checkIt && !result) return 'test-doesnt-match';
  if (action.checkItInverse && result) return 'test-shouldnt-match';
  return undefined;
}

function strcmp(action: StrcmpAction, host: ActionHost): FailureCause | undefined {
  const lhs = host.variable(action.variable).getString();
  const rhs = 'value' in action.other ? action.other.value : host.variable(action.other.variable).getString();
  const result = compareBytes(lhs, rhs);
  if (action.assignTo !== undefined) host.variable(action.assignTo).setDouble(result);
  if (action.checkIt && result !== 0) return 'strcmp-doesnt-match';
  if (action.checkItInverse && result === 0) return 'strcmp-shouldnt-match';
  return undefined;
}

/** C strcmp on latin1 text: the difference of the first bytes that differ (as glibc returns it). */
function compareBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length === b.length ? 0 : a.length > n ? a.charCodeAt(n) : -b.charCodeAt(n);
}

/** RFC 3986 percent-encoding of everything but the unreserved characters (SIPp's url_encode). */
function urlEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) & 0xff;
    const ch = text[i]!;
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else out += `%${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function urlDecode(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * 3PCC (third-party call control): SIPp's twin modes, decided as SIPp's computeSippMode
 * does from the scenario's first twin command and the command line, and the small text
 * rules of twin commands. Pure: the TCP connections live in an adapter behind TwinChannel.
 */
import type { Scenario } from '../scenario/types.js';

/**
 * SIPp's thirdPartyMode:
 * - `controller-a`: -3pcc, sendCmd first, a client scenario: connects to the twin (3PCC-C-A);
 * - `a-passive`: -3pcc, sendCmd first, a server scenario: connects to the twin;
 * - `controller-b`: -3pcc, recvCmd first: listens on the twin address; each command for an
 *   unknown Call-ID starts an outgoing call with that Call-ID (3PCC-C-B);
 * - `master` / `master-passive`: -master NAME, sendCmd first: listens on its own address of
 *   the -slave_cfg file and connects to every `dest=` peer;
 * - `slave`: -slave NAME, recvCmd first: listens on its own address; commands start calls.
 */
export type ThirdPartyRole = 'controller-a' | 'a-passive' | 'controller-b' | 'master' | 'master-passive' | 'slave';

/** The 3PCC part of the command line. */
export interface ThirdPartyOptions {
  /** -3pcc ip:port. */
  twinAddress?: string;
  /** -master NAME. */
  master?: string;
  /** -slave NAME. */
  slave?: string;
  /** -slave_cfg FILE was given (its peers are in `peers`). */
  extended?: boolean;
}

/** A refusal SIPp makes after the scenario is loaded (exit 255). */
export class ThirdPartyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThirdPartyError';
  }
}

/**
 * The run's 3PCC role, or undefined for a scenario without twin commands. Throws
 * ThirdPartyError with SIPp's messages when the command line does not fit the scenario.
 */
export function thirdPartyRole(scenario: Pick<Scenario, 'thirdParty'>, options: ThirdPartyOptions): ThirdPartyRole | undefined {
  const info = scenario.thirdParty;
  if (info === undefined) return undefined;
  const twin = options.twinAddress !== undefined;
  const extended = options.extended === true;
  if (info.sipSteps === false) throw new ThirdPartyError('Unable to determine send mode of the tool (server, client)');
  if (extended && !twin) {
    if (info.recvCmdWithoutSrc) throw new ThirdPartyError("You must specify a 'src' for recvCmd when using extended 3pcc mode!");
    if (info.sendCmdWithoutDest) throw new ThirdPartyError("You must specify a 'dest' for sendCmd with extended 3pcc mode!");
  }
  if (info.firstCommand === 'sendCmd') {
    if (!twin && !extended) {
      throw new ThirdPartyError(
        'sendCmd message found in scenario but no twin sipp address has been passed! Use -3pcc option or 3pcc extended mode',
      );
    }
    if (twin) return info.creation === 'server' ? 'a-passive' : 'controller-a';
    if (options.master === undefined) {
      throw new ThirdPartyError('Inconsistency between command line and scenario: master scenario but -master option not set');
    }
    return info.creation === 'server' ? 'master-passive' : 'master';
  }
  if (!twin && !extended) {
    throw new ThirdPartyError('recvCmd message found in scenario but no twin sipp address has been passed! Use -3pcc option');
  }
  if (twin) return 'controller-b';
  if (options.slave === undefined) {
    throw new ThirdPartyError('Inconsistency between command line and scenario: slave scenario but -slave option not set');
  }
  return 'slave';
}

/** Whether a command for an unknown Call-ID starts a new (outgoing) call, as in SIPp. */
export function commandsStartCalls(role: ThirdPartyRole | undefined): boolean {
  return role === 'controller-b' || role === 'a-passive' || role === 'master-passive' || role === 'slave';
}

/** Whether the role listens for twin connections (true) or only connects (false). */
export function listensForTwin(role: ThirdPartyRole): boolean {
  return role !== 'controller-a' && role !== 'a-passive';
}

/**
 * The -slave_cfg file: one `name;host:port` per line (SIPp reads it with strtok, so a line
 * without a `;` or an address is skipped). Later lines win.
 */
export function parseSlaveCfg(text: string): Map<string, string> {
  const peers = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const fields = raw.split(';').filter((f) => f !== '');
    const name = fields[0];
    const address = fields[1]?.trim();
    if (name === undefined || address === undefined || address === '') continue;
    peers.set(name, address);
  }
  return peers;
}

/** The value of a header line of a command (SIPp's get_header_content), or '' when absent. */
function headerValue(command: string, names: readonly string[]): string {
  for (const line of command.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (names.includes(name)) return line.slice(colon + 1).trim();
  }
  return '';
}

/** The Call-ID a command is for (`Call-ID:` or the compact `i:`), or '' when it has none. */
export function commandCallId(command: string): string {
  return headerValue(command, ['call-id', 'i']);
}

/**
 * SIPp's check_peer_src: the first word after the first `From:` of the command names the
 * sender; true when it is `src`.
 */
export function commandFrom(command: string): string | undefined {
  const at = command.indexOf('From:');
  if (at < 0) return undefined;
  let p = at + 5;
  while (command[p] === ' ' || command[p] === '\t') p++;
  let end = p;
  while (end < command.length && !' \t\r\n'.includes(command[end]!)) end++;
  // SIPp needs a character after the word (strtok-like scan); a bare name at the very end fails.
  if (end === p || end >= command.length) return undefined;
  return command.slice(p, end);
}

/** SIPp's checkInternalCmd: `internal-cmd: abort_call` aborts the call instead of matching. */
export function isAbortCommand(command: string): boolean {
  const at = command.indexOf('internal-cmd:');
  if (at < 0) return false;
  let p = at + 13;
  while (command[p] === ' ' || command[p] === '\t') p++;
  let end = p;
  while (end < command.length && !' \t\r\n'.includes(command[end]!)) end++;
  if (end >= command.length) return false;
  return command.slice(p, end) === 'abort_call';
}

/** The text actions see: SIPp removes every trailing CRLF (the transport's) first. */
export function commandText(command: string): string {
  let text = command;
  while (text.endsWith('\r\n')) text = text.slice(0, -2);
  return text;
}

// SIPp 3.6.1's keyboard while a run goes on (socket.cpp process_key) and its quit counter
// (sipp.cpp: `quitting`), as pure logic: no terminal, no timers.

/** The screens of SIPp's keys 1..9. */
export type ScreenId = 'scenario' | 'stats' | 'repartition' | 'variables' | 'tdm';

export interface ScreenChoice {
  screen: ScreenId;
  /** With `repartition`: 1 for key 3, 2..5 for keys 6..9 (the RTD number). */
  which: number;
}

/** What the keys act on: the running engine, seen through what SIPp's keys change. */
export interface RunControl {
  /** Server mode: SIPp has no call generation task, so `p` does nothing and the rate is not shown. */
  readonly serverMode: boolean;
  /** -tdmmap given: key 5 shows the TDM map (without it, key 5 does nothing). */
  readonly hasTdmMap: boolean;
  /** -rate_scale: the step of + - * /. */
  readonly rateScale: number;
  /** -users mode: the rate keys change the number of users instead. */
  readonly usersMode: boolean;
  rate(): number;
  /** Set the rate (SIPp's CallGenerationTask::set_rate: also the default open-call limit). */
  setRate(rate: number): void;
  users(): number;
  setUsers(users: number): void;
  paused(): boolean;
  setPaused(paused: boolean): void;
  /** No new calls; the run ends when the open calls have ended. */
  stopNewCalls(): void;
  /** Abort every call and end the run now. */
  quitNow(): void;
  /** `set limit N` (command line): a fixed open-call limit, as -l. */
  setCallLimit(limit: number): void;
  /** A warning of a command, shown as SIPp's `Last Error:` line. */
  warn(message: string): void;
  /** `s`: dump the screens to the screen file (only with -trace_screen, as SIPp). */
  dumpScreens(): void;
  readonly traceScreen: boolean;
}

/**
 * The rate after one of SIPp's rate keys: `+`/`-` add or take 1 * rate_scale, `*`/`/` add or
 * take 10 * rate_scale (SIPp's help for -r says so; they do not multiply or divide). A rate
 * below 0 becomes 0, as in set_rate.
 */
export function rateAfterKey(rate: number, key: '+' | '-' | '*' | '/', rateScale: number): number {
  const steps = { '+': 1, '-': -1, '*': 10, '/': -10 }[key];
  const next = rate + steps * rateScale;
  return next < 0 ? 0 : next;
}

/**
 * The number of users after a rate key in -users mode: SIPp's `(int)(users + n * rate_scale)`
 * (truncated toward zero), at least 0.
 */
export function usersAfterKey(users: number, key: '+' | '-' | '*' | '/', rateScale: number): number {
  const steps = { '+': 1, '-': -1, '*': 10, '/': -10 }[key];
  const next = Math.trunc(users + steps * rateScale);
  return next < 0 ? 0 : next;
}

/**
 * SIPp's keys and its `quitting` counter. `q` and SIGUSR1 add 10, `Q` adds 20; from 1 on no
 * new call is made (and the screen says "Waiting for active calls to end"), above 11 every
 * call is aborted and the run ends at once: so a second `q` (or a `q` after SIGUSR1) quits now.
 */
export class KeyHandler {
  choice: ScreenChoice = { screen: 'scenario', which: 1 };
  quitting = 0;
  /** SIPp's command line (key `c`): the text typed so far, undefined when not typing one. */
  command: string | undefined;
  /** -rate_scale, which `set rate-scale` changes. */
  rateScale: number;

  constructor(private readonly control: RunControl) {
    this.rateScale = control.rateScale;
  }

  /** Handle one key; true when the screen is to be redrawn at once for it. */
  key(c: string): boolean {
    const control = this.control;
    if (this.command !== undefined) {
      if (c === '\r' || c === '\n') {
        const text = this.command;
        this.command = undefined;
        this.runCommand(text);
      } else if (c === '\x7f' || c === '\b') {
        this.command = this.command.slice(0, -1);
      } else {
        this.command += c;
      }
      return true;
    }
    switch (c) {
      case 'c':
        this.command = '';
        return true;
      case '1':
        this.choice = { screen: 'scenario', which: 1 };
        return true;
      case '2':
        this.choice = { screen: 'stats', which: 1 };
        return true;
      case '3':
        this.choice = { screen: 'repartition', which: 1 };
        return true;
      case '4':
        this.choice = { screen: 'variables', which: 1 };
        return true;
      case '5':
        if (!control.hasTdmMap) return false;
        this.choice = { screen: 'tdm', which: 1 };
        return true;
      case '6':
      case '7':
      case '8':
      case '9':
        this.choice = { screen: 'repartition', which: c.charCodeAt(0) - '6'.charCodeAt(0) + 2 };
        return true;
      case '+':
      case '-':
      case '*':
      case '/':
        if (control.usersMode) control.setUsers(usersAfterKey(control.users(), c, this.rateScale));
        else control.setRate(rateAfterKey(control.rate(), c, this.rateScale));
        return true;
      case 'p':
        if (!control.serverMode) control.setPaused(!control.paused());
        return true;
      case 's':
        if (control.traceScreen) control.dumpScreens();
        return false;
      case 'q':
        this.addQuitting(10);
        return true;
      case 'Q':
        this.addQuitting(20);
        return true;
      default:
        return false;
    }
  }

  /**
   * SIPp's process_command: `set rate|rate-scale|users|limit|display|hide VALUE`; a mistake
   * is a warning with SIPp's text. `trace`, `dump` and `reset` are not supported yet.
   */
  runCommand(input: string): void {
    const control = this.control;
    const warn = (message: string): void => control.warn(message);
    const [command, rest] = splitWord(input.trim());
    if (rest === undefined) return warn(`The ${command} command requires at least one argument`);
    switch (command) {
      case 'set':
        break;
      case 'trace':
      case 'dump':
      case 'reset':
        return warn(`The ${command} command is not supported yet`);
      default:
        return warn(`Unrecognized command: "${command}"`);
    }
    const [what, value] = splitWord(rest);
    if (value === undefined) return warn('The set command requires two arguments (attribute and value)');
    switch (what) {
      case 'rate': {
        const rate = cNumber(value);
        if (control.usersMode) return warn('Rates can not be set in a user-based benchmark.');
        if (rate === undefined) return warn(`Invalid rate value: "${value}"`);
        return control.setRate(rate < 0 ? 0 : rate);
      }
      case 'rate-scale': {
        const scale = cNumber(value);
        if (scale === undefined) return warn(`Invalid rate-scale value: "${value}"`);
        this.rateScale = scale;
        return;
      }
      case 'users': {
        const users = cInteger(value);
        if (!control.usersMode) return warn('Users can not be changed at run time for a rate-based benchmark.');
        if (users === undefined || users < 0) return warn(`Invalid users value: "${value}"`);
        return control.setUsers(users);
      }
      case 'limit': {
        const limit = cInteger(value);
        if (control.usersMode) return warn('Can not set call limit for a user-based benchmark.');
        if (limit === undefined || limit < 0) return warn(`Invalid limit value: "${value}"`);
        return control.setCallLimit(limit);
      }
      case 'display':
        if (value !== 'main') warn(`Unknown display scenario: ${value}`);
        return;
      case 'hide':
        if (value !== 'true' && value !== 'false') warn(`Invalid bool: ${value}`);
        return;
      default:
        return warn(`Unknown set attribute: ${what}`);
    }
  }

  /** SIGUSR1: SIPp's soft exit, as `q` (no redraw of its own). */
  softExit(): void {
    this.addQuitting(10);
  }

  private addQuitting(n: number): void {
    this.quitting += n;
    if (this.quitting > 11) this.control.quitNow();
    else this.control.stopNewCalls();
  }
}

/** The first word and the rest (trimmed), as SIPp's strchr(' ') split; no rest: undefined. */
function splitWord(text: string): [string, string | undefined] {
  const space = text.indexOf(' ');
  if (space < 0) return [text, undefined];
  return [text.slice(0, space), text.slice(space + 1).trim()];
}

/** strtod with nothing left over: a decimal number, or undefined. */
function cNumber(text: string): number | undefined {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined;
}

/** strtol(text, &end, 0) with nothing left over: decimal, 0x hex or 0 octal, or undefined. */
function cInteger(text: string): number | undefined {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(text);
  if (!m) return undefined;
  const digits = m[2]!;
  const n = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits.startsWith('0') ? parseInt(digits, 8) : Number(digits);
  return m[1] === '-' ? -n : n;
}

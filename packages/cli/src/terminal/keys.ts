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

  constructor(private readonly control: RunControl) {}

  /** Handle one key; true when SIPp redraws the screen at once for it. */
  key(c: string): boolean {
    const control = this.control;
    switch (c) {
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
        if (control.usersMode) control.setUsers(usersAfterKey(control.users(), c, control.rateScale));
        else control.setRate(rateAfterKey(control.rate(), c, control.rateScale));
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

import { describe, expect, it } from 'vitest';
import { KeyHandler, rateAfterKey, usersAfterKey } from '../src/terminal/keys.js';
import type { RunControl } from '../src/terminal/keys.js';
import { expandTabs, screenRows } from '../src/terminal/tty-screen.js';

/** A RunControl that records what the keys did. */
function fakeControl(overrides: Partial<RunControl> = {}) {
  const log: string[] = [];
  let rate = 10;
  let users = 5;
  let paused = false;
  const control: RunControl = {
    serverMode: false,
    hasTdmMap: false,
    rateScale: 1,
    usersMode: false,
    traceScreen: false,
    rate: () => rate,
    setRate: (r) => {
      rate = r;
      log.push(`rate ${r}`);
    },
    users: () => users,
    setUsers: (u) => {
      users = u;
      log.push(`users ${u}`);
    },
    paused: () => paused,
    setPaused: (p) => {
      paused = p;
      log.push(p ? 'pause' : 'resume');
    },
    stopNewCalls: () => log.push('stop new calls'),
    quitNow: () => log.push('quit now'),
    dumpScreens: () => log.push('dump'),
    setCallLimit: (limit) => log.push(`limit ${limit}`),
    warn: (text) => log.push(`warning: ${text}`),
    ...overrides,
  };
  return { control, log };
}

describe('rate keys (SIPp process_key)', () => {
  it('+ and - step by 1 * rate_scale, * and / by 10 * rate_scale', () => {
    expect(rateAfterKey(10, '+', 1)).toBe(11);
    expect(rateAfterKey(10, '-', 1)).toBe(9);
    expect(rateAfterKey(10, '*', 1)).toBe(20);
    expect(rateAfterKey(10, '/', 1)).toBe(0);
    expect(rateAfterKey(2, '*', 0.5)).toBe(7);
    expect(rateAfterKey(2.5, '+', 0.5)).toBe(3);
  });

  it('never goes below 0', () => {
    expect(rateAfterKey(3, '/', 1)).toBe(0);
    expect(rateAfterKey(0, '-', 1)).toBe(0);
  });

  it('-users: whole users, truncated as (int), at least 0', () => {
    expect(usersAfterKey(5, '+', 1)).toBe(6);
    expect(usersAfterKey(5, '*', 0.25)).toBe(7);
    expect(usersAfterKey(5, '/', 1)).toBe(0);
  });
});

describe('KeyHandler', () => {
  it('starts on the scenario screen; 1-4 and 6-9 choose screens', () => {
    const { control } = fakeControl();
    const keys = new KeyHandler(control);
    expect(keys.choice).toEqual({ screen: 'scenario', which: 1 });
    expect(keys.key('2')).toBe(true);
    expect(keys.choice.screen).toBe('stats');
    keys.key('3');
    expect(keys.choice).toEqual({ screen: 'repartition', which: 1 });
    keys.key('4');
    expect(keys.choice.screen).toBe('variables');
    keys.key('6');
    expect(keys.choice).toEqual({ screen: 'repartition', which: 2 });
    keys.key('9');
    expect(keys.choice).toEqual({ screen: 'repartition', which: 5 });
    keys.key('1');
    expect(keys.choice.screen).toBe('scenario');
  });

  it('5 shows the TDM map only with -tdmmap; otherwise nothing changes', () => {
    const without = new KeyHandler(fakeControl().control);
    without.key('2');
    expect(without.key('5')).toBe(false);
    expect(without.choice.screen).toBe('stats');
    const withMap = new KeyHandler(fakeControl({ hasTdmMap: true }).control);
    expect(withMap.key('5')).toBe(true);
    expect(withMap.choice.screen).toBe('tdm');
  });

  it('rate keys set the rate, or the users in -users mode', () => {
    const rateMode = fakeControl();
    const keys = new KeyHandler(rateMode.control);
    for (const k of ['+', '+', '*', '-', '/']) keys.key(k);
    expect(rateMode.log).toEqual(['rate 11', 'rate 12', 'rate 22', 'rate 21', 'rate 11']);
    const usersMode = fakeControl({ usersMode: true });
    const ukeys = new KeyHandler(usersMode.control);
    ukeys.key('+');
    ukeys.key('/');
    expect(usersMode.log).toEqual(['users 6', 'users 0']);
  });

  it('p toggles the pause; in server mode it does nothing', () => {
    const client = fakeControl();
    const keys = new KeyHandler(client.control);
    keys.key('p');
    keys.key('p');
    expect(client.log).toEqual(['pause', 'resume']);
    const server = fakeControl({ serverMode: true });
    new KeyHandler(server.control).key('p');
    expect(server.log).toEqual([]);
  });

  it('q stops new calls, a second q quits now', () => {
    const { control, log } = fakeControl();
    const keys = new KeyHandler(control);
    keys.key('q');
    expect(log).toEqual(['stop new calls']);
    expect(keys.quitting).toBe(10);
    keys.key('q');
    expect(log).toEqual(['stop new calls', 'quit now']);
  });

  it('Q quits now', () => {
    const { control, log } = fakeControl();
    new KeyHandler(control).key('Q');
    expect(log).toEqual(['quit now']);
  });

  it('SIGUSR1 counts as q: after it, q quits now', () => {
    const { control, log } = fakeControl();
    const keys = new KeyHandler(control);
    keys.softExit();
    expect(log).toEqual(['stop new calls']);
    keys.key('q');
    expect(log).toEqual(['stop new calls', 'quit now']);
  });

  it('s dumps the screens only with -trace_screen', () => {
    const off = fakeControl();
    new KeyHandler(off.control).key('s');
    expect(off.log).toEqual([]);
    const on = fakeControl({ traceScreen: true });
    new KeyHandler(on.control).key('s');
    expect(on.log).toEqual(['dump']);
  });

  it('other keys do nothing', () => {
    const { control, log } = fakeControl();
    const keys = new KeyHandler(control);
    for (const k of ['x', '0', ' ', '\r', 'P']) expect(keys.key(k)).toBe(false);
    expect(log).toEqual([]);
    expect(keys.choice.screen).toBe('scenario');
  });
});

describe('expandTabs', () => {
  it('puts blanks up to the next multiple of 8, as curses', () => {
    expect(expandTabs('2026-11-23\t13:25:34.459917\t1795440334.459917')).toBe(
      '2026-11-23      13:25:34.459917 1795440334.459917',
    );
    expect(expandTabs('no tabs')).toBe('no tabs');
  });
});

describe('screenRows (curses layout)', () => {
  it('a line filling the 80 columns is followed by an empty row; shorter ones are not', () => {
    const full = 'x'.repeat(80);
    expect(screenRows(`title\n${full}\nshort\n\nend\n`, 80)).toEqual(['title', full, '', 'short', '', 'end']);
  });

  it('a longer line wraps; on a wider terminal nothing is added', () => {
    expect(screenRows(`${'a'.repeat(85)}\n`, 80)).toEqual(['a'.repeat(80), 'aaaaa']);
    expect(screenRows(`${'x'.repeat(80)}\n`, 100)).toEqual(['x'.repeat(80)]);
  });
});

describe('the command line (key c), as SIPp process_command', () => {
  const typed = (keys: KeyHandler, text: string): void => {
    for (const c of text) keys.key(c);
  };

  it('c, the command, Enter: set rate', () => {
    const { control, log } = fakeControl();
    const keys = new KeyHandler(control);
    keys.key('c');
    typed(keys, 'set rate 5');
    expect(keys.command).toBe('set rate 5');
    expect(log).toEqual([]);
    keys.key('\r');
    expect(keys.command).toBeUndefined();
    expect(log).toEqual(['rate 5']);
  });

  it('keys typed in a command are not keys: q, p and digits go into the command', () => {
    const { control, log } = fakeControl();
    const keys = new KeyHandler(control);
    keys.key('c');
    typed(keys, 'qp2');
    expect(log).toEqual([]);
    expect(keys.choice.screen).toBe('scenario');
    keys.key('\x7f');
    expect(keys.command).toBe('qp');
  });

  it("set rate-scale changes the keys' step; set limit fixes the open-call limit", () => {
    const { control, log } = fakeControl();
    const keys = new KeyHandler(control);
    keys.runCommand('set rate-scale 2.5');
    keys.key('+');
    keys.runCommand('set limit 0x10');
    expect(log).toEqual(['rate 12.5', 'limit 16']);
  });

  it("mistakes are warnings with SIPp's text", () => {
    const { control, log } = fakeControl();
    const keys = new KeyHandler(control);
    for (const command of ['bogus 1', 'set', 'set rate', 'set rate abc', 'set users 3', 'set color red', 'set hide maybe']) {
      keys.runCommand(command);
    }
    expect(log).toEqual([
      'warning: Unrecognized command: "bogus"',
      'warning: The set command requires at least one argument',
      'warning: The set command requires two arguments (attribute and value)',
      'warning: Invalid rate value: "abc"',
      'warning: Users can not be changed at run time for a rate-based benchmark.',
      'warning: Unknown set attribute: color',
      'warning: Invalid bool: maybe',
    ]);
  });

  it('-users: set users, and no rate or limit', () => {
    const { control, log } = fakeControl({ usersMode: true });
    const keys = new KeyHandler(control);
    keys.runCommand('set users 8');
    keys.runCommand('set rate 3');
    keys.runCommand('set limit 3');
    keys.runCommand('set users -1');
    expect(log).toEqual([
      'users 8',
      'warning: Rates can not be set in a user-based benchmark.',
      'warning: Can not set call limit for a user-based benchmark.',
      'warning: Invalid users value: "-1"',
    ]);
  });
});

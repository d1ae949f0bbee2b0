/**
 * SIPp's interactive terminal, checked against the real SIPp 3.6.1: both run in tmux windows
 * of 80x40 against one SIPp uas, get the same keys, and their screens are compared by
 * structure (titles, footers, line count, the text with every number replaced by #), not by
 * live numbers. Ports 13720-13739 on 127.0.0.1. Every wait is bounded; nothing is timed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithSipp, SIPP_PATH } from './support/peers.js';
import { GOSSIPPER_BIN, killAllTracked, session, waitFor, delay } from './support/procs.js';
import { boundUdpPorts, LOOPBACK, waitForUdpBound } from './support/net.js';
import { describeWithTmuxAndSipp, Tmux } from './support/tmux.js';

afterAll(killAllTracked);

const TITLES: Record<string, string> = {
  '1': '------------------------------ Scenario Screen -------- [1-9]: Change Screen --',
  '2': '----------------------------- Statistics Screen ------- [1-9]: Change Screen --',
  '3': '---------------------------- Repartition Screen ------- [1-9]: Change Screen --',
  '4': '----------------------------- Variables Screen -------- [1-9]: Change Screen --',
  '6': '--------------------------- Repartition 2 Screen ------ [1-9]: Change Screen --',
  '9': '--------------------------- Repartition 5 Screen ------ [1-9]: Change Screen --',
};
const RUNNING = '------ [+|-|*|/]: Adjust rate ---- [q]: Soft exit ---- [p]: Pause traffic -----';
const PAUSED = '----------------- Traffic Paused - Press [p] again to resume ------------------';
const QUITTING = '------- Waiting for active calls to end. Press [q] again to force exit. -------';
const TERMINATED = '------------------------------ Test Terminated --------------------------------';

/**
 * The screen on a pane: its rows from the title to the footer (SIPp's command-line echo may
 * stay below its footer: curses does not know of it).
 */
function screenOf(rows: string[]): string[] {
  let last = rows.length - 1;
  while (last >= 0 && ![RUNNING, PAUSED, QUITTING].includes(rows[last]!)) last--;
  if (last < 0) {
    last = rows.length - 1;
    while (last >= 0 && rows[last] === '') last--;
  }
  return rows.slice(0, last + 1);
}

/** A screen's text with every number as # and runs of blanks as one: its structure. */
function skeleton(rows: string[]): string[] {
  return rows.map((row) => row.replace(/\d+(\.\d+)?/g, '#').replace(/\s+/g, ' ').trim());
}

/** After the program: the pane's terminal mode (icanon on = the terminal was given back). */
const STTY = "stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '";

/** A tmux server for one test, killed when the test ends. */
function tmuxFor(ctx: { onTestFinished(fn: () => void): void }): Tmux {
  const tmux = new Tmux();
  ctx.onTestFinished(() => tmux.kill());
  return tmux;
}

describeWithTmuxAndSipp('interactive terminal, side by side with SIPp 3.6.1 in tmux', () => {
  it('same screens for keys 1-4, 6, 9; same rate steps, pause and soft exit; terminal given back', async (ctx) => {
    const s = session(ctx);
    const tmux = tmuxFor(ctx);
    const uas = s.sipp(['-sn', 'uas', '-i', LOOPBACK, '-p', '13720']);
    await waitForUdpBound(13720, uas);
    const common = `-sn uac -i ${LOOPBACK} ${LOOPBACK}:13720 -r 2 -d 2000`;
    tmux.start('ours', `${process.execPath} ${GOSSIPPER_BIN} ${common} -p 13721; echo EXIT=$?; ${STTY}; sleep 30`, s.dir);
    tmux.start('sipp', `${SIPP_PATH} ${common} -p 13722; echo EXIT=$?; sleep 30`, s.dir);
    const both = ['ours', 'sipp'] as const;
    const screen = (name: string): string[] => screenOf(tmux.capture(name));
    const waitBoth = async (what: string, check: (rows: string[]) => boolean): Promise<void> => {
      await waitFor(`${what} on both screens`, () => both.every((name) => check(screen(name))), 10_000);
    };

    // The scenario screen first, with the client footer.
    await waitBoth('the scenario screen', (rows) => rows[0] === TITLES['1'] && rows.at(-1) === RUNNING);
    expect(tmux.display('ours', '#{alternate_on}')).toBe('1');

    // p: paused, on both.
    for (const name of both) tmux.type(name, 'p');
    await waitBoth('the pause footer', (rows) => rows.at(-1) === PAUSED);

    // + then *: 2 -> 3 -> 13 calls per second, and the open-call limit follows (3 * rate * 2 s).
    for (const name of both) tmux.type(name, '+');
    await waitBoth('rate 3', (rows) => (rows[2] ?? '').startsWith('  3.0(2000 ms)/1.000s'));
    for (const name of both) tmux.type(name, '*');
    await waitBoth('rate 13', (rows) => (rows[2] ?? '').startsWith('  13.0(2000 ms)/1.000s'));
    for (const name of both) expect(screen(name)[5]).toMatch(/^ {2}\d+ calls \(limit 78\)/);
    for (const name of both) tmux.type(name, '//');
    await waitBoth('rate 0', (rows) => (rows[2] ?? '').startsWith('  0.0(2000 ms)/1.000s'));
    for (const name of both) expect(screen(name)[5]).toMatch(/^ {2}\d+ calls \(limit 1\)/);

    // Every screen: same title, same number of lines, same text but the numbers.
    for (const key of ['1', '2', '3', '4', '6', '9']) {
      for (const name of both) tmux.type(name, key);
      await waitBoth(`screen ${key}`, (rows) => rows[0] === TITLES[key] && rows.at(-1) === PAUSED);
      const ours = screen('ours');
      const theirs = screen('sipp');
      expect(ours.length, `screen ${key}: line count`).toBe(theirs.length);
      expect(skeleton(ours), `screen ${key}`).toEqual(skeleton(theirs));
    }

    for (const name of both) tmux.type(name, '1');
    await waitBoth('the scenario screen again', (rows) => rows[0] === TITLES['1']);

    // The command line (c ... Enter), ours only: SIPp 3.6.1 echoes the typed text behind
    // curses' back, which leaves its screen garbled until a full redraw.
    tmux.type('ours', 'cset rate 5');
    await waitFor('the Command: line', () => tmux.capture('ours').includes('Command: set rate 5'), 10_000);
    tmux.press('ours', 'Enter');
    await waitFor('rate 5', () => (screen('ours')[2] ?? '').startsWith('  5.0(2000 ms)/1.000s'), 10_000);
    expect(screen('ours')[5]).toMatch(/^ {2}\d+ calls \(limit 30\)/);
    tmux.type('ours', 'cbogus 1');
    tmux.press('ours', 'Enter');
    await waitFor('the Last Error line', () => screen('ours').at(-2) === 'Last Error: Unrecognized command: "bogus"', 10_000);

    // q: no new calls, the run ends when the open calls have; both exit 0.
    for (const name of both) tmux.type(name, 'q');
    await waitFor('both runs to end', () => both.every((name) => tmux.capture(name).some((r) => r.startsWith('EXIT='))), 15_000);
    for (const name of both) {
      const rows = tmux.capture(name);
      expect(rows, name).toContain('EXIT=0');
      expect(rows, name).toContain(TERMINATED);
    }
    // The terminal is back: main screen, cursor shown, canonical mode and echo on.
    expect(tmux.display('ours', '#{alternate_on}')).toBe('0');
    expect(tmux.display('ours', '#{cursor_flag}')).toBe('1');
    await waitFor('stty output', () => tmux.capture('ours').some((r) => r.includes('icanon')), 5000);
    expect(tmux.capture('ours').find((r) => r.includes('icanon'))).toBe('icanon echo');
  });

  it('-users, -tdmmap and actions: screens 1, 4 and 5 and the users keys as SIPp', async (ctx) => {
    const s = session(ctx);
    const tmux = tmuxFor(ctx);
    const uas = s.sipp(['-sn', 'uas', '-i', LOOPBACK, '-p', '13736']);
    await waitForUdpBound(13736, uas);
    const common = `-sn regexp -i ${LOOPBACK} ${LOOPBACK}:13736 -users 3 -d 2000 -tdmmap {0-1}{99}{5-6}{1-3}`;
    tmux.start('ours', `${process.execPath} ${GOSSIPPER_BIN} ${common} -p 13737; echo EXIT=$?; sleep 30`, s.dir);
    tmux.start('sipp', `${SIPP_PATH} ${common} -p 13738; echo EXIT=$?; sleep 30`, s.dir);
    const both = ['ours', 'sipp'] as const;
    const screen = (name: string): string[] => screenOf(tmux.capture(name));
    const waitBoth = async (what: string, check: (rows: string[]) => boolean): Promise<void> => {
      await waitFor(`${what} on both screens`, () => both.every((name) => check(screen(name))), 10_000);
    };
    await waitBoth('the scenario screen', (rows) => rows[0] === TITLES['1'] && rows.at(-1) === RUNNING);
    for (const name of both) tmux.type(name, '+');
    await waitBoth('4 users', (rows) => (rows[2] ?? '').startsWith('  4 (2000 ms)'));
    await waitBoth('the limit of 4 users', (rows) => /^ {2}\d+ calls \(limit 4\)/.test(rows[5] ?? ''));
    expect(screen('ours')[1]).toBe(screen('sipp')[1]);
    for (const name of both) tmux.type(name, '4');
    await waitBoth('the variables screen', (rows) => rows[0] === TITLES['4']);
    expect(screen('ours')).toEqual(screen('sipp'));
    for (const name of both) tmux.type(name, '5');
    const tdm = '------------------------------ TDM map Screen --------- [1-9]: Change Screen --';
    await waitBoth('the TDM map screen', (rows) => rows[0] === tdm);
    // Which circuits are busy depends on the moment: compare the layout, '*' and '.' alike.
    const layout = (rows: string[]): string[] => skeleton(rows).map((r) => r.replace(/^[*.]+$/, 'row'));
    expect(layout(screen('ours'))).toEqual(layout(screen('sipp')));
    for (const name of both) tmux.type(name, 'qq');
  });

  it('-timeout ends the run and gives the terminal back', async (ctx) => {
    const s = session(ctx);
    const tmux = tmuxFor(ctx);
    const uas = s.sipp(['-sn', 'uas', '-i', LOOPBACK, '-p', '13739']);
    await waitForUdpBound(13739, uas);
    tmux.start(
      'ours',
      `${process.execPath} ${GOSSIPPER_BIN} -sn uac -i ${LOOPBACK} ${LOOPBACK}:13739 -p 13733 -r 5 -d 10000 -timeout 2s; echo EXIT=$?; ${STTY}; sleep 30`,
      s.dir,
    );
    await waitFor('the scenario screen', () => tmux.capture('ours')[0] === TITLES['1'], 10_000);
    await waitFor('the run to end', () => tmux.capture('ours').some((r) => r.startsWith('EXIT=')), 15_000);
    const rows = tmux.capture('ours');
    expect(rows).toContain('EXIT=97');
    expect(rows).toContain(TERMINATED);
    expect(tmux.display('ours', '#{alternate_on}')).toBe('0');
    expect(tmux.display('ours', '#{cursor_flag}')).toBe('1');
    await waitFor('stty output', () => tmux.capture('ours').some((r) => r.includes('icanon')), 5000);
    expect(tmux.capture('ours').find((r) => r.includes('icanon'))).toBe('icanon echo');
  });

  for (const [how, press] of [
    ['Ctrl-C', (t: Tmux) => t.press('ctlc', 'C-c')],
    ['Q', (t: Tmux) => t.type('ctlc', 'Q')],
    ['q q', (t: Tmux) => t.type('ctlc', 'qq')],
  ] as const) {
    it(`${how} quits at once and gives the terminal back`, async (ctx) => {
      const s = session(ctx);
      const tmux = tmuxFor(ctx);
      const uas = s.sipp(['-sn', 'uas', '-i', LOOPBACK, '-p', '13724']);
      await waitForUdpBound(13724, uas);
      tmux.start(
        'ctlc',
        `${process.execPath} ${GOSSIPPER_BIN} -sn uac -i ${LOOPBACK} ${LOOPBACK}:13724 -p 13725 -r 5 -d 10000; echo EXIT=$?; ${STTY}; sleep 30`,
        s.dir,
      );
      await waitFor('the scenario screen', () => tmux.capture('ctlc')[0] === TITLES['1'], 10_000);
      // Some calls open (they last 10 s), so quitting at once is seen: they are aborted.
      await waitFor('open calls', () => /^ {2}[1-9]\d* calls/.test(tmux.capture('ctlc')[5] ?? ''), 10_000);
      press(tmux);
      await waitFor('the run to end', () => tmux.capture('ctlc').some((r) => r.startsWith('EXIT=')), 10_000);
      const rows = tmux.capture('ctlc');
      expect(rows).toContain('EXIT=0');
      expect(rows).toContain(TERMINATED);
      expect(tmux.display('ctlc', '#{alternate_on}')).toBe('0');
      expect(tmux.display('ctlc', '#{cursor_flag}')).toBe('1');
      await waitFor('stty output', () => tmux.capture('ctlc').some((r) => r.includes('icanon')), 5000);
      expect(tmux.capture('ctlc').find((r) => r.includes('icanon'))).toBe('icanon echo');
    });
  }
});

/** Screen titles and footers of a screen dump, in order. */
function dumpOutline(text: string): string[] {
  return text.split('\n').filter((l) => /^-{5}.*-{2}$/.test(l) && !/^-+\+-+\+-+$/.test(l));
}

describeWithSipp('SIGUSR1 and SIGUSR2 without a terminal, as SIPp 3.6.1', () => {
  it('SIGUSR2 dumps the screens to <scenario>_<pid>_screen.log, SIGUSR1 is a soft exit', async (ctx) => {
    const s = session(ctx);
    const uas = s.sipp(['-sn', 'uas', '-i', LOOPBACK, '-p', '13726']);
    await waitForUdpBound(13726, uas);
    const args = ['-sn', 'uac', '-i', LOOPBACK, `${LOOPBACK}:13726`, '-r', '2', '-d', '2000'];
    const ours = s.gossipper([...args, '-p', '13727']);
    const theirs = s.sipp([...args, '-p', '13728']);
    await waitForUdpBound(13727, ours);
    await waitForUdpBound(13728, theirs);
    await delay(1500); // a few calls under way on both
    ours.signal('SIGUSR2');
    theirs.signal('SIGUSR2');
    const ourFile = s.path(`uac_${ours.pid}_screen.log`);
    const theirFile = s.path(`uac_${theirs.pid}_screen.log`);
    await waitFor('our screen dump', () => existsSync(ourFile) && readFileSync(ourFile, 'latin1').includes('Repartition'), 10_000);
    expect(ours.alive).toBe(true);
    ours.signal('SIGUSR1');
    theirs.signal('SIGUSR1');
    const [ourExit, theirExit] = await Promise.all([ours.wait(15_000), theirs.wait(15_000)]);
    expect(ourExit.code).toBe(0);
    expect(theirExit.code).toBe(0);
    expect(ours.stdout).toContain(TERMINATED);
    expect(theirs.stdout).toContain(TERMINATED);
    // The dump: scenario, statistics and repartition screens with the running footer, as SIPp's.
    const ourDump = readFileSync(ourFile, 'latin1');
    const theirDump = readFileSync(theirFile, 'latin1');
    expect(dumpOutline(ourDump)).toEqual(dumpOutline(theirDump));
    expect(dumpOutline(ourDump)).toEqual([TITLES['1'], RUNNING, TITLES['2'], RUNNING, TITLES['3'], RUNNING]);
    expect(ourDump.split('\n').length).toBe(theirDump.split('\n').length);
  });

  it('-trace_screen: SIGUSR2 dumps add up in the screen file, the exit dump comes after them', async (ctx) => {
    const s = session(ctx);
    const uas = s.sipp(['-sn', 'uas', '-i', LOOPBACK, '-p', '13730']);
    await waitForUdpBound(13730, uas);
    const args = ['-sn', 'uac', '-i', LOOPBACK, `${LOOPBACK}:13730`, '-r', '2', '-d', '2000', '-trace_screen'];
    const ours = s.gossipper([...args, '-p', '13731']);
    const theirs = s.sipp([...args, '-p', '13732']);
    await waitForUdpBound(13731, ours);
    await waitForUdpBound(13732, theirs);
    await delay(1200);
    for (let i = 0; i < 2; i++) {
      ours.signal('SIGUSR2');
      theirs.signal('SIGUSR2');
      await delay(300);
    }
    ours.signal('SIGUSR1');
    theirs.signal('SIGUSR1');
    const [ourExit, theirExit] = await Promise.all([ours.wait(15_000), theirs.wait(15_000)]);
    expect(ourExit.code).toBe(0);
    expect(theirExit.code).toBe(0);
    const ourDump = readFileSync(s.path(`uac_${ours.pid}_screen.log`), 'latin1');
    const theirDump = readFileSync(s.path(`uac_${theirs.pid}_screen.log`), 'latin1');
    expect(dumpOutline(ourDump)).toEqual(dumpOutline(theirDump));
    expect(dumpOutline(ourDump).filter((l) => l === TITLES['1'])).toHaveLength(3);
    expect(dumpOutline(ourDump).slice(-2)).toEqual([TITLES['3'], QUITTING]);
  });
});

describe('-bg', () => {
  it('the background run takes SIGUSR2 and SIGUSR1 too', async (ctx) => {
    const s = session(ctx);
    const uas = s.gossipper(['-sn', 'uas', '-i', LOOPBACK, '-p', '13734', '-nostdin']);
    await waitForUdpBound(13734, uas);
    const parent = s.gossipper(['-sn', 'uac', '-i', LOOPBACK, `${LOOPBACK}:13734`, '-p', '13735', '-r', '2', '-d', '1000', '-bg']);
    const parentExit = await parent.wait(10_000);
    expect(parentExit.code).toBe(99);
    const pid = Number(/PID=\[(\d+)\]/.exec(parent.stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      await waitFor('the background run to bind its port', () => alive() && boundUdpPorts().has(13735), 10_000);
      await delay(1000);
      process.kill(pid, 'SIGUSR2');
      const file = s.path(`uac_${pid}_screen.log`);
      await waitFor('the screen dump', () => existsSync(file) && readFileSync(file, 'latin1').includes('Repartition'), 10_000);
      expect(dumpOutline(readFileSync(file, 'latin1'))).toEqual([TITLES['1'], RUNNING, TITLES['2'], RUNNING, TITLES['3'], RUNNING]);
      process.kill(pid, 'SIGUSR1');
      await waitFor('the background run to end', () => !alive(), 15_000);
    } finally {
      if (alive()) process.kill(pid, 'SIGKILL');
    }
  });
});

/**
 * Pause distributions against the real SIPp 3.6.1 (Debian `sip-tester`, built with GSL):
 * - the load errors: `sipp -sf` exits 1 and prints the message parsePause gives;
 * - the scenario screen: a UAC scenario with every kind of pause runs one call against
 *   `sipp -sn uas` on 127.0.0.1 (ports 13300-13349) with -trace_screen, and each `Pause [...]`
 *   line of the screen log starts as our pauseScreenText, padded as SIPp pads it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseDistribution, parsePause, pauseScreenText } from '../../src/scenario/distribution.js';

const SIPP = '/usr/bin/sipp';
const HAVE_SIPP = existsSync(SIPP);
const IN_CI = process.env.CI === 'true';

if (!HAVE_SIPP && !IN_CI) {
  console.warn(
    '\n*** SKIPPED: pause distributions against real SIPp: /usr/bin/sipp is missing. ' +
      'Install the Debian package `sip-tester` (apt-get install sip-tester) to run it. ***\n',
  );
}

const UAS_PORT = 13300;
const UAC_PORT = 13301;
const ERROR_PORT = 13348;
const ERROR_REMOTE_PORT = 13349;
const PLACE = { file: 'pause.xml', line: 1 };

const cwd = HAVE_SIPP ? mkdtempSync(join(tmpdir(), 'sipp-dist-')) : '';
afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

const children: ChildProcess[] = [];
afterEach(() => {
  // Only the processes this test started, by their handle (PID).
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const xmlAttrs = (a: Record<string, string>): string =>
  Object.entries(a)
    .map(([k, v]) => `${k}="${v}"`)
    .join(' ');

const OPTIONS = `
  <send>
    <![CDATA[
      OPTIONS sip:x@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:a@[local_ip]>;tag=1
      To: <sip:x@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 1 OPTIONS
      Content-Length: 0
    ]]>
  </send>`;

function runSippOn(
  name: string,
  body: string,
  extra: string[] = ['-timeout', '3s'],
  timeout = 8000,
): { status: number | null; output: string } {
  const file = join(cwd, `${name}.xml`);
  writeFileSync(file, `<?xml version="1.0" encoding="ISO-8859-1"?>\n<scenario name="t">${OPTIONS}\n  ${body}\n</scenario>\n`);
  const r = spawnSync(
    SIPP,
    ['-sf', file, `127.0.0.1:${ERROR_REMOTE_PORT}`, '-i', '127.0.0.1', '-p', String(ERROR_PORT), '-m', '1', ...extra],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout, killSignal: 'SIGKILL' },
  );
  return { status: r.status, output: `${r.stdout.toString('latin1')}${r.stderr.toString('latin1')}` };
}

function ourPauseError(a: Record<string, string>): string {
  try {
    parsePause(new Map(Object.entries(a)), PLACE);
  } catch (e) {
    return (e as Error).message.replace(/^pause\.xml:1: /, '');
  }
  return '(loaded)';
}

describe.runIf(HAVE_SIPP)('pause distributions against real SIPp 3.6.1', () => {
  it.each<[Record<string, string>]>([
    [{ distribution: 'normal', mean: '3' }],
    [{ distribution: 'normal', mean: '3', stdev: 'x' }],
    [{ normal: '1', mean: '3' }],
    [{ distribution: 'fixed' }],
    [{ min: '3' }],
    [{ max: '5' }],
    [{ milliseconds: '1s' }],
    [{ distribution: 'weibull', lambda: '1' }],
    [{ distribution: 'pareto', k: '1' }],
    [{ distribution: 'gpareto', shape: '1' }],
    [{ distribution: 'gamma', k: '1' }],
    [{ distribution: 'negbin', p: '0.5' }],
    [{ distribution: 'exponential', mean: '1e9' }],
    [{ milliseconds: '3e9' }],
    [{ min: '0', max: '3e9' }],
    [{ distribution: 'weibull', lambda: '1', k: '0' }],
    [{ distribution: 'lognormal', mean: '50', stdev: '1' }],
    [{ milliseconds: '5', sanity_check: 'maybe' }],
    [{ variable: '' }],
  ])('refuses %j with our words', (a) => {
    const ours = ourPauseError(a);
    expect(ours).not.toBe('(loaded)');
    const r = runSippOn('err', `<pause ${xmlAttrs(a)}/>`);
    expect(r.status).toBe(1);
    expect(r.output).toContain(ours);
  });

  it('differs on purpose: an unknown name (SIPp prints "(null)") and gamma k <= 0 (SIPp aborts in GSL)', () => {
    const unknown = runSippOn('unknown', '<pause distribution="foo"/>');
    expect(unknown.status).toBe(1);
    expect(unknown.output).toContain('Unknown distribution: (null)');
    expect(ourPauseError({ distribution: 'foo' })).toBe('Unknown distribution: foo');

    const gamma = runSippOn('gamma0', '<pause distribution="gamma" k="0" theta="1"/>');
    expect(gamma.status).not.toBe(0);
    expect(gamma.output).toContain('Default GSL error handler invoked.');
    expect(ourPauseError({ distribution: 'gamma', k: '0', theta: '1' })).toMatch(/must be greater than 0/);
  });

  it('<sample> requires distribution=', () => {
    const r = runSippOn('sample', '<nop><action><sample assign_to="v" mean="1"/></action></nop>');
    expect(r.status).toBe(1);
    let ours = '';
    try {
      parseDistribution(new Map([['mean', '1']]), PLACE);
    } catch (e) {
      ours = (e as Error).message.replace(/^pause\.xml:1: /, '');
    }
    expect(ours).not.toBe('');
    expect(r.output).toContain(ours);
  });

  it('<sample> draws of SIPp have the mean and variance our parameters give', () => {
    // Each distribution's parameters are told apart by the moments (negbin n/p, weibull
    // lambda/k, pareto k/x_m, gamma k/theta, lognormal's log-scale mean and stdev).
    const dists: Array<Record<string, string>> = [
      { distribution: 'uniform', min: '10', max: '20' },
      { distribution: 'normal', mean: '20', stdev: '5' },
      { distribution: 'lognormal', mean: '2', stdev: '0.5' },
      { distribution: 'exponential', mean: '10' },
      { distribution: 'weibull', lambda: '10', k: '2' },
      { distribution: 'pareto', k: '5', x_m: '5' },
      { distribution: 'gpareto', shape: '0.1', scale: '5', location: '1' },
      { distribution: 'gamma', k: '2', theta: '5' },
      { distribution: 'negbin', n: '3', p: '0.25' },
    ];
    const PER_ROUND = 5;
    const ROUNDS = 800;
    const names = dists.flatMap((_, d) => Array.from({ length: PER_ROUND }, (_, j) => `s${d}_${j}`));
    const samples = names.map((name) => `      <sample assign_to="${name}" ${xmlAttrs(dists[Number(name.slice(1).split('_')[0])]!)}/>`);
    const body = `<label id="loop"/>
  <nop>
    <action>
${samples.join('\n')}
      <log message="${names.map((n) => `[$${n}]`).join(' ')}"/>
      <add assign_to="i" value="1"/>
      <test assign_to="more" variable="i" compare="less_than" value="${ROUNDS}"/>
    </action>
  </nop>
  <nop next="loop" test="more"/>`;
    const r = runSippOn('samples', body, ['-trace_logs', '-timeout', '30s'], 40_000);
    expect(r.status).toBe(0);
    const log = readdirSync(cwd).find((f) => f.startsWith('samples_') && f.endsWith('_logs.log'));
    expect(log).toBeDefined();
    const rows = readFileSync(join(cwd, log!), 'latin1')
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
    expect(rows).toHaveLength(ROUNDS);

    dists.forEach((a, d) => {
      const xs = rows.flatMap((row) => row.slice(d * PER_ROUND, (d + 1) * PER_ROUND));
      const n = xs.length;
      const mean = xs.reduce((s, x) => s + x, 0) / n;
      const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
      const m4 = xs.reduce((s, x) => s + (x - mean) ** 4, 0) / n;
      const ours = parseDistribution(new Map(Object.entries(a)), PLACE);
      const label = JSON.stringify(a);
      expect(Math.abs(mean - ours.mean!), `${label} mean ${mean} vs ${ours.mean}`).toBeLessThanOrEqual(
        5 * Math.sqrt(variance / n),
      );
      expect(Math.abs(variance - ours.variance!), `${label} variance ${variance} vs ${ours.variance}`).toBeLessThanOrEqual(
        5 * Math.sqrt((m4 - variance * variance) / n),
      );
    });
  }, 60_000);

  it('shows each pause on the scenario screen as pauseScreenText says', async () => {
    const SAMPLE = { distribution: 'uniform', min: '1', max: '3' };
    // Each pause of the call, in order; the durations stay short (the call lasts well under 1 s).
    const pauses: Array<Record<string, string>> = [
      { milliseconds: '7' },
      {}, // -d 10
      { distribution: 'fixed', value: '15.5' },
      { min: '10', max: '20' },
      { distribution: 'uniform', min: '1.5', max: '2' },
      { distribution: 'normal', mean: '20', stdev: '5' },
      { distribution: 'lognormal', mean: '2', stdev: '0.5' },
      { distribution: 'exponential', mean: '10' },
      { distribution: 'weibull', lambda: '10', k: '2' },
      { distribution: 'pareto', k: '3', x_m: '5' },
      { distribution: 'gpareto', shape: '0.25', scale: '5', location: '1' },
      { distribution: 'gamma', k: '2', theta: '5' },
      { distribution: 'negbin', n: '3', p: '0.5' },
      { variable: 'v' },
      { exponential: 'yes', mean: '3' },
      { normal: '1', mean: '-1234.56', stdev: '-2345.67' }, // longer than the screen's 22 characters
      { milliseconds: '-5' },
      { milliseconds: '2.25', sanity_check: 'false' },
    ];
    const timewait = { distribution: 'uniform', min: '5', max: '10' };
    const DURATION = 10;
    expect(parseDistribution(new Map(Object.entries(SAMPLE)), PLACE).kind).toBe('uniform');

    const header = (method: string, cseq: string, toTag: string): string => `
      ${method}
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: [service] <sip:[service]@[remote_ip]:[remote_port]>${toTag}
      Call-ID: [call_id]
      CSeq: ${cseq}
      Contact: sip:sipp@[local_ip]:[local_port]
      Max-Forwards: 70
      Content-Length: 0`;
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?>
<scenario name="pause kinds">
  <send retrans="500"><![CDATA[${header('INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0', '1 INVITE', '')}
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[${header('ACK [next_url] SIP/2.0', '1 ACK', '[peer_tag_param]')}
  ]]></send>
  <nop><action><sample assign_to="v" ${xmlAttrs(SAMPLE)}/></action></nop>
${pauses.map((p) => `  <pause ${xmlAttrs(p)}/>`).join('\n')}
  <send retrans="500"><![CDATA[${header('BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0', '2 BYE', '[peer_tag_param]')}
  ]]></send>
  <recv response="200"/>
  <timewait ${xmlAttrs(timewait)}/>
</scenario>
`;
    writeFileSync(join(cwd, 'pausekinds.xml'), xml);

    const uas = spawn(SIPP, ['-sn', 'uas', '-i', '127.0.0.1', '-p', String(UAS_PORT), '-m', '1', '-timeout', '20s'], {
      cwd,
      stdio: 'ignore',
    });
    children.push(uas);
    const uac = spawn(
      SIPP,
      [
        '-sf',
        'pausekinds.xml',
        `127.0.0.1:${UAS_PORT}`,
        '-i',
        '127.0.0.1',
        '-p',
        String(UAC_PORT),
        '-m',
        '1',
        '-d',
        String(DURATION),
        '-timeout',
        '20s',
        '-trace_screen',
      ],
      { cwd, stdio: 'ignore' },
    );
    children.push(uac);
    const status = await new Promise<number | null>((resolve) => uac.on('exit', (code) => resolve(code)));
    expect(status).toBe(0); // one successful call

    const log = readdirSync(cwd).find((f) => f.startsWith(`pausekinds_${uac.pid}_`) && f.endsWith('_screen.log'));
    expect(log).toBeDefined();
    const screen = readFileSync(join(cwd, log!), 'latin1').split('\n');
    const end = screen.findIndex((l) => l.startsWith('----------------------------- Statistics Screen'));
    const lines = screen.slice(0, end).filter((l) => l.startsWith('       Pause ['));

    const expected = [...pauses.map((p) => parsePause(new Map(Object.entries(p)), PLACE)), parsePause(new Map(Object.entries(timewait)), PLACE, 'timewait')];
    expect(lines).toHaveLength(expected.length);
    expected.forEach((spec, i) => {
      const desc = pauseScreenText(spec, DURATION);
      const len = Math.max(desc.length, 9);
      // SIPp: "       Pause [%9s]%*s" with 18 - len spaces, then the session count
      const left = `       Pause [${desc.padStart(9)}]${' '.repeat(Math.max(0, 18 - len))}`;
      expect(lines[i]!.startsWith(`${left}1 `), `${lines[i]} should start with ${left}1`).toBe(true);
    });
  }, 40_000);
});

describe.runIf(!HAVE_SIPP && IN_CI)('pause distributions against real SIPp 3.6.1', () => {
  it('needs /usr/bin/sipp in CI', () => {
    throw new Error('/usr/bin/sipp is missing: install the Debian package `sip-tester` in the CI image');
  });
});

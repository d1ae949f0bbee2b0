import 'reflect-metadata';
// Scenarios run inside the caller's process (a test runner's worker): the same loading,
// engine and outputs as the command line, on ephemeral ports, with no screens, no signal
// handlers and no process exit. The test plugins (@gossipper/vitest, ...) are built on this.
import type { Endpoint, RunSummary } from '@gossipper/core';
import { formatEndpoint, summaryJson } from '@gossipper/core';
import { parseCommandLine } from './options.js';
import type { RunOptions } from './options.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cosmiconfigSync } from 'cosmiconfig';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CallRecorder, ladderHtml, messagesText } from './ladder.js';
import { explainFailures } from './outputs/reporter.js';
import { loadScenarioFromOptions, runExitCode, setUpRun } from './run.js';
import type { RunSetup } from './run.js';

/** What a test may set, named after SIPp's flags (the flag in parentheses). */
export interface EmbeddedScenarioOptions {
  /** `host:port` of the system under test (the positional remote host). */
  remote?: string;
  /** A peer started for this run: a built-in name (`uas`) or a scenario file; `remote` is set to it. */
  peer?: string;
  /**
   * -t: `u1` (default), `un`, `ui`, `t1`, `tn`, `l1`, `ln`, `w1`, `wn`, `wss1`, `wssn`; a `peer`
   * uses it too, but `u1` for `ui` (the source addresses are the scenario's, from `inf`).
   */
  transport?: RunOptions['transport'];
  /** -ip_field: with `ui`, the field of the first `inf` file that holds each call's source address (0). */
  ipField?: number;
  /** TLS for `l1`/`ln`/`wss1`/`wssn` (-tls_cert, -tls_key, -tls_ca, -tls_verify, -tls_sni); a `peer` uses it too. */
  tls?: { cert?: string; key?: string; ca?: string; verify?: boolean; sni?: string };
  /** -i; 127.0.0.1 by default. */
  localIp?: string;
  /** -p; an ephemeral port by default. */
  localPort?: number;
  /** -m; 1 by default. */
  calls?: number;
  /** -r; 10 by default. */
  rate?: number;
  /** -rp in ms. */
  ratePeriod?: number;
  /** -l. */
  limit?: number;
  /** -s. */
  service?: string;
  /** -set NAME VALUE. */
  vars?: Record<string, string>;
  /** -key NAME VALUE. */
  keys?: Record<string, string>;
  /** -inf, one file or several. */
  inf?: string | string[];
  /** -au / -ap. */
  auth?: { user: string; password: string };
  /** -recv_timeout in ms. */
  recvTimeout?: number;
  /** -timeout in ms (a hard stop); 30 s by default so a test never hangs. */
  timeout?: number;
  /** More SIPp flags, as on the command line. */
  extraArgs?: string[];
}

export interface EmbeddedScenarioResult {
  /** The run summary (`-summary_json`'s content). */
  summary: RunSummary;
  /** The exit code the command line would have returned. */
  exitCode: number;
  /** True when every call succeeded and the run ended by itself. */
  passed: boolean;
  /** In words: which calls failed or were cut off, where, and what arrived. '' when passed. */
  explanation: string;
  /** For the first failed calls: the ladder diagram (HTML) and the full message trace of each. */
  artifacts: string[];
  /**
   * Per method of the requests this side sent (`INVITE`, `BYE`, ...): the time from the first
   * sending to the first final response, over every call that got one.
   */
  responseTimes: Record<string, ResponseTimes>;
}

/** Response times of one request method, in ms. */
export interface ResponseTimes {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentiles of the recorder's samples, per method. */
function responseTimesOf(recorder: CallRecorder): Record<string, ResponseTimes> {
  const out: Record<string, ResponseTimes> = {};
  for (const [method, samples] of recorder.responseTimes) {
    const sorted = Float64Array.from(samples).sort();
    const rank = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
    out[method] = { count: sorted.length, p50Ms: rank(0.5), p90Ms: rank(0.9), p99Ms: rank(0.99), maxMs: sorted[sorted.length - 1]! };
  }
  return out;
}

/** Options every run starts from (a test runner's config, a Mocha root hook), see setScenarioDefaults. */
let defaults: EmbeddedScenarioOptions = {};

/** Set the options every later run starts from; a run's own options win. */
export function setScenarioDefaults(options: EmbeddedScenarioOptions): void {
  defaults = { ...options };
}

let fileDefaults: EmbeddedScenarioOptions | undefined;

/** Where the config is looked for, in this order (cosmiconfig's list, plus gossipper.config.json). */
const CONFIG_FILES = [
  'package.json',
  '.gossipperrc',
  '.gossipperrc.json',
  '.gossipperrc.yaml',
  '.gossipperrc.yml',
  '.gossipperrc.js',
  '.gossipperrc.cjs',
  'gossipper.config.json',
  'gossipper.config.js',
  'gossipper.config.cjs',
];

/**
 * The `gossipper` config file (CONFIG_FILES: `gossipper.config.json`/`.js`, `.gossipperrc*`, a
 * `gossipper` key in package.json), searched in the working directory once per process.
 * A broken file is an error that names it.
 */
export function configFileDefaults(): EmbeddedScenarioOptions {
  if (fileDefaults === undefined) {
    const found = cosmiconfigSync('gossipper', { searchPlaces: CONFIG_FILES }).search();
    const config: unknown = found?.config;
    if (found !== null && (typeof config !== 'object' || config === null || Array.isArray(config))) {
      throw new Error(`${found.filepath}: the gossipper configuration must be an object of scenario options`);
    }
    fileDefaults = (config ?? {}) as EmbeddedScenarioOptions;
  }
  return fileDefaults;
}

/** `uac.xml` runs with -sf, a bare name (`uac`) with -sn. */
function scenarioArgs(scenario: string): string[] {
  return /\.xml$/i.test(scenario) ? ['-sf', scenario] : ['-sn', scenario];
}

/** The transport and TLS flags, which a run and its peer share. */
function transportArgs(o: Pick<EmbeddedScenarioOptions, 'transport' | 'tls'>): string[] {
  const args: string[] = [];
  if (o.transport !== undefined) args.push('-t', o.transport);
  const tls = o.tls;
  if (tls?.cert !== undefined) args.push('-tls_cert', tls.cert);
  if (tls?.key !== undefined) args.push('-tls_key', tls.key);
  if (tls?.ca !== undefined) args.push('-tls_ca', tls.ca);
  if (tls?.verify === true) args.push('-tls_verify');
  if (tls?.sni !== undefined) args.push('-tls_sni', tls.sni);
  return args;
}

function toArgs(scenario: string, o: EmbeddedScenarioOptions, remote: string | undefined): string[] {
  const args = [...scenarioArgs(scenario), '-i', o.localIp ?? '127.0.0.1', '-nostdin'];
  if (remote !== undefined) args.push(remote);
  if (o.localPort !== undefined) args.push('-p', String(o.localPort));
  args.push(...transportArgs(o));
  args.push('-m', String(o.calls ?? 1), '-r', String(o.rate ?? 10));
  if (o.ratePeriod !== undefined) args.push('-rp', `${o.ratePeriod}ms`);
  if (o.limit !== undefined) args.push('-l', String(o.limit));
  if (o.service !== undefined) args.push('-s', o.service);
  for (const [name, value] of Object.entries(o.vars ?? {})) args.push('-set', name, value);
  for (const [name, value] of Object.entries(o.keys ?? {})) args.push('-key', name, value);
  for (const file of typeof o.inf === 'string' ? [o.inf] : (o.inf ?? [])) args.push('-inf', file);
  if (o.ipField !== undefined) args.push('-ip_field', String(o.ipField));
  if (o.auth !== undefined) args.push('-au', o.auth.user, '-ap', o.auth.password);
  if (o.recvTimeout !== undefined) args.push('-recv_timeout', `${o.recvTimeout}ms`);
  args.push('-timeout', `${o.timeout ?? 30_000}ms`);
  args.push(...(o.extraArgs ?? []));
  return args;
}

function runOptionsOf(args: string[]): RunOptions {
  const parsed = parseCommandLine(args);
  if (parsed.kind !== 'run') {
    throw new Error(`gossipper: ${parsed.kind === 'error' ? parsed.message : `unexpected ${parsed.kind}`} (${args.join(' ')})`);
  }
  return parsed.options;
}

/** Set up a run that binds an ephemeral port unless one was asked for. */
async function prepare(
  options: RunOptions,
  recorder?: CallRecorder,
): Promise<{ setup: RunSetup; local: Endpoint; fileStem: string; file: string }> {
  const loaded = loadScenarioFromOptions(options);
  const setup = await setUpRun(options, loaded, process.pid, true, {
    ephemeralPort: options.localPort === 0,
    ...(recorder !== undefined ? { sinks: [recorder] } : {}),
  });
  const local = await setup.open();
  return { setup, local, fileStem: loaded.fileStem, file: loaded.scenario.file };
}

/** The ladder (HTML) and message trace of each failed call kept by the recorder. */
function writeArtifacts(fileStem: string, local: string, recorder: CallRecorder): string[] {
  if (recorder.failed.size === 0) return [];
  const dir = mkdtempSync(join(tmpdir(), `gossipper-${fileStem.replace(/[^\w.-]+/g, '_')}-`));
  const paths: string[] = [];
  let n = 0;
  for (const [callId, messages] of recorder.failed) {
    n++;
    const ladder = join(dir, `call-${n}-ladder.html`);
    const trace = join(dir, `call-${n}-messages.log`);
    writeFileSync(ladder, ladderHtml(`${fileStem}: call ${callId}`, local, messages), 'latin1');
    writeFileSync(trace, messagesText(messages), 'latin1');
    paths.push(ladder, trace);
  }
  return paths;
}

/** A peer for one test (an embedded UAS, say), until stop(). */
export interface EmbeddedPeer {
  /** `127.0.0.1:PORT`: where the scenario under test sends. */
  readonly address: string;
  stop(): Promise<void>;
}

export async function startPeer(
  scenario: string,
  options: Pick<EmbeddedScenarioOptions, 'localIp' | 'transport' | 'tls'> = {},
): Promise<EmbeddedPeer> {
  const localIp = options.localIp ?? '127.0.0.1';
  const transport = options.transport === 'ui' ? 'u1' : options.transport;
  const peer = await prepare(
    runOptionsOf([...scenarioArgs(scenario), '-i', localIp, '-nostdin', ...transportArgs({ ...options, transport })]),
  );
  peer.setup.engine.start();
  return {
    address: formatEndpoint({ address: localIp, port: peer.local.port }),
    async stop() {
      peer.setup.engine.stop('signal');
      await peer.setup.engine.finished;
      await peer.setup.close();
    },
  };
}

/** Run a scenario to its end (or `timeout`) in this process and report what happened. */
export async function runEmbeddedScenario(
  scenario: string,
  own: EmbeddedScenarioOptions = {},
): Promise<EmbeddedScenarioResult> {
  // The config file, then the runner's defaults, then the scenario's own options.
  const options: EmbeddedScenarioOptions = { ...configFileDefaults(), ...defaults, ...own };
  const peer = options.peer !== undefined ? await startPeer(options.peer, options) : undefined;
  try {
    const runOptions = runOptionsOf(toArgs(scenario, options, options.remote ?? peer?.address));
    const recorder = new CallRecorder();
    const { setup, local, fileStem, file } = await prepare(runOptions, recorder);
    let timedOut = false;
    const hardStop = setup.scheduler.setTimer(runOptions.timeoutMs ?? 30_000, () => {
      timedOut = true;
      setup.engine.stop('timeout');
    });
    try {
      setup.engine.start();
      const result = await setup.engine.finished;
      hardStop.cancel();
      const exitCode = runExitCode(result, timedOut, runOptions.timeoutError);
      const stats = setup.reporter.parts.stats;
      const summary = summaryJson(stats, { scenario: fileStem, scenarioFile: file, exitCode, stopReason: result.reason });
      const passed = exitCode === 0 && result.reason === 'completed' && summary.calls.failed === 0;
      const fatal = result.fatalError !== undefined ? `gossipper: ${result.fatalError}\n` : '';
      const stop = result.reason === 'completed' ? '' : `gossipper: the run stopped: ${result.reason}\n`;
      const responseTimes = responseTimesOf(recorder);
      if (passed) return { summary, exitCode, passed, explanation: '', artifacts: [], responseTimes };
      const artifacts = writeArtifacts(fileStem, `${local.address}:${local.port}`, recorder);
      const where = artifacts.length === 0 ? '' : `  ladders and message traces: ${artifacts.join(', ')}\n`;
      return { summary, exitCode, passed, explanation: `${fatal}${stop}${explainFailures(stats)}${where}`, artifacts, responseTimes };
    } finally {
      hardStop.cancel();
      await setup.close();
    }
  } finally {
    await peer?.stop();
  }
}

/** A failed scenario: the message is the explanation; `result` holds the whole summary. */
export class ScenarioFailure extends Error {
  declare readonly scenario: string;
  declare readonly result: EmbeddedScenarioResult;

  constructor(scenario: string, result: EmbeddedScenarioResult) {
    const { calls } = result.summary;
    super(
      `SIP scenario ${scenario}: ${calls.successful} of ${calls.created} calls succeeded (exit code ${result.exitCode})\n` +
        result.explanation,
    );
    this.name = 'ScenarioFailure';
    // Not enumerable: test runners print an error's enumerable fields under the message, and
    // the whole summary there would bury the explanation.
    Object.defineProperty(this, 'scenario', { value: scenario, enumerable: false });
    Object.defineProperty(this, 'result', { value: result, enumerable: false });
  }
}

/**
 * A plain async test function, so the same call works in Vitest's and Playwright's `test`
 * and in Mocha's `it`: it resolves when every call succeeded and throws a ScenarioFailure
 * otherwise.
 */
export function sipScenario(scenario: string, options: EmbeddedScenarioOptions = {}): (...runnerArgs: unknown[]) => Promise<void> {
  // Rest parameters keep the function's length 0: Mocha would take a declared one for `done`.
  return async (...runnerArgs: unknown[]) => {
    const result = await runEmbeddedScenario(scenario, options);
    if (result.passed) return;
    await attachArtifacts(runnerArgs, result.artifacts);
    throw new ScenarioFailure(scenario, result);
  };
}

/**
 * Hand the ladders and traces of a failed run to the test runner's report when it passed us
 * a way to: Vitest's test context (`annotate`), Playwright's TestInfo (`attach`, the second
 * argument of a test body). Mocha passes nothing; the paths stay in the error message.
 */
async function attachArtifacts(runnerArgs: readonly unknown[], paths: readonly string[]): Promise<void> {
  for (const arg of runnerArgs) {
    // (Vitest's test context is a function object.)
    if ((typeof arg !== 'object' && typeof arg !== 'function') || arg === null) continue;
    const runner = arg as {
      annotate?: (message: string, type: string, attachment: { path: string; contentType: string }) => Promise<unknown>;
      attach?: (name: string, options: { path: string; contentType: string }) => Promise<void>;
    };
    for (const path of paths) {
      const contentType = path.endsWith('.html') ? 'text/html' : 'text/plain';
      try {
        if (typeof runner.annotate === 'function') await runner.annotate(`SIP ${basename(path)}`, 'gossipper', { path, contentType });
        else if (typeof runner.attach === 'function') await runner.attach(basename(path), { path, contentType });
      } catch {
        // A report we cannot write to must not hide the scenario's own failure.
      }
    }
  }
}

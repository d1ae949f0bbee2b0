import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Container } from 'inversify';
import {
  decodeScenarioBytes,
  decode,
  Engine,
  EngineConfigCodec,
  ENGINE_DEFAULTS,
  loadBuiltinScenario,
  loadScenario,
  ConnectError,
  PortInUseError,
  RealTimeScheduler,
  RunStats,
  ScenarioError,
  SCHEDULER,
  TRANSPORT,
  builtinScenarios,
  compileTemplate,
  InjectionError,
  InjectionSet,
  streamModeTraits,
  UdpModeCodec,
} from '@gossipper/core';
import type { Endpoint, EngineConfig, EngineResult, EventSink, Scenario, Scheduler, Transport } from '@gossipper/core';
import { udpTransportModule } from '@gossipper/adapter-udp';
import { loadTlsFiles, streamTransportModule, TlsConfigError } from '@gossipper/adapter-tcp-tls';
import type { TlsSettings } from '@gossipper/adapter-tcp-tls';
import { defaultCallLimit } from './options.js';
import type { RunOptions } from './options.js';
import { ExitCode } from './exit-codes.js';
import { ipFamilyOf, localAddressToward } from './local-address.js';
import { EventFanout, MessageTraceSink } from './outputs/message-trace.js';
import { RunReporter } from './outputs/reporter.js';
import { tapStats, TraceOutputs } from './outputs/trace-files.js';
import { unknownBuiltinMessage } from './main.js';
import { spawnInBackground } from './background.js';
import { setUpTwin, stopWhenTwinEnds } from './twin-setup.js';
import { RunConsole } from './terminal/run-console.js';
import type { ShardedMediaEngine } from '@gossipper/adapter-media-scale';
import { createMedia, fileDescriptorProblem, mediaErrorReporter, sendPathLine } from './media-setup.js';
import { runRtpSend } from './rtp-send.js';
import { sourceAddressPlan, withSourcePlace, type SourceAddressPlan } from './source-addresses.js';

/** A scenario and the name SIPp derives output file names from. */
export interface LoadedScenario {
  scenario: Scenario;
  /** `-sf` basename without `.xml`, or the `-sn` name. */
  fileStem: string;
  /** The -inf files the scenario was compiled against. */
  injection?: InjectionSet | undefined;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function loadScenarioFromOptions(options: RunOptions): LoadedScenario {
  const injection = readInjectionFiles(options);
  const loaded = readScenario(options, injection);
  // -set gives a <Global> variable its first value; SIPp refuses any other name.
  for (const [name] of options.sets) {
    if (!loaded.scenario.variables.some((v) => v.name === name && v.scope === 'global')) {
      throw new CliError(`-set: Can not set the global variable ${name}, because it does not exist.`, ExitCode.Failed);
    }
  }
  return loaded;
}

/** -inf and -infindex, in command-line order, as SIPp reads them (bytes as latin1). */
function readInjectionFiles(options: RunOptions): InjectionSet | undefined {
  if (options.injections === undefined) return undefined;
  const set = new InjectionSet();
  for (const item of options.injections) {
    try {
      if ('inf' in item) {
        let text: string;
        try {
          text = readFileSync(item.inf).toString('latin1');
        } catch (error) {
          throw new CliError(`-inf: cannot read "${item.inf}": ${(error as Error).message}`, ExitCode.Failed);
        }
        set.add(item.inf, text, { onWarning: (message) => process.stderr.write(`gossipper: ${message}\n`) });
      } else {
        set.index(item.index, item.field);
      }
    } catch (error) {
      if (error instanceof InjectionError) throw new CliError(`${'inf' in item ? '-inf' : '-infindex'}: ${error.message}`, ExitCode.Failed);
      throw error;
    }
  }
  return set;
}

function readScenario(options: RunOptions, injection: InjectionSet | undefined): LoadedScenario {
  const loadOptions = { keys: options.keys, readFile: readKeywordFile, ...(injection !== undefined ? { injection } : {}) };
  if (options.scenarioFile !== undefined) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(options.scenarioFile);
    } catch (error) {
      throw new CliError(`-sf: cannot read "${options.scenarioFile}": ${(error as Error).message}`, ExitCode.Failed);
    }
    const stem = basename(options.scenarioFile).replace(/\.xml$/i, '');
    const scenario = loadScenario(decodeScenarioBytes(bytes), options.scenarioFile, compileTemplate, loadOptions);
    return { scenario, fileStem: stem, injection };
  }
  const name = options.scenarioName ?? 'uac';
  if (builtinScenarios[name] === undefined) throw new CliError(unknownBuiltinMessage(name), ExitCode.Failed);
  return { scenario: loadBuiltinScenario(name, compileTemplate, loadOptions), fileStem: name, injection };
}

/**
 * `[file name=...]`: the file's bytes, the path taken from the working directory (SIPp's fopen);
 * SIPp's message when it cannot be read.
 */
export function readKeywordFile(name: string): Buffer {
  try {
    return readFileSync(name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (error as Error).message;
    throw new Error(`Could not open '${name}': ${reason}`);
  }
}

async function resolveHost(host: string, family: 4 | 6, flag: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host, { family })).address;
  } catch {
    throw new CliError(`${flag}: cannot resolve host "${host}"`, ExitCode.Fatal);
  }
}

/** Turn decoded command-line options into the engine's configuration. */
export async function engineConfigFor(
  options: RunOptions,
  scenario: Scenario,
  pid: number,
  sources?: SourceAddressPlan,
): Promise<EngineConfig> {
  const family: 4 | 6 = sources?.family ?? (options.ipv6 || ipFamilyOf(options.localIp) === 6 ? 6 : 4);
  const remoteHost = options.remoteHost;
  const remoteIp = remoteHost !== undefined ? await resolveHost(remoteHost, family, 'remote host') : undefined;
  const remotePort = options.remotePort ?? 5060;
  let remote = remoteIp !== undefined ? { address: remoteIp, port: remotePort } : undefined;
  if (options.rsaHost !== undefined) {
    remote = { address: await resolveHost(options.rsaHost, family, '-rsa'), port: options.rsaPort ?? 5060 };
  }
  if (!scenario.startsWithRecv && remote === undefined) {
    throw new CliError(
      'a client scenario needs a remote host: gossipper -sn uac 127.0.0.1:5060 (or -rsa host:port)',
      ExitCode.Fatal,
    );
  }
  const localIp = options.localIp ?? (await localAddressToward(remote?.address, family));
  const mediaIp = options.mediaIp ?? localIp;
  const callLimit =
    options.callLimit ??
    (scenario.startsWithRecv
      ? 0
      : defaultCallLimit({
          rate: options.rate,
          ratePeriodMs: options.ratePeriodMs,
          callDurationMs: options.callDurationMs,
          scenarioDurationMs: scenarioPauseTotal(scenario, options.callDurationMs),
        }));
  const raw = {
    remote,
    rate: options.rate,
    ratePeriodMs: options.ratePeriodMs,
    callLimit,
    maxCalls: options.maxCalls ?? 0,
    defaultPauseMs: options.callDurationMs,
    recvTimeoutMs: options.recvTimeoutMs ?? 0,
    retransmissions: !options.noRetrans,
    // SIPp: -max_retrans sets both limits; without it non-INVITE transactions get 9.
    maxInviteRetrans: options.maxRetrans,
    maxNonInviteRetrans: options.maxRetrans === 5 ? ENGINE_DEFAULTS.maxNonInviteRetrans : options.maxRetrans,
    baseCseq: options.baseCseq,
    deadCallWaitMs: ENGINE_DEFAULTS.deadCallWaitMs,
    globals: Object.fromEntries(options.sets),
    defaultBehaviors: options.defaultBehaviors ?? ENGINE_DEFAULTS.defaultBehaviors,
    autoAnswer: options.autoAnswer ?? false,
    users: options.users ?? -1,
    tdmMap: options.tdmMap ?? null,
    sourceAddressField: sources?.field ?? null,
    dynamicId: {
      start: options.dynamicStart ?? ENGINE_DEFAULTS.dynamicId.start,
      step: options.dynamicStep ?? ENGINE_DEFAULTS.dynamicId.step,
      max: options.dynamicMax ?? ENGINE_DEFAULTS.dynamicId.max,
    },
    auth: {
      ...(options.authUsername !== undefined ? { username: options.authUsername } : {}),
      ...(options.authPassword !== undefined ? { password: options.authPassword } : {}),
      ...(options.authUri !== undefined ? { uri: options.authUri } : {}),
    },
    transportOptions: {
      // -t ui binds its main socket on the first source address (SIPp does too).
      bindAddress: sources?.addresses[0] ?? options.localIp ?? '',
      port: options.localPort,
      portExplicit: options.localPort !== 0,
      family,
      bufferSize: options.bufferSize,
    },
    keywords: {
      service: options.service,
      remoteIp: remote?.address ?? '',
      remoteHost: remoteHost ?? options.rsaHost ?? '',
      remotePort: remoteHost !== undefined ? remotePort : (remote?.port ?? 0),
      localIp,
      localIpType: family === 6 ? '6' : '4',
      transport: protocolNameOf(options.transport),
      pid,
      mediaIp,
      mediaIpType: ipFamilyOf(mediaIp) === 6 ? '6' : '4',
      mediaPort: options.mediaPort,
    },
  };
  return decode(EngineConfigCodec, raw, 'engine configuration');
}

/**
 * `<exec command>`: /bin/sh -c in its own session, not waited for (SIPp double-forks so the
 * command outlives nothing of the call).
 */
function runShellCommand(command: string): void {
  const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: 'ignore' });
  child.on('error', (error) => process.stderr.write(`gossipper: <exec command="${command}">: ${error.message}\n`));
  child.unref();
}

/** Sum of a scenario's pauses: SIPp's "scenario length" in its default -l. */
function scenarioPauseTotal(scenario: Scenario, defaultPauseMs: number): number {
  let total = 0;
  for (const step of scenario.steps) {
    if (step.kind === 'pause') total += step.milliseconds ?? defaultPauseMs;
  }
  return total;
}

/** The protocol name of a -t mode, for [transport], Via and the traces. */
export function protocolNameOf(mode: RunOptions['transport']): 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS' {
  return UdpModeCodec.is(mode) ? 'UDP' : streamModeTraits(mode).protocol;
}

/**
 * The TLS files and policy of a TLS run, read now so a bad file stops the run before it starts
 * (exit 1, naming the flag and the file). A server scenario must have a certificate and key.
 */
export function tlsSettingsFor(options: RunOptions, server: boolean): TlsSettings {
  try {
    return loadTlsFiles({
      server,
      ...(options.tlsCert !== undefined ? { certFile: options.tlsCert } : {}),
      ...(options.tlsKey !== undefined ? { keyFile: options.tlsKey } : {}),
      ...(options.tlsCa !== undefined ? { caFile: options.tlsCa } : {}),
      ...(options.tlsCrl !== undefined ? { crlFile: options.tlsCrl } : {}),
      ...(options.tlsVersion !== undefined ? { version: options.tlsVersion } : {}),
      ...(options.tlsSni !== undefined ? { serverName: options.tlsSni } : {}),
      verify: options.tlsVerify === true,
    });
  } catch (error) {
    if (error instanceof TlsConfigError) throw new CliError(error.message, ExitCode.Failed);
    throw error;
  }
}

/** Printed once per TLS run that does not verify the peer (SIPp's default). */
export const TLS_NO_VERIFY_WARNING =
  'TLS: the peer certificate is not verified (as SIPp); give -tls_verify or -tls_ca to verify it';

/** The composition root: each port bound to its adapter. */
export function createContainer(
  options: RunOptions,
  server = false,
  warn: (line: string) => void = () => {},
  sources?: SourceAddressPlan,
): Container {
  const container = new Container();
  const mode = options.transport;
  if (UdpModeCodec.is(mode)) {
    container.load(udpTransportModule(mode, sources !== undefined ? { sourceAddresses: sources.addresses } : {}));
  } else {
    const tls = streamModeTraits(mode).secure ? tlsSettingsFor(options, server) : undefined;
    if (tls !== undefined && !tls.verify) warn(TLS_NO_VERIFY_WARNING);
    container.load(
      streamTransportModule({
        mode,
        ...(tls !== undefined ? { tls } : {}),
        ...(options.wsPath !== undefined ? { websocketPath: options.wsPath } : {}),
        ...(options.maxSocket !== undefined ? { maxSockets: options.maxSocket } : {}),
        ...(options.maxReconnect !== undefined ? { maxReconnect: options.maxReconnect } : {}),
        ...(options.reconnectSleepMs !== undefined ? { reconnectSleepMs: options.reconnectSleepMs } : {}),
        ...(options.reconnectClose !== undefined ? { reconnectClose: options.reconnectClose } : {}),
      }),
    );
  }
  container.bind<Scheduler>(SCHEDULER).toConstantValue(new RealTimeScheduler());
  return container;
}

export interface RunSetup {
  engine: Engine;
  /** Opens the engine's transport; a -t ui address that cannot be bound is named with its -inf line. */
  open(): Promise<Endpoint>;
  /** -media_scale: the calls' synthetic RTP. */
  media?: ShardedMediaEngine;
  reporter: RunReporter;
  scheduler: RealTimeScheduler;
  close(): Promise<void>;
}

/** Build an engine with its outputs from options. Throws CliError / ScenarioError / PortInUseError. */
export async function setUpRun(
  options: RunOptions,
  loaded: LoadedScenario,
  pid: number,
  quiet = false,
  /**
   * `ephemeralPort`: with -p 0, let the system choose instead of SIPp's 5060.. search (tests in
   * parallel). `sinks`: more observers of the engine's events (a test's call recorder).
   */
  embedding: { ephemeralPort?: boolean; sinks?: readonly EventSink[] } = {},
): Promise<RunSetup> {
  const sources = sourceAddressPlan(options.transport, options.ipField, loaded.injection);
  const config = await engineConfigFor(options, loaded.scenario, pid, sources);
  if (embedding.ephemeralPort === true) config.transportOptions.portExplicit = true;
  const container = createContainer(
    options,
    loaded.scenario.startsWithRecv,
    (line) => {
      if (!quiet) process.stderr.write(`gossipper: warning: ${line}\n`);
    },
    sources,
  );
  const transport = container.get<Transport>(TRANSPORT);
  const scheduler = container.get<Scheduler>(SCHEDULER) as RealTimeScheduler;
  const stats = new RunStats(loaded.scenario, scheduler);
  stats.setTargetRate(config.rate);
  const sinks: EventSink[] = [];
  let trace: MessageTraceSink | undefined;
  if (options.traceMsg) {
    trace = new MessageTraceSink(
      options.messageFile ?? `${loaded.fileStem}_${pid}_messages.log`,
      transport.protocolName,
      () => scheduler.wallClockMs(),
    );
    sinks.push(trace);
  }
  const traces = new TraceOutputs({
    fileStem: loaded.fileStem,
    pid,
    scenario: loaded.scenario,
    stats,
    // Microseconds, as SIPp stamps its trace lines.
    wallClockMs: () => performance.timeOrigin + performance.now(),
    delimiter: options.statDelimiter,
    options,
  });
  sinks.push(...traces.sinks(), ...(embedding.sinks ?? []));
  const events = sinks.length === 0 ? undefined : sinks.length === 1 ? sinks[0] : new EventFanout(sinks);
  const rtt = traces.rtt;
  const callDebug = traces.callDebug;
  const recorder =
    rtt !== undefined || traces.watchesErrors || callDebug !== undefined
      ? tapStats(stats, {
          ...(rtt !== undefined ? { rtd: (name: string, ms: number) => rtt.sample(name, ms) } : {}),
          ...(traces.watchesErrors ? { outOfCall: () => traces.errors.outOfCall() } : {}),
          ...(callDebug !== undefined ? { sentStep: (index: number) => callDebug.noteStep(index) } : {}),
        })
      : stats;
  let media: ShardedMediaEngine | undefined;
  if (options.mediaScale === true) {
    // One RTP socket per open call: -l bounds them (a warning only: calls may end sooner).
    const problem = config.callLimit > 0 ? fileDescriptorProblem(config.callLimit, `-l ${config.callLimit} with -media_scale`) : undefined;
    if (problem !== undefined && !quiet) process.stderr.write(`gossipper: warning: ${problem}\n`);
    media = await createMedia(options, mediaErrorReporter());
    if (!quiet) process.stderr.write(`${sendPathLine(media)}\n`);
  }
  const twin = await setUpTwin(options, loaded.scenario);
  const engine = new Engine(loaded.scenario, config, {
    ...(media !== undefined ? { media } : {}),
    ...(twin !== undefined ? { twin: twin.channel, thirdPartyRole: twin.role } : {}),
    transport,
    scheduler,
    stats: recorder,
    runCommand: runShellCommand,
    ...(loaded.injection !== undefined ? { injection: loaded.injection } : {}),
    wallClockMs: () => scheduler.wallClockMs(),
    ...(events ? { events } : {}),
  });
  stopWhenTwinEnds(twin, engine);
  const reporter = new RunReporter({ options, loaded, pid, stats, engine, scheduler, quiet, traces, media });
  return {
    engine,
    open: () =>
      engine.open().catch((error: unknown) => {
        throw withSourcePlace(error, sources);
      }),
    ...(media !== undefined ? { media } : {}),
    reporter,
    scheduler,
    async close() {
      trace?.close();
      traces.close();
      await engine.close();
      await media?.close();
      await twin?.channel.close();
      scheduler.dispose();
    },
  };
}

/** Run one scenario as SIPp would, and return SIPp's exit code. */
export async function runScenario(options: RunOptions): Promise<number> {
  if (options.background) return spawnInBackground();
  if (options.rtpSend === true) return runRtpSend(options);
  let loaded: LoadedScenario;
  try {
    loaded = loadScenarioFromOptions(options);
    checkMediaActions(loaded.scenario, options);
  } catch (error) {
    return reportStartupError(error, ExitCode.Failed);
  }
  // SIPp: -m 0 runs no call at all and exits at once.
  if (options.maxCalls === 0) return ExitCode.Ok;
  let setup: RunSetup | undefined;
  try {
    setup = await setUpRun(options, loaded, process.pid);
    await setup.open();
  } catch (error) {
    if (error instanceof ConnectError) setup?.reporter.writeSummary(undefined, ExitCode.Fatal);
    return reportStartupError(error, ExitCode.Fatal);
  }
  return driveRun(setup, options);
}

/** `<exec rtp_stream>` runs only on the scale engine: said before the run, with its place. */
export function checkMediaActions(scenario: Scenario, options: RunOptions): void {
  if (options.mediaScale === true) return;
  for (const step of scenario.steps) {
    for (const action of step.actions ?? []) {
      if (action.kind === 'rtp_stream') {
        throw new CliError(
          `${action.place.file}:${action.place.line}: <exec rtp_stream> needs -media_scale (synthetic RTP runs on the scale engine)`,
          ExitCode.Failed,
        );
      }
    }
  }
}

function reportStartupError(error: unknown, fallbackCode: number): number {
  if (error instanceof PortInUseError) {
    process.stderr.write(`gossipper: ${error.message} (use -p to choose another)\n`);
    return ExitCode.BindError;
  }
  if (error instanceof CliError) {
    process.stderr.write(`gossipper: ${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof ScenarioError) {
    process.stderr.write(`gossipper: ${error.message}\n`);
    return ExitCode.Failed;
  }
  process.stderr.write(`gossipper: ${(error as Error)?.message ?? String(error)}\n`);
  return fallbackCode;
}

/** Start, wait for the end (completion, -timeout, SIGINT/SIGTERM), write every output, exit code. */
export async function driveRun(setup: RunSetup, options: RunOptions): Promise<number> {
  const { engine, reporter, scheduler } = setup;
  let timedOut = false;
  const onSignal = () => engine.stop('signal');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // SIPp's keys and live screen on a terminal, SIGUSR1 (soft exit) and SIGUSR2 (screen dump).
  const runConsole = new RunConsole(reporter);
  const hardStop =
    options.timeoutMs !== undefined
      ? scheduler.setTimer(options.timeoutMs, () => {
          timedOut = true;
          engine.stop('timeout');
        })
      : undefined;
  try {
    runConsole.start();
    reporter.start();
    engine.start();
    const result = await engine.finished;
    hardStop?.cancel();
    await setup.media?.close(); // its final counters, for the screens and the summary
    const exitCode = runExitCode(result, timedOut, options.timeoutError);
    reporter.finish(result, exitCode);
    if (result.fatalError !== undefined) process.stderr.write(`gossipper: ${result.fatalError}\n`);
    return exitCode;
  } catch (error) {
    reporter.finish(undefined, ExitCode.Fatal);
    process.stderr.write(`gossipper: ${(error as Error)?.stack ?? String(error)}\n`);
    return ExitCode.Fatal;
  } finally {
    runConsole.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    await setup.close();
  }
}

/**
 * SIPp 3.6.1's code at the end of a run that got under way. A -timeout that ends a run in
 * which no call completed (a uas nobody called, a peer that never answered) is 97, as SIPp
 * exits then; -timeout_error makes any timeout fatal.
 */
export function runExitCode(
  result: Pick<EngineResult, 'reason' | 'callsSucceeded' | 'callsFailed'>,
  timedOut: boolean,
  timeoutError: boolean,
): number {
  if (result.reason === 'fatal') return ExitCode.Fatal;
  if (result.reason === 'stop-now') return ExitCode.NoCallCompleted;
  if (timedOut && timeoutError) return ExitCode.Fatal;
  if (result.callsFailed > 0) return ExitCode.Failed;
  if (timedOut && result.callsSucceeded === 0) return ExitCode.NoCallCompleted;
  return ExitCode.Ok;
}

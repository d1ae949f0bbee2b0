// `gossipper -rtp_send`: synthetic RTP without SIP, N streams from local ports -mp, -mp+2, ...
// to one address, with a progress line every -f seconds and the counters in -summary_json.
import { writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { mediaSummary, parseRtpCodec } from '@gossipper/core';
import type { MediaCounters, MediaStreamSpec, RtpCodec, SyntheticPattern } from '@gossipper/core';
import type { ShardedMediaEngine } from '@gossipper/adapter-media-scale';
import type { RunOptions } from './options.js';
import { ExitCode } from './exit-codes.js';
import { CliError } from './run.js';
import { ipFamilyOf, localAddressToward } from './local-address.js';
import { createMedia, fileDescriptorProblem, mediaErrorReporter, sendPathLine } from './media-setup.js';

export const RTP_SEND_SUMMARY_SCHEMA = 'gossipper.rtp-send-summary/1';

export interface RtpSendPlan {
  streams: number;
  remoteHost: string;
  remotePort: number;
  localHost: string;
  firstLocalPort: number;
  codec: RtpCodec;
  ptimeMs: number;
  durationMs: number;
  pattern: SyntheticPattern;
}

/** Stream i: local port first + 2i, its first packet i/N of a ptime after the start. */
export function rtpSendSpecs(plan: RtpSendPlan): MediaStreamSpec[] {
  const specs: MediaStreamSpec[] = [];
  for (let i = 0; i < plan.streams; i++) {
    specs.push({
      remoteHost: plan.remoteHost,
      remotePort: plan.remotePort,
      localHost: plan.localHost,
      localPort: plan.firstLocalPort + 2 * i,
      codec: plan.codec.codec,
      payloadType: plan.codec.payloadType,
      clockRate: plan.codec.clockRate,
      ptimeMs: plan.ptimeMs,
      pattern: plan.pattern,
      durationMs: plan.durationMs,
      // Spread over one ptime: without it every stream would send in the same millisecond.
      startDelayMs: (i * plan.ptimeMs) / plan.streams,
    });
  }
  return specs;
}

export async function planRtpSend(options: RunOptions): Promise<RtpSendPlan> {
  const streams = options.rtpStreams ?? 1;
  const host = options.rtpAddrHost!;
  const family: 4 | 6 = host.includes(':') || ipFamilyOf(options.localIp) === 6 ? 6 : 4;
  let remoteHost = host;
  if (isIP(host) === 0) {
    try {
      remoteHost = (await lookup(host, { family })).address;
    } catch {
      throw new CliError(`-rtp_addr: cannot resolve host "${host}"`, ExitCode.Failed);
    }
  }
  const lastPort = options.mediaPort + 2 * (streams - 1);
  if (lastPort > 65535) {
    throw new CliError(
      `-rtp_streams ${streams} from -mp ${options.mediaPort} needs local ports up to ${lastPort}, above 65535: lower -mp or the streams`,
      ExitCode.Failed,
    );
  }
  const codec = parseRtpCodec(options.rtpCodec ?? 'PCMU/8000') as RtpCodec; // checked by the parser
  return {
    streams,
    remoteHost,
    remotePort: options.rtpAddrPort!,
    localHost: options.localIp ?? (await localAddressToward(remoteHost, family)),
    firstLocalPort: options.mediaPort,
    codec,
    ptimeMs: options.rtpFreqMs ?? 20,
    durationMs: options.rtpDurMs ?? 0,
    pattern: options.rtpPattern ?? 'silence',
  };
}

function progressText(counters: MediaCounters, packetsPerSecond: number): string {
  return (
    `rtp_send: ${counters.streamsActive} streams | ${Math.round(packetsPerSecond)} packets/s | ` +
    `${counters.rtpPacketsSent} sent | ${counters.latePackets} late (>${counters.lateThresholdMs} ms) | ` +
    `${counters.skippedPackets} skipped (>${counters.maxLatenessMs} ms) | ` +
    `${counters.sendErrors} send errors | ${counters.socketErrors} socket errors`
  );
}

/** Runs the standalone generator; returns the exit code (0, or 1 when any packet or socket failed). */
export async function runRtpSend(options: RunOptions): Promise<number> {
  let plan: RtpSendPlan;
  try {
    plan = await planRtpSend(options);
    const sockets = options.mediaSharedSocket === true ? 0 : plan.streams;
    const problem = fileDescriptorProblem(sockets, `-rtp_streams ${plan.streams}`);
    if (problem !== undefined) throw new CliError(problem, ExitCode.Failed);
  } catch (error) {
    process.stderr.write(`gossipper: ${(error as Error).message}\n`);
    return error instanceof CliError ? error.exitCode : ExitCode.Failed;
  }
  const media = await createMedia(options, mediaErrorReporter());
  const startWall = Date.now();
  const start = performance.now();
  let stopReason = 'completed';
  process.stdout.write(
    `${sendPathLine(media)}\nrtp_send: ${plan.streams} streams ${plan.codec.codec}/${plan.codec.clockRate} every ${plan.ptimeMs} ms ` +
      `from ${plan.localHost}:${plan.firstLocalPort}+2n to ${plan.remoteHost}:${plan.remotePort}` +
      `${plan.durationMs > 0 ? ` for ${plan.durationMs} ms` : ' until SIGINT'}\n`,
  );
  media.startStreams(
    Array.from({ length: plan.streams }, (_, i) => i),
    rtpSendSpecs(plan),
  );

  let lastSent = 0;
  let lastAt = start;
  const progress = setInterval(() => {
    const counters = media.counters();
    const now = performance.now();
    const rate = ((counters.rtpPacketsSent - lastSent) * 1000) / Math.max(1, now - lastAt);
    lastSent = counters.rtpPacketsSent;
    lastAt = now;
    process.stdout.write(`${progressText(counters, rate)}\n`);
  }, Math.max(100, options.reportFrequencyMs || 1000));

  await new Promise<void>((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const finish = (reason: string) => {
      stopReason = reason;
      for (const timer of timers) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    const onSignal = () => finish('signal');
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Every stream ends by itself after -rtp_dur (its last start delay is under one ptime).
    if (plan.durationMs > 0) timers.push(setTimeout(() => finish('completed'), plan.durationMs + plan.ptimeMs + 200));
    if (options.timeoutMs !== undefined) timers.push(setTimeout(() => finish('timeout'), options.timeoutMs));
  });
  clearInterval(progress);
  await media.close();
  const counters = media.counters();
  const elapsedMs = performance.now() - start;
  const expected = plan.durationMs > 0 ? plan.streams * Math.floor(plan.durationMs / plan.ptimeMs) : undefined;
  process.stdout.write(
    `rtp_send: ${stopReason}: ${counters.rtpPacketsSent} packets sent` +
      `${expected !== undefined ? ` of ${expected} expected` : ''} in ${(elapsedMs / 1000).toFixed(1)} s, ` +
      `${counters.latePackets} late, ${counters.skippedPackets} skipped, ${counters.sendErrors} send errors, ${counters.socketErrors} socket errors; ` +
      `lateness p50 ${counters.latenessP50Ms.toFixed(1)} ms, p99 ${counters.latenessP99Ms.toFixed(1)} ms, max ${counters.latenessMaxMs.toFixed(1)} ms\n`,
  );
  const exitCode = counters.sendErrors > 0 || counters.socketErrors > 0 ? ExitCode.Failed : ExitCode.Ok;
  if (options.summaryJson !== undefined) {
    writeFileSync(options.summaryJson, `${JSON.stringify(rtpSendSummary(plan, counters, startWall, elapsedMs, exitCode, stopReason, expected), null, 2)}\n`);
  }
  return exitCode;
}

export function rtpSendSummary(
  plan: RtpSendPlan,
  counters: MediaCounters,
  startWall: number,
  elapsedMs: number,
  exitCode: number,
  stopReason: string,
  expected: number | undefined,
) {
  return {
    schema: RTP_SEND_SUMMARY_SCHEMA,
    scenario: 'rtp_send',
    startTime: new Date(startWall).toISOString(),
    endTime: new Date(startWall + elapsedMs).toISOString(),
    elapsedMs,
    exitCode,
    stopReason,
    target: `${plan.remoteHost}:${plan.remotePort}`,
    codec: `${plan.codec.codec}/${plan.codec.clockRate}`,
    ptimeMs: plan.ptimeMs,
    durationMs: plan.durationMs,
    media: { ...mediaSummary(counters), rtp_packets_expected: expected ?? null },
  };
}

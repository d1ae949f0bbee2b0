import { afterEach, describe, expect, it } from 'vitest';
import type { MediaStreamSpec } from '@gossipper/core';
import { LocalMediaEngine } from '../src/local-media.js';
import { ShardedMediaEngine } from '../src/sharded-media.js';
import { DgramSender, FORCE_SEND_PATH_ENV, loadAddon, loadSender } from '../src/senders.js';
import { RtpCountingSink } from '../src/counting-sink.js';
import { pcmuSpec } from './support/spec.js';

const sinks: RtpCountingSink[] = [];
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
});

async function sink(): Promise<{ sink: RtpCountingSink; port: number }> {
  const s = new RtpCountingSink();
  sinks.push(s);
  return { sink: s, port: await s.listen() };
}

function spec(port: number, overrides: Partial<MediaStreamSpec> = {}): MediaStreamSpec {
  return pcmuSpec(port, { durationMs: 200, ...overrides });
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

/** 20 streams x 200 ms at 20 ms = 200 packets, all in order, every stream seen. */
/**
 * These tests count every packet: a test machine stalled for more than the default 500 ms
 * (a busy CI worker) must not turn into skipped packets. Skipping is tested in scale-engine.test.ts.
 */
const NO_SKIPPING = { maxLatenessMs: 60_000 };

async function sendTwentyStreams(media: LocalMediaEngine | ShardedMediaEngine) {
  const { sink: s, port } = await sink();
  for (let i = 0; i < 20; i++) media.startStream(i, spec(port, { startDelayMs: i }));
  await until(() => s.packets >= 200);
  await new Promise((r) => setTimeout(r, 100));
  await media.close();
  return { summary: s.summary(), counters: media.counters(), sink: s };
}

describe('senders on loopback', () => {
  it('the dgram fallback sends every packet, in order, from one socket per stream', async () => {
    const media = new LocalMediaEngine({ sender: new DgramSender(), fallbackReason: 'test', ...NO_SKIPPING });
    expect(media.sendPath).toBe('dgram');
    const { summary, counters, sink: s } = await sendTwentyStreams(media);
    expect(summary).toEqual({ streams: 20, packets: 200, seqErrors: 0, timestampErrors: 0, notRtp: 0 });
    expect(new Set([...s.streams.values()].map((st) => st.sourcePort)).size).toBe(20);
    expect(counters).toMatchObject({ sendPath: 'dgram', rtpPacketsSent: 200, rtpBytesSent: 200 * 172, sendErrors: 0, streamsActive: 0 });
  });

  it(`${FORCE_SEND_PATH_ENV}=dgram forces the fallback and says why`, () => {
    const loaded = loadSender('dgram');
    expect(loaded.sender.path).toBe('dgram');
    expect(loaded.fallbackReason).toBe(`${FORCE_SEND_PATH_ENV}=dgram`);
  });

  const addon = loadAddon();
  const native = typeof addon === 'string' ? it.skip : it;
  if (typeof addon === 'string') console.warn(`media-scale: sendmmsg addon tests skipped: ${addon}`);

  native('the sendmmsg addon sends every packet, in order, and binds the asked local ports', async () => {
    const loaded = loadSender(undefined);
    expect(loaded.sender.path).toBe('sendmmsg');
    const media = new LocalMediaEngine({ sender: loaded.sender, ...NO_SKIPPING });
    const { sink: s, port } = await sink();
    const base = 14500;
    for (let i = 0; i < 5; i++) media.startStream(i, spec(port, { localPort: base + 2 * i, startDelayMs: i }));
    await until(() => s.packets >= 50);
    await media.close();
    expect(s.summary()).toEqual({ streams: 5, packets: 50, seqErrors: 0, timestampErrors: 0, notRtp: 0 });
    expect([...s.streams.values()].map((st) => st.sourcePort).sort()).toEqual([14500, 14502, 14504, 14506, 14508]);
    expect(media.counters()).toMatchObject({ sendPath: 'sendmmsg', rtpPacketsSent: 50, sendErrors: 0, socketErrors: 0 });
  });

  native('the addon reports a busy local port as a socket error, not a crash', async () => {
    const errors: string[] = [];
    const media = new LocalMediaEngine({ sender: loadSender(undefined).sender, onError: (m) => errors.push(m), ...NO_SKIPPING });
    const { port } = await sink();
    media.startStream(1, spec(port, { localPort: port, localHost: '127.0.0.1' }));
    await media.close();
    expect(media.counters().socketErrors).toBe(1);
    expect(errors[0]).toMatch(/bind: Address already in use/);
  });

  it('a shared dgram socket sends every stream from one source port, each stream in order', async () => {
    const loaded = loadSender('dgram', true);
    expect(loaded.sender.path).toBe('dgram-shared');
    const media = new LocalMediaEngine({ sender: loaded.sender, ...NO_SKIPPING });
    const { summary, sink: s } = await sendTwentyStreams(media);
    expect(summary).toEqual({ streams: 20, packets: 200, seqErrors: 0, timestampErrors: 0, notRtp: 0 });
    expect(new Set([...s.streams.values()].map((st) => st.sourcePort)).size).toBe(1);
  });

  native('shared addon sockets: one connected socket per destination, its streams all from one source port', async () => {
    const loaded = loadSender(undefined, true);
    expect(loaded.sender.path).toBe('sendmmsg-shared');
    const media = new LocalMediaEngine({ sender: loaded.sender, ...NO_SKIPPING });
    const first = await sink();
    const second = await sink();
    for (let i = 0; i < 10; i++) media.startStream(i, spec(i % 2 === 0 ? first.port : second.port, { localPort: i === 0 ? 14540 : 0 }));
    await until(() => first.sink.packets + second.sink.packets >= 100);
    await media.close();
    const sourcePorts = (s: RtpCountingSink) => new Set([...s.streams.values()].map((st) => st.sourcePort));
    for (const { sink: s } of [first, second]) {
      expect(s.summary()).toEqual({ streams: 5, packets: 50, seqErrors: 0, timestampErrors: 0, notRtp: 0 });
      expect(sourcePorts(s).size).toBe(1);
    }
    expect(sourcePorts(first.sink)).toEqual(new Set([14540])); // the local port of its first stream
    expect(media.counters()).toMatchObject({ sendPath: 'sendmmsg-shared', rtpPacketsSent: 100, sendErrors: 0 });
  });

  it('worker threads share the streams and merge their counters', async () => {
    const media = new ShardedMediaEngine({ threads: 2, ...NO_SKIPPING });
    await media.whenReady();
    const { summary, counters } = await sendTwentyStreams(media);
    expect(summary).toEqual({ streams: 20, packets: 200, seqErrors: 0, timestampErrors: 0, notRtp: 0 });
    expect(counters).toMatchObject({ threads: 2, streamsStarted: 20, rtpPacketsSent: 200, sendErrors: 0, maxLatenessMs: 60_000 });
    expect(counters.sendPath).toBe(typeof addon === 'string' ? 'dgram' : 'sendmmsg');
  });

  it('pause and stop reach the stream in its worker thread', async () => {
    const media = new ShardedMediaEngine({ threads: 2, ...NO_SKIPPING });
    await media.whenReady();
    const { sink: s, port } = await sink();
    media.startStream(1, spec(port, { durationMs: 0 }));
    media.startStream(2, spec(port, { durationMs: 0 }));
    await until(() => s.streams.size === 2);
    media.pauseOwner(1);
    media.stopOwner(2);
    await new Promise((r) => setTimeout(r, 50));
    const before = s.packets;
    await new Promise((r) => setTimeout(r, 200));
    expect(s.packets).toBe(before);
    media.resumeOwner(1);
    await until(() => s.packets >= before + 3);
    await media.close();
    const resumed = [...s.streams.values()].sort((a, b) => b.packets - a.packets)[0];
    expect(resumed.packets).toBeGreaterThanOrEqual(4);
    expect(resumed.seqErrors).toBe(0); // the sequence runs on across the pause
    expect(media.counters().streamsActive).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { MediaStreamSpec } from '@gossipper/core';
import { MAX_BATCH, ScaleEngine, type PacketSender } from '../src/scale-engine.js';
import { readRtpHeader, RTP_HEADER_BYTES } from '../src/rtp-packet.js';
import { pcmuSpec } from './support/spec.js';

interface SentPacket {
  handle: number;
  at: number;
  bytes: Buffer;
}

/** Records every packet with the virtual time it left; `batches` holds each batch's size. */
class MemorySender implements PacketSender {
  readonly path = 'memory';
  readonly packets: SentPacket[] = [];
  readonly batches: number[] = [];
  readonly closed: number[] = [];
  private nextHandle = 100;
  refuse = 0;
  constructor(private readonly clock: { now: number }) {}
  open(): number {
    return this.nextHandle++;
  }
  sendBatch(arena: Buffer, handles: Int32Array, offsets: Int32Array, lengths: Int32Array, count: number): number {
    this.batches.push(count);
    for (let i = 0; i < count; i++) {
      this.packets.push({ handle: handles[i], at: this.clock.now, bytes: Buffer.from(arena.subarray(offsets[i], offsets[i] + lengths[i])) });
    }
    const refused = Math.min(this.refuse, count);
    this.refuse -= refused;
    return count - refused;
  }
  close(handle: number): void {
    this.closed.push(handle);
  }
}

function spec(overrides: Partial<MediaStreamSpec> = {}): MediaStreamSpec {
  return pcmuSpec(40000, overrides);
}

function setup(randoms: number[] = []) {
  const clock = { now: 1000 };
  const sender = new MemorySender(clock);
  let r = 0;
  const engine = new ScaleEngine({
    sender,
    now: () => clock.now,
    random32: () => randoms[r++] ?? 0x1234_5678 + r,
    lateThresholdMs: 5,
  });
  /** Moves the virtual clock in 1 ms ticks, as the real driver does. */
  const advance = (ms: number, step = 1) => {
    const end = clock.now + ms;
    while (clock.now < end) {
      clock.now = Math.min(end, clock.now + step);
      engine.tick(clock.now);
    }
  };
  return { clock, sender, engine, advance };
}

describe('ScaleEngine scheduling', () => {
  it('sends one packet per ptime, on time, from the first tick', () => {
    const { sender, engine, advance } = setup();
    engine.startStream(1, spec());
    engine.tick(1000);
    advance(100);
    // due at 1000, 1020, ..., 1100: six packets in [1000, 1100]
    expect(sender.packets.map((p) => p.at)).toEqual([1000, 1020, 1040, 1060, 1080, 1100]);
    expect(engine.counters().rtpPacketsSent).toBe(6);
    expect(engine.counters().latePackets).toBe(0);
  });

  it('does not send a packet before its due time within a 1 ms slot', () => {
    const { clock, sender, engine } = setup();
    clock.now = 1000.4;
    engine.startStream(1, spec()); // due 1000.4
    engine.tick(1000.2);
    expect(sender.packets).toHaveLength(0);
    engine.tick(1000.5);
    expect(sender.packets).toHaveLength(1);
  });

  it('sends every stream due in a tick in one batch (one sender call)', () => {
    const { sender, engine } = setup();
    for (let i = 0; i < 300; i++) engine.startStream(i, spec());
    engine.tick(1000);
    expect(sender.batches).toEqual([300]);
  });

  it('cuts batches at MAX_BATCH but still sends all in the same tick', () => {
    const { sender, engine } = setup();
    for (let i = 0; i < MAX_BATCH + 10; i++) engine.startStream(i, spec());
    engine.tick(1000);
    expect(sender.batches).toEqual([MAX_BATCH, 10]);
  });

  it('spreads streams with start delays and keeps each on its own grid', () => {
    const { sender, engine, advance } = setup();
    for (let i = 0; i < 4; i++) engine.startStream(i, spec({ startDelayMs: i * 5 }));
    engine.tick(1000);
    advance(40);
    const times = (handle: number) => sender.packets.filter((p) => p.handle === handle).map((p) => p.at);
    expect(times(100)).toEqual([1000, 1020, 1040]);
    expect(times(101)).toEqual([1005, 1025]);
    expect(times(103)).toEqual([1015, 1035]);
  });

  it('catches up after a stalled event loop without losing or shifting packets', () => {
    const { clock, sender, engine, advance } = setup();
    engine.startStream(1, spec());
    engine.tick(1000);
    clock.now = 1075; // 75 ms without a tick: 1020, 1040, 1060 are owed
    engine.tick(1075);
    expect(sender.packets.map((p) => p.at)).toEqual([1000, 1075, 1075, 1075]);
    advance(5);
    expect(sender.packets.map((p) => p.at)).toEqual([1000, 1075, 1075, 1075, 1080]);
    // the catch-up packets are distinct packets (the stream's one buffer is never sent twice patched)
    const seqs = sender.packets.map((p) => readRtpHeader(p.bytes).seq);
    expect(new Set(seqs).size).toBe(5);
    const counters = engine.counters();
    expect(counters.latePackets).toBe(3); // 55, 35, 15 ms late with a 5 ms threshold
    expect(counters.latenessMaxMs).toBeCloseTo(55, 5);
  });

  it('skips what is more than maxLatenessMs late and jumps to the present, marker set, sequence unbroken', () => {
    const { clock, sender, engine, advance } = setup([9, 100, 5000]);
    engine.startStream(1, spec({ durationMs: 2000 })); // 100 packets
    engine.tick(1000);
    clock.now = 2500; // 1.5 s stalled: 1020 .. 2480 are over 500 ms late
    engine.tick(2500);
    const headers = sender.packets.map((p) => readRtpHeader(p.bytes));
    expect(sender.packets.map((p) => p.at)).toEqual([1000, 2500]);
    expect(headers.map((h) => h.seq)).toEqual([100, 101]);
    expect(headers.map((h) => h.marker)).toEqual([true, true]);
    expect(headers[1].timestamp).toBe(5000 + 75 * 160); // the sampling clock of the packet due at 2500
    const counters = engine.counters();
    expect(counters).toMatchObject({ skippedPackets: 74, maxLatenessMs: 500, rtpPacketsSent: 2 });
    advance(600);
    // the duration holds: 100 packets in all, sent or skipped
    expect(engine.counters().rtpPacketsSent + engine.counters().skippedPackets).toBe(100);
    expect(engine.idle()).toBe(true);
  });

  it('stops by itself after its duration, with exactly duration / ptime packets', () => {
    const { sender, engine, advance } = setup();
    engine.startStream(1, spec({ durationMs: 200 }));
    advance(400);
    expect(sender.packets).toHaveLength(10);
    expect(engine.idle()).toBe(true);
    expect(sender.closed).toEqual([100]);
    expect(engine.ownerCount).toBe(0);
  });

  it('counts refused packets as send errors, not as sent', () => {
    const { sender, engine } = setup();
    for (let i = 0; i < 5; i++) engine.startStream(i, spec());
    sender.refuse = 2;
    engine.tick(1000);
    const counters = engine.counters();
    expect(counters.rtpPacketsSent).toBe(3);
    expect(counters.sendErrors).toBe(2);
    expect(counters.rtpBytesSent).toBe(3 * 172);
  });

  it('counts a stream whose socket cannot be opened and reports it', () => {
    const errors: string[] = [];
    const clock = { now: 0 };
    const engine = new ScaleEngine({
      sender: {
        path: 'memory',
        open: () => {
          throw new Error('bind: Address already in use');
        },
        sendBatch: () => 0,
        close: () => {},
      },
      now: () => clock.now,
      onError: (m) => errors.push(m),
    });
    expect(engine.startStream(1, spec({ localPort: 14500 }))).toBe(-1);
    expect(engine.counters().socketErrors).toBe(1);
    expect(errors[0]).toContain('127.0.0.1:14500 -> 127.0.0.1:40000: bind: Address already in use');
  });

  it('waits for an asynchronous socket and then sends what fell due meanwhile', async () => {
    const clock = { now: 1000 };
    const packets: number[] = [];
    let open!: (handle: number) => void;
    const engine = new ScaleEngine({
      sender: {
        path: 'memory',
        open: () => new Promise<number>((resolve) => (open = resolve)),
        sendBatch: (_a, _h, _o, _l, count) => {
          for (let i = 0; i < count; i++) packets.push(clock.now);
          return count;
        },
        close: () => {},
      },
      now: () => clock.now,
    });
    engine.startStream(1, spec());
    clock.now = 1030;
    engine.tick(1030);
    expect(packets).toEqual([]);
    open(7);
    await Promise.resolve();
    engine.tick(1030);
    // what fell due goes at once, then one owed packet per 1 ms slot until caught up
    expect(packets).toEqual([1030]);
    clock.now = 1031;
    engine.tick(1031);
    expect(packets).toEqual([1030, 1031]);
    clock.now = 1040;
    engine.tick(1040);
    expect(packets).toEqual([1030, 1031, 1040]);
  });
});

describe('ScaleEngine packet contents', () => {
  it('writes RTP version 2, the payload type, the SSRC and a 160-byte silence payload', () => {
    const { sender, engine } = setup([0xdeadbeef, 65530, 4_294_967_000]);
    engine.startStream(1, spec());
    engine.tick(1000);
    const packet = sender.packets[0].bytes;
    expect(packet.length).toBe(RTP_HEADER_BYTES + 160);
    const header = readRtpHeader(packet);
    expect(header).toEqual({ version: 2, marker: true, payloadType: 0, ssrc: 0xdeadbeef, seq: 65530, timestamp: 4_294_967_000 });
    expect(packet[0] & 0x3f).toBe(0); // no padding, extension or CSRC
    expect([...packet.subarray(RTP_HEADER_BYTES)].every((b) => b === 0xff)).toBe(true);
  });

  it('steps sequence by 1 and timestamp by the samples per packet, wrapping both', () => {
    const { sender, engine, advance } = setup([1, 65534, 0xffffff00]);
    engine.startStream(1, spec());
    advance(60, 1);
    engine.tick(1000);
    const headers = sender.packets.map((p) => readRtpHeader(p.bytes));
    expect(headers.map((h) => h.seq)).toEqual([65534, 65535, 0, 1]);
    expect(headers.map((h) => h.timestamp)).toEqual([0xffffff00, 0xffffffa0, 0x40, 0xe0]);
    expect(headers.map((h) => h.marker)).toEqual([true, false, false, false]);
    expect(new Set(headers.map((h) => h.ssrc))).toEqual(new Set([1]));
  });

  it('sends PCMA with payload type 8 and A-law silence; a 30 ms ptime carries 240 samples', () => {
    const { sender, engine } = setup();
    engine.startStream(1, spec({ codec: 'PCMA', payloadType: 8, ptimeMs: 30 }));
    engine.tick(1000);
    const packet = sender.packets[0].bytes;
    expect(readRtpHeader(packet).payloadType).toBe(8);
    expect(packet.length).toBe(12 + 240);
    expect([...packet.subarray(12)].every((b) => b === 0xd5)).toBe(true);
  });

  it('gives each stream its own SSRC and keeps streams apart in the shared arena', () => {
    const { sender, engine, advance } = setup([11, 100, 1000, 22, 200, 2000]);
    engine.startStream(1, spec());
    engine.startStream(2, spec());
    advance(20);
    const byHandle = (h: number) => sender.packets.filter((p) => p.handle === h).map((p) => readRtpHeader(p.bytes));
    expect(byHandle(100).map((h) => [h.ssrc, h.seq, h.timestamp])).toEqual([
      [11, 100, 1000],
      [11, 101, 1160],
    ]);
    expect(byHandle(101).map((h) => [h.ssrc, h.seq, h.timestamp])).toEqual([
      [22, 200, 2000],
      [22, 201, 2160],
    ]);
  });

  it('fills a tone payload that is not silence and repeats every 8 samples', () => {
    const { sender, engine } = setup();
    engine.startStream(1, spec({ pattern: 'tone' }));
    engine.tick(1000);
    const payload = sender.packets[0].bytes.subarray(12);
    expect(payload.some((b) => b !== 0xff)).toBe(true);
    for (let i = 8; i < payload.length; i++) expect(payload[i]).toBe(payload[i - 8]);
  });
});

describe('ScaleEngine pause, resume, stop', () => {
  it('sends nothing while paused, then resumes with the marker set and the timestamp moved on', () => {
    const { sender, engine, advance } = setup([5, 10, 1000]);
    engine.startStream(7, spec());
    engine.tick(1000);
    advance(40); // 1000, 1020, 1040
    engine.pauseOwner(7);
    advance(100);
    expect(sender.packets).toHaveLength(3);
    engine.resumeOwner(7); // at 1140: goes at the next tick
    engine.tick(1140);
    advance(20);
    const headers = sender.packets.map((p) => readRtpHeader(p.bytes));
    expect(sender.packets.map((p) => p.at)).toEqual([1000, 1020, 1040, 1140, 1160]);
    expect(headers.map((h) => h.seq)).toEqual([10, 11, 12, 13, 14]);
    expect(headers.map((h) => h.marker)).toEqual([true, false, false, true, false]);
    // the sampling clock ran on: 1140 is 7 packet times after the first packet at 1000
    expect(headers[3].timestamp).toBe(1000 + 7 * 160);
    expect(headers[4].timestamp).toBe(1000 + 8 * 160);
  });

  it('acts on every stream of an owner and on no other', () => {
    const { sender, engine, advance } = setup();
    engine.startStream(1, spec());
    engine.startStream(1, spec());
    engine.startStream(2, spec());
    engine.tick(1000);
    engine.pauseOwner(1);
    advance(40);
    expect(sender.packets.slice(3).map((p) => p.handle)).toEqual([102, 102]);
  });

  it('stop frees the sockets and slots; a new stream reuses them', () => {
    const { sender, engine, advance } = setup();
    engine.startStream(1, spec());
    engine.startStream(2, spec());
    engine.tick(1000);
    engine.stopOwner(1);
    expect(sender.closed).toEqual([100]);
    advance(40);
    expect(sender.packets.slice(2).map((p) => p.handle)).toEqual([101, 101]);
    const memory = engine.memoryBytes();
    engine.startStream(3, spec());
    expect(engine.memoryBytes()).toBe(memory);
    expect(engine.counters()).toMatchObject({ streamsStarted: 3, streamsActive: 2, streamsPeak: 2 });
  });

  it('stopping a paused stream and pausing a stopped owner are harmless', () => {
    const { sender, engine, advance } = setup();
    engine.startStream(1, spec());
    engine.pauseOwner(1);
    engine.stopOwner(1);
    engine.pauseOwner(1);
    engine.resumeOwner(1);
    engine.stopOwner(1);
    advance(100);
    expect(sender.packets).toHaveLength(0);
    expect(sender.closed).toEqual([100]);
    expect(engine.idle()).toBe(true);
  });

  it('a paused stream with a duration gets its paused time back', () => {
    const { sender, engine, advance } = setup();
    engine.startStream(1, spec({ durationMs: 100 })); // 5 packets
    advance(40);
    engine.pauseOwner(1);
    advance(500);
    engine.resumeOwner(1);
    advance(500);
    expect(sender.packets).toHaveLength(5);
  });
});

import type { MediaCounters, MediaStreamSpec } from '@gossipper/core';
import { emptyMediaCounters } from '@gossipper/core';
import { LatenessHistogram } from './lateness.js';
import { RTP_HEADER_BYTES, patchRtpHeader, samplesPerPacket, syntheticPayload, writeRtpTemplate } from './rtp-packet.js';

/**
 * Where packets go. One call per batch: every packet due in a tick goes in the same turn of
 * the event loop (a batch is cut only at `MAX_BATCH`). `open` gives a socket handle or throws.
 */
export interface PacketSender {
  /** `sendmmsg` (native addon), `dgram` (Node), `memory` (tests). */
  readonly path: string;
  /** A handle now, or once the socket is bound and connected (Node's dgram binds asynchronously). */
  open(spec: MediaStreamSpec): number | Promise<number>;
  /** Packet i is `arena[offsets[i] .. offsets[i] + lengths[i])`, sent on `handles[i]`. Returns how many went. */
  sendBatch(arena: Buffer, handles: Int32Array, offsets: Int32Array, lengths: Int32Array, count: number): number;
  close(handle: number): void;
  /** Send errors reported after `sendBatch` returned (asynchronous senders). */
  takeLateErrors?(): number;
  closeAll?(): Promise<void>;
}

export interface ScaleEngineOptions {
  sender: PacketSender;
  /** Monotonic ms. */
  now: () => number;
  /** 32-bit random numbers for SSRC, first sequence number and first timestamp. */
  random32?: () => number;
  /** A packet leaving later than this after its due time counts as late. */
  lateThresholdMs?: number;
  /**
   * Packets due longer ago than this are skipped rather than sent (an overloaded sender stays
   * real time instead of drifting seconds behind; a jitter buffer would drop them anyway).
   */
  maxLatenessMs?: number;
  onError?: (message: string) => void;
}

export const MAX_BATCH = 1024;
const WHEEL_SLOTS = 2048; // 1 ms slots: more than the longest ptime (1000 ms) plus a start delay cap
const WHEEL_MASK = WHEEL_SLOTS - 1;
const MAX_START_DELAY_MS = 1000;
const NONE = -1;

const FREE = 0;
const ACTIVE = 1;
const PAUSED = 2;
/** Waiting for its socket: not on the wheel; its due time still runs, so nothing is lost. */
const OPENING = 3;

function defaultRandom32(): number {
  return (Math.random() * 0x1_0000_0000) >>> 0;
}

/**
 * Synthetic RTP for many streams without a timer, promise or closure per stream: stream state
 * lives in typed arrays indexed by a stream slot, one timing wheel of 1 ms slots (intrusive
 * doubly linked lists in Int32Arrays) orders them, and `tick(now)` sends everything due.
 * Each stream's packet is built once in a shared arena and patched in place (marker, sequence,
 * timestamp) before each send. Due times sit on an exact grid (start + k * ptime), so a late
 * tick makes packets late but never loses them or shifts later ones.
 */
export class ScaleEngine {
  private readonly sender: PacketSender;
  private readonly now: () => number;
  private readonly random32: () => number;
  private readonly onError: (message: string) => void;
  readonly lateThresholdMs: number;
  readonly maxLatenessMs: number;

  private capacity = 0;
  private state = new Uint8Array(0);
  private owner = new Float64Array(0);
  private payloadType = new Uint8Array(0);
  private marker = new Uint8Array(0);
  private seq = new Uint16Array(0);
  private timestamp = new Uint32Array(0);
  private timestampStep = new Uint32Array(0);
  private due = new Float64Array(0);
  /** due = base + sent * period, computed, never summed: no drift over hours of packets. */
  private base = new Float64Array(0);
  private sent = new Float64Array(0);
  private period = new Float64Array(0);
  /** Packets left to send (Infinity: until stopped); pauses do not use any up. */
  private remaining = new Float64Array(0);
  private handle = new Int32Array(0);
  private offset = new Int32Array(0);
  private length = new Int32Array(0);
  private inBatch = new Uint32Array(0);
  private wheelNext = new Int32Array(0);
  private wheelPrev = new Int32Array(0);
  private wheelSlot = new Int32Array(0);
  private readonly wheelHead = new Int32Array(WHEEL_SLOTS).fill(NONE);
  private cursorMs = NaN;
  private freeSlots: number[] = [];

  private arena = Buffer.alloc(0);
  private arenaUsed = 0;
  private readonly freeArena = new Map<number, number[]>();

  private readonly owners = new Map<number, number[]>();

  private readonly batchHandles = new Int32Array(MAX_BATCH);
  private readonly batchOffsets = new Int32Array(MAX_BATCH);
  private readonly batchLengths = new Int32Array(MAX_BATCH);
  private readonly batchDue = new Float64Array(MAX_BATCH);
  private batchCount = 0;
  private batchNumber = 1;

  readonly lateness = new LatenessHistogram();
  private streamsStarted = 0;
  private streamsActive = 0;
  private streamsPeak = 0;
  private packetsSent = 0;
  private bytesSent = 0;
  private sendErrors = 0;
  private socketErrors = 0;
  private latePackets = 0;
  private skippedPackets = 0;

  constructor(options: ScaleEngineOptions) {
    this.sender = options.sender;
    this.now = options.now;
    this.random32 = options.random32 ?? defaultRandom32;
    this.lateThresholdMs = options.lateThresholdMs ?? 10;
    this.maxLatenessMs = options.maxLatenessMs ?? 500;
    this.onError = options.onError ?? (() => {});
  }

  get sendPath(): string {
    return this.sender.path;
  }

  /** Streams holding a socket (active or paused). */
  get streamCount(): number {
    return this.streamsActive;
  }

  /**
   * Starts a stream; returns its slot, or -1 when no socket could be had (counted, reported).
   * With an asynchronous sender the stream waits for its socket off the wheel; packets due in
   * the meantime go as soon as it is there.
   */
  startStream(owner: number, spec: MediaStreamSpec): number {
    let opened: number | Promise<number>;
    try {
      opened = this.sender.open(spec);
    } catch (error) {
      this.socketError(spec, error);
      return -1;
    }
    const slot = this.allocSlot();
    const samples = samplesPerPacket(spec.clockRate, spec.ptimeMs);
    const bytes = RTP_HEADER_BYTES + samples;
    const offset = this.allocArena(bytes);
    const ssrc = this.random32();
    writeRtpTemplate(this.arena, offset, spec.payloadType, ssrc, syntheticPayload(spec.codec, spec.pattern, samples, spec.clockRate));

    const start = this.now() + Math.min(Math.max(spec.startDelayMs, 0), MAX_START_DELAY_MS);
    this.owner[slot] = owner;
    this.payloadType[slot] = spec.payloadType;
    this.marker[slot] = 1;
    this.seq[slot] = this.random32() & 0xffff;
    this.timestamp[slot] = this.random32();
    this.timestampStep[slot] = samples;
    this.period[slot] = spec.ptimeMs;
    this.due[slot] = start;
    this.base[slot] = start;
    this.sent[slot] = 0;
    this.remaining[slot] = spec.durationMs > 0 ? Math.ceil(spec.durationMs / spec.ptimeMs) : Infinity;
    this.offset[slot] = offset;
    this.length[slot] = bytes;
    this.inBatch[slot] = 0;
    this.wheelSlot[slot] = NONE;
    if (Number.isNaN(this.cursorMs)) this.cursorMs = Math.floor(this.now());

    let list = this.owners.get(owner);
    if (list === undefined) this.owners.set(owner, (list = []));
    list.push(slot);
    this.streamsStarted++;
    this.streamsActive++;
    if (this.streamsActive > this.streamsPeak) this.streamsPeak = this.streamsActive;

    if (typeof opened === 'number') {
      this.handle[slot] = opened;
      this.state[slot] = ACTIVE;
      this.schedule(slot, Math.floor(start));
    } else {
      this.handle[slot] = NONE;
      this.state[slot] = OPENING;
      const generation = ++this.openGeneration;
      this.openingGeneration.set(slot, generation);
      opened.then(
        (handle) => {
          if (this.openingGeneration.get(slot) !== generation) {
            this.sender.close(handle); // stopped while its socket was opening
            return;
          }
          this.openingGeneration.delete(slot);
          this.handle[slot] = handle;
          if (this.state[slot] === OPENING) {
            this.state[slot] = ACTIVE;
            this.schedule(slot, Math.max(Math.floor(this.due[slot]), this.cursorMs));
          }
        },
        (error: unknown) => {
          if (this.openingGeneration.get(slot) !== generation) return;
          this.openingGeneration.delete(slot);
          this.socketError(spec, error);
          this.finish(slot);
        },
      );
    }
    return slot;
  }

  private openGeneration = 0;
  private readonly openingGeneration = new Map<number, number>();

  private socketError(spec: MediaStreamSpec, error: unknown): void {
    this.socketErrors++;
    this.onError(
      `media: no socket for ${spec.localHost || '*'}:${spec.localPort} -> ${spec.remoteHost}:${spec.remotePort}: ${(error as Error).message}`,
    );
  }

  pauseOwner(owner: number): void {
    for (const slot of this.owners.get(owner) ?? []) {
      if (this.state[slot] !== ACTIVE && this.state[slot] !== OPENING) continue;
      this.unschedule(slot);
      this.state[slot] = PAUSED;
    }
  }

  /**
   * The stream goes on from now with the marker bit set (a new talkspurt); its timestamp moves
   * on by the time it was paused, as the sampling clock does not stop (RFC 3551 section 4.1).
   */
  resumeOwner(owner: number): void {
    const now = this.now();
    for (const slot of this.owners.get(owner) ?? []) {
      if (this.state[slot] !== PAUSED) continue;
      // due[slot] is the packet that did not go: time is measured from it.
      const missed = Math.max(0, Math.round((now - this.due[slot]) / this.period[slot]));
      this.timestamp[slot] = (this.timestamp[slot] + missed * this.timestampStep[slot]) >>> 0;
      this.marker[slot] = 1;
      this.due[slot] = now;
      this.base[slot] = now;
      this.sent[slot] = 0;
      if (this.handle[slot] === NONE) {
        this.state[slot] = OPENING; // the socket's arrival schedules it
        continue;
      }
      this.state[slot] = ACTIVE;
      this.schedule(slot, Math.max(Math.floor(now), this.cursorMs));
    }
  }

  stopOwner(owner: number): void {
    const list = this.owners.get(owner);
    if (list === undefined) return;
    this.owners.delete(owner);
    for (const slot of list) this.release(slot);
  }

  stopAll(): void {
    for (const owner of [...this.owners.keys()]) this.stopOwner(owner);
  }

  /** Owners with at least one stream (started, not yet stopped or ended). */
  get ownerCount(): number {
    return this.owners.size;
  }

  /** Sends every packet due at or before `now`, in this turn. */
  tick(now: number = this.now()): void {
    if (Number.isNaN(this.cursorMs)) return;
    const last = Math.floor(now);
    this.batchNumber = (this.batchNumber + 1) >>> 0 || 1;
    for (let ms = this.cursorMs; ms <= last; ms++) {
      const wheelIndex = ms & WHEEL_MASK;
      let slot = this.wheelHead[wheelIndex];
      while (slot !== NONE) {
        const next = this.wheelNext[slot];
        let due = this.due[slot];
        if (due <= now) {
          this.unschedule(slot);
          if (now - due > this.maxLatenessMs) {
            due = this.skipTo(slot, now);
            if (this.remaining[slot] <= 0) {
              this.finish(slot);
              slot = next;
              continue;
            }
          }
          this.emit(slot, due);
          if (--this.remaining[slot] <= 0) {
            this.finish(slot); // its packet still goes: release flushes the batch first
          } else {
            const sent = ++this.sent[slot];
            const nextDue = this.base[slot] + sent * this.period[slot];
            this.due[slot] = nextDue;
            // A stream that fell behind is caught up within this same pass, one packet per
            // wheel slot, so that counts stay exact after a stall.
            this.schedule(slot, Math.max(Math.floor(nextDue), ms + 1));
          }
        } else if (ms < last) {
          // Still in the future yet in a past slot: only when it sat beyond the wheel's span.
          this.unschedule(slot);
          this.schedule(slot, Math.max(Math.floor(due), last));
        }
        slot = next;
      }
    }
    this.cursorMs = last;
    this.flush();
  }

  /**
   * Drops the packets of a stream that fell more than maxLatenessMs behind, up to the one
   * due in the last ptime; returns that one's due time. Timestamps move on as if they were
   * sent, the sequence does not (no loss at the receiver), and the marker flags the jump.
   */
  private skipTo(slot: number, now: number): number {
    const period = this.period[slot];
    const skipped = Math.min(this.remaining[slot], Math.floor((now - this.due[slot]) / period));
    this.skippedPackets += skipped;
    this.remaining[slot] -= skipped;
    this.sent[slot] += skipped;
    this.timestamp[slot] = (this.timestamp[slot] + skipped * this.timestampStep[slot]) >>> 0;
    this.marker[slot] = 1;
    const due = this.base[slot] + this.sent[slot] * period;
    this.due[slot] = due;
    return due;
  }

  /** True when no stream holds a socket: a driver may stop its timer. */
  idle(): boolean {
    return this.streamsActive === 0;
  }

  counters(): MediaCounters {
    const lateErrors = this.sender.takeLateErrors?.() ?? 0;
    if (lateErrors > 0) {
      this.sendErrors += lateErrors;
      this.packetsSent -= lateErrors;
    }
    return {
      ...emptyMediaCounters(),
      sendPath: this.sender.path,
      streamsStarted: this.streamsStarted,
      streamsActive: this.streamsActive,
      streamsPeak: this.streamsPeak,
      rtpPacketsSent: this.packetsSent,
      rtpBytesSent: this.bytesSent,
      sendErrors: this.sendErrors,
      socketErrors: this.socketErrors,
      latePackets: this.latePackets,
      lateThresholdMs: this.lateThresholdMs,
      skippedPackets: this.skippedPackets,
      maxLatenessMs: this.maxLatenessMs,
      latenessP50Ms: this.lateness.quantileMs(0.5),
      latenessP99Ms: this.lateness.quantileMs(0.99),
      latenessMaxMs: this.lateness.maxMs,
    };
  }

  /** Bytes held per stream slot in typed arrays and the packet arena (bench figure). */
  memoryBytes(): number {
    const perSlot = 1 + 8 + 1 + 1 + 2 + 4 + 4 + 8 + 8 + 8 + 8 + 8 + 4 + 4 + 4 + 4 + 4 + 4 + 4;
    return this.capacity * perSlot + this.arena.length + WHEEL_SLOTS * 4;
  }

  // ---- sending --------------------------------------------------------------------------

  private emit(slot: number, due: number): void {
    if (this.inBatch[slot] === this.batchNumber) {
      // Catching up: the stream's one packet buffer already waits in this batch.
      this.flush();
      this.batchNumber = (this.batchNumber + 1) >>> 0 || 1;
    }
    const offset = this.offset[slot];
    patchRtpHeader(this.arena, offset, this.payloadType[slot], this.marker[slot] === 1, this.seq[slot], this.timestamp[slot]);
    this.marker[slot] = 0;
    this.seq[slot] = (this.seq[slot] + 1) & 0xffff;
    this.timestamp[slot] = (this.timestamp[slot] + this.timestampStep[slot]) >>> 0;
    const i = this.batchCount++;
    this.batchHandles[i] = this.handle[slot];
    this.batchOffsets[i] = offset;
    this.batchLengths[i] = this.length[slot];
    this.batchDue[i] = due;
    this.inBatch[slot] = this.batchNumber;
    if (this.batchCount === MAX_BATCH) {
      this.flush();
      this.batchNumber = (this.batchNumber + 1) >>> 0 || 1;
    }
  }

  private flush(): void {
    const count = this.batchCount;
    if (count === 0) return;
    this.batchCount = 0;
    let sent: number;
    try {
      sent = this.sender.sendBatch(this.arena, this.batchHandles, this.batchOffsets, this.batchLengths, count);
    } catch (error) {
      this.onError(`media: send failed: ${(error as Error).message}`);
      sent = 0;
    }
    // Lateness is taken after the batch left, so the send time itself counts against us.
    const after = this.now();
    const threshold = this.lateThresholdMs;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      const late = after - this.batchDue[i];
      this.lateness.record(late);
      if (late > threshold) this.latePackets++;
      bytes += this.batchLengths[i];
    }
    this.packetsSent += sent;
    this.sendErrors += count - sent;
    // Bytes are those of packets handed to the kernel; a refused one is rare enough to count
    // it at the average size rather than track which one it was.
    this.bytesSent += sent === count ? bytes : Math.round((bytes * sent) / count);
  }

  // ---- slots, arena, wheel ---------------------------------------------------------------

  private finish(slot: number): void {
    const owner = this.owner[slot];
    const list = this.owners.get(owner);
    if (list !== undefined) {
      const at = list.indexOf(slot);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.owners.delete(owner);
    }
    this.release(slot);
  }

  private release(slot: number): void {
    if (this.state[slot] === FREE) return;
    this.unschedule(slot);
    if (this.inBatch[slot] === this.batchNumber) this.flush(); // its packet still waits to go
    this.state[slot] = FREE;
    this.openingGeneration.delete(slot);
    if (this.handle[slot] !== NONE) this.sender.close(this.handle[slot]);
    let sizeList = this.freeArena.get(this.length[slot]);
    if (sizeList === undefined) this.freeArena.set(this.length[slot], (sizeList = []));
    sizeList.push(this.offset[slot]);
    this.freeSlots.push(slot);
    this.streamsActive--;
  }

  private schedule(slot: number, ms: number): void {
    const index = ms & WHEEL_MASK;
    const head = this.wheelHead[index];
    this.wheelPrev[slot] = NONE;
    this.wheelNext[slot] = head;
    if (head !== NONE) this.wheelPrev[head] = slot;
    this.wheelHead[index] = slot;
    this.wheelSlot[slot] = index;
  }

  private unschedule(slot: number): void {
    const index = this.wheelSlot[slot];
    if (index === NONE) return;
    const prev = this.wheelPrev[slot];
    const next = this.wheelNext[slot];
    if (prev === NONE) this.wheelHead[index] = next;
    else this.wheelNext[prev] = next;
    if (next !== NONE) this.wheelPrev[next] = prev;
    this.wheelSlot[slot] = NONE;
  }

  private allocSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (this.capacity === 0 || this.nextFreshSlot === this.capacity) this.grow(Math.max(64, this.capacity * 2));
    return this.nextFreshSlot++;
  }

  private nextFreshSlot = 0;

  private grow(capacity: number): void {
    const grown = <T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.state = grown(this.state, (n) => new Uint8Array(n));
    this.owner = grown(this.owner, (n) => new Float64Array(n));
    this.payloadType = grown(this.payloadType, (n) => new Uint8Array(n));
    this.marker = grown(this.marker, (n) => new Uint8Array(n));
    this.seq = grown(this.seq, (n) => new Uint16Array(n));
    this.timestamp = grown(this.timestamp, (n) => new Uint32Array(n));
    this.timestampStep = grown(this.timestampStep, (n) => new Uint32Array(n));
    this.due = grown(this.due, (n) => new Float64Array(n));
    this.base = grown(this.base, (n) => new Float64Array(n));
    this.sent = grown(this.sent, (n) => new Float64Array(n));
    this.period = grown(this.period, (n) => new Float64Array(n));
    this.remaining = grown(this.remaining, (n) => new Float64Array(n));
    this.handle = grown(this.handle, (n) => new Int32Array(n));
    this.offset = grown(this.offset, (n) => new Int32Array(n));
    this.length = grown(this.length, (n) => new Int32Array(n));
    this.inBatch = grown(this.inBatch, (n) => new Uint32Array(n));
    this.wheelNext = grown(this.wheelNext, (n) => new Int32Array(n));
    this.wheelPrev = grown(this.wheelPrev, (n) => new Int32Array(n));
    const slots = new Int32Array(capacity).fill(NONE);
    slots.set(this.wheelSlot);
    this.wheelSlot = slots;
    this.capacity = capacity;
  }

  private allocArena(bytes: number): number {
    const reused = this.freeArena.get(bytes)?.pop();
    if (reused !== undefined) return reused;
    if (this.arenaUsed + bytes > this.arena.length) {
      const next = Buffer.alloc(Math.max(64 * 1024, this.arena.length * 2, this.arenaUsed + bytes));
      this.arena.copy(next, 0, 0, this.arenaUsed);
      this.arena = next;
    }
    const offset = this.arenaUsed;
    this.arenaUsed += bytes;
    return offset;
  }
}

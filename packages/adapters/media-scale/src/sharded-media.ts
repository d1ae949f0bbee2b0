import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { MediaCounters, MediaPort, MediaStreamSpec } from '@gossipper/core';
import { emptyMediaCounters } from '@gossipper/core';
import { LatenessHistogram } from './lateness.js';

export interface WorkerSetup {
  lateThresholdMs: number;
  maxLatenessMs: number | undefined;
  sharedSocket: boolean;
}

export type WorkerCommand =
  | { op: 'start'; owners: number[]; specs: MediaStreamSpec[] }
  | { op: 'pause' | 'resume' | 'stop'; owner: number }
  | { op: 'report' }
  | { op: 'close' };

export interface WorkerHistogram {
  buckets: Float64Array;
  count: number;
  maxMs: number;
}

export type WorkerReport =
  | { op: 'ready'; sendPath: string; fallbackReason: string | undefined }
  | { op: 'counters' | 'closed'; counters: MediaCounters; memoryBytes: number; histogram: WorkerHistogram | undefined }
  | { op: 'error'; message: string };

export interface ShardedMediaOptions {
  /** worker_threads to spread streams over; default: the machine's cores. */
  threads?: number;
  lateThresholdMs?: number;
  /** Packets due longer ago than this are skipped (500 ms by default). */
  maxLatenessMs?: number;
  /** One socket per thread (and local address) for all its streams: -media_shared_socket. */
  sharedSocket?: boolean;
  onError?: (message: string) => void;
}

/** The compiled worker; tests running the TypeScript sources use the built one in dist/. */
function workerUrl(): URL {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts') ? new URL('../dist/media-worker.js', import.meta.url) : new URL('./media-worker.js', import.meta.url);
}

interface Shard {
  worker: Worker;
  latest: MediaCounters;
  memoryBytes: number;
  histogram: WorkerHistogram | undefined;
  closed: Promise<void>;
}

/**
 * Streams sharded over worker_threads by owner (owner mod threads), each thread with its own
 * engine, sockets and timer, so several cores send. `counters()` merges the threads' latest
 * reports (at most 250 ms old while running, exact after `close`).
 */
export class ShardedMediaEngine implements MediaPort {
  readonly threads: number;
  private readonly shards: Shard[] = [];
  private readonly onError: (message: string) => void;
  private readonly lateThresholdMs: number;
  private sendPath_ = '';
  private fallbackReason_: string | undefined;
  private readonly ready: Promise<void>;
  private closing: Promise<void> | undefined;

  constructor(options: ShardedMediaOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
    this.onError = options.onError ?? (() => {});
    this.lateThresholdMs = options.lateThresholdMs ?? 10;
    const readies: Promise<void>[] = [];
    for (let i = 0; i < this.threads; i++) {
      const worker = new Worker(workerUrl(), {
        workerData: {
          lateThresholdMs: this.lateThresholdMs,
          maxLatenessMs: options.maxLatenessMs,
          sharedSocket: options.sharedSocket === true,
        } satisfies WorkerSetup,
      });
      worker.unref();
      let resolveReady!: () => void;
      readies.push(new Promise<void>((resolve) => (resolveReady = resolve)));
      let resolveClosed!: () => void;
      const shard: Shard = {
        worker,
        latest: emptyMediaCounters(),
        memoryBytes: 0,
        histogram: undefined,
        closed: new Promise<void>((resolve) => (resolveClosed = resolve)),
      };
      worker.on('message', (report: WorkerReport) => {
        if (report.op === 'ready') {
          this.sendPath_ = report.sendPath;
          this.fallbackReason_ ??= report.fallbackReason;
          resolveReady();
        } else if (report.op === 'error') {
          this.onError(report.message);
        } else {
          shard.latest = report.counters;
          shard.memoryBytes = report.memoryBytes;
          if (report.histogram !== undefined) shard.histogram = report.histogram;
          if (report.op === 'closed') resolveClosed();
        }
      });
      worker.on('error', (error) => {
        this.onError(`media thread ${i}: ${error.message}`);
        resolveReady();
        resolveClosed();
      });
      worker.on('exit', () => {
        resolveReady();
        resolveClosed();
      });
      this.shards.push(shard);
    }
    this.ready = Promise.all(readies).then(() => {});
  }

  /** Resolves once every thread has loaded its sender. */
  async whenReady(): Promise<void> {
    await this.ready;
  }

  get sendPath(): string {
    return this.sendPath_;
  }

  get fallbackReason(): string | undefined {
    return this.fallbackReason_;
  }

  startStream(owner: number, spec: MediaStreamSpec): void {
    this.post(owner, { op: 'start', owners: [owner], specs: [spec] });
  }

  /** Many streams in one message per thread (the standalone generator's start). */
  startStreams(owners: number[], specs: MediaStreamSpec[]): void {
    const perShard = this.shards.map(() => ({ owners: [] as number[], specs: [] as MediaStreamSpec[] }));
    for (let i = 0; i < owners.length; i++) {
      const part = perShard[this.shardOf(owners[i])];
      part.owners.push(owners[i]);
      part.specs.push(specs[i]);
    }
    perShard.forEach((part, i) => {
      if (part.owners.length > 0 && this.closing === undefined) this.shards[i].worker.postMessage({ op: 'start', ...part } satisfies WorkerCommand);
    });
  }

  pauseOwner(owner: number): void {
    this.post(owner, { op: 'pause', owner });
  }

  resumeOwner(owner: number): void {
    this.post(owner, { op: 'resume', owner });
  }

  stopOwner(owner: number): void {
    this.post(owner, { op: 'stop', owner });
  }

  counters(): MediaCounters {
    const merged = emptyMediaCounters();
    const histogram = new LatenessHistogram();
    merged.threads = this.threads;
    merged.sendPath = this.sendPath_;
    merged.lateThresholdMs = this.lateThresholdMs;
    for (const shard of this.shards) {
      const c = shard.latest;
      merged.streamsStarted += c.streamsStarted;
      merged.streamsActive += c.streamsActive;
      merged.streamsPeak += c.streamsPeak; // peaks of the threads, summed: an upper bound
      merged.rtpPacketsSent += c.rtpPacketsSent;
      merged.rtpBytesSent += c.rtpBytesSent;
      merged.sendErrors += c.sendErrors;
      merged.socketErrors += c.socketErrors;
      merged.latePackets += c.latePackets;
      merged.skippedPackets += c.skippedPackets;
      merged.maxLatenessMs = c.maxLatenessMs;
      if (shard.histogram !== undefined) histogram.merge(shard.histogram.buckets, shard.histogram.count, shard.histogram.maxMs);
    }
    merged.latenessP50Ms = histogram.quantileMs(0.5);
    merged.latenessP99Ms = histogram.quantileMs(0.99);
    merged.latenessMaxMs = histogram.maxMs;
    return merged;
  }

  /** Bytes the threads' engines hold (typed arrays and packet arenas), from their last report. */
  memoryBytes(): number {
    return this.shards.reduce((sum, shard) => sum + shard.memoryBytes, 0);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const shard of this.shards) shard.worker.postMessage({ op: 'close' } satisfies WorkerCommand);
      await Promise.all(this.shards.map((shard) => shard.closed));
      await Promise.all(this.shards.map((shard) => shard.worker.terminate()));
    })();
    return this.closing;
  }

  private shardOf(owner: number): number {
    return Math.abs(Math.floor(owner)) % this.threads;
  }

  private post(owner: number, command: WorkerCommand): void {
    if (this.closing !== undefined) return;
    this.shards[this.shardOf(owner)].worker.postMessage(command);
  }
}

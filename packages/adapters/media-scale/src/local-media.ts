import { performance } from 'node:perf_hooks';
import type { MediaCounters, MediaPort, MediaStreamSpec } from '@gossipper/core';
import { ScaleEngine, type PacketSender } from './scale-engine.js';
import { loadSender } from './senders.js';

export interface LocalMediaOptions {
  /** Defaults to the native sender where it loads, else dgram. */
  sender?: PacketSender;
  fallbackReason?: string;
  lateThresholdMs?: number;
  /** Packets due longer ago than this are skipped (ScaleEngine's maxLatenessMs; 500 by default). */
  maxLatenessMs?: number;
  /** One socket per local address for all streams (see SharedSendmmsgSender). */
  sharedSocket?: boolean;
  onError?: (message: string) => void;
}

/**
 * The scale engine on this thread, driven by one timer: a 1 ms setTimeout re-armed while any
 * stream exists and dropped when none does (so an idle run can exit).
 */
export class LocalMediaEngine implements MediaPort {
  readonly engine: ScaleEngine;
  readonly fallbackReason: string | undefined;
  private readonly sender: PacketSender;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: LocalMediaOptions = {}) {
    const loaded =
      options.sender === undefined
        ? loadSender(undefined, options.sharedSocket === true)
        : { sender: options.sender, fallbackReason: options.fallbackReason };
    this.sender = loaded.sender;
    this.fallbackReason = loaded.fallbackReason;
    this.engine = new ScaleEngine({
      sender: this.sender,
      now: () => performance.now(),
      lateThresholdMs: options.lateThresholdMs,
      maxLatenessMs: options.maxLatenessMs,
      onError: options.onError,
    });
  }

  get sendPath(): string {
    return this.sender.path;
  }

  startStream(owner: number, spec: MediaStreamSpec): void {
    if (this.closed) return;
    this.engine.startStream(owner, spec);
    this.arm();
  }

  pauseOwner(owner: number): void {
    this.engine.pauseOwner(owner);
  }

  resumeOwner(owner: number): void {
    this.engine.resumeOwner(owner);
  }

  stopOwner(owner: number): void {
    this.engine.stopOwner(owner);
  }

  counters(): MediaCounters {
    return this.engine.counters();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.engine.stopAll();
    await this.sender.closeAll?.();
  }

  private readonly run = (): void => {
    this.timer = undefined;
    this.engine.tick(performance.now());
    this.arm();
  };

  private arm(): void {
    if (this.timer !== undefined || this.closed || this.engine.idle()) return;
    this.timer = setTimeout(this.run, 1);
  }
}

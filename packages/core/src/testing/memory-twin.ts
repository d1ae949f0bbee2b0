import type { Scheduler } from '../ports/scheduler.js';
import type { CommandReceiver, TwinChannel } from '../ports/twin-channel.js';

/**
 * 3PCC twin commands inside the process, for engine tests on a virtual clock: named
 * channels; `pair(a, b)` makes them -3pcc twins, a `dest` name reaches that channel
 * (extended mode). Delivery goes through the scheduler.
 */
export class MemoryTwinHub {
  private readonly channels = new Map<string, MemoryTwinChannel>();

  constructor(
    readonly scheduler: Scheduler,
    readonly latencyMs = 1,
  ) {}

  channel(name: string): MemoryTwinChannel {
    let channel = this.channels.get(name);
    if (channel === undefined) {
      channel = new MemoryTwinChannel(this, name);
      this.channels.set(name, channel);
    }
    return channel;
  }

  /** Make two channels each other's -3pcc twin. */
  pair(a: string, b: string): void {
    this.channel(a).twin = this.channel(b);
    this.channel(b).twin = this.channel(a);
  }

  /** @internal */ find(name: string): MemoryTwinChannel | undefined {
    return this.channels.get(name);
  }
}

export class MemoryTwinChannel implements TwinChannel {
  twin: MemoryTwinChannel | undefined;
  /** Every command sent, as text, with where it went. */
  readonly sent: Array<{ dest: string | undefined; text: string }> = [];
  /** Set to false to make every send fail (FailedCmdNotSent). */
  up = true;
  private receiver: CommandReceiver | undefined;

  constructor(
    private readonly hub: MemoryTwinHub,
    readonly name: string,
  ) {}

  send(command: Buffer, dest: string | undefined): boolean {
    const to = dest !== undefined ? this.hub.find(dest) : this.twin;
    if (!this.up || to === undefined) return false;
    const copy = Buffer.from(command);
    this.sent.push({ dest, text: copy.toString('latin1') });
    this.hub.scheduler.setTimer(this.hub.latencyMs, () => to.receiver?.(copy));
    return true;
  }

  onCommand(receiver: CommandReceiver): void {
    this.receiver = receiver;
  }

  /** Deliver a command as if a twin had sent it. */
  inject(text: string): void {
    this.receiver?.(Buffer.from(text, 'latin1'));
  }
}

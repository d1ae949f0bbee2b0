import type { Scheduler } from '../ports/scheduler.js';
import type {
  ConnectionEvent,
  ConnectionEventReceiver,
  DatagramReceiver,
  Endpoint,
  Transport,
  TransportOpenContext,
  TransportOpenOptions,
} from '../ports/transport.js';
import { PortInUseError } from '../ports/transport.js';

const key = (e: Endpoint): string => `${e.address}|${e.port}`;

interface Delivery {
  transport: MemoryTransport;
  socketId: number;
}

/**
 * A loss-free (or deliberately lossy) datagram network inside the process. Delivery goes
 * through the scheduler so engine tests on a virtual clock stay deterministic.
 */
export class MemoryNetwork {
  private readonly bound = new Map<string, Delivery>();
  private nextEphemeral = 40000;
  /** Return true to drop a datagram on its way (tests of loss and retransmission). */
  dropFilter: ((data: Buffer, from: Endpoint, to: Endpoint) => boolean) | undefined;
  delivered = 0;
  dropped = 0;

  constructor(
    readonly scheduler: Scheduler,
    readonly latencyMs = 0,
  ) {}

  bind(transport: MemoryTransport, socketId: number, address: string, port: number): Endpoint {
    const local = { address, port: port === 0 ? this.nextEphemeral++ : port };
    if (this.bound.has(key(local))) throw new PortInUseError(address, local.port);
    this.bound.set(key(local), { transport, socketId });
    return local;
  }

  unbind(local: Endpoint): void {
    this.bound.delete(key(local));
  }

  isBound(local: Endpoint): boolean {
    return this.bound.has(key(local));
  }

  send(data: Buffer, from: Endpoint, to: Endpoint): void {
    if (this.dropFilter?.(data, from, to)) {
      this.dropped++;
      return;
    }
    const copy = Buffer.from(data);
    this.scheduler.setTimer(this.latencyMs, () => {
      const target = this.bound.get(key(to));
      if (target === undefined) {
        this.dropped++;
        return;
      }
      this.delivered++;
      target.transport.deliver(target.socketId, copy, from);
    });
  }
}

/**
 * In-memory Transport over a MemoryNetwork, with SIPp's u1 / un / ui socket layouts. With
 * `connectionOriented` it stands in for a stream transport: the engine does not retransmit,
 * and a test plays connection events with `emitConnectionEvent`. With `sourceAddresses` it is
 * `-t ui`: a socket per address, all on the main socket's port.
 */
export class MemoryTransport implements Transport {
  readonly protocolName: string;
  private receiver: DatagramReceiver | undefined;
  private onConnectionEvent: ConnectionEventReceiver | undefined;
  private readonly sockets = new Map<number, Endpoint>();
  private nextSocketId = 1;
  sent = 0;
  readonly socketPerSourceAddress: boolean;
  private readonly sourceSockets = new Map<string, number>();

  constructor(
    private readonly network: MemoryNetwork,
    readonly socketPerCall = false,
    readonly connectionOriented = false,
    private readonly sourceAddresses: readonly string[] = [],
  ) {
    this.protocolName = connectionOriented ? 'TCP' : 'UDP';
    this.socketPerSourceAddress = sourceAddresses.length > 0;
    if (this.socketPerSourceAddress) this.socketPerCall = true;
  }

  async open(options: TransportOpenOptions, receiver: DatagramReceiver, context: TransportOpenContext = {}): Promise<Endpoint> {
    this.receiver = receiver;
    this.onConnectionEvent = context.onConnectionEvent;
    const address = this.sourceAddresses[0] ?? (options.bindAddress || (options.family === 6 ? '::1' : '127.0.0.1'));
    const local = this.network.bind(this, 0, address, options.port === 0 ? 5060 : options.port);
    this.sockets.set(0, local);
    this.sourceSockets.set(address, 0);
    for (const other of this.sourceAddresses.slice(1)) {
      const socketId = this.nextSocketId++;
      this.sockets.set(socketId, this.network.bind(this, socketId, other, local.port));
      this.sourceSockets.set(other, socketId);
    }
    return local;
  }

  localOf(socketId: number): Endpoint | undefined {
    return this.sockets.get(socketId);
  }

  async openCallSocket(sourceAddress?: string): Promise<{ socketId: number; local: Endpoint }> {
    const main = this.sockets.get(0)!;
    if (this.socketPerSourceAddress) {
      const socketId = this.sourceSockets.get(sourceAddress ?? '');
      if (socketId === undefined) throw new Error(`no socket bound on ${sourceAddress}`);
      return { socketId, local: this.sockets.get(socketId)! };
    }
    if (!this.socketPerCall) return { socketId: 0, local: main };
    const socketId = this.nextSocketId++;
    const local = this.network.bind(this, socketId, main.address, 0);
    this.sockets.set(socketId, local);
    return { socketId, local };
  }

  closeCallSocket(socketId: number): void {
    if (socketId === 0 || this.socketPerSourceAddress) return;
    const local = this.sockets.get(socketId);
    if (local === undefined) return;
    this.network.unbind(local);
    this.sockets.delete(socketId);
  }

  send(socketId: number, data: Buffer, to: Endpoint): boolean {
    const local = this.sockets.get(socketId);
    if (local === undefined) return false;
    this.sent++;
    this.network.send(data, local, to);
    return true;
  }

  /** Plays a connection event to the engine, as a stream transport would. */
  emitConnectionEvent(event: ConnectionEvent): void {
    this.onConnectionEvent?.(event);
  }

  deliver(socketId: number, data: Buffer, from: Endpoint): void {
    this.receiver?.(socketId, data, from);
  }

  async close(): Promise<void> {
    for (const local of this.sockets.values()) this.network.unbind(local);
    this.sockets.clear();
  }
}

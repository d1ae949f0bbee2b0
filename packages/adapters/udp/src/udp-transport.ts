import { createSocket, type Socket, type SocketOptions } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP, isIPv6 } from 'node:net';
import { AddressBindError, PortInUseError } from '@gossipper/core';
import type {
  DatagramReceiver,
  Endpoint,
  Transport,
  TransportOpenOptions,
  UdpMode,
} from '@gossipper/core';

/**
 * When queued sends go to the kernel.
 * - `immediate` (default): every send of one event-loop turn is queued and flushed in one
 *   `setImmediate` batch (groups the replies to all datagrams read in one poll phase).
 * - `microtask`: flushed at the end of the current callback (`queueMicrotask`).
 * - `direct`: no queue, `send` hands the datagram to dgram at once.
 * Only `immediate` is meant for production; the others exist to measure against.
 */
export type UdpFlushMode = 'immediate' | 'microtask' | 'direct';

export interface UdpTransportOptions {
  mode: UdpMode;
  /** SIPp's port search when `open` gets port 0 without `portExplicit`. Default [5060, 5119]. */
  searchPorts?: readonly [from: number, to: number];
  /** See `UdpFlushMode`. Default 'immediate'. */
  flush?: UdpFlushMode;
  /**
   * `ui`: the addresses to send from, distinct, literal IPs of one family. Each gets a socket at
   * open, all on one port (the main socket's: -p, or SIPp's search); the first is socket 0.
   */
  sourceAddresses?: readonly string[];
}

/** Effective kernel buffer sizes of the main socket (Linux reports twice the requested value). */
export interface UdpBufferSizes {
  requested: number;
  receive: number;
  send: number;
}

/** Maps SIPp's `-t` value to a UDP mode: u1/s1 -> u1, un/sn -> un, ui; anything else -> undefined. */
export function udpModeFromSippFlag(t: string): UdpMode | undefined {
  switch (t) {
    case 'u1':
    case 's1':
      return 'u1';
    case 'un':
    case 'sn':
      return 'un';
    case 'ui':
      return 'ui';
    default:
      return undefined;
  }
}

export const DEFAULT_SEARCH_PORTS: readonly [number, number] = [5060, 5119];

interface SocketEntry {
  readonly id: number;
  readonly socket: Socket;
  /** Where it is bound (read once: a getsockname per call would be wasted). */
  readonly local: Endpoint;
  /** Sends queued for this socket and not yet handed to dgram. */
  pending: number;
  /** closeCallSocket was called: no new sends; closed once `pending` reaches 0. */
  closing: boolean;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram looks up every destination, and its default (dns.lookup) answers IP literals on the
 * next tick: one extra tick per datagram, and a send queued just before close() is lost.
 * Endpoints are literal IPs, so answer them synchronously; names still go to dns.lookup.
 */
function literalLookup(hostname: string, options: unknown, callback: LookupCallback): void {
  const family =
    typeof options === 'number' ? options : ((options as { family?: number } | undefined)?.family ?? 0);
  const kind = isIP(hostname);
  if (kind !== 0) {
    callback(null, hostname, kind);
    return;
  }
  dnsLookup(hostname, { family }, (err, address, fam) => callback(err, address, fam));
}

function closeQuietly(socket: Socket, done?: () => void): void {
  try {
    socket.close(done);
  } catch {
    // already closed
    done?.();
  }
}

/** Binds a new socket; resolves once listening, rejects with the bind error. */
function bindSocket(type: 'udp4' | 'udp6', address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type, lookup: literalLookup as SocketOptions['lookup'] });
    const onError = (err: Error): void => {
      socket.removeListener('listening', onListening);
      closeQuietly(socket);
      reject(err);
    };
    const onListening = (): void => {
      socket.removeListener('error', onError);
      resolve(socket);
    };
    socket.once('error', onError);
    socket.once('listening', onListening);
    try {
      // exclusive: a cluster worker must get its own socket, so EADDRINUSE is seen here.
      socket.bind({ port, address: address === '' ? undefined : address, exclusive: true });
    } catch (err) {
      onError(err as Error);
    }
  });
}

function isAddrInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE';
}

/** A bind error that is not a busy port, named with its address. */
function asAddressBindError(err: unknown, address: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code !== undefined && code !== 'EADDRINUSE' ? new AddressBindError(address, port, code) : err;
}

const udpTypeOf = (address: string): 'udp4' | 'udp6' => (isIPv6(address) ? 'udp6' : 'udp4');

/** With an OS-chosen port, how often `ui` tries again when another address has that port taken. */
const EPHEMERAL_ATTEMPTS = 8;

/**
 * SIPp's UDP transport. `u1`: one socket for everything. `un`: UAC calls get their own socket
 * (`openCallSocket`), bound on the same address with an OS-chosen port. `ui`: a socket per
 * source address, bound at open on one port and kept for the run (SIPp's socket per IP); a
 * UAC call sends from its address's socket, a UAS listens on all of them.
 */
export class UdpTransport implements Transport {
  readonly protocolName = 'UDP';
  readonly socketPerCall: boolean;
  readonly socketPerSourceAddress: boolean;
  readonly mode: UdpMode;

  /** Exceptions thrown by the receiver (caught so the socket keeps reading). */
  receiveErrors = 0;
  /** The last exception thrown by the receiver, for diagnostics. */
  lastReceiveError: unknown = undefined;
  /** Sends that failed: dgram callback errors, synchronous throws, sockets closed under a queued send. */
  sendErrors = 0;
  /** 'error' events of the sockets after bind (e.g. recvmsg failures). */
  socketErrors = 0;

  private readonly searchFrom: number;
  private readonly searchTo: number;
  private readonly flushMode: UdpFlushMode;

  private state: 'idle' | 'opening' | 'open' | 'closed' = 'idle';
  private closePromise: Promise<void> | undefined;
  private options: TransportOpenOptions | undefined;
  private receiver: DatagramReceiver | undefined;
  private main: SocketEntry | undefined;
  private readonly sockets = new Map<number, SocketEntry>();
  private nextSocketId = 1;
  private readonly sourceAddresses: readonly string[];
  /** `ui`: source address -> its socket. */
  private readonly sourceSockets = new Map<string, SocketEntry>();

  /** Queued sends, 4 slots each: entry, data, port, address. One array, no object per send. */
  private queue: unknown[] = [];
  private flushScheduled = false;
  private readonly flushBound = (): void => this.flush();
  private readonly onSent = (err: Error | null): void => {
    if (err) this.sendErrors++;
  };

  constructor(options: UdpTransportOptions) {
    this.mode = options.mode;
    this.socketPerCall = options.mode !== 'u1';
    this.socketPerSourceAddress = options.mode === 'ui';
    this.sourceAddresses = options.sourceAddresses ?? [];
    if (this.socketPerSourceAddress && this.sourceAddresses.length === 0) {
      throw new Error('UdpTransport: -t ui needs at least one source address');
    }
    const [from, to] = options.searchPorts ?? DEFAULT_SEARCH_PORTS;
    this.searchFrom = from;
    this.searchTo = to;
    this.flushMode = options.flush ?? 'immediate';
  }

  async open(options: TransportOpenOptions, receiver: DatagramReceiver): Promise<Endpoint> {
    if (this.state !== 'idle') throw new Error(`UdpTransport.open: transport is ${this.state}`);
    this.state = 'opening';
    this.options = options;
    this.receiver = receiver;
    const type = options.family === 6 ? 'udp6' : 'udp4';
    let sockets: Socket[];
    try {
      sockets = this.socketPerSourceAddress ? await this.bindPerAddress(options) : [await this.bindMain(type, options)];
    } catch (err) {
      if (this.state === 'opening') this.state = 'idle';
      throw err;
    }
    if (this.state !== 'opening') {
      // close() was called while binding.
      for (const socket of sockets) closeQuietly(socket);
      throw new Error('UdpTransport.open: transport closed while opening');
    }
    sockets.forEach((socket, i) => {
      const entry = this.adopt(i === 0 ? 0 : this.nextSocketId++, socket);
      if (this.socketPerSourceAddress) this.sourceSockets.set(this.sourceAddresses[i]!, entry);
    });
    this.main = this.sockets.get(0)!;
    this.state = 'open';
    return { ...this.main.local };
  }

  /**
   * `ui`: a socket on each source address, all on one port, so [local_port] is the same
   * whatever address a call has and a UAS answers on the port its callers were given. The
   * port is -p, else the first of SIPp's search that is free on every address.
   */
  private async bindPerAddress(options: TransportOpenOptions): Promise<Socket[]> {
    const explicit = options.port !== 0 || options.portExplicit;
    const candidates: number[] = [];
    if (explicit) {
      candidates.push(options.port);
      if (options.port === 0) for (let i = 1; i < EPHEMERAL_ATTEMPTS; i++) candidates.push(0);
    } else {
      for (let port = this.searchFrom; port <= this.searchTo; port++) candidates.push(port);
      for (let i = 0; i < EPHEMERAL_ATTEMPTS; i++) candidates.push(0);
    }
    for (const candidate of candidates) {
      const bound: Socket[] = [];
      let port = candidate;
      try {
        for (const address of this.sourceAddresses) {
          const socket = await bindSocket(udpTypeOf(address), address, port).catch((err: unknown) => {
            throw asAddressBindError(err, address, port);
          });
          bound.push(socket);
          port = socket.address().port;
        }
        return bound;
      } catch (err) {
        for (const socket of bound) closeQuietly(socket);
        if (!isAddrInUse(err)) throw err;
        if (explicit && candidate !== 0) {
          throw new PortInUseError(this.sourceAddresses[bound.length]!, candidate);
        }
      }
    }
    throw new PortInUseError(this.sourceAddresses.join(', '), 0);
  }

  private async bindMain(type: 'udp4' | 'udp6', options: TransportOpenOptions): Promise<Socket> {
    const address = options.bindAddress;
    if (options.port !== 0 || options.portExplicit) {
      try {
        return await bindSocket(type, address, options.port);
      } catch (err) {
        if (isAddrInUse(err)) throw new PortInUseError(address, options.port);
        throw asAddressBindError(err, address, options.port);
      }
    }
    for (let port = this.searchFrom; port <= this.searchTo; port++) {
      try {
        return await bindSocket(type, address, port);
      } catch (err) {
        if (!isAddrInUse(err)) throw asAddressBindError(err, address, port);
      }
    }
    return bindSocket(type, address, 0).catch((err: unknown) => {
      throw asAddressBindError(err, address, 0);
    });
  }

  /** Registers a bound socket: buffer sizes, receive handler, error counter. */
  private adopt(id: number, socket: Socket): SocketEntry {
    const size = this.options?.bufferSize ?? 0;
    if (size > 0) {
      // Linux caps silently at rmem_max/wmem_max; Node throws only for nonsense values.
      try {
        socket.setRecvBufferSize(size);
      } catch {
        /* keep the OS default; bufferSizes() reports what is in effect */
      }
      try {
        socket.setSendBufferSize(size);
      } catch {
        /* idem */
      }
    }
    const receiver = this.receiver as DatagramReceiver;
    socket.on('message', (msg: Buffer, rinfo) => {
      try {
        receiver(id, msg, { address: rinfo.address, port: rinfo.port });
      } catch (err) {
        this.receiveErrors++;
        this.lastReceiveError = err;
      }
    });
    socket.on('error', () => {
      this.socketErrors++;
    });
    const bound = socket.address();
    const entry: SocketEntry = { id, socket, local: { address: bound.address, port: bound.port }, pending: 0, closing: false };
    this.sockets.set(id, entry);
    return entry;
  }

  /** Effective buffer sizes of the main socket; zeros before open. */
  bufferSizes(): UdpBufferSizes {
    const requested = this.options?.bufferSize ?? 0;
    const main = this.main;
    if (main === undefined || this.state !== 'open') return { requested, receive: 0, send: 0 };
    let receive = 0;
    let send = 0;
    try {
      receive = main.socket.getRecvBufferSize();
      send = main.socket.getSendBufferSize();
    } catch {
      /* socket closed */
    }
    return { requested, receive, send };
  }

  /** The main socket's local endpoint, once open. */
  get local(): Endpoint | undefined {
    return this.main === undefined ? undefined : { ...this.main.local };
  }

  /** Number of open sockets, main included. */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** The local endpoint of a socket (the main one, a call's, or a `ui` address's). */
  localOf(socketId: number): Endpoint | undefined {
    const entry = this.sockets.get(socketId);
    return entry === undefined ? undefined : { ...entry.local };
  }

  async openCallSocket(sourceAddress?: string): Promise<{ socketId: number; local: Endpoint }> {
    if (this.state !== 'open' || this.options === undefined || this.main === undefined) {
      throw new Error(`UdpTransport.openCallSocket: transport is ${this.state}`);
    }
    if (this.mode === 'u1') return { socketId: 0, local: { ...this.main.local } };
    if (this.mode === 'ui') {
      const entry = this.sourceSockets.get(sourceAddress ?? '');
      if (entry === undefined) throw new Error(`no socket on ${sourceAddress ?? '(no address)'}: it was not among the -t ui addresses at start`);
      return { socketId: entry.id, local: { ...entry.local } };
    }
    const type = this.options.family === 6 ? 'udp6' : 'udp4';
    const socket = await bindSocket(type, this.options.bindAddress, 0);
    if (this.state !== 'open') {
      closeQuietly(socket);
      throw new Error('UdpTransport.openCallSocket: transport closed while opening');
    }
    const entry = this.adopt(this.nextSocketId++, socket);
    return { socketId: entry.id, local: { ...entry.local } };
  }

  closeCallSocket(socketId: number): void {
    // `ui` sockets belong to their address for the whole run, as SIPp's map_perip_fd.
    if (socketId === 0 || this.socketPerSourceAddress) return;
    const entry = this.sockets.get(socketId);
    if (entry === undefined) return;
    this.sockets.delete(socketId);
    entry.closing = true;
    // Sends already queued for it still go out; the flush closes it after the last one.
    if (entry.pending === 0) closeQuietly(entry.socket);
  }

  send(socketId: number, data: Buffer, to: Endpoint): boolean {
    const entry = socketId === 0 ? this.main : this.sockets.get(socketId);
    if (entry === undefined || entry.closing) return false;
    const port = to.port;
    if (!(port > 0 && port <= 65535)) return false;
    if (this.flushMode === 'direct') {
      this.sendNow(entry.socket, data, port, to.address);
      return true;
    }
    entry.pending++;
    this.queue.push(entry, data, port, to.address);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      if (this.flushMode === 'immediate') setImmediate(this.flushBound);
      else queueMicrotask(this.flushBound);
    }
    return true;
  }

  private sendNow(socket: Socket, data: Buffer, port: number, address: string): void {
    try {
      socket.send(data, port, address, this.onSent);
    } catch {
      this.sendErrors++;
    }
  }

  /** Hands every queued send to dgram, in the order `send` was called. */
  private flush(): void {
    this.flushScheduled = false;
    const q = this.queue;
    const n = q.length;
    if (n === 0) return;
    this.queue = [];
    for (let i = 0; i < n; i += 4) {
      const entry = q[i] as SocketEntry;
      this.sendNow(entry.socket, q[i + 1] as Buffer, q[i + 2] as number, q[i + 3] as string);
      if (--entry.pending === 0 && entry.closing) closeQuietly(entry.socket);
    }
  }

  close(): Promise<void> {
    if (this.closePromise !== undefined) return this.closePromise;
    this.state = 'closed';
    // Queued sends go out first (synchronously: literalLookup makes dgram send at once).
    this.flush();
    const entries = [...this.sockets.values()];
    this.sockets.clear();
    // `main` stays: `local` still answers after close, and sends are refused (it is closing).
    this.closePromise = Promise.all(
      entries.map(
        (entry) =>
          new Promise<void>((resolve) => {
            entry.closing = true;
            closeQuietly(entry.socket, resolve);
          }),
      ),
    ).then(() => undefined);
    return this.closePromise;
  }
}

import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MediaStreamSpec } from '@gossipper/core';
import type { PacketSender } from './scale-engine.js';

/** Per-socket kernel send buffer: a few ticks of packets even at 1000 streams per socket set. */
const SEND_BUFFER_BYTES = 256 * 1024;
/** A shared socket carries a whole tick of every stream of its thread. */
const SHARED_SEND_BUFFER_BYTES = 8 * 1024 * 1024;

/** Set to `dgram` to run the Node fallback even where the addon loads (tests, comparisons). */
export const FORCE_SEND_PATH_ENV = 'GOSSIPPER_MEDIA_SEND';

/**
 * The fallback: one connected `dgram` socket per stream, one `send` per packet. Node has no
 * sendmmsg; connected sends are its fastest path (~230k packets/s on this kind of machine).
 * A queued send refers to the arena bytes, which the engine patches only one ptime later.
 */
export class DgramSender implements PacketSender {
  readonly path = 'dgram';
  private readonly sockets: (Socket | undefined)[] = [];
  private readonly freeHandles: number[] = [];
  private lateErrors = 0;

  open(spec: MediaStreamSpec): Promise<number> {
    const family = isIPv6(spec.remoteHost) ? 'udp6' : 'udp4';
    const socket = createSocket({ type: family, sendBufferSize: SEND_BUFFER_BYTES });
    const handle = this.freeHandles.pop() ?? this.sockets.length;
    this.sockets[handle] = socket;
    return new Promise<number>((resolve, reject) => {
      let ready = false;
      socket.on('error', (error) => {
        if (!ready) {
          this.sockets[handle] = undefined;
          this.freeHandles.push(handle);
          socket.close();
          reject(error);
        } else {
          this.lateErrors++;
        }
      });
      socket.bind({ address: spec.localHost || undefined, port: spec.localPort, exclusive: true }, () => {
        socket.connect(spec.remotePort, spec.remoteHost, () => {
          ready = true;
          resolve(handle);
        });
      });
    });
  }

  sendBatch(arena: Buffer, handles: Int32Array, offsets: Int32Array, lengths: Int32Array, count: number): number {
    let sent = 0;
    for (let i = 0; i < count; i++) {
      const socket = this.sockets[handles[i]];
      if (socket === undefined) continue;
      const offset = offsets[i];
      try {
        socket.send(arena.subarray(offset, offset + lengths[i]));
        sent++;
      } catch {
        // counted by the caller as a send error
      }
    }
    return sent;
  }

  takeLateErrors(): number {
    const errors = this.lateErrors;
    this.lateErrors = 0;
    return errors;
  }

  close(handle: number): void {
    const socket = this.sockets[handle];
    if (socket === undefined) return;
    this.sockets[handle] = undefined;
    this.freeHandles.push(handle);
    try {
      socket.close();
    } catch {
      // already closed by an error
    }
  }

  async closeAll(): Promise<void> {
    for (let handle = 0; handle < this.sockets.length; handle++) this.close(handle);
  }
}

/** The addon's functions (native/sendmmsg.cc). */
export interface SendmmsgAddon {
  openUdp(localHost: string, localPort: number, remoteHost: string, remotePort: number, sendBuffer: number): number;
  sendBatch(arena: Buffer, fds: Int32Array, offsets: Int32Array, lengths: Int32Array, count: number): number;
  closeFd(fd: number): void;
}

/** The shared socket's key: one per local address and destination. */
function sharedKey(spec: MediaStreamSpec): string {
  return `${spec.localHost}|${spec.remoteHost}|${spec.remotePort}`;
}

/**
 * Sockets shared by the streams that go to the same destination from the same local address,
 * counted so the last stream to leave closes its socket.
 */
class SharedSockets<S> {
  private readonly byKey = new Map<string, { socket: S; users: number }>();
  private readonly keyOf = new Map<S, string>();
  get(spec: MediaStreamSpec): S | undefined {
    const entry = this.byKey.get(sharedKey(spec));
    if (entry === undefined) return undefined;
    entry.users++;
    return entry.socket;
  }
  add(spec: MediaStreamSpec, socket: S): void {
    const key = sharedKey(spec);
    this.byKey.set(key, { socket, users: 1 });
    this.keyOf.set(socket, key);
  }
  /** True when `socket` has no user left (the caller closes it). */
  release(socket: S): boolean {
    const key = this.keyOf.get(socket);
    const entry = key === undefined ? undefined : this.byKey.get(key);
    if (key === undefined || entry === undefined) return false;
    if (--entry.users > 0) return false;
    this.byKey.delete(key);
    this.keyOf.delete(socket);
    return true;
  }
  all(): S[] {
    return [...this.keyOf.keys()];
  }
}

/**
 * `-media_shared_socket` with the addon: the streams that go to the same destination share one
 * connected socket (bound to the first one's local port), so a tick's packets to it leave in
 * one sendmmsg call, as a C sender with one socket does. Toward one SBC address that is one
 * socket per thread; every stream then has the same source port.
 */
export class SharedSendmmsgSender implements PacketSender {
  readonly path = 'sendmmsg-shared';
  private readonly shared = new SharedSockets<number>();

  constructor(private readonly addon: SendmmsgAddon) {}

  open(spec: MediaStreamSpec): number {
    const existing = this.shared.get(spec);
    if (existing !== undefined) return existing;
    const fd = this.addon.openUdp(spec.localHost, spec.localPort, spec.remoteHost, spec.remotePort, SHARED_SEND_BUFFER_BYTES);
    this.shared.add(spec, fd);
    return fd;
  }

  sendBatch(arena: Buffer, handles: Int32Array, offsets: Int32Array, lengths: Int32Array, count: number): number {
    return this.addon.sendBatch(arena, handles, offsets, lengths, count);
  }

  close(handle: number): void {
    if (this.shared.release(handle)) this.addon.closeFd(handle);
  }

  async closeAll(): Promise<void> {
    for (const fd of this.shared.all()) {
      while (!this.shared.release(fd)) {
        // drop every user
      }
      this.addon.closeFd(fd);
    }
  }
}

/** `-media_shared_socket` without the addon: one connected dgram socket per destination. */
export class SharedDgramSender implements PacketSender {
  readonly path = 'dgram-shared';
  private readonly inner = new DgramSender();
  private readonly shared = new SharedSockets<Promise<number>>();
  private readonly opening = new Map<number, Promise<number>>();

  open(spec: MediaStreamSpec): Promise<number> {
    const existing = this.shared.get(spec);
    if (existing !== undefined) return existing;
    const opened = this.inner.open(spec);
    this.shared.add(spec, opened);
    void opened.then(
      (handle) => this.opening.set(handle, opened),
      () => this.shared.release(opened),
    );
    return opened;
  }

  sendBatch(arena: Buffer, handles: Int32Array, offsets: Int32Array, lengths: Int32Array, count: number): number {
    return this.inner.sendBatch(arena, handles, offsets, lengths, count);
  }

  takeLateErrors(): number {
    return this.inner.takeLateErrors();
  }

  close(handle: number): void {
    const opened = this.opening.get(handle);
    if (opened !== undefined && this.shared.release(opened)) {
      this.opening.delete(handle);
      this.inner.close(handle);
    }
  }

  async closeAll(): Promise<void> {
    await this.inner.closeAll();
  }
}

/**
 * Sockets the addon owns (plain non-blocking fds, unknown to libuv): `open` is synchronous and
 * a whole tick's packets cross into C++ once, where runs of packets on the same socket go in
 * one sendmmsg call.
 */
export class SendmmsgSender implements PacketSender {
  readonly path = 'sendmmsg';
  private readonly open_ = new Set<number>();

  constructor(private readonly addon: SendmmsgAddon) {}

  open(spec: MediaStreamSpec): number {
    const fd = this.addon.openUdp(spec.localHost, spec.localPort, spec.remoteHost, spec.remotePort, SEND_BUFFER_BYTES);
    this.open_.add(fd);
    return fd;
  }

  sendBatch(arena: Buffer, handles: Int32Array, offsets: Int32Array, lengths: Int32Array, count: number): number {
    return this.addon.sendBatch(arena, handles, offsets, lengths, count);
  }

  close(handle: number): void {
    if (!this.open_.delete(handle)) return;
    this.addon.closeFd(handle);
  }

  async closeAll(): Promise<void> {
    for (const fd of [...this.open_]) this.close(fd);
  }
}

export interface LoadedSender {
  sender: PacketSender;
  /** Why the addon is not used, when it is not. */
  fallbackReason?: string;
}

/** Where node-gyp puts the addon, relative to this file (dist/ or src/). */
export function addonPath(): string {
  return fileURLToPath(new URL('../build/Release/gossipper_sendmmsg.node', import.meta.url));
}

let cachedAddon: SendmmsgAddon | string | undefined;

/** The addon, or why it cannot be had; loaded once per thread. */
export function loadAddon(): SendmmsgAddon | string {
  if (cachedAddon !== undefined) return cachedAddon;
  const path = addonPath();
  if (process.platform !== 'linux') {
    cachedAddon = `sendmmsg is Linux-only (this is ${process.platform})`;
  } else if (!existsSync(path)) {
    cachedAddon = 'the sendmmsg addon is not built (npm run build:native -w @gossipper/adapter-media-scale)';
  } else {
    try {
      cachedAddon = createRequire(import.meta.url)(path) as SendmmsgAddon;
    } catch (error) {
      cachedAddon = `the sendmmsg addon does not load: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  return cachedAddon;
}

/**
 * The batched native sender where it loads, otherwise dgram with the reason. `sharedSocket`:
 * one socket per thread and local address instead of one per stream.
 */
export function loadSender(force: string | undefined = process.env[FORCE_SEND_PATH_ENV], sharedSocket = false): LoadedSender {
  const dgram = (): PacketSender => (sharedSocket ? new SharedDgramSender() : new DgramSender());
  if (force === 'dgram') return { sender: dgram(), fallbackReason: `${FORCE_SEND_PATH_ENV}=dgram` };
  const addon = loadAddon();
  if (typeof addon === 'string') return { sender: dgram(), fallbackReason: addon };
  return { sender: sharedSocket ? new SharedSendmmsgSender(addon) : new SendmmsgSender(addon) };
}

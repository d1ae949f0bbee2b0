/**
 * Local UDP helpers: loopback only. Ports are fixed per test (see PORTS in each file),
 * in 12000..12999: below Linux's ephemeral range (32768..) so no OS-chosen source port can
 * take them, and outside both SIPp's default 5060..5119 and the bench's 16000..40000.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import type { Proc } from './procs.js';
import { waitFor } from './procs.js';

export const LOOPBACK = '127.0.0.1';

/**
 * Local ports of the sockets in /proc/net tables (Linux): `files` without and with `6`,
 * keeping the rows whose state (4th field, hex) passes `state` when given.
 */
function portsIn(files: readonly string[], state?: string): Set<number> {
  const ports = new Set<number>();
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (local === undefined || (state !== undefined && fields[3] !== state)) continue;
      ports.add(parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return ports;
}

/** UDP ports some socket is bound to, from /proc/net/udp{,6} (Linux). */
export function boundUdpPorts(): Set<number> {
  return portsIn(['/proc/net/udp', '/proc/net/udp6']);
}

/** TCP ports in LISTEN state (0A), from /proc/net/tcp{,6} (Linux). */
export function listeningTcpPorts(): Set<number> {
  return portsIn(['/proc/net/tcp', '/proc/net/tcp6'], '0A');
}

/** Fail early and clearly when a test's fixed port is taken by something else. */
export function assertUdpPortsFree(...ports: number[]): void {
  const bound = boundUdpPorts();
  const taken = ports.filter((p) => bound.has(p));
  if (taken.length > 0) throw new Error(`UDP port(s) ${taken.join(', ')} already in use: cannot run this test`);
}

/** Wait until `port` is bound (the server is up), failing at once if `proc` exits first. */
export async function waitForUdpBound(port: number, proc: Proc, timeoutMs = 5000): Promise<void> {
  await waitFor(
    `${proc.label} to bind UDP port ${port}`,
    () => {
      if (!proc.alive) throw new Error(`${proc.label} exited before binding port ${port}\n${proc.describe()}`);
      return boundUdpPorts().has(port);
    },
    timeoutMs,
    10,
  );
}

/** A peer that reads and never answers. */
export interface SilentPeer {
  readonly port: number;
  /** Datagrams received so far. */
  readonly received: number;
  /** performance.now() of the first datagram, undefined before it. */
  readonly firstAt: number | undefined;
  close(): Promise<void>;
}

export async function silentPeer(port: number): Promise<SilentPeer> {
  const socket = createSocket('udp4');
  let received = 0;
  let firstAt: number | undefined;
  socket.on('message', () => {
    firstAt ??= performance.now();
    received++;
  });
  await bind(socket, port);
  return {
    port,
    get received() {
      return received;
    },
    get firstAt() {
      return firstAt;
    },
    close: () => closeSocket(socket),
  };
}

export function bind(socket: Socket, port: number, address = LOOPBACK): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

export function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

export function send(socket: Socket, data: Buffer, port: number, address = LOOPBACK): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.send(data, port, address, (error) => (error ? reject(error) : resolve()));
  });
}

/** The kernel's count of UDP datagrams dropped for a full receive buffer (all sockets). */
export function udpReceiveBufferErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')]);
}

/** Fail early and clearly when a test's fixed TCP port is already listened on. */
export function assertTcpPortsFree(...ports: number[]): void {
  const listening = listeningTcpPorts();
  const taken = ports.filter((p) => listening.has(p));
  if (taken.length > 0) throw new Error(`TCP port(s) ${taken.join(', ')} already in use: cannot run this test`);
}

/** Wait until `port` is listened on (the server is up), failing at once if `proc` exits first. */
export async function waitForTcpListening(port: number, proc: Proc, timeoutMs = 5000): Promise<void> {
  await waitFor(
    `${proc.label} to listen on TCP port ${port}`,
    () => {
      if (!proc.alive) throw new Error(`${proc.label} exited before listening on port ${port}\n${proc.describe()}`);
      return listeningTcpPorts().has(port);
    },
    timeoutMs,
    10,
  );
}

/** Wait until some connection to local `port` is established (state 01), failing at once if `proc` exits. */
export async function waitForTcpEstablished(port: number, proc: Proc, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    `a connection to TCP port ${port}`,
    () => {
      if (!proc.alive) throw new Error(`${proc.label} exited before connecting to port ${port}\n${proc.describe()}`);
      return portsIn(['/proc/net/tcp', '/proc/net/tcp6'], '01').has(port);
    },
    timeoutMs,
    10,
  );
}

import { connect as tcpConnect, createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import {
  ConnectError,
  PortInUseError,
  TRANSPORT,
  type ConnectionEvent,
  type DatagramReceiver,
  type Endpoint,
  type Transport,
  type TransportOpenOptions,
} from '@gossipper/core';
import {
  StreamTransport,
  loadTlsFiles,
  streamTransportModule,
  TlsConfigError,
  type StreamTransportOptions,
} from '../src/index.js';
import { WebSocket as WsClient, WebSocketServer } from 'ws';
import { describeWithCerts } from './support/certs.js';

interface Received {
  socketId: number;
  text: string;
  from: Endpoint;
}

async function until<T>(what: string, probe: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Records messages and connection events. */
function inbox() {
  const got: Received[] = [];
  const events: ConnectionEvent[] = [];
  const receiver: DatagramReceiver = (socketId, data, from) => {
    got.push({ socketId, text: data.toString('latin1'), from });
  };
  const onConnectionEvent = (e: ConnectionEvent): void => {
    events.push(e);
  };
  const waitFor = (n: number): Promise<Received[]> => until(`${n} messages (have ${got.length})`, () => (got.length >= n ? got : undefined));
  const waitForEvent = <K extends ConnectionEvent['kind']>(kind: K, n = 1): Promise<Array<Extract<ConnectionEvent, { kind: K }>>> =>
    until(`${n} ${kind} events`, () => {
      const list = events.filter((e) => e.kind === kind) as Array<Extract<ConnectionEvent, { kind: K }>>;
      return list.length >= n ? list : undefined;
    });
  return { got, events, receiver, onConnectionEvent, waitFor, waitForEvent };
}

const transports: StreamTransport[] = [];
const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

function transport(options: Partial<StreamTransportOptions> = {}): StreamTransport {
  const t = new StreamTransport({ mode: 't1', ...options });
  transports.push(t);
  return t;
}

function bindOptions(address = '127.0.0.1', family: 4 | 6 = 4): TransportOpenOptions {
  return { bindAddress: address, port: 0, portExplicit: true, family, bufferSize: 0 };
}

function sipRequest(n: number, body = ''): string {
  return (
    `OPTIONS sip:test@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-${n}\r\n` +
    `Call-ID: call-${n}\r\nCSeq: ${n} OPTIONS\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

function sipResponse(n: number): string {
  return `SIP/2.0 200 OK\r\nCall-ID: call-${n}\r\nCSeq: ${n} OPTIONS\r\nContent-Length: 0\r\n\r\n`;
}

/** A raw TCP client to a transport's listener. */
function rawClient(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host, port }, () => resolve(s));
    s.once('error', reject);
    sockets.push(s);
  });
}

/** A raw TCP server recording the sockets it accepts and what they send. */
async function rawServer(): Promise<{ port: number; accepted: Socket[]; data: string[] }> {
  const accepted: Socket[] = [];
  const data: string[] = [];
  const server = createServer((s) => {
    accepted.push(s);
    sockets.push(s);
    s.on('data', (d) => data.push(d.toString('latin1')));
    s.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, accepted, data };
}

describe('stream modes', () => {
  it('binds TRANSPORT through its ContainerModule', () => {
    const container = new Container();
    container.load(streamTransportModule({ mode: 'tn' }));
    const t = container.get<Transport>(TRANSPORT);
    expect(t.protocolName).toBe('TCP');
    expect(t.socketPerCall).toBe(true);
    expect(t.connectionOriented).toBe(true);
  });
});

describe('TCP t1', () => {
  it('a client connection (socket 0) and the server side reply on the connection the request came in on', async () => {
    const server = inbox();
    const srv = transport();
    const local = await srv.open(bindOptions(), server.receiver, { onConnectionEvent: server.onConnectionEvent });
    const client = inbox();
    const cli = transport();
    await cli.open(bindOptions(), client.receiver, { remote: local, onConnectionEvent: client.onConnectionEvent });
    expect(cli.send(0, Buffer.from(sipRequest(1)), local)).toBe(true);
    const [req] = await server.waitFor(1);
    expect(req.socketId).toBeGreaterThan(0);
    expect(req.text).toBe(sipRequest(1));
    // The endpoint is ignored on a connection: the reply follows the socket id.
    expect(srv.send(req.socketId, Buffer.from(sipResponse(1)), { address: '192.0.2.1', port: 9 })).toBe(true);
    const [resp] = await client.waitFor(1);
    expect(resp).toMatchObject({ socketId: 0, text: sipResponse(1) });
    expect(srv.acceptedConnections).toBe(1);
  });

  it('accepts many connections and routes each reply back to its own connection', async () => {
    const server = inbox();
    const srv = transport();
    const local = await srv.open(bindOptions(), server.receiver, { onConnectionEvent: server.onConnectionEvent });
    const clients = await Promise.all(Array.from({ length: 20 }, () => rawClient(local.port)));
    const replies = clients.map(() => [] as string[]);
    clients.forEach((c, i) => {
      c.on('data', (d) => replies[i]!.push(d.toString('latin1')));
      c.write(sipRequest(i));
    });
    const got = await server.waitFor(20);
    expect(new Set(got.map((r) => r.socketId)).size).toBe(20);
    for (const r of got) {
      const n = Number(/Call-ID: call-(\d+)/.exec(r.text)![1]);
      srv.send(r.socketId, Buffer.from(sipResponse(n)), r.from);
    }
    await until('every reply', () => replies.every((r) => r.join('').length > 0));
    replies.forEach((r, i) => expect(r.join('')).toBe(sipResponse(i)));
  });

  it('closing lets a peer close the connection it opened first (briefly), then closes it', async () => {
    const srv = transport();
    const local = await srv.open(bindOptions(), inbox().receiver);
    const polite = await rawClient(local.port);
    const lingering = await rawClient(local.port);
    let politeEnded = false;
    let lingeringEnded = false;
    polite.on('end', () => (politeEnded = true));
    lingering.on('end', () => (lingeringEnded = true));
    await until('two accepts', () => srv.acceptedConnections === 2);
    const closed = srv.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(politeEnded).toBe(false);
    polite.end();
    // The client that does not close is closed by us after the linger.
    await until('our close of the lingering connection', () => lingeringEnded);
    await closed;
  });

  it('frames many messages written at once and a message written one byte at a time', async () => {
    const server = inbox();
    const srv = transport();
    const local = await srv.open(bindOptions(), server.receiver, { onConnectionEvent: server.onConnectionEvent });
    const c = await rawClient(local.port);
    c.setNoDelay(true);
    c.write(Array.from({ length: 50 }, (_, i) => sipRequest(i)).join(''));
    await server.waitFor(50);
    const one = Buffer.from(sipRequest(99, 'v=0\r\n'));
    for (let i = 0; i < one.length; i++) {
      c.write(one.subarray(i, i + 1));
      if (i % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    const got = await server.waitFor(51);
    expect(got.map((r) => r.text)).toEqual([...Array.from({ length: 50 }, (_, i) => sipRequest(i)), one.toString('latin1')]);
    expect(server.events).toEqual([]);
  });

  it('a bogus Content-Length is one counted stream error; the connection keeps framing', async () => {
    const server = inbox();
    const srv = transport();
    const local = await srv.open(bindOptions(), server.receiver, { onConnectionEvent: server.onConnectionEvent });
    const c = await rawClient(local.port);
    c.write('INVITE sip:x@y SIP/2.0\r\nCall-ID: bad\r\nContent-Length: twelve\r\n\r\n' + sipRequest(1));
    const [error] = await server.waitForEvent('stream-error');
    expect(error.reason).toBe('invalid Content-Length header');
    const [msg] = await server.waitFor(1);
    expect(msg.text).toBe(sipRequest(1));
  });

  it('a 10 MB body over the limit is rejected, skipped without being buffered, and the next message framed', async () => {
    const server = inbox();
    const srv = transport();
    const local = await srv.open(bindOptions(), server.receiver, { onConnectionEvent: server.onConnectionEvent });
    const c = await rawClient(local.port);
    const size = 10 * 1024 * 1024;
    c.write(`MESSAGE sip:x@y SIP/2.0\r\nCall-ID: big\r\nCSeq: 1 MESSAGE\r\nContent-Length: ${size}\r\n\r\n`);
    let maxBuffered = 0;
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    for (let sent = 0; sent < size; sent += chunk.length) {
      if (!c.write(chunk)) await new Promise((r) => c.once('drain', r));
      maxBuffered = Math.max(maxBuffered, srv.bufferedInputBytes);
    }
    c.write(sipRequest(2));
    const [msg] = await server.waitFor(1);
    expect(msg.text).toBe(sipRequest(2));
    const errors = await server.waitForEvent('stream-error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.reason).toBe('Content-Length 10485760 exceeds the 1048576 byte limit');
    expect(maxBuffered).toBeLessThan(1024 * 1024);
  });

  it('a 10 MB body is framed whole when the limit allows it', async () => {
    const server = inbox();
    const srv = transport({ maxBodyBytes: 16 * 1024 * 1024 });
    const local = await srv.open(bindOptions(), server.receiver, { onConnectionEvent: server.onConnectionEvent });
    const c = await rawClient(local.port);
    const body = 'b'.repeat(10 * 1024 * 1024);
    c.write(sipRequest(3, body));
    const [msg] = await server.waitFor(1);
    expect(msg.text.length).toBe(sipRequest(3, body).length);
    expect(server.events).toEqual([]);
  });

  it('connection refused at open is a ConnectError naming the endpoint, at once', async () => {
    const { port } = await rawServer();
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const cli = transport();
    const started = Date.now();
    const error = await cli.open(bindOptions(), inbox().receiver, { remote: { address: '127.0.0.1', port } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toBe(`cannot connect to 127.0.0.1:${port} over TCP: connection refused (ECONNREFUSED)`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a peer that stops reading: sends fail past the pending-write limit instead of buffering without bound', async () => {
    const peer = await rawServer();
    const cli = transport({ maxPendingWriteBytes: 1024 * 1024 });
    await cli.open(bindOptions(), inbox().receiver, { remote: { address: '127.0.0.1', port: peer.port } });
    await until('accept', () => peer.accepted.length === 1);
    peer.accepted[0]!.pause();
    const message = Buffer.from(sipRequest(1, 'x'.repeat(60_000)));
    let accepted = 0;
    // Each turn writes 256 KiB; the kernel buffers take a few MiB, then our queue fills.
    for (let turn = 0; turn < 400 && accepted === turn * 4; turn++) {
      for (let i = 0; i < 4; i++) if (cli.send(0, message, { address: '127.0.0.1', port: peer.port })) accepted++;
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(accepted).toBeLessThan(400 * 4);
    expect(accepted * message.length).toBeLessThan(64 * 1024 * 1024);
  });

  it('without connectAtOpen the shared connection opens on the first send, and sends made meanwhile follow in order', async () => {
    const peer = await rawServer();
    const remote = { address: '127.0.0.1', port: peer.port };
    const cli = transport();
    await cli.open(bindOptions(), inbox().receiver, { remote, connectAtOpen: false });
    expect(peer.accepted).toHaveLength(0);
    expect(cli.send(0, Buffer.from(sipRequest(1)), remote)).toBe(true);
    expect(cli.send(0, Buffer.from(sipRequest(2)), remote)).toBe(true);
    await until('both messages', () => peer.data.join('') === sipRequest(1) + sipRequest(2));
    expect(peer.accepted).toHaveLength(1);
  });

  it('a lazy connection that is refused is reported as connection-lost (refused)', async () => {
    const { port } = await rawServer();
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const client = inbox();
    const cli = transport();
    const remote = { address: '127.0.0.1', port };
    await cli.open(bindOptions(), client.receiver, { remote, connectAtOpen: false, onConnectionEvent: client.onConnectionEvent });
    expect(cli.send(0, Buffer.from(sipRequest(1)), remote)).toBe(true);
    const [lost] = await client.waitForEvent('connection-lost');
    expect(lost).toMatchObject({ socketId: 0, cause: 'refused', reconnecting: false, failCalls: true });
  });

  it('a taken -p port is a PortInUseError (exit 254 in the CLI)', async () => {
    const first = transport();
    const local = await first.open(bindOptions(), inbox().receiver);
    const second = transport();
    const error = await second.open({ ...bindOptions(), port: local.port }, inbox().receiver).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortInUseError);
  });

  it('the peer closing the shared connection is reported; without -max_reconnect there is no new one', async () => {
    const peer = await rawServer();
    const client = inbox();
    const cli = transport();
    await cli.open(bindOptions(), client.receiver, { remote: { address: '127.0.0.1', port: peer.port }, onConnectionEvent: client.onConnectionEvent });
    await until('accept', () => peer.accepted.length === 1);
    peer.accepted[0]!.end();
    const [lost] = await client.waitForEvent('connection-lost');
    expect(lost).toMatchObject({ socketId: 0, cause: 'closed', reconnecting: false, failCalls: true });
    expect(cli.send(0, Buffer.from(sipRequest(1)), { address: '127.0.0.1', port: peer.port })).toBe(false);
  });

  it('a reset is reported as such; with -max_reconnect the shared connection comes back and sends resume', async () => {
    const peer = await rawServer();
    const client = inbox();
    const cli = transport({ maxReconnect: 1, reconnectSleepMs: 20, reconnectClose: false });
    const remote = { address: '127.0.0.1', port: peer.port };
    await cli.open(bindOptions(), client.receiver, { remote, onConnectionEvent: client.onConnectionEvent });
    await until('accept', () => peer.accepted.length === 1);
    peer.accepted[0]!.resetAndDestroy();
    const [lost] = await client.waitForEvent('connection-lost');
    expect(lost).toMatchObject({ socketId: 0, cause: 'reset', reconnecting: true, failCalls: false });
    await until('reconnection', () => peer.accepted.length === 2 && cli.reconnections === 1);
    expect(cli.send(0, Buffer.from(sipRequest(7)), remote)).toBe(true);
    await until('data on the new connection', () => peer.data.join('').includes('call-7'));
    // The reconnection budget is spent: the next loss is final.
    peer.accepted[1]!.destroy();
    const events = await client.waitForEvent('connection-lost', 2);
    expect(events[1]).toMatchObject({ reconnecting: false, failCalls: true });
  });

  it('reconnection attempts that are refused end in a final connection-lost (refused)', async () => {
    const peer = await rawServer();
    const client = inbox();
    const cli = transport({ maxReconnect: 2, reconnectSleepMs: 10 });
    await cli.open(bindOptions(), client.receiver, { remote: { address: '127.0.0.1', port: peer.port }, onConnectionEvent: client.onConnectionEvent });
    await until('accept', () => peer.accepted.length === 1);
    // Stop listening (close() calls back only once its connections are gone), then drop the connection.
    const closed = new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    peer.accepted[0]!.destroy();
    await closed;
    const events = await client.waitForEvent('connection-lost', 2);
    expect(events[0]).toMatchObject({ reconnecting: true, failCalls: true });
    expect(events[1]).toMatchObject({ cause: 'refused', reconnecting: false, failCalls: true });
    expect(events[1]!.reason).toContain('ECONNREFUSED');
  });
});

describe('TCP tn', () => {
  it('opens a connection per call, closes it when the call lets go, and shares past -max_socket', async () => {
    const peer = await rawServer();
    const cli = transport({ mode: 'tn', maxSockets: 2 });
    await cli.open(bindOptions(), inbox().receiver, { remote: { address: '127.0.0.1', port: peer.port } });
    const a = await cli.openCallSocket();
    const b = await cli.openCallSocket();
    expect(a.socketId).not.toBe(b.socketId);
    expect(a.local.port).not.toBe(b.local.port);
    await until('two accepts', () => peer.accepted.length === 2);
    // Past the limit: the open connections are shared, round robin.
    const c = await cli.openCallSocket();
    const d = await cli.openCallSocket();
    expect([c.socketId, d.socketId].sort()).toEqual([a.socketId, b.socketId].sort());
    expect(peer.accepted).toHaveLength(2);
    cli.closeCallSocket(a.socketId);
    expect(cli.send(a.socketId, Buffer.from(sipRequest(1)), { address: '127.0.0.1', port: peer.port })).toBe(true);
    cli.closeCallSocket(c.socketId === a.socketId ? c.socketId : d.socketId);
    expect(cli.send(a.socketId, Buffer.from(sipRequest(2)), { address: '127.0.0.1', port: peer.port })).toBe(false);
    await until('the peer sees the close', () => peer.accepted.some((s) => s.readableEnded));
  });

  it('a refused per-call connection rejects with a ConnectError', async () => {
    const peer = await rawServer();
    const cli = transport({ mode: 'tn' });
    await cli.open(bindOptions(), inbox().receiver, { remote: { address: '127.0.0.1', port: peer.port } });
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    await expect(cli.openCallSocket()).rejects.toThrow(/connection refused/);
  });
});

describe('IPv6', () => {
  it('t1 over ::1', async () => {
    const server = inbox();
    const srv = transport();
    const local = await srv.open(bindOptions('::1', 6), server.receiver);
    expect(local.address).toBe('::1');
    const client = inbox();
    const cli = transport();
    await cli.open(bindOptions('::1', 6), client.receiver, { remote: local });
    cli.send(0, Buffer.from(sipRequest(1)), local);
    const [req] = await server.waitFor(1);
    expect(req.from.address).toBe('::1');
    srv.send(req.socketId, Buffer.from(sipResponse(1)), req.from);
    await client.waitFor(1);
  });
});

describeWithCerts('TLS', (certs) => {

  const serverTls = (extra: Partial<Parameters<typeof loadTlsFiles>[0]> = {}) =>
    loadTlsFiles({ server: true, certFile: certs.serverCert, keyFile: certs.serverKey, ...extra });

  async function tlsServer(extra: Partial<Parameters<typeof loadTlsFiles>[0]> = {}, address = '127.0.0.1', family: 4 | 6 = 4) {
    const server = inbox();
    const srv = transport({ mode: 'l1', tls: serverTls(extra) });
    const local = await srv.open(bindOptions(address, family), server.receiver, { onConnectionEvent: server.onConnectionEvent });
    return { server, srv, local };
  }

  it('l1: a TLS client and server exchange messages, unverified by default', async () => {
    const { server, srv, local } = await tlsServer();
    expect(srv.protocolName).toBe('TLS');
    const client = inbox();
    const cli = transport({ mode: 'l1', tls: loadTlsFiles({ server: false }) });
    await cli.open(bindOptions(), client.receiver, { remote: local, onConnectionEvent: client.onConnectionEvent });
    cli.send(0, Buffer.from(sipRequest(1)), local);
    const [req] = await server.waitFor(1);
    srv.send(req.socketId, Buffer.from(sipResponse(1)), req.from);
    const [resp] = await client.waitFor(1);
    expect(resp.text).toBe(sipResponse(1));
  });

  it('verifies the server with -tls_ca, sends SNI, and works per call (ln) and over ::1', async () => {
    const { server, local } = await tlsServer({}, '::1', 6);
    const cli = transport({ mode: 'ln', tls: loadTlsFiles({ server: false, caFile: certs.caCert, serverName: 'sip.test' }) });
    await cli.open(bindOptions('::1', 6), inbox().receiver, { remote: local });
    const a = await cli.openCallSocket();
    const b = await cli.openCallSocket();
    cli.send(a.socketId, Buffer.from(sipRequest(1)), local);
    cli.send(b.socketId, Buffer.from(sipRequest(2)), local);
    const got = await server.waitFor(2);
    expect(new Set(got.map((r) => r.socketId)).size).toBe(2);
  });

  it('a client sends -tls_sni as the SNI server name, and none for an IP literal without it', async () => {
    const names: Array<string | false> = [];
    const server = createTlsServer({ cert: readFileSync(certs.serverCert), key: readFileSync(certs.serverKey) }, (s: TLSSocket) => {
      names.push(s.servername);
      s.destroy();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const remote = { address: '127.0.0.1', port: (server.address() as { port: number }).port };
    const withSni = transport({ mode: 'l1', tls: loadTlsFiles({ server: false, serverName: 'sip.test' }) });
    await withSni.open(bindOptions(), inbox().receiver, { remote });
    const without = transport({ mode: 'l1', tls: loadTlsFiles({ server: false }) });
    await without.open(bindOptions(), inbox().receiver, { remote });
    await until('two handshakes', () => names.length === 2);
    expect(names).toEqual(['sip.test', false]);
  });

  it('a wrong CA fails the handshake: a ConnectError with the reason, and the event counted once', async () => {
    const { local } = await tlsServer();
    const client = inbox();
    const cli = transport({ mode: 'l1', tls: loadTlsFiles({ server: false, caFile: certs.otherCaCert }) });
    const error = await cli.open(bindOptions(), client.receiver, { remote: local, onConnectionEvent: client.onConnectionEvent }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toMatch(/TLS handshake failed: unable to verify the first certificate/);
    const events = await client.waitForEvent('tls-handshake-failed');
    expect(events).toHaveLength(1);
  });

  it('an expired server certificate fails verification with that reason; the server counts the failed handshake', async () => {
    const { server, local } = await tlsServer({ certFile: certs.expiredCert, keyFile: certs.expiredKey });
    const cli = transport({ mode: 'l1', tls: loadTlsFiles({ server: false, caFile: certs.caCert }) });
    const error = await cli.open(bindOptions(), inbox().receiver, { remote: local }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/TLS handshake failed: certificate has expired/);
    const [event] = await server.waitForEvent('tls-handshake-failed');
    expect(event.reason).not.toBe('');
  });

  it('a peer that accepts TCP but never answers the TLS handshake fails the connect after the timeout', async () => {
    const silent = await rawServer();
    const cli = transport({ mode: 'l1', tls: loadTlsFiles({ server: false }), connectTimeoutMs: 200 });
    const started = Date.now();
    const error = await cli.open(bindOptions(), inbox().receiver, { remote: { address: '127.0.0.1', port: silent.port } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toBe(
      `cannot connect to 127.0.0.1:${silent.port} over TLS: TLS handshake failed: connection timed out (ETIMEDOUT)`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('-tls_crl: a revoked server certificate fails verification; one the CRL does not list passes', async () => {
    const revoked = await tlsServer({ certFile: certs.revokedCert, keyFile: certs.revokedKey });
    const cli = transport({ mode: 'l1', tls: loadTlsFiles({ server: false, caFile: certs.caCert, crlFile: certs.crl }) });
    const error = await cli.open(bindOptions(), inbox().receiver, { remote: revoked.local }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/TLS handshake failed: certificate revoked \(CERT_REVOKED\)/);
    const good = await tlsServer();
    const ok = transport({ mode: 'l1', tls: loadTlsFiles({ server: false, caFile: certs.caCert, crlFile: certs.crl }) });
    await ok.open(bindOptions(), inbox().receiver, { remote: good.local });
  });

  it('-tls_version: pinned versions that differ fail the handshake; the same version works', async () => {
    const tls12 = await tlsServer({ version: '1.2' });
    const cli13 = transport({ mode: 'l1', tls: loadTlsFiles({ server: false, version: '1.3' }) });
    const error = await cli13.open(bindOptions(), inbox().receiver, { remote: tls12.local }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/TLS handshake failed: .*(protocol version|unsupported protocol)/i);
    const cli12 = transport({ mode: 'l1', tls: loadTlsFiles({ server: false, version: '1.2' }) });
    await cli12.open(bindOptions(), inbox().receiver, { remote: tls12.local });
  });

  it('a server given -tls_ca asks for a client certificate: without one the handshake fails; with one it passes', async () => {
    const { server, local } = await tlsServer({ caFile: certs.caCert });
    const anonymous = transport({ mode: 'l1', tls: loadTlsFiles({ server: false }) });
    // TLS 1.3 finishes the client side before the server checks the certificate: the server
    // rejects it and closes, which the client sees as the connection lost.
    const events: ConnectionEvent[] = [];
    await anonymous
      .open(bindOptions(), inbox().receiver, { remote: local, onConnectionEvent: (e) => events.push(e) })
      .catch(() => undefined);
    const [failed] = await server.waitForEvent('tls-handshake-failed');
    expect(failed.reason).toMatch(/certificate/i);
    const mutual = transport({
      mode: 'l1',
      tls: loadTlsFiles({ server: false, caFile: certs.caCert, certFile: certs.serverCert, keyFile: certs.serverKey }),
    });
    await mutual.open(bindOptions(), inbox().receiver, { remote: local });
    mutual.send(0, Buffer.from(sipRequest(1)), local);
    await server.waitFor(1);
  });

  it('a server without certificate or key, or with a missing file, is a clear error naming flag and file', () => {
    expect(() => loadTlsFiles({ server: true })).toThrow(new TlsConfigError('-tls_cert: a TLS server needs a certificate (-tls_cert FILE)'));
    expect(() => loadTlsFiles({ server: true, certFile: certs.serverCert })).toThrow('-tls_key: a TLS server needs a private key (-tls_key FILE)');
    expect(() => loadTlsFiles({ server: true, certFile: '/nonexistent/s.pem', keyFile: certs.serverKey })).toThrow(
      '-tls_cert: cannot read "/nonexistent/s.pem": no such file',
    );
    expect(() => loadTlsFiles({ server: false, caFile: certs.dir + '/san.cnf' })).toThrow(/-tls_ca: ".*san.cnf" is not a PEM file/);
    expect(loadTlsFiles({ server: false }).verify).toBe(false);
    expect(loadTlsFiles({ server: false, caFile: certs.caCert }).verify).toBe(true);
    expect(loadTlsFiles({ server: false, verify: true }).verify).toBe(true);
  });
});

describe('WebSocket (RFC 7118): w1, wn', () => {
  async function wsServer(options: Partial<StreamTransportOptions> = {}) {
    const server = inbox();
    const srv = transport({ mode: 'w1', ...options });
    const local = await srv.open(bindOptions(), server.receiver, { onConnectionEvent: server.onConnectionEvent });
    return { server, srv, local };
  }

  /** A WebSocket client of our own choosing (not our transport): what it offers, what it gets. */
  function wsClient(url: string, protocols: string[]): Promise<{ ws: WsClient; messages: Array<{ data: Buffer; binary: boolean }> }> {
    return new Promise((resolve, reject) => {
      const ws = new WsClient(url, protocols);
      const messages: Array<{ data: Buffer; binary: boolean }> = [];
      ws.on('message', (data, binary) => messages.push({ data: data as Buffer, binary }));
      ws.once('open', () => resolve({ ws, messages }));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      sockets.push({ destroy: () => ws.terminate() } as unknown as Socket);
    });
  }

  it('w1: one SIP message per WebSocket message both ways, the reply on the connection it came in on, protocol WS', async () => {
    const { server, srv, local } = await wsServer();
    expect(srv.protocolName).toBe('WS');
    const client = inbox();
    const cli = transport({ mode: 'w1' });
    await cli.open(bindOptions(), client.receiver, { remote: local, onConnectionEvent: client.onConnectionEvent });
    for (let n = 1; n <= 3; n++) cli.send(0, Buffer.from(sipRequest(n)), local);
    const got = await server.waitFor(3);
    expect(got.map((r) => r.text)).toEqual([1, 2, 3].map((n) => sipRequest(n)));
    for (const r of got) srv.send(r.socketId, Buffer.from(sipResponse(Number(r.text.match(/CSeq: (\d+)/)![1]))), r.from);
    const replies = await client.waitFor(3);
    expect(replies.map((r) => r.text)).toEqual([1, 2, 3].map((n) => sipResponse(n)));
  });

  it('a server selects the "sip" subprotocol, sends text frames, and takes messages without Content-Length', async () => {
    const { server, srv, local } = await wsServer();
    const { ws, messages } = await wsClient(`ws://127.0.0.1:${local.port}/`, ['chat', 'sip']);
    expect(ws.protocol).toBe('sip');
    // RFC 7118 section 5: Content-Length is optional over WebSocket.
    ws.send('OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: x1\r\nCSeq: 1 OPTIONS\r\n\r\n');
    ws.send('\r\n\r\n'); // a keep-alive: not a message
    const [req] = await server.waitFor(1);
    expect(req.text).toBe('OPTIONS sip:a@127.0.0.1 SIP/2.0\r\nCall-ID: x1\r\nCSeq: 1 OPTIONS\r\n\r\n');
    srv.send(req.socketId, Buffer.from(sipResponse(1)), req.from);
    await until('the reply', () => messages.length === 1 || undefined);
    expect(messages[0]).toEqual({ data: Buffer.from(sipResponse(1)), binary: false });
    // A message that is not UTF-8 (a latin1 body) goes as a binary frame, byte for byte.
    const latin1 = Buffer.from(sipRequest(2, 'caf\xe9'), 'latin1');
    srv.send(req.socketId, latin1, req.from);
    await until('the binary frame', () => messages.length === 2 || undefined);
    expect(messages[1]).toEqual({ data: latin1, binary: true });
    expect(server.got).toHaveLength(1);
  });

  it('a server refuses an upgrade that does not offer "sip" (400, a stream-error event) and answers plain HTTP with 426', async () => {
    const { server, local } = await wsServer();
    await expect(wsClient(`ws://127.0.0.1:${local.port}/`, ['chat'])).rejects.toThrow('HTTP 400');
    const [event] = await server.waitForEvent('stream-error');
    expect(event!.reason).toContain('without the "sip" subprotocol');
    const plain = await fetch(`http://127.0.0.1:${local.port}/`);
    expect(plain.status).toBe(426);
  });

  it('a client whose server does not select "sip" fails to connect, saying so', async () => {
    const other = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => false });
    await new Promise<void>((resolve) => other.once('listening', () => resolve()));
    servers.push({ close: (cb: () => void) => other.close(() => cb()) } as unknown as Server);
    const remote = { address: '127.0.0.1', port: (other.address() as { port: number }).port };
    const cli = transport({ mode: 'w1' });
    const error = await cli.open(bindOptions(), inbox().receiver, { remote }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).message).toBe(
      `cannot connect to 127.0.0.1:${remote.port} over WS: the server did not select the "sip" WebSocket subprotocol (RFC 7118)`,
    );
  });

  it('-ws_path: the client asks for that path; refused at start is a ConnectError naming the endpoint', async () => {
    const paths: string[] = [];
    const other = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'sip' });
    other.on('connection', (_ws, request) => paths.push(request.url ?? ''));
    await new Promise<void>((resolve) => other.once('listening', () => resolve()));
    servers.push({ close: (cb: () => void) => other.close(() => cb()) } as unknown as Server);
    const remote = { address: '127.0.0.1', port: (other.address() as { port: number }).port };
    await transport({ mode: 'w1', websocketPath: '/ws' }).open(bindOptions(), inbox().receiver, { remote });
    await until('the upgrade', () => paths.length === 1 || undefined);
    expect(paths).toEqual(['/ws']);
    const refused = { address: '127.0.0.1', port: (await rawServerPortThenClose()) };
    const error = await transport({ mode: 'w1' }).open(bindOptions(), inbox().receiver, { remote: refused }).catch((e: unknown) => e);
    expect((error as ConnectError).message).toBe(`cannot connect to 127.0.0.1:${refused.port} over WS: connection refused (ECONNREFUSED)`);
  });

  it('wn: a connection per call, each reply on its own connection', async () => {
    const { server, srv, local } = await wsServer();
    const client = inbox();
    const cli = transport({ mode: 'wn' });
    await cli.open(bindOptions(), client.receiver, { remote: local });
    const a = await cli.openCallSocket();
    const b = await cli.openCallSocket();
    expect(a.socketId).not.toBe(b.socketId);
    cli.send(a.socketId, Buffer.from(sipRequest(1)), local);
    cli.send(b.socketId, Buffer.from(sipRequest(2)), local);
    const got = await server.waitFor(2);
    expect(new Set(got.map((r) => r.socketId)).size).toBe(2);
    for (const r of got) srv.send(r.socketId, Buffer.from(sipResponse(Number(r.text.match(/CSeq: (\d+)/)![1]))), r.from);
    const replies = await client.waitFor(2);
    expect(replies.map((r) => [r.socketId, r.text]).sort()).toEqual([[a.socketId, sipResponse(1)], [b.socketId, sipResponse(2)]].sort());
    cli.closeCallSocket(a.socketId);
    await until('the server to see one connection close', () => srv.openConnections === 1 || undefined);
  });

  it('a server run given a remote connects out at open from its port (a UAS behind a gateway), does not listen, and takes requests on that connection', async () => {
    const gateway = inbox();
    const gw = transport({ mode: 'w1' });
    const gwLocal = await gw.open(bindOptions(), gateway.receiver, { onConnectionEvent: gateway.onConnectionEvent });
    const uas = inbox();
    const srv = transport({ mode: 'w1' });
    // From its -p port, so the gateway can route to it by address; it does not listen.
    const uasLocal = await srv.open({ ...bindOptions(), port: 14298 }, uas.receiver, { remote: gwLocal, connectAtOpen: false });
    expect(uasLocal).toEqual({ address: '127.0.0.1', port: 14298 });
    await until('the UAS connection at the gateway', () => gw.acceptedConnections === 1 || undefined);
    await expect(rawClient(14298)).rejects.toThrow('ECONNREFUSED');
    // The gateway sends a request down the connection the UAS opened; the reply comes back on it.
    const [uasSocket, connection] = [...(gw as unknown as { connections: Map<number, { peer: Endpoint }> }).connections.entries()][0]!;
    expect(connection.peer).toEqual({ address: '127.0.0.1', port: 14298 });
    gw.send(uasSocket, Buffer.from(sipRequest(7)), gwLocal);
    const [req] = await uas.waitFor(1);
    expect(req.socketId).toBe(0);
    srv.send(req.socketId, Buffer.from(sipResponse(7)), req.from);
    const [reply] = await gateway.waitFor(1);
    expect(reply.text).toBe(sipResponse(7));
  });

  it('w1 over ::1: the client asks for ws://[::1]:port/', async () => {
    const server = inbox();
    const srv = transport({ mode: 'w1' });
    const local = await srv.open(bindOptions('::1', 6), server.receiver);
    expect(local.address).toBe('::1');
    const cli = transport({ mode: 'w1' });
    await cli.open(bindOptions('::1', 6), inbox().receiver, { remote: local });
    cli.send(0, Buffer.from(sipRequest(1)), local);
    const [req] = await server.waitFor(1);
    expect(req.from.address).toBe('::1');
  });

  it('a message over the size limit closes the connection (1009): connection-lost, never unbounded memory', async () => {
    const { server, local } = await wsServer({ maxHeaderBytes: 1024, maxBodyBytes: 1024 });
    const { ws } = await wsClient(`ws://127.0.0.1:${local.port}/`, ['sip']);
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(sipRequest(1, 'x'.repeat(4096)));
    expect(await closed).toBe(1009);
    const [lost] = await server.waitForEvent('connection-lost');
    expect(lost!.failCalls).toBe(true);
    expect(server.got).toHaveLength(0);
  });
});

/** A port nothing listens on: bound by a server that is then closed. */
async function rawServerPortThenClose(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describeWithCerts('secure WebSocket: wss1, wssn', (certs) => {

  async function wssServer() {
    const server = inbox();
    const srv = transport({ mode: 'wss1', tls: loadTlsFiles({ server: true, certFile: certs.serverCert, keyFile: certs.serverKey }) });
    const local = await srv.open(bindOptions(), server.receiver, { onConnectionEvent: server.onConnectionEvent });
    return { server, srv, local };
  }

  it('wssn verified with the CA and SNI: messages both ways, protocol WSS', async () => {
    const { server, srv, local } = await wssServer();
    expect(srv.protocolName).toBe('WSS');
    const client = inbox();
    const cli = transport({ mode: 'wssn', tls: loadTlsFiles({ server: false, caFile: certs.caCert, serverName: 'sip.test', verify: true }) });
    await cli.open(bindOptions(), client.receiver, { remote: local });
    const call = await cli.openCallSocket();
    cli.send(call.socketId, Buffer.from(sipRequest(1)), local);
    const [req] = await server.waitFor(1);
    srv.send(req.socketId, Buffer.from(sipResponse(1)), req.from);
    const [reply] = await client.waitFor(1);
    expect(reply.text).toBe(sipResponse(1));
  });

  it('a CA that did not sign the server: a tls-handshake-failed event and a ConnectError with the reason', async () => {
    const { local } = await wssServer();
    const client = inbox();
    const cli = transport({ mode: 'wss1', tls: loadTlsFiles({ server: false, caFile: certs.otherCaCert, serverName: 'sip.test', verify: true }) });
    const error = await cli.open(bindOptions(), client.receiver, { remote: local, onConnectionEvent: client.onConnectionEvent }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).message).toMatch(/over WSS: TLS handshake failed: .*(unable to verify|self.signed|UNABLE_TO)/i);
    const [event] = await client.waitForEvent('tls-handshake-failed');
    expect(event!.peer).toEqual(local);
  });
});

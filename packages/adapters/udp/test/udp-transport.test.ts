import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Container } from 'inversify';
import { AddressBindError, PortInUseError, TRANSPORT, type DatagramReceiver, type Endpoint, type Transport, type TransportOpenOptions } from '@gossipper/core';
import {
  UdpTransport,
  udpModeFromSippFlag,
  udpTransportModule,
  type UdpFlushMode,
  type UdpTransportOptions,
} from '../src/index.js';

interface Received {
  socketId: number;
  text: string;
  from: Endpoint;
}

/** A receiver that records datagrams, and a bounded wait for the n-th one. */
function inbox(onMessage?: (r: Received) => void) {
  const got: Received[] = [];
  const receiver: DatagramReceiver = (socketId, data, from) => {
    const r = { socketId, text: data.toString('latin1'), from };
    got.push(r);
    onMessage?.(r);
  };
  const waitFor = async (n: number, ms = 3000): Promise<Received[]> => {
    const deadline = Date.now() + ms;
    while (got.length < n) {
      if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${n} datagrams, got ${got.length}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    return got;
  };
  return { got, receiver, waitFor };
}

const transports: UdpTransport[] = [];
const rawSockets: Socket[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(
    rawSockets.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          try {
            s.close(() => resolve());
          } catch {
            resolve();
          }
        }),
    ),
  );
});

function transport(options: Partial<UdpTransportOptions> = {}): UdpTransport {
  const t = new UdpTransport({ mode: 'u1', searchPorts: [35060, 35063], ...options });
  transports.push(t);
  return t;
}

/** Loopback, OS-chosen port: tests never touch SIPp's real 5060 range. */
function loopback(family: 4 | 6 = 4, extra: Partial<TransportOpenOptions> = {}): TransportOpenOptions {
  return {
    bindAddress: family === 6 ? '::1' : '127.0.0.1',
    port: 0,
    portExplicit: true,
    family,
    bufferSize: 0,
    ...extra,
  };
}

/** A plain dgram socket, bound (or undefined if the port is taken by someone else). */
async function rawSocket(port: number, address = '127.0.0.1'): Promise<Socket | undefined> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind({ port, address, exclusive: true }, () => {
      rawSockets.push(s);
      resolve(s);
    });
  });
}

const buf = (s: string): Buffer => Buffer.from(s, 'latin1');
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('udpModeFromSippFlag', () => {
  it('maps SIPp -t values', () => {
    expect(udpModeFromSippFlag('u1')).toBe('u1');
    expect(udpModeFromSippFlag('s1')).toBe('u1');
    expect(udpModeFromSippFlag('un')).toBe('un');
    expect(udpModeFromSippFlag('sn')).toBe('un');
    expect(udpModeFromSippFlag('ui')).toBe('ui');
    expect(udpModeFromSippFlag('t1')).toBeUndefined();
    expect(udpModeFromSippFlag('')).toBeUndefined();
  });
});

describe('UdpTransport', () => {
  it('describes itself per mode', () => {
    const u1 = transport({ mode: 'u1' });
    const un = transport({ mode: 'un' });
    expect(u1.protocolName).toBe('UDP');
    expect(u1.socketPerCall).toBe(false);
    expect(un.protocolName).toBe('UDP');
    expect(un.socketPerCall).toBe(true);
  });

  for (const flush of ['immediate', 'microtask', 'direct'] as UdpFlushMode[]) {
    it(`sends and receives between two transports (flush ${flush})`, async () => {
      const a = transport({ flush });
      const b = transport({ flush });
      const inA = inbox();
      const inB = inbox((r) => b.send(r.socketId, buf(`re:${r.text}`), r.from));
      const localA = await a.open(loopback(), inA.receiver);
      const localB = await b.open(loopback(), inB.receiver);
      expect(localA.address).toBe('127.0.0.1');
      expect(localA.port).toBeGreaterThan(0);
      expect(localB.port).not.toBe(localA.port);

      expect(a.send(0, buf('hello'), localB)).toBe(true);
      const [atB] = await inB.waitFor(1);
      expect(atB).toEqual({ socketId: 0, text: 'hello', from: { address: '127.0.0.1', port: localA.port } });
      const [atA] = await inA.waitFor(1);
      expect(atA).toEqual({ socketId: 0, text: 're:hello', from: localB });
      expect(a.sendErrors + b.sendErrors + a.receiveErrors + b.receiveErrors).toBe(0);
    });
  }

  it('u1: openCallSocket gives socket 0 and closeCallSocket is a no-op', async () => {
    const a = transport({ mode: 'u1' });
    const b = transport();
    const inB = inbox();
    const localA = await a.open(loopback(), () => {});
    const localB = await b.open(loopback(), inB.receiver);
    const call = await a.openCallSocket();
    expect(call).toEqual({ socketId: 0, local: localA });
    a.closeCallSocket(0);
    expect(a.send(1, buf('x'), localB)).toBe(false);
    expect(a.send(call.socketId, buf('still open'), localB)).toBe(true);
    const [r] = await inB.waitFor(1);
    expect(r!.text).toBe('still open');
    expect(a.openSockets).toBe(1);
  });

  it('un: each call socket has its own port and replies reach the right socketId', async () => {
    const a = transport({ mode: 'un' });
    const peer = transport();
    const inA = inbox();
    // The peer answers every datagram to the address it came from.
    const inPeer = inbox((r) => peer.send(0, buf(`re:${r.text}`), r.from));
    const mainA = await a.open(loopback(), inA.receiver);
    const peerLocal = await peer.open(loopback(), inPeer.receiver);

    const c1 = await a.openCallSocket();
    const c2 = await a.openCallSocket();
    expect(c1.socketId).not.toBe(0);
    expect(c2.socketId).not.toBe(c1.socketId);
    const ports = new Set([mainA.port, c1.local.port, c2.local.port]);
    expect(ports.size).toBe(3);
    expect(c1.local.address).toBe('127.0.0.1');
    expect(a.openSockets).toBe(3);

    // Interleaved sends: each socket keeps its own order.
    for (let i = 0; i < 20; i++) {
      a.send(c1.socketId, buf(`c1-${i}`), peerLocal);
      a.send(c2.socketId, buf(`c2-${i}`), peerLocal);
    }
    a.send(0, buf('main'), peerLocal);
    await inPeer.waitFor(41);
    const fromPort = (port: number) => inPeer.got.filter((r) => r.from.port === port).map((r) => r.text);
    expect(fromPort(c1.local.port)).toEqual(Array.from({ length: 20 }, (_, i) => `c1-${i}`));
    expect(fromPort(c2.local.port)).toEqual(Array.from({ length: 20 }, (_, i) => `c2-${i}`));
    expect(fromPort(mainA.port)).toEqual(['main']);

    await inA.waitFor(41);
    for (const r of inA.got) {
      const expected = r.text.startsWith('re:c1-') ? c1.socketId : r.text.startsWith('re:c2-') ? c2.socketId : 0;
      expect(r.socketId).toBe(expected);
      expect(r.from).toEqual(peerLocal);
    }

    a.closeCallSocket(c1.socketId);
    a.closeCallSocket(c1.socketId); // twice: no-op
    expect(a.openSockets).toBe(2);
    expect(a.send(c1.socketId, buf('late'), peerLocal)).toBe(false);
    expect(a.send(c2.socketId, buf('c2-after'), peerLocal)).toBe(true);
    await inPeer.waitFor(42);
    expect(inPeer.got[41]!.text).toBe('c2-after');
  });

  it('un: a send queued just before closeCallSocket still goes out', async () => {
    const a = transport({ mode: 'un' });
    const peer = transport();
    const inPeer = inbox();
    await a.open(loopback(), () => {});
    const peerLocal = await peer.open(loopback(), inPeer.receiver);
    const call = await a.openCallSocket();
    expect(a.send(call.socketId, buf('BYE'), peerLocal)).toBe(true);
    a.closeCallSocket(call.socketId);
    expect(a.send(call.socketId, buf('too late'), peerLocal)).toBe(false);
    const [r] = await inPeer.waitFor(1);
    expect(r!.text).toBe('BYE');
    expect(r!.from.port).toBe(call.local.port);
    await new Promise((res) => setTimeout(res, 20));
    expect(inPeer.got).toHaveLength(1);
    expect(a.openSockets).toBe(1);
  });

  it('openCallSocket before open rejects', async () => {
    await expect(transport({ mode: 'un' }).openCallSocket()).rejects.toThrow(/idle/);
  });

  it('port search skips a taken port of the range', async () => {
    const blocker = await rawSocket(35060);
    const t = transport({ searchPorts: [35060, 35063] });
    const local = await t.open(loopback(4, { port: 0, portExplicit: false }), () => {});
    expect(local.port).toBeGreaterThanOrEqual(35060);
    expect(local.port).toBeLessThanOrEqual(35063);
    if (blocker !== undefined) expect(local.port).not.toBe(35060);
  });

  it('port search falls back to an OS-chosen port when the range is full', async () => {
    for (let p = 35070; p <= 35072; p++) await rawSocket(p); // taken either by us or by someone else
    const t = transport({ searchPorts: [35070, 35072] });
    const local = await t.open(loopback(4, { port: 0, portExplicit: false }), () => {});
    expect(local.port).toBeGreaterThan(0);
    expect(local.port < 35070 || local.port > 35072).toBe(true);
  });

  it('an explicit busy port rejects with PortInUseError', async () => {
    const blocker = await rawSocket(0);
    const port = blocker!.address().port;
    const t = transport();
    const err = await t.open(loopback(4, { port, portExplicit: true }), () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as PortInUseError).port).toBe(port);
    expect((err as PortInUseError).address).toBe('127.0.0.1');
    expect(t.openSockets).toBe(0);
    // The same transport can still open elsewhere.
    const local = await t.open(loopback(), () => {});
    expect(local.port).not.toBe(port);
  });

  it('a bad bind address rejects with the bind error', async () => {
    const t = transport();
    await expect(t.open(loopback(4, { bindAddress: '::1' }), () => {})).rejects.toThrow();
  });

  it('binds any address when bindAddress is empty', async () => {
    const t = transport();
    const local = await t.open(loopback(4, { bindAddress: '' }), () => {});
    expect(local.address).toBe('0.0.0.0');
  });

  it('works over IPv6 (::1), u1 and un', async () => {
    const a = transport({ mode: 'un' });
    const b = transport();
    const inA = inbox();
    const inB = inbox((r) => b.send(0, buf(`re:${r.text}`), r.from));
    const localA = await a.open(loopback(6), inA.receiver);
    const localB = await b.open(loopback(6), inB.receiver);
    expect(localA.address).toBe('::1');
    const call = await a.openCallSocket();
    expect(call.local.address).toBe('::1');
    a.send(0, buf('main6'), localB);
    a.send(call.socketId, buf('call6'), localB);
    await inB.waitFor(2);
    expect(inB.got.map((r) => [r.text, r.from])).toEqual([
      ['main6', { address: '::1', port: localA.port }],
      ['call6', { address: '::1', port: call.local.port }],
    ]);
    await inA.waitFor(2);
    expect(inA.got.find((r) => r.text === 're:call6')!.socketId).toBe(call.socketId);
    expect(inA.got.find((r) => r.text === 're:main6')!.socketId).toBe(0);
  });

  it('keeps the order of 1,000 sends (batched per event-loop turn)', async () => {
    const size = 4 * 1024 * 1024;
    const a = transport();
    const b = transport();
    const inB = inbox();
    await a.open(loopback(4, { bufferSize: size }), () => {});
    const localB = await b.open(loopback(4, { bufferSize: size }), inB.receiver);
    // 200 per turn and wait for them: even a kernel that caps the buffer at 208 KB holds 200.
    for (let batch = 0; batch < 5; batch++) {
      for (let i = batch * 200; i < (batch + 1) * 200; i++) expect(a.send(0, buf(`m${i}`), localB)).toBe(true);
      await inB.waitFor((batch + 1) * 200);
    }
    expect(inB.got.map((r) => r.text)).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`));
    expect(a.sendErrors).toBe(0);
  });

  it('a receiver that throws does not stop later datagrams', async () => {
    const a = transport();
    const b = transport();
    let calls = 0;
    const texts: string[] = [];
    const localB = await b.open(loopback(), (_id, data) => {
      calls++;
      if (calls <= 2) throw new Error('core blew up');
      texts.push(data.toString());
    });
    await a.open(loopback(), () => {});
    a.send(0, buf('one'), localB);
    a.send(0, buf('two'), localB);
    a.send(0, buf('three'), localB);
    const deadline = Date.now() + 3000;
    while (texts.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    expect(texts).toEqual(['three']);
    expect(b.receiveErrors).toBe(2);
    expect((b.lastReceiveError as Error).message).toBe('core blew up');
    a.send(0, buf('four'), localB);
    while (texts.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    expect(texts).toEqual(['three', 'four']);
  });

  it('send never throws: bad socket, bad port and oversize datagrams', async () => {
    const a = transport();
    const b = transport();
    const inB = inbox();
    await a.open(loopback(), () => {});
    const localB = await b.open(loopback(), inB.receiver);
    expect(a.send(7, buf('x'), localB)).toBe(false);
    expect(a.send(0, buf('x'), { address: '127.0.0.1', port: 0 })).toBe(false);
    expect(a.send(0, buf('x'), { address: '127.0.0.1', port: 70000 })).toBe(false);
    expect(a.send(0, Buffer.alloc(70_000), localB)).toBe(true); // EMSGSIZE, counted
    expect(a.send(0, buf('after'), localB)).toBe(true);
    await inB.waitFor(1);
    const deadline = Date.now() + 3000;
    while (a.sendErrors < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    expect(a.sendErrors).toBe(1);
    expect(inB.got.map((r) => r.text)).toEqual(['after']);
  });

  it('applies the buffer size and reports what the kernel granted', async () => {
    const t = transport();
    expect(t.bufferSizes()).toEqual({ requested: 0, receive: 0, send: 0 });
    await t.open(loopback(4, { bufferSize: 1024 * 1024 }), () => {});
    const sizes = t.bufferSizes();
    expect(sizes.requested).toBe(1024 * 1024);
    expect(sizes.receive).toBeGreaterThan(0);
    expect(sizes.send).toBeGreaterThan(0);
  });

  it('tolerates a buffer size the kernel refuses', async () => {
    const t = transport();
    await t.open(loopback(4, { bufferSize: 2 ** 40 }), () => {});
    expect(t.bufferSizes().receive).toBeGreaterThan(0);
  });

  it('close flushes queued sends, closes every socket and is idempotent', async () => {
    const a = transport({ mode: 'un' });
    const b = transport();
    const inB = inbox();
    await a.open(loopback(), () => {});
    const localB = await b.open(loopback(), inB.receiver);
    const call = await a.openCallSocket();
    a.send(0, buf('last words'), localB);
    const p1 = a.close();
    const p2 = a.close();
    expect(p2).toBe(p1);
    await p1;
    await a.close();
    expect(a.openSockets).toBe(0);
    expect(a.send(0, buf('x'), localB)).toBe(false);
    expect(a.send(call.socketId, buf('x'), localB)).toBe(false);
    a.closeCallSocket(call.socketId);
    await expect(a.openCallSocket()).rejects.toThrow(/closed/);
    await expect(a.open(loopback(), () => {})).rejects.toThrow(/closed/);
    const [r] = await inB.waitFor(1);
    expect(r!.text).toBe('last words');
  });

  it('close before open resolves, and close while opening releases the socket', async () => {
    await transport().close();
    const t = transport();
    const opening = t.open(loopback(), () => {});
    const closing = t.close();
    await expect(opening).rejects.toThrow(/closed/);
    await closing;
    expect(t.openSockets).toBe(0);
  });
});

describe('UdpTransport -t ui (a socket per source address)', () => {
  const ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];

  it('binds every address on one port; a call sends from its address and hears on its socket', async () => {
    const t = transport({ mode: 'ui', sourceAddresses: ADDRESSES });
    expect(t.socketPerCall).toBe(true);
    expect(t.socketPerSourceAddress).toBe(true);
    const mine = inbox();
    const main = await t.open(loopback(), mine.receiver);
    expect(main.address).toBe('127.0.0.2');
    expect(t.openSockets).toBe(3);
    const peer = await rawSocket(0);
    const peerEnd = { address: '127.0.0.1', port: peer!.address().port };
    const heard: Array<{ text: string; from: string }> = [];
    peer!.on('message', (m, r) => {
      heard.push({ text: m.toString('latin1'), from: `${r.address}:${r.port}` });
      peer!.send(`re:${m.toString('latin1')}`, r.port, r.address);
    });
    const calls = [];
    for (const address of ['127.0.0.3', '127.0.0.2', '127.0.0.4', '127.0.0.3']) calls.push(await t.openCallSocket(address));
    expect(calls.map((c) => `${c.local.address}:${c.local.port}`)).toEqual(
      ['127.0.0.3', '127.0.0.2', '127.0.0.4', '127.0.0.3'].map((a) => `${a}:${main.port}`),
    );
    // The first address is the main socket; an address's calls share its socket.
    expect(calls[1]!.socketId).toBe(0);
    expect(calls[3]!.socketId).toBe(calls[0]!.socketId);
    expect(t.localOf(calls[2]!.socketId)).toEqual({ address: '127.0.0.4', port: main.port });
    calls.forEach((c, i) => t.send(c.socketId, buf(`call ${i}`), peerEnd));
    const replies = await mine.waitFor(4);
    expect(heard.map((h) => h.from)).toEqual(calls.map((c) => `${c.local.address}:${main.port}`));
    expect(replies.map((r) => `${r.text} on ${r.socketId}`).sort()).toEqual(
      calls.map((c, i) => `re:call ${i} on ${c.socketId}`).sort(),
    );
    // Closing a call's socket leaves the address's socket to the next calls.
    t.closeCallSocket(calls[0]!.socketId);
    expect(t.openSockets).toBe(3);
    expect(t.send(calls[3]!.socketId, buf('again'), peerEnd)).toBe(true);
    await expect(t.openCallSocket('127.0.0.9')).rejects.toThrow('no socket on 127.0.0.9');
  });

  it('the port search takes the first port free on every address', async () => {
    const blocker = await rawSocket(35080, '127.0.0.3');
    const t = transport({ mode: 'ui', sourceAddresses: ADDRESSES.slice(0, 2), searchPorts: [35080, 35083] });
    const main = await t.open(loopback(4, { port: 0, portExplicit: false }), () => {});
    expect(main.port).toBeGreaterThanOrEqual(35080);
    if (blocker !== undefined) expect(main.port).not.toBe(35080);
    expect(t.localOf(1)).toEqual({ address: '127.0.0.3', port: main.port });
    expect(t.openSockets).toBe(2);
  });

  it('-p busy on one address: PortInUseError naming it, nothing left bound', async () => {
    const blocker = await rawSocket(0, '127.0.0.4');
    const port = blocker!.address().port;
    const t = transport({ mode: 'ui', sourceAddresses: ADDRESSES });
    const err = await t.open(loopback(4, { port, portExplicit: true }), () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    expect(err).toMatchObject({ address: '127.0.0.4', port });
    expect(t.openSockets).toBe(0);
    expect(await rawSocket(port, '127.0.0.2')).toBeDefined();
  });

  it('an address this host does not have: AddressBindError (EADDRNOTAVAIL) naming it', async () => {
    const t = transport({ mode: 'ui', sourceAddresses: ['127.0.0.2', '192.0.2.77'] });
    const err = await t.open(loopback(), () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AddressBindError);
    expect((err as AddressBindError).message).toMatch(
      /^cannot bind 192\.0\.2\.77:\d+: no interface of this host has that address \(EADDRNOTAVAIL\)$/,
    );
    expect(t.openSockets).toBe(0);
  });

  it('works with an IPv6 address, and refuses an empty address list', async () => {
    const t = transport({ mode: 'ui', sourceAddresses: ['::1'] });
    const main = await t.open(loopback(6), () => {});
    expect(main.address).toBe('::1');
    expect((await t.openCallSocket('::1')).socketId).toBe(0);
    expect(() => new UdpTransport({ mode: 'ui' })).toThrow('-t ui needs at least one source address');
  });
});

describe('udpTransportModule', () => {
  it('binds TRANSPORT to one UdpTransport in the given mode', async () => {
    const container = new Container();
    await container.load(udpTransportModule('un', { searchPorts: [35080, 35081] }));
    const t = container.get<Transport>(TRANSPORT);
    expect(t).toBeInstanceOf(UdpTransport);
    expect(t.socketPerCall).toBe(true);
    expect(container.get<Transport>(TRANSPORT)).toBe(t);
    expect(TRANSPORT).toBe(Symbol.for('gossipper.Transport'));
  });
});

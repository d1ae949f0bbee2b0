import { createConnection, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TcpTwinChannel } from '../src/index.js';

const HOST = '127.0.0.1';
const opened: Array<{ close(): Promise<void> | void }> = [];

afterEach(async () => {
  for (const item of opened.splice(0)) await item.close();
});

async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function connect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port }, () => resolve(socket));
    socket.on('error', reject);
    opened.push({ close: () => void socket.destroy() });
  });
}

describe('TcpTwinChannel (SIPp twin sockets)', () => {
  it('controller B: listens, splits commands at ESC across TCP reads, answers on the accepted connection', async () => {
    const channel = new TcpTwinChannel({ role: 'controller-b', twin: { address: HOST, port: 13588 } });
    opened.push(channel);
    await channel.start();
    const got: string[] = [];
    channel.onCommand((c) => got.push(c.toString('latin1')));
    const a = await connect(13588);
    let back = '';
    a.on('data', (d: Buffer) => (back += d.toString('latin1')));
    a.write('Call-ID: a\r\n\r\n\x1bCall');
    await until('the first command', () => got.length === 1);
    a.write('-ID: b\r\nX: 1\r\n\x1b');
    await until('the second command', () => got.length === 2);
    expect(got).toEqual(['Call-ID: a\r\n\r\n', 'Call-ID: b\r\nX: 1\r\n']);
    expect(channel.send(Buffer.from('Call-ID: a\r\n\r\n'), undefined)).toBe(true);
    await until('the answer', () => back.length > 0);
    expect(back).toBe('Call-ID: a\r\n\r\n\x1b');
    // An unknown extended-mode peer cannot be sent to.
    expect(channel.send(Buffer.from('x'), 'nobody')).toBe(false);
  });

  it('controller A: connecting to nobody fails with SIPp\'s words; a closed twin is reported once', async () => {
    const lonely = new TcpTwinChannel({ role: 'controller-a', twin: { address: HOST, port: 13589 } });
    await expect(lonely.start()).rejects.toThrow('Unable to connect a twin sipp socket');

    const b = new TcpTwinChannel({ role: 'controller-b', twin: { address: HOST, port: 13589 } });
    opened.push(b);
    await b.start();
    let closed = 0;
    b.onClosed(() => closed++);
    const a = new TcpTwinChannel({ role: 'controller-a', twin: { address: HOST, port: 13589 } });
    await a.start();
    const got: string[] = [];
    b.onCommand((c) => got.push(c.toString('latin1')));
    expect(a.send(Buffer.from('Call-ID: z\r\n\r\n'), undefined)).toBe(true);
    await until('the command at B', () => got.length === 1);
    await a.close();
    await until('the close at B', () => closed === 1);
  });

  it('extended mode: a master connects to its dest= peers; a slave connects back when the master connects', async () => {
    const peers = new Map([
      ['m', { address: HOST, port: 13576 }],
      ['s1', { address: HOST, port: 13577 }],
    ]);
    const slave = new TcpTwinChannel({ role: 'slave', listen: peers.get('s1')!, peers: new Map([['m', peers.get('m')!]]) });
    opened.push(slave);
    await slave.start();
    const master = new TcpTwinChannel({ role: 'master', listen: peers.get('m')!, peers: new Map([['s1', peers.get('s1')!]]) });
    opened.push(master);
    await master.start();
    const atSlave: string[] = [];
    const atMaster: string[] = [];
    slave.onCommand((c) => {
      atSlave.push(c.toString('latin1'));
      // The slave's own link to the master is up before it reads the first command.
      expect(slave.send(Buffer.from('Call-ID: 1\r\nFrom: s1\r\n\r\n'), 'm')).toBe(true);
    });
    master.onCommand((c) => atMaster.push(c.toString('latin1')));
    expect(master.send(Buffer.from('Call-ID: 1\r\nFrom: m\r\n\r\n'), 's1')).toBe(true);
    await until('the round trip', () => atMaster.length === 1);
    expect(atSlave).toEqual(['Call-ID: 1\r\nFrom: m\r\n\r\n']);
    expect(atMaster).toEqual(['Call-ID: 1\r\nFrom: s1\r\n\r\n']);
  });
});

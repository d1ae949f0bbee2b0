/**
 * The keywords of the second batch end to end: the same scenario and command line run by the
 * real SIPp and by gossipper, each sending to a UDP socket of this test; the messages must be
 * the same bytes once the PIDs are swapped. Covers the CLI's part: reading [file] files from
 * the working directory, -users, -tdmmap, -dynamicStart/-dynamicStep, [server_ip] from the bound
 * socket. Ports: 13644..13649 (SIP) and 13690 (media).
 */
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeWithSipp } from './support/peers.js';
import { killAllTracked, session } from './support/procs.js';
import { assertUdpPortsFree } from './support/net.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';

const SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="keywords">
  <User variables="u"/>
  <nop><action><assign assign_to="n" value="5"/><add assign_to="u" value="1"/></action></nop>
  <send><![CDATA[
MESSAGE sip:a@[remote_ip]:[remote_port] SIP/2.0
Call-ID: [call_id]
CSeq: [cseq] MESSAGE
X-Ver: [sipp_version]
X-Users: [users] [userid] [$u]
X-Server: [server_ip]
X-Auto: audio [auto_media_port] [auto_media_port+2] [media_port]
X-Rtp: [rtpstream_audio_port] [rtpstream_video_port]
X-Dyn: [dynamic_id] [dynamic_id]
X-Fill: [fill text="ab" variable=n]
X-Tdm: [tdmmap]
Content-Length: [len]

[file name="body-[call_number].txt"]
]]></send>
  <pause milliseconds="200"/>
</scenario>
`;

async function collect(port: number, count: number): Promise<{ messages: Promise<string[]>; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(port, HOST, resolve));
  const got: string[] = [];
  const messages = new Promise<string[]>((resolve) => {
    socket.on('message', (data) => {
      got.push(data.toString('latin1'));
      if (got.length === count) resolve(got);
    });
  });
  return { messages, close: () => socket.close() };
}

describeWithSipp('the second batch of keywords: gossipper sends what SIPp sends', () => {
  it.concurrent('same scenario, same flags: the same messages', async (ctx) => {
    const s = session(ctx);
    const [sippPort, ourPort, sippPeer, ourPeer] = [13644, 13645, 13646, 13647];
    assertUdpPortsFree(sippPort, ourPort, sippPeer, ourPeer);
    writeFileSync(join(s.dir, 'keywords.xml'), SCENARIO);
    for (let n = 1; n <= 4; n++) writeFileSync(join(s.dir, `body-${n}.txt`), `body of call ${n}\nline 2\n`);
    const CALLS = 4;
    const flags = (peer: number, port: number) => [
      '-sf', 'keywords.xml', `${HOST}:${peer}`, '-i', HOST, '-p', String(port), '-mp', '13690',
      '-users', '2', '-m', String(CALLS), '-tdmmap', '{0-1}{99}{5-6}{1-2}', '-dynamicStart', '100', '-dynamicStep', '3',
    ];
    const theirs = await collect(sippPeer, CALLS);
    const ours = await collect(ourPeer, CALLS);
    try {
      const sipp = s.sipp(flags(sippPeer, sippPort));
      const gossipper = s.gossipper(flags(ourPeer, ourPort));
      const [sippMessages, ourMessages] = await Promise.all([theirs.messages, ours.messages]);
      const byCall = (messages: string[], pid: number, port: number) =>
        new Map(
          messages.map((m) => [
            Number(/\r\nCall-ID: (\d+)-/.exec(m)![1]),
            m.replaceAll(`-${pid}@`, '-PID@').replaceAll(`:${port}`, ':PORT').replaceAll(`:${port === sippPort ? sippPeer : ourPeer}`, ':PEER'),
          ]),
        );
      const a = byCall(sippMessages, sipp.pid, sippPort);
      const b = byCall(ourMessages, gossipper.pid, ourPort);
      for (let n = 1; n <= CALLS; n++) expect(b.get(n), `call ${n}`).toBe(a.get(n));
      // And what they were, for the reader: call 3 is user 2 again, with its variable at 2.
      expect(a.get(3)).toContain('\r\nX-Users: 2 2 2.000000\r\n');
    } finally {
      theirs.close();
      ours.close();
    }
  });
});

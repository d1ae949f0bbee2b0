import { describe, expect, it } from 'vitest';
import { emptyMediaCounters } from '../../src/index.js';
import type { MediaCounters, MediaPort, MediaStreamSpec } from '../../src/index.js';
import { configFor, newNetwork, scenarioOf, side } from './harness.js';

const UAC_PORT = 5061;
const UAS_PORT = 5060;

/** Records what the engine asks of the media port, with the virtual time. */
class RecordingMedia implements MediaPort {
  readonly calls: Array<{ op: string; owner: number; at: number; spec?: MediaStreamSpec }> = [];
  constructor(private readonly now: () => number) {}
  startStream(owner: number, spec: MediaStreamSpec): void {
    this.calls.push({ op: 'start', owner, at: this.now(), spec });
  }
  pauseOwner(owner: number): void {
    this.calls.push({ op: 'pause', owner, at: this.now() });
  }
  resumeOwner(owner: number): void {
    this.calls.push({ op: 'resume', owner, at: this.now() });
  }
  stopOwner(owner: number): void {
    this.calls.push({ op: 'stop', owner, at: this.now() });
  }
  counters(): MediaCounters {
    return emptyMediaCounters();
  }
  async close(): Promise<void> {}
}

const INVITE = `<send retrans="500"><![CDATA[
INVITE sip:service@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:service@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:sipp@[local_ip]:[local_port]
Content-Length: 0

]]></send>`;

const ACK = `<send><![CDATA[
ACK sip:service@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:service@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Content-Length: 0

]]></send>`;

const BYE = `<send retrans="500"><![CDATA[
BYE sip:service@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[call_number]
To: <sip:service@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 2 BYE
Content-Length: 0

]]></send>`;

function uacWith(...middle: string[]): string {
  return ['<scenario name="m">', INVITE, '<recv response="100" optional="true"/>', '<recv response="180" optional="true"/>', ...middle, BYE, '<recv response="200"/>', '</scenario>'].join('\n');
}

async function run(uacXml: string, calls: number, mediaPort = 6000) {
  const { scheduler, network } = newNetwork(1);
  const media = new RecordingMedia(() => scheduler.now());
  const uas = await side(network, scenarioOf('uas'), configFor({ port: UAS_PORT, keywords: { ...configFor({ port: UAS_PORT }).keywords, mediaPort } }));
  const uac = await side(
    network,
    scenarioOf(uacXml),
    configFor({ port: UAC_PORT, remotePort: UAS_PORT, rate: 10, maxCalls: calls, defaultPauseMs: 1000 }),
    false,
    false,
    media,
  );
  uas.engine.start();
  uac.engine.start();
  scheduler.runUntilIdle(120_000);
  const result = await uac.engine.finished;
  return { media, uac, result };
}

describe('engine: <exec rtp_stream> through the media port', () => {
  it('invite_media_scale starts a stream toward the 200 OK SDP per call and stops it before the BYE', async () => {
    const { media, result } = await run('invite_media_scale', 3, 30_000); // scenarioOf() loads a built-in by name
    expect(result).toMatchObject({ callsSucceeded: 3, callsFailed: 0 });
    const starts = media.calls.filter((c) => c.op === 'start');
    expect(starts.map((c) => c.owner)).toEqual([1, 2, 3]);
    expect(starts[0].spec).toEqual({
      remoteHost: '127.0.0.1',
      remotePort: 30_000,
      localHost: '127.0.0.1',
      localPort: 0,
      codec: 'PCMU',
      payloadType: 0,
      clockRate: 8000,
      ptimeMs: 20,
      pattern: 'silence',
      durationMs: 0,
      startDelayMs: 0,
    });
    // each call: start on the 200, stop after the -d hold (1000 ms), and nothing more at its end
    for (const owner of [1, 2, 3]) {
      const ops = media.calls.filter((c) => c.owner === owner);
      expect(ops.map((c) => c.op)).toEqual(['start', 'stop']);
      expect(ops[1].at - ops[0].at).toBeGreaterThanOrEqual(1000);
      expect(ops[1].at - ops[0].at).toBeLessThan(1010);
    }
  });

  it('pause and resume go to the call that ran them; a call that ends with its stream still on frees it', async () => {
    const xml = uacWith(
      '<recv response="200"><action><exec rtp_stream="synthetic,0,8,PCMA/8000,30,tone"/></action></recv>',
      ACK,
      '<pause milliseconds="100"/>',
      '<nop><action><exec rtp_stream="pause"/></action></nop>',
      '<pause milliseconds="200"/>',
      '<nop><action><exec rtp_stream="resume"/></action></nop>',
      '<pause milliseconds="100"/>',
    );
    const { media, result } = await run(xml, 2);
    expect(result.callsSucceeded).toBe(2);
    for (const owner of [1, 2]) {
      expect(media.calls.filter((c) => c.owner === owner).map((c) => c.op)).toEqual(['start', 'pause', 'resume', 'stop']);
    }
    expect(media.calls[0].spec).toMatchObject({ codec: 'PCMA', payloadType: 8, ptimeMs: 30, pattern: 'tone' });
  });

  it('sends nothing when the last message has no audio SDP, and says why', async () => {
    // The UAS's 180 Ringing has no body: an action on it finds no audio endpoint.
    const xml = [
      '<scenario name="m">',
      INVITE,
      '<recv response="100" optional="true"/>',
      '<recv response="180"><action><exec rtp_stream="synthetic,0,0,PCMU/8000,20"/></action></recv>',
      '<recv response="200"/>',
      ACK,
      BYE,
      '<recv response="200"/>',
      '</scenario>',
    ].join('\n');
    const { media, uac, result } = await run(xml, 1);
    expect(result.callsSucceeded).toBe(1);
    expect(media.calls).toEqual([]);
    const errors = uac.events.filter((e) => e.kind === 'error').map((e) => (e as { message: string }).message);
    expect(errors).toEqual(['<exec rtp_stream>: the last message has no SDP audio endpoint (c= and m=audio); no RTP sent']);
  });
});


// -media_scale from the command line: option checks, the standalone generator and the built-in
// invite_media_scale, each against a UDP sink that counts RTP and checks every stream's order.
// Fixed ports 14500-14999 (this feature's range); the sinks and SIP peers stay on loopback.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpCountingSink } from '@gossipper/adapter-media-scale';
import { loadAddon } from '@gossipper/adapter-media-scale';
import { parseCommandLine } from '../src/options.js';
import type { ParsedCommand, RunOptions } from '../src/options.js';
import { fileDescriptorProblem, openFileLimit } from '../src/media-setup.js';
import { GOSSIPPER_BIN, session } from './support/procs.js';
import { describeWithSipp } from './support/peers.js';
import { waitForUdpBound } from './support/net.js';

const HOST = '127.0.0.1';

function parsed(...argv: string[]): RunOptions {
  const result = parseCommandLine(argv);
  if (result.kind !== 'run') throw new Error(`expected a run, got ${JSON.stringify(result)}`);
  return result.options;
}

function refused(...argv: string[]): string {
  const result: ParsedCommand = parseCommandLine(argv);
  if (result.kind !== 'error') throw new Error(`expected an error, got ${result.kind}`);
  expect(result.exitCode).toBe(1);
  return result.message;
}

/**
 * The runs below count every packet: a CI worker stalled for more than the default 500 ms must
 * not turn into skipped packets (4,950 of 5,000 once). Skipping has its own tests.
 */
const EXACT = ['-media_skip_late', '60s'];

describe('media options', () => {
  it('reads the standalone generator flags', () => {
    const o = parsed('-rtp_send', '-media_scale', '-media_skip_late', '2s', '-rtp_streams', '100', '-rtp_addr', '10.0.0.5:30000', '-rtp_codec', 'PCMA/8000', '-rtp_freq', '30', '-rtp_dur', '5000', '-media_threads', '2', '-rtp_pattern', 'tone');
    expect(o).toMatchObject({
      rtpSend: true,
      mediaScale: true,
      mediaSkipLateMs: 2000,
      rtpStreams: 100,
      rtpAddrHost: '10.0.0.5',
      rtpAddrPort: 30000,
      rtpCodec: 'PCMA/8000',
      rtpFreqMs: 30,
      rtpDurMs: 5000,
      mediaThreads: 2,
      rtpPattern: 'tone',
    });
  });

  it('-sn invite_media_scale turns -media_scale on by itself; -sn uac does not', () => {
    expect(parsed('-sn', 'invite_media_scale', '127.0.0.1').mediaScale).toBe(true);
    expect(parsed('-sn', 'uac', '127.0.0.1').mediaScale).toBeUndefined();
  });

  it('refuses SRTP with -media_scale, and more than one stream without it', () => {
    expect(refused('-media_scale', '-media_srtp', '127.0.0.1')).toBe(
      '-media_scale cannot be combined with -media_srtp: the scale engine sends cleartext RTP only',
    );
    expect(refused('-sn', 'invite_media_scale', '-media_srtp', '127.0.0.1')).toMatch(/^-media_scale cannot be combined with -media_srtp/);
    expect(refused('-rtp_send', '-rtp_streams', '2', '-rtp_addr', '127.0.0.1:4000')).toBe(
      '-rtp_streams 2 needs -media_scale (more than one stream runs only on the scale engine)',
    );
  });

  it('says which flag is wrong or missing', () => {
    expect(refused('-rtp_send', '-media_scale')).toBe('-rtp_send needs -rtp_addr host:port (where the RTP goes)');
    expect(refused('-rtp_addr', '127.0.0.1:4000', '127.0.0.1')).toBe('-rtp_addr applies only to -rtp_send (the standalone RTP generator)');
    expect(refused('-rtp_send', '-rtp_addr', '127.0.0.1')).toBe('-rtp_addr: expected host:port, got "127.0.0.1"');
    expect(refused('-rtp_send', '-rtp_addr', '127.0.0.1:4000', '-rtp_codec', 'G729/8000')).toBe(
      '-rtp_codec: codec "G729" is not supported by synthetic RTP (PCMU/8000 or PCMA/8000)',
    );
    expect(refused('-rtp_send', '-rtp_addr', '127.0.0.1:4000', '-rtp_freq', '0')).toBe('-rtp_freq: packetization interval 0 ms is outside 1..1000');
    expect(refused('-media_threads', '2', '127.0.0.1')).toBe('-media_threads applies only with -media_scale');
    expect(refused('-media_shared_socket', '127.0.0.1')).toBe('-media_shared_socket applies only with -media_scale');
    expect(refused('-media_skip_late', '1s', '127.0.0.1')).toBe('-media_skip_late applies only with -media_scale');
    expect(refused('-media_scale', '-media_skip_late', '0', '127.0.0.1')).toBe('-media_skip_late: expected a duration above 0, got "0"');
    expect(refused('-media_scale', '-media_threads', '0', '127.0.0.1')).toBe('-media_threads: expected at least 1 thread, got "0"');
  });

  it('says up front how many file descriptors a run needs', () => {
    expect(openFileLimit('Limit  Soft Limit  Hard Limit  Units\nMax open files  1024  4096  files\n')).toBe(1024);
    expect(fileDescriptorProblem(10_000, '-rtp_streams 10000', 1024)).toBe(
      '-rtp_streams 10000 needs about 10064 file descriptors (one per RTP socket + 64), but ulimit -n is 1024: raise it first (ulimit -n 10064)',
    );
    expect(fileDescriptorProblem(900, '-rtp_streams 900', 1024)).toBeUndefined();
  });
});

const sinks: RtpCountingSink[] = [];
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close();
});

async function countingSink(port: number): Promise<RtpCountingSink> {
  const sink = new RtpCountingSink();
  sinks.push(sink);
  await sink.listen(port, HOST);
  return sink;
}

interface MediaJson {
  send_path: string;
  threads: number;
  streams_started: number;
  streams_active: number;
  rtp_packets_sent: number;
  rtp_packets_expected?: number;
  rtp_send_errors: number;
  socket_errors: number;
  lateness_p99_ms: number;
}

const addonLoads = typeof loadAddon() !== 'string';

describe('gossipper -rtp_send', () => {
  it('sends N streams x duration / ptime packets from ports stepping by 2, each stream in order', async (ctx) => {
    const s = session(ctx);
    const sink = await countingSink(14500);
    const run = s.gossipper([
      '-rtp_send', '-media_scale', ...EXACT, '-media_threads', '2', '-rtp_streams', '100', '-rtp_addr', `${HOST}:14500`,
      '-rtp_codec', 'PCMU/8000', '-rtp_freq', '20', '-rtp_dur', '1000', '-i', HOST, '-mp', '14600',
      '-summary_json', 'rtp.json',
    ]);
    const exit = await run.wait(20_000);
    expect(exit.code, run.describe()).toBe(0);
    const summary = JSON.parse(readFileSync(s.path('rtp.json'), 'utf8')) as { schema: string; media: MediaJson };
    expect(summary.schema).toBe('gossipper.rtp-send-summary/1');
    expect(summary.media).toMatchObject({
      threads: 2,
      streams_started: 100,
      streams_active: 0,
      rtp_packets_sent: 100 * 50,
      rtp_packets_expected: 100 * 50,
      rtp_send_errors: 0,
      socket_errors: 0,
      send_path: addonLoads ? 'sendmmsg' : 'dgram',
      max_lateness_ms: 60_000, // -media_skip_late reached both threads
    });
    expect(run.stdout).toContain(`media: ${addonLoads ? 'sendmmsg' : 'dgram'} (2 threads`);
    expect(run.stdout).toMatch(/rtp_send: \d+ streams \| \d+ packets\/s \| \d+ sent \| \d+ late/);
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.summary()).toEqual({ streams: 100, packets: 100 * 50, seqErrors: 0, timestampErrors: 0, notRtp: 0 });
    const ports = [...sink.streams.values()].map((stream) => stream.sourcePort).sort((a, b) => a - b);
    expect(ports).toEqual(Array.from({ length: 100 }, (_, i) => 14600 + 2 * i));
    expect([...sink.streams.values()].every((stream) => stream.packets === 50 && stream.payloadType === 0 && stream.timestampStep === 160)).toBe(true);
  }, 30_000);

  it(`runs on dgram when GOSSIPPER_MEDIA_SEND=dgram, and says so`, async (ctx) => {
    const s = session(ctx);
    const sink = await countingSink(14502);
    const run = s.gossipper(
      ['-rtp_send', '-media_scale', ...EXACT, '-media_threads', '1', '-rtp_streams', '20', '-rtp_addr', `${HOST}:14502`, '-rtp_codec', 'PCMA/8000', '-rtp_dur', '500', '-i', HOST, '-mp', '14560', '-summary_json', 'rtp.json'],
      { env: { GOSSIPPER_MEDIA_SEND: 'dgram' } },
    );
    const exit = await run.wait(20_000);
    expect(exit.code, run.describe()).toBe(0);
    expect(run.stdout).toContain('media: dgram (1 thread; GOSSIPPER_MEDIA_SEND=dgram)');
    const summary = JSON.parse(readFileSync(s.path('rtp.json'), 'utf8')) as { media: MediaJson };
    expect(summary.media).toMatchObject({ send_path: 'dgram', rtp_packets_sent: 20 * 25, rtp_send_errors: 0 });
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.summary()).toEqual({ streams: 20, packets: 500, seqErrors: 0, timestampErrors: 0, notRtp: 0 });
    expect([...sink.streams.values()].every((stream) => stream.payloadType === 8)).toBe(true);
  }, 30_000);

  it('-media_shared_socket sends every stream from one port per thread', async (ctx) => {
    const s = session(ctx);
    const sink = await countingSink(14508);
    const run = s.gossipper([
      '-rtp_send', '-media_scale', ...EXACT, '-media_shared_socket', '-media_threads', '2', '-rtp_streams', '100', '-rtp_addr', `${HOST}:14508`,
      '-rtp_dur', '500', '-i', HOST, '-mp', '14960', '-summary_json', 'rtp.json',
    ]);
    const exit = await run.wait(20_000);
    expect(exit.code, run.describe()).toBe(0);
    const summary = JSON.parse(readFileSync(s.path('rtp.json'), 'utf8')) as { media: MediaJson };
    expect(summary.media).toMatchObject({ send_path: addonLoads ? 'sendmmsg-shared' : 'dgram-shared', rtp_packets_sent: 100 * 25, rtp_send_errors: 0 });
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.summary()).toEqual({ streams: 100, packets: 2500, seqErrors: 0, timestampErrors: 0, notRtp: 0 });
    // streams 0, 2, 4, ... on thread 0 (the port of stream 0), 1, 3, ... on thread 1 (stream 1's)
    expect(new Set([...sink.streams.values()].map((stream) => stream.sourcePort))).toEqual(new Set([14960, 14962]));
  }, 30_000);

  it('refuses to start when ulimit -n is below what the streams need', async (ctx) => {
    const s = session(ctx);
    const run = s.spawn('sh ulimit', '/bin/sh', [
      '-c',
      `ulimit -n 100 && exec "${process.execPath}" "${GOSSIPPER_BIN}" -rtp_send -media_scale -rtp_streams 200 -rtp_addr ${HOST}:14504 -rtp_dur 100 -i ${HOST} -mp 14600`,
    ]);
    const exit = await run.wait(10_000);
    expect(exit.code, run.describe()).toBe(1);
    expect(run.stderr).toContain('gossipper: -rtp_streams 200 needs about 264 file descriptors (one per RTP socket + 64), but ulimit -n is 100');
  }, 15_000);
});

describe('scenarios with <exec rtp_stream>', () => {
  it('a scenario file with rtp_stream needs -media_scale, said with its place', async (ctx) => {
    const s = session(ctx);
    writeFileSync(
      s.path('media.xml'),
      [
        '<scenario name="media">',
        '  <send><![CDATA[OPTIONS sip:x@[remote_ip] SIP/2.0\nCall-ID: [call_id]\nContent-Length: 0\n\n]]></send>',
        // line 7, after the five lines of the <send>
        '  <recv response="200"><action><exec rtp_stream="synthetic,0,0,PCMU/8000,20"/></action></recv>',
        '</scenario>',
      ].join('\n'),
    );
    const run = s.gossipper(['-sf', 'media.xml', `${HOST}:14506`, '-m', '1']);
    const exit = await run.wait(10_000);
    expect(exit.code, run.describe()).toBe(1);
    expect(run.stderr).toContain('gossipper: media.xml:7: <exec rtp_stream> needs -media_scale (synthetic RTP runs on the scale engine)');
  }, 15_000);

  it('-sn invite_media_scale sends RTP to the SDP of each 200 OK, stops it before the BYE and frees every stream', async (ctx) => {
    const s = session(ctx);
    const sink = await countingSink(14510); // the UAS's [media_port]: its 200 OK's m=audio
    const uas = s.gossipper(['-sn', 'uas', '-i', HOST, '-p', '14511', '-mp', '14510', '-m', '10', '-nostdin']);
    await waitForUdpBound(14511, uas);
    const uac = s.gossipper([
      '-sn', 'invite_media_scale', `${HOST}:14511`, '-i', HOST, '-p', '14512', '-m', '10', '-r', '10', '-l', '10',
      '-d', '500', '-media_threads', '2', ...EXACT, '-summary_json', 'uac.json', '-nostdin',
    ]);
    const exit = await uac.wait(20_000);
    expect(exit.code, uac.describe()).toBe(0);
    expect(uac.stderr).toMatch(/media: (sendmmsg|dgram) \(2 threads/);
    const summary = JSON.parse(readFileSync(s.path('uac.json'), 'utf8')) as {
      calls: { successful: number; failed: number };
      media: MediaJson;
    };
    expect(summary.calls).toMatchObject({ successful: 10, failed: 0 });
    expect(summary.media).toMatchObject({ streams_started: 10, streams_active: 0, rtp_send_errors: 0, socket_errors: 0 });
    await new Promise((r) => setTimeout(r, 100));
    const received = sink.summary();
    expect(received).toMatchObject({ streams: 10, seqErrors: 0, timestampErrors: 0, notRtp: 0 });
    expect(received.packets).toBe(summary.media.rtp_packets_sent);
    // 500 ms of hold at 20 ms: about 25 packets a call (the hold starts after the ACK is sent).
    for (const stream of sink.streams.values()) {
      expect(stream.packets).toBeGreaterThanOrEqual(20);
      expect(stream.packets).toBeLessThanOrEqual(40);
    }
    await uas.wait(10_000);
  }, 40_000);
});

describeWithSipp('invite_media_scale against sipp -sn uas', () => {
  it('every call succeeds and its RTP goes to the media port SIPp answers with', async (ctx) => {
    const s = session(ctx);
    const sipp = s.sipp(['-sn', 'uas', '-i', HOST, '-p', '14521', '-mp', '14530', '-m', '5']);
    await waitForUdpBound(14521, sipp);
    const uac = s.gossipper([
      '-sn', 'invite_media_scale', `${HOST}:14521`, '-i', HOST, '-p', '14522', '-m', '5', '-r', '5', '-d', '300', ...EXACT,
      '-summary_json', 'uac.json', '-nostdin',
    ]);
    const exit = await uac.wait(20_000);
    expect(exit.code, uac.describe()).toBe(0);
    const summary = JSON.parse(readFileSync(s.path('uac.json'), 'utf8')) as { calls: { successful: number }; media: MediaJson };
    expect(summary.calls.successful).toBe(5);
    expect(summary.media.streams_started).toBe(5);
    expect(summary.media.rtp_packets_sent).toBeGreaterThanOrEqual(5 * 10);
    expect(summary.media.rtp_send_errors).toBe(0);
    await sipp.wait(10_000);
  }, 40_000);
});

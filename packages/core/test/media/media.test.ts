import { describe, expect, it } from 'vitest';
import { parseRtpCodec } from '../../src/media/codec.js';
import { sdpAudioEndpoint } from '../../src/media/sdp.js';
import { parseRtpStreamCommand } from '../../src/media/rtp-stream.js';
import { loadScenario } from '../../src/scenario/loader.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { fakeCompile } from '../scenario/helpers.js';

describe('parseRtpCodec', () => {
  it('knows PCMU and PCMA at 8000 Hz with their static payload types', () => {
    expect(parseRtpCodec('PCMU/8000')).toEqual({ codec: 'PCMU', clockRate: 8000, payloadType: 0 });
    expect(parseRtpCodec('pcma')).toEqual({ codec: 'PCMA', clockRate: 8000, payloadType: 8 });
  });
  it('says why it refuses other codecs and rates', () => {
    expect(parseRtpCodec('G729/8000')).toBe('codec "G729" is not supported by synthetic RTP (PCMU/8000 or PCMA/8000)');
    expect(parseRtpCodec('PCMU/16000')).toBe('PCMU runs at 8000 Hz, not 16000');
    expect(parseRtpCodec('PCMU 8000')).toBe('"PCMU 8000" is not a codec (expected PCMU/8000 or PCMA/8000)');
  });
});

describe('sdpAudioEndpoint', () => {
  it('takes the session c= and the m=audio port', () => {
    const sdp = 'v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n';
    expect(sdpAudioEndpoint(sdp)).toEqual({ address: '10.0.0.9', port: 30000 });
  });
  it('prefers the audio section c= and skips a video section before it', () => {
    const sdp = 'v=0\nc=IN IP4 10.0.0.9\nm=video 4000 RTP/AVP 96\nc=IN IP4 10.0.0.8\nm=audio 30002 RTP/AVP 8\nc=IN IP6 ::1\n';
    expect(sdpAudioEndpoint(sdp)).toEqual({ address: '::1', port: 30002 });
  });
  it('has nothing for a body without audio, a rejected (port 0) stream or no address', () => {
    expect(sdpAudioEndpoint('')).toBeUndefined();
    expect(sdpAudioEndpoint('v=0\nc=IN IP4 1.2.3.4\nm=audio 0 RTP/AVP 0\n')).toBeUndefined();
    expect(sdpAudioEndpoint('v=0\nm=audio 3000 RTP/AVP 0\n')).toBeUndefined();
  });
});

describe('parseRtpStreamCommand', () => {
  it('reads synthetic,DURATION,PT,CODEC,PTIME[,pattern]', () => {
    expect(parseRtpStreamCommand('synthetic,0,0,PCMU/8000,20')).toEqual({
      op: 'synthetic',
      codec: { codec: 'PCMU', clockRate: 8000, payloadType: 0 },
      ptimeMs: 20,
      durationMs: 0,
      pattern: 'silence',
    });
    expect(parseRtpStreamCommand('synthetic, 5000, 0, PCMA/8000, 30, tone')).toMatchObject({
      codec: { codec: 'PCMA', payloadType: 8 },
      durationMs: 5000,
      ptimeMs: 30,
      pattern: 'tone',
    });
    expect(parseRtpStreamCommand('synthetic,-1,96,PCMU/8000,20')).toMatchObject({ durationMs: 0, codec: { payloadType: 96 } });
  });
  it('reads pause, resume and stop', () => {
    expect(parseRtpStreamCommand('pause')).toEqual({ op: 'pause' });
    expect(parseRtpStreamCommand('resume')).toEqual({ op: 'resume' });
    expect(parseRtpStreamCommand('stop')).toEqual({ op: 'stop' });
  });
  it('names the field that is wrong', () => {
    expect(parseRtpStreamCommand('audio.wav,-1,0')).toMatch(/only synthetic streams/);
    expect(parseRtpStreamCommand('synthetic,0,0,PCMU/8000')).toMatch(/expected synthetic,DURATION,PT,CODEC\/RATE,PTIME/);
    expect(parseRtpStreamCommand('synthetic,x,0,PCMU/8000,20')).toMatch(/duration "x"/);
    expect(parseRtpStreamCommand('synthetic,0,200,PCMU/8000,20')).toMatch(/payload type "200"/);
    expect(parseRtpStreamCommand('synthetic,0,0,OPUS/48000,20')).toMatch(/codec "OPUS"/);
    expect(parseRtpStreamCommand('synthetic,0,0,PCMU/8000,0')).toMatch(/packetization interval 0 ms/);
    expect(parseRtpStreamCommand('synthetic,0,0,PCMU/8000,20,noise')).toMatch(/pattern "noise"/);
  });
});

describe('<exec rtp_stream> in a scenario', () => {
  const doc = (action: string) =>
    ['<scenario name="t">', '<send><![CDATA[INVITE sip:x@y SIP/2.0]]></send>', `<recv response="200"><action>${action}</action></recv>`, '</scenario>'].join('\n');

  it('loads as an rtp_stream action', () => {
    const scenario = loadScenario(doc('<exec rtp_stream="synthetic,0,0,PCMU/8000,20"/><exec rtp_stream="pause"/>'), 't.xml', fakeCompile);
    expect(scenario.steps[1].actions.map((a) => a.kind === 'rtp_stream' && a.command.op)).toEqual(['synthetic', 'pause']);
  });

  it('is a load error with the place when its value is wrong', () => {
    expect(() => loadScenario(doc('<exec rtp_stream="synthetic,0,0,G722/8000,20"/>'), 't.xml', fakeCompile)).toThrow(ScenarioError);
    expect(() => loadScenario(doc('<exec rtp_stream="synthetic,0,0,G722/8000,20"/>'), 't.xml', fakeCompile)).toThrow(
      /^t\.xml:3: rtp_stream="synthetic,0,0,G722\/8000,20": codec "G722"/,
    );
  });
});

// The keywords of the second batch: [clock_tick], [timestamp], [date], [sipp_version], [users],
// [userid], [server_ip], [auto_media_port], [rtpstream_*_port], [dynamic_id], [tdmmap], [fill],
// [file]. Expected texts are what SIPp 3.6.1 sent in the runs quoted in sipp-parity.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { compileTemplate, type CompileOptions } from '../../src/template/compile.js';
import { sippDate, sippTimestamp } from '../../src/template/time-format.js';
import { ScenarioError } from '../../src/scenario/errors.js';
import { loadScenario } from '../../src/scenario/loader.js';
import type { CallKeywordState } from '../../src/template/types.js';
import { callState, PLACE, render, runValues } from './helpers.js';

function renderWith(cdata: string, options: CompileOptions, call: Partial<CallKeywordState> = {}): string {
  return compileTemplate(cdata, PLACE, options).bind(runValues()).render(callState(call)).toString('latin1');
}

function errorOf(cdata: string, options: CompileOptions = {}): ScenarioError {
  try {
    compileTemplate(cdata, PLACE, options);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('no error');
}

/** A call that records keywordError instead of throwing. */
function recordingCall(over: Partial<CallKeywordState> = {}): { call: CallKeywordState; errors: string[] } {
  const errors: string[] = [];
  return { call: callState({ keywordError: (m) => errors.push(m), ...over }), errors };
}

describe('run keywords: [server_ip] [users] [sipp_version] [rtpstream_*_port]', () => {
  it('renders the bound address, -users, the version and the media port, ignoring offsets', () => {
    const text = 'OPTIONS x SIP/2.0\nX: [server_ip] [server_ip+1] [users] [users+1] [sipp_version] [sipp_version+1]\n' +
      'R: [rtpstream_audio_port] [rtpstream_audio_port+1] [rtpstream_video_port] [rtpstream_video_port+1]\n\n';
    expect(render(text, {}, { serverIp: '10.1.2.3', users: 3, mediaPort: 13660 })).toBe(
      'OPTIONS x SIP/2.0\r\nX: 10.1.2.3 10.1.2.3 3 3 3.6.1 3.6.1\r\nR: 13660 13660 13660 13660\r\n\r\n',
    );
    // Without -users SIPp's users is -1; without a bound address, the local IP without brackets.
    expect(render('OPTIONS x SIP/2.0\nX: [users] [server_ip]\n\n', {}, { localIp: '::1' })).toBe(
      'OPTIONS x SIP/2.0\r\nX: -1 ::1\r\n\r\n',
    );
  });

  it('-t ui: [local_ip] and [server_ip] are the call\'s address (IPv6 in brackets for [local_ip] only)', () => {
    const text = 'OPTIONS x SIP/2.0\nVia: SIP/2.0/UDP [local_ip]:[local_port]\nX: [server_ip] [local_ip_type]\n\n';
    const run = { localIp: '127.0.0.1', serverIp: '127.0.0.2', localIpPerCall: true };
    expect(render(text, { localIp: '127.0.0.3', localPort: 5070 }, run)).toBe(
      'OPTIONS x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.3:5070\r\nX: 127.0.0.3 4\r\n\r\n',
    );
    expect(render(text, { localIp: 'fd00::3', localPort: 5070 }, { ...run, localIp: '::1', localIpType: '6' })).toBe(
      'OPTIONS x SIP/2.0\r\nVia: SIP/2.0/UDP [fd00::3]:5070\r\nX: fd00::3 6\r\n\r\n',
    );
    // Every other transport: the run's values, whatever the call's address.
    expect(render(text, { localIp: '127.0.0.3' }, { ...run, localIpPerCall: false })).toBe(
      'OPTIONS x SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5098\r\nX: 127.0.0.2 4\r\n\r\n',
    );
  });
});

describe('call keywords: [userid] [clock_tick] [timestamp] [date] [dynamic_id]', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('[userid] is the call\'s user, [clock_tick] whole milliseconds, offsets ignored', () => {
    expect(render('OPTIONS x SIP/2.0\nX: [userid] [userid+1] [clock_tick] [clock_tick+5]\n\n', { userId: 2, clockTick: () => 212.9 }))
      .toBe('OPTIONS x SIP/2.0\r\nX: 2 2 212 212\r\n\r\n');
  });

  it('[timestamp] is local time with tabs and microseconds, [date] is GMT', () => {
    process.env.TZ = 'Asia/Kolkata';
    const ms = 1795438304311.557;
    expect(render('OPTIONS x SIP/2.0\nX-Ts: [timestamp]\nX-Date: [date]\n\n', { wallClockMs: () => ms })).toBe(
      'OPTIONS x SIP/2.0\r\nX-Ts: 2026-11-23\t18:21:44.311557\t1795438304.311557\r\nX-Date: Mon, 23 Nov 2026 12:51:44 GMT\r\n\r\n',
    );
    process.env.TZ = 'UTC';
    expect(sippTimestamp(1795438289036.152)).toBe('2026-11-23\t12:51:29.036152\t1795438289.036152');
    expect(sippTimestamp(0)).toBe('1970-01-01\t00:00:00.000000\t0000000000.000000');
    expect(sippDate(Date.UTC(2026, 10, 1, 3, 4, 5, 999))).toBe('Sun, 01 Nov 2026 03:04:05 GMT');
  });

  it('[dynamic_id] takes the next counter value at every occurrence, in message order', () => {
    let next = 10000;
    const call = { nextDynamicId: () => ((next += 4), next - 4) };
    expect(render('OPTIONS x SIP/2.0\nX: [dynamic_id] [dynamic_id] [dynamic_id+1]\n\n', call)).toBe(
      'OPTIONS x SIP/2.0\r\nX: 10000 10004 10008\r\n\r\n',
    );
  });
});

describe('[auto_media_port] and the media line check of [media_port]', () => {
  const sdp = 'INVITE x SIP/2.0\nContent-Length: [len]\n\nm=audio [auto_media_port] RTP/AVP 0\nm=video [auto_media_port+2] RTP/AVP 31\n';

  it('is the media port plus N plus 4 per call number, modulo 10000', () => {
    expect(render(sdp, { callNumber: 1 }, { mediaPort: 6012 })).toMatch(/m=audio 6012 RTP\/AVP 0\r\nm=video 6014 /);
    expect(render(sdp, { callNumber: 2 }, { mediaPort: 6012 })).toMatch(/m=audio 6016 RTP\/AVP 0\r\nm=video 6018 /);
    expect(render(sdp, { callNumber: 2501 }, { mediaPort: 6000 })).toMatch(/m=audio 6000 /);
    expect(render(sdp, { callNumber: 2502 }, { mediaPort: 6000 })).toMatch(/m=audio 6004 /);
  });

  it('stops the run when its line has no audio, image or video before it, as SIPp', () => {
    const bound = compileTemplate('OPTIONS x SIP/2.0\nX-Auto: [auto_media_port] audio\n\n', PLACE).bind(runValues());
    const { call, errors } = recordingCall();
    expect(bound.render(call).toString('latin1')).toBe('OPTIONS x SIP/2.0\r\nX-Auto:  audio\r\n\r\n');
    expect(errors).toEqual(['media_port keyword with no audio or video on the current line (\nX-Auto: )']);
    const first = recordingCall();
    compileTemplate('OPTIONS x[auto_media_port] SIP/2.0\n\n', PLACE).bind(runValues()).render(first.call);
    expect(first.errors).toEqual(['Can not find beginning of a line for the media port!']);
    // [media_port] too: SIPp 3.6.1 stopped on `X-M: [media_port]` with this message.
    const plain = recordingCall();
    expect(compileTemplate('OPTIONS x SIP/2.0\nX-M: [media_port]\nm=video [media_port+1]\n\n', PLACE).bind(runValues()).render(plain.call).toString('latin1'))
      .toBe('OPTIONS x SIP/2.0\r\nX-M: \r\nm=video 6001\r\n\r\n');
    expect(plain.errors).toEqual(['media_port keyword with no audio or video on the current line (\nX-M: )']);
    const image = recordingCall();
    compileTemplate('OPTIONS x SIP/2.0\nm=image [auto_media_port]\n\n', PLACE).bind(runValues()).render(image.call);
    expect(image.errors).toEqual([]);
  });
});

describe('[tdmmap]', () => {
  it('stops the run: -tdmmap is not supported, and SIPp stops without it', () => {
    const { call, errors } = recordingCall();
    compileTemplate('OPTIONS x SIP/2.0\nX: [tdmmap]\n\n', PLACE).bind(runValues()).render(call);
    expect(errors).toEqual(['[tdmmap] keyword without -tdmmap parameter on command line']);
  });
});

describe('[fill text=... variable=...]', () => {
  const slots: Record<string, number> = { n: 0, neg: 1, frac: 2, s: 3 };
  const values = [5, -3, 2.9, 0];
  const options: CompileOptions = { variables: (name) => slots[name] ?? 9 };
  const call = { variableDouble: (slot: number) => values[slot] ?? 0 };

  it('repeats the text to the variable\'s length (SIPp: ababa XXXXX |qq||)', () => {
    expect(
      renderWith(
        'OPTIONS x SIP/2.0\nX-Fill: [fill text="ab" variable=n] [fill variable=n] [fill text="xyz" variable=neg]|' +
          '[fill text="q" variable=frac]|[fill text="q" variable=s]|\n\n',
        options,
        call,
      ),
    ).toBe('OPTIONS x SIP/2.0\r\nX-Fill: ababa XXXXX |qq||\r\n\r\n');
    expect(renderWith('OPTIONS x SIP/2.0\nX: [fill text=0x4142 variable=n]\n\n', options, call)).toBe(
      'OPTIONS x SIP/2.0\r\nX: ABABA\r\n\r\n',
    );
  });

  it('needs a variable: SIPp cuts `-1` off as an offset, so text="a-1" loses the variable too', () => {
    const scenario = (kw: string) =>
      `<scenario><send><![CDATA[\nOPTIONS x SIP/2.0\nX: ${kw}\n]]></send></scenario>`;
    expect(() => loadScenario(scenario('[fill text="ab"]'), 'f.xml')).toThrow('Variable names may not be empty for Fill Variable');
    expect(() => loadScenario(scenario('[fill text="a-1" variable=n]'), 'f.xml')).toThrow(
      'Variable names may not be empty for Fill Variable',
    );
    expect(errorOf('OPTIONS x SIP/2.0\nX: [fill variable=n]').detail).toBe('keyword "[fill variable=n]": no variables here');
  });
});

describe('[file name=...]', () => {
  const files: Record<string, string> = { 'f1.txt': 'line1\nline2 [call_id]\n', 'f2-1.txt': 'F2-one', 'f2-2.txt': 'F2-\xe9\0x' };
  function reader(log: string[]): (name: string) => Buffer {
    return (name) => {
      log.push(name);
      const text = files[name];
      if (text === undefined) throw new Error(`Could not open '${name}': No such file or directory`);
      return Buffer.from(text, 'latin1');
    };
  }
  const template = 'MESSAGE x SIP/2.0\nContent-Length: [len]\n\n[file name="f1.txt"]\nmid\n[file name="f2-[call_number].txt"]\n';

  it('inserts the bytes as they are; a literal name is read once, a name with keywords at every send', () => {
    const log: string[] = [];
    const bound = compileTemplate(template, PLACE, { readFile: reader(log) }).bind(runValues());
    expect(log).toEqual(['f1.txt']);
    // SIPp 3.6.1 sent exactly this for call 1 (Content-Length:    37).
    expect(bound.render(callState({ callNumber: 1 })).toString('latin1')).toBe(
      'MESSAGE x SIP/2.0\r\nContent-Length:    37\r\n\r\nline1\nline2 [call_id]\n\r\nmid\r\nF2-one\r\n',
    );
    expect(bound.render(callState({ callNumber: 2 })).toString('latin1')).toBe(
      'MESSAGE x SIP/2.0\r\nContent-Length:    37\r\n\r\nline1\nline2 [call_id]\n\r\nmid\r\nF2-\xe9\0x\r\n',
    );
    expect(log).toEqual(['f1.txt', 'f2-1.txt', 'f2-2.txt']);
  });

  it('a file that cannot be read stops the run when the message is sent, as in SIPp', () => {
    // A literal name that cannot be read at load is tried again at every send.
    const log: string[] = [];
    const literal = compileTemplate('OPTIONS x SIP/2.0\nX: [file name="nope.txt"]\n\n', PLACE, { readFile: reader(log) });
    const first = recordingCall();
    literal.bind(runValues()).render(first.call);
    expect(first.errors).toEqual(["Could not open 'nope.txt': No such file or directory"]);
    expect(log).toEqual(['nope.txt', 'nope.txt']);
    const bound = compileTemplate(template, PLACE, { readFile: reader([]) }).bind(runValues());
    const { call, errors } = recordingCall({ callNumber: 3 });
    bound.render(call);
    expect(errors).toEqual(["Could not open 'f2-3.txt': No such file or directory"]);
  });

  it('reads SIPp\'s name= forms and refuses a missing name', () => {
    const log: string[] = [];
    renderWith('OPTIONS x SIP/2.0\nX: [files name=f1.txt] [file name=0x66312e747874]\n\n', { readFile: reader(log) });
    expect(log).toEqual(['f1.txt', 'f1.txt']);
    for (const kw of ['file', 'file name=""', 'file nom=x']) {
      expect(errorOf(`OPTIONS x SIP/2.0\nX: [${kw}]`, { readFile: reader([]) }).detail).toBe("No name specified for 'file' keyword!");
    }
    expect(errorOf('OPTIONS x SIP/2.0\nX: [file name=a]').detail).toBe('keyword "[file name=a]": files can not be read here');
    expect(errorOf('[file name=f1.txt] x SIP/2.0\n', { readFile: reader([]) }).detail).toMatch(/can not use a keyword for the METHOD/);
  });
});

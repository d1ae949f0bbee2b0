import { compileTemplate } from '../../src/template/compile.js';
import type { SipMessage } from '../../src/sip/message.js';
import type { CallKeywordState, CompiledTemplate, RunKeywordValues } from '../../src/template/types.js';

export const PLACE = { file: 'test.xml', line: 10 };

/** Run values of the SIPp runs the expected bytes come from (127.0.0.1, UDP, -p 5098). */
export function runValues(over: Partial<RunKeywordValues> = {}): RunKeywordValues {
  return {
    service: 'service',
    remoteIp: '127.0.0.1',
    remoteHost: '127.0.0.1',
    remotePort: 5099,
    localIp: '127.0.0.1',
    localIpType: '4',
    localPort: 5098,
    transport: 'UDP',
    pid: 8880,
    mediaIp: '127.0.0.1',
    mediaIpType: '4',
    mediaPort: 6000,
    ...over,
  };
}

export function callState(over: Partial<CallKeywordState> = {}): CallKeywordState {
  return {
    callId: '1-8880@127.0.0.1',
    callNumber: 1,
    cseq: 1,
    localPort: 5098,
    localIp: '127.0.0.1',
    stepIndex: 0,
    lastMessage: undefined,
    peerTag: '',
    routes: '',
    nextUrl: '',
    userId: 0,
    clockTick: () => 0,
    wallClockMs: () => 0,
    nextDynamicId: () => 10000,
    variableDouble: () => 0,
    keywordError: (message: string) => {
      throw new Error(`keywordError: ${message}`);
    },
    tdmmapText: () => undefined,
    ...over,
  };
}

/** The templates only read `raw` of the last message (SIPp works on the raw text). */
export function lastMessage(text: string): SipMessage {
  return { raw: Buffer.from(text, 'latin1') } as unknown as SipMessage;
}

export function compile(cdata: string): CompiledTemplate {
  return compileTemplate(cdata, PLACE);
}

/** Compile, bind and render; the result as latin1 text. */
export function render(
  cdata: string,
  call: Partial<CallKeywordState> = {},
  run: Partial<RunKeywordValues> = {},
): string {
  return compile(cdata).bind(runValues(run)).render(callState(call)).toString('latin1');
}

/** The CDATA of each `<send>` of a scenario file, in order. */
export function sendCdata(xml: string): string[] {
  const out: string[] = [];
  const re = /<send[^>]*>\s*<!\[CDATA\[([\s\S]*?)\]\]>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(m[1]!);
  return out;
}

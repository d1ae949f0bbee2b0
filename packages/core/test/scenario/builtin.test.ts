import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinScenarios, loadBuiltinScenario, SIPP_BUILTIN_NAMES } from '../../src/scenario/builtin.js';
import type { RecvStep, SendStep } from '../../src/scenario/types.js';
import { bestCompile, realCompile } from './helpers.js';

const SIPP = '/usr/bin/sipp';

describe('built-in scenarios', () => {
  it('has the texts of uac, uas, regexp, the 3PCC four, branchc and branchs, our invite_media_scale, and every SIPp built-in name', () => {
    expect(Object.keys(builtinScenarios)).toEqual([
      'uac', 'uas', 'regexp', '3pcc-C-A', '3pcc-C-B', '3pcc-A', '3pcc-B', 'branchc', 'branchs', 'invite_media_scale',
    ]);
    expect(SIPP_BUILTIN_NAMES).toEqual([
      'uac', 'uas', 'regexp', '3pcc-C-A', '3pcc-C-B', '3pcc-A', '3pcc-B', 'branchc', 'branchs', 'uac_pcap',
      'ooc_default', 'ooc_dummy',
    ]);
    expect(builtinScenarios.uac!.startsWith('<?xml version="1.0" encoding="ISO-8859-1" ?>\n')).toBe(true);
    expect(builtinScenarios.uac!.endsWith('</scenario>\n\n')).toBe(true);
  });

  it.skipIf(!existsSync(SIPP))('are byte for byte what `sipp -sd` prints', () => {
    for (const name of Object.keys(builtinScenarios).filter((n) => SIPP_BUILTIN_NAMES.includes(n))) {
      let out: Buffer;
      try {
        out = execFileSync(SIPP, ['-sd', name], { stdio: ['ignore', 'pipe', 'ignore'] });
      } catch (e) {
        // -sd exits 99 after printing.
        const err = e as { status: number; stdout: Buffer };
        expect(err.status).toBe(99);
        out = err.stdout;
      }
      expect(builtinScenarios[name]).toBe(out.toString('latin1'));
    }
  });

  it(`loads uac into the expected steps (${realCompile ? 'real' : 'fake'} template compiler)`, () => {
    const s = loadBuiltinScenario('uac', bestCompile);
    expect(s.name).toBe('Basic Sipstone UAC');
    expect(s.file).toBe('builtin:uac');
    expect(s.startsWithRecv).toBe(false);
    expect(s.steps.map((x) => x.kind)).toEqual(['send', 'recv', 'recv', 'recv', 'recv', 'send', 'pause', 'send', 'recv']);
    expect(s.steps.map((x) => x.place.line)).toEqual([25, 51, 55, 58, 64, 69, 88, 91, 108]);
    const [invite, r100, r180, r183, r200, ack, pause, bye, r200bye] = s.steps;
    expect(invite as SendStep).toMatchObject({ isRequest: true, method: 'INVITE', retrans: 500, crlf: false });
    expect(r100 as RecvStep).toMatchObject({ response: 100, optional: true });
    expect(r180 as RecvStep).toMatchObject({ response: 180, optional: true });
    expect(r183 as RecvStep).toMatchObject({ response: 183, optional: true });
    expect(r200 as RecvStep).toMatchObject({ response: 200, optional: false, rtd: ['1'], rrs: false });
    expect(ack as SendStep).toMatchObject({ method: 'ACK' });
    expect((ack as SendStep).retrans).toBeUndefined();
    expect(pause).toMatchObject({ kind: 'pause' });
    expect(pause).not.toHaveProperty('milliseconds');
    expect(bye as SendStep).toMatchObject({ method: 'BYE', retrans: 500 });
    expect(r200bye as RecvStep).toMatchObject({ response: 200, crlf: true });
    expect(s.rtdNames).toEqual(['1']);
    expect(s.labels.size).toBe(0);
    expect(s.responseTimeRepartition).toEqual([10, 20, 30, 40, 50, 100, 150, 200]);
    expect(s.callLengthRepartition).toEqual([10, 50, 100, 500, 1000, 5000, 10000]);
  });

  it('loads uas into the expected steps', () => {
    const s = loadBuiltinScenario('uas', bestCompile);
    expect(s.name).toBe('Basic UAS responder');
    expect(s.file).toBe('builtin:uas');
    expect(s.startsWithRecv).toBe(true);
    expect(s.steps.map((x) => x.kind)).toEqual(['recv', 'send', 'send', 'recv', 'recv', 'send', 'timewait']);
    expect(s.steps.map((x) => x.place.line)).toEqual([29, 43, 58, 82, 88, 91, 108]);
    const [invite, ringing, ok, ack, bye, okBye, timewait] = s.steps;
    expect(invite as RecvStep).toMatchObject({ request: 'INVITE', crlf: true, optional: false });
    expect(ringing as SendStep).toMatchObject({ isRequest: false, statusCode: 180 });
    expect(ok as SendStep).toMatchObject({ isRequest: false, statusCode: 200, retrans: 500 });
    expect(ack as RecvStep).toMatchObject({ request: 'ACK', optional: true, rtd: ['1'], crlf: true });
    expect(bye as RecvStep).toMatchObject({ request: 'BYE', optional: false });
    expect(okBye as SendStep).toMatchObject({ statusCode: 200 });
    expect((okBye as SendStep).retrans).toBeUndefined();
    expect(timewait).toMatchObject({ kind: 'timewait', milliseconds: 4000 });
    expect(s.rtdNames).toEqual(['1']);
  });

  it('refuses the SIPp built-ins it cannot run yet, and unknown names', () => {
    expect(() => loadBuiltinScenario('uac_pcap', bestCompile)).toThrow("built-in scenario 'uac_pcap' is not supported yet");
    expect(() => loadBuiltinScenario('ooc_dummy', bestCompile)).toThrow("built-in scenario 'ooc_dummy' is not supported yet");
    expect(() => loadBuiltinScenario('nope', bestCompile)).toThrow("Invalid default scenario name 'nope'");
    expect(() => loadBuiltinScenario('toString', bestCompile)).toThrow("Invalid default scenario name 'toString'");
  });
});

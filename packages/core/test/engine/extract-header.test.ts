import { describe, expect, it } from 'vitest';
import { extractHeader } from '../../src/engine/actions.js';
import { VariableValue } from '../../src/scenario/variables.js';

const MSG = 'INVITE sip:x SIP/2.0\r\nVia: a\r\nvia: b\r\nX-Via: c\r\nContact: <sip:u@h>\r\n\r\nbody Via: d';

describe("extractHeader (SIPp's extractSubMessage for ereg search_in=\"hdr\")", () => {
  it('returns the rest of the line after the name, by occurrence, case-sensitive by default', () => {
    expect(extractHeader(MSG, 'Contact:', false, 1, false)).toBe(' <sip:u@h>');
    expect(extractHeader(MSG, 'Via:', false, 1, false)).toBe(' a');
    // Without start_line, the name is found anywhere: X-Via: counts, and so does the body.
    expect(extractHeader(MSG, 'Via:', false, 2, false)).toBe(' c');
    expect(extractHeader(MSG, 'Via:', false, 3, false)).toBe(' d');
    expect(extractHeader(MSG, 'Via:', false, 4, false)).toBe('');
  });

  it('case_indep finds any case; start_line only at the start of a line', () => {
    expect(extractHeader(MSG, 'Via:', true, 2, false)).toBe(' b');
    expect(extractHeader(MSG, 'Via:', true, 2, true)).toBe(' b');
    expect(extractHeader(MSG, 'Via:', true, 3, true)).toBe('');
    expect(extractHeader(MSG, 'Missing:', false, 1, false)).toBe('');
  });
});

describe('VariableValue (SIPp CCallVariable)', () => {
  it('renders as SIPp: %lf doubles, nothing for 0 or unset, true/false, text for strings and matches', () => {
    const v = new VariableValue();
    expect(v.render()).toBe('');
    v.setDouble(3);
    expect(v.render()).toBe('3.000000');
    v.setDouble(0);
    expect(v.render()).toBe('');
    v.setDouble(-0.5);
    expect(v.render()).toBe('-0.500000');
    v.setBool(false);
    expect(v.render()).toBe('false');
    v.setBool(true);
    expect(v.render()).toBe('true');
    v.setString('');
    expect(v.isSet()).toBe(true);
    v.setMatch('42');
    expect([v.render(), v.getString(), v.getDouble(), v.toDouble()]).toEqual(['42', '42', 0, 42]);
    v.setString('4x');
    expect(v.toDouble()).toBeUndefined();
  });
});

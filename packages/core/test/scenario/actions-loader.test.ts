import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.js';
import { loadScenario } from '../../src/scenario/loader.js';
import type { EregAction, TestAction } from '../../src/scenario/actions.js';

const load = (xml: string) => loadScenario(xml, 't.xml');

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error('expected a ScenarioError');
}

/** Line 1 is `<scenario>`, lines 2-3 a send using [$v] on line 3, then `body` from line 4. */
function doc(...body: string[]): string {
  return [
    '<scenario name="t">',
    '<send><![CDATA[OPTIONS sip:x@y SIP/2.0\nX: [$v]]]></send>',
    ...body,
    '</scenario>',
  ].join('\n');
}

const recvWith = (action: string) => `<recv response="200"><action>${action}</action></recv>`;

describe('variables at load time (SIPp\'s rules)', () => {
  it('gives each name one slot, in order of first use, with its scope', () => {
    const s = load(doc('<Global variables="g"/>', recvWith('<assign assign_to="v" value="1"/><add assign_to="g" value="1"/>')));
    expect(s.variables.map((v) => [v.name, v.scope, v.references])).toEqual([
      ['v', 'call', 2],
      ['g', 'global', 2],
    ]);
    expect(s.steps[1]!.actions.map((a) => a.kind)).toEqual(['assign', 'add']);
  });

  it('refuses a variable referenced only once, naming it and the line of its use', () => {
    expect(errorOf(() => load(doc(recvWith('<assign assign_to="v" value="1"/><assign assign_to="once" value="1"/>'))))).toBe(
      't.xml:4: Variable $once is referenced 1 times!',
    );
    expect(errorOf(() => load(doc()))).toBe('t.xml:3: Variable $v is referenced 1 times!');
  });

  it('lets `_` and <Reference> variables be used once', () => {
    expect(() => load(doc(recvWith('<assign assign_to="v" value="1"/><ereg regexp="a(b)" assign_to="_,w"/>'), '<Reference variables="w"/>'))).not.toThrow();
  });

  it('refuses names with $ or , and empty names', () => {
    expect(errorOf(() => load(doc(recvWith('<assign assign_to="a$b" value="1"/>'))))).toBe(
      't.xml:4: Variable names may not contain $ or , for assign_to',
    );
    expect(errorOf(() => load(doc('<nop test=""/>')))).toBe('t.xml:4: Variable names may not be empty for test runtime variable');
  });

  it('reads test, chance and condexec on any message', () => {
    const s = load(doc(recvWith('<assign assign_to="v" value="1"/>'), '<nop test="v" chance="0.25" condexec="v" condexec_inverse="true" next="l"/>', '<label id="l"/>', '<nop/>'));
    expect(s.steps[2]).toMatchObject({ test: 0, chance: 0.25, condexec: 0, condexecInverse: true, next: 3 });
    expect(errorOf(() => load(doc(recvWith('<assign assign_to="v" value="1"/>'), '<nop chance="2"/>')))).toBe(
      't.xml:5: Chance values must be between 0 and 1!',
    );
  });
});

describe('actions at load time', () => {
  it('reads ereg with its search place, checks and sub-match variables', () => {
    const s = load(doc(recvWith('<ereg regexp="X: (.*)" search_in="hdr" header="Contact:" occurrence="2" case_indep="true" check_it="true" assign_to="v,a,b"/>'), '<Reference variables="a,b"/>'));
    const ereg = s.steps[1]!.actions[0] as EregAction;
    expect(ereg).toMatchObject({ searchIn: 'hdr', header: 'Contact:', occurrence: 2, checkIt: true, checkItInverse: false, assignTo: 0, subAssignTo: [1, 2] });
    expect(ereg.regexp.flags).toBe('is');
  });

  it.each([
    ['<ereg regexp="x" search_in="hdr" assign_to="v"/>', 'search_in="hdr" requires header field'],
    ['<ereg regexp="x" search_in="nowhere" assign_to="v"/>', 'Unknown search_in value nowhere'],
    ['<ereg regexp="x" check_it="true" check_it_inverse="true" assign_to="v"/>', 'Can not have both check_it and check_it_inverse for ereg!'],
    ['<ereg regexp="x"/>', 'assign_to value is missing'],
    ['<ereg regexp="(" assign_to="v"/>', 'Invalid regular expression "("'],
    ['<assign assign_to="v"/>', 'No value or variable defined for assign action!'],
    ['<assign assign_to="v" value="1" variable="v"/>', 'Value and variable are mutually exclusive for assign action!'],
    ['<divide assign_to="v" value="0"/>', 'divide actions can not have a value of zero!'],
    ['<assign assign_to="v" value="x1"/>', 'assign \'value\' parameter, "x1" is not a floating point number!'],
    ['<gettimeofday assign_to="v"/>', 'The gettimeofday action requires two output variables!'],
    ['<test assign_to="v" variable="v" value="1" compare="bigger"/>', "Invalid 'compare' parameter: bigger"],
    ['<test assign_to="v" variable="v" value="1" variable2="v" compare="equal"/>', 'Can not have both a value and a variable2 for test!'],
    ['<exec int_cmd="explode"/>', 'Invalid int_cmd: explode'],
    ['<exec/>', 'Unknown command for exec!'],
    ['<log/>', "log is missing the required 'message' parameter."],
    ['<log message="[bogus]"/>', 'unsupported keyword "[bogus]"'],
  ])('%s', (action, message) => {
    expect(errorOf(() => load(doc(recvWith(`<assign assign_to="v" value="1"/>${action}`))))).toContain(`t.xml:4: ${message}`);
  });

  it('test and strcmp may leave assign_to out when they only check', () => {
    const s = load(doc(recvWith('<assign assign_to="v" value="1"/><test variable="v" value="1" compare="equal" check_it="true"/>')));
    const test = s.steps[1]!.actions[1] as TestAction;
    expect(test.assignTo).toBeUndefined();
    expect(test.checkIt).toBe(true);
  });
});

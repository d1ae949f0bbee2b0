// SIPp 3.6.1's screens 4 (variables) and 5 (TDM map), which core's screen.ts does not draw.
// Each function returns the lines without the footer (the caller adds it, as SIPp's get_lines).
import type { Scenario, TdmMap } from '@gossipper/core';

type Action = Scenario['steps'][number]['actions'][number];

const VARIABLES_TITLE = '----------------------------- Variables Screen -------- [1-9]: Change Screen --';
const TDM_TITLE = '------------------------------ TDM map Screen --------- [1-9]: Change Screen --';

/**
 * One action as a line of the variables screen (CAction::printInfo). `ereg` is SIPp's text
 * (`Type[1] - regexp[...] where[...] - checkIt[n] - checkItInverse[n] - $var`, checked against
 * the binary); for the others SIPp prints `Type[<its enum number>] - ...`, we print the
 * action's element name and the variable it sets.
 */
function describeAction(action: Action, scenario: Scenario): string {
  const name = (slot: number | undefined): string => (slot === undefined ? '' : (scenario.variables[slot]?.name ?? ''));
  switch (action.kind) {
    case 'ereg':
      return (
        `Type[1] - regexp[${action.source}] where[${action.searchIn === 'hdr' ? `Header-${action.header ?? ''}` : 'Full Msg'}]` +
        ` - checkIt[${action.checkIt ? 1 : 0}] - checkItInverse[${action.checkItInverse ? 1 : 0}] - $${name(action.assignTo)}`
      );
    default: {
      const target = 'assignTo' in action && typeof action.assignTo === 'number' ? ` varId[${name(action.assignTo)}]` : '';
      return `${action.kind}${target}`;
    }
  }
}

/** SIPp's "Variables Screen" (key 4): the actions defined on each message, then blank lines. */
export function variablesScreenLines(scenario: Scenario): string[] {
  const lines = [VARIABLES_TITLE, 'Action defined Per Message :'];
  let found = false;
  scenario.steps.forEach((step, i) => {
    if (step.actions.length === 0) return;
    lines.push(
      (step.kind === 'recv'
        ? `=> Message[${i}] (Receive Message) - [${step.actions.length}] action(s) defined :`
        : `=> Message[${i}] - [${step.actions.length}] action(s) defined :`
      ).slice(0, 79),
    );
    step.actions.forEach((action, j) => {
      lines.push(`   --> action[${j}] = ${describeAction(action, scenario)}`.slice(0, 79));
      found = true;
    });
  });
  if (!found) lines.push('=> No action found on any messages');
  lines.push('');
  // SIPp: for (i = 0; i < messages + 6 - lines.size(); i++) push "" (lines grows as i does).
  for (let i = 0; i < scenario.steps.length + 6 - lines.length; i++) lines.push('');
  return lines;
}

/** SIPp's "TDM map Screen" (key 5, with -tdmmap): `*` a circuit in use, `.` a free one. */
export function tdmScreenLines(map: TdmMap, stepCount: number): string[] {
  const { a, b, c } = map.spec;
  const height = (a + 1) * (b + 1);
  const width = c + 1;
  const total = height * width;
  const lines = [TDM_TITLE, 'TDM Circuits in use:'];
  let row = '';
  let inUse = 0;
  for (let i = 0; i < total; i++) {
    const busy = map.busyAt(i);
    if (busy) inUse++;
    if (row.length < 79) row += busy ? '*' : '.';
    else row = row.slice(0, 79) + (busy ? '*' : '.');
    if (i % width === width - 1) {
      lines.push(row);
      row = '';
    }
  }
  lines.push('');
  lines.push(`${inUse}/${total} circuits (${Math.trunc((100 * inUse) / total)}%) in use`);
  for (let i = 0; i < stepCount + 8 - height; i++) lines.push('');
  return lines;
}

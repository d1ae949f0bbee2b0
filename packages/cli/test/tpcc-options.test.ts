import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/options.js';
import type { ParsedCommand, RunOptions } from '../src/options.js';
import { helpText, unsupportedSippFlags } from '../src/help.js';

function run(...argv: string[]): RunOptions {
  const result = parseCommandLine(argv);
  if (result.kind !== 'run') throw new Error(`expected run, got ${JSON.stringify(result)}`);
  return result.options;
}

function fails(...argv: string[]): Extract<ParsedCommand, { kind: 'error' }> {
  const result = parseCommandLine(argv);
  if (result.kind !== 'error') throw new Error(`expected error, got ${JSON.stringify(result)}`);
  expect(result.exitCode).toBe(1);
  return result;
}

describe('3PCC options', () => {
  it('-3pcc ip:port (port 6060 when absent), -master/-slave NAME, -slave_cfg FILE', () => {
    expect(run('-sn', '3pcc-C-A', '127.0.0.1', '-3pcc', '127.0.0.1:13510')).toMatchObject({ twinHost: '127.0.0.1', twinPort: 13510 });
    expect(run('-sn', '3pcc-C-B', '-3pcc', '127.0.0.1')).toMatchObject({ twinHost: '127.0.0.1', twinPort: 6060 });
    expect(run('-sf', 'm.xml', '-master', 'm', '-slave_cfg', 'peers.cfg')).toMatchObject({ master: 'm', slaveCfg: 'peers.cfg' });
    expect(run('-sf', 's.xml', '-slave', 's1', '-slave_cfg', 'peers.cfg')).toMatchObject({ slave: 's1', slaveCfg: 'peers.cfg' });
  });

  it("refuses SIPp's incompatible pairs, as SIPp does (the later option sees the earlier)", () => {
    expect(fails('-master', 'm', '-slave', 's1').message).toContain('-slave and -master options are not compatible');
    expect(fails('-3pcc', 'h:1', '-slave_cfg', 'f').message).toContain('-slave_cfg and -3pcc options are not compatible');
    expect(fails('-slave_cfg', 'f', '-3pcc', 'h:1').message).toContain('-3pcc and -slave_cfg options are not compatible');
    expect(fails('-3pcc', 'h:1', '-master', 'm').message).toContain('-master and -slave options are not compatible with -3PCC option');
    expect(fails('-slave', 's', '-3pcc', 'h:1').message).toContain('-3PCC option is not compatible with -master and -slave options');
  });

  it('are listed in the help, no longer as "not supported yet"', () => {
    for (const flag of ['3pcc', 'master', 'slave', 'slave_cfg']) expect(unsupportedSippFlags()).not.toContain(flag);
    expect(helpText()).toContain('*** Third-party call control (3PCC) options:');
  });
});

import 'reflect-metadata';
import { helpHint, helpStatsText, helpText, versionText } from './help.js';
import { parseCommandLine } from './options.js';
import { builtinScenarios, SIPP_BUILTIN_NAMES } from '@gossipper/core';
import { runScenario } from './run.js';
import { runDemo } from './demo.js';
import { ExitCode } from './exit-codes.js';

/** The whole command: parse, run, and return SIPp's exit code. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const command = parseCommandLine(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(command.topic === 'stat' ? helpStatsText() : helpText());
      return ExitCode.Other;
    case 'version':
      process.stdout.write(versionText());
      return ExitCode.Other;
    case 'dump-scenario': {
      const xml = builtinScenarios[command.name];
      if (xml === undefined) {
        process.stderr.write(`gossipper: ${unknownBuiltinMessage(command.name)}\n`);
        return ExitCode.Failed;
      }
      process.stdout.write(xml);
      return ExitCode.Other;
    }
    case 'error':
      process.stderr.write(`gossipper: ${command.message}\n`);
      if (command.showHelp) process.stderr.write(helpHint());
      return command.exitCode;
    case 'run':
      return runScenario(command.options);
    case 'demo':
      return runDemo(command.options);
  }
}

export function unknownBuiltinMessage(name: string): string {
  const known = Object.keys(builtinScenarios);
  if (SIPP_BUILTIN_NAMES.includes(name)) {
    return `built-in scenario "${name}" is not supported yet (available: ${known.join(', ')})`;
  }
  return `unknown built-in scenario "${name}" (available: ${known.join(', ')})`;
}

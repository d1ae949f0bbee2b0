import { loadBuiltinScenario } from '@gossipper/core';
import type { RunOptions } from './options.js';
import { driveRun, setUpRun } from './run.js';
import { ExitCode } from './exit-codes.js';

/**
 * `gossipper demo`: the built-in uac against an embedded built-in uas on 127.0.0.1, in one
 * process. The UAC's statistics are shown as SIPp shows them; the UAS stops with the UAC.
 */
export async function runDemo(options: RunOptions): Promise<number> {
  const serverOptions: RunOptions = {
    ...options,
    localIp: '127.0.0.1',
    localPort: 0,
    traceStat: false,
    traceMsg: false,
    // The trace files are the UAC's (a -*_file name would otherwise be written twice).
    traceErr: false,
    traceScreen: false,
    traceCounts: false,
    traceRtt: false,
    traceShortMsg: false,
    traceErrorCodes: false,
    traceLogs: false,
    traceCalldebug: false,
    summaryJson: undefined,
    timeoutMs: undefined,
    maxCalls: undefined,
    remoteHost: undefined,
    rsaHost: undefined,
    ipv6: false,
  };
  const server = await setUpRun(serverOptions, { scenario: loadBuiltinScenario('uas'), fileStem: 'uas' }, process.pid, true);
  const serverLocal = await server.engine.open();
  server.engine.start();
  const clientOptions: RunOptions = {
    ...options,
    scenarioName: 'uac',
    scenarioFile: undefined,
    localIp: '127.0.0.1',
    remoteHost: '127.0.0.1',
    remotePort: serverLocal.port,
    ipv6: false,
    maxCalls: options.maxCalls ?? 1000,
  };
  try {
    const client = await setUpRun(clientOptions, { scenario: loadBuiltinScenario('uac'), fileStem: 'uac' }, process.pid);
    await client.engine.open();
    return await driveRun(client, clientOptions);
  } catch (error) {
    process.stderr.write(`gossipper demo: ${(error as Error).message}\n`);
    return ExitCode.Fatal;
  } finally {
    server.engine.stop('completed');
    await server.close();
  }
}

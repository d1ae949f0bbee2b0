/**
 * 3PCC at start-up: the run's role (SIPp's computeSippMode), the -slave_cfg addresses and the
 * TCP twin channel, connected or listening before the first call.
 */
import { readFileSync } from 'node:fs';
import { parseSlaveCfg, thirdPartyRole, ThirdPartyError } from '@gossipper/core';
import type { Endpoint, Engine, Scenario, ThirdPartyRole } from '@gossipper/core';
import { TcpTwinChannel } from '@gossipper/adapter-udp';
import { splitHostPort } from './options.js';
import type { RunOptions } from './options.js';
import { ExitCode } from './exit-codes.js';
import { CliError } from './run.js';

export interface TwinSetup {
  role: ThirdPartyRole;
  channel: TcpTwinChannel;
}

/** The role and its channel, started; undefined for a scenario without twin commands. */
export async function setUpTwin(options: RunOptions, scenario: Scenario): Promise<TwinSetup | undefined> {
  const extended = options.slaveCfg !== undefined || options.master !== undefined || options.slave !== undefined;
  let role: ThirdPartyRole | undefined;
  try {
    role = thirdPartyRole(scenario, {
      ...(options.twinHost !== undefined ? { twinAddress: `${options.twinHost}:${options.twinPort ?? 6060}` } : {}),
      ...(options.master !== undefined ? { master: options.master } : {}),
      ...(options.slave !== undefined ? { slave: options.slave } : {}),
      extended,
    });
  } catch (error) {
    if (error instanceof ThirdPartyError) throw new CliError(error.message, ExitCode.Fatal);
    throw error;
  }
  if (role === undefined) return undefined;

  let channel: TcpTwinChannel;
  const onNotice = (text: string) => process.stderr.write(`gossipper: ${text}\n`);
  if (options.twinHost !== undefined) {
    channel = new TcpTwinChannel({ role, twin: { address: options.twinHost, port: options.twinPort ?? 6060 }, onNotice });
  } else {
    if (options.slaveCfg === undefined) throw new CliError('3PCC extended mode needs -slave_cfg FILE', ExitCode.Fatal);
    let text: string;
    try {
      text = readFileSync(options.slaveCfg, 'latin1');
    } catch {
      throw new CliError(`Can not open -slave_cfg file ${options.slaveCfg}`, ExitCode.Fatal);
    }
    const addresses = parseSlaveCfg(text);
    const endpointOf = (name: string): Endpoint => {
      const address = addresses.get(name);
      if (address === undefined) throw new CliError(`get_peer_addr: Peer ${name} not found`, ExitCode.Fatal);
      try {
        const { host, port } = splitHostPort(`-slave_cfg ${name}`, address);
        return { address: host, port: port ?? 6060 };
      } catch (error) {
        throw new CliError((error as Error).message, ExitCode.Fatal);
      }
    };
    const self = role === 'slave' ? options.slave! : options.master!;
    const peers = new Map<string, Endpoint>();
    for (const name of scenario.thirdParty?.peers ?? []) peers.set(name, endpointOf(name));
    channel = new TcpTwinChannel({ role, listen: endpointOf(self), peers, onNotice });
  }
  try {
    await channel.start();
  } catch (error) {
    await channel.close();
    throw new CliError((error as Error).message, ExitCode.Fatal);
  }
  return { role, channel };
}

/**
 * SIPp when a twin connection closes: a controller B ("3PCC controller A has ended ->
 * exiting") and every extended-mode instance ("One of the twin instances has ended ->
 * exiting") stop at once, open calls aborted; a controller A stops making calls and lets the
 * open ones end.
 */
export function stopWhenTwinEnds(twin: TwinSetup | undefined, engine: Engine): void {
  if (twin === undefined) return;
  twin.channel.onClosed(() => {
    if (twin.role === 'controller-a' || twin.role === 'a-passive') {
      engine.stopNewCalls();
      return;
    }
    const text = twin.role === 'controller-b' ? '3PCC controller A has ended -> exiting' : 'One of the twin instances has ended -> exiting';
    process.stderr.write(`gossipper: ${text}\n`);
    // Finish the SIP exchanges in flight (a BYE and its 200), so the far end is not left
    // with an open call; calls still waiting for a command from the twin are cut after a
    // short grace. With no call open this exits at once, as SIPp does.
    engine.stopNewCalls();
    setTimeout(() => engine.stop('completed'), TWIN_GONE_GRACE_MS).unref();
  });
}

/** How long calls may go on after the twin went away. */
const TWIN_GONE_GRACE_MS = 5_000;

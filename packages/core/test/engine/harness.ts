import {
  Engine,
  ENGINE_DEFAULTS,
  loadBuiltinScenario,
  loadScenario,
  MemoryNetwork,
  MemoryTransport,
  RunStats,
  VirtualScheduler,
} from '../../src/index.js';
import type { EngineConfig, EngineEvent, InjectionSet, MediaPort, Scenario } from '../../src/index.js';

export function scenarioOf(nameOrXml: string): Scenario {
  return nameOrXml.trimStart().startsWith('<') ? loadScenario(nameOrXml, 'test.xml') : loadBuiltinScenario(nameOrXml);
}

export function configFor(overrides: Partial<EngineConfig> & { port: number; remotePort?: number }): EngineConfig {
  const { port, remotePort, ...rest } = overrides;
  return {
    ...ENGINE_DEFAULTS,
    remote: remotePort !== undefined ? { address: '127.0.0.1', port: remotePort } : undefined,
    transportOptions: { bindAddress: '127.0.0.1', port, portExplicit: true, family: 4, bufferSize: 0 },
    keywords: {
      service: 'service',
      remoteIp: '127.0.0.1',
      remoteHost: '127.0.0.1',
      remotePort: remotePort ?? 0,
      localIp: '127.0.0.1',
      localIpType: '4',
      transport: 'UDP',
      pid: 4242,
      mediaIp: '127.0.0.1',
      mediaIpType: '4',
      mediaPort: 6000,
    },
    ...rest,
  };
}

export interface Side {
  engine: Engine;
  stats: RunStats;
  transport: MemoryTransport;
  events: EngineEvent[];
}

/** An engine on the in-memory network, with its stats and every event it emitted. */
export async function side(
  network: MemoryNetwork,
  scenario: Scenario,
  config: EngineConfig,
  socketPerCall = false,
  connectionOriented = false,
  media?: MediaPort,
  /** `sourceAddresses`: a -t ui transport; `injection`: the run's -inf files. */
  more: { sourceAddresses?: readonly string[]; injection?: InjectionSet } = {},
): Promise<Side> {
  const transport = new MemoryTransport(network, socketPerCall, connectionOriented, more.sourceAddresses);
  const stats = new RunStats(scenario, network.scheduler);
  const events: EngineEvent[] = [];
  const engine = new Engine(scenario, config, {
    transport,
    scheduler: network.scheduler,
    stats,
    events: { emit: (e) => events.push(e) },
    random: () => 0.5,
    ...(media !== undefined ? { media } : {}),
    ...(more.injection !== undefined ? { injection: more.injection } : {}),
  });
  await engine.open();
  return { engine, stats, transport, events };
}

export function newNetwork(latencyMs = 1): { scheduler: VirtualScheduler; network: MemoryNetwork } {
  const scheduler = new VirtualScheduler();
  return { scheduler, network: new MemoryNetwork(scheduler, latencyMs) };
}

export function sentStartLines(events: EngineEvent[]): string[] {
  return events
    .filter((e): e is Extract<EngineEvent, { kind: 'message-sent' }> => e.kind === 'message-sent')
    .map((e) => e.data.toString('latin1').split('\r\n', 1)[0]!);
}

/**
 * A `<send>` of an in-dialog-style request as the test scenarios write it: `attrs` go on the
 * element (`retrans="500"`, `start_txn="a"`), `headers` before Content-Length, and once the
 * peer's tag is known the To carries it.
 */
export function requestSend(method: string, cseq: number, options: { attrs?: string; headers?: string } = {}): string {
  const attrs = options.attrs === undefined ? '' : ` ${options.attrs}`;
  const headers = options.headers === undefined ? '' : `\n      ${options.headers}`;
  return `<send${attrs}>
    <![CDATA[
      ${method} sip:x@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:a@[local_ip]>;tag=[call_number]
      To: <sip:x@[remote_ip]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${cseq} ${method}${headers}
      Content-Length: 0

    ]]>
  </send>`;
}

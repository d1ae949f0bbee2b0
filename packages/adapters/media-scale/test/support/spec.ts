import type { MediaStreamSpec } from '@gossipper/core';

/** A PCMU 20 ms silence stream from 127.0.0.1 (any port) to 127.0.0.1:`remotePort`, endless. */
export function pcmuSpec(remotePort: number, overrides: Partial<MediaStreamSpec> = {}): MediaStreamSpec {
  return {
    remoteHost: '127.0.0.1',
    remotePort,
    localHost: '127.0.0.1',
    localPort: 0,
    codec: 'PCMU',
    payloadType: 0,
    clockRate: 8000,
    ptimeMs: 20,
    pattern: 'silence',
    durationMs: 0,
    startDelayMs: 0,
    ...overrides,
  };
}

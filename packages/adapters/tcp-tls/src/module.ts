import { ContainerModule } from 'inversify';
import { TRANSPORT } from '@gossipper/core';
import type { Transport } from '@gossipper/core';
import { StreamTransport, type StreamTransportOptions } from './stream-transport.js';

/**
 * Binds `TRANSPORT` to one (singleton) StreamTransport. For composition roots:
 * `container.load(streamTransportModule({ mode: 't1' }))`.
 */
export function streamTransportModule(options: StreamTransportOptions): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<Transport>(TRANSPORT)
      .toDynamicValue(() => new StreamTransport(options))
      .inSingletonScope();
  });
}

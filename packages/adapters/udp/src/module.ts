import { ContainerModule } from 'inversify';
import { TRANSPORT } from '@gossipper/core';
import type { Transport, UdpMode } from '@gossipper/core';
import { UdpTransport, type UdpTransportOptions } from './udp-transport.js';

/**
 * Binds `TRANSPORT` to one (singleton) UdpTransport in the given mode. For composition roots:
 * `await container.load(udpTransportModule('un'))`.
 */
export function udpTransportModule(
  mode: UdpMode,
  options: Omit<UdpTransportOptions, 'mode'> = {},
): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<Transport>(TRANSPORT)
      .toDynamicValue(() => new UdpTransport({ ...options, mode }))
      .inSingletonScope();
  });
}

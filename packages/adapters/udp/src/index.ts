export {
  UdpTransport,
  udpModeFromSippFlag,
  DEFAULT_SEARCH_PORTS,
  type UdpTransportOptions,
  type UdpFlushMode,
  type UdpBufferSizes,
} from './udp-transport.js';
export { udpTransportModule } from './module.js';
export { TcpTwinChannel, type TcpTwinOptions } from './twin-tcp.js';

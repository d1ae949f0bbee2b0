export {
  StreamTransport,
  errorReason,
  type StreamTransportOptions,
  type TlsSettings,
} from './stream-transport.js';
export { loadTlsFiles, tlsVersionOf, TlsConfigError, type TlsFileOptions } from './tls-files.js';
export { streamTransportModule } from './module.js';

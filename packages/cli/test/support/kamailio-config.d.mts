export const DEFAULT_KAMAILIO_PATH: string;
export const KAMAILIO_MODULES: string;

export interface KamailioPorts {
  udp: number;
  tcp: number;
  tls: number;
  /** WebSocket (HTTP upgrade on a TCP listener). */
  ws: number;
  /** Secure WebSocket (HTTP upgrade on a TLS listener). */
  wss: number;
}

export interface KamailioConfig {
  ports: KamailioPorts;
  /** PEM files of the certificate Kamailio presents on its TLS and WSS listeners. */
  cert: string;
  key: string;
  /** Where requests from UDP go: our side (not with `registrar`). */
  inner?: { port: number; transport: 'tcp' | 'tls' | 'ws' | 'wss' };
  /**
   * A registrar instead of `inner` and `outer`: REGISTER is saved (with its source address, for
   * browser phones over WebSocket) and every other request goes to the user the Request-URI
   * names, whatever transport it came over.
   */
  registrar?: boolean;
  /** Where requests from every other transport go: SIPp over UDP (the default), or our UAS (not with `registrar`). */
  outer?: { port: number; transport?: 'udp' | 'tls' };
  /** Kamailio's log level (2: info, the default; 1: notices only). */
  debug?: number;
  /** UDP worker processes (2 by default). */
  children?: number;
  /** TCP/TLS/WebSocket worker processes (1 by default: see kamailio-config.mjs). */
  tcpChildren?: number;
  /** Shared memory in MB (Kamailio's default: 64). */
  sharedMemoryMb?: number;
}

/** Writes kamailio.cfg and tls.cfg into `dir`; returns kamailio's argv (without the binary). */
export function writeKamailioConfig(dir: string, options: KamailioConfig): string[];

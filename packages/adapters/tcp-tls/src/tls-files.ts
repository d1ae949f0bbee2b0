import { readFileSync } from 'node:fs';
import type { SecureVersion } from 'node:tls';
import type { TlsSettings } from './stream-transport.js';

/** A TLS flag that cannot be used: the message names the flag and the file or value. */
export class TlsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsConfigError';
  }
}

export interface TlsFileOptions {
  /** -tls_cert, -tls_key, -tls_ca, -tls_crl: PEM files. */
  certFile?: string;
  keyFile?: string;
  caFile?: string;
  crlFile?: string;
  /** -tls_version: 1.0, 1.1, 1.2 or 1.3. */
  version?: string;
  /** -tls_sni. */
  serverName?: string;
  /** -tls_verify. */
  verify?: boolean;
  /** A TLS server (accepts connections): certificate and key are required. */
  server: boolean;
}

function readPem(flag: string, file: string): Buffer {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new TlsConfigError(`${flag}: cannot read "${file}": ${why}`);
  }
  if (!data.includes('-----BEGIN ')) throw new TlsConfigError(`${flag}: "${file}" is not a PEM file (no -----BEGIN line)`);
  return data;
}

const VERSIONS: Readonly<Record<string, SecureVersion>> = {
  '1': 'TLSv1',
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

/** `-tls_version` value to Node's name; throws naming the flag for anything else. */
export function tlsVersionOf(value: string): SecureVersion {
  const version = VERSIONS[value];
  if (version === undefined) throw new TlsConfigError(`-tls_version: expected 1.0, 1.1, 1.2 or 1.3, got "${value}"`);
  return version;
}

/**
 * Reads the TLS files the flags name. Verification is on with -tls_verify or when a CA is
 * given; otherwise off, as in SIPp (the caller prints the warning).
 */
export function loadTlsFiles(options: TlsFileOptions): TlsSettings {
  if (options.server) {
    if (options.certFile === undefined) throw new TlsConfigError('-tls_cert: a TLS server needs a certificate (-tls_cert FILE)');
    if (options.keyFile === undefined) throw new TlsConfigError('-tls_key: a TLS server needs a private key (-tls_key FILE)');
  }
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw new TlsConfigError(
      options.certFile === undefined ? '-tls_cert: -tls_key is given without a certificate' : '-tls_key: -tls_cert is given without a key',
    );
  }
  const settings: TlsSettings = { verify: options.verify === true || options.caFile !== undefined };
  if (options.certFile !== undefined) settings.cert = readPem('-tls_cert', options.certFile);
  if (options.keyFile !== undefined) settings.key = readPem('-tls_key', options.keyFile);
  if (options.caFile !== undefined) settings.ca = readPem('-tls_ca', options.caFile);
  if (options.crlFile !== undefined) settings.crl = readPem('-tls_crl', options.crlFile);
  if (options.version !== undefined) settings.version = tlsVersionOf(options.version);
  if (options.serverName !== undefined) settings.serverName = options.serverName;
  return settings;
}

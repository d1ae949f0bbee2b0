import { createServer as createTcpServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import {
  createServer as createTlsServer,
  connect as tlsConnect,
  type SecureVersion,
  type TLSSocket,
} from 'node:tls';
import { isUtf8 } from 'node:buffer';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { ConnectError, DEFAULT_MAX_BODY_BYTES, formatEndpoint, DEFAULT_MAX_HEADER_BYTES, PortInUseError, SipParseError, StreamFramer, streamModeTraits } from '@gossipper/core';
import type {
  ConnectionEvent,
  ConnectionEventReceiver,
  DatagramReceiver,
  Endpoint,
  StreamMode,
  Transport,
  TransportOpenContext,
  TransportOpenOptions,
} from '@gossipper/core';

/** TLS material and policy, already read from files (see `loadTlsFiles`). */
export interface TlsSettings {
  /** PEM certificate chain and key: required to accept TLS connections, optional for a client. */
  cert?: Buffer;
  key?: Buffer;
  /** PEM CA certificates to verify the peer against (replaces the system store). */
  ca?: Buffer;
  /** PEM certificate revocation list, checked when verifying. */
  crl?: Buffer;
  /** Pin one protocol version (-tls_version 1.2 -> 'TLSv1.2'). */
  version?: SecureVersion;
  /** SNI server name a client sends; default: none for an IP literal (RFC 6066 forbids it). */
  serverName?: string;
  /** Verify the peer's certificate (clients: the server's; servers: ask clients for one). */
  verify: boolean;
}

export interface StreamTransportOptions {
  mode: StreamMode;
  /** Required for `l1`/`ln`/`wss1`/`wssn`. */
  tls?: TlsSettings;
  /** WebSocket modes: the request path a client asks for in its upgrade (-ws_path). Default `/`. */
  websocketPath?: string;
  /** SIPp's port search when `open` gets port 0 without `portExplicit`. Default [5060, 5119]. */
  searchPorts?: readonly [from: number, to: number];
  /** -max_socket: per-call connections open at once; past it calls share them. Default 50000. */
  maxSockets?: number;
  /** -max_reconnect: how many times the shared client connection may be replaced. Default 0. */
  maxReconnect?: number;
  /** -reconnect_sleep: pause before reconnecting, ms. Default 1000 (SIPp's). */
  reconnectSleepMs?: number;
  /** -reconnect_close: the calls on a lost connection fail even when it is replaced. Default true. */
  reconnectClose?: boolean;
  /** Largest header section and body the framer accepts (defaults: 64 KiB and 1 MiB). */
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  /**
   * Bytes queued on one connection (peer not reading) past which `send` fails instead of
   * buffering more (the call fails with cannot-send-message). Default 64 MiB: several seconds
   * of traffic at 20,000 calls/s, so a peer that stalls briefly under load loses nothing.
   */
  maxPendingWriteBytes?: number;
  /**
   * How long opening a connection (TCP connect, then the TLS handshake) may take before it
   * fails with a timeout, so a peer that drops SYNs or never answers a ClientHello does not
   * hang the run. Default 10000 ms.
   */
  connectTimeoutMs?: number;
}

const DEFAULT_SEARCH_PORTS: readonly [number, number] = [5060, 5119];
const DEFAULT_MAX_SOCKETS = 50_000;
const DEFAULT_RECONNECT_SLEEP_MS = 1000;
const DEFAULT_MAX_PENDING_WRITE = 64 * 1024 * 1024;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** How long `close` lets a connection drain its last writes before destroying it. */
const CLOSE_GRACE_MS = 1000;
/**
 * How long `close` waits for a peer to close a connection it opened to us before we close it.
 * The client owns its connection: SIPp as a client fails a call still in a final <pause> when
 * the server closes first, and its timers end a few ms after ours (a 4 s timewait on both
 * sides is a race we would otherwise lose now and then).
 */
const ACCEPTED_LINGER_MS = 500;

type Role = 'main' | 'call' | 'accepted';

interface Connection {
  /** The socket id core sees: 0 for the client's shared connection. */
  readonly id: number;
  /** The TCP or TLS socket (under the WebSocket, in the WebSocket modes). */
  readonly socket: Socket;
  /** WebSocket modes: one SIP message per WebSocket message (RFC 7118), no Content-Length framing. */
  readonly websocket: WebSocket | undefined;
  readonly framer: StreamFramer;
  readonly peer: Endpoint;
  readonly role: Role;
  /** Calls holding a per-call connection (more than one past -max_socket). */
  refs: number;
  /** We closed it (call ended, transport closed): its end is not an event. */
  closedByUs: boolean;
  corked: boolean;
  lastError: NodeJS.ErrnoException | undefined;
}

function endpointOf(address: string | undefined, port: number | undefined): Endpoint {
  return { address: (address ?? '').replace(/^::ffff:/, ''), port: port ?? 0 };
}

/** Short reason for a socket or TLS error: `connection refused (ECONNREFUSED)`. */
export function errorReason(error: unknown): string {
  const e = error as NodeJS.ErrnoException | undefined;
  const code = e?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset by peer (ECONNRESET)';
    case 'EPIPE':
      return 'broken pipe (EPIPE)';
    case 'ETIMEDOUT':
      return 'connection timed out (ETIMEDOUT)';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to host (${code})`;
    default: {
      const message = e?.message ?? String(error);
      return code !== undefined && !message.includes(code) ? `${message} (${code})` : message;
    }
  }
}

/** What a connection runs on: the TCP or TLS socket, and the WebSocket over it in the WebSocket modes. */
interface Link {
  socket: Socket;
  websocket: WebSocket | undefined;
}

function destroyLink(link: Link): void {
  if (link.websocket !== undefined) link.websocket.terminate();
  link.socket.destroy();
}

/** RFC 7118's WebSocket subprotocol. */
const SIP_SUBPROTOCOL = 'sip';

/** Errors that say the network failed rather than the TLS handshake. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EPIPE']);

type TlsServerOptions = NonNullable<Parameters<typeof createTlsServer>[0]>;

/** What a TLS client (plain TLS or WSS) presents and checks: SNI, its certificate, CA, CRL, version, verification. */
function tlsClientOptions(tls: TlsSettings) {
  const serverName = tls.serverName;
  return {
    ...(serverName !== undefined && serverName !== '' ? { servername: serverName } : {}),
    ...(tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : {}),
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.crl !== undefined ? { crl: tls.crl } : {}),
    ...(tls.version !== undefined ? { minVersion: tls.version, maxVersion: tls.version } : {}),
    rejectUnauthorized: tls.verify,
  };
}

/** The options of a TLS listener (plain TLS or WSS): our certificate, and clients verified when a CA is given. */
function tlsServerOptions(tls: TlsSettings): TlsServerOptions {
  const verifyClients = tls.verify && tls.ca !== undefined;
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls.crl !== undefined ? { crl: tls.crl } : {}),
    ...(tls.version !== undefined ? { minVersion: tls.version, maxVersion: tls.version } : {}),
    requestCert: verifyClients,
    rejectUnauthorized: verifyClients,
  };
}

/**
 * SIPp's TCP and TLS transports, and SIP over WebSocket (RFC 7118).
 *
 * - `t1`/`l1` client: one connection to the remote, opened by `open` (socket id 0), shared by
 *   every call; lost, it is replaced up to -max_reconnect times after -reconnect_sleep.
 * - `tn`/`ln` client: `openCallSocket` opens a connection per call (past -max_socket, calls
 *   share the ones open, round robin); the call's end closes it.
 * - Server side (any mode): a listener on the bound port accepts any number of connections;
 *   each gets its own socket id, and replies sent with that id go back on it.
 *
 * Framing is core's StreamFramer (Content-Length); what does not frame is reported as a
 * `stream-error` event and the framer resynchronises. In the WebSocket modes (`w1`, `wn`,
 * `wss1`, `wssn`) each WebSocket message is one SIP message and no framer is used; a server
 * accepts only upgrades offering the `sip` subprotocol. Sends made in one event-loop turn go
 * out in one writev per connection (cork, flushed on setImmediate).
 */
export class StreamTransport implements Transport {
  readonly protocolName: 'TCP' | 'TLS' | 'WS' | 'WSS';
  readonly socketPerCall: boolean;
  readonly connectionOriented = true;
  readonly mode: StreamMode;

  /** Exceptions thrown by the receiver (caught so the connection keeps reading). */
  receiveErrors = 0;
  lastReceiveError: unknown = undefined;
  /** Connections accepted from peers over the run. */
  acceptedConnections = 0;
  /** Connections we opened (main, per call, reconnections) over the run. */
  openedConnections = 0;
  /** Reconnections of the shared client connection done. */
  reconnections = 0;

  private readonly tls: TlsSettings | undefined;
  private readonly websocket: boolean;
  private readonly websocketPath: string;
  private readonly searchFrom: number;
  private readonly searchTo: number;
  private readonly maxSockets: number;
  private reconnectsLeft: number;
  private readonly reconnectSleepMs: number;
  private readonly reconnectClose: boolean;
  private readonly maxHeaderBytes: number | undefined;
  /** WebSocket modes: the largest message accepted; a larger one closes the connection (1009). */
  private readonly maxMessageBytes: number;
  private readonly maxBodyBytes: number | undefined;
  private readonly maxPendingWrite: number;
  private readonly connectTimeoutMs: number;

  private state: 'idle' | 'opening' | 'open' | 'closed' = 'idle';
  private closePromise: Promise<void> | undefined;
  private options: TransportOpenOptions | undefined;
  private receiver: DatagramReceiver | undefined;
  private onEvent: ConnectionEventReceiver | undefined;
  private remote: Endpoint | undefined;
  private server: Server | undefined;
  private local: Endpoint | undefined;
  private readonly connections = new Map<number, Connection>();
  /** Per-call connections, for sharing past -max_socket. */
  private readonly callConnections: Connection[] = [];
  private shareCursor = 0;
  private nextId = 1;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly corked: Connection[] = [];
  private flushScheduled = false;
  private readonly flushBound = (): void => this.flush();

  constructor(options: StreamTransportOptions) {
    this.mode = options.mode;
    const traits = streamModeTraits(options.mode);
    if (traits.secure && options.tls === undefined) throw new Error(`StreamTransport: -t ${options.mode} needs TLS settings`);
    this.protocolName = traits.protocol;
    this.websocket = traits.websocket;
    this.websocketPath = options.websocketPath ?? '/';
    this.tls = traits.secure ? options.tls : undefined;
    this.socketPerCall = traits.perCall;
    const [from, to] = options.searchPorts ?? DEFAULT_SEARCH_PORTS;
    this.searchFrom = from;
    this.searchTo = to;
    this.maxSockets = Math.max(1, options.maxSockets ?? DEFAULT_MAX_SOCKETS);
    this.reconnectsLeft = options.maxReconnect ?? 0;
    this.reconnectSleepMs = options.reconnectSleepMs ?? DEFAULT_RECONNECT_SLEEP_MS;
    this.reconnectClose = options.reconnectClose ?? true;
    this.maxHeaderBytes = options.maxHeaderBytes;
    this.maxMessageBytes = (options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES) + (options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    this.maxBodyBytes = options.maxBodyBytes;
    this.maxPendingWrite = options.maxPendingWriteBytes ?? DEFAULT_MAX_PENDING_WRITE;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  /** Whether this transport accepts connections: TCP always, TLS only with a certificate and key. */
  get listens(): boolean {
    return this.tls === undefined || (this.tls.cert !== undefined && this.tls.key !== undefined);
  }

  /** Bytes held by the framers of every connection, waiting for the rest of a message. */
  get bufferedInputBytes(): number {
    let total = 0;
    for (const conn of this.connections.values()) total += conn.framer.bufferedBytes;
    return total;
  }

  /** Connections open now (main, per call, accepted). */
  get openConnections(): number {
    return this.connections.size;
  }

  async open(
    options: TransportOpenOptions,
    receiver: DatagramReceiver,
    context: TransportOpenContext = {},
  ): Promise<Endpoint> {
    if (this.state !== 'idle') throw new Error(`StreamTransport.open: transport is ${this.state}`);
    this.state = 'opening';
    this.options = options;
    this.receiver = receiver;
    this.onEvent = context.onConnectionEvent;
    this.remote = context.remote;
    try {
      // A WebSocket UAS given a remote connects out instead of listening: a gateway (Kamailio,
      // a WebRTC SBC) cannot open WebSocket connections, so a UAS behind one takes its calls
      // on the connection it opened, from its -p port, as a browser does.
      const connectsOut = this.websocket && context.remote !== undefined && context.connectAtOpen === false && !this.socketPerCall;
      if (this.listens && !connectsOut) {
        this.server = await this.listen(options);
        const address = this.server.address();
        if (address !== null && typeof address === 'object') this.local = endpointOf(address.address, address.port);
      } else if (context.remote === undefined) {
        throw new Error('a TLS server needs a certificate and a key (-tls_cert, -tls_key)');
      }
      if (!this.socketPerCall && context.remote !== undefined && (context.connectAtOpen !== false || connectsOut)) {
        this.mainOpened = true;
        const link = await this.connect(context.remote, connectsOut ? options.port : 0);
        this.adopt(0, link, 'main', context.remote);
        this.local ??= endpointOf(link.socket.localAddress, link.socket.localPort);
      }
    } catch (error) {
      this.state = 'closed';
      await this.close();
      throw error;
    }
    if (this.state !== 'opening') throw new Error('StreamTransport.open: transport closed while opening');
    if (this.local === undefined) {
      // ln client without a listener: [local_port] is that of the first call's connection; say 0 until then.
      this.local = { address: options.bindAddress || (options.family === 6 ? '::' : '0.0.0.0'), port: 0 };
    }
    this.state = 'open';
    return { ...this.local };
  }

  private async listen(options: TransportOpenOptions): Promise<Server> {
    const host = options.bindAddress !== '' ? options.bindAddress : options.family === 6 ? '::' : '0.0.0.0';
    if (options.port !== 0 || options.portExplicit) {
      try {
        return await this.listenOn(host, options.port);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(options.bindAddress, options.port);
        throw error;
      }
    }
    for (let port = this.searchFrom; port <= this.searchTo; port++) {
      try {
        return await this.listenOn(host, port);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      }
    }
    return this.listenOn(host, 0);
  }

  private listenOn(host: string, port: number): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = this.createServer();
      const onError = (error: Error): void => {
        server.close();
        reject(error);
      };
      server.once('error', onError);
      server.listen({ host, port, exclusive: true }, () => {
        server.removeListener('error', onError);
        server.on('error', () => {
          /* accept errors (EMFILE...) are retried by libuv; nothing to do per error */
        });
        resolve(server);
      });
    });
  }

  private createServer(): Server {
    const onSocket = (socket: Socket): void => {
      if (this.state === 'closed') {
        socket.destroy();
        return;
      }
      this.acceptedConnections++;
      this.adopt(this.nextId++, { socket, websocket: undefined }, 'accepted', endpointOf(socket.remoteAddress, socket.remotePort));
    };
    const tls = this.tls;
    const secureOptions = tls === undefined ? undefined : tlsServerOptions(tls);
    let server: Server;
    if (this.websocket) server = this.createWebSocketServer(secureOptions);
    else if (secureOptions === undefined) return createTcpServer({ noDelay: true }, onSocket);
    else server = createTlsServer(secureOptions, onSocket);
    if (secureOptions !== undefined) {
      server.on('tlsClientError', (error: Error, socket: TLSSocket) => {
        this.emit({
          kind: 'tls-handshake-failed',
          peer: endpointOf(socket.remoteAddress, socket.remotePort),
          reason: errorReason(error),
        });
      });
    }
    return server;
  }

  /**
   * An HTTP(S) server that upgrades requests offering the `sip` subprotocol to WebSocket
   * (RFC 7118 section 4) and refuses the others; a plain HTTP request gets 426.
   */
  private createWebSocketServer(secureOptions: TlsServerOptions | undefined): Server {
    const upgrader = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: this.maxMessageBytes,
      handleProtocols: (offered) => (offered.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
    });
    const server = secureOptions === undefined ? createHttpServer() : createHttpsServer(secureOptions);
    server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      const peer = endpointOf(socket.remoteAddress, socket.remotePort);
      if (this.state === 'closed') {
        socket.destroy();
        return;
      }
      const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      if (!offered.includes(SIP_SUBPROTOCOL)) {
        this.emit({ kind: 'stream-error', socketId: -1, peer, reason: 'a WebSocket upgrade without the "sip" subprotocol (RFC 7118) was refused' });
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      upgrader.handleUpgrade(request, socket, head, (websocket) => {
        if (this.state === 'closed') {
          websocket.terminate();
          return;
        }
        this.acceptedConnections++;
        this.adopt(this.nextId++, { socket, websocket }, 'accepted', peer);
      });
    });
    server.on('request', (_request, response) => {
      response.writeHead(426, { Upgrade: 'websocket', Connection: 'Upgrade', 'Content-Length': '0' });
      response.end();
    });
    return server;
  }

  /** Opens a connection to `remote`; rejects with a ConnectError naming it and the reason. */
  /** `localPort`: bind the connection's own end to it (0: any). */
  private async connect(remote: Endpoint, localPort = 0): Promise<Link> {
    if (this.websocket) return this.connectWebSocket(remote, localPort);
    return { socket: await this.connectStream(remote), websocket: undefined };
  }

  private async connectStream(remote: Endpoint): Promise<Socket> {
    const options = this.options!;
    const localAddress = options.bindAddress !== '' ? options.bindAddress : undefined;
    const timeoutMs = this.connectTimeoutMs;
    const tcp = await new Promise<Socket>((resolve, reject) => {
      const socket = tcpConnect({ host: remote.address, port: remote.port, localAddress, noDelay: true }, () => {
        socket.removeListener('error', onError);
        socket.removeListener('timeout', onTimeout);
        socket.setTimeout(0);
        resolve(socket);
      });
      const onError = (error: Error): void => {
        socket.destroy();
        reject(new ConnectError(remote, this.protocolName, errorReason(error)));
      };
      const onTimeout = (): void => {
        socket.destroy();
        reject(new ConnectError(remote, this.protocolName, `no answer within ${timeoutMs} ms (connect timed out)`));
      };
      socket.once('error', onError);
      socket.setTimeout(timeoutMs);
      socket.once('timeout', onTimeout);
    });
    const tls = this.tls;
    if (tls === undefined) {
      this.openedConnections++;
      return tcp;
    }
    return new Promise<Socket>((resolve, reject) => {
      const serverName = tls.serverName;
      const secure = tlsConnect(
        {
          socket: tcp,
          ...tlsClientOptions(tls),
          // Verifying without -tls_sni checks the remote IP against the certificate's SANs.
          ...(serverName === undefined || serverName === '' ? { host: remote.address } : {}),
        },
        () => {
          clearTimeout(timer);
          secure.removeListener('error', onError);
          this.openedConnections++;
          resolve(secure);
        },
      );
      const onError = (error: Error): void => {
        clearTimeout(timer);
        const reason = errorReason(error);
        this.emit({ kind: 'tls-handshake-failed', peer: remote, reason });
        secure.destroy();
        tcp.destroy();
        reject(new ConnectError(remote, this.protocolName, `TLS handshake failed: ${reason}`));
      };
      secure.once('error', onError);
      const timer = setTimeout(
        () => secure.destroy(Object.assign(new Error(`no handshake answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
        timeoutMs,
      );
    });
  }

  /**
   * A WebSocket client connection: `ws[s]://remote<websocketPath>` offering the `sip`
   * subprotocol, which the server must select (RFC 7118 section 4).
   */
  private connectWebSocket(remote: Endpoint, localPort: number): Promise<Link> {
    const options = this.options!;
    const tls = this.tls;
    const url = `${tls === undefined ? 'ws' : 'wss'}://${formatEndpoint(remote)}${this.websocketPath}`;
    const websocket = new WebSocket(url, SIP_SUBPROTOCOL, {
      perMessageDeflate: false,
      handshakeTimeout: this.connectTimeoutMs,
      maxPayload: this.maxMessageBytes,
      ...(options.bindAddress !== '' ? { localAddress: options.bindAddress } : {}),
      ...(localPort !== 0 ? { localPort } : {}),
      ...(tls === undefined ? {} : tlsClientOptions(tls)),
    });
    return new Promise<Link>((resolve, reject) => {
      let socket: Socket | undefined;
      const fail = (reason: string): void => {
        websocket.removeAllListeners();
        websocket.on('error', () => {});
        websocket.terminate();
        reject(new ConnectError(remote, this.protocolName, reason));
      };
      websocket.once('upgrade', (response: IncomingMessage) => {
        socket = response.socket as Socket;
      });
      const noSip = 'the server did not select the "sip" WebSocket subprotocol (RFC 7118)';
      websocket.once('open', () => {
        websocket.removeAllListeners();
        if (websocket.protocol !== SIP_SUBPROTOCOL || socket === undefined) {
          fail(noSip);
          return;
        }
        this.openedConnections++;
        resolve({ socket, websocket });
      });
      websocket.once('unexpected-response', (_request, response: IncomingMessage) => {
        fail(`the server answered the WebSocket upgrade with HTTP ${response.statusCode ?? '?'} ${response.statusMessage ?? ''}`.trimEnd());
      });
      websocket.once('error', (error: NodeJS.ErrnoException) => {
        // ws checks the answer's Sec-WebSocket-Protocol itself ("Server sent no subprotocol").
        if (error.code === undefined && /subprotocol/i.test(error.message)) {
          fail(noSip);
          return;
        }
        const reason = errorReason(error);
        if (tls !== undefined && !NETWORK_ERRORS.has(error.code ?? '')) {
          this.emit({ kind: 'tls-handshake-failed', peer: remote, reason });
          fail(`TLS handshake failed: ${reason}`);
          return;
        }
        fail(reason);
      });
    });
  }

  private adopt(id: number, link: Link, role: Role, peer: Endpoint): Connection {
    const { socket, websocket } = link;
    socket.setNoDelay(true);
    const conn: Connection = {
      id,
      socket,
      websocket,
      framer: new StreamFramer({
        ...(this.maxHeaderBytes !== undefined ? { maxHeaderBytes: this.maxHeaderBytes } : {}),
        ...(this.maxBodyBytes !== undefined ? { maxBodyBytes: this.maxBodyBytes } : {}),
      }),
      peer,
      role,
      refs: role === 'call' ? 1 : 0,
      closedByUs: false,
      corked: false,
      lastError: undefined,
    };
    this.connections.set(id, conn);
    if (role === 'call') this.callConnections.push(conn);
    socket.on('error', (error: NodeJS.ErrnoException) => {
      conn.lastError ??= error;
    });
    if (websocket === undefined) {
      socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
      socket.on('close', () => this.onClose(conn));
      return conn;
    }
    websocket.on('message', (data: RawData) => this.onWebSocketMessage(conn, data));
    websocket.on('error', (error: NodeJS.ErrnoException) => {
      conn.lastError ??= error;
    });
    websocket.on('close', () => this.onClose(conn));
    return conn;
  }

  /** One WebSocket message is one SIP message (RFC 7118 section 5); empty keep-alives are skipped. */
  private onWebSocketMessage(conn: Connection, data: RawData): void {
    const message = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (message.length === 0 || (message.length <= 4 && message.toString('latin1').trim() === '')) return;
    try {
      this.receiver!(conn.id, message, conn.peer);
    } catch (error) {
      this.receiveErrors++;
      this.lastReceiveError = error;
    }
  }

  private onData(conn: Connection, chunk: Buffer): void {
    const items = conn.framer.push(chunk);
    const receiver = this.receiver!;
    for (const item of items) {
      if (item instanceof SipParseError) {
        this.emit({ kind: 'stream-error', socketId: conn.id, peer: conn.peer, reason: item.reason });
        continue;
      }
      try {
        receiver(conn.id, item, conn.peer);
      } catch (error) {
        this.receiveErrors++;
        this.lastReceiveError = error;
      }
    }
  }

  private onClose(conn: Connection): void {
    if (this.connections.get(conn.id) === conn) this.connections.delete(conn.id);
    this.forgetCallConnection(conn);
    conn.framer.reset();
    if (conn.closedByUs || this.state === 'closed') return;
    const error = conn.lastError;
    const code = error?.code;
    const cause = error === undefined ? 'closed' : code === 'ECONNRESET' || code === 'EPIPE' ? 'reset' : 'error';
    const reason = error === undefined ? 'the peer closed the connection' : errorReason(error);
    if (conn.role === 'main' && this.reconnectsLeft > 0 && this.remote !== undefined) {
      this.reconnectsLeft--;
      this.emit({
        kind: 'connection-lost',
        socketId: conn.id,
        peer: conn.peer,
        cause,
        reason,
        reconnecting: true,
        failCalls: this.reconnectClose,
      });
      this.scheduleReconnect();
      return;
    }
    this.emit({ kind: 'connection-lost', socketId: conn.id, peer: conn.peer, cause, reason, reconnecting: false, failCalls: true });
  }

  private scheduleReconnect(): void {
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state !== 'open') return;
      const remote = this.remote!;
      this.connect(remote).then(
        (link) => {
          if (this.state !== 'open') {
            destroyLink(link);
            return;
          }
          this.reconnections++;
          this.adopt(0, link, 'main', remote);
        },
        (error: unknown) => {
          if (this.state !== 'open') return;
          const reason = error instanceof ConnectError ? error.reason : errorReason(error);
          if (this.reconnectsLeft > 0) {
            this.reconnectsLeft--;
            this.scheduleReconnect();
            return;
          }
          this.emit({ kind: 'connection-lost', socketId: 0, peer: remote, cause: 'refused', reason, reconnecting: false, failCalls: true });
        },
      );
    }, this.reconnectSleepMs);
  }

  private emit(event: ConnectionEvent): void {
    try {
      this.onEvent?.(event);
    } catch (error) {
      this.receiveErrors++;
      this.lastReceiveError = error;
    }
  }

  async openCallSocket(): Promise<{ socketId: number; local: Endpoint }> {
    if (this.state !== 'open' || this.local === undefined) {
      throw new Error(`StreamTransport.openCallSocket: transport is ${this.state}`);
    }
    if (!this.socketPerCall) return { socketId: 0, local: { ...this.local } };
    const remote = this.remote;
    if (remote === undefined) throw new Error('StreamTransport.openCallSocket: no remote endpoint (server run)');
    if (this.callConnections.length >= this.maxSockets) {
      // SIPp's -max_socket: past the limit, traffic is spread over the connections already open.
      const conn = this.callConnections[this.shareCursor++ % this.callConnections.length]!;
      conn.refs++;
      return { socketId: conn.id, local: endpointOf(conn.socket.localAddress, conn.socket.localPort) };
    }
    const link = await this.connect(remote);
    if (this.state !== 'open') {
      destroyLink(link);
      throw new Error('StreamTransport.openCallSocket: transport closed while connecting');
    }
    const conn = this.adopt(this.nextId++, link, 'call', remote);
    return { socketId: conn.id, local: endpointOf(link.socket.localAddress, link.socket.localPort) };
  }

  closeCallSocket(socketId: number): void {
    const conn = this.connections.get(socketId);
    // Connections peers opened stay open: the peer closes them (SIPp's tn client does, per call).
    if (conn === undefined || conn.role !== 'call') return;
    if (--conn.refs > 0) return;
    this.connections.delete(socketId);
    this.forgetCallConnection(conn);
    this.endGracefully(conn);
  }

  private forgetCallConnection(conn: Connection): void {
    if (conn.role !== 'call') return;
    const index = this.callConnections.indexOf(conn);
    if (index >= 0) this.callConnections.splice(index, 1);
  }

  private endGracefully(conn: Connection): void {
    conn.closedByUs = true;
    if (conn.corked) {
      conn.corked = false;
      conn.socket.uncork();
    }
    if (conn.websocket !== undefined) conn.websocket.close(1000);
    else conn.socket.end();
    setTimeout(() => conn.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  send(socketId: number, data: Buffer, _to: Endpoint): boolean {
    const conn = this.connections.get(socketId);
    if (conn === undefined) return socketId === 0 ? this.sendOnLazyMain(data) : false;
    if (conn.closedByUs) return false;
    const socket = conn.socket;
    if (socket.destroyed || !socket.writable) return false;
    const websocket = conn.websocket;
    if (websocket !== undefined && websocket.readyState !== WebSocket.OPEN) return false;
    // A peer that stops reading must not make us buffer without bound.
    if (socket.writableLength > this.maxPendingWrite) return false;
    if (!conn.corked) {
      conn.corked = true;
      socket.cork();
      this.corked.push(conn);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flushBound);
      }
    }
    // RFC 7118: text frames carry UTF-8; a message that is not (a latin1 body) goes as binary.
    if (websocket !== undefined) websocket.send(data, { binary: !isUtf8(data) });
    else socket.write(data);
    return true;
  }

  /**
   * Socket 0 of a run that did not connect at open (a 3PCC controller, a server that sends
   * first): the first send opens the shared connection; sends until it is up wait for it.
   */
  private sendOnLazyMain(data: Buffer): boolean {
    const remote = this.remote;
    if (remote === undefined || this.socketPerCall || this.state !== 'open' || this.reconnectTimer !== undefined) return false;
    if (this.lazyQueue !== undefined) {
      this.lazyQueue.push(data);
      return true;
    }
    if (this.mainOpened) return false; // it was opened once and is gone: reconnection decides
    this.mainOpened = true;
    const queue = [data];
    this.lazyQueue = queue;
    this.connect(remote).then(
      (link) => {
        this.lazyQueue = undefined;
        if (this.state !== 'open') {
          destroyLink(link);
          return;
        }
        this.adopt(0, link, 'main', remote);
        for (const queued of queue) this.send(0, queued, remote);
      },
      (error: unknown) => {
        this.lazyQueue = undefined;
        if (this.state !== 'open') return;
        const reason = error instanceof ConnectError ? error.reason : errorReason(error);
        this.emit({ kind: 'connection-lost', socketId: 0, peer: remote, cause: 'refused', reason, reconnecting: false, failCalls: true });
      },
    );
    return true;
  }

  private lazyQueue: Buffer[] | undefined;
  /** The shared connection was opened (at open or by a first send): it is never opened lazily again. */
  private mainOpened = false;

  /** Uncorks every connection written to in this turn: one writev each. */
  private flush(): void {
    this.flushScheduled = false;
    const list = this.corked.splice(0);
    for (const conn of list) {
      if (!conn.corked) continue;
      conn.corked = false;
      conn.socket.uncork();
    }
  }

  close(): Promise<void> {
    if (this.closePromise !== undefined) return this.closePromise;
    this.state = 'closed';
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.flush();
    const conns = [...this.connections.values()];
    this.connections.clear();
    this.callConnections.length = 0;
    const waits: Array<Promise<void>> = conns.map(
      (conn) =>
        new Promise<void>((resolve) => {
          if (conn.socket.destroyed) {
            resolve();
            return;
          }
          conn.socket.once('close', () => resolve());
          if (conn.role !== 'accepted') {
            this.endGracefully(conn);
            return;
          }
          const linger = setTimeout(() => this.endGracefully(conn), ACCEPTED_LINGER_MS);
          conn.socket.once('close', () => clearTimeout(linger));
        }),
    );
    const server = this.server;
    if (server !== undefined) waits.push(new Promise<void>((resolve) => server.close(() => resolve())));
    this.closePromise = Promise.all(waits).then(() => undefined);
    return this.closePromise;
  }
}

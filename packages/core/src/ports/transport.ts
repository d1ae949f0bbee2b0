import * as t from 'io-ts';

/** An IP endpoint. `address` is a literal IPv4 or IPv6 address (no brackets). */
export const EndpointCodec = t.type({ address: t.string, port: t.number });
export type Endpoint = t.TypeOf<typeof EndpointCodec>;

/**
 * SIPp transport modes handled by datagram transports. `s1`/`sn` are aliases of `u1`/`un`;
 * `ui` is a socket per source address (the addresses come from an -inf file, see -ip_field).
 */
export const UdpModeCodec = t.keyof({ u1: null, un: null, ui: null });
export type UdpMode = t.TypeOf<typeof UdpModeCodec>;

export const TransportOpenOptionsCodec = t.type({
  /** Address to bind; '' or undefined lets the OS choose (0.0.0.0 / ::). */
  bindAddress: t.string,
  /** Port to bind; 0 = SIPp's default search (5060..5119, then any). */
  port: t.number,
  /** True when -p was given: a busy port is fatal (exit 254) instead of searched past. */
  portExplicit: t.boolean,
  family: t.union([t.literal(4), t.literal(6)]),
  /** SO_RCVBUF / SO_SNDBUF in bytes (-buff_size). */
  bufferSize: t.number,
});
export type TransportOpenOptions = t.TypeOf<typeof TransportOpenOptionsCodec>;

/**
 * Transport modes handled by stream transports: TCP `t1`/`tn`, TLS `l1`/`ln` (SIPp's), and
 * SIP over WebSocket (RFC 7118) `w1`/`wn` (ws://) and `wss1`/`wssn` (wss://), ours.
 */
export const StreamModeCodec = t.keyof({ t1: null, tn: null, l1: null, ln: null, w1: null, wn: null, wss1: null, wssn: null });
export type StreamMode = t.TypeOf<typeof StreamModeCodec>;

/** What a stream mode is: its protocol name ([transport], Via), TLS or not, WebSocket or not. */
export interface StreamModeTraits {
  protocol: 'TCP' | 'TLS' | 'WS' | 'WSS';
  secure: boolean;
  websocket: boolean;
  /** `tn`, `ln`, `wn`, `wssn`: a connection per call. */
  perCall: boolean;
}

const STREAM_MODE_TRAITS: Readonly<Record<StreamMode, StreamModeTraits>> = {
  t1: { protocol: 'TCP', secure: false, websocket: false, perCall: false },
  tn: { protocol: 'TCP', secure: false, websocket: false, perCall: true },
  l1: { protocol: 'TLS', secure: true, websocket: false, perCall: false },
  ln: { protocol: 'TLS', secure: true, websocket: false, perCall: true },
  w1: { protocol: 'WS', secure: false, websocket: true, perCall: false },
  wn: { protocol: 'WS', secure: false, websocket: true, perCall: true },
  wss1: { protocol: 'WSS', secure: true, websocket: true, perCall: false },
  wssn: { protocol: 'WSS', secure: true, websocket: true, perCall: true },
};

export function streamModeTraits(mode: StreamMode): StreamModeTraits {
  return STREAM_MODE_TRAITS[mode];
}

/**
 * Called for every inbound datagram, or every SIP message framed out of a stream.
 * `socketId` 0 is the main socket (on a stream transport: the client's shared connection);
 * any other id names a per-call socket or a connection a peer opened to us.
 */
export type DatagramReceiver = (socketId: number, data: Buffer, from: Endpoint) => void;

/**
 * What a connection-oriented transport tells core besides messages.
 * - `connection-lost`: the peer closed or reset a connection, or a write failed on it.
 *   `reconnecting`: the transport will open a new one in its place (-max_reconnect) and
 *   sends on the same socket id go there; `failCalls`: the calls on it must fail now
 *   (always when not reconnecting; with -reconnect_close when reconnecting).
 * - `stream-error`: bytes on a connection that do not frame as SIP (no or bad
 *   Content-Length, oversized message, garbage); the framer resynchronises and reading goes on.
 * - `tls-handshake-failed`: a TLS handshake failed (wrong CA, expired certificate...).
 */
export type ConnectionEvent =
  | {
      kind: 'connection-lost';
      socketId: number;
      peer: Endpoint;
      cause: 'closed' | 'reset' | 'refused' | 'error';
      reason: string;
      reconnecting: boolean;
      failCalls: boolean;
    }
  | { kind: 'stream-error'; socketId: number; peer: Endpoint; reason: string }
  | { kind: 'tls-handshake-failed'; peer: Endpoint; reason: string };

export type ConnectionEventReceiver = (event: ConnectionEvent) => void;

/** What `open` may need besides the bind options. */
export interface TransportOpenContext {
  /**
   * The run's remote endpoint. A `t1`/`l1` transport connects to it at open when
   * `connectAtOpen` (a client run: refused is a start-up error, as in SIPp); otherwise on the
   * first send on socket 0 (a 3PCC controller or a server that also sends).
   */
  remote?: Endpoint;
  connectAtOpen?: boolean;
  /** Connection events (stream transports); datagram transports never call it. */
  onConnectionEvent?: ConnectionEventReceiver;
}

/**
 * Raised by a stream transport's `open` (or reported per call by `openCallSocket`) when the
 * remote cannot be reached: refused, unreachable, TLS handshake failure. The message names
 * the endpoint and the reason; the CLI exits 255 with it, as SIPp does.
 */
export class ConnectError extends Error {
  constructor(
    readonly remote: Endpoint,
    readonly protocol: string,
    readonly reason: string,
  ) {
    super(`cannot connect to ${formatEndpoint(remote)} over ${protocol}: ${reason}`);
    this.name = 'ConnectError';
  }
}

/** `1.2.3.4:5060` or `[::1]:5060`. */
export function formatEndpoint(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/**
 * Raised by `open` when a socket cannot be bound on an address for another reason than a busy
 * port: most often EADDRNOTAVAIL, an address this host does not have (`-t ui` addresses, -i).
 */
export class AddressBindError extends Error {
  constructor(
    readonly address: string,
    readonly port: number,
    readonly code: string,
  ) {
    super(
      `cannot bind ${formatEndpoint({ address, port })}: ${
        code === 'EADDRNOTAVAIL' ? 'no interface of this host has that address (EADDRNOTAVAIL)' : code
      }`,
    );
    this.name = 'AddressBindError';
  }
}

/** Raised by `open` when the requested port is taken; the CLI maps it to exit code 254. */
export class PortInUseError extends Error {
  constructor(readonly address: string, readonly port: number) {
    super(`port ${port} on ${address || '*'} is already in use`);
    this.name = 'PortInUseError';
  }
}

/**
 * The way core reaches the network. Socket 0 is the main socket opened by `open`.
 * Per-call sockets (`-t un`, `-t tn`) are opened with `openCallSocket` and released with
 * `closeCallSocket` when the call ends. On a stream transport, a connection a peer opened to
 * us has its own socket id: messages from it carry that id, and a send with that id goes
 * back on that connection (the `to` endpoint is then ignored); `closeCallSocket` leaves such
 * connections open (the peer owns them).
 * `send` must not throw: a failed send is reported through the returned boolean.
 */
export interface Transport {
  /** The name for the [transport] keyword and Via: 'UDP', 'TCP', 'TLS' (SIPp's), 'WS', 'WSS'. */
  readonly protocolName: string;
  /** True for `un`, `tn`, `ln`: UAC calls get their own socket. */
  readonly socketPerCall: boolean;
  /** True for TCP and TLS: no retransmissions, connection events, failures are 'tcp-*' causes. */
  readonly connectionOriented?: boolean;
  /**
   * True for `-t ui`: one socket per source address, all bound at open (socket 0 on the first).
   * `openCallSocket(address)` hands out that address's socket, shared by every call from it
   * (closeCallSocket leaves it open), and `localOf` tells a call the address it runs on.
   */
  readonly socketPerSourceAddress?: boolean;
  open(options: TransportOpenOptions, receiver: DatagramReceiver, context?: TransportOpenContext): Promise<Endpoint>;
  /** `sourceAddress`: with `socketPerSourceAddress`, the address the call sends from. */
  openCallSocket(sourceAddress?: string): Promise<{ socketId: number; local: Endpoint }>;
  /** The local endpoint of a socket; undefined when the id is unknown (or the transport cannot tell). */
  localOf?(socketId: number): Endpoint | undefined;
  closeCallSocket(socketId: number): void;
  send(socketId: number, data: Buffer, to: Endpoint): boolean;
  close(): Promise<void>;
}

import * as t from 'io-ts';

/** An IP endpoint. `address` is a literal IPv4 or IPv6 address (no brackets). */
export const EndpointCodec = t.type({ address: t.string, port: t.number });
export type Endpoint = t.TypeOf<typeof EndpointCodec>;

/** SIPp transport modes handled by datagram transports. `s1`/`sn` are aliases of `u1`/`un`. */
export const UdpModeCodec = t.keyof({ u1: null, un: null });
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

/** Called for every inbound datagram. `socketId` 0 is the main socket. */
export type DatagramReceiver = (socketId: number, data: Buffer, from: Endpoint) => void;

/** Raised by `open` when the requested port is taken; the CLI maps it to exit code 254. */
export class PortInUseError extends Error {
  constructor(readonly address: string, readonly port: number) {
    super(`port ${port} on ${address || '*'} is already in use`);
    this.name = 'PortInUseError';
  }
}

/**
 * The way core reaches the network. Socket 0 is the main socket opened by `open`.
 * Per-call sockets (`-t un`) are opened with `openCallSocket` and closed when the call ends.
 * `send` must not throw: a failed send is reported through the returned boolean.
 */
export interface Transport {
  /** SIPp's name for the [transport] keyword: 'UDP', 'TCP', 'TLS'. */
  readonly protocolName: string;
  /** True for `un`: UAC calls get their own socket. */
  readonly socketPerCall: boolean;
  open(options: TransportOpenOptions, receiver: DatagramReceiver): Promise<Endpoint>;
  openCallSocket(): Promise<{ socketId: number; local: Endpoint }>;
  closeCallSocket(socketId: number): void;
  send(socketId: number, data: Buffer, to: Endpoint): boolean;
  close(): Promise<void>;
}

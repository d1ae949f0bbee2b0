import type { SipMessage } from '../sip/message.js';

/** Values that are the same for every call of a run; rendered once into literal segments where possible. */
export interface RunKeywordValues {
  service: string;
  remoteIp: string;
  /** -rsa/positional host as given (name or address). */
  remoteHost: string;
  remotePort: number;
  localIp: string;
  /** '4' or '6'. */
  localIpType: string;
  localPort: number;
  /** 'UDP', 'TCP', 'TLS'. */
  transport: string;
  pid: number;
  mediaIp: string;
  mediaIpType: string;
  mediaPort: number;
  /**
   * [server_ip]: the address the SIP socket is bound to, as SIPp's getsockname (an IPv6 address
   * without brackets, `0.0.0.0` for a wildcard bind). Absent: the local IP without brackets.
   */
  serverIp?: string;
  /** [users]: the -users value; -1 (absent) without -users, as SIPp. */
  users?: number;
  /**
   * `-t ui`: each call sends from its own address, so [local_ip] and [server_ip] are the
   * call's (CallKeywordState.localIp) instead of the run's.
   */
  localIpPerCall?: boolean;
}

/** The per-call state a template reads while rendering. The engine's call object implements it. */
export interface CallKeywordState {
  readonly callId: string;
  readonly callNumber: number;
  /** Current CSeq value for [cseq]: advanced before each request but ACK and CANCEL. */
  readonly cseq: number;
  /** Local port of this call's socket (differs from the run's in `-t un`). */
  readonly localPort: number;
  /** The address this call's socket is bound to, no brackets; read only with RunKeywordValues.localIpPerCall. */
  readonly localIp: string;
  /** Index of the step being rendered (for [branch]). */
  readonly stepIndex: number;
  /** Last message received in this call that was not a retransmission. */
  readonly lastMessage: SipMessage | undefined;
  /** Tag of the peer (To tag of responses / From tag of requests), '' when none yet. */
  readonly peerTag: string;
  /** Value for [routes]: 'Route: <...>, <...>' or '' (from a recv rrs="true"). */
  readonly routes: string;
  /** Value for [next_url]: the Contact URI saved by rrs="true", '' when none. */
  readonly nextUrl: string;
  /** The text of `[$name]` for a variable slot (see scenario/variables.ts). */
  variableText(slot: number): string;
  /** `[fieldN file=... line=...]`: `file` is the file key, `lineText` the rendered line= text. */
  fieldText(file: string, field: number, lineText: string | undefined): string;
  /**
   * `[authentication]`: the whole header line answering the call's last challenge
   * (`Authorization: Digest ...`), for a message with this method and body. `username` and
   * `password` are the keyword's rendered values, undefined for the run's defaults.
   */
  authorization(input: AuthorizationRequest): string;
  /** [userid]: the call's user, 1..N with -users N (SIPp hands out N, N-1, ... and reuses freed ones), 0 otherwise. */
  readonly userId: number;
  /** [clock_tick]: SIPp's clock_tick, whole milliseconds since the run started. */
  clockTick(): number;
  /** [timestamp], [date]: the wall clock, milliseconds since the epoch (a fraction gives microseconds). */
  wallClockMs(): number;
  /** [dynamic_id]: the run-wide counter's current value; the call advances it (SIPp: 10000, +4, back to 10000 past 18000). */
  nextDynamicId(): number;
  /** [fill variable=name]: the variable's value as SIPp's getDouble (0 unless it holds a double). */
  variableDouble(slot: number): number;
  /**
   * A keyword SIPp stops the run on while rendering it (a [file] that cannot be read, [tdmmap]
   * without -tdmmap, [auto_media_port] on a line without audio/video/image). The engine stops
   * the run with this message (exit 255); the keyword renders nothing.
   */
  keywordError(message: string): void;
  /** [tdmmap]: the call's circuit as SIPp writes it (`0.99.5/2`); undefined without -tdmmap. */
  tdmmapText(): string | undefined;
}

/** A template with the run's constant keywords already substituted: a send is a concat. */
export interface BoundTemplate {
  /** Render for one call. The result is the exact datagram to send. */
  render(call: CallKeywordState): Buffer;
}

/** A send template compiled once per scenario. */
export interface CompiledTemplate {
  /** The source text after CDATA trimming, for error messages and `-sd`. */
  readonly source: string;
  /** Fold the run's constant keywords in; called once per run after the transport is open. */
  bind(run: RunKeywordValues): BoundTemplate;
  /** Static facts known at compile time. */
  readonly isRequest: boolean;
  /** Request method or undefined for a response. */
  readonly method: string | undefined;
  /** Response status code or undefined for a request. */
  readonly statusCode: number | undefined;
  /** Method in the CSeq header line when it is literal (e.g. "INVITE" in `CSeq: 1 INVITE`), else undefined. */
  readonly cseqMethod: string | undefined;
  /** True when the template uses [cseq]. */
  readonly usesCseq: boolean;
}

/** An action attribute's text with keywords (`<log message>`, `<assignstr value>`, ...). */
export interface TextTemplate {
  readonly source: string;
  bind(run: RunKeywordValues): BoundText;
}

export interface BoundText {
  render(call: CallKeywordState): string;
}

/** What a template gives the call to answer a challenge with (CallKeywordState.authorization). */
export interface AuthorizationRequest {
  /** The method of the request being rendered. */
  method: string;
  /** Its body (after the first CR LF CR LF). */
  body: Buffer;
  /** The keyword's rendered values; undefined: the run's defaults (-au / -s, -ap). */
  username: string | undefined;
  password: string | undefined;
  /** A malformed `[authentication ...]` in an injected field: the call reports it. */
  error?: string;
}

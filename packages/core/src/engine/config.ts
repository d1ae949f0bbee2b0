import * as t from 'io-ts';
import { EndpointCodec, TransportOpenOptionsCodec } from '../ports/transport.js';

const RunKeywordBaseCodec = t.type({
  service: t.string,
  remoteIp: t.string,
  remoteHost: t.string,
  remotePort: t.number,
  localIp: t.string,
  localIpType: t.string,
  transport: t.string,
  pid: t.number,
  mediaIp: t.string,
  mediaIpType: t.string,
  mediaPort: t.number,
});

/** Everything the engine needs besides its ports; decoded at the edge by each front end. */
export const EngineConfigCodec = t.type({
  /** Where UAC calls send (the -rsa address, else the remote host). UAS calls answer the sender. */
  remote: t.union([EndpointCodec, t.undefined]),
  /** New calls per `ratePeriodMs` (-r / -rp). */
  rate: t.number,
  ratePeriodMs: t.number,
  /** Most calls open at once (-l); 0 = no limit. */
  callLimit: t.number,
  /** Stop after this many calls (-m); 0 = no limit. */
  maxCalls: t.number,
  /** Length of a `<pause/>` without milliseconds (-d). */
  defaultPauseMs: t.number,
  /** Timeout of a recv without its own (-recv_timeout); 0 = none. */
  recvTimeoutMs: t.number,
  /** False with -nr. */
  retransmissions: t.boolean,
  maxInviteRetrans: t.number,
  maxNonInviteRetrans: t.number,
  /** First [cseq] value of a call (-base_cseq). */
  baseCseq: t.number,
  /** How long the Call-ID of an ended call keeps absorbing late messages (SIPp's -deadcall_wait). */
  deadCallWaitMs: t.number,
  transportOptions: TransportOpenOptionsCodec,
  /** The run's constant keyword values; the local port comes from the opened socket. */
  keywords: RunKeywordBaseCodec,
  /** `-set NAME VALUE`: initial values of `<Global>` variables (strings, as SIPp sets them). */
  globals: t.record(t.string, t.string),
  /**
   * SIPp's default behaviours (`-default_behaviors`, `-nd`): `bye` sends BYE/CANCEL/ACK for an
   * aborted client call and 200 to an unexpected BYE/CANCEL; `abortUnexpected` ends a call on
   * an unexpected message (else the message is ignored); `pingReply` answers an in-call PING.
   */
  defaultBehaviors: t.type({ bye: t.boolean, abortUnexpected: t.boolean, pingReply: t.boolean }),
  /** `-aa`: answer an unexpected INFO, NOTIFY, OPTIONS or UPDATE with a 200 and go on. */
  autoAnswer: t.boolean,
  /** `-au`, `-ap`, `-auth_uri`: the defaults of `[authentication]`. */
  auth: t.partial({ username: t.string, password: t.string, uri: t.string }),
  /** -users N: client calls take users N, N-1, ... 1 and give them back ([users], [userid]); -1 without -users. */
  users: t.number,
  /** [dynamic_id]: the counter's first value, step, and the largest value before it goes back to the start. */
  dynamicId: t.type({ start: t.number, step: t.number, max: t.number }),
  /** -tdmmap: the circuit table ([tdmmap]); null without -tdmmap. */
  tdmMap: t.union([
    t.type({ x: t.number, a: t.number, h: t.number, y: t.number, b: t.number, z: t.number, c: t.number }),
    t.null,
  ]),
  /**
   * `-t ui`: the field of the first -inf file that gives each client call the address it sends
   * from (-ip_field; SIPp's "ip_file" is the first -inf); null for every other transport.
   */
  sourceAddressField: t.union([t.number, t.null]),
});
export type EngineConfig = t.TypeOf<typeof EngineConfigCodec>;

/** SIPp's defaults for the values a caller usually leaves alone. */
export const ENGINE_DEFAULTS = {
  rate: 10,
  ratePeriodMs: 1000,
  callLimit: 0,
  maxCalls: 0,
  defaultPauseMs: 0,
  recvTimeoutMs: 0,
  retransmissions: true,
  maxInviteRetrans: 5,
  maxNonInviteRetrans: 9,
  baseCseq: 1,
  deadCallWaitMs: 33_000,
  globals: {},
  auth: {},
  defaultBehaviors: { bye: true, abortUnexpected: true, pingReply: true },
  autoAnswer: false,
  users: -1,
  dynamicId: { start: 10000, step: 4, max: 18000 },
  tdmMap: null,
  sourceAddressField: null,
} as const;

/** T2 of RFC 3261: non-INVITE retransmission intervals stop doubling here (SIPp's value). */
export const T2_MS = 4000;

import type { FailureCause } from '../stats/types.js';
import type { Endpoint } from './transport.js';

export type EngineEvent =
  | { kind: 'message-sent'; at: number; callId: string; data: Buffer; to: Endpoint; retransmission: boolean }
  | { kind: 'message-received'; at: number; callId: string; data: Buffer; from: Endpoint }
  | { kind: 'call-started'; at: number; callId: string; callNumber: number }
  | { kind: 'call-ended'; at: number; callId: string; callNumber: number; outcome: CallOutcome; reason: string }
  | { kind: 'error'; at: number; callId: string | undefined; message: string }
  /**
   * A call is about to end as failed (emitted before its `call-ended`). `stepIndex` is the
   * step the call was on (SIPp's msg_index: the recv that timed out or got an unexpected
   * message, the send whose retransmissions ran out). For `unexpected-message` the message is
   * the `message-received` emitted just before.
   */
  | { kind: 'call-failed'; at: number; callId: string; callNumber: number; cause: FailureCause; stepIndex: number }
  /**
   * A timeout with an `ontimeout` label: the call goes on at step `target` instead of failing.
   * `on`: a recv that timed out, or the retransmissions of a send that ran out.
   */
  | { kind: 'timeout-jump'; at: number; callId: string; on: 'recv' | 'retrans'; stepIndex: number; target: number }
  /** A datagram that did not parse as SIP (emitted with the `error` event that reports it). */
  | { kind: 'malformed-message'; at: number; data: Buffer; from: Endpoint }
  /** A `<log message="...">` action: one line of the -trace_logs file (text without line break). */
  | { kind: 'log'; at: number; callId: string | undefined; text: string }
  /** 3PCC: a twin command sent (`dest`: the peer in extended mode); `data` without the ESC terminator. */
  | { kind: 'command-sent'; at: number; callId: string; data: Buffer; dest: string | undefined }
  /** 3PCC: a twin command received, without its ESC terminator. */
  | { kind: 'command-received'; at: number; callId: string; data: Buffer };

export type CallOutcome = 'success' | 'failed' | 'aborted';

/** Non-blocking observer of the engine. Implementations must not throw and must not block. */
export interface EventSink {
  emit(event: EngineEvent): void;
}

import type { Endpoint } from './transport.js';

export type EngineEvent =
  | { kind: 'message-sent'; at: number; callId: string; data: Buffer; to: Endpoint; retransmission: boolean }
  | { kind: 'message-received'; at: number; callId: string; data: Buffer; from: Endpoint }
  | { kind: 'call-started'; at: number; callId: string; callNumber: number }
  | { kind: 'call-ended'; at: number; callId: string; callNumber: number; outcome: CallOutcome; reason: string }
  | { kind: 'error'; at: number; callId: string | undefined; message: string }
  /** A `<log>` action's text (SIPp's -trace_logs file). */
  | { kind: 'log'; at: number; callId: string; text: string }
  /** 3PCC: a twin command sent (`dest`: the peer in extended mode); `data` without the ESC terminator. */
  | { kind: 'command-sent'; at: number; callId: string; data: Buffer; dest: string | undefined }
  /** 3PCC: a twin command received, without its ESC terminator. */
  | { kind: 'command-received'; at: number; callId: string; data: Buffer };

export type CallOutcome = 'success' | 'failed' | 'aborted';

/** Non-blocking observer of the engine. Implementations must not throw and must not block. */
export interface EventSink {
  emit(event: EngineEvent): void;
}

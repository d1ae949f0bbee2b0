// CONTRACT: the engine reports to stats only through these calls.

/** SIPp's failure causes, one `FailedXxx` column pair each in the -trace_stat CSV. */
export type FailureCause =
  | 'cannot-send-message'
  | 'max-udp-retrans'
  | 'tcp-connect'
  | 'tcp-closed'
  | 'unexpected-message'
  | 'call-rejected'
  | 'cmd-not-sent'
  | 'regexp-doesnt-match'
  | 'regexp-shouldnt-match'
  | 'regexp-hdr-not-found'
  | 'outbound-congestion'
  | 'timeout-on-recv'
  | 'timeout-on-send'
  | 'test-doesnt-match'
  // Added with the stats module: SIPp 3.6.1 has a CSV column pair for each of these too.
  | 'test-shouldnt-match'
  | 'strcmp-doesnt-match'
  | 'strcmp-shouldnt-match';

export interface StatsRecorder {
  callCreated(incoming: boolean): void;
  callSucceeded(lengthMs: number): void;
  /** `detail`: where and why, for the first failed calls a summary describes. */
  callFailed(cause: FailureCause, lengthMs: number, detail?: FailedCallDetail): void;
  /** A call still open when the run stopped on -timeout or a signal (not counted as failed). */
  /** `detail`: where the call was, for the summary's list of aborted calls. */
  callAborted(lengthMs: number, detail?: FailedCallDetail): void;
  /**
   * Optional: a call that ended neither successful nor failed (SIPp deletes a call that
   * answered an unexpected PING without counting it).
   */
  callDropped?(lengthMs: number): void;
  /** Optional: a step with `counter="name"` completed (SIPp's generic counters). */
  counter?(name: string): void;
  /** Optional: an unexpected message answered by `-aa` or the PING reply (SIPp's AutoAnswered). */
  autoAnswered?(): void;
  stepSent(stepIndex: number): void;
  stepRetransmitted(stepIndex: number): void;
  stepReceived(stepIndex: number): void;
  stepUnexpected(stepIndex: number): void;
  stepTimeout(stepIndex: number): void;
  /**
   * A message counted by SIPp as a received retransmission (recognised, not processed again).
   * `stepIndex`: the recv step it repeats (SIPp's per-step "Retrans" column of a recv line).
   * SIPp's Retransmissions counter counts what we *send*: when the engine answers the copy by
   * sending its last message again, it reports that with `stepRetransmitted(sendIndex)`.
   */
  retransmissionReceived(stepIndex?: number): void;
  /** A message that matched no call and could not start one. */
  outOfCallMessage(): void;
  /** A message for a call that already ended (absorbed by the dead-call table). */
  deadCallMessage(): void;
  /** A received datagram that did not parse as SIP. */
  malformedMessage(): void;
  /** Response time of RTD timer `name` in ms. */
  rtd(name: string, ms: number): void;
  /**
   * Optional (added with the stats module): a call entered pause or timewait step `stepIndex`
   * (SIPp's count on a `Pause [...]` screen line; SIPp counts at the start of the pause).
   */
  stepPaused?(stepIndex: number): void;
  /** Optional (added with the stats module): a message of step `stepIndex` was dropped by `lost=`. */
  stepLost?(stepIndex: number): void;
  /** Optional: a stream transport lost a connection, or a TLS handshake failed. */
  transportEvent?(kind: TransportEventKind): void;
}

export type TransportEventKind = 'connection-lost' | 'tls-handshake-failed';

/** A failed call as the run summary shows it. */
export interface FailedCallDetail {
  callId: string;
  callNumber: number;
  /** The step the call was at, its place (`uac.xml:42`) and what it expected (`<recv response="200">`). */
  step: number;
  place: string;
  expected: string;
  /** The engine's reason (`unexpected 486 response to INVITE at message 3`). */
  reason: string;
  /** The message that failed it, when one did: first line, Call-ID, CSeq, From, To. */
  received?: string;
}

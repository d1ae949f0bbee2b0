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
  | 'test-doesnt-match';

export interface StatsRecorder {
  callCreated(incoming: boolean): void;
  callSucceeded(lengthMs: number): void;
  callFailed(cause: FailureCause, lengthMs: number): void;
  /** A call still open when the run stopped on -timeout or a signal (not counted as failed). */
  callAborted(lengthMs: number): void;
  stepSent(stepIndex: number): void;
  stepRetransmitted(stepIndex: number): void;
  stepReceived(stepIndex: number): void;
  stepUnexpected(stepIndex: number): void;
  stepTimeout(stepIndex: number): void;
  /** A message counted by SIPp as a received retransmission (recognised, not processed again). */
  retransmissionReceived(): void;
  /** A message that matched no call and could not start one. */
  outOfCallMessage(): void;
  /** A message for a call that already ended (absorbed by the dead-call table). */
  deadCallMessage(): void;
  /** A received datagram that did not parse as SIP. */
  malformedMessage(): void;
  /** Response time of RTD timer `name` in ms. */
  rtd(name: string, ms: number): void;
}

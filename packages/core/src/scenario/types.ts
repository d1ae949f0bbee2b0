import type { CompiledTemplate } from '../template/types.js';
import type { Action, VariableSlot } from './actions.js';
import type { VariableInfo } from './variables.js';
import type { PauseSpec } from './distribution.js';

/** Where a scenario element came from, for error messages (`file:line`). */
export interface SourcePlace {
  file: string;
  line: number;
}

/** Attributes shared by every step (SIPp's per-message attributes). */
export interface StepCommon {
  /** Position in `Scenario.steps`. */
  index: number;
  place: SourcePlace;
  /** Index of the step to go to after this one (`next="label"`), resolved at load. */
  next?: number;
  /** `crlf="true"`: an empty line after this step on the statistics screen. */
  crlf: boolean;
  /** `hide="true"` (or an earlier `hiderest="true"`): not shown on the scenario screen. */
  hide?: boolean;
  /** `display="..."` text shown on the screen for this step. */
  display?: string;
  /** `start_rtd="name[,name]"`: RTD timers started when this step completes. */
  startRtd: string[];
  /** `rtd="name"` (`true` means timer "1"): RTD timers stopped when this step completes. */
  rtd: string[];
  /** `repeat_rtd="true"`: the rtd timers may be stopped again. */
  repeatRtd: boolean;
  /** The `<action>` block, run when the step completes (after a send, on a received message). */
  actions: Action[];
  /** `test="var"`: `next` is taken only when the variable is set. */
  test?: VariableSlot;
  /** `chance="p"`: `next` is taken with probability p (0..1). */
  chance?: number;
  /** `counter="name"`: a generic counter incremented when the step completes. */
  counter?: string;
  /** `condexec="var"`: the step runs only when the variable is set (`condexec_inverse`: unset). */
  condexec?: VariableSlot;
  condexecInverse: boolean;
}

export interface SendStep extends StepCommon {
  kind: 'send';
  template: CompiledTemplate;
  /** True when the message is a request (start line does not begin with `SIP/2.0`). */
  isRequest: boolean;
  /** For requests: the method (INVITE, ACK, ...). For responses: undefined. */
  method?: string;
  /** For responses: the status code. */
  statusCode?: number;
  /** `retrans="ms"`: UDP retransmission starts at this T1 (SIPp: only when given). */
  retrans?: number;
  /** `lost="pct"`: percentage of sends dropped on purpose. */
  lost?: number;
  /** `start_txn="name"`. */
  startTxn?: string;
  /** `ack_txn="name"`. */
  ackTxn?: string;
  /** `timeout` / `ontimeout` on send (SIPp: a timeout for the retransmission cycle). */
  timeout?: number;
  onTimeout?: number;
}

export interface RecvStep extends StepCommon {
  kind: 'recv';
  /** `request="METHOD"` (as written). */
  request?: string;
  /** `regexp_match="true"`: `request` is a POSIX extended regexp searched in the method. */
  requestRegexp?: RegExp;
  /** `response="200"`. */
  response?: number;
  optional: boolean;
  /** `optional="global"`: matched at any point of the call; the call goes on after it. */
  globalOptional?: boolean;
  /** `advance_state="false"` on an optional recv: taking it leaves the call where it was. */
  advanceState?: boolean;
  /** `timeout="ms"` for this recv; undefined = -recv_timeout / none. */
  timeout?: number;
  /** `ontimeout="label"` resolved to a step index. */
  onTimeout?: number;
  /** `rrs="true"`: record the Record-Route set and Contact for [routes] / [next_url]. */
  rrs: boolean;
  /** `auth="true"`: keep the 401/407 challenge for the next [authentication]. */
  auth: boolean;
  /** `lost="pct"`. */
  lost?: number;
  /** `response_txn="name"`. */
  responseTxn?: string;
  /** `ignoresdp="true"`. */
  ignoreSdp: boolean;
}

export interface PauseStep extends StepCommon {
  kind: 'pause';
  /** How long: a fixed time, -d, a distribution, or a variable's value. */
  pause: PauseSpec;
  /** Set when the pause is a fixed number of ms (`milliseconds=`, `distribution="fixed"`). */
  milliseconds?: number;
  /** For `variable=`: its slot. */
  variable?: VariableSlot;
}

export interface NopStep extends StepCommon {
  kind: 'nop';
}

export interface TimewaitStep extends StepCommon {
  kind: 'timewait';
  pause: PauseSpec;
  milliseconds?: number;
  variable?: VariableSlot;
}

/** `<sendCmd>`: a 3PCC twin command sent to the twin SIPp (or to peer `dest` in extended mode). */
export interface SendCmdStep extends StepCommon {
  kind: 'sendCmd';
  /** The command text (a `Call-ID:` header and whatever the scenario adds), compiled like a message. */
  template: CompiledTemplate;
  /** `dest="name"`: the peer of the -slave_cfg file it goes to (3PCC extended mode). */
  dest?: string;
  /**
   * True when the CDATA has no empty line, so the message gets one at its end. SIPp adds it
   * only when the rendered command has none (a variable may bring a body, as in 3pcc-C-A).
   */
  endsWithAddedBlankLine: boolean;
}

/** `<recvCmd>`: waits for a twin command for this call. */
export interface RecvCmdStep extends StepCommon {
  kind: 'recvCmd';
  optional: boolean;
  /** `optional="global"`: taken wherever the call is, as a global recv. */
  globalOptional?: boolean;
  /** `src="name"`: the peer the command must come from (its `From:` line; 3PCC extended mode). */
  src?: string;
  /** SIPp reads no `timeout` on recvCmd: only -recv_timeout applies. Kept for the engine's recv timer. */
  timeout?: number;
  onTimeout?: number;
}

/** `<label>` is not a step (as in SIPp): it only names the index of the step after it. */
export type Step = SendStep | RecvStep | PauseStep | NopStep | TimewaitStep | SendCmdStep | RecvCmdStep;

/** What SIPp's computeSippMode learns from the twin commands of a scenario (3PCC). */
export interface ThirdPartyInfo {
  /** The first twin command of the scenario: it decides the 3PCC role. */
  firstCommand: 'sendCmd' | 'recvCmd';
  /** SIPp's creationMode: 'server' when a recv or recvCmd comes before any send or sendCmd. */
  creation: 'client' | 'server';
  /** The `dest=` names of the sendCmd steps, in first-use order (the peers to connect to). */
  peers: string[];
  /** A sendCmd has no `dest=` / a recvCmd no `src=` (SIPp refuses both in extended mode). */
  sendCmdWithoutDest?: boolean;
  recvCmdWithoutSrc?: boolean;
  /** The scenario has a `<send>` or `<recv>` (SIPp 3.6.1 cannot run one with commands only). */
  sipSteps?: boolean;
}

export interface Scenario {
  /** `<scenario name="...">`. */
  name: string;
  /** The file it was read from, or `builtin:uac`. */
  file: string;
  steps: Step[];
  /** Label name -> index of the step that follows the label. */
  labels: Map<string, number>;
  /** ms boundaries of `<ResponseTimeRepartition value="...">` (SIPp's default if absent). */
  responseTimeRepartition: number[];
  /** ms boundaries of `<CallLengthRepartition value="...">`. */
  callLengthRepartition: number[];
  /** Names of every RTD timer used, in first-use order (the CSV has columns for each). */
  rtdNames: string[];
  /** True when the first step is a recv (SIPp's server mode scenario). */
  startsWithRecv: boolean;
  /** Every variable the scenario names; a VariableSlot indexes this list. */
  variables: VariableInfo[];
  /** `<init>`: nops whose actions run once before the first call. */
  initSteps: NopStep[];
  /** `counter=` names, in first-use order (SIPp's generic counters: CSV columns and screen lines). */
  counterNames: string[];
  /** `<DefaultMessage id="bye|cancel|ack|ack2|200">`: replaces SIPp's message of that name. */
  defaultMessages: Map<string, CompiledTemplate>;
  /** Set when the scenario has `<sendCmd>` or `<recvCmd>` (3PCC). */
  thirdParty?: ThirdPartyInfo;
}

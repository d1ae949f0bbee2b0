import type { EventSink } from '../ports/event-sink.js';
import type { Scheduler, TimerHandle } from '../ports/scheduler.js';
import type { Endpoint, Transport } from '../ports/transport.js';
import type { Scenario, RecvStep, SendStep, Step } from '../scenario/types.js';
import { parseSipMessage, SipParseError } from '../sip/message.js';
import type { SipMessage } from '../sip/message.js';
import type { FailureCause, StatsRecorder } from '../stats/types.js';
import type { BoundTemplate, CallKeywordState, RunKeywordValues } from '../template/types.js';
import type { EngineConfig } from './config.js';
import { T2_MS } from './config.js';

export type EngineMode = 'client' | 'server';
export type StopReason = 'completed' | 'timeout' | 'signal' | 'fatal';

export interface EngineResult {
  reason: StopReason;
  callsCreated: number;
  callsSucceeded: number;
  callsFailed: number;
  callsAborted: number;
}

export interface EngineDeps {
  transport: Transport;
  scheduler: Scheduler;
  stats: StatsRecorder;
  events?: EventSink;
  /** Uniform [0, 1) source for `lost=`; injectable for deterministic tests. */
  random?: () => number;
}

/** Per-step facts the engine derives once from the scenario. */
interface StepPlan {
  step: Step;
  bound: BoundTemplate | undefined;
  /** For recv response steps: the request methods sent before it, concatenated (SIPp's matching list). */
  methodsSentBefore: string;
  /** For send steps: SIPp retransmits INVITE without a T2 cap and with its own limit. */
  isInvite: boolean;
  isAck: boolean;
}

/**
 * Runs a scenario: the UAC call generator or the UAS call factory, every call's steps,
 * retransmissions, timeouts and SIPp's message matching. Pure: all I/O goes through ports.
 */
export class Engine {
  readonly mode: EngineMode;
  private readonly calls = new Map<string, Call>();
  private readonly deadCalls = new Map<string, number>();
  private readonly deadCallQueue: Array<[string, number]> = [];
  private plans: StepPlan[] = [];
  private runKeywords: RunKeywordValues | undefined;
  private local: Endpoint | undefined;
  private started = false;
  private acceptingCalls = true;
  private finishedFlag = false;
  private generatorStart = 0;
  private generatorTimer: TimerHandle | undefined;
  private sweepTimer: TimerHandle | undefined;
  private rate: number;
  private nextCallNumber = 1;
  private resolveFinished!: (result: EngineResult) => void;
  readonly finished: Promise<EngineResult>;
  readonly random: () => number;
  callsCreated = 0;
  callsSucceeded = 0;
  callsFailed = 0;
  callsAborted = 0;

  constructor(
    readonly scenario: Scenario,
    readonly config: EngineConfig,
    readonly deps: EngineDeps,
  ) {
    this.mode = scenario.startsWithRecv ? 'server' : 'client';
    this.rate = config.rate;
    this.random = deps.random ?? Math.random;
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
  }

  get openCalls(): number {
    return this.calls.size;
  }

  get localEndpoint(): Endpoint | undefined {
    return this.local;
  }

  get targetRate(): number {
    return this.rate;
  }

  /** Open the transport and fold the run's constant keywords into every template. */
  async open(): Promise<Endpoint> {
    const local = await this.deps.transport.open(this.config.transportOptions, this.onDatagram);
    this.local = local;
    this.runKeywords = { ...this.config.keywords, localPort: local.port };
    this.plans = planSteps(this.scenario, this.runKeywords);
    return local;
  }

  /** Start generating calls (UAC) or answering them (UAS). */
  start(): void {
    if (this.runKeywords === undefined) throw new Error('Engine.start() before open()');
    if (this.started) return;
    this.started = true;
    this.sweepTimer = this.deps.scheduler.setTimer(1000, this.sweepDeadCalls);
    if (this.mode === 'client') {
      this.generatorStart = this.deps.scheduler.now();
      this.generate();
    }
  }

  /** Change the call rate from now on (SIPp's +/- keys, the API's rate control). */
  setRate(rate: number): void {
    if (this.mode !== 'client' || !this.started) {
      this.rate = rate;
      return;
    }
    // Restart the schedule so calls already created are not "owed" at the new rate.
    this.rate = rate;
    this.generatorStart = this.deps.scheduler.now();
    this.createdAtRateChange = this.callsCreated;
    this.generatorTimer?.cancel();
    this.generate();
  }
  private createdAtRateChange = 0;

  /** Stop creating calls; the run ends when the open ones end (SIPp's 'q'). */
  stopNewCalls(): void {
    this.acceptingCalls = false;
    this.generatorTimer?.cancel();
    this.checkFinished();
  }

  /** Hard stop: every open call ends as aborted, the run finishes now. */
  stop(reason: StopReason): void {
    if (this.finishedFlag) return;
    this.acceptingCalls = false;
    this.generatorTimer?.cancel();
    for (const call of [...this.calls.values()]) call.abort();
    this.finish(reason);
  }

  async close(): Promise<void> {
    this.generatorTimer?.cancel();
    this.sweepTimer?.cancel();
    await this.deps.transport.close();
  }

  // ---- UAC call generation -------------------------------------------------------------

  private readonly generate = (): void => {
    this.generatorTimer = undefined;
    if (!this.acceptingCalls || this.finishedFlag) return;
    const { maxCalls, callLimit, ratePeriodMs } = this.config;
    const now = this.deps.scheduler.now();
    const elapsed = now - this.generatorStart;
    // The first call goes out at once, then one every ratePeriodMs / rate.
    const due = this.createdAtRateChange + Math.floor((elapsed * this.rate) / ratePeriodMs) + 1;
    let toCreate = due - this.callsCreated;
    if (maxCalls > 0) toCreate = Math.min(toCreate, maxCalls - this.callsCreated);
    if (callLimit > 0) toCreate = Math.min(toCreate, callLimit - this.calls.size);
    for (let i = 0; i < toCreate; i++) this.createClientCall();
    if (maxCalls > 0 && this.callsCreated >= maxCalls) {
      this.acceptingCalls = false;
      this.checkFinished();
      return;
    }
    if (this.rate <= 0) return;
    // Wake for the next call due; at high rates this batches ~1 ms worth of calls per wake-up.
    const nextDueAt =
      this.generatorStart + ((this.callsCreated - this.createdAtRateChange) * ratePeriodMs) / this.rate;
    const behindLimit = callLimit > 0 && this.calls.size >= callLimit;
    const delay = behindLimit ? 1 : Math.max(nextDueAt - now, 0.25);
    this.generatorTimer = this.deps.scheduler.setTimer(delay, this.generate);
  };

  private createClientCall(): void {
    const remote = this.config.remote;
    if (remote === undefined) throw new Error('client scenario without a remote address');
    const callNumber = this.nextCallNumber++;
    const callId = `${callNumber}-${this.config.keywords.pid}@${this.config.keywords.localIp}`;
    const call = new Call(this, callId, callNumber, remote, 0, this.local!.port);
    this.register(call, false);
    if (this.deps.transport.socketPerCall) {
      call.waitingForSocket = true;
      this.deps.transport.openCallSocket().then(
        ({ socketId, local }) => {
          call.socketId = socketId;
          call.localPort = local.port;
          call.waitingForSocket = false;
          if (!call.ended) call.run();
          else this.deps.transport.closeCallSocket(socketId);
        },
        () => call.fail('cannot-send-message', 'cannot open a socket for the call'),
      );
    } else {
      call.run();
    }
  }

  private register(call: Call, incoming: boolean): void {
    this.calls.set(call.callId, call);
    this.callsCreated++;
    this.deps.stats.callCreated(incoming);
    this.deps.events?.emit({
      kind: 'call-started',
      at: this.deps.scheduler.now(),
      callId: call.callId,
      callNumber: call.callNumber,
    });
  }

  // ---- inbound -----------------------------------------------------------------------

  private readonly onDatagram = (socketId: number, data: Buffer, from: Endpoint): void => {
    const message = parseSipMessage(data);
    if (message instanceof SipParseError) {
      this.deps.stats.malformedMessage();
      this.deps.events?.emit({ kind: 'malformed-message', at: this.deps.scheduler.now(), data, from });
      this.deps.events?.emit({
        kind: 'error',
        at: this.deps.scheduler.now(),
        callId: undefined,
        message: `malformed SIP message from ${from.address}:${from.port}: ${message.reason}`,
      });
      return;
    }
    this.deps.events?.emit({
      kind: 'message-received',
      at: this.deps.scheduler.now(),
      callId: message.callId,
      data,
      from,
    });
    const call = this.calls.get(message.callId);
    if (call !== undefined) {
      call.onMessage(message);
      return;
    }
    if (this.deadCalls.has(message.callId)) {
      this.deps.stats.deadCallMessage();
      return;
    }
    if (
      this.mode === 'server' &&
      this.acceptingCalls &&
      this.started &&
      message.isRequest &&
      message.method !== 'ACK' &&
      (this.config.maxCalls === 0 || this.callsCreated < this.config.maxCalls)
    ) {
      const call = new Call(this, message.callId, this.nextCallNumber++, from, socketId, this.local!.port);
      this.register(call, true);
      if (this.config.maxCalls > 0 && this.callsCreated >= this.config.maxCalls) this.acceptingCalls = false;
      call.onMessage(message);
      return;
    }
    this.deps.stats.outOfCallMessage();
  };

  // ---- call bookkeeping ------------------------------------------------------------------

  /** @internal */ planAt(index: number): StepPlan | undefined {
    return this.plans[index];
  }

  /** @internal */ get stepCount(): number {
    return this.plans.length;
  }

  /** @internal */ get keywords(): RunKeywordValues {
    return this.runKeywords!;
  }

  /** @internal */ callEnded(call: Call, outcome: 'success' | 'failed' | 'aborted', reason: string): void {
    this.calls.delete(call.callId);
    const expiry = this.deps.scheduler.now() + this.config.deadCallWaitMs;
    this.deadCalls.set(call.callId, expiry);
    this.deadCallQueue.push([call.callId, expiry]);
    if (call.socketId !== 0) this.deps.transport.closeCallSocket(call.socketId);
    if (outcome === 'success') this.callsSucceeded++;
    else if (outcome === 'failed') this.callsFailed++;
    else this.callsAborted++;
    this.deps.events?.emit({
      kind: 'call-ended',
      at: this.deps.scheduler.now(),
      callId: call.callId,
      callNumber: call.callNumber,
      outcome,
      reason,
    });
    if (outcome !== 'aborted') this.checkFinished();
  }

  private checkFinished(): void {
    if (this.finishedFlag || !this.started || this.acceptingCalls || this.calls.size > 0) return;
    this.finish('completed');
  }

  private finish(reason: StopReason): void {
    if (this.finishedFlag) return;
    this.finishedFlag = true;
    this.generatorTimer?.cancel();
    this.sweepTimer?.cancel();
    this.resolveFinished({
      reason,
      callsCreated: this.callsCreated,
      callsSucceeded: this.callsSucceeded,
      callsFailed: this.callsFailed,
      callsAborted: this.callsAborted,
    });
  }

  private readonly sweepDeadCalls = (): void => {
    const now = this.deps.scheduler.now();
    const queue = this.deadCallQueue;
    let expired = 0;
    while (expired < queue.length && queue[expired]![1] <= now) {
      const [callId, expiry] = queue[expired]!;
      if (this.deadCalls.get(callId) === expiry) this.deadCalls.delete(callId);
      expired++;
    }
    if (expired > 0) queue.splice(0, expired);
    if (!this.finishedFlag) this.sweepTimer = this.deps.scheduler.setTimer(1000, this.sweepDeadCalls);
  };
}

function planSteps(scenario: Scenario, keywords: RunKeywordValues): StepPlan[] {
  let methodsSent = '';
  return scenario.steps.map((step) => {
    const plan: StepPlan = {
      step,
      bound: undefined,
      methodsSentBefore: methodsSent,
      isInvite: false,
      isAck: false,
    };
    if (step.kind === 'send') {
      plan.bound = step.template.bind(keywords);
      plan.isInvite = step.isRequest && step.method === 'INVITE';
      plan.isAck = step.isRequest && step.method === 'ACK';
      if (step.isRequest && step.method !== undefined && step.startTxn === undefined) methodsSent += step.method;
    }
    return plan;
  });
}

/**
 * One call (dialog) and the state SIPp keeps for it. Implements the keyword state that
 * templates read.
 */
class Call implements CallKeywordState {
  stepIndex = 0;
  cseq: number;
  lastMessage: SipMessage | undefined;
  peerTag = '';
  routes = '';
  nextUrl = '';
  ended = false;
  waitingForSocket = false;
  private lastRecvRaw: Buffer | undefined;
  private lastRecvIndex = -1;
  private lastSendIndex = -1;
  private lastSendData: Buffer | undefined;
  private retransTimer: TimerHandle | undefined;
  private retransCount = 0;
  private retransDelay = 0;
  private waitTimer: TimerHandle | undefined;
  private rtdStart: Map<string, number> | undefined;
  private rtdDone: Set<string> | undefined;
  private readonly startedAt: number;

  constructor(
    private readonly engine: Engine,
    readonly callId: string,
    readonly callNumber: number,
    readonly dest: Endpoint,
    public socketId: number,
    public localPort: number,
  ) {
    // The first request of a call carries -base_cseq.
    this.cseq = engine.config.baseCseq - 1;
    this.startedAt = engine.deps.scheduler.now();
  }

  // ---- stepping ---------------------------------------------------------------------------

  /** Execute steps from `stepIndex` until one has to wait (recv, pause) or the call ends. */
  run(): void {
    const engine = this.engine;
    while (!this.ended) {
      const plan = engine.planAt(this.stepIndex);
      if (plan === undefined) {
        this.succeed();
        return;
      }
      const step = plan.step;
      switch (step.kind) {
        case 'send':
          if (!this.send(plan, step)) return;
          this.completeStep(step);
          this.stepIndex = step.next ?? this.stepIndex + 1;
          break;
        case 'recv':
          this.armRecvTimeout(step);
          return;
        case 'pause': {
          engine.deps.stats.stepPaused?.(step.index);
          const ms = step.milliseconds ?? engine.config.defaultPauseMs;
          this.waitTimer = engine.deps.scheduler.setTimer(ms, this.pauseDone);
          return;
        }
        case 'timewait':
          engine.deps.stats.stepPaused?.(step.index);
          this.waitTimer = engine.deps.scheduler.setTimer(step.milliseconds, this.pauseDone);
          return;
        case 'nop':
          this.completeStep(step);
          this.stepIndex = step.next ?? this.stepIndex + 1;
          break;
      }
    }
  }

  private readonly pauseDone = (): void => {
    this.waitTimer = undefined;
    if (this.ended) return;
    const step = this.engine.planAt(this.stepIndex)!.step;
    this.completeStep(step);
    this.stepIndex = step.next ?? this.stepIndex + 1;
    this.run();
  };

  /** Statistics and RTD timers of a step that just completed. */
  private completeStep(step: Step): void {
    const stats = this.engine.deps.stats;
    if (step.kind === 'send') stats.stepSent(step.index);
    else if (step.kind === 'recv') stats.stepReceived(step.index);
    if (step.rtd.length > 0 || step.startRtd.length > 0) this.applyRtd(step);
  }

  private applyRtd(step: Step): void {
    const now = this.engine.deps.scheduler.now();
    this.rtdStart ??= new Map();
    this.rtdDone ??= new Set();
    for (const name of step.rtd) {
      if (this.rtdDone.has(name) && !step.repeatRtd) continue;
      // SIPp starts every RTD timer when the call is created.
      const start = this.rtdStart.get(name) ?? this.startedAt;
      this.engine.deps.stats.rtd(name, now - start);
      this.rtdDone.add(name);
    }
    for (const name of step.startRtd) {
      this.rtdStart.set(name, now);
      this.rtdDone.delete(name);
    }
  }

  // ---- sending ----------------------------------------------------------------------------

  private send(plan: StepPlan, step: SendStep): boolean {
    const engine = this.engine;
    // SIPp advances the call's CSeq before every request except ACK and CANCEL, which reuse it.
    if (step.isRequest && !plan.isAck && step.method !== 'CANCEL') this.cseq++;
    const data = plan.bound!.render(this);
    this.lastSendIndex = step.index;
    this.lastSendData = data;
    this.stopRetransmissions();
    const lost = step.lost !== undefined && engine.random() * 100 < step.lost;
    if (lost) engine.deps.stats.stepLost?.(step.index);
    if (!lost && !this.transmit(data, false)) {
      this.fail('cannot-send-message', `cannot send message ${step.index}`);
      return false;
    }
    if (step.retrans !== undefined && engine.config.retransmissions && engine.deps.transport.protocolName === 'UDP') {
      this.retransCount = 0;
      this.retransDelay = step.retrans;
      this.retransTimer = engine.deps.scheduler.setTimer(step.retrans, this.retransmit);
    }
    return true;
  }

  private transmit(data: Buffer, retransmission: boolean): boolean {
    const engine = this.engine;
    const ok = engine.deps.transport.send(this.socketId, data, this.dest);
    if (ok) {
      engine.deps.events?.emit({
        kind: 'message-sent',
        at: engine.deps.scheduler.now(),
        callId: this.callId,
        data,
        to: this.dest,
        retransmission,
      });
    }
    return ok;
  }

  private readonly retransmit = (): void => {
    this.retransTimer = undefined;
    if (this.ended || this.lastSendData === undefined) return;
    const engine = this.engine;
    const plan = engine.planAt(this.lastSendIndex)!;
    const step = plan.step as SendStep;
    this.retransCount++;
    const max = plan.isInvite ? engine.config.maxInviteRetrans : engine.config.maxNonInviteRetrans;
    if (this.retransCount > max) {
      engine.deps.stats.stepTimeout(step.index);
      if (step.onTimeout !== undefined) {
        engine.deps.events?.emit({
          kind: 'timeout-jump',
          at: engine.deps.scheduler.now(),
          callId: this.callId,
          on: 'retrans',
          stepIndex: this.stepIndex,
          target: step.onTimeout,
        });
        this.cancelWait();
        this.stepIndex = step.onTimeout;
        this.run();
        return;
      }
      this.fail('max-udp-retrans', `no answer to message ${step.index} after ${max} retransmissions`);
      return;
    }
    this.retransDelay *= 2;
    if (!plan.isInvite && this.retransDelay > T2_MS) this.retransDelay = T2_MS;
    this.transmit(this.lastSendData, true);
    engine.deps.stats.stepRetransmitted(step.index);
    this.retransTimer = engine.deps.scheduler.setTimer(this.retransDelay, this.retransmit);
  };

  private stopRetransmissions(): void {
    this.retransTimer?.cancel();
    this.retransTimer = undefined;
  }

  // ---- receiving ----------------------------------------------------------------------------

  private armRecvTimeout(step: RecvStep): void {
    if (this.waitTimer !== undefined) return;
    const ms = step.timeout ?? this.engine.config.recvTimeoutMs;
    if (ms > 0) this.waitTimer = this.engine.deps.scheduler.setTimer(ms, this.recvTimedOut);
  }

  private readonly recvTimedOut = (): void => {
    this.waitTimer = undefined;
    if (this.ended) return;
    const step = this.engine.planAt(this.stepIndex)!.step as RecvStep;
    this.engine.deps.stats.stepTimeout(step.index);
    if (step.onTimeout !== undefined) {
      this.engine.deps.events?.emit({
        kind: 'timeout-jump',
        at: this.engine.deps.scheduler.now(),
        callId: this.callId,
        on: 'recv',
        stepIndex: this.stepIndex,
        target: step.onTimeout,
      });
      this.stopRetransmissions();
      this.stepIndex = step.onTimeout;
      this.run();
      return;
    }
    this.fail('timeout-on-recv', `timeout waiting for message ${step.index}`);
  };

  private cancelWait(): void {
    this.waitTimer?.cancel();
    this.waitTimer = undefined;
  }

  onMessage(message: SipMessage): void {
    if (this.ended) return;
    const engine = this.engine;
    // A copy of the last message we took is a retransmission: answer it again, don't count it twice.
    if (this.lastRecvRaw !== undefined && message.raw.equals(this.lastRecvRaw)) {
      engine.deps.stats.retransmissionReceived(this.lastRecvIndex);
      if (this.lastSendIndex > this.lastRecvIndex && this.lastSendData !== undefined) {
        this.transmit(this.lastSendData, true);
        engine.deps.stats.stepRetransmitted(this.lastSendIndex);
      }
      return;
    }
    if (this.waitingForSocket) return;
    const found = this.findExpected(message);
    if (found === undefined) {
      engine.deps.stats.stepUnexpected(this.stepIndex);
      this.fail('unexpected-message', `unexpected ${describe(message)} at message ${this.stepIndex}`);
      return;
    }
    if (found < 0) return; // an old optional message, absorbed
    const step = engine.planAt(found)!.step as RecvStep;
    if (step.lost !== undefined && engine.random() * 100 < step.lost) {
      engine.deps.stats.stepLost?.(found);
      return;
    }
    this.cancelWait();
    this.stopRetransmissions();
    this.lastMessage = message;
    this.lastRecvRaw = message.raw;
    this.lastRecvIndex = found;
    const tag = message.isRequest ? message.fromTag : message.toTag;
    if (tag !== '') this.peerTag = tag;
    if (step.rrs) this.recordRouteSet(message);
    this.completeStep(step);
    this.stepIndex = step.next ?? found + 1;
    this.run();
  }

  /**
   * SIPp's matching: forward through optional recvs up to the first mandatory one; failing
   * that, backward through earlier recvs. Returns the step index, -1 for a stale optional
   * message that was absorbed, or undefined when the message is unexpected.
   */
  private findExpected(message: SipMessage): number | undefined {
    const engine = this.engine;
    const count = engine.stepCount;
    for (let i = this.stepIndex; i < count; i++) {
      const plan = engine.planAt(i)!;
      if (this.matches(plan, message)) return i;
      if (plan.step.kind !== 'recv' || !plan.step.optional) break;
    }
    let contiguous = true;
    for (let i = this.stepIndex - 1; i >= 0; i--) {
      const plan = engine.planAt(i)!;
      const step = plan.step;
      if (step.kind !== 'recv' || !step.optional) contiguous = false;
      if (!this.matches(plan, message)) continue;
      if (contiguous) return i;
      // A late response to an old INVITE: send the ACK again to quench its retransmissions.
      const nextPlan = engine.planAt(i + 1);
      if (!message.isRequest && message.cseqMethod === 'INVITE' && nextPlan?.isAck) {
        this.transmit(nextPlan.bound!.render(this), true);
      }
      return -1;
    }
    return undefined;
  }

  private matches(plan: StepPlan, message: SipMessage): boolean {
    const step = plan.step;
    if (step.kind !== 'recv') return false;
    if (step.request !== undefined) return message.isRequest && message.method === step.request;
    if (step.response === undefined || message.isRequest || message.statusCode !== step.response) return false;
    return step.index === 0 || plan.methodsSentBefore.includes(message.cseqMethod);
  }

  private recordRouteSet(message: SipMessage): void {
    const recordRoutes = message.headerValues('Record-Route');
    // A UAC uses the set in reverse order (RFC 3261 12.1.2); a UAS in the order received.
    const set = this.engine.mode === 'client' ? [...recordRoutes].reverse() : recordRoutes;
    this.routes = set.length > 0 ? `Route: ${set.join(', ')}` : '';
    const contact = message.header('Contact');
    if (contact !== undefined) {
      const open = contact.indexOf('<');
      const close = contact.indexOf('>', open + 1);
      this.nextUrl = open >= 0 && close > open ? contact.slice(open + 1, close) : contact.split(';')[0]!.trim();
    }
  }

  // ---- endings ------------------------------------------------------------------------------

  private succeed(): void {
    if (this.ended) return;
    this.end();
    this.engine.deps.stats.callSucceeded(this.length());
    this.engine.callEnded(this, 'success', 'scenario completed');
  }

  fail(cause: FailureCause, reason: string): void {
    if (this.ended) return;
    this.engine.deps.events?.emit({
      kind: 'call-failed',
      at: this.engine.deps.scheduler.now(),
      callId: this.callId,
      callNumber: this.callNumber,
      cause,
      stepIndex: this.stepIndex,
    });
    this.end();
    this.engine.deps.stats.callFailed(cause, this.length());
    this.engine.callEnded(this, 'failed', reason);
  }

  abort(): void {
    if (this.ended) return;
    this.end();
    this.engine.deps.stats.callAborted(this.length());
    this.engine.callEnded(this, 'aborted', 'run stopped');
  }

  private end(): void {
    this.ended = true;
    this.cancelWait();
    this.stopRetransmissions();
  }

  private length(): number {
    return this.engine.deps.scheduler.now() - this.startedAt;
  }
}

function describe(message: SipMessage): string {
  return message.isRequest ? `${message.method} request` : `${message.statusCode} response to ${message.cseqMethod}`;
}

import type { EventSink } from '../ports/event-sink.js';
import type { Scheduler, TimerHandle } from '../ports/scheduler.js';
import type { ConnectionEvent, Endpoint, Transport } from '../ports/transport.js';
import { formatEndpoint } from '../ports/transport.js';
import type { PauseStep, Scenario, RecvStep, SendStep, Step, TimewaitStep } from '../scenario/types.js';
import type { RecvCmdStep, SendCmdStep } from '../scenario/types.js';
import type { TwinChannel } from '../ports/twin-channel.js';
import type { MediaPort } from '../ports/media.js';
import type { RtpStreamCommand } from '../media/rtp-stream.js';
import { sdpAudioEndpoint } from '../media/sdp.js';
import { commandCallId, commandFrom, commandsStartCalls, commandText, isAbortCommand } from './twin.js';
import type { ThirdPartyRole } from './twin.js';
import { sippVariablePauseMs } from '../scenario/distribution.js';
import { VariableValue } from '../scenario/variables.js';
import { actionTexts } from '../scenario/actions.js';
import { parseSipMessage, SipParseError } from '../sip/message.js';
import type { SipMessage } from '../sip/message.js';
import type { FailedCallDetail, FailureCause, StatsRecorder } from '../stats/types.js';
import type {
  AuthorizationRequest,
  BoundTemplate,
  BoundText,
  CallKeywordState,
  RunKeywordValues,
  TextTemplate,
} from '../template/types.js';
import { runActions } from './actions.js';
import { defaultMessages } from './default-messages.js';
import type { DefaultMessageName } from './default-messages.js';
import { AuthError } from '../auth/errors.js';
import { buildAuthorization, parseChallenge, selectChallengeHeader, sippCnonces, sippDigestUri } from '../auth/digest.js';
import { resolveCredentials } from '../auth/keyword.js';
import { InjectionError } from '../inject/errors.js';
import type { CallLines, InjectionSet } from '../inject/set.js';
import type { ActionHost, ActionOutcome } from './actions.js';
import type { EngineConfig } from './config.js';
import { T2_MS } from './config.js';
import { parseCDouble } from '../scenario/sipp-values.js';
import { TdmMap } from './tdm-map.js';

export type EngineMode = 'client' | 'server';
/** `stop-now`: a scenario's `<exec int_cmd="stop_now"/>`; `fatal`: an `<error>` action or a scenario error at run time. */
export type StopReason = 'completed' | 'timeout' | 'signal' | 'fatal' | 'stop-now';

export interface EngineResult {
  reason: StopReason;
  /** With reason 'fatal': what stopped the run. */
  fatalError?: string;
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
  /** Uniform [0, 1) source for `lost=` and `chance=`; injectable for deterministic tests. */
  random?: () => number;
  /** `<exec command>`: runs a shell command without waiting (the CLI spawns /bin/sh -c). */
  runCommand?: (command: string) => void;
  /** Wall-clock ms since the epoch, for `<gettimeofday>`; Date.now by default. */
  wallClockMs?: () => number;
  /** The -inf files ([fieldN], lookup/insert/replace); the scenario was compiled against them. */
  injection?: InjectionSet;
  /** 3PCC: where `<sendCmd>` goes and `<recvCmd>` comes from. */
  twin?: TwinChannel;
  /** `<exec rtp_stream>` (-media_scale): synthetic RTP owned by calls (by call number). */
  media?: MediaPort;
  /** 3PCC: the run's role (see thirdPartyRole); commands for unknown calls start calls in some. */
  thirdPartyRole?: ThirdPartyRole;
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
  private boundTexts = new Map<TextTemplate, BoundText>();
  private defaults: Record<DefaultMessageName, BoundTemplate> | undefined;
  /** The run's `<Global>` variables by slot (other slots are unused). */
  readonly globals: VariableValue[];
  private fatalError: string | undefined;
  /** SIPp's cnonce sequence (glibc rand() from seed 1, as %x). */
  readonly nextCnonce = sippCnonces();
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
  /** scheduler.now() when the engine was made: [clock_tick] counts from here. */
  private readonly clockOrigin: number;
  /** SIPp's dynamic_id counter ([dynamic_id]), shared by every call. */
  private dynamicId: number;
  /**
   * -users: the users no call holds, SIPp's freeUsers deque (index 0 is its front): a new call
   * takes the back, an ended call's user goes to the front. So N, N-1, ... 1 first, then the
   * users in the order their calls ended.
   */
  private readonly freeUsers: number[] = [];
  /** -users: each user's `<User variables>`, made when the user first gets a call. */
  private readonly userVars = new Map<number, VariableValue[]>();
  /** -tdmmap: the circuits, one per call. */
  readonly tdmMap: TdmMap | undefined;

  constructor(
    readonly scenario: Scenario,
    readonly config: EngineConfig,
    readonly deps: EngineDeps,
  ) {
    this.mode = scenario.startsWithRecv ? 'server' : 'client';
    this.rate = config.rate;
    this.callLimit = config.callLimit;
    this.users = config.users;
    this.highestUser = Math.max(config.users, 0);
    this.random = deps.random ?? Math.random;
    this.clockOrigin = deps.scheduler.now();
    this.dynamicId = config.dynamicId.start;
    this.tdmMap = config.tdmMap === null ? undefined : new TdmMap(config.tdmMap);
    // SIPp 3.6.1 hands out N first, then N-1, ... (checked against the binary).
    for (let user = 1; user <= config.users; user++) this.freeUsers.push(user);
    this.finished = new Promise((resolve) => {
      this.resolveFinished = resolve;
    });
    this.unexpectedJump = scenario.labels.get('_unexp.main');
    this.unexpectedReturnSlot = scenario.variables.findIndex((v) => v.name === '_unexp.retaddr');
    this.globalOptionalSteps = scenario.steps
      .filter((s) => (s.kind === 'recv' || s.kind === 'recvCmd') && s.globalOptional === true)
      .map((s) => s.index);
    this.globals = scenario.variables.map((v) => (v.scope === 'global' ? new VariableValue() : EMPTY_VARIABLE));
    for (const [name, value] of Object.entries(config.globals)) {
      const slot = scenario.variables.findIndex((v) => v.name === name && v.scope === 'global');
      // The front end checks names (SIPp's "-set: Can not set the global variable ..."); a
      // name that is not a global here is ignored rather than created.
      if (slot >= 0) this.globals[slot]!.setString(value);
    }
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
    const remote = this.config.remote;
    const local = await this.deps.transport.open(this.config.transportOptions, this.onDatagram, {
      ...(remote !== undefined ? { remote } : {}),
      connectAtOpen: this.mode === 'client',
      onConnectionEvent: this.onConnectionEvent,
    });
    this.local = local;
    this.deps.twin?.onCommand(this.onTwinCommand);
    this.runKeywords = {
      ...this.config.keywords,
      localPort: local.port,
      serverIp: local.address,
      users: this.config.users,
      ...(this.deps.transport.socketPerSourceAddress === true ? { localIpPerCall: true } : {}),
    };
    this.plans = planSteps(this.scenario, this.runKeywords);
    this.boundTexts = bindActionTexts(this.scenario, this.runKeywords);
    const defaults = defaultMessages(this.scenario.defaultMessages);
    const keywords = this.runKeywords;
    this.defaults = {
      ack: defaults.ack.bind(keywords),
      bye: defaults.bye.bind(keywords),
      cancel: defaults.cancel.bind(keywords),
      '200': defaults['200'].bind(keywords),
    };
    return local;
  }

  /** Start generating calls (UAC) or answering them (UAS). */
  start(): void {
    if (this.runKeywords === undefined) throw new Error('Engine.start() before open()');
    if (this.started) return;
    this.started = true;
    this.sweepTimer = this.deps.scheduler.setTimer(1000, this.sweepDeadCalls);
    if (this.scenario.initSteps.length > 0) {
      const dest = this.config.remote ?? this.local!;
      new Call(this, 'init', 0, dest, 0, this.local!.port, 0, true).runInitialization(this.scenario.initSteps);
      if (this.finishedFlag) return;
    }
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

  /** Traffic paused (SIPp's 'p'): no new call until resumed. */
  get paused(): boolean {
    return this.trafficPaused;
  }
  private trafficPaused = false;

  /**
   * Pause or resume call generation (SIPp's 'p'). Calls under way go on; resuming restarts
   * the rate schedule from now, as SIPp's set_paused(false) does with set_rate(rate).
   */
  setPaused(paused: boolean): void {
    if (this.trafficPaused === paused) return;
    this.trafficPaused = paused;
    if (paused) {
      this.generatorTimer?.cancel();
      this.generatorTimer = undefined;
    } else if (this.mode === 'client' && this.started) {
      this.setRate(this.rate);
    }
  }

  /** The open-call limit in force (-l, or SIPp's default, which follows the rate). */
  get openCallLimit(): number {
    return this.callLimit;
  }
  private callLimit: number;

  /** Change the open-call limit (SIPp recomputes it on each rate change when -l is not given). */
  setCallLimit(limit: number): void {
    this.callLimit = limit;
  }

  /** -users: the number of users now (SIPp's `users`; -1 without -users). */
  get userCount(): number {
    return this.users;
  }
  private users: number;
  private highestUser: number;

  /**
   * -users: change the number of users (SIPp's rate keys in user mode, set_users). More users
   * get new numbers at the front of the free list; fewer users only lowers the target (SIPp
   * also retires the users of the calls that end over it; we keep them free).
   */
  setUsers(users: number): void {
    if (this.config.users < 0) return;
    const target = Math.max(0, Math.trunc(users));
    while (this.freeUsers.length + this.calls.size < target) this.freeUsers.unshift(++this.highestUser);
    this.users = target;
    this.callLimit = target;
    if (this.started && this.acceptingCalls && !this.trafficPaused && this.generatorTimer === undefined) {
      this.generatorTimer = this.deps.scheduler.setTimer(0, this.generate);
    }
  }

  /** Stop creating calls; the run ends when the open ones end (SIPp's 'q'). */
  stopNewCalls(): void {
    this.acceptingCalls = false;
    this.generatorTimer?.cancel();
    this.checkFinished();
  }

  /** A run-time error SIPp treats as fatal (an `<error>` action, a bad jump): stop with exit 255. */
  fatal(message: string, callId: string | undefined): void {
    this.deps.events?.emit({ kind: 'error', at: this.deps.scheduler.now(), callId, message });
    this.fatalError ??= message;
    this.stop('fatal');
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
    if (!this.acceptingCalls || this.finishedFlag || this.trafficPaused) return;
    if (this.config.users >= 0) {
      this.generateForUsers();
      return;
    }
    const { maxCalls, ratePeriodMs } = this.config;
    const callLimit = this.callLimit;
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

  /**
   * -users N (SIPp's user mode): no rate; N calls at once, and a new call as soon as one ends
   * (callEnded wakes this up), until -m.
   */
  private generateForUsers(): void {
    const { maxCalls } = this.config;
    const users = this.users;
    let toCreate = Math.min(users - this.calls.size, this.freeUsers.length);
    if (maxCalls > 0) toCreate = Math.min(toCreate, maxCalls - this.callsCreated);
    for (let i = 0; i < toCreate; i++) this.createClientCall();
    if (maxCalls > 0 && this.callsCreated >= maxCalls) {
      this.acceptingCalls = false;
      this.checkFinished();
    }
  }

  private createClientCall(): void {
    const remote = this.config.remote;
    if (remote === undefined) throw new Error('client scenario without a remote address');
    const callNumber = this.nextCallNumber++;
    const callId = `${callNumber}-${this.config.keywords.pid}@${this.config.keywords.localIp}`;
    const call = new Call(this, callId, callNumber, remote, 0, this.local!.port, this.freeUsers.pop() ?? 0);
    this.register(call, false);
    if (this.deps.transport.socketPerCall) {
      let source: string | undefined;
      if (this.config.sourceAddressField !== null) {
        source = call.sourceAddress(this.config.sourceAddressField);
        if (call.ended) return;
      }
      call.waitingForSocket = true;
      this.deps.transport.openCallSocket(source).then(
        ({ socketId, local }) => {
          call.socketId = socketId;
          call.localPort = local.port;
          call.localIp = local.address;
          call.waitingForSocket = false;
          if (!call.ended) call.run();
          else this.deps.transport.closeCallSocket(socketId);
        },
        (error: unknown) => {
          const reason = (error as Error)?.message ?? String(error);
          if (this.deps.transport.connectionOriented === true) call.fail('tcp-connect', `cannot open a connection for the call: ${reason}`);
          else call.fail('cannot-send-message', `cannot open a socket for the call: ${reason}`);
        },
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
    // -tdmmap: every call needs a circuit (SIPp: the call fails as outbound congestion).
    if (this.tdmMap !== undefined) {
      call.tdmNumber = this.tdmMap.take();
      if (call.tdmNumber === 0) {
        this.deps.events?.emit({
          kind: 'error',
          at: this.deps.scheduler.now(),
          callId: call.callId,
          message: "Can't create new outgoing call: all tdm_map circuits busy",
        });
        call.fail('outbound-congestion', 'all tdm_map circuits busy');
      }
    }
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
      this.sipStartsCalls() &&
      this.acceptingCalls &&
      this.started &&
      message.isRequest &&
      message.method !== 'ACK' &&
      (this.config.maxCalls === 0 || this.callsCreated < this.config.maxCalls)
    ) {
      const call = new Call(this, message.callId, this.nextCallNumber++, from, socketId, this.local!.port);
      if (this.deps.transport.socketPerSourceAddress === true) {
        // -t ui: the call runs on the address the request reached.
        const local = this.deps.transport.localOf?.(socketId);
        if (local !== undefined) {
          call.localIp = local.address;
          call.localPort = local.port;
        }
      }
      // SIPp counts a call of a 3PCC A passive / master passive as outgoing, whatever starts it.
      this.register(call, !commandsStartCalls(this.deps.thirdPartyRole));
      if (this.config.maxCalls > 0 && this.callsCreated >= this.config.maxCalls) this.acceptingCalls = false;
      call.onMessage(message);
      return;
    }
    this.deps.stats.outOfCallMessage();
  };

  // ---- connection events (TCP, TLS) ---------------------------------------------------

  private readonly onConnectionEvent = (event: ConnectionEvent): void => {
    const now = this.deps.scheduler.now();
    switch (event.kind) {
      case 'stream-error':
        this.deps.stats.malformedMessage();
        this.deps.events?.emit({
          kind: 'error',
          at: now,
          callId: undefined,
          message: `malformed SIP stream from ${formatEndpoint(event.peer)}: ${event.reason}`,
        });
        return;
      case 'tls-handshake-failed':
        this.deps.stats.transportEvent?.('tls-handshake-failed');
        this.deps.events?.emit({
          kind: 'error',
          at: now,
          callId: undefined,
          message: `TLS handshake with ${formatEndpoint(event.peer)} failed: ${event.reason}`,
        });
        return;
      case 'connection-lost': {
        let failed = 0;
        if (event.failCalls) {
          const cause = event.cause === 'refused' ? 'tcp-connect' : 'tcp-closed';
          for (const call of [...this.calls.values()]) {
            if (call.socketId === event.socketId && !call.waitingForSocket) {
              call.connectionLost(cause, `connection ${event.cause}: ${event.reason}`);
              if (call.failedOnConnection) failed++;
            }
          }
        }
        // A peer closing a connection that carried no call in progress is routine (SIPp's tn
        // client closes its connection after each call): not worth a line or a count.
        if (failed > 0 || event.socketId === 0 || event.cause !== 'closed') {
          this.deps.stats.transportEvent?.('connection-lost');
          const what = event.reconnecting ? 'reconnecting' : 'not reconnecting';
          this.deps.events?.emit({
            kind: 'error',
            at: now,
            callId: undefined,
            message: `connection to ${formatEndpoint(event.peer)} lost (${event.cause}): ${event.reason}; ${failed} call(s) failed; ${what}`,
          });
        }
        // SIPp: a client that loses its one connection and may not reconnect stops (exit 255).
        if (this.mode === 'client' && event.socketId === 0 && !event.reconnecting && this.started && !this.finishedFlag) {
          this.fatal(`connection to ${formatEndpoint(event.peer)} lost (${event.reason}) and -max_reconnect allows no new one`, undefined);
        }
        return;
      }
    }
  };

  // ---- 3PCC twin commands -------------------------------------------------------------

  /** A 3PCC controller B or slave starts its calls from commands only (SIPp's server branch does not apply). */
  private sipStartsCalls(): boolean {
    const role = this.deps.thirdPartyRole;
    return role !== 'controller-b' && role !== 'slave';
  }

  /** A twin command arrived (SIPp's process_message for a control socket). */
  private readonly onTwinCommand = (data: Buffer): void => {
    const text = data.toString('latin1');
    const callId = commandCallId(text);
    const now = this.deps.scheduler.now();
    this.deps.events?.emit({ kind: 'command-received', at: now, callId, data });
    if (callId === '') {
      this.deps.events?.emit({ kind: 'error', at: now, callId: undefined, message: 'twin command without Call-ID discarded' });
      return;
    }
    const call = this.calls.get(callId);
    if (call !== undefined) {
      call.onCommand(text);
      return;
    }
    if (this.deadCalls.has(callId)) {
      this.deps.stats.deadCallMessage();
      return;
    }
    if (
      commandsStartCalls(this.deps.thirdPartyRole) &&
      this.acceptingCalls &&
      this.started &&
      (this.config.maxCalls === 0 || this.callsCreated < this.config.maxCalls)
    ) {
      // SIPp: "Adding a new OUTGOING call" with the command's Call-ID, sent to the remote host.
      const remote = this.config.remote ?? { address: this.config.keywords.remoteIp, port: this.config.keywords.remotePort };
      const created = new Call(this, callId, this.nextCallNumber++, remote, 0, this.local!.port);
      this.register(created, false);
      if (this.config.maxCalls > 0 && this.callsCreated >= this.config.maxCalls) this.acceptingCalls = false;
      created.onCommand(text);
      return;
    }
    this.deps.stats.outOfCallMessage();
    this.deps.events?.emit({
      kind: 'error',
      at: now,
      callId,
      message: `Discarding twin command which can't be mapped to a known call: ${callId}`,
    });
  };

  // ---- call bookkeeping ------------------------------------------------------------------

  /** Indexes of the `optional="global"` recvs. */
  readonly globalOptionalSteps: readonly number[];
  /** Where an unexpected message goes (the `_unexp.main` label), and the slot of `_unexp.retaddr` (-1: none). */
  readonly unexpectedJump: number | undefined;
  readonly unexpectedReturnSlot: number;

  /** @internal */ planAt(index: number): StepPlan | undefined {
    return this.plans[index];
  }

  /** @internal */ get stepCount(): number {
    return this.plans.length;
  }

  /** @internal */ get keywords(): RunKeywordValues {
    return this.runKeywords!;
  }

  /** @internal */ defaultMessage(name: DefaultMessageName): BoundTemplate {
    return this.defaults![name];
  }

  /** @internal The `<User variables>` of a -users user, by slot (other slots unused). */ userVariables(userId: number): VariableValue[] {
    let vars = this.userVars.get(userId);
    if (vars === undefined) {
      vars = this.scenario.variables.map((v) => (v.scope === 'user' ? new VariableValue() : EMPTY_VARIABLE));
      this.userVars.set(userId, vars);
    }
    return vars;
  }

  /** @internal */ clockTick(): number {
    return Math.floor(this.deps.scheduler.now() - this.clockOrigin);
  }

  /** @internal SIPp: print the counter, add the step, back to the start past the maximum. */ nextDynamicId(): number {
    const value = this.dynamicId;
    const { start, step, max } = this.config.dynamicId;
    // SIPp's int arithmetic (it prints the value as %u).
    this.dynamicId = (this.dynamicId + step) | 0;
    if (this.dynamicId > max) this.dynamicId = start;
    return value;
  }

  /** @internal */ boundText(text: TextTemplate): BoundText {
    return this.boundTexts.get(text)!;
  }

  /** @internal */ callEnded(call: Call, outcome: 'success' | 'failed' | 'aborted', reason: string): void {
    this.calls.delete(call.callId);
    this.tdmMap?.release(call.tdmNumber);
    // SIPp gives the user back to the front of its free list (push_front; calls take the back).
    if (call.userId > 0) {
      this.freeUsers.unshift(call.userId);
      // User mode: the freed user starts a new call, once this call's processing is over.
      if (this.acceptingCalls && this.generatorTimer === undefined) this.generatorTimer = this.deps.scheduler.setTimer(0, this.generate);
    }
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
      ...(reason === 'fatal' && this.fatalError !== undefined ? { fatalError: this.fatalError } : {}),
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

/** Stands in for the call-scoped slots of Engine.globals; never written. */
const EMPTY_VARIABLE = new VariableValue();

function bindActionTexts(scenario: Scenario, keywords: RunKeywordValues): Map<TextTemplate, BoundText> {
  const bound = new Map<TextTemplate, BoundText>();
  for (const step of [...scenario.initSteps, ...scenario.steps]) {
    for (const action of step.actions) {
      for (const text of actionTexts(action)) bound.set(text, text.bind(keywords));
    }
  }
  return bound;
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
    if (step.kind === 'sendCmd') plan.bound = step.template.bind(keywords);
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
class Call implements CallKeywordState, ActionHost {
  stepIndex = 0;
  cseq: number;
  lastMessage: SipMessage | undefined;
  peerTag = '';
  routes = '';
  nextUrl = '';
  ended = false;
  waitingForSocket = false;
  /** The address this call sends from: the run's main socket, or its own address under -t ui. */
  localIp: string;
  /** -tdmmap: this call's circuit (1-based), 0 when none. */
  tdmNumber = 0;
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
  /** Variables by slot; global slots share the engine's values. Undefined when the scenario has none. */
  private readonly vars: VariableValue[] | undefined;
  /** A failed `check_it` (SIPp's last_action_result): the call fails with it when it ends. */
  private checkFailed: FailureCause | undefined;
  /** The -inf line of each file for this call. */
  private readonly lines: CallLines | undefined;
  /** Via branch of each request that started a named transaction (`start_txn`). */
  private txnBranches: Map<string, string> | undefined;
  /** SIPp's ack_is_pending: a 2xx to an INVITE came and no ACK went yet. */
  private ackPending = false;
  /** SIPp's call_established: an ACK went out. */
  private established = false;
  /** An unexpected message that jumped to `_unexp.main`, handed to the next recv. */
  private queued: SipMessage | undefined;
  /** The last challenge taken by a `<recv auth="true">`, and how many answers it got. */
  private challenge: { status: number; header: string; answers: number } | undefined;

  constructor(
    private readonly engine: Engine,
    readonly callId: string,
    readonly callNumber: number,
    public dest: Endpoint,
    public socketId: number,
    public localPort: number,
    /** -users: this call's user (1..N), 0 without -users and for incoming calls. */
    readonly userId: number = 0,
    /** The `<init>` call: no -inf lines, never counted. */
    initialization = false,
  ) {
    // The first request of a call carries -base_cseq.
    this.cseq = engine.config.baseCseq - 1;
    this.localIp = engine.localEndpoint?.address ?? engine.config.keywords.localIp;
    this.startedAt = engine.deps.scheduler.now();
    const injection = engine.deps.injection;
    if (!initialization && injection !== undefined && injection.size > 0) {
      try {
        this.lines = injection.linesForNewCall({ userId, random: engine.random });
      } catch (error) {
        if (!(error instanceof InjectionError)) throw error;
        engine.fatal(error.message, callId);
      }
    }
    const variables = engine.scenario.variables;
    if (variables.length > 0) {
      // -users: <User variables> belong to the user and outlive its calls (SIPp's userVarMap).
      const userVars = userId > 0 ? engine.userVariables(userId) : undefined;
      this.vars = variables.map((v, slot) =>
        v.scope === 'global' ? engine.globals[slot]! : v.scope === 'user' && userVars ? userVars[slot]! : new VariableValue(),
      );
    }
  }

  /** SIPp's `<init>`: run its nops' actions once, before any call (to set globals, say). */
  runInitialization(steps: readonly Step[]): void {
    // Bounded: a `next` loop in <init> would otherwise never let the run start.
    for (let i = 0, guard = 0; i < steps.length && guard < 100_000; guard++) {
      const step = steps[i]!;
      this.stepIndex = step.index;
      if (this.runsStep(step)) {
        const outcome = runActions(step.actions, '', this);
        if (outcome.kind !== 'continue') return;
      }
      i = this.nextIndex(step);
    }
  }

  // ---- variables and actions ----------------------------------------------------------------

  variable(slot: number): VariableValue {
    return this.vars![slot]!;
  }

  variableText(slot: number): string {
    return this.vars?.[slot]?.render() ?? '';
  }

  variableDouble(slot: number): number {
    return this.vars?.[slot]?.getDouble() ?? 0;
  }

  clockTick(): number {
    return this.engine.clockTick();
  }

  nextDynamicId(): number {
    return this.engine.nextDynamicId();
  }

  keywordError(message: string): void {
    this.fatal(message);
  }

  tdmmapText(): string | undefined {
    return this.engine.tdmMap?.render(this.tdmNumber);
  }

  get stepCount(): number {
    return this.engine.stepCount;
  }

  /**
   * -t ui: the address this call sends from, field `field` of its line of the first -inf file.
   * A call without one (no line for its user, an empty field) fails before sending anything.
   */
  sourceAddress(field: number): string | undefined {
    const address = this.injected((set) => set.fieldText(this.lines, set.defaultName ?? '', field), '');
    if (address !== '' || this.ended) return address === '' ? undefined : address;
    this.fail('cannot-send-message', `-t ui: no source address for call ${this.callNumber} (field ${field} of its -inf line is empty)`);
    return undefined;
  }

  fieldText(file: string, field: number, lineText: string | undefined): string {
    return this.injected((set) => set.fieldText(this.lines, file, field, lineText), '');
  }

  /** Run an operation on the -inf files; SIPp stops the run on their errors. */
  injected<T>(operation: (set: InjectionSet) => T, fallback: T): T {
    const set = this.engine.deps.injection;
    try {
      if (set === undefined) throw new InjectionError('', undefined, 'No injection file was specified!');
      return operation(set);
    } catch (error) {
      if (!(error instanceof InjectionError)) throw error;
      this.fatal(error.message);
      return fallback;
    }
  }

  authorization(input: AuthorizationRequest): string {
    const engine = this.engine;
    if (input.error !== undefined) {
      this.fatal(input.error);
      return '';
    }
    if (this.challenge === undefined) {
      this.fatal('[authentication] without a challenge: no <recv response="401|407" auth="true"> took one');
      return '';
    }
    const challenge = parseChallenge(this.challenge.header);
    if (challenge instanceof AuthError) {
      this.fatal(challenge.message);
      return '';
    }
    const { auth } = engine.config;
    const credentials = resolveCredentials(input, {
      ...(auth.username !== undefined ? { authUsername: auth.username } : {}),
      ...(auth.password !== undefined ? { authPassword: auth.password } : {}),
      service: engine.keywords.service,
    });
    try {
      return buildAuthorization({
        challenge,
        proxy: this.challenge.status !== 401,
        method: input.method,
        uri: sippDigestUri(this.dest.address, this.dest.port, auth.uri),
        body: input.body,
        ...credentials,
        nc: ++this.challenge.answers,
        cnonce: engine.nextCnonce(),
      });
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      this.fatal(error.message);
      return '';
    }
  }

  /** `<recv auth="true">`: keep the response's challenge for the next [authentication]. */
  private takeChallenge(message: SipMessage): void {
    const header = selectChallengeHeader((name) => message.header(name));
    if (header !== undefined) this.challenge = { status: message.statusCode, header, answers: 0 };
  }

  render(text: TextTemplate): string {
    return this.engine.boundText(text).render(this);
  }

  log(text: string): void {
    this.engine.deps.events?.emit({ kind: 'log', at: this.engine.deps.scheduler.now(), callId: this.callId, text });
  }

  warn(text: string): void {
    this.engine.deps.events?.emit({ kind: 'error', at: this.engine.deps.scheduler.now(), callId: this.callId, message: text });
  }

  fatal(text: string): void {
    this.engine.fatal(text, this.callId);
  }

  /** True once the call started RTP: its streams are freed when it ends. */
  private hasMedia = false;

  rtpStream(command: RtpStreamCommand): void {
    const media = this.engine.deps.media;
    if (media === undefined) {
      this.warn('<exec rtp_stream> needs -media_scale (synthetic RTP at scale)');
      return;
    }
    switch (command.op) {
      case 'synthetic': {
        const body = this.lastMessage?.body.toString('latin1') ?? '';
        const remote = sdpAudioEndpoint(body);
        if (remote === undefined) {
          this.warn('<exec rtp_stream>: the last message has no SDP audio endpoint (c= and m=audio); no RTP sent');
          return;
        }
        const keywords = this.engine.config.keywords;
        media.startStream(this.callNumber, {
          remoteHost: remote.address,
          remotePort: remote.port,
          localHost: keywords.mediaIp,
          localPort: 0,
          codec: command.codec.codec,
          payloadType: command.codec.payloadType,
          clockRate: command.codec.clockRate,
          ptimeMs: command.ptimeMs,
          pattern: command.pattern,
          durationMs: command.durationMs,
          startDelayMs: 0,
        });
        this.hasMedia = true;
        return;
      }
      case 'pause':
        media.pauseOwner(this.callNumber);
        return;
      case 'resume':
        media.resumeOwner(this.callNumber);
        return;
      case 'stop':
        media.stopOwner(this.callNumber);
        this.hasMedia = false;
        return;
    }
  }

  runCommand(command: string): void {
    const run = this.engine.deps.runCommand;
    if (run !== undefined) run(command);
    else this.warn(`<exec command> is not available here: ${command}`);
  }

  stopGracefully(): void {
    this.engine.stopNewCalls();
  }

  stopNow(): void {
    this.engine.stop('stop-now');
  }

  setDestination(host: string, port: string, protocol: string): string | undefined {
    const number = parseCDouble(port);
    if (number === undefined) return `Invalid port for setdest: ${port}`;
    if (protocol.toUpperCase() !== this.engine.deps.transport.protocolName) {
      return protocol.match(/^(udp|tcp|tls|sctp)$/i) ? 'Can not switch protocols during setdest.' : `Unknown transport for setdest: '${protocol}'`;
    }
    const address = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    // Name resolution is I/O, which the core does not do: setdest takes an address.
    if (!isIpAddress(address)) return `setdest: "${host}" is not an IP address (host names are not resolved here)`;
    this.dest = { address, port: Math.trunc(number) };
    return undefined;
  }

  wallClockMs(): number {
    return (this.engine.deps.wallClockMs ?? Date.now)();
  }

  get random(): () => number {
    return this.engine.random;
  }

  /**
   * Run a step's actions; false when the call or the run ended. `message`: the text of the
   * message just sent or received. Sets stepIndex to where the call goes next.
   */
  private act(step: Step, message: Buffer | undefined): boolean {
    let outcome: ActionOutcome | undefined;
    if (step.actions.length > 0) {
      const text = message === undefined ? '' : message.toString('latin1');
      outcome = runActions(step.actions, text, this);
      if (outcome.kind === 'stop-call') {
        this.fail('call-rejected', `call stopped by <exec int_cmd="stop_call"> at message ${step.index}`);
        return false;
      }
      if (outcome.kind === 'halted' || this.ended) return false;
      if (outcome.checkFailed !== undefined) this.checkFailed = outcome.checkFailed;
      if (outcome.jumpTo !== undefined) {
        // SIPp's jump sets msg_index to target - 1, then takes that message's next/test/chance.
        const before = outcome.jumpTo - 1;
        this.stepIndex = before < 0 ? 0 : this.nextIndex(this.engine.planAt(before)!.step);
        return true;
      }
    }
    this.stepIndex = this.nextIndex(step);
    return true;
  }

  /** SIPp's call::next(): `next` when its `test` variable is set, with probability `chance`. */
  private nextIndex(step: Step): number {
    if (step.next === undefined) return step.index + 1;
    if (step.test !== undefined && !this.variable(step.test).isSet()) return step.index + 1;
    if (step.chance !== undefined && !(this.engine.random() < step.chance)) return step.index + 1;
    return step.next;
  }

  /** How long this pause waits, as SIPp draws and rounds it. */
  private pauseMs(step: PauseStep | TimewaitStep): number {
    if (step.variable !== undefined) return sippVariablePauseMs(this.variable(step.variable).getDouble());
    if (step.pause.kind === 'variable') return 0;
    return step.pause.distribution.pauseMs(this.engine.random, this.engine.config.defaultPauseMs);
  }

  /** `condexec`: whether the step runs. */
  private runsStep(step: Step): boolean {
    if (step.condexec === undefined) return true;
    return this.variable(step.condexec).isSet() !== step.condexecInverse;
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
      if (!this.runsStep(step)) {
        this.stepIndex = this.nextIndex(step);
        continue;
      }
      switch (step.kind) {
        case 'send':
          if (!this.send(plan, step)) return;
          this.completeStep(step);
          if (!this.act(step, this.lastSendData)) return;
          break;
        case 'recv': {
          this.armRecvTimeout(step);
          const queued = this.queued;
          if (queued !== undefined) {
            this.queued = undefined;
            this.onMessage(queued);
          }
          return;
        }
        case 'pause':
        case 'timewait':
          engine.deps.stats.stepPaused?.(step.index);
          this.waitTimer = engine.deps.scheduler.setTimer(this.pauseMs(step), this.pauseDone);
          return;
        case 'nop':
          this.completeStep(step);
          if (!this.act(step, undefined)) return;
          break;
        case 'sendCmd':
          if (!this.sendCommand(plan, step)) return;
          this.completeStep(step);
          if (!this.act(step, undefined)) return;
          break;
        case 'recvCmd':
          this.armRecvTimeout(step);
          return;
      }
    }
  }

  private readonly pauseDone = (): void => {
    this.waitTimer = undefined;
    if (this.ended) return;
    const step = this.engine.planAt(this.stepIndex)!.step;
    this.completeStep(step);
    // SIPp runs no actions on a pause; it takes its next/test/chance.
    this.stepIndex = this.nextIndex(step);
    this.run();
  };

  /** Statistics and RTD timers of a step that just completed. */
  private completeStep(step: Step): void {
    const stats = this.engine.deps.stats;
    if (step.kind === 'send' || step.kind === 'sendCmd') stats.stepSent(step.index);
    else if (step.kind === 'recv' || step.kind === 'recvCmd') stats.stepReceived(step.index);
    if (step.rtd.length > 0 || step.startRtd.length > 0) this.applyRtd(step);
    if (step.counter !== undefined) stats.counter?.(step.counter);
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
    if (step.startTxn !== undefined) this.startTransaction(step.startTxn, data);
    // A keyword that stopped the run (keywordError): SIPp exits before sending.
    if (this.ended) return false;
    if (plan.isAck) {
      this.ackPending = false;
      this.established = true;
    }
    this.lastSendIndex = step.index;
    this.lastSendData = data;
    this.stopRetransmissions();
    const lost = step.lost !== undefined && engine.random() * 100 < step.lost;
    if (lost) engine.deps.stats.stepLost?.(step.index);
    if (!lost && !this.transmit(data, false)) {
      this.fail('cannot-send-message', `cannot send message ${step.index}`);
      return false;
    }
    // No retransmissions on a reliable transport (RFC 3261 17.1.1.2; SIPp neither).
    if (step.retrans !== undefined && engine.config.retransmissions && engine.deps.transport.connectionOriented !== true) {
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
      this.fail('max-udp-retrans', `no answer to message ${step.index} after ${max} retransmissions`, undefined, true);
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

  private armRecvTimeout(step: RecvStep | RecvCmdStep): void {
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
    this.fail('timeout-on-recv', `timeout waiting for message ${step.index}`, undefined, true);
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
    if (!message.isRequest && message.cseqMethod === 'INVITE' && message.statusCode >= 200 && message.statusCode < 300) {
      this.ackPending = true;
    }
    const found = this.findExpected(message);
    if (found === undefined) {
      this.unexpected(message);
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
    if (step.auth && !message.isRequest) this.takeChallenge(message);
    this.completeStep(step);
    const before = this.stepIndex;
    this.stepIndex = found;
    if (!this.act(step, message.raw)) return;
    if (step.advanceState === false) this.stepIndex = before;
    this.run();
  }

  // ---- unexpected messages and SIPp's default behaviours ----------------------------------------

  /** SIPp's process_incoming when nothing matched: `_unexp.main`, the automatic answers, or abort. */
  private unexpected(message: SipMessage): void {
    const engine = this.engine;
    const unexpectedJump = engine.unexpectedJump;
    if (unexpectedJump !== undefined) {
      const retaddr = engine.unexpectedReturnSlot;
      const recursive = retaddr >= 0 && this.variable(retaddr).getDouble() !== 0;
      if (!recursive) {
        if (retaddr >= 0) this.variable(retaddr).setDouble(this.stepIndex);
        this.cancelWait();
        this.stopRetransmissions();
        this.stepIndex = unexpectedJump;
        this.queued = message;
        this.run();
        return;
      }
    } else if (message.isRequest) {
      const method = message.method;
      if (method === 'BYE' || method === 'CANCEL') {
        this.unexpectedByeOrCancel(message);
        return;
      }
      if (method === 'PING') {
        this.answerPing(message);
        return;
      }
      if (engine.config.autoAnswer && AUTO_ANSWERED.has(method)) {
        this.autoAnswer(message);
        return;
      }
    }
    this.processUnexpected(message);
  }

  /** SIPp's process_unexpected: abort the call (telling the peer), or go on without it. */
  private processUnexpected(message: SipMessage): void {
    const engine = this.engine;
    engine.deps.stats.stepUnexpected(this.stepIndex);
    const what = `unexpected ${describe(message)} at message ${this.stepIndex}`;
    if (!engine.config.defaultBehaviors.abortUnexpected) {
      this.warn(`Continuing call on unexpected message for Call-Id '${this.callId}': ${what}`);
      return;
    }
    // The abort messages' [last_*] are those of the unexpected message, as in SIPp.
    this.lastMessage = message;
    this.fail('unexpected-message', what, message, true);
  }

  private unexpectedByeOrCancel(message: SipMessage): void {
    const engine = this.engine;
    this.lastMessage = message;
    engine.deps.stats.stepUnexpected(this.stepIndex);
    if (!engine.config.defaultBehaviors.abortUnexpected) {
      this.warn(`Continuing call on an unexpected ${message.method} for call: ${this.callId}`);
      return;
    }
    if (engine.config.defaultBehaviors.bye) this.sendDefault('200');
    this.fail('unexpected-message', `unexpected ${message.method} at message ${this.stepIndex}`, message);
  }

  /** A PING in a call: a 200, and the call ends uncounted (SIPp deletes it). */
  private answerPing(message: SipMessage): void {
    const engine = this.engine;
    this.lastMessage = message;
    if (!engine.config.defaultBehaviors.pingReply) {
      this.warn(`Do not answer on an unexpected PING for call: ${this.callId}`);
      return;
    }
    this.sendDefault('200');
    engine.deps.stats.autoAnswered?.();
    this.end();
    engine.deps.stats.callDropped?.(this.length());
    engine.callEnded(this, 'aborted', 'answered an unexpected PING');
  }

  /** -aa: a 200 to an unexpected INFO, NOTIFY, OPTIONS or UPDATE; the call goes on as before. */
  private autoAnswer(message: SipMessage): void {
    const previous = this.lastMessage;
    this.lastMessage = message;
    this.sendDefault('200');
    this.lastMessage = previous;
    this.engine.deps.stats.autoAnswered?.();
  }

  /**
   * SIPp's abortCall for a client call, when `bye` is on: an ACK to an error response, an
   * ACK and BYE after an unacknowledged 2xx, a CANCEL while an INVITE is pending, a BYE once
   * established; nothing before any answer.
   */
  private sendAbortMessages(): void {
    const engine = this.engine;
    if (engine.mode !== 'client' || !engine.config.defaultBehaviors.bye || this.stepIndex === 0) return;
    const received = this.lastMessage;
    const lastSentInvite = this.lastSendIndex >= 0 && engine.planAt(this.lastSendIndex)!.isInvite;
    if (!this.established && lastSentInvite) {
      if (received === undefined) return;
      if (!received.isRequest && received.statusCode >= 400) {
        this.sendDefault('ack');
      } else if (this.ackPending) {
        this.ackPending = false;
        this.sendDefault('ack');
        this.sendDefault('bye');
      } else {
        this.sendDefault('cancel');
      }
    } else if (received !== undefined) {
      this.sendDefault('bye');
    }
  }

  private sendDefault(name: DefaultMessageName): void {
    this.transmit(this.engine.defaultMessage(name).render(this), false);
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
    // optional="global" recvs take their message wherever the call is.
    for (const i of engine.globalOptionalSteps) {
      if (this.matches(engine.planAt(i)!, message)) return i;
    }
    return undefined;
  }

  /** `start_txn="name"`: responses to this request are told apart by its Via branch (SIPp's txnID). */
  private startTransaction(name: string, data: Buffer): void {
    const sent = parseSipMessage(data);
    this.txnBranches ??= new Map();
    this.txnBranches.set(name, sent instanceof SipParseError ? '' : sent.topViaBranch);
  }

  private matches(plan: StepPlan, message: SipMessage): boolean {
    const step = plan.step;
    if (step.kind !== 'recv') return false;
    if (step.responseTxn !== undefined) {
      return (
        !message.isRequest &&
        message.statusCode === step.response &&
        this.txnBranches?.get(step.responseTxn) === message.topViaBranch
      );
    }
    if (step.requestRegexp !== undefined) return message.isRequest && step.requestRegexp.test(message.method);
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

  // ---- 3PCC twin commands ----------------------------------------------------------------------

  /** `<sendCmd>`: render the command and hand it to the twin channel (SIPp's sendCmdMessage). */
  private sendCommand(plan: StepPlan, step: SendCmdStep): boolean {
    const twin = this.engine.deps.twin;
    let data = plan.bound!.render(this);
    // SIPp ends a command with an empty line only when it has none: a variable that brought
    // a body (3pcc-C-A's [$1], an SDP) is sent as it is.
    if (step.endsWithAddedBlankLine && data.length > 4 && data.subarray(0, data.length - 4).includes('\r\n\r\n')) {
      data = data.subarray(0, data.length - 4);
    }
    if (twin === undefined || !twin.send(data, step.dest)) {
      this.fail('cmd-not-sent', `cannot send twin command ${step.index}${step.dest !== undefined ? ` to ${step.dest}` : ''}`);
      return false;
    }
    const events = this.engine.deps.events;
    if (events !== undefined) {
      const at = this.engine.deps.scheduler.now();
      events.emit({ kind: 'command-sent', at, callId: this.callId, data: Buffer.from(data), dest: step.dest });
    }
    return true;
  }

  /** A twin command for this call (SIPp's process_twinSippCom). */
  onCommand(command: string): void {
    if (this.ended) return;
    const engine = this.engine;
    if (isAbortCommand(command)) {
      // SIPp aborts the call and counts it failed (no cause column of its own).
      this.fail('call-rejected', 'call aborted by a twin "internal-cmd: abort_call"');
      return;
    }
    let found: number | undefined;
    for (let i = this.stepIndex; i < engine.stepCount; i++) {
      const step = engine.planAt(i)!.step;
      if (step.kind !== 'recvCmd') {
        if (step.kind === 'recv' && step.optional) continue;
        break;
      }
      if (engine.deps.thirdPartyRole === 'master' || engine.deps.thirdPartyRole === 'master-passive' || engine.deps.thirdPartyRole === 'slave') {
        if (step.src === undefined || commandFrom(command) !== step.src) {
          this.warn(`Unexpected sender for the received peer message \n${command}`);
          this.fail('call-rejected', `twin command from an unexpected sender at message ${i}`);
          return;
        }
      }
      found = i;
      break;
    }
    // optional="global" recvCmds take a command wherever the call is.
    found ??= engine.globalOptionalSteps.find((i) => engine.planAt(i)!.step.kind === 'recvCmd');
    if (found === undefined) {
      this.fail('call-rejected', `unexpected twin command at message ${this.stepIndex}`);
      return;
    }
    const step = engine.planAt(found)!.step as RecvCmdStep;
    this.cancelWait();
    this.completeStep(step);
    this.stepIndex = found;
    if (!this.act(step, Buffer.from(commandText(command), 'latin1'))) return;
    this.run();
  }

  // ---- endings ------------------------------------------------------------------------------

  /**
   * Its connection is gone. A call in its final `<timewait>` has nothing left to exchange (the
   * wait only absorbs retransmissions, which a closed connection cannot bring): it ends as
   * the timewait would, successfully. Any other call fails with the transport cause.
   */
  connectionLost(cause: FailureCause, reason: string): void {
    if (this.ended) return;
    if (this.engine.planAt(this.stepIndex)?.step.kind === 'timewait') {
      this.waitTimer?.cancel();
      this.waitTimer = undefined;
      this.succeed();
      return;
    }
    this.failedOnConnection = true;
    this.fail(cause, reason);
  }

  /** connectionLost failed this call. */
  failedOnConnection = false;

  private succeed(): void {
    if (this.ended) return;
    if (this.checkFailed !== undefined) {
      this.fail(this.checkFailed, `a check of the scenario failed (${this.checkFailed})`);
      return;
    }
    this.end();
    this.engine.deps.stats.callSucceeded(this.length());
    this.engine.callEnded(this, 'success', 'scenario completed');
  }

  /**
   * End the call as failed. `abort`: first tell the peer as SIPp's abortCall does (after the
   * failure is reported, so traces show SIPp's order).
   */
  fail(cause: FailureCause, reason: string, received?: SipMessage, abort = false): void {
    if (this.ended) return;
    this.engine.deps.events?.emit({
      kind: 'call-failed',
      at: this.engine.deps.scheduler.now(),
      callId: this.callId,
      callNumber: this.callNumber,
      cause,
      stepIndex: this.stepIndex,
    });
    if (abort) this.sendAbortMessages();
    this.end();
    this.engine.deps.stats.callFailed(cause, this.length(), this.whereAt(reason, received));
    this.engine.callEnded(this, 'failed', reason);
  }

  abort(): void {
    if (this.ended) return;
    this.end();
    this.engine.deps.stats.callAborted(this.length(), this.whereAt('the run stopped'));
    this.engine.callEnded(this, 'aborted', 'run stopped');
  }

  /** Where the call is, for the summary's lists of failed and aborted calls. */
  private whereAt(reason: string, received?: SipMessage): FailedCallDetail {
    const step = this.engine.planAt(this.stepIndex)?.step;
    return {
      callId: this.callId,
      callNumber: this.callNumber,
      step: this.stepIndex,
      place: step === undefined ? '' : `${step.place.file}:${step.place.line}`,
      expected: step === undefined ? 'the end of the scenario' : stepText(step),
      reason,
      ...(received !== undefined ? { received: messageSummary(received) } : {}),
    };
  }

  private end(): void {
    this.ended = true;
    if (this.hasMedia) {
      this.hasMedia = false;
      this.engine.deps.media?.stopOwner(this.callNumber);
    }
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

/** An IPv4 or IPv6 address literal (no name resolution in the core). */
function isIpAddress(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || (text.includes(':') && /^[0-9a-fA-F:.]+$/.test(text));
}

/** A step as written in the scenario, for failure reports (`<recv response="200">`). */
function stepText(step: Step): string {
  switch (step.kind) {
    case 'send':
      return step.isRequest ? `<send> ${step.method ?? ''}` : `<send> ${step.statusCode ?? ''}`;
    case 'recv':
      return step.request !== undefined ? `<recv request="${step.request}">` : `<recv response="${step.response ?? ''}">`;
    default:
      return `<${step.kind}>`;
  }
}

/** What identifies a message in a report: its first line and the dialog headers. */
function messageSummary(message: SipMessage): string {
  const firstLine = message.raw.toString('latin1', 0, Math.min(message.raw.length, 200)).split('\r\n', 1)[0] ?? '';
  const lines = [firstLine];
  for (const name of ['Call-ID', 'CSeq', 'From', 'To']) {
    const value = message.header(name);
    if (value !== undefined) lines.push(`${name}: ${value}`);
  }
  return lines.join('\n');
}

/** Requests -aa answers with a 200 when they come unexpected. */
const AUTO_ANSWERED: ReadonlySet<string> = new Set(['INFO', 'NOTIFY', 'OPTIONS', 'UPDATE']);

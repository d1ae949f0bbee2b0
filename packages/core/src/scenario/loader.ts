import { compileTemplate, compileText } from '../template/compile.js';
import type { CompileOptions } from '../template/compile.js';
import type { CompiledTemplate } from '../template/types.js';
import { readAction } from './action-reader.js';
import type { ActionContext } from './action-reader.js';
import type { VariableSlot } from './actions.js';
import { ScenarioError } from './errors.js';
import { parseCBool, parseCDouble, parseCLong, parseRepartition } from './sipp-values.js';
import { parsePause } from './distribution.js';
import type {
  NopStep,
  PauseStep,
  RecvCmdStep,
  RecvStep,
  Scenario,
  SendCmdStep,
  SendStep,
  SourcePlace,
  Step,
  StepCommon,
  TimewaitStep,
} from './types.js';
import {
  SIPP_ACTIONS,
  SIPP_ELEMENT_NAMES,
  SIPP_ROOT_ATTRIBUTES,
  SIPP_SCENARIO_ELEMENTS,
  SIPP_INIT_ELEMENTS,
  SUPPORTED_ACTIONS,
  SUPPORTED_ATTRIBUTES,
  SUPPORTED_SCENARIO_ELEMENTS,
} from './vocabulary.js';
import type { VariableInfo, VariableScope } from './variables.js';
import { parseXmlDocument, type XmlElement } from './xml.js';

export { decodeScenarioBytes } from './encoding.js';

/**
 * Compiles the CDATA of a `<send>`; loadScenario() uses compileTemplate unless given another.
 * The loader's options carry the `-key` values and resolve `[$name]` to variable slots.
 */
export type TemplateCompiler = (cdata: string, place: SourcePlace, options: CompileOptions) => CompiledTemplate;

/**
 * Read a SIPp XML scenario into a typed Scenario, with SIPp's load-time checks.
 *
 * Throws ScenarioError (`file:line: ...`, `file:line:col: ...` for XML syntax errors) for broken
 * XML, for anything SIPp would refuse to load, and for SIPp features not implemented yet.
 */
/** What a scenario's texts are compiled against: the `-key` values, the `-inf` files, and how to read a `[file]`. */
export type LoadOptions = Pick<CompileOptions, 'keys' | 'injection' | 'readFile'>;

export function loadScenario(
  xml: string,
  file: string,
  compile: TemplateCompiler = compileTemplate,
  options: LoadOptions = {},
): Scenario {
  return new ScenarioLoader(file, compile, options).load(xml);
}

interface TxnUse {
  name: string;
  line: number;
  started: number;
  responses: number;
  acks: number;
  isInvite: boolean;
}

interface LabelUse {
  step: Step & { onTimeout?: number };
  label: string;
  attribute: 'next' | 'ontimeout';
  line: number;
}

/** The attributes of the message element being read. */
class Attributes {
  private readonly values: Map<string, string>;

  constructor(readonly element: XmlElement) {
    this.values = new Map(element.attributes);
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }
}

class ScenarioLoader {
  private readonly steps: Step[] = [];
  private readonly labels = new Map<string, number>();
  private readonly labelUses: LabelUse[] = [];
  private readonly rtdNames: string[] = [];
  private readonly rtdStarted = new Map<string, number>();
  private readonly rtdStopped = new Set<string>();
  private readonly txns = new Map<string, TxnUse>();
  private responseTimeRepartition: number[] = [];
  private callLengthRepartition: number[] = [];
  private foundTimewait = false;
  private lastRecvOptional = false;
  /** SIPp's hidedefault: `hiderest="true"` hides the steps after it from the screen. */
  private hideDefault = false;
  private readonly variables: VariableInfo[] = [];
  private readonly defaultMessages = new Map<string, CompiledTemplate>();
  private readonly counterNames: string[] = [];
  private readonly initSteps: NopStep[] = [];
  private readonly variableSlots = new Map<string, VariableSlot>();
  private readonly compileOptions: CompileOptions;
  private readonly actionContext: ActionContext;

  constructor(
    private readonly file: string,
    private readonly compile: TemplateCompiler,
    options: LoadOptions,
  ) {
    const variables = (name: string, place: SourcePlace, what = 'Variable keyword'): VariableSlot =>
      this.variable(name, what, place.line);
    this.compileOptions = { ...options, variables };
    this.actionContext = {
      file,
      variable: (name, what, line) => this.variable(name, what, line),
      compileText: (text, line) => compileText(text, { file, line }, this.compileOptions),
      error: (line, detail) => this.error(line, detail),
    };
  }

  load(xml: string): Scenario {
    let text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
    // XML end-of-line handling: CRLF is read as LF (line numbers do not change).
    text = text.replace(/\r\n/g, '\n');
    const root = parseXmlDocument(text, this.file);
    if (root.name !== 'scenario') {
      throw this.error(root.line, `No 'scenario' section in xml scenario file (the root element is <${root.name}>)`);
    }
    this.checkAttributes(root, SIPP_ROOT_ATTRIBUTES, SUPPORTED_ATTRIBUTES.scenario!);
    const name = new Attributes(root).get('name') ?? '';

    let cursor = 0;
    for (const element of root.children) {
      cursor++;
      this.readElement(element, cursor);
    }

    this.applyLabels();
    this.validateRtds();
    this.validateTxns();
    this.validateVariables();
    if (this.steps.length === 0) {
      throw this.error(root.line, 'Did not find any messages inside of scenario!');
    }

    return {
      name,
      file: this.file,
      steps: this.steps,
      labels: this.labels,
      responseTimeRepartition: this.responseTimeRepartition,
      callLengthRepartition: this.callLengthRepartition,
      rtdNames: this.rtdNames,
      startsWithRecv: startsWithRecv(this.steps),
      variables: this.variables,
      defaultMessages: this.defaultMessages,
      counterNames: this.counterNames,
      initSteps: this.initSteps,
      ...thirdPartyInfo(this.steps),
    };
  }

  // ---------------------------------------------------------------- elements

  private readElement(element: XmlElement, cursor: number): void {
    const { name } = element;
    const known = SIPP_SCENARIO_ELEMENTS[name];
    if (known === undefined) {
      throw this.error(
        element.line,
        SIPP_ELEMENT_NAMES.has(name) ? `<${name}> is not allowed inside <scenario>` : `unknown element <${name}>`,
      );
    }
    if (!SUPPORTED_SCENARIO_ELEMENTS.has(name)) {
      throw this.error(element.line, `<${name}> is not supported yet`);
    }
    this.checkAttributes(element, known, SUPPORTED_ATTRIBUTES[name]!);
    const attrs = new Attributes(element);

    switch (name) {
      case 'label': {
        this.checkNoChildren(element);
        const id = attrs.get('id');
        if (id === undefined) throw this.error(element.line, "label is missing the required 'id' parameter.");
        if (this.labels.has(id)) throw this.error(element.line, `The label name '${id}' is used twice.`);
        this.labels.set(id, this.steps.length);
        return;
      }
      case 'init':
        this.readInit(element);
        return;
      case 'DefaultMessage': {
        this.checkNoChildren(element);
        const id = attrs.get('id');
        if (id === undefined) throw this.error(element.line, "DefaultMessage is missing the required 'id' parameter.");
        if (!DEFAULT_MESSAGE_NAMES.includes(id)) throw this.error(element.line, `Internal Error: Unknown default message: ${id}!`);
        const cdata = element.cdata[0];
        if (cdata === undefined) throw this.error(element.line, 'No CDATA in DefaultMessage section of xml scenario file');
        this.defaultMessages.set(id, this.compile(cdata, { file: this.file, line: element.cdataLine }, this.compileOptions));
        return;
      }
      case 'Global':
      case 'User':
      case 'Reference': {
        this.checkNoChildren(element);
        const names = attrs.get('variables');
        if (names === undefined) throw this.error(element.line, `${name} is missing the required 'variables' parameter.`);
        const scope: VariableScope = name === 'Global' ? 'global' : name === 'User' ? 'user' : 'call';
        for (const variable of names.split(',')) {
          if (name === 'Reference') this.variable(variable, 'Reference variables', element.line);
          else this.declareVariable(variable, scope, element.line);
        }
        return;
      }
      case 'ResponseTimeRepartition':
      case 'CallLengthRepartition': {
        this.checkNoChildren(element);
        const value = attrs.get('value');
        if (value === undefined) {
          throw this.error(element.line, `${name} is missing the required 'value' parameter.`);
        }
        const table = parseRepartition(value);
        const what = name === 'ResponseTimeRepartition' ? 'response time' : 'call length';
        if (table === undefined) {
          throw this.error(element.line, `Could not create table for ${what} repartition '${value}'`);
        }
        if (name === 'ResponseTimeRepartition') {
          // SIPp gives the table to the RTD timers named so far: placed before any rtd/start_rtd,
          // it applies to none (3.6.1 then shows "<No repartion defined>" and writes no CSV
          // columns). A table between two timers' first uses is given to all of them here.
          if (this.rtdNames.length > 0) this.responseTimeRepartition = table;
        } else {
          this.callLengthRepartition = table;
        }
        return;
      }
      default:
        this.readMessage(element, attrs, cursor);
    }
  }

  private readMessage(element: XmlElement, attrs: Attributes, cursor: number): void {
    const { name, line } = element;
    if (this.foundTimewait) {
      throw this.error(line, '<timewait> can only be the last message in a scenario!');
    }
    const index = this.steps.length;
    const place: SourcePlace = { file: this.file, line };

    let step: Step;
    switch (name) {
      case 'send':
        this.checkOptionalRecv(element, cursor);
        step = this.readSend(element, attrs, index, place);
        break;
      case 'recv':
        step = this.readRecv(element, attrs, index, place);
        break;
      case 'pause':
      case 'timewait':
        this.checkOptionalRecv(element, cursor);
        step = this.readPause(element, attrs, index, place);
        break;
      case 'nop':
        this.checkOptionalRecv(element, cursor);
        step = { kind: 'nop', ...this.common(index, place) } satisfies NopStep;
        break;
      case 'sendCmd':
        this.checkOptionalRecv(element, cursor);
        step = this.readSendCmd(element, attrs, index, place);
        break;
      case 'recvCmd':
        step = this.readRecvCmd(element, attrs, index, place);
        break;
      default:
        throw this.error(line, `<${name}> is not supported yet`);
    }
    this.steps.push(step);
    this.readCommonAttributes(element, attrs, step);
  }

  private readSend(element: XmlElement, attrs: Attributes, index: number, place: SourcePlace): SendStep {
    const cdata = element.cdata[0];
    if (cdata === undefined) {
      throw this.error(element.line, "No CDATA in 'send' section of xml scenario file");
    }
    if (/^[ \t\n\r]*$/.test(cdata)) {
      throw this.error(element.line, 'Empty cdata in xml scenario file');
    }
    const template = this.compile(cdata, { file: place.file, line: element.cdataLine }, this.compileOptions);
    const step: SendStep = {
      kind: 'send',
      ...this.common(index, place),
      template,
      isRequest: template.isRequest,
    };
    if (template.method !== undefined) step.method = template.method;
    if (template.statusCode !== undefined) step.statusCode = template.statusCode;

    const startTxn = attrs.get('start_txn');
    const ackTxn = attrs.get('ack_txn');
    if (template.isRequest) {
      const method = template.method ?? '';
      const isInvite = method === 'INVITE';
      const isAck = method === 'ACK';
      if (startTxn !== undefined) {
        if (isAck) throw this.error(element.line, 'An ACK message can not start a transaction!');
        this.useTxn(startTxn, 'start transaction', 'start', isInvite, element.line);
        step.startTxn = startTxn;
      } else if (ackTxn !== undefined) {
        if (!isAck) throw this.error(element.line, 'The ack_txn attribute is valid only for ACK messages!');
        this.useTxn(ackTxn, 'ack transaction', 'ack', false, element.line);
        step.ackTxn = ackTxn;
      }
    } else {
      if (startTxn !== undefined) throw this.error(element.line, 'Responses can not start a transaction');
      if (ackTxn !== undefined) throw this.error(element.line, 'Responses can not ACK a transaction');
    }
    if (attrs.has('response_txn')) {
      throw this.error(element.line, 'response_txn can only be used for received messages.');
    }

    // SIPp: 0 (the default) means "not given": no retransmission timer, no send timeout.
    const retrans = this.long(attrs, 'retrans', 'retransmission timer');
    if (retrans) step.retrans = retrans;
    const timeout = this.long(attrs, 'timeout', 'message send timeout');
    if (timeout) step.timeout = timeout;
    return step;
  }

  private readRecv(element: XmlElement, attrs: Attributes, index: number, place: SourcePlace): RecvStep {
    const step: RecvStep = {
      kind: 'recv',
      ...this.common(index, place),
      optional: false,
      rrs: false,
      auth: false,
      ignoreSdp: false,
    };
    const response = attrs.get('response');
    if (response !== undefined) {
      const code = parseCLong(response);
      if (code === undefined) {
        throw this.error(element.line, `response code, "${response}" is not a valid integer!`);
      }
      step.response = code;
      const responseTxn = attrs.get('response_txn');
      if (responseTxn !== undefined) {
        this.useTxn(responseTxn, 'transaction response', 'response', false, element.line);
        step.responseTxn = responseTxn;
      }
    }
    const request = attrs.get('request');
    if (request !== undefined) {
      step.request = request;
      if (attrs.has('response_txn')) {
        throw this.error(element.line, 'response_txn can only be used for received responses.');
      }
    }
    // Stricter than SIPp 3.6.1, which loads these and then never matches (neither) or
    // matches on the request only (both).
    if (request !== undefined && response !== undefined) {
      throw this.error(element.line, '<recv> cannot have both a "request" and a "response" attribute');
    }
    if (request === undefined && response === undefined) {
      throw this.error(element.line, '<recv> needs a "request" or a "response" attribute');
    }

    const optional = attrs.get('optional');
    if (optional !== undefined) {
      if (optional === 'true') step.optional = true;
      else if (optional === 'global') {
        step.optional = true;
        step.globalOptional = true;
      } else if (optional !== 'false') {
        throw this.error(element.line, `Could not understand optional value for recv: ${optional}`);
      }
    }
    this.lastRecvOptional = step.optional;
    const advanceState = attrs.get('advance_state');
    if (advanceState !== undefined && !this.bool(element, advanceState, 'advance_state')) {
      if (!step.optional) {
        throw this.error(element.line, `advance_state is allowed only for optional messages (index = ${index})`);
      }
      step.advanceState = false;
    }

    const timeout = this.long(attrs, 'timeout', 'message timeout');
    if (timeout) step.timeout = timeout;
    const regexpMatch = attrs.get('regexp_match');
    if (regexpMatch !== undefined && this.bool(element, regexpMatch, 'regexp_match') && request !== undefined) {
      try {
        step.requestRegexp = new RegExp(request);
      } catch (error) {
        throw this.error(element.line, `Invalid regular expression "${request}": ${(error as Error).message}`);
      }
    }
    const rrs = attrs.get('rrs');
    if (rrs !== undefined) step.rrs = this.bool(element, rrs, 'record route set');
    const auth = attrs.get('auth');
    if (auth !== undefined) step.auth = this.bool(element, auth, 'message authentication');
    return step;
  }

  /** `<sendCmd>` (3PCC): its CDATA is compiled like a message (SIPp skips the SIP checks). */
  private readSendCmd(element: XmlElement, attrs: Attributes, index: number, place: SourcePlace): SendCmdStep {
    const cdata = element.cdata[0];
    if (cdata === undefined) throw this.error(element.line, "No CDATA in 'sendCmd' section of xml scenario");
    if (/^[ \t\n\r]*$/.test(cdata)) throw this.error(element.line, 'Empty cdata in xml scenario file');
    // SIPp cleans a command's CDATA without putting back the line end of a body (no "\n"
    // after "body"), unlike a <send>: the trailing blank space goes before compiling.
    const text = cdata.replace(/\r\n?/g, '\n').replace(/[ \t\n]+$/, '');
    const template = this.compile(text, { file: place.file, line: element.cdataLine }, this.compileOptions);
    const endsWithAddedBlankLine = !/\n[ \t]*\n/.test(text.replace(/^[ \t\n]+/, ''));
    const step: SendCmdStep = { kind: 'sendCmd', ...this.common(index, place), template, endsWithAddedBlankLine };
    const dest = attrs.get('dest');
    if (dest !== undefined) step.dest = dest;
    return step;
  }

  /** `<recvCmd>` (3PCC). */
  private readRecvCmd(element: XmlElement, attrs: Attributes, index: number, place: SourcePlace): RecvCmdStep {
    const step: RecvCmdStep = { kind: 'recvCmd', ...this.common(index, place), optional: false };
    const optional = attrs.get('optional');
    if (optional !== undefined) {
      if (optional === 'true') step.optional = true;
      else if (optional === 'global') {
        step.optional = true;
        step.globalOptional = true;
      } else if (optional !== 'false') {
        throw this.error(element.line, `Could not understand optional value for recv: ${optional}`);
      }
    }
    const src = attrs.get('src');
    if (src !== undefined) step.src = src;
    this.lastRecvOptional = step.optional;
    return step;
  }

  private readPause(
    element: XmlElement,
    attrs: Attributes,
    index: number,
    place: SourcePlace,
  ): PauseStep | TimewaitStep {
    const pause = parsePause(new Map(element.attributes), place, element.name);
    const step: PauseStep | TimewaitStep =
      element.name === 'timewait'
        ? { kind: 'timewait', ...this.common(index, place), pause }
        : { kind: 'pause', ...this.common(index, place), pause };
    if (element.name === 'timewait') this.foundTimewait = true;
    if (pause.kind === 'variable') {
      step.variable = this.variable(pause.variable, 'pause variable', element.line);
    } else if (pause.distribution.params.kind === 'fixed') {
      step.milliseconds = pause.distribution.params.value;
    }
    return step;
  }

  /**
   * `<init>`: its nops run once before the first call. Its labels and `next` stay inside it
   * (SIPp gives the init section its own message list); RTD timers there are refused.
   */
  private readInit(element: XmlElement): void {
    const labels = new Map<string, number>();
    const uses: LabelUse[] = [];
    for (const child of element.children) {
      if (!SIPP_INIT_ELEMENTS.includes(child.name)) throw this.misplaced(child, element);
      const attrs = new Attributes(child);
      if (child.name === 'label') {
        this.checkAttributes(child, SIPP_SCENARIO_ELEMENTS.label!, SUPPORTED_ATTRIBUTES.label!);
        const id = attrs.get('id');
        if (id === undefined) throw this.error(child.line, "label is missing the required 'id' parameter.");
        if (labels.has(id)) throw this.error(child.line, `The label name '${id}' is used twice.`);
        labels.set(id, this.initSteps.length);
        continue;
      }
      this.checkAttributes(child, SIPP_SCENARIO_ELEMENTS.nop!, INIT_NOP_ATTRIBUTES);
      const step: NopStep = { kind: 'nop', ...this.common(this.initSteps.length, { file: this.file, line: child.line }) };
      this.readCommonAttributes(child, attrs, step, uses);
      this.initSteps.push(step);
    }
    this.applyLabels(uses, labels);
  }

  /** SIPp's getCommonAttributes (with getBookKeeping), in SIPp's order. */
  private readCommonAttributes(element: XmlElement, attrs: Attributes, step: Step, labelUses = this.labelUses): void {
    const { line } = element;

    const rtd = attrs.get('rtd');
    if (rtd !== undefined) {
      const timer = rtdName(rtd);
      if (timer !== undefined) {
        this.useRtd(timer, false, line);
        step.rtd.push(timer);
      }
    }
    const repeatRtd = attrs.get('repeat_rtd');
    if (repeatRtd !== undefined) {
      if (step.rtd.length === 0) throw this.error(line, 'There is a repeat_rtd element without an rtd element');
      step.repeatRtd = this.bool(element, repeatRtd, 'repeat_rtd');
    }
    const startRtd = attrs.get('start_rtd');
    if (startRtd !== undefined) {
      const timer = rtdName(startRtd);
      if (timer !== undefined) {
        this.useRtd(timer, true, line);
        step.startRtd.push(timer);
      }
    }

    this.readChildren(element, step);

    const counter = attrs.get('counter');
    if (counter !== undefined) {
      if (!this.counterNames.includes(counter)) this.counterNames.push(counter);
      step.counter = counter;
    }
    const test = attrs.get('test');
    if (test !== undefined) step.test = this.variable(test, 'test runtime variable', line);
    const chance = attrs.get('chance');
    if (chance !== undefined) {
      const p = parseCDouble(chance);
      if (p === undefined) throw this.error(line, `chance, "${chance}" is not a floating point number!`);
      if (p < 0 || p > 1) throw this.error(line, 'Chance values must be between 0 and 1!');
      step.chance = p;
    }
    const condexec = attrs.get('condexec');
    if (condexec !== undefined) {
      step.condexec = this.variable(condexec, 'condexec runtime variable', line);
      const inverse = attrs.get('condexec_inverse');
      if (inverse !== undefined) step.condexecInverse = this.bool(element, inverse, 'condexec_inverse');
    }

    const lost = attrs.get('lost');
    if (lost !== undefined) {
      const pct = parseCDouble(lost);
      if (pct === undefined) throw this.error(line, `lost percentage, "${lost}" is not a floating point number!`);
      if (step.kind === 'send' || step.kind === 'recv') step.lost = pct;
    }
    const hideRest = attrs.get('hiderest');
    if (hideRest !== undefined) this.hideDefault = this.bool(element, hideRest, 'hiderest');
    const hide = attrs.get('hide');
    if (hide !== undefined ? this.bool(element, hide, 'hide') : this.hideDefault) step.hide = true;
    // SIPp sets crlf when the attribute is present, whatever its value (crlf="false" too).
    if (attrs.has('crlf')) step.crlf = true;
    const ignoreSdp = attrs.get('ignoresdp');
    if (ignoreSdp !== undefined && step.kind === 'recv') {
      step.ignoreSdp = this.bool(element, ignoreSdp, 'ignoresdp');
    }
    const display = attrs.get('display');
    if (display !== undefined) step.display = display;

    const next = attrs.get('next');
    if (next !== undefined) {
      if (this.foundTimewait) throw this.error(line, 'next labels are not allowed in <timewait> elements.');
      labelUses.push({ step, label: next, attribute: 'next', line });
    }
    const onTimeout = attrs.get('ontimeout');
    if (onTimeout !== undefined) {
      if (this.foundTimewait) throw this.error(line, 'ontimeout labels are not allowed in <timewait> elements.');
      labelUses.push({ step, label: onTimeout, attribute: 'ontimeout', line });
    }
  }

  /** Child elements of a message: only `<action>` blocks. */
  private readChildren(element: XmlElement, step: Step): void {
    for (const child of element.children) {
      if (child.name !== 'action') throw this.misplaced(child, element);
      this.checkAttributes(child, [], SUPPORTED_ATTRIBUTES.action!);
      for (const action of child.children) {
        const known = SIPP_ACTIONS[action.name];
        if (known === undefined) throw this.misplaced(action, child);
        const supported = SUPPORTED_ACTIONS[action.name];
        if (supported === undefined) throw this.error(action.line, `<${action.name}> is not supported yet`);
        this.checkAttributes(action, known, supported);
        this.checkNoChildren(action);
        step.actions.push(readAction(action, this.actionContext));
      }
    }
  }

  // ---------------------------------------------------------------- variables

  /** SIPp's get_var: check the name, find or create the variable, count the reference. */
  private variable(name: string, what: string, line: number): VariableSlot {
    if (name === '') throw this.error(line, `Variable names may not be empty for ${what}`);
    if (/[$,]/.test(name)) throw this.error(line, `Variable names may not contain $ or , for ${what}`);
    const slot = this.variableSlots.get(name);
    if (slot !== undefined) {
      this.variables[slot]!.references++;
      return slot;
    }
    return this.addVariable(name, 'call', line);
  }

  /** `<Global variables>` / `<User variables>`: the declaration is the first reference. */
  private declareVariable(name: string, scope: VariableScope, line: number): void {
    const what = scope === 'global' ? 'Global variables' : 'User variables';
    if (name === '') throw this.error(line, `Variable names may not be empty for ${what}`);
    if (/[$,]/.test(name)) throw this.error(line, `Variable names may not contain $ or , for ${what}`);
    const slot = this.variableSlots.get(name);
    if (slot !== undefined) {
      const known = this.variables[slot]!;
      if (known.scope === 'call') {
        throw this.error(line, `Variable $${name} is used before its <${scope === 'global' ? 'Global' : 'User'}> declaration`);
      }
      known.references++;
      return;
    }
    this.addVariable(name, scope, line);
  }

  private addVariable(name: string, scope: VariableScope, line: number): VariableSlot {
    const slot = this.variables.length;
    this.variables.push({ name, scope, line, references: 1 });
    this.variableSlots.set(name, slot);
    return slot;
  }

  /** SIPp's AllocVariableTable::validate: a name used once is a typo (`_` excepted). */
  private validateVariables(): void {
    const order: VariableScope[] = ['call', 'user', 'global'];
    for (const scope of order) {
      const byName = this.variables.filter((v) => v.scope === scope).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const variable of byName) {
        if (variable.references < 2 && variable.name !== '_') {
          throw this.error(variable.line, `Variable $${variable.name} is referenced ${variable.references} times!`);
        }
      }
    }
  }

  private checkNoChildren(element: XmlElement): void {
    const child = element.children[0];
    if (child !== undefined) throw this.misplaced(child, element);
  }

  private misplaced(child: XmlElement, parent: XmlElement): ScenarioError {
    return this.error(
      child.line,
      SIPP_ELEMENT_NAMES.has(child.name)
        ? `<${child.name}> is not allowed inside <${parent.name}>`
        : `unknown element <${child.name}>`,
    );
  }

  private checkAttributes(element: XmlElement, known: readonly string[], supported: ReadonlySet<string>): void {
    for (const [attribute] of element.attributes) {
      if (!known.includes(attribute)) {
        throw this.error(element.line, `<${element.name}> unknown attribute "${attribute}"`);
      }
      if (!supported.has(attribute)) {
        throw this.error(element.line, `<${element.name}> attribute "${attribute}" is not supported yet`);
      }
    }
  }

  // ---------------------------------------------------------------- SIPp checks

  private checkOptionalRecv(element: XmlElement, cursor: number): void {
    if (this.lastRecvOptional) {
      throw this.error(
        element.line,
        `<recv> before <${element.name}> sequence without a mandatory message. ` +
          `Please remove one 'optional=true' (element ${cursor}).`,
      );
    }
    this.lastRecvOptional = false;
  }

  private applyLabels(uses: readonly LabelUse[] = this.labelUses, labels: ReadonlyMap<string, number> = this.labels): void {
    for (const use of uses) {
      const target = labels.get(use.label);
      if (target === undefined) {
        throw this.error(
          use.line,
          `The label '${use.label}' was not defined (index ${use.step.index}, ${use.attribute} attribute)`,
        );
      }
      if (use.attribute === 'next') use.step.next = target;
      else use.step.onTimeout = target;
    }
  }

  private useRtd(name: string, start: boolean, line: number): void {
    if (!this.rtdNames.includes(name)) this.rtdNames.push(name);
    if (start) {
      if (!this.rtdStarted.has(name)) this.rtdStarted.set(name, line);
    } else {
      this.rtdStopped.add(name);
    }
  }

  private validateRtds(): void {
    for (const [name, line] of this.rtdStarted) {
      if (!this.rtdStopped.has(name)) {
        throw this.error(line, `You have started Response Time Duration ${name}, but have never stopped it!`);
      }
    }
  }

  /** SIPp's get_txn: count starts, responses and ACKs per transaction name. */
  private useTxn(name: string, what: string, use: 'start' | 'response' | 'ack', isInvite: boolean, line: number): void {
    if (name === '') throw this.error(line, `Variable names may not be empty for ${what}`);
    if (/[$,]/.test(name)) throw this.error(line, `Variable names may not contain $ or , for ${what}`);
    let txn = this.txns.get(name);
    if (txn === undefined) {
      // As in SIPp, whether it is an INVITE transaction is decided by its first use only.
      txn = { name, line, started: 0, responses: 0, acks: 0, isInvite: use === 'start' && isInvite };
      this.txns.set(name, txn);
    }
    if (use === 'start') txn.started++;
    else if (use === 'ack') txn.acks++;
    else txn.responses++;
  }

  private validateTxns(): void {
    for (const txn of this.txns.values()) {
      if (txn.started === 0) throw this.error(txn.line, `Transaction ${txn.name} is never started!`);
      if (txn.responses === 0) throw this.error(txn.line, `Transaction ${txn.name} has no responses defined!`);
      if (txn.isInvite && txn.acks === 0) {
        throw this.error(txn.line, `Transaction ${txn.name} is an INVITE transaction without an ACK!`);
      }
      if (!txn.isInvite && txn.acks > 0) {
        throw this.error(txn.line, `Transaction ${txn.name} is a non-INVITE transaction with an ACK!`);
      }
    }
  }

  // ---------------------------------------------------------------- values

  private common(index: number, place: SourcePlace): StepCommon {
    return { index, place, crlf: false, startRtd: [], rtd: [], repeatRtd: false, actions: [], condexecInverse: false };
  }

  /** SIPp's xp_get_long(name, what, 0). */
  private long(attrs: Attributes, name: string, what: string): number {
    const text = attrs.get(name);
    if (text === undefined) return 0;
    const value = parseCLong(text);
    if (value === undefined) {
      throw this.error(attrs.element.line, `${what} '${name}' parameter, "${text}" is not a valid integer!`);
    }
    return value;
  }

  private bool(element: XmlElement, text: string, what: string): boolean {
    const value = parseCBool(text);
    if (value === undefined) throw this.error(element.line, `${what}, "${text}" is not a valid boolean!`);
    return value;
  }

  private error(line: number, detail: string): ScenarioError {
    return new ScenarioError({ file: this.file, line }, detail);
  }
}

/** What an `<init>` nop may carry besides its actions. */
const INIT_NOP_ATTRIBUTES: ReadonlySet<string> = new Set(['display', 'crlf', 'condexec', 'condexec_inverse', 'next', 'test', 'chance']);

/** The messages SIPp builds itself (get_default_message), which `<DefaultMessage>` replaces. */
export const DEFAULT_MESSAGE_NAMES: readonly string[] = ['3pcc_abort', 'ack', 'ack2', 'bye', 'cancel', '200'];

/** SIPp's get_rtd: "false" is no timer, "true" is timer "1", anything else names a timer. */
function rtdName(value: string): string | undefined {
  if (value === 'false') return undefined;
  if (value === 'true') return '1';
  return value;
}

/**
 * SIPp's computeSippMode: the scenario is a server (waits for calls) when its first step that
 * is not a pause, nop or timewait is a recv.
 */
function startsWithRecv(steps: Step[]): boolean {
  for (const step of steps) {
    if (step.kind === 'pause' || step.kind === 'nop' || step.kind === 'timewait') continue;
    // A scenario whose first step is a recvCmd (3PCC controller B, slave) is a server too.
    return step.kind === 'recv' || step.kind === 'recvCmd';
  }
  return false;
}

/** SIPp's computeSippMode for the twin commands: which comes first, and the sendCmd peers. */
function thirdPartyInfo(steps: Step[]): Pick<Scenario, 'thirdParty'> {
  let firstCommand: 'sendCmd' | 'recvCmd' | undefined;
  const peers: string[] = [];
  let sendCmdWithoutDest = false;
  let recvCmdWithoutSrc = false;
  let sipSteps = false;
  for (const step of steps) {
    if (step.kind === 'send' || step.kind === 'recv') sipSteps = true;
    if (step.kind !== 'sendCmd' && step.kind !== 'recvCmd') continue;
    firstCommand ??= step.kind;
    if (step.kind === 'sendCmd' && step.dest !== undefined && !peers.includes(step.dest)) peers.push(step.dest);
    if (step.kind === 'sendCmd' && step.dest === undefined) sendCmdWithoutDest = true;
    if (step.kind === 'recvCmd' && step.src === undefined) recvCmdWithoutSrc = true;
  }
  if (firstCommand === undefined) return {};
  const creation = startsWithRecv(steps) ? 'server' : 'client';
  return { thirdParty: { firstCommand, creation, peers, sendCmdWithoutDest, recvCmdWithoutSrc, sipSteps } };
}

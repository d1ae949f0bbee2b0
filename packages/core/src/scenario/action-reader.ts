// Reads the children of an `<action>` block into typed actions, with SIPp's load-time errors
// (src/scenario.cpp parseAction, handle_rhs, handle_arithmetic).
import { parseRtpStreamCommand } from '../media/rtp-stream.js';
import type { TextTemplate } from '../template/types.js';
import type {
  Action,
  Comparison,
  EregAction,
  InternalCommandAction,
  Operand,
  StrcmpAction,
  TestAction,
  VariableSlot,
} from './actions.js';
import type { ScenarioError } from './errors.js';
import { parseCBool, parseCDouble } from './sipp-values.js';
import type { SourcePlace } from './types.js';
import type { XmlElement } from './xml.js';
import { parseDistribution } from './distribution.js';

/** What the reader needs from the scenario loader. */
export interface ActionContext {
  readonly file: string;
  /** SIPp's get_var: resolve (and count a reference to) a variable name. */
  variable(name: string, what: string, line: number): VariableSlot;
  compileText(text: string, line: number): TextTemplate;
  error(line: number, detail: string): ScenarioError;
}

const COMPARISONS: ReadonlySet<string> = new Set<Comparison>([
  'equal',
  'not_equal',
  'greater_than',
  'less_than',
  'greater_than_equal',
  'less_than_equal',
]);

const INTERNAL_COMMANDS: ReadonlySet<string> = new Set(['stop_call', 'stop_gracefully', 'stop_now']);

export function readAction(element: XmlElement, ctx: ActionContext): Action {
  return new ActionReader(element, ctx).read();
}

class ActionReader {
  private readonly attrs: Map<string, string>;
  private readonly place: SourcePlace;

  constructor(
    private readonly element: XmlElement,
    private readonly ctx: ActionContext,
  ) {
    this.attrs = new Map(element.attributes);
    this.place = { file: ctx.file, line: element.line };
  }

  read(): Action {
    const { name } = this.element;
    const place = this.place;
    switch (name) {
      case 'ereg':
        return this.ereg();
      case 'log':
      case 'warning':
      case 'error':
        return { kind: name, place, message: this.text('message', name) };
      case 'assign':
      case 'add':
      case 'subtract':
      case 'multiply':
      case 'divide': {
        const assignTo = this.variable('assign_to', name);
        const operand = this.operand(name);
        if (name === 'divide' && 'value' in operand && operand.value === 0) {
          throw this.error('divide actions can not have a value of zero!');
        }
        return { kind: name, place, assignTo, operand };
      }
      case 'assignstr':
        return { kind: 'assignstr', place, assignTo: this.variable('assign_to', name), value: this.text('value', name) };
      case 'gettimeofday': {
        const names = this.list('assign_to');
        if (names.length !== 2) throw this.error('The gettimeofday action requires two output variables!');
        return {
          kind: 'gettimeofday',
          place,
          seconds: this.ctx.variable(names[0]!, 'gettimeofday seconds assign_to', place.line),
          microseconds: this.ctx.variable(names[1]!, 'gettimeofday useconds assign_to', place.line),
        };
      }
      case 'index':
      case 'trim':
        return { kind: name, place, slot: this.variable('assign_to', name) };
      case 'urlencode':
      case 'urldecode':
        return { kind: name, place, slot: this.variable('variable', name) };
      case 'jump':
        return { kind: 'jump', place, operand: this.operand('jump') };
      case 'todouble':
        return {
          kind: 'todouble',
          place,
          assignTo: this.variable('assign_to', name),
          variable: this.variable('variable', name),
        };
      case 'test':
        return this.test();
      case 'strcmp':
        return this.strcmp();
      case 'exec':
        return this.exec();
      case 'setdest':
        return {
          kind: 'setdest',
          place,
          host: this.text('host', name),
          port: this.text('port', name),
          protocol: this.text('protocol', name),
        };
      case 'lookup':
        return {
          kind: 'lookup',
          place,
          assignTo: this.variable('assign_to', name),
          file: this.text('file', name),
          key: this.text('key', name),
        };
      case 'insert':
        return { kind: 'insert', place, file: this.text('file', name), value: this.text('value', name) };
      case 'replace':
        return {
          kind: 'replace',
          place,
          file: this.text('file', name),
          line: this.text('line', name),
          value: this.text('value', name),
        };
      case 'sample':
        return {
          kind: 'sample',
          place,
          assignTo: this.variable('assign_to', name),
          distribution: parseDistribution(this.attrs, place),
        };
      case 'verifyauth':
        return {
          kind: 'verifyauth',
          place,
          assignTo: this.variable('assign_to', name),
          username: this.text('username', name),
          password: this.text('password', name),
        };
      default:
        throw this.error(`<${name}> is not supported yet`);
    }
  }

  private ereg(): EregAction {
    const source = this.required('regexp', 'ereg');
    const caseIndep = this.bool('case_indep', 'ereg');
    const action: EregAction = {
      kind: 'ereg',
      place: this.place,
      source,
      regexp: this.compileRegexp(source, caseIndep),
      searchIn: 'msg',
      occurrence: 1,
      headersOnly: this.bool('start_line', 'ereg'),
      checkIt: false,
      checkItInverse: false,
      assignTo: 0,
      subAssignTo: [],
    };
    const searchIn = this.attrs.get('search_in');
    if (searchIn !== undefined) {
      if (searchIn === 'msg' || searchIn === 'body') {
        action.searchIn = searchIn;
      } else if (searchIn === 'var') {
        action.searchIn = 'var';
        action.variable = this.variable('variable', 'ereg');
      } else if (searchIn === 'hdr') {
        const header = this.attrs.get('header');
        if (header === undefined || header === '') throw this.error('search_in="hdr" requires header field');
        action.searchIn = 'hdr';
        action.header = header;
        const occurrence = this.attrs.get('occurrence') ?? this.attrs.get('occurence');
        // SIPp reads it with atol: leading digits, anything else is 0.
        if (occurrence !== undefined) action.occurrence = Number(/^\s*[+-]?\d+/.exec(occurrence)?.[0] ?? 0);
      } else {
        throw this.error(`Unknown search_in value ${searchIn}`);
      }
    }
    this.checks(action, 'ereg');
    const names = this.list('assign_to');
    action.assignTo = this.ctx.variable(names[0]!, 'assign_to', this.place.line);
    action.subAssignTo = names
      .slice(1)
      .map((name) => this.ctx.variable(name, 'sub expression assign_to', this.place.line));
    return action;
  }

  private test(): TestAction {
    const action: TestAction = {
      kind: 'test',
      place: this.place,
      variable: 0,
      operand: { value: 0 },
      compare: 'equal',
      checkIt: false,
      checkItInverse: false,
    };
    this.checks(action, 'test');
    this.optionalAssignTo(action, 'test');
    action.variable = this.variable('variable', 'test');
    const value = this.attrs.get('value');
    if (value !== undefined) {
      if (this.attrs.has('variable2')) throw this.error('Can not have both a value and a variable2 for test!');
      action.operand = { value: this.double(value, 'value', 'test') };
    } else {
      action.operand = { variable: this.variable('variable2', 'test') };
    }
    const compare = this.required('compare', 'test');
    if (!COMPARISONS.has(compare)) throw this.error(`Invalid 'compare' parameter: ${compare}`);
    action.compare = compare as Comparison;
    return action;
  }

  private strcmp(): StrcmpAction {
    const action: StrcmpAction = {
      kind: 'strcmp',
      place: this.place,
      variable: 0,
      other: { value: '' },
      checkIt: false,
      checkItInverse: false,
    };
    this.checks(action, 'strcmp');
    this.optionalAssignTo(action, 'strcmp');
    action.variable = this.variable('variable', 'strcmp');
    const value = this.attrs.get('value');
    if (value !== undefined) {
      if (this.attrs.has('variable2')) throw this.error('Can not have both a value and a variable2 for strcmp!');
      action.other = { value };
    } else {
      action.other = { variable: this.variable('variable2', 'strcmp') };
    }
    return action;
  }

  private exec(): Action {
    const command = this.attrs.get('command');
    if (command !== undefined) return { kind: 'exec', place: this.place, command: this.text('command', 'exec') };
    const intCmd = this.attrs.get('int_cmd');
    if (intCmd !== undefined) {
      if (!INTERNAL_COMMANDS.has(intCmd)) throw this.error(`Invalid int_cmd: ${intCmd}`);
      return { kind: 'int_cmd', place: this.place, command: intCmd as InternalCommandAction['command'] };
    }
    const rtpStream = this.attrs.get('rtp_stream');
    if (rtpStream !== undefined) {
      const command = parseRtpStreamCommand(rtpStream);
      if (typeof command === 'string') throw this.error(command);
      return { kind: 'rtp_stream', place: this.place, command };
    }
    const media = [...this.attrs.keys()][0];
    if (media !== undefined && media.startsWith('play_pcap_')) {
      throw this.error(
        `<exec ${media}>: PCAP replay is not supported; synthetic RTP runs with -media_scale and <exec rtp_stream="synthetic,0,0,PCMU/8000,20"/>`,
      );
    }
    if (media !== undefined) throw this.error(`<exec> attribute "${media}" is not supported yet`);
    throw this.error('Unknown command for exec!');
  }

  // ---- attribute helpers ----------------------------------------------------------------

  /** check_it / check_it_inverse: exclusive, as SIPp has it. */
  private checks(action: { checkIt: boolean; checkItInverse: boolean }, what: string): void {
    if (this.attrs.has('check_it')) {
      action.checkIt = this.bool('check_it', what);
      if (this.attrs.has('check_it_inverse')) {
        throw this.error(`Can not have both check_it and check_it_inverse for ${what}!`);
      }
    } else {
      action.checkItInverse = this.bool('check_it_inverse', what);
    }
  }

  /** test/strcmp: `assign_to` may be left out when the action only checks. */
  private optionalAssignTo(action: { assignTo?: VariableSlot }, what: string): void {
    if (this.attrs.has('assign_to') || (!this.attrs.has('check_it') && !this.attrs.has('check_it_inverse'))) {
      action.assignTo = this.variable('assign_to', what);
    }
  }

  /** SIPp's handle_rhs: `value` or `variable`, exactly one. */
  private operand(what: string): Operand {
    const value = this.attrs.get('value');
    const variable = this.attrs.get('variable');
    if (value !== undefined && variable !== undefined) {
      throw this.error(`Value and variable are mutually exclusive for ${what} action!`);
    }
    if (value !== undefined) return { value: this.double(value, 'value', what) };
    if (variable !== undefined) return { variable: this.variable('variable', what) };
    throw this.error(`No value or variable defined for ${what} action!`);
  }

  private variable(attribute: string, what: string): VariableSlot {
    const name = this.attrs.get(attribute);
    if (name === undefined) throw this.error(`${what} is missing the required '${attribute}' variable parameter.`);
    return this.ctx.variable(name, attribute, this.place.line);
  }

  private list(attribute: string): string[] {
    const value = this.attrs.get(attribute);
    if (value === undefined) throw this.error(`${attribute} value is missing`);
    return value.split(',');
  }

  private text(attribute: string, what: string): TextTemplate {
    return this.ctx.compileText(this.required(attribute, what), this.place.line);
  }

  private required(attribute: string, what: string): string {
    const value = this.attrs.get(attribute);
    if (value === undefined) throw this.error(`${what} is missing the required '${attribute}' parameter.`);
    return value;
  }

  private bool(attribute: string, what: string): boolean {
    const text = this.attrs.get(attribute);
    if (text === undefined) return false;
    const value = parseCBool(text);
    if (value === undefined) throw this.error(`${what} '${attribute}' parameter, "${text}" is not a valid boolean!`);
    return value;
  }

  private double(text: string, attribute: string, what: string): number {
    const value = parseCDouble(text);
    if (value === undefined) {
      throw this.error(`${what} '${attribute}' parameter, "${text}" is not a floating point number!`);
    }
    return value;
  }

  /**
   * SIPp compiles with POSIX extended regexps (REG_EXTENDED, REG_ICASE for case_indep). The
   * JavaScript engine reads the same syntax for what scenarios use (groups, classes,
   * quantifiers, anchors); POSIX bracket classes like [[:digit:]] are translated.
   */
  private compileRegexp(source: string, caseIndep: boolean): RegExp {
    const translated = source.replace(/\[:(alpha|digit|alnum|space|upper|lower|xdigit|punct|blank):\]/g, (_, cls) =>
      POSIX_CLASSES[cls as keyof typeof POSIX_CLASSES],
    );
    try {
      // Without REG_NEWLINE, POSIX `.` matches a line end and `^`/`$` anchor at the ends of the
      // whole text: `Call-ID: (.*)` on a message takes everything to its end, as in SIPp.
      return new RegExp(translated, caseIndep ? 'si' : 's');
    } catch (error) {
      throw this.error(`Invalid regular expression "${source}": ${(error as Error).message}`);
    }
  }

  private error(detail: string): ScenarioError {
    return this.ctx.error(this.place.line, detail);
  }
}

const POSIX_CLASSES = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  space: ' \\t\\r\\n\\v\\f',
  upper: 'A-Z',
  lower: 'a-z',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
  blank: ' \\t',
};

// The actions of an `<action>` block, as the loader reads them (SIPp's parseAction). Variable
// names are resolved at load time to slots (indexes into Scenario.variables).
import type { RtpStreamCommand } from '../media/rtp-stream.js';
import type { TextTemplate } from '../template/types.js';
import type { SourcePlace } from './types.js';
import type { Distribution } from './distribution.js';

/** A variable slot: an index into `Scenario.variables`. */
export type VariableSlot = number;

export type Comparison =
  | 'equal'
  | 'not_equal'
  | 'greater_than'
  | 'less_than'
  | 'greater_than_equal'
  | 'less_than_equal';

/** A number given as `value="..."` or read from `variable="..."` (SIPp's handle_rhs). */
export type Operand = { value: number } | { variable: VariableSlot };

interface ActionBase {
  place: SourcePlace;
}

export interface EregAction extends ActionBase {
  kind: 'ereg';
  /** The source text of `regexp=`, for messages. */
  source: string;
  regexp: RegExp;
  searchIn: 'msg' | 'hdr' | 'body' | 'var';
  /** For `search_in="hdr"`: the header name as written (`Contact:`). */
  header?: string;
  /** For `search_in="hdr"`: which occurrence of the header (1 = first). */
  occurrence: number;
  /** `start_line="true"` with `search_in="hdr"`: only look at the start of the header line. */
  headersOnly: boolean;
  /** For `search_in="var"`. */
  variable?: VariableSlot;
  checkIt: boolean;
  checkItInverse: boolean;
  /** The whole match goes here. */
  assignTo: VariableSlot;
  /** Sub-matches 1..n go here. */
  subAssignTo: VariableSlot[];
}

export interface MessageAction extends ActionBase {
  kind: 'log' | 'warning' | 'error';
  message: TextTemplate;
}

export interface ArithmeticAction extends ActionBase {
  kind: 'assign' | 'add' | 'subtract' | 'multiply' | 'divide';
  assignTo: VariableSlot;
  operand: Operand;
}

export interface AssignStringAction extends ActionBase {
  kind: 'assignstr';
  assignTo: VariableSlot;
  value: TextTemplate;
}

export interface GettimeofdayAction extends ActionBase {
  kind: 'gettimeofday';
  seconds: VariableSlot;
  microseconds: VariableSlot;
}

/** `<index assign_to>`: the index of the current step. `<trim>`: strip white space. */
export interface SlotAction extends ActionBase {
  kind: 'index' | 'trim' | 'urlencode' | 'urldecode';
  slot: VariableSlot;
}

export interface JumpAction extends ActionBase {
  kind: 'jump';
  operand: Operand;
}

export interface ToDoubleAction extends ActionBase {
  kind: 'todouble';
  assignTo: VariableSlot;
  variable: VariableSlot;
}

export interface TestAction extends ActionBase {
  kind: 'test';
  assignTo?: VariableSlot;
  variable: VariableSlot;
  operand: Operand;
  compare: Comparison;
  checkIt: boolean;
  checkItInverse: boolean;
}

export interface StrcmpAction extends ActionBase {
  kind: 'strcmp';
  assignTo?: VariableSlot;
  variable: VariableSlot;
  other: { value: string } | { variable: VariableSlot };
  checkIt: boolean;
  checkItInverse: boolean;
}

export interface ExecCommandAction extends ActionBase {
  kind: 'exec';
  command: TextTemplate;
}

export interface InternalCommandAction extends ActionBase {
  kind: 'int_cmd';
  command: 'stop_call' | 'stop_gracefully' | 'stop_now';
}

/** `<exec rtp_stream="synthetic,...|pause|resume|stop"/>`: the call's synthetic RTP (-media_scale). */
export interface RtpStreamAction extends ActionBase {
  kind: 'rtp_stream';
  command: RtpStreamCommand;
}

export interface SetDestAction extends ActionBase {
  kind: 'setdest';
  host: TextTemplate;
  port: TextTemplate;
  protocol: TextTemplate;
}

/** `<lookup assign_to file key>`: the line of `key` in the file's -infindex index. */
export interface LookupAction extends ActionBase {
  kind: 'lookup';
  assignTo: VariableSlot;
  file: TextTemplate;
  key: TextTemplate;
}

/** `<insert file value>` / `<replace file line value>`: change an -inf file in memory. */
export interface InsertAction extends ActionBase {
  kind: 'insert';
  file: TextTemplate;
  value: TextTemplate;
}

export interface ReplaceAction extends ActionBase {
  kind: 'replace';
  file: TextTemplate;
  line: TextTemplate;
  value: TextTemplate;
}

/** `<verifyauth assign_to username password>`: check the request's Authorization. */
export interface VerifyAuthAction extends ActionBase {
  kind: 'verifyauth';
  assignTo: VariableSlot;
  username: TextTemplate;
  password: TextTemplate;
}

/** `<sample assign_to distribution=...>`: a draw from a distribution, in ms. */
export interface SampleAction extends ActionBase {
  kind: 'sample';
  assignTo: VariableSlot;
  distribution: Distribution;
}

export type Action =
  | SampleAction
  | LookupAction
  | InsertAction
  | ReplaceAction
  | VerifyAuthAction
  | EregAction
  | MessageAction
  | ArithmeticAction
  | AssignStringAction
  | GettimeofdayAction
  | SlotAction
  | JumpAction
  | ToDoubleAction
  | TestAction
  | StrcmpAction
  | ExecCommandAction
  | InternalCommandAction
  | RtpStreamAction
  | SetDestAction;

/** The texts with keywords an action renders when it runs (bound once per run). */
export function actionTexts(action: Action): TextTemplate[] {
  switch (action.kind) {
    case 'log':
    case 'warning':
    case 'error':
      return [action.message];
    case 'assignstr':
      return [action.value];
    case 'exec':
      return [action.command];
    case 'setdest':
      return [action.host, action.port, action.protocol];
    case 'lookup':
      return [action.file, action.key];
    case 'insert':
      return [action.file, action.value];
    case 'replace':
      return [action.file, action.line, action.value];
    case 'verifyauth':
      return [action.username, action.password];
    default:
      return [];
  }
}

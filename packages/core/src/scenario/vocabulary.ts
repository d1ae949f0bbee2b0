/**
 * Every element and attribute name SIPp 3.6 reads in a scenario (from SIPp's scenario.cpp:
 * the scenario constructor, getCommonAttributes, getBookKeeping, parse_distribution and
 * parseAction), and the subset Gossipper implements. A name SIPp knows but we do not
 * implement fails the load with "is not supported yet"; a name SIPp does not know fails
 * with "unknown".
 */

/** Read by getCommonAttributes/getBookKeeping on every message element. */
export const SIPP_COMMON_MESSAGE_ATTRIBUTES = [
  'rtd',
  'repeat_rtd',
  'start_rtd',
  'counter',
  'lost',
  'crlf',
  'ignoresdp',
  'hiderest',
  'hide',
  'display',
  'condexec',
  'condexec_inverse',
  'next',
  'test',
  'chance',
  'ontimeout',
] as const;

/** parse_distribution() for pauses (old style) and `<sample>`. */
export const SIPP_DISTRIBUTION_ATTRIBUTES = [
  'distribution',
  'value',
  'min',
  'max',
  'mean',
  'stdev',
  'lambda',
  'k',
  'x_m',
  'shape',
  'scale',
  'location',
  'theta',
  'n',
  'p',
  // old-style shortcuts: the presence of the attribute picks the distribution
  'normal',
  'exponential',
  'lognormal',
  'weibull',
  'pareto',
  'gamma',
] as const;

const PAUSE_ATTRIBUTES = [
  ...SIPP_COMMON_MESSAGE_ATTRIBUTES,
  'milliseconds',
  'variable',
  'sanity_check',
  ...SIPP_DISTRIBUTION_ATTRIBUTES,
];

/** Elements allowed directly inside `<scenario>`, with the attributes SIPp reads on each. */
export const SIPP_SCENARIO_ELEMENTS: Readonly<Record<string, readonly string[]>> = {
  send: [...SIPP_COMMON_MESSAGE_ATTRIBUTES, 'retrans', 'timeout', 'start_txn', 'ack_txn', 'response_txn'],
  recv: [
    ...SIPP_COMMON_MESSAGE_ATTRIBUTES,
    'request',
    'response',
    'response_txn',
    'optional',
    'advance_state',
    'regexp_match',
    'timeout',
    'rrs',
    'auth',
  ],
  pause: PAUSE_ATTRIBUTES,
  timewait: PAUSE_ATTRIBUTES,
  nop: [...SIPP_COMMON_MESSAGE_ATTRIBUTES],
  sendCmd: [...SIPP_COMMON_MESSAGE_ATTRIBUTES, 'dest'],
  recvCmd: [...SIPP_COMMON_MESSAGE_ATTRIBUTES, 'optional', 'src'],
  label: ['id'],
  init: [],
  ResponseTimeRepartition: ['value'],
  CallLengthRepartition: ['value'],
  DefaultMessage: ['id'],
  Global: ['variables'],
  User: ['variables'],
  Reference: ['variables'],
};

/** Attributes of the root element. */
export const SIPP_ROOT_ATTRIBUTES: readonly string[] = ['name'];

/** Children of `<init>`. */
export const SIPP_INIT_ELEMENTS: readonly string[] = ['nop', 'label'];

/** Actions inside `<action>` (parseAction), with the attributes SIPp reads on each. */
export const SIPP_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  ereg: [
    'regexp',
    'search_in',
    'header',
    'case_indep',
    'occurrence',
    'occurence',
    'start_line',
    'check_it',
    'check_it_inverse',
    'assign_to',
    'variable',
  ],
  log: ['message'],
  warning: ['message'],
  error: ['message'],
  assign: ['assign_to', 'value', 'variable'],
  assignstr: ['assign_to', 'value'],
  gettimeofday: ['assign_to'],
  index: ['assign_to'],
  jump: ['value', 'variable'],
  pauserestore: ['value', 'variable'],
  add: ['assign_to', 'value', 'variable'],
  subtract: ['assign_to', 'value', 'variable'],
  multiply: ['assign_to', 'value', 'variable'],
  divide: ['assign_to', 'value', 'variable'],
  sample: ['assign_to', ...SIPP_DISTRIBUTION_ATTRIBUTES],
  todouble: ['assign_to', 'variable'],
  test: ['assign_to', 'variable', 'variable2', 'value', 'compare', 'check_it', 'check_it_inverse'],
  strcmp: ['assign_to', 'variable', 'variable2', 'value', 'check_it', 'check_it_inverse'],
  verifyauth: ['assign_to', 'username', 'password'],
  lookup: ['assign_to', 'file', 'key'],
  insert: ['file', 'value'],
  replace: ['file', 'line', 'value'],
  setdest: ['host', 'port', 'protocol'],
  closecon: [],
  trim: ['assign_to'],
  // urlencode/urldecode arrived after 3.6.1 (3.6.1 says "Unknown action"); known here all the same.
  urlencode: ['variable'],
  urldecode: ['variable'],
  exec: [
    'command',
    'int_cmd',
    'play_pcap_audio',
    'play_pcap_image',
    'play_pcap_video',
    'play_dtmf',
    'rtp_stream',
    'rtp_echo',
  ],
  rtp_echo: ['value', 'variable'],
};

/** Every element name SIPp knows somewhere in a scenario. */
export const SIPP_ELEMENT_NAMES: ReadonlySet<string> = new Set([
  'scenario',
  'action',
  ...Object.keys(SIPP_SCENARIO_ELEMENTS),
  ...Object.keys(SIPP_ACTIONS),
]);

/** Elements inside `<scenario>` that Gossipper implements. */
export const SUPPORTED_SCENARIO_ELEMENTS: ReadonlySet<string> = new Set([
  'send',
  'recv',
  'pause',
  'nop',
  'label',
  'timewait',
  'sendCmd',
  'recvCmd',
  'ResponseTimeRepartition',
  'CallLengthRepartition',
  'Global',
  'User',
  'Reference',
  'DefaultMessage',
  'init',
]);

/** The conditional attributes every message element takes. */
const CONDITIONS = ['test', 'chance', 'condexec', 'condexec_inverse', 'counter', 'hide', 'hiderest'];

/**
 * Attributes Gossipper handles per element (implemented, or refused with SIPp's own error,
 * such as `next` on `<timewait>` or `response_txn` on `<send>`).
 */
export const SUPPORTED_ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  scenario: new Set(['name']),
  send: new Set([
    'retrans',
    'lost',
    'start_rtd',
    'rtd',
    'repeat_rtd',
    'crlf',
    'next',
    'display',
    'timeout',
    'ontimeout',
    'start_txn',
    'ack_txn',
    'response_txn',
    // SIPp reads these on every message; on a send they do nothing.
    'ignoresdp',
    ...CONDITIONS,
  ]),
  recv: new Set([
    'request',
    'response',
    'optional',
    'timeout',
    'ontimeout',
    'next',
    'rrs',
    'crlf',
    'rtd',
    'start_rtd',
    'repeat_rtd',
    'display',
    'lost',
    'response_txn',
    'ignoresdp',
    'auth',
    'regexp_match',
    'advance_state',
    ...CONDITIONS,
  ]),
  // SIPp reads lost, ignoresdp and ontimeout on a pause too, and does nothing with them.
  pause: new Set(PAUSE_ATTRIBUTES),
  timewait: new Set(PAUSE_ATTRIBUTES),
  nop: new Set(['crlf', 'display', 'start_rtd', 'rtd', 'repeat_rtd', 'next', 'lost', 'ignoresdp', 'ontimeout', ...CONDITIONS]),
  sendCmd: new Set(['dest', 'crlf', 'display', 'start_rtd', 'rtd', 'repeat_rtd', 'next', ...CONDITIONS]),
  recvCmd: new Set(['src', 'optional', 'crlf', 'display', 'start_rtd', 'rtd', 'repeat_rtd', 'next', 'ontimeout', ...CONDITIONS]),
  label: new Set(['id']),
  ResponseTimeRepartition: new Set(['value']),
  CallLengthRepartition: new Set(['value']),
  DefaultMessage: new Set(['id']),
  init: new Set(),
  Global: new Set(['variables']),
  User: new Set(['variables']),
  Reference: new Set(['variables']),
  action: new Set(),
};

/** Actions Gossipper implements, with the attributes it handles on each. */
export const SUPPORTED_ACTIONS: Readonly<Record<string, ReadonlySet<string>>> = {
  ereg: new Set(SIPP_ACTIONS.ereg),
  log: new Set(['message']),
  warning: new Set(['message']),
  error: new Set(['message']),
  assign: new Set(['assign_to', 'value', 'variable']),
  assignstr: new Set(['assign_to', 'value']),
  gettimeofday: new Set(['assign_to']),
  index: new Set(['assign_to']),
  jump: new Set(['value', 'variable']),
  add: new Set(['assign_to', 'value', 'variable']),
  subtract: new Set(['assign_to', 'value', 'variable']),
  multiply: new Set(['assign_to', 'value', 'variable']),
  divide: new Set(['assign_to', 'value', 'variable']),
  todouble: new Set(['assign_to', 'variable']),
  test: new Set(SIPP_ACTIONS.test),
  strcmp: new Set(SIPP_ACTIONS.strcmp),
  trim: new Set(['assign_to']),
  urlencode: new Set(['variable']),
  urldecode: new Set(['variable']),
  // play_pcap_*: read only to refuse them with a clear message (no PCAP replay).
  exec: new Set(['command', 'int_cmd', 'rtp_stream', 'play_pcap_audio', 'play_pcap_image', 'play_pcap_video']),
  setdest: new Set(['host', 'port', 'protocol']),
  lookup: new Set(['assign_to', 'file', 'key']),
  insert: new Set(['file', 'value']),
  replace: new Set(['file', 'line', 'value']),
  verifyauth: new Set(['assign_to', 'username', 'password']),
  sample: new Set(SIPP_ACTIONS.sample),
};

/**
 * The help and version screens of `gossipper`, and the table of every flag SIPp 3.6.1 knows.
 *
 * The help is our own wording laid out like SIPp's (`   -flag            : text`, wrapped at
 * column 77 with continuation lines indented to column 22). It lists only what Gossipper-TS
 * supports; every other SIPp flag is recognised (see {@link sippFlags}) and refused with
 * "is not supported yet", so a typo and a missing feature are told apart.
 *
 * Pure: these functions build strings; the caller prints them.
 */

/** Gossipper-TS release shown by `-v`. */
export const GOSSIPPER_VERSION = '0.1.0';

/** The SIPp release whose command line we follow. */
export const SIPP_VERSION = '3.6.1';

/**
 * Every flag SIPp 3.6.1 accepts, without its leading dash, and how many values follow it.
 *
 * Taken from the real `sipp -h` (3.6.1, the Debian build) plus the flags its help hides:
 * `-help` (same as `-h`) and the TLS flags (`-tls_cert`, `-tls_key`, `-tls_ca`, `-tls_crl`,
 * `-tls_version`, which take a value in a TLS build). The arity was checked by running
 * `sipp -FLAG` and `sipp -FLAG x` and looking for "Missing argument". `-h` takes no value but
 * `-h stat` prints the statistics help.
 */
export const sippFlags: Readonly<Record<string, 0 | 1 | 2>> = Object.freeze({
  // help and version (pass 0)
  h: 0, help: 0, v: 0,
  // Scenario file options
  sd: 1, sf: 1, oocsf: 1, oocsn: 1, sn: 1,
  // IP, port and protocol options
  t: 1, i: 1, p: 1, bind_local: 0, ci: 1, cp: 1, max_socket: 1, max_reconnect: 1,
  reconnect_close: 1, reconnect_sleep: 1, rsa: 1,
  tls_cert: 1, tls_key: 1, tls_ca: 1, tls_crl: 1, tls_version: 1,
  multihome: 1, heartbeat: 1, assocmaxret: 1, pathmaxret: 1, pmtu: 1, gracefulclose: 1,
  // SIPp overall behavior options
  bg: 0, nostdin: 0, plugin: 1, sleep: 1, skip_rlimit: 0, buff_size: 1, sendbuffer_warn: 1,
  lost: 1, key: 2, set: 2, tdmmap: 1, dynamicStart: 1, dynamicMax: 1, dynamicStep: 1,
  // Call behavior options
  aa: 0, base_cseq: 1, cid_str: 1, d: 1, deadcall_wait: 1, auth_uri: 1, au: 1, ap: 1, s: 1,
  default_behaviors: 1, nd: 0, pause_msg_ign: 0, callid_slash_ign: 0,
  // Injection file options
  inf: 1, infindex: 2, ip_field: 1,
  // RTP behaviour options
  mi: 1, rtp_echo: 0, mb: 1, mp: 1, rtp_payload: 1, rtp_threadtasks: 1, rtp_buffsize: 1,
  // Call rate options
  r: 1, rp: 1, rate_scale: 1, rate_increase: 1, rate_max: 1, rate_interval: 1,
  no_rate_quit: 0, l: 1, m: 1, users: 1,
  // Retransmission and timeout options
  recv_timeout: 1, send_timeout: 1, timeout: 1, timeout_error: 0, max_retrans: 1,
  max_invite_retrans: 1, max_non_invite_retrans: 1, nr: 0, rtcheck: 1, T2: 1,
  // Third-party call control options
  '3pcc': 1, master: 1, slave: 1, slave_cfg: 1,
  // Performance and watchdog options
  timer_resol: 1, max_recv_loops: 1, max_sched_loops: 1, watchdog_interval: 1,
  watchdog_reset: 1, watchdog_minor_threshold: 1, watchdog_major_threshold: 1,
  watchdog_major_maxtriggers: 1, watchdog_minor_maxtriggers: 1,
  // Tracing, logging and statistics options
  f: 1, trace_stat: 0, stat_delimiter: 1, stf: 1, fd: 1, periodic_rtd: 0,
  trace_msg: 0, message_file: 1, message_overwrite: 1,
  trace_shortmsg: 0, shortmessage_file: 1, shortmessage_overwrite: 1,
  trace_counts: 0, trace_err: 0, error_file: 1, error_overwrite: 1, trace_error_codes: 0,
  trace_calldebug: 0, calldebug_file: 1, calldebug_overwrite: 1,
  trace_screen: 0, screen_file: 1, screen_overwrite: 1, trace_rtt: 0, rtt_freq: 1,
  trace_logs: 0, log_file: 1, log_overwrite: 1,
  ringbuffer_files: 1, ringbuffer_size: 1, max_log_size: 1,
});

/** Flags of our own, which SIPp does not have, and how many values follow them. */
export const gossipperFlags: Readonly<Record<string, 0 | 1 | 2>> = Object.freeze({
  summary_json: 1,
  media_scale: 0,
  media_threads: 1,
  media_shared_socket: 0,
  media_srtp: 0,
  rtp_send: 0,
  rtp_streams: 1,
  rtp_addr: 1,
  rtp_codec: 1,
  rtp_freq: 1,
  rtp_dur: 1,
  media_skip_late: 1,
  rtp_pattern: 1,
  tls_verify: 0,
  tls_sni: 1,
  ws_path: 1,
});

interface HelpEntry {
  flag: string;
  text: string;
}
interface HelpSection {
  title: string;
  entries: HelpEntry[];
}

/** What `-h` lists: only the flags Gossipper-TS supports, grouped like SIPp's help. */
const sections: HelpSection[] = [
  {
    title: 'Scenario file options:',
    entries: [
      { flag: 'sd', text: 'Print an embedded scenario (uac, uas) as XML and exit.' },
      { flag: 'sf', text: 'Load the XML scenario from this file.' },
      {
        flag: 'sn',
        text:
          'Run an embedded scenario by name. Without -sf and -sn the embedded uac runs.\n' +
          "- 'uac' : client: INVITE, ACK, pause, BYE (default).\n" +
          "- 'uas' : server answering it.",
      },
    ],
  },
  {
    title: 'IP, port and protocol options:',
    entries: [
      {
        flag: 't',
        text:
          'Transport mode:\n' +
          '- u1: UDP, one socket for all calls (default),\n' +
          '- un: UDP, one socket per call,\n' +
          '- ui: UDP, one socket per source address; each call sends from the address in its line ' +
          'of the first -inf file (field -ip_field), and a server listens on all of them,\n' +
          '- t1: TCP, one connection for all calls,\n' +
          '- tn: TCP, one connection per call,\n' +
          '- l1: TLS, one connection for all calls,\n' +
          '- ln: TLS, one connection per call,\n' +
          '- w1, wn: SIP over WebSocket (RFC 7118, ws://), one connection for all calls or per call,\n' +
          '- wss1, wssn: the same over secure WebSocket (wss://), with the -tls_* flags.\n' +
          's1 and sn are taken as u1 and un; sl (TLS server) and cl as l1, cln as ln; ws as w1, wss as wss1. ' +
          'The other SIPp modes (c1, cn) are not supported yet.',
      },
      {
        flag: 'i',
        text:
          "Local IP address: written into Contact:, Via: and From: ([local_ip]) and used as " +
          'the bind address of the SIP socket. An IPv6 address (-i ::1) switches to IPv6. ' +
          'Default: the address that routes to the remote host.',
      },
      {
        flag: 'p',
        text: 'Local SIP port. Default: 0, meaning the first free port of 5060..5119, then any.',
      },
      {
        flag: 'max_socket',
        text:
          'With tn/ln: the most connections open at once; past it, calls share the ' +
          'connections already open. Default: 50000.',
      },
      {
        flag: 'max_reconnect',
        text:
          'With t1/l1: how many times a lost connection to the remote is replaced by a new ' +
          'one. Default: 0, so losing it stops the run (exit 255), as SIPp.',
      },
      {
        flag: 'reconnect_sleep',
        text: 'Pause before reconnecting, in ms (or with ms/s/m/h). Default: 1000.',
      },
      {
        flag: 'reconnect_close',
        text:
          'true or false: whether the calls on a lost connection fail when it is replaced. ' +
          'With false they go on over the new connection. Default: true.',
      },
      { flag: 'tls_cert', text: 'TLS certificate chain (PEM). Required to accept TLS connections.' },
      { flag: 'tls_key', text: 'TLS private key (PEM) of -tls_cert.' },
      {
        flag: 'tls_ca',
        text: 'CA certificates (PEM) to verify the peer with; giving it turns verification on.',
      },
      { flag: 'tls_crl', text: 'Certificate revocation list (PEM), checked when verifying.' },
      { flag: 'tls_version', text: 'Only this TLS version: 1.0, 1.1, 1.2 or 1.3. Default: any the peers share.' },
      {
        flag: 'tls_verify',
        text:
          "Verify the peer's certificate (ours). Default: no verification, as SIPp, with a " +
          'warning; -tls_ca turns it on too.',
      },
      {
        flag: 'tls_sni',
        text: 'Server name (SNI) a TLS client sends, and verifies the certificate against (ours).',
      },
      {
        flag: 'ws_path',
        text: 'With w1/wn/wss1/wssn: the path a WebSocket client asks for in its upgrade (ours). Default: /.',
      },
      {
        flag: 'rsa',
        text:
          'Remote sending address host[:port]: where packets are actually sent, while the ' +
          'positional remote_host[:port] still fills [remote_ip] and [remote_port]. ' +
          'Default port: 5060.',
      },
    ],
  },
  {
    title: 'Overall behavior options:',
    entries: [
      { flag: 'v', text: 'Print the version and exit.' },
      { flag: 'h', text: "Print this help and exit ('-h stat' describes the statistics file)." },
      { flag: 'bg', text: 'Run in background mode.' },
      { flag: 'nostdin', text: 'Do not read keyboard commands from stdin.' },
      {
        flag: 'buff_size',
        text:
          'Send and receive buffer size of the sockets, in bytes. Default: 4194304. This is ' +
          "larger than SIPp's on purpose, so that bursts at high call rates are not dropped.",
      },
      { flag: 'key', text: 'keyword value\nSet the generic parameter [keyword] to value.' },
      {
        flag: 'set',
        text:
          'variable value\nSet the global variable named variable (declared in the ' +
          "scenario's <Global>) to value.",
      },
    ],
  },
  {
    title: 'Call behavior options:',
    entries: [
      { flag: 'base_cseq', text: 'Value of [cseq] in the first request of each call. Default: 1.' },
      {
        flag: 'd',
        text:
          "Call length: the duration of each <pause/> that has no 'milliseconds' of its own. " +
          'Default: 0. Default unit: milliseconds.',
      },
      { flag: 's', text: "User part of the request URI ([service]). Default: 'service'." },
      {
        flag: 'aa',
        text: 'Answer an unexpected INFO, NOTIFY, OPTIONS or UPDATE with a 200 OK and go on with the call.',
      },
      {
        flag: 'default_behaviors',
        text:
          'Comma list of SIPp\'s default behaviours: all, none, bye (send BYE/CANCEL/ACK when a ' +
          'client call is aborted, 200 to an unexpected BYE/CANCEL), abortunexp (abort a call on an ' +
          'unexpected message), pingreply (answer a PING); a leading - turns one off: all,-bye. ' +
          'Default: all.',
      },
      { flag: 'nd', text: 'No default behaviours (-default_behaviors none).' },
      { flag: 'au', text: 'User name of [authentication]. Default: the -s value.' },
      { flag: 'ap', text: "Password of [authentication]. Default: 'password'." },
      {
        flag: 'auth_uri',
        text: 'URI the digest answer is computed over. Default: the remote IP and port (sip:ip:port).',
      },
    ],
  },
  {
    title: 'Injection file options:',
    entries: [
      {
        flag: 'inf',
        text:
          'Injection file (CSV): the values of [fieldN] for each call. May be given several ' +
          'times; the first is the default of [fieldN] without file=.',
      },
      {
        flag: 'ip_field',
        text:
          'With -t ui: the field of the first -inf file that holds the address each call sends ' +
          'from (default 0). [local_ip], [server_ip] and [local_port] are then the call\'s.',
      },
      {
        flag: 'infindex',
        text: 'Index an injection file by one of its fields, for the <lookup> action: -infindex FILE FIELD.',
      },
    ],
  },
  {
    title: 'RTP behaviour options:',
    entries: [
      { flag: 'mi', text: 'Local media IP address ([media_ip]). Default: the local IP address.' },
      { flag: 'mp', text: 'Local media port ([media_port]). Default: 6000.' },
    ],
  },
  {
    title: 'Synthetic RTP at scale (Gossipper-TS only):',
    entries: [
      {
        flag: 'media_scale',
        text:
          'Run <exec rtp_stream="synthetic,..."/> and -rtp_send streams on the scale engine: one timer ' +
          'for all streams, batched sends (sendmmsg where the addon is built). On by itself with ' +
          '-sn invite_media_scale.',
      },
      { flag: 'media_threads', text: 'Threads sending RTP with -media_scale. Default: the number of cores.' },
      {
        flag: 'media_shared_socket',
        text:
          'With -media_scale: one socket per thread for all its streams (one sendmmsg per tick) instead ' +
          'of one per stream; every stream then has the same source port.',
      },
      { flag: 'media_srtp', text: 'SRTP: not available, and never with -media_scale (cleartext RTP only).' },
      { flag: 'rtp_send', text: 'Send synthetic RTP without SIP (the standalone generator) to -rtp_addr.' },
      {
        flag: 'rtp_streams',
        text: 'Streams -rtp_send starts, from local ports -mp, -mp+2, ...; more than 1 needs -media_scale. Default: 1.',
      },
      { flag: 'rtp_addr', text: 'host:port every -rtp_send stream sends to.' },
      { flag: 'rtp_codec', text: "PCMU/8000 or PCMA/8000. Default: 'PCMU/8000'." },
      { flag: 'rtp_freq', text: 'Packetization interval in ms. Default: 20.' },
      { flag: 'rtp_dur', text: 'How long -rtp_send sends, in ms; without it, until SIGINT or -timeout.' },
      {
        flag: 'media_skip_late',
        text: 'With -media_scale: packets due longer ago than this are skipped (counted as rtp_packets_skipped) so a stalled sender catches up with real time (ours). Default: 500 ms.',
      },
      { flag: 'rtp_pattern', text: "silence or tone (1 kHz). Default: 'silence'." },
    ],
  },
  {
    title: 'Call rate options:',
    entries: [
      { flag: 'r', text: 'Call rate: calls started per rate period (-rp). Default: 10.' },
      {
        flag: 'rate_scale',
        text: "Step of the rate keys while running: '+'/'-' change the rate by 1 * rate_scale, '*'/'/' by 10 * rate_scale. Default: 1.",
      },
      {
        flag: 'rp',
        text:
          'Rate period: -r calls are started every -rp. Default: 1000 (one second). Default ' +
          'unit: milliseconds.\nExample: -r 7 -rp 2s ==> 7 calls every 2 seconds.',
      },
      {
        flag: 'l',
        text:
          'Maximum number of calls open at once; new calls wait while it is reached. ' +
          'Default: 3 * rate * call length (in seconds, at least 1 s), at least 1.',
      },
      {
        flag: 'm',
        text: 'Stop and exit once this many calls have been started. Default: no limit.',
      },
      {
        flag: 'tdmmap',
        text:
          'A table of TDM circuits, {x-X}{h}{y-Y}{z-Z}, e.g. {0-3}{99}{5-8}{1-31}: each call ' +
          'takes a free circuit (none free: the call fails) and [tdmmap] writes it as x.h.y/z.',
      },
      {
        flag: 'dynamicStart',
        text: 'First value of [dynamic_id], a counter shared by all calls. Default: 10000.',
      },
      {
        flag: 'dynamicStep',
        text: 'What each [dynamic_id] adds to the counter. Default: 4.',
      },
      {
        flag: 'dynamicMax',
        text: 'Past this value [dynamic_id] goes back to -dynamicStart. Default: 18000.',
      },
      {
        flag: 'users',
        text:
          'Start this many calls at once instead of a rate, and keep that many open. ' +
          'Cannot follow -l.',
      },
    ],
  },
  {
    title: 'Retransmission and timeout options:',
    entries: [
      {
        flag: 'recv_timeout',
        text:
          'Receive timeout of every <recv> without its own: the call fails when the message ' +
          'has not come in time. Default: none. Default unit: milliseconds.',
      },
      {
        flag: 'timeout',
        text:
          'Global timeout: stop after this long, writing every output. Default: none. ' +
          'Default unit: seconds.',
      },
      { flag: 'timeout_error', text: 'Reaching -timeout is a fatal error.' },
      {
        flag: 'max_retrans',
        text: 'Maximum number of UDP retransmissions before a call fails. Default: 5.',
      },
      { flag: 'nr', text: 'Do not retransmit over UDP.' },
    ],
  },
  {
    title: 'Third-party call control (3PCC) options:',
    entries: [
      {
        flag: '3pcc',
        text:
          'Run in 3PCC twin mode; ip:port is the twin command socket. When the first twin ' +
          "command of the scenario is 'sendCmd' (3pcc-C-A), connect to the twin there (start " +
          "this instance last); when it is 'recvCmd' (3pcc-C-B), listen there. Default port 6060.",
      },
      { flag: 'master', text: '3PCC extended mode: the name of this master instance in the -slave_cfg file.' },
      { flag: 'slave', text: '3PCC extended mode: the name of this slave instance in the -slave_cfg file.' },
      {
        flag: 'slave_cfg',
        text:
          "3PCC extended mode: the file of instance addresses, one 'name;ip:port' a line. " +
          "sendCmd dest= and recvCmd src= name these instances.",
      },
    ],
  },
  {
    title: 'Tracing, logging and statistics options:',
    entries: [
      {
        flag: 'trace_stat',
        text:
          'Write the statistics to <scenario>_<pid>_.csv every -fd and on exit. ' +
          "'-h stat' describes its columns.",
      },
      { flag: 'stat_delimiter', text: "Separator of the statistics file. Default: ';'." },
      { flag: 'stf', text: 'Name of the statistics file (instead of <scenario>_<pid>_.csv).' },
      {
        flag: 'f',
        text: 'How often the screen is redrawn while running. Default: 1. Default unit: seconds.',
      },
      {
        flag: 'fd',
        text: 'How often a statistics row is written. Default: 60. Default unit: seconds.',
      },
      {
        flag: 'trace_msg',
        text: 'Log every SIP message sent and received to <scenario>_<pid>_messages.log.',
      },
      { flag: 'message_file', text: 'Name of the message log file.' },
      {
        flag: 'trace_shortmsg',
        text: 'Log one line per SIP message sent and received to <scenario>_<pid>_shortmessages.log.',
      },
      { flag: 'shortmessage_file', text: 'Name of the short message log file.' },
      {
        flag: 'trace_err',
        text:
          'Log unexpected messages, receive timeouts and retransmission failures to ' +
          '<scenario>_<pid>_errors.log (created at the first error).',
      },
      { flag: 'error_file', text: 'Name of the error log file (with -trace_err).' },
      {
        flag: 'trace_error_codes',
        text:
          'Write the status codes of unexpected responses to <scenario>_<pid>_error_codes.csv ' +
          'every -fd and on exit.',
      },
      {
        flag: 'trace_counts',
        text: 'Write per-message counters to <scenario>_<pid>_counts.csv every -fd and on exit.',
      },
      {
        flag: 'trace_rtt',
        text: 'Write every response time (RTD) to <scenario>_<pid>_rtt.csv, -rtt_freq at a time.',
      },
      {
        flag: 'rtt_freq',
        text: 'How many response times -trace_rtt keeps before writing them. Default: 200.',
      },
      { flag: 'trace_screen', text: 'Write the screens to <scenario>_<pid>_screen.log on exit.' },
      { flag: 'screen_file', text: 'Name of the screen file (with -trace_screen).' },
      {
        flag: 'trace_logs',
        text: 'Write the text of every <log> action to <scenario>_<pid>_logs.log.',
      },
      { flag: 'log_file', text: 'Name of the <log> action file (with -trace_logs).' },
      {
        flag: 'trace_calldebug',
        text:
          'Write the history of every call that failed or was aborted to ' +
          '<scenario>_<pid>_calldebug.log.',
      },
      { flag: 'calldebug_file', text: 'Name of the call debug file (with -trace_calldebug).' },
      {
        flag: 'summary_json',
        text: 'Write the final statistics as JSON to this file (Gossipper-TS only).',
      },
    ],
  },
];

/**
 * Wrap `text` to `width` columns; the first line starts at column `firstIndent` (after a long
 * flag name), the others at `indent`.
 */
function wrap(text: string, indent: number, width: number, firstIndent = indent): string {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/ +/).filter((w) => w !== '')) {
      const start = out.length === 0 ? firstIndent : indent;
      if (line !== '' && start + line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    out.push(line);
  }
  return out.map((l, i) => (i === 0 ? l : l === '' ? '' : pad + l)).join('\n');
}

/** The flags `-h` lists, without their dash (exported so tests can hold help and parser together). */
export function helpFlags(): string[] {
  return sections.flatMap((s) => s.entries.map((e) => e.flag));
}

/** The SIPp flags that are recognised but not supported yet, in SIPp's order. */
export function unsupportedSippFlags(): string[] {
  const supported = new Set(helpFlags());
  supported.add('help');
  return Object.keys(sippFlags).filter((f) => !supported.has(f));
}

/** The `-h` screen. */
export function helpText(): string {
  const lines: string[] = [
    '',
    'Usage:',
    '',
    '  gossipper [sipp] remote_host[:remote_port] [options]',
    '  gossipper demo [options]',
    '',
    'Example:',
    '',
    '   Run the embedded server (uas) scenario:',
    '     gossipper -sn uas',
    '   On the same host, run the embedded client (uac) scenario against it:',
    '     gossipper -sn uac 127.0.0.1',
    '',
    '  Options take - or --. remote_host[:remote_port] ([addr]:port for IPv6)',
    '  may stand anywhere. Times take a unit: ms, s, m or h (-d 2s); a bare',
    "  number is in the option's default unit.",
    '',
    '  Available options:',
    '',
  ];
  for (const section of sections) {
    lines.push('', `*** ${section.title}`, '');
    for (const entry of section.entries) {
      const head = `   -${entry.flag.padEnd(16)}: `;
      lines.push(head + wrap(entry.text, 22, 77, head.length));
    }
  }
  lines.push(
    '',
    '*** Recognised SIPp options, not supported yet (they stop with an error):',
    '',
    '   ' + wrap(unsupportedSippFlags().map((f) => `-${f}`).join(' '), 3, 77),
    '',
    '',
    'Exit codes:',
    '',
    '    0: All calls were successful',
    '    1: At least one call failed, or a bad command line or scenario',
    '   97: Exit on internal command, or -timeout with no call completed',
    '   99: Normal exit without calls processed (-h, -v, -sd)',
    '  254: A port is already in use',
    '  255: Fatal error after the scenario was loaded',
    '',
  );
  return lines.join('\n');
}

/** The `-h stat` screen: the columns of the `-trace_stat` file. */
export function helpStatsText(): string {
  return [
    '',
    '  -trace_stat writes the statistics to <scenario>_<pid>_.csv (or the -stf name):',
    '  one header row, then one row every -fd and a final row on exit. Fields are',
    "  separated by -stat_delimiter (';'), and every row ends with it. (P) counters",
    '  are periodic (since the previous row), (C) counters cumulative.',
    '',
    '  Its columns are those of SIPp 3.6.1, in its order: StartTime, LastResetTime,',
    '  CurrentTime (each date<TAB>time<TAB>epoch), ElapsedTime, TargetRate, CallRate,',
    '  IncomingCall, OutgoingCall (column 12 is OutgoingCall(C)), TotalCallCreated,',
    '  CurrentCall, SuccessfulCall, FailedCall (column 18 is FailedCall(C)), one',
    '  Failed<reason> pair per failure reason, OutOfCallMsgs, DeadCallMsgs,',
    '  Retransmissions, AutoAnswered, Warnings, FatalErrors, WatchdogMajor,',
    '  WatchdogMinor, the response times, CallLength and the repartition counters.',
    '',
  ].join('\n');
}

/** The line that follows a command-line error, pointing at the help. */
export function helpHint(): string {
  return "Use 'gossipper -h' for the options.";
}

/** The `-v` screen, laid out like SIPp's (a blank line, the version line, a blank line). */
export function versionText(): string {
  return `\n Gossipper-TS v${GOSSIPPER_VERSION} (SIPp ${SIPP_VERSION} compatible command line).\n\n`;
}

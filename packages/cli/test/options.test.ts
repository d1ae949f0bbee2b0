import { describe, expect, it } from 'vitest';
import {
  RUN_DEFAULTS,
  RunOptionsCodec,
  defaultCallLimit,
  parseCommandLine,
  splitHostPort,
  supportedFlags,
  type ParsedCommand,
  type RunOptions,
} from '../src/options.js';
import {
  gossipperFlags,
  helpFlags,
  helpHint,
  helpStatsText,
  helpText,
  sippFlags,
  unsupportedSippFlags,
  versionText,
} from '../src/help.js';

function run(...argv: string[]): RunOptions {
  const result = parseCommandLine(argv);
  if (result.kind !== 'run') throw new Error(`expected run, got ${JSON.stringify(result)}`);
  return result.options;
}

function fails(...argv: string[]): Extract<ParsedCommand, { kind: 'error' }> {
  const result = parseCommandLine(argv);
  if (result.kind !== 'error') throw new Error(`expected error, got ${JSON.stringify(result)}`);
  expect(result.exitCode).toBe(1);
  return result;
}

describe('defaults', () => {
  it('gives SIPp defaults (and our large -buff_size) when only a host is given', () => {
    const o = run('127.0.0.1');
    expect(o).toEqual({
      scenarioName: 'uac',
      remoteHost: '127.0.0.1',
      service: 'service',
      localPort: 0,
      mediaPort: 6000,
      rate: 10,
      ratePeriodMs: 1000,
      callDurationMs: 0,
      transport: 'u1',
      timeoutError: false,
      maxRetrans: 5,
      noRetrans: false,
      bufferSize: 4194304,
      baseCseq: 1,
      keys: {},
      sets: [],
      reportFrequencyMs: 1000,
      rateScale: 1,
      noStdin: false,
      background: false,
      traceStat: false,
      statFrequencyMs: 60000,
      statDelimiter: ';',
      traceMsg: false,
      traceErr: false,
      traceScreen: false,
      traceCounts: false,
      traceRtt: false,
      rttFrequency: 200,
      traceShortMsg: false,
      traceErrorCodes: false,
      traceLogs: false,
      traceCalldebug: false,
      ipv6: false,
    });
    for (const absent of [
      'scenarioFile', 'remotePort', 'localIp', 'mediaIp', 'callLimit', 'maxCalls', 'users',
      'timeoutMs', 'recvTimeoutMs', 'statFile', 'messageFile', 'summaryJson', 'rsaHost', 'rsaPort',
      'errorFile', 'screenFile', 'logFile', 'shortmessageFile', 'calldebugFile',
    ]) {
      expect(o, absent).not.toHaveProperty(absent);
    }
  });

  it('RUN_DEFAULTS decodes as RunOptions and matches a bare parse', () => {
    expect(RunOptionsCodec.is({ ...RUN_DEFAULTS, keys: {}, sets: [] })).toBe(true);
    const { scenarioName, remoteHost, ...rest } = run('h');
    expect(scenarioName).toBe('uac');
    expect(remoteHost).toBe('h');
    expect(rest).toEqual({ ...RUN_DEFAULTS, keys: {}, sets: [] });
  });

  it('runs the embedded uac when neither -sf nor -sn is given, as SIPp', () => {
    expect(run('-m', '1').scenarioName).toBe('uac');
    expect(run('-sf', 'x.xml')).not.toHaveProperty('scenarioName');
  });

  it('computes the -l default like SIPp: 3 * rate * max(length, -d, 1 s) / period, at least 1', () => {
    const base = { rate: 10, ratePeriodMs: 1000, callDurationMs: 0, scenarioDurationMs: 0 };
    expect(defaultCallLimit(base)).toBe(30);
    expect(defaultCallLimit({ ...base, callDurationMs: 5000 })).toBe(150);
    expect(defaultCallLimit({ ...base, scenarioDurationMs: 2000, callDurationMs: 500 })).toBe(60);
    expect(defaultCallLimit({ ...base, ratePeriodMs: 5000 })).toBe(6);
    expect(defaultCallLimit({ ...base, rate: 0.1 })).toBe(1);
    expect(defaultCallLimit({ ...base, rate: 0 })).toBe(1);
  });
});

describe('every supported flag with a value', () => {
  it('scenario, addresses and identity', () => {
    expect(run('-sf', 'dir/uac.xml').scenarioFile).toBe('dir/uac.xml');
    expect(run('-sn', 'uas').scenarioName).toBe('uas');
    expect(run('-s', '1234').service).toBe('1234');
    expect(run('-i', '10.0.0.1').localIp).toBe('10.0.0.1');
    expect(run('-i', '10.0.0.1:5070').localIp).toBe('10.0.0.1'); // SIPp drops the port
    expect(run('-p', '5070').localPort).toBe(5070);
    expect(run('-mi', '10.0.0.2').mediaIp).toBe('10.0.0.2');
    expect(run('-mp', '7000').mediaPort).toBe(7000);
    expect(run('-rsa', '10.0.0.9:5080')).toMatchObject({ rsaHost: '10.0.0.9', rsaPort: 5080 });
    expect(run('-rsa', 'proxy.example')).toMatchObject({ rsaHost: 'proxy.example', rsaPort: 5060 });
    expect(run('-rsa', '[::1]:5090')).toMatchObject({ rsaHost: '::1', rsaPort: 5090 });
  });

  it('keeps -rsa apart from the positional remote host', () => {
    const o = run('-rsa', '10.0.0.9:5080', 'sip.example:5062');
    expect(o).toMatchObject({ remoteHost: 'sip.example', remotePort: 5062, rsaHost: '10.0.0.9', rsaPort: 5080 });
  });

  it('rate and call control', () => {
    expect(run('-r', '2.5').rate).toBe(2.5);
    expect(run('-r', '0').rate).toBe(0);
    expect(run('-r', '1e1').rate).toBe(10);
    expect(run('-rp', '2000').ratePeriodMs).toBe(2000);
    expect(run('-l', '7').callLimit).toBe(7);
    expect(run('-m', '100').maxCalls).toBe(100);
    expect(run('-m', '0').maxCalls).toBe(0); // SIPp: no call at all, exits at once
    expect(run('-d', '1500').callDurationMs).toBe(1500);
    expect(run('-users', '4')).toMatchObject({ users: 4, callLimit: 4 });
    expect(run('-l', '3', '-users', '5')).toMatchObject({ users: 5, callLimit: 5 });
  });

  it('-dynamicStart, -dynamicStep, -dynamicMax: C ints, negative allowed', () => {
    expect(run('-dynamicStart', '5', '-dynamicStep', '3', '-dynamicMax', '12')).toMatchObject({
      dynamicStart: 5, dynamicStep: 3, dynamicMax: 12,
    });
    expect(run('-dynamicStart', '-5').dynamicStart).toBe(-5);
    expect(run('-m', '1').dynamicStart).toBeUndefined();
    expect(fails('-dynamicStart', 'x').message).toBe('-dynamicStart: expected an integer, got "x"');
    expect(fails('-dynamicMax', '2147483648').message).toBe('-dynamicMax: "2147483648" is too large');
  });

  it('-tdmmap {x-X}{h}{y-Y}{z-Z}', () => {
    expect(run('-tdmmap', '{0-3}{99}{5-8}{1-31}').tdmMap).toEqual({ x: 0, a: 3, h: 99, y: 5, b: 3, z: 1, c: 30 });
    expect(fails('-tdmmap', '{0-3}{99}').message).toBe(
      '-tdmmap: Parameter -tdmmap must be of form {%d-%d}{%d}{%d-%d}{%d-%d}, got "{0-3}{99}"',
    );
  });

  it('-l after -users is an error, as SIPp', () => {
    expect(fails('-users', '5', '-l', '3').message).toBe(
      '-l: can not set the open call limit when -users is given before it',
    );
  });

  it('transport: u1, un, and s1/sn as aliases', () => {
    expect(run('-t', 'u1').transport).toBe('u1');
    expect(run('-t', 'un').transport).toBe('un');
    expect(run('-t', 's1').transport).toBe('u1');
    expect(run('-t', 'sn').transport).toBe('un');
  });

  it('transport: t1, tn, l1, ln, and the TLS aliases sl, cl -> l1 and cln -> ln', () => {
    for (const t of ['t1', 'tn', 'l1', 'ln'] as const) expect(run('-t', t).transport).toBe(t);
    expect(run('-t', 'sl').transport).toBe('l1');
    expect(run('-t', 'cl').transport).toBe('l1');
    expect(run('-t', 'cln').transport).toBe('ln');
  });

  it('transport: SIP over WebSocket w1, wn, wss1, wssn, the aliases ws -> w1 and wss -> wss1, and -ws_path', () => {
    for (const t of ['w1', 'wn', 'wss1', 'wssn'] as const) expect(run('-t', t).transport).toBe(t);
    expect(run('-t', 'ws').transport).toBe('w1');
    expect(run('-t', 'wss').transport).toBe('wss1');
    expect(run('-t', 'w1', '-ws_path', '/ws').wsPath).toBe('/ws');
    expect(fails('-ws_path', 'ws').message).toBe('-ws_path: expected a path starting with /, got "ws"');
    expect(fails('-t', 'w2').message).toBe(
      '-t: expected a transport (u1, un, ui, t1, tn, l1, ln, w1, wn, wss1, wssn, or the aliases s1, sn, sl, cl, cln, ws, wss), got "w2"',
    );
  });

  it('multi-socket and reconnection knobs', () => {
    const o = run('-t', 'tn', '-max_socket', '100', '-max_reconnect', '3', '-reconnect_sleep', '2s', '-reconnect_close', 'false');
    expect(o.maxSocket).toBe(100);
    expect(o.maxReconnect).toBe(3);
    expect(o.reconnectSleepMs).toBe(2000);
    expect(o.reconnectClose).toBe(false);
    expect(run('-reconnect_close', 'true').reconnectClose).toBe(true);
    expect(run('-reconnect_sleep', '250').reconnectSleepMs).toBe(250);
    expect(fails('-reconnect_close', 'maybe').message).toBe('-reconnect_close: expected true or false, got "maybe"');
    expect(fails('-max_socket', '0').message).toBe('-max_socket: the socket limit must be more than 0, got "0"');
  });

  it('TLS flags', () => {
    const o = run('-t', 'l1', '-tls_cert', 'c.pem', '-tls_key', 'k.pem', '-tls_ca', 'ca.pem', '-tls_crl', 'crl.pem',
      '-tls_version', '1.2', '-tls_verify', '-tls_sni', 'sip.example.com');
    expect(o).toMatchObject({
      tlsCert: 'c.pem', tlsKey: 'k.pem', tlsCa: 'ca.pem', tlsCrl: 'crl.pem', tlsVersion: '1.2', tlsVerify: true,
      tlsSni: 'sip.example.com',
    });
    expect(fails('-tls_version', '2.0').message).toBe('-tls_version: expected 1.0, 1.1, 1.2 or 1.3, got "2.0"');
    expect(fails('-tls_cert', '').message).toBe('-tls_cert: expected a file name, got ""');
  });

  it('timeouts and retransmissions', () => {
    expect(run('-timeout', '10').timeoutMs).toBe(10_000);
    expect(run('-timeout', '0')).not.toHaveProperty('timeoutMs');
    expect(run('-timeout_error').timeoutError).toBe(true);
    expect(run('-recv_timeout', '3000').recvTimeoutMs).toBe(3000);
    expect(run('-recv_timeout', '0')).not.toHaveProperty('recvTimeoutMs');
    expect(run('-max_retrans', '3').maxRetrans).toBe(3);
    expect(run('-nr').noRetrans).toBe(true);
  });

  it('behaviour flags', () => {
    expect(run('-buff_size', '65536').bufferSize).toBe(65536);
    expect(run('-base_cseq', '100').baseCseq).toBe(100);
    expect(run('-nostdin').noStdin).toBe(true);
    expect(run('-f', '2').reportFrequencyMs).toBe(2000);
    expect(run('-f', '500ms').reportFrequencyMs).toBe(500);
    expect(run('-rate_scale', '2.5').rateScale).toBe(2.5);
    expect(run('-bg').background).toBe(true);
  });

  it('-key: keyword value pairs, the later one wins', () => {
    expect(run('-key', 'a', '1', '-key', 'b', 'two words', '-key', 'a', '3').keys).toEqual({
      a: '3',
      b: 'two words',
    });
  });

  it('-set: kept raw, in order, values may look like flags', () => {
    expect(run('-set', 'x', '1', '-set', 'y', '-h', '-set', 'x', '2').sets).toEqual([
      ['x', '1'],
      ['y', '-h'],
      ['x', '2'],
    ]);
  });

  it('statistics and traces', () => {
    const o = run('-trace_stat', '-stf', 'stats.csv', '-fd', '5', '-stat_delimiter', ',');
    expect(o).toMatchObject({ traceStat: true, statFile: 'stats.csv', statFrequencyMs: 5000, statDelimiter: ',' });
    const m = run('-trace_msg', '-message_file', 'msg.log', '-summary_json', 'out.json');
    expect(m).toMatchObject({ traceMsg: true, messageFile: 'msg.log', summaryJson: 'out.json' });
  });

  it('a later flag overrides an earlier one, as SIPp', () => {
    expect(run('-r', '1', '-r', '2').rate).toBe(2);
    expect(run('-t', 'un', '-t', 'u1').transport).toBe('u1');
  });
});

describe('time suffixes', () => {
  it.each([
    // flag, value, ms
    ['-timeout', '10s', 10_000],
    ['-timeout', '10', 10_000], // bare: seconds
    ['-timeout', '500ms', 500],
    ['-timeout', '2m', 120_000],
    ['-timeout', '1h', 3_600_000],
    ['-timeout', '1.5', 1500],
    ['-d', '2s', 2000],
    ['-d', '2000', 2000], // bare: milliseconds
    ['-d', '1.5s', 1500],
    ['-d', '0', 0],
    ['-rp', '1m', 60_000],
    ['-rp', '5s', 5000],
    ['-rp', '250', 250],
    ['-recv_timeout', '2s', 2000],
    ['-recv_timeout', '750', 750], // bare: milliseconds
    ['-fd', '1', 1000], // bare: seconds
    ['-fd', '500ms', 500],
    ['-fd', '2m', 120_000],
  ])('%s %s -> %d ms', (flag, value, ms) => {
    const field = {
      '-timeout': 'timeoutMs',
      '-d': 'callDurationMs',
      '-rp': 'ratePeriodMs',
      '-recv_timeout': 'recvTimeoutMs',
      '-fd': 'statFrequencyMs',
    }[flag] as keyof RunOptions;
    expect(run(flag, value)[field]).toBe(ms);
  });

  it.each(['2x', '10S', '10MS', '-5', '', ' 5', '10us', '2d', 's'])('-d %j is not a time', (value) => {
    expect(fails('-d', value).message).toBe(
      `-d: expected a time (a number with ms, s, m or h; bare: milliseconds), got ${JSON.stringify(value)}`,
    );
  });

  it('names the bare unit of a seconds option', () => {
    expect(fails('-timeout', 'soon').message).toBe(
      '-timeout: expected a time (a number with ms, s, m or h; bare: seconds), got "soon"',
    );
  });

  it('refuses a zero rate period and a zero dump interval', () => {
    expect(fails('-rp', '0').message).toBe('-rp: the rate period must be more than 0 ms, got "0"');
    expect(fails('-fd', '0s').message).toBe('-fd: the dump interval must be more than 0, got "0s"');
  });
});

describe('the positional remote host', () => {
  it('may stand anywhere', () => {
    expect(run('10.1.1.1', '-m', '1')).toMatchObject({ remoteHost: '10.1.1.1', maxCalls: 1 });
    expect(run('-m', '1', '10.1.1.1:5070', '-r', '2')).toMatchObject({
      remoteHost: '10.1.1.1',
      remotePort: 5070,
      maxCalls: 1,
      rate: 2,
    });
    expect(run('-m', '1', '-r', '2', 'host.example')).toMatchObject({ remoteHost: 'host.example' });
  });

  it('the last one wins, as SIPp', () => {
    expect(run('a.example', '-m', '1', 'b.example:5099')).toMatchObject({ remoteHost: 'b.example', remotePort: 5099 });
  });

  it('an option value is never the remote host', () => {
    expect(run('-s', '127.0.0.1')).not.toHaveProperty('remoteHost');
  });

  it('IPv6: [addr]:port, [addr], bare addr', () => {
    expect(run('[::1]:5060')).toMatchObject({ remoteHost: '::1', remotePort: 5060, ipv6: true });
    expect(run('[2001:db8::1]')).toMatchObject({ remoteHost: '2001:db8::1', ipv6: true });
    expect(run('[2001:db8::1]')).not.toHaveProperty('remotePort');
    expect(run('::1')).toMatchObject({ remoteHost: '::1', ipv6: true });
    expect(run('::1')).not.toHaveProperty('remotePort');
  });

  it('ipv6 follows -i too, and stays off for IPv4 and names', () => {
    expect(run('-i', '::1').ipv6).toBe(true);
    expect(run('-i', '[::1]').localIp).toBe('::1');
    expect(run('-i', '[::1]:5061').localIp).toBe('::1');
    expect(run('-i', '127.0.0.1', '127.0.0.1:5060').ipv6).toBe(false);
    expect(run('localhost').ipv6).toBe(false);
  });

  it('a bad port is an error naming it', () => {
    expect(fails('host:abc').message).toBe('remote host: expected a port number (0-65535) in "host:abc", got "abc"');
    expect(fails('host:70000').message).toContain('got "70000"');
    expect(fails('[::1]x').message).toBe('remote host: malformed address "[::1]x"');
  });

  it('splitHostPort follows SIPp get_host_and_port', () => {
    expect(splitHostPort('x', 'h')).toEqual({ host: 'h' });
    expect(splitHostPort('x', 'h:1')).toEqual({ host: 'h', port: 1 });
    expect(splitHostPort('x', 'fe80::1')).toEqual({ host: 'fe80::1' });
    expect(splitHostPort('x', '[fe80::1]:9')).toEqual({ host: 'fe80::1', port: 9 });
  });
});

describe('prefixes and subcommands', () => {
  it('takes -- as well as -', () => {
    expect(run('--m', '5', '--trace_stat', '--timeout', '3s')).toMatchObject({
      maxCalls: 5,
      traceStat: true,
      timeoutMs: 3000,
    });
    expect(parseCommandLine(['--h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--v'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['--sd', 'uas'])).toEqual({ kind: 'dump-scenario', name: 'uas' });
  });

  it('`sipp` in front is the same command line', () => {
    expect(parseCommandLine(['sipp', '-sn', 'uac', '-m', '1', '127.0.0.1'])).toEqual(
      parseCommandLine(['-sn', 'uac', '-m', '1', '127.0.0.1']),
    );
    expect(parseCommandLine(['sipp', '-v'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['sipp'])).toEqual({ kind: 'help' });
  });

  it('no argument at all prints the help, as SIPp (exit 99)', () => {
    expect(parseCommandLine([])).toEqual({ kind: 'help' });
  });

  it('`demo` takes the run flags', () => {
    const result = parseCommandLine(['demo', '-m', '10', '-r', '5', '-l', '3', '-d', '1s', '-t', 'un', '-trace_stat']);
    expect(result.kind).toBe('demo');
    if (result.kind !== 'demo') return;
    expect(result.options).toMatchObject({
      maxCalls: 10, rate: 5, callLimit: 3, callDurationMs: 1000, transport: 'un', traceStat: true,
    });
    expect(parseCommandLine(['demo']).kind).toBe('demo');
    expect(parseCommandLine(['demo', '-h'])).toEqual({ kind: 'help' });
    expect(fails('demo', '-foo').message).toBe('unknown option "-foo"');
  });

  it('`sipp` or `demo` elsewhere is the remote host', () => {
    expect(run('-m', '1', 'demo').remoteHost).toBe('demo');
  });
});

describe('errors', () => {
  it('an unknown option names the flag as typed and asks for the help hint', () => {
    expect(fails('-foo')).toEqual({ kind: 'error', message: 'unknown option "-foo"', exitCode: 1, showHelp: true });
    expect(fails('127.0.0.1', '--foo', '-m', '1').message).toBe('unknown option "--foo"');
    expect(fails('-').message).toBe('unknown option "-"');
    expect(fails('-5').message).toBe('unknown option "-5"');
    expect(fails('-M', '1').message).toBe('unknown option "-M"'); // case matters, as SIPp
  });

  it('a missing value at the end names the flag', () => {
    expect(fails('-r')).toEqual({ kind: 'error', message: '-r: missing value', exitCode: 1, showHelp: true });
    expect(fails('127.0.0.1', '-timeout').message).toBe('-timeout: missing value');
    expect(fails('--sf').message).toBe('-sf: missing value');
    expect(fails('-key', 'a').message).toBe('-key: expected 2 values, got 1');
    expect(fails('-set').message).toBe('-set: expected 2 values, got 0');
    expect(fails('-sd').message).toBe('-sd: missing value');
  });

  it('a malformed number names the flag and the value', () => {
    expect(fails('-r', 'abc')).toEqual({
      kind: 'error', message: '-r: expected a number, got "abc"', exitCode: 1, showHelp: false,
    });
    expect(fails('-r', '1,5').message).toBe('-r: expected a number, got "1,5"');
    expect(fails('-r', '-1').message).toBe('-r: expected a number >= 0, got "-1"');
    expect(fails('-m', 'abc').message).toBe('-m: expected an integer, got "abc"');
    expect(fails('-m', '1.5').message).toBe('-m: expected an integer, got "1.5"');
    expect(fails('-m', '-5').message).toBe('-m: expected an integer >= 0, got "-5"');
    expect(fails('-l', '1e3').message).toBe('-l: expected an integer, got "1e3"');
    expect(fails('-p', '70000').message).toBe('-p: expected a port number (0-65535), got "70000"');
    expect(fails('-mp', 'x').message).toBe('-mp: expected a port number (0-65535), got "x"');
    expect(fails('-buff_size', '0').message).toBe('-buff_size: the buffer size must be more than 0, got "0"');
    expect(fails('-max_retrans', 'five').message).toBe('-max_retrans: expected an integer, got "five"');
    expect(fails('-base_cseq', '').message).toBe('-base_cseq: expected an integer, got ""');
    expect(fails('-users', 'x').message).toBe('-users: expected an integer, got "x"');
  });

  it('names the flag without the second dash', () => {
    expect(fails('--r', 'abc').message).toBe('-r: expected a number, got "abc"');
  });

  it('reports the first bad option from the left', () => {
    expect(fails('-m', 'x', '-r', 'y').message).toBe('-m: expected an integer, got "x"');
  });

  it('-inf and -infindex keep their command-line order; -au, -ap, -auth_uri', () => {
    expect(run('-inf', 'a.csv', '-infindex', 'a.csv', '0', '-inf', 'b.csv', '-au', 'joe', '-ap', 'pw', '-auth_uri', 'x@y')).toMatchObject({
      injections: [{ inf: 'a.csv' }, { index: 'a.csv', field: '0' }, { inf: 'b.csv' }],
      authUsername: 'joe',
      authPassword: 'pw',
      authUri: 'x@y',
    });
  });

  it('-aa, -nd and -default_behaviors (a list from none, - turns one off)', () => {
    expect(run('-aa').autoAnswer).toBe(true);
    expect(run('-nd').defaultBehaviors).toEqual({ bye: false, abortUnexpected: false, pingReply: false });
    expect(run('-default_behaviors', 'all,-bye').defaultBehaviors).toEqual({ bye: false, abortUnexpected: true, pingReply: true });
    expect(run('-default_behaviors', 'pingreply').defaultBehaviors).toEqual({ bye: false, abortUnexpected: false, pingReply: true });
    expect(fails('-default_behaviors', 'all,nope').message).toBe(
      '-default_behaviors: unknown default behavior "nope" (all, none, bye, abortunexp, pingreply)',
    );
  });

  it('a SIPp option we do not support yet is told apart from an unknown one', () => {
    expect(fails('-rtp_echo')).toEqual({
      kind: 'error', message: '-rtp_echo is not supported yet', exitCode: 1, showHelp: false,
    });
    expect(fails('--pause_msg_ign').message).toBe('-pause_msg_ign is not supported yet');
    // its value is taken: "-x" is not read as an (unknown) option
    expect(fails('-cid_str', '-x').message).toBe('-cid_str is not supported yet');
  });

  it('-t ui with -ip_field; -t ui needs an -inf (as SIPp, exit 1)', () => {
    expect(run('-t', 'ui', '-inf', 'ips.csv')).toMatchObject({ transport: 'ui', injections: [{ inf: 'ips.csv' }] });
    expect(run('-t', 'ui', '-inf', 'ips.csv', '-ip_field', '2').ipField).toBe(2);
    // Read only with -t ui, as SIPp: accepted and unused otherwise.
    expect(run('-t', 'un', '-inf', 'ips.csv', '-ip_field', '1').transport).toBe('un');
    expect(fails('-t', 'ui')).toEqual({
      kind: 'error',
      message: '-t ui sends each call from the address in its -inf line: give -inf FILE (and -ip_field N for its field, 0 by default)',
      exitCode: 1,
      showHelp: false,
    });
    expect(fails('-t', 'ui', '-infindex', 'ips.csv', '0').message).toMatch(/^-t ui sends each call/);
    expect(fails('-t', 'ui', '-inf', 'ips.csv', '-ip_field', 'x').message).toBe('-ip_field: expected an integer, got "x"');
  });

  it('other SIPp transports are not supported yet; garbage is malformed', () => {
    for (const t of ['c1', 'cn']) {
      expect(fails('-t', t)).toEqual({
        kind: 'error', message: `-t "${t}" is not supported yet`, exitCode: 1, showHelp: false,
      });
    }
    expect(fails('-t', 'x1')).toEqual({
      kind: 'error', message: '-t: expected a transport (u1, un, ui, t1, tn, l1, ln, w1, wn, wss1, wssn, or the aliases s1, sn, sl, cl, cln, ws, wss), got "x1"', exitCode: 1, showHelp: true,
    });
    expect(fails('-t', 'u12').message).toBe('-t: expected a transport (u1, un, ui, t1, tn, l1, ln, w1, wn, wss1, wssn, or the aliases s1, sn, sl, cl, cln, ws, wss), got "u12"');
  });

  it('a second scenario is an error, as SIPp', () => {
    expect(fails('-sn', 'uac', '-sn', 'uas').message).toBe('-sn "uas": a scenario is already given (-sn "uac")');
    expect(fails('-sf', 'a.xml', '-sn', 'uac').message).toBe('-sn "uac": a scenario is already given (-sf "a.xml")');
  });

  it('a bad option value is reported before the scenario (pass 1 before pass 2)', () => {
    expect(fails('-sn', 'uac', '-sn', 'uas', '-r', 'x').message).toBe('-r: expected a number, got "x"');
  });
});

describe('passes: -h, -v, -sd first', () => {
  // Checked against /usr/bin/sipp 3.6.1: pass 0 runs left to right and stops at the first of
  // an unknown option (exit 1), a missing value (exit 1), -h/-v/-sd (exit 99).
  it('-h wins over a bad value anywhere (sipp -r abc -h: 99)', () => {
    expect(parseCommandLine(['-r', 'abc', '-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-h', '-r', 'abc'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-t', 't1', '-h'])).toEqual({ kind: 'help' }); // sipp -t t1 -h: 99
    expect(parseCommandLine(['-rtp_echo', '-h'])).toEqual({ kind: 'help' });
  });

  it('an unknown option before -h is an error (sipp -foo -h: 1), after it help (sipp -h -foo: 99)', () => {
    expect(fails('-foo', '-h').message).toBe('unknown option "-foo"');
    expect(parseCommandLine(['-h', '-foo'])).toEqual({ kind: 'help' });
  });

  it('-h stat asks for the statistics help', () => {
    expect(parseCommandLine(['-h', 'stat'])).toEqual({ kind: 'help', topic: 'stat' });
    expect(parseCommandLine(['-help', 'stat'])).toEqual({ kind: 'help', topic: 'stat' });
  });

  it('the first of -h, -v, -sd wins (sipp -sd uac -h and -sd uac -v dump; -v -sd uac prints the version)', () => {
    expect(parseCommandLine(['-sd', 'uac', '-h'])).toEqual({ kind: 'dump-scenario', name: 'uac' });
    expect(parseCommandLine(['-sd', 'uac', '-v'])).toEqual({ kind: 'dump-scenario', name: 'uac' });
    expect(parseCommandLine(['-h', '-sd', 'uac'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-v', '-sd', 'uac'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['-d', '2s', '-m', '0', '-v'])).toEqual({ kind: 'version' });
  });

  it('a value is never a flag: sipp -s -h runs with service "-h"', () => {
    expect(run('-s', '-h').service).toBe('-h');
    expect(fails('-r', '-h').message).toBe('-r: expected a number, got "-h"');
  });

  it('a missing value at the end stops before a later... nothing: -h before it still wins', () => {
    expect(parseCommandLine(['-h', '-r'])).toEqual({ kind: 'help' });
    expect(fails('-m', '1', '-r').message).toBe('-r: missing value');
  });
});

describe('the SIPp flag table and the help', () => {
  it('holds every flag of sipp -h 3.6.1', () => {
    expect(Object.keys(sippFlags)).toHaveLength(131) // 124 listed by sipp -h, plus -h, -help and the 5 TLS flags;
    expect(sippFlags).toMatchObject({ key: 2, set: 2, infindex: 2, t: 1, r: 1, nr: 0, aa: 0, T2: 1, '3pcc': 1 });
  });

  it('every supported flag is a SIPp flag (or one of ours) and is in the help', () => {
    const help = new Set(helpFlags());
    for (const flag of supportedFlags()) {
      expect(Object.hasOwn(sippFlags, flag) || Object.hasOwn(gossipperFlags, flag), flag).toBe(true);
      expect(help.has(flag), flag).toBe(true);
    }
    for (const flag of helpFlags()) {
      expect(supportedFlags().includes(flag) || ['h', 'v', 'sd'].includes(flag), flag).toBe(true);
    }
  });

  it('every SIPp flag not supported is refused as not supported yet', () => {
    const unsupported = unsupportedSippFlags();
    expect(unsupported).toContain('rtp_echo');
    expect(unsupported).not.toContain('help');
    for (const flag of unsupported) {
      const values = Array.from({ length: sippFlags[flag] }, () => 'x');
      expect(fails(`-${flag}`, ...values).message, flag).toBe(`-${flag} is not supported yet`);
    }
  });

  it('help lays out every supported flag as SIPp does, with its defaults', () => {
    const text = helpText();
    for (const flag of helpFlags()) expect(text).toMatch(new RegExp(`^   -${flag} *: `, 'm'));
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain('-buff_size : Send and receive buffer size');
    expect(flat).toContain('Default: 4194304. This is larger than SIPp');
    expect(flat).toContain("Default: 'service'");
    expect(flat).toContain('calls started per rate period (-rp). Default: 10.');
    expect(flat).toContain('Default: 1000 (one second). Default unit: milliseconds.');
    expect(flat).toContain('How often a statistics row is written. Default: 60. Default unit: seconds.');
    expect(flat).toContain('UDP retransmissions before a call fails. Default: 5.');
    expect(flat).toContain('Default: 0, meaning the first free port of 5060..5119');
    expect(text).toContain('-rtp_echo');
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(77);
  });

  it('version, stats help and hint', () => {
    expect(versionText()).toBe('\n Gossipper-TS v0.1.0 (SIPp 3.6.1 compatible command line).\n\n');
    expect(helpStatsText()).toContain('OutgoingCall');
    expect(helpHint()).toContain('-h');
  });
});

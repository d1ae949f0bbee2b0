import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runScenario, ScenarioFailure, sipMatchers, sipScenario } from '@gossipper/vitest';

expect.extend(sipMatchers);

// The two-line test a user writes: SIPp's built-in UAC against an embedded built-in UAS.
test('INVITE flow', sipScenario('uac', { peer: 'uas' }));

describe('sipScenario / runScenario', () => {
  test('runs several calls in the test process and returns the summary', async () => {
    const result = await runScenario('uac', { peer: 'uas', calls: 5, rate: 50 });
    expect(result.passed).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(result.summary.calls).toMatchObject({ outgoing: 5, successful: 5, failed: 0 });
    expect(result.summary.rtd[0]!.count).toBe(5);
  });

  test('tests run in parallel without port clashes (ephemeral ports)', async () => {
    const results = await Promise.all([1, 2, 3].map(() => runScenario('uac', { peer: 'uas', calls: 2, rate: 20 })));
    expect(results.map((r) => r.summary.calls.successful)).toEqual([2, 2, 2]);
  });

  test('a failing scenario throws a ScenarioFailure saying which call, which step, what arrived', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-vitest-'));
    const busy = join(dir, 'busy.xml');
    writeFileSync(
      busy,
      `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="busy">
  <recv request="INVITE"/>
  <send>
    <![CDATA[
      SIP/2.0 486 Busy Here
      [last_Via:]
      [last_From:]
      [last_To:];tag=[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
`,
    );
    const error = await sipScenario('uac', { peer: busy })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScenarioFailure);
    const message = (error as ScenarioFailure).message;
    expect(message).toContain('SIP scenario uac: 0 of 1 calls succeeded (exit code 1)');
    expect(message).toMatch(/call 1 \(1-\d+@127\.0\.0\.1\) failed \(unexpected-message\) at builtin:uac:51, expecting <recv response="100">/);
    expect(message).toContain('received: SIP/2.0 486 Busy Here | Call-ID: 1-');
    // The failed call's ladder (HTML with an SVG arrow per message) and its full trace.
    const artifacts = (error as ScenarioFailure).result.artifacts;
    expect(artifacts).toHaveLength(2);
    expect(message).toContain(`ladders and message traces: ${artifacts.join(', ')}`);
    const ladder = readFileSync(artifacts[0]!, 'latin1');
    expect(ladder).toContain('<svg');
    expect(ladder.match(/<line x1=/g)!.length).toBe(2 + 3); // two lifelines; INVITE, 486, ACK
    expect(ladder).toContain('>INVITE sip:service@127.0.0.1:');
    expect(ladder).toContain('>SIP/2.0 486 Busy Here<');
    expect(readFileSync(artifacts[1]!, 'latin1')).toMatch(/^-{47}\nUDP message sent to 127\.0\.0\.1:\d+ at 0\.000 ms\n\nINVITE /);
  });

  test('given the test context, a failure annotates the test with the ladder and the trace', async (context) => {
    const error = await sipScenario('uac', { remote: '127.0.0.1:9', timeout: 500 })(context).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScenarioFailure);
    const annotations = context.task.annotations.filter((a) => a.type === 'gossipper');
    expect(annotations.map((a) => a.message)).toEqual(['SIP call-1-ladder.html', 'SIP call-1-messages.log']);
  });

  test('a peer that never answers: the run stops at `timeout` and the calls are named as cut off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-vitest-'));
    const silent = join(dir, 'silent.xml');
    writeFileSync(silent, `<scenario name="silent"><recv request="INVITE"/><recv request="BYE"/></scenario>\n`);
    const result = await runScenario('uac', { peer: silent, timeout: 1_000 });
    expect(result.passed).toBe(false);
    expect(result.summary.stopReason).toBe('timeout');
    expect(result.explanation).toContain('still open when the run stopped');
  });

  test('matchers: toHaveSucceeded, toHaveCompletedCalls, toHaveResponseTimeBelow (p99, or max with 1)', async () => {
    const result = await runScenario('uac', { peer: 'uas', calls: 4, rate: 40 });
    expect(result).toHaveSucceeded();
    expect(result).toHaveCompletedCalls(4);
    // The built-in uac measures timer "1" from the INVITE to the 200.
    expect(result).toHaveResponseTimeBelow('1', 5_000);
    expect(result).toHaveResponseTimeBelow('1', 5_000, 1);
    expect(() => expect(result).toHaveCompletedCalls(3)).toThrow('expected 3 successful calls, got 4');
    expect(() => expect(result).toHaveResponseTimeBelow('1', 0)).toThrow(/expected response time "1" p99 below 0 ms, got [\d.]+ ms over 4 calls/);
    // A method name: the INVITE's first sending to its final response, measured per call.
    expect(result.responseTimes['INVITE']!.count).toBe(4);
    expect(result.responseTimes['BYE']!.count).toBe(4);
    expect(Object.keys(result.responseTimes).sort()).toEqual(['BYE', 'INVITE']); // ACK gets no response
    expect(result).toHaveResponseTimeBelow('invite', 5_000);
    expect(() => expect(result).toHaveResponseTimeBelow('bye', 0, 1)).toThrow(/expected response time "bye" max below 0 ms, got [\d.]+ ms over 4 calls/);
    expect(() => expect(result).toHaveResponseTimeBelow('register', 100)).toThrow(
      'no response time "register" was measured (measured: rtd 1, INVITE, BYE)',
    );
  });

  test('response times per method count each request once, from its first sending (a retransmitted INVITE)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-vitest-'));
    // A UAS that answers after 700 ms: the UAC retransmits the INVITE after T1 (500 ms).
    const late = join(dir, 'late.xml');
    writeFileSync(
      late,
      `<scenario name="late">
  <recv request="INVITE"/>
  <pause milliseconds="700"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port]>
Content-Length: 0

]]></send>
  <recv request="ACK"/>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
</scenario>
`,
    );
    const result = await runScenario('uac', { peer: late, timeout: 10_000 });
    expect(result).toHaveSucceeded();
    expect(result.summary.messages.retransmissions).toBeGreaterThan(0);
    expect(result.responseTimes['INVITE']!.count).toBe(1);
    expect(result.responseTimes['INVITE']!.maxMs).toBeGreaterThanOrEqual(500);
  });

  test('the run and its peer share the transport: TCP, WebSocket, and TLS with a certificate', async () => {
    for (const transport of ['t1', 'tn', 'w1', 'wn'] as const) {
      const result = await runScenario('uac', { peer: 'uas', transport, calls: 3, rate: 30 });
      expect(result, transport).toHaveCompletedCalls(3);
    }
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-vitest-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-subj', '/CN=sip.test', '-addext', 'subjectAltName=DNS:sip.test', '-days', '1'], { stdio: 'ignore' });
    const tls = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem'), ca: join(dir, 'cert.pem'), sni: 'sip.test' };
    for (const transport of ['l1', 'wss1'] as const) {
      const result = await runScenario('uac', { peer: 'uas', transport, tls, calls: 2, rate: 20 });
      expect(result, transport).toHaveCompletedCalls(2);
    }
  });

  test('transport ui: each call from the address of its -inf line; the peer listens with u1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-vitest-ui-'));
    const callers = join(dir, 'callers.csv');
    writeFileSync(callers, 'SEQUENTIAL\nalice;127.0.0.2\nbob;127.0.0.3\n');
    const result = await runScenario('uac', { peer: 'uas', transport: 'ui', inf: callers, ipField: 1, calls: 4, rate: 40 });
    expect(result).toHaveCompletedCalls(4);
    expect(result.summary.calls.failed).toBe(0);
  });

  test('defaults come from a gossipper config file (cosmiconfig), found from the working directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gossipper-config-'));
    writeFileSync(join(dir, 'gossipper.config.json'), JSON.stringify({ calls: 4, rate: 40 }));
    // A fresh process in that directory, as a test runner started there (the built package).
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `import(${JSON.stringify(entry)}).then(async (m) => {
      const r = await m.runScenario('uac', { peer: 'uas' });
      const own = await m.runScenario('uac', { peer: 'uas', calls: 1 });
      process.stdout.write(JSON.stringify([r.summary.calls.successful, own.summary.calls.successful]));
    });`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([4, 1]);
  });
});

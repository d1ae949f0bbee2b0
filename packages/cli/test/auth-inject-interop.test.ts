/**
 * Digest authentication and -inf injection files against the real SIPp: a REGISTER answered
 * with [authentication] and checked with <verifyauth>, each side played by SIPp and by
 * gossipper. Ports: 12520..12539.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { describeWithSipp } from './support/peers.js';
import { killAllTracked, session } from './support/procs.js';
import { assertUdpPortsFree, waitForUdpBound } from './support/net.js';
import { readMessageTrace } from './support/files.js';

afterAll(killAllTracked);

const HOST = '127.0.0.1';
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const UAC = fixture('register-auth-uac.xml');
const UAS = fixture('register-auth-uas.xml');
const USERS = fixture('users.csv');

describeWithSipp('[authentication], <verifyauth> and -inf against SIPp', () => {
  it.concurrent('gossipper UAC (-inf users, -au/-ap) -> SIPp UAS that verifies: 200 for each user', async (ctx) => {
    const s = session(ctx);
    const [sippPort, ourPort] = [12521, 12522];
    assertUdpPortsFree(sippPort, ourPort);
    const sipp = s.sipp(['-sf', UAS, '-i', HOST, '-p', String(sippPort), '-m', '2']);
    await waitForUdpBound(sippPort, sipp);
    const uac = s.gossipper([
      '-sf', UAC, `${HOST}:${sippPort}`, '-i', HOST, '-p', String(ourPort), '-m', '2', '-r', '10',
      '-inf', USERS, '-au', 'joe', '-ap', 'secret', '-trace_msg',
    ]);
    const exit = await uac.wait(15_000);
    expect(exit.code, uac.describe()).toBe(0);
    expect((await sipp.wait(10_000)).code, sipp.describe()).toBe(0);
    const sent = readMessageTrace(s.path(`register-auth-uac_${uac.pid}_messages.log`))
      .filter((b) => b.direction === 'sent')
      .map((b) => b.message.toString('latin1'));
    // SEQUENTIAL: call 1 is joe, call 2 is ann; each call's second REGISTER carries the answer.
    expect(sent.map((m) => /^From: <sip:(\w+)@/m.exec(m)?.[1])).toEqual(['joe', 'joe', 'ann', 'ann']);
    const answers = sent.map((m) => /^Authorization: (.*)$/m.exec(m)?.[1]).filter((a) => a !== undefined);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(
      /^Digest username="joe",realm="sipp.example",cnonce="[0-9a-f]+",nc=00000001,qop=auth,uri="sip:127.0.0.1:12521",nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",response="[0-9a-f]{32}",algorithm=MD5$/,
    );
  }, 30_000);

  it.concurrent('a wrong -ap: SIPp answers 403 and our calls fail (exit 1)', async (ctx) => {
    const s = session(ctx);
    const [sippPort, ourPort] = [12523, 12524];
    assertUdpPortsFree(sippPort, ourPort);
    const sipp = s.sipp(['-sf', UAS, '-i', HOST, '-p', String(sippPort), '-m', '1']);
    await waitForUdpBound(sippPort, sipp);
    const uac = s.gossipper([
      '-sf', UAC, `${HOST}:${sippPort}`, '-i', HOST, '-p', String(ourPort), '-m', '1',
      '-inf', USERS, '-au', 'joe', '-ap', 'wrong',
    ]);
    expect((await uac.wait(15_000)).code, uac.describe()).toBe(1);
    await sipp.wait(10_000);
  }, 30_000);

  it.concurrent('SIPp UAC with [authentication] -> gossipper UAS with <verifyauth>: SIPp exits 0; a wrong password exits 1', async (ctx) => {
    const s = session(ctx);
    const [ourPort, sippPort, sippPort2] = [12525, 12526, 12527];
    assertUdpPortsFree(ourPort, sippPort, sippPort2);
    const uas = s.gossipper(['-sf', UAS, '-i', HOST, '-p', String(ourPort), '-m', '3']);
    await waitForUdpBound(ourPort, uas);
    const good = s.sipp([
      '-sf', UAC, `${HOST}:${ourPort}`, '-i', HOST, '-p', String(sippPort), '-m', '2', '-r', '10',
      '-inf', USERS, '-au', 'joe', '-ap', 'secret',
    ]);
    expect((await good.wait(15_000)).code, good.describe()).toBe(0);
    const bad = s.sipp([
      '-sf', UAC, `${HOST}:${ourPort}`, '-i', HOST, '-p', String(sippPort2), '-m', '1',
      '-inf', USERS, '-au', 'joe', '-ap', 'wrong',
    ]);
    expect((await bad.wait(15_000)).code, bad.describe()).toBe(1);
    expect((await uas.wait(10_000)).code, uas.describe()).toBe(0);
  }, 30_000);

  it.concurrent('credentials in the -inf file: a field holding [authentication username=.. password=..] answers the 401', async (ctx) => {
    const s = session(ctx);
    const [sippPort, ourPort] = [12528, 12529];
    assertUdpPortsFree(sippPort, ourPort);
    writeFileSync(s.path('field-auth.xml'), readFileSync(UAC, 'latin1').replace('      [authentication]\n', '      [field1]\n'), 'latin1');
    writeFileSync(s.path('creds.csv'), 'SEQUENTIAL\njoe;[authentication username=joe password=secret]\n', 'latin1');
    const sipp = s.sipp(['-sf', UAS, '-i', HOST, '-p', String(sippPort), '-m', '1']);
    await waitForUdpBound(sippPort, sipp);
    const uac = s.gossipper(['-sf', 'field-auth.xml', `${HOST}:${sippPort}`, '-i', HOST, '-p', String(ourPort), '-m', '1', '-inf', 'creds.csv']);
    expect((await uac.wait(15_000)).code, uac.describe()).toBe(0);
    expect((await sipp.wait(10_000)).code, sipp.describe()).toBe(0);
  }, 30_000);
});

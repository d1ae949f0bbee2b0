import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  authParameter,
  authorizationHeaderName,
  buildAuthorization,
  buildAuthorizationValue,
  digestResponse,
  formatNonceCount,
  parseChallenge,
  selectChallengeHeader,
  glibcRand,
  sippCnonce,
  sippCnonces,
  sippDigestUri,
  verifyAuthorization,
  type DigestChallenge,
} from '../../src/auth/index.js';

function challenge(header: string): DigestChallenge {
  const c = parseChallenge(header);
  if (c instanceof AuthError) throw c;
  return c;
}

/** The value of one parameter of a built header. */
function param(header: string, name: string): string | undefined {
  return authParameter(name, header);
}

describe('RFC examples', () => {
  it('RFC 2617 3.5: Mufasa, "Circle Of Life", MD5, qop=auth', () => {
    const c = challenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", ' +
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    // The RFC answers qop=auth; SIPp would choose auth-int from "auth,auth-int" (see below), so
    // the response is checked with the qop the RFC used.
    expect(
      digestResponse({
        hash: 'md5',
        sess: false,
        username: 'Mufasa',
        realm: c.realm,
        password: 'Circle Of Life',
        method: 'GET',
        uri: '/dir/index.html',
        nonce: c.nonce,
        cnonce: '0a4f113b',
        nc: '00000001',
        qop: 'auth',
        body: '',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');

    const authOnly = challenge(
      'Digest realm="testrealm@host.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    expect(
      buildAuthorization({
        challenge: authOnly,
        proxy: false,
        method: 'GET',
        uri: '/dir/index.html',
        body: '',
        username: 'Mufasa',
        password: 'Circle Of Life',
        cnonce: '0a4f113b',
        nc: 1,
      }),
    ).toBe(
      'Authorization: Digest username="Mufasa",realm="testrealm@host.com",cnonce="0a4f113b",' +
        'nc=00000001,qop=auth,uri="/dir/index.html",nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",' +
        'response="6629fae49393a05397450978507c4ef1",algorithm=MD5,opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
  });

  const rfc7616 = (algorithm: string) =>
    challenge(
      `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, ` +
        'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    );
  const rfc7616Response = (c: DigestChallenge) =>
    digestResponse({
      hash: c.hash,
      sess: c.sess,
      username: 'Mufasa',
      realm: c.realm,
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: c.nonce,
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
      nc: '00000001',
      qop: 'auth',
      body: '',
    });

  it('RFC 7616 3.9.1: MD5', () => {
    expect(rfc7616Response(rfc7616('MD5'))).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('RFC 7616 3.9.1: SHA-256', () => {
    expect(rfc7616Response(rfc7616('SHA-256'))).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  it('SHA-512-256 (RFC 7616/8760), against a computation written out step by step', () => {
    const c = rfc7616('SHA-512-256');
    expect(c.hash).toBe('sha512-256');
    // Computed here without the module: H = SHA-512/256, lower-case hex.
    const H = (s: string) => createHash('sha512-256').update(s, 'latin1').digest('hex');
    const ha1 = H('Mufasa:http-auth@example.org:Circle of Life');
    const ha2 = H('GET:/dir/index.html');
    const expected = H(
      `${ha1}:7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v:00000001:f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ:auth:${ha2}`,
    );
    expect(expected).toHaveLength(64);
    // SHA-512/256 is not SHA-512 cut to 256 bits (its initial values differ).
    expect(expected).not.toBe(createHash('sha512').update('x').digest('hex').slice(0, 64));
    expect(rfc7616Response(c)).toBe(expected);
  });

  it('-sess variants put nonce and cnonce in HA1, as RFC 7616 3.4.2', () => {
    for (const [algorithm, hash] of [
      ['MD5-sess', 'md5'],
      ['SHA-256-sess', 'sha256'],
      ['SHA-512-256-sess', 'sha512-256'],
    ] as const) {
      const c = rfc7616(algorithm);
      expect(c.sess).toBe(true);
      const H = (s: string) => createHash(hash).update(s, 'latin1').digest('hex');
      const cnonce = 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
      const ha1 = H(`${H('Mufasa:http-auth@example.org:Circle of Life')}:${c.nonce}:${cnonce}`);
      const ha2 = H('GET:/dir/index.html');
      expect(rfc7616Response(c)).toBe(H(`${ha1}:${c.nonce}:00000001:${cnonce}:auth:${ha2}`));
    }
  });
});

describe('the header SIPp writes', () => {
  // Captured from SIPp 3.6.1 (/usr/bin/sipp): a REGISTER with body "hello body\r\n" sent to
  // 127.0.0.1:13001 after `WWW-Authenticate: Digest realm="sipp.example",
  // nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41",
  // qop="auth,auth-int", algorithm=MD5`, with [authentication username=joe password=secret].
  const SIPP_401 =
    'Authorization: Digest username="joe",realm="sipp.example",cnonce="6b8b4567",nc=00000001,' +
    'qop=auth-int,uri="sip:127.0.0.1:13001",nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",' +
    'response="5b28d52283759c2f1cd5d85b2f68f128",algorithm=MD5,opaque="5ccc069c403ebaf9f0171e9517f40e41"';
  // Same run with `Proxy-Authenticate: Digest realm="proxy.example",nonce="abc123",algorithm=MD5`.
  const SIPP_407 =
    'Proxy-Authorization: Digest username="joe",realm="proxy.example",uri="sip:127.0.0.1:13001",' +
    'nonce="abc123",response="106a969a041f28ce941cc762c39e8648",algorithm=MD5';

  it('matches a captured 401 answer (qop auth,auth-int → auth-int, body hashed)', () => {
    const c = challenge(
      'Digest realm="sipp.example", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'opaque="5ccc069c403ebaf9f0171e9517f40e41", qop="auth,auth-int", algorithm=MD5',
    );
    expect(c.qop).toBe('auth-int');
    expect(c.qopOptions).toEqual(['auth', 'auth-int']);
    const line = buildAuthorization({
      challenge: c,
      proxy: false,
      method: 'REGISTER',
      uri: sippDigestUri('127.0.0.1', 13001),
      body: 'hello body\r\n',
      username: 'joe',
      password: 'secret',
      cnonce: '6b8b4567',
      nc: 1,
    });
    expect(line).toBe(SIPP_401);
  });

  it('matches a captured 407 answer without qop (RFC 2069 style, no cnonce/nc/qop)', () => {
    const line = buildAuthorization({
      challenge: challenge('Digest realm="proxy.example",nonce="abc123",algorithm=MD5'),
      proxy: true,
      method: 'REGISTER',
      uri: 'sip:127.0.0.1:13001',
      body: 'hello body\r\n',
      username: 'joe',
      password: 'secret',
      cnonce: 'ignored',
      nc: 1,
    });
    expect(line).toBe(SIPP_407);
  });

  it('buildAuthorizationValue is the line without the header name', () => {
    const value = buildAuthorizationValue({
      challenge: challenge('Digest realm="proxy.example",nonce="abc123",algorithm=MD5'),
      proxy: true,
      method: 'REGISTER',
      uri: 'sip:127.0.0.1:13001',
      body: '',
      username: 'joe',
      password: 'secret',
      nc: 1,
    });
    expect(`Proxy-Authorization: ${value}`).toBe(SIPP_407);
  });

  it('writes algorithm=MD5 when the challenge has none, and echoes the case it has', () => {
    const base = { proxy: false, method: 'INVITE', uri: 'sip:h:5060', body: '', username: 'u', password: 'p', nc: 1 };
    expect(buildAuthorization({ ...base, challenge: challenge('Digest realm="r", nonce="n"') })).toMatch(
      /,algorithm=MD5$/,
    );
    expect(
      buildAuthorization({ ...base, challenge: challenge('Digest realm="r", nonce="n", algorithm=md5') }),
    ).toMatch(/,algorithm=md5$/);
    expect(
      buildAuthorization({ ...base, challenge: challenge('Digest realm="r", nonce="n", algorithm="SHA-256"') }),
    ).toMatch(/,response="[0-9a-f]{64}",algorithm=SHA-256$/);
  });

  it('chooses qop as SIPp: auth-int if offered, else auth, else the value itself', () => {
    expect(challenge('Digest realm="r", nonce="n", qop="auth"').qop).toBe('auth');
    expect(challenge('Digest realm="r", nonce="n", qop="auth-int"').qop).toBe('auth-int');
    expect(challenge('Digest realm="r", nonce="n", qop="AUTH-INT, auth"').qop).toBe('auth-int');
    expect(challenge('Digest realm="r", nonce="n", qop=auth,auth-int').qop).toBe('auth'); // bare: ends at ','
    expect(challenge('Digest realm="r", nonce="n", qop="token"').qop).toBe('token');
    expect(challenge('Digest realm="r", nonce="n", qop=""').qop).toBeUndefined();
    expect(challenge('Digest realm="r", nonce="n"').qop).toBeUndefined();
    // SIPp reads at most 15 characters of qop: "token-x,auth-int" becomes "token-x,auth-in".
    expect(challenge('Digest realm="r", nonce="n", qop="token-x,auth-int"').qop).toBe('auth');
  });

  it('formats nc as 8 lower-case hex digits, and SIPp-like cnonces', () => {
    expect(formatNonceCount(1)).toBe('00000001');
    expect(formatNonceCount(255)).toBe('000000ff');
    expect(formatNonceCount(0x1_0000_0001)).toBe('00000001');
    expect(sippCnonce(() => 0.5)).toBe('40000000');
    expect(sippCnonce(() => 0)).toBe('0');
    expect(sippCnonce()).toMatch(/^[0-9a-f]{1,8}$/);
  });

  it('reproduces the cnonces of an unseeded SIPp (glibc rand())', () => {
    const next = sippCnonces();
    // The first two are those of the captured SIPp runs (6b8b4567, then 327b23c6).
    expect([next(), next(), next(), next(), next()]).toEqual(['6b8b4567', '327b23c6', '643c9869', '66334873', '74b0dc51']);
    const rand = glibcRand(1);
    expect(rand()).toBe(1804289383);
    for (let i = 0; i < 1000; i++) expect(rand()).toBeLessThan(2 ** 31);
  });

  it('uses the digest-uri SIPp uses: sip: + remote ip:port, or sip: + -auth_uri', () => {
    expect(sippDigestUri('10.0.0.1', 5060)).toBe('sip:10.0.0.1:5060');
    expect(sippDigestUri('10.0.0.1', 5060, 'registrar.example')).toBe('sip:registrar.example');
    // SIPp 3.6.1 run on ::1 wrote uri="sip:::1:13071": no brackets.
    expect(sippDigestUri('::1', 13071)).toBe('sip:::1:13071');
  });

  it('answers Proxy-Authenticate before WWW-Authenticate, as SIPp 3.6.1 did', () => {
    const headers = (h: Record<string, string>) => (name: string) => h[name];
    expect(selectChallengeHeader(headers({ 'WWW-Authenticate': 'w', 'Proxy-Authenticate': 'p' }))).toBe('p');
    expect(selectChallengeHeader(headers({ 'WWW-Authenticate': 'w' }))).toBe('w');
    expect(selectChallengeHeader(headers({}))).toBeUndefined();
  });

  it('names the header by the challenge status', () => {
    expect(authorizationHeaderName(401)).toBe('Authorization');
    expect(authorizationHeaderName(407)).toBe('Proxy-Authorization');
  });

  it('cuts opaque to 63 characters as SIPp does', () => {
    const opaque = 'o'.repeat(70);
    const c = challenge(`Digest realm="r", nonce="n", opaque="${opaque}"`);
    expect(c.opaque).toBe('o'.repeat(63));
  });

  it('hashes the body only up to a NUL byte, as SIPp (strlen)', () => {
    const c = challenge('Digest realm="r", nonce="n", qop="auth-int"');
    const base = { challenge: c, proxy: false, method: 'INVITE', uri: 'sip:h:1', username: 'u', password: 'p', cnonce: 'c', nc: 1 };
    expect(buildAuthorization({ ...base, body: Buffer.from('v=0\r\n\0tail', 'latin1') })).toBe(
      buildAuthorization({ ...base, body: 'v=0\r\n' }),
    );
    expect(buildAuthorization({ ...base, body: 'v=0\r\n' })).not.toBe(buildAuthorization({ ...base, body: 'v=1\r\n' }));
  });
});

describe('parseChallenge', () => {
  it('tolerates spacing, case, order and quoting', () => {
    const c = challenge(
      'digest  NONCE = "n1, still nonce" ,Realm=r1,\r\n qop = "auth" , OPAQUE="o1", stale=TRUE, domain="sip:a sip:b", algorithm="md5-SESS"',
    );
    expect(c).toEqual({
      realm: 'r1',
      nonce: 'n1, still nonce',
      opaque: 'o1',
      algorithm: 'md5-SESS',
      hash: 'md5',
      sess: true,
      qopOptions: ['auth'],
      qop: 'auth',
      stale: true,
      domain: 'sip:a sip:b',
    });
  });

  it('does not read nonce from cnonce or from inside a quoted string', () => {
    const c = challenge('Digest realm="x, nonce=wrong", cnonce="wrong2", nonce="right"');
    expect(c.nonce).toBe('right');
    expect(c.realm).toBe('x, nonce=wrong');
  });

  it('accepts the whole header line too', () => {
    expect(challenge('WWW-Authenticate: Digest realm="r", nonce="n"').realm).toBe('r');
  });

  it('gives SIPp-worded typed errors', () => {
    const err = (h: string) => {
      const r = parseChallenge(h);
      expect(r).toBeInstanceOf(AuthError);
      return r as AuthError;
    };
    expect(err('Basic realm="r"').code).toBe('not-digest');
    expect(err('Basic realm="r"').message).toBe('createAuthHeader: authentication must be digest');
    expect(err('Digest nonce="n"').code).toBe('no-realm');
    expect(err('Digest nonce="n"').message).toBe(`createAuthHeader: couldn't parse realm in 'Digest nonce="n"'`);
    expect(err('Digest realm="r"').code).toBe('no-nonce');
    expect(err('Digest realm="r", nonce="n", algorithm=SHA-1').code).toBe('unsupported-algorithm');
    expect(err('Digest realm="r", nonce="n", algorithm=AKAv1-MD5').code).toBe('aka-not-supported');
    expect(err('Digest realm="r", nonce="n", algorithm=MD5-sess').code).toBe('sess-needs-qop');
  });
});

describe('verifyAuthorization', () => {
  const body = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n';
  const algorithms = ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256', 'SHA-512-256-sess'];

  for (const algorithm of algorithms) {
    for (const qop of ['auth', 'auth-int', undefined]) {
      if (qop === undefined && algorithm.endsWith('-sess')) continue;
      it(`${algorithm}, qop ${qop ?? 'none'}: accepts what buildAuthorization wrote, rejects the wrong ones`, () => {
        const c = challenge(
          `Digest realm="r", nonce="n0nce", opaque="op", algorithm=${algorithm}${qop ? `, qop="${qop}"` : ''}`,
        );
        const value = buildAuthorizationValue({
          challenge: c,
          proxy: false,
          method: 'INVITE',
          uri: 'sip:127.0.0.1:5060',
          body,
          username: 'alice',
          password: 'secret',
          cnonce: 'abc123',
          nc: 3,
        });
        const ok = { authorizationHeaderValue: value, method: 'INVITE', password: 'secret', body };
        expect(verifyAuthorization(ok)).toBe(true);
        expect(verifyAuthorization({ ...ok, username: 'alice' })).toBe(true);
        expect(verifyAuthorization({ ...ok, username: 'bob' })).toBe(false);
        expect(verifyAuthorization({ ...ok, password: 'Secret' })).toBe(false);
        expect(verifyAuthorization({ ...ok, method: 'REGISTER' })).toBe(false);
        // The body counts only under auth-int.
        expect(verifyAuthorization({ ...ok, body: body + 'a=tampered\r\n' })).toBe(qop !== 'auth-int');
        // The whole header line works as well.
        expect(verifyAuthorization({ ...ok, authorizationHeaderValue: `Authorization: ${value}` })).toBe(true);
      });
    }
  }

  it('accepts the header SIPp 3.6.1 wrote (captured), with its method and body', () => {
    const sipp =
      'Digest username="joe",realm="sipp.example",cnonce="6b8b4567",nc=00000001,qop=auth-int,' +
      'uri="sip:127.0.0.1:13001",nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",' +
      'response="5b28d52283759c2f1cd5d85b2f68f128",algorithm=MD5,opaque="5ccc069c403ebaf9f0171e9517f40e41"';
    const ok = { authorizationHeaderValue: sipp, method: 'REGISTER', username: 'joe', password: 'secret', body: 'hello body\r\n' };
    expect(verifyAuthorization(ok)).toBe(true);
    expect(verifyAuthorization({ ...ok, body: 'hello body' })).toBe(false);
  });

  it('accepts RFC 7616 credentials written with spaces (as other clients write them)', () => {
    const header =
      'Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, ' +
      'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", ' +
      'qop=auth, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", ' +
      'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"';
    expect(verifyAuthorization({ authorizationHeaderValue: header, method: 'GET', password: 'Circle of Life', body: '' })).toBe(true);
    expect(verifyAuthorization({ authorizationHeaderValue: header, method: 'GET', password: 'Circle Of Life', body: '' })).toBe(false);
  });

  it('rejects what SIPp rejects: not Digest, unknown algorithm, no response, -sess without cnonce', () => {
    const base = { method: 'REGISTER', password: 'p', body: '' };
    expect(verifyAuthorization({ ...base, authorizationHeaderValue: 'Basic dTpw' })).toBe(false);
    expect(
      verifyAuthorization({ ...base, authorizationHeaderValue: 'Digest username="u",realm="r",uri="sip:x",nonce="n",algorithm=SHA-1,response="00"' }),
    ).toBe(false);
    expect(verifyAuthorization({ ...base, authorizationHeaderValue: 'Digest username="u",realm="r",uri="sip:x",nonce="n"' })).toBe(false);
    expect(
      verifyAuthorization({ ...base, authorizationHeaderValue: 'Digest username="u",realm="r",uri="sip:x",nonce="n",response=""' }),
    ).toBe(false);
    const H = (s: string) => createHash('md5').update(s).digest('hex');
    // A plain MD5 response labelled MD5-sess without cnonce: refused (no HA1 without a cnonce).
    const plain = H(`${H('u:r:p')}:n:${H('REGISTER:sip:x')}`);
    expect(
      verifyAuthorization({ ...base, authorizationHeaderValue: `Digest username="u",realm="r",uri="sip:x",nonce="n",response="${plain}",algorithm=MD5-sess` }),
    ).toBe(false);
    expect(
      verifyAuthorization({ ...base, authorizationHeaderValue: `Digest username="u",realm="r",uri="sip:x",nonce="n",response="${plain}"` }),
    ).toBe(true);
  });
});

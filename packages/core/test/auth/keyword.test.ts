import { describe, expect, it } from 'vitest';
import { AuthError, parseAuthenticationKeyword, resolveCredentials } from '../../src/auth/index.js';

describe('[authentication] keyword', () => {
  it('reads username and password', () => {
    expect(parseAuthenticationKeyword('authentication username=joe password=secret')).toEqual({
      username: 'joe',
      password: 'secret',
    });
    expect(parseAuthenticationKeyword('[authentication password=secret username=joe]')).toEqual({
      username: 'joe',
      password: 'secret',
    });
  });

  it('leaves absent or empty parameters to the defaults, and ignores other text', () => {
    expect(parseAuthenticationKeyword('authentication')).toEqual({ username: undefined, password: undefined });
    expect(parseAuthenticationKeyword('authentication foo=bar')).toEqual({ username: undefined, password: undefined });
    expect(parseAuthenticationKeyword('authentication username= password=x')).toEqual({
      username: undefined,
      password: 'x',
    });
  });

  it('ends a value at a space or a non-printable byte, reads 0x values as hex', () => {
    expect(parseAuthenticationKeyword('authentication username=a"b;c\tpassword=p\u00e9x')).toEqual({
      username: 'a"b;c',
      password: 'p',
    });
    expect(parseAuthenticationKeyword('authentication username=0x6a6f65 password=0x2a')).toEqual({
      username: 'joe',
      password: '*',
    });
  });

  it('keeps \\x escapes raw: the value is template text', () => {
    expect(parseAuthenticationKeyword('authentication username=a\\x41b')).toEqual({
      username: 'a\\x41b',
      password: undefined,
    });
  });

  it('refuses AKA parameters as not supported yet', () => {
    for (const p of ['aka_K=0x01', 'aka_OP=abc', 'aka_AMF=0x8000']) {
      const r = parseAuthenticationKeyword(`authentication username=u ${p}`);
      expect(r).toBeInstanceOf(AuthError);
      expect((r as AuthError).code).toBe('aka-not-supported');
      expect((r as AuthError).message).toMatch(/not supported yet/);
    }
  });

  it('refuses what is not [authentication], a keyword in a value, an overlong value', () => {
    expect((parseAuthenticationKeyword('service') as AuthError).code).toBe('keyword-syntax');
    expect((parseAuthenticationKeyword('authentication username=[service') as AuthError).code).toBe('keyword-syntax');
    const long = parseAuthenticationKeyword(`authentication username=${'u'.repeat(300)}`);
    expect(long).toBeInstanceOf(AuthError);
    expect((long as AuthError).message).toBe("Syntax error parsing 'username=' parameter");
  });

  it('resolves defaults as SIPp: -au else the service, -ap else "password"', () => {
    const none = { username: undefined, password: undefined };
    expect(resolveCredentials(none, { service: 'svc' })).toEqual({ username: 'svc', password: 'password' });
    expect(resolveCredentials(none, { service: 'svc', authUsername: 'au', authPassword: 'ap' })).toEqual({
      username: 'au',
      password: 'ap',
    });
    expect(
      resolveCredentials({ username: 'joe', password: 'pw' }, { service: 'svc', authUsername: 'au', authPassword: 'ap' }),
    ).toEqual({ username: 'joe', password: 'pw' });
  });
});

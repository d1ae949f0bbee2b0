import { describe, expect, it } from 'vitest';
import { cleanCdata } from '../../src/template/clean.js';
import { classifyKeyword, parseKeywordSyntax } from '../../src/template/keywords.js';
import { findLastHeader, headerQuery, lastCseqNumber, lastMessageText, lastRequestUri } from '../../src/template/last-header.js';

describe('parseKeywordSyntax (SIPp offset rule)', () => {
  it('reads +N / -N the way SIPp does', () => {
    expect(parseKeywordSyntax('cseq')).toEqual({ name: 'cseq', offset: 0 });
    expect(parseKeywordSyntax('cseq+1')).toEqual({ name: 'cseq', offset: 1 });
    expect(parseKeywordSyntax('branch-12')).toEqual({ name: 'branch', offset: -12 });
    expect(parseKeywordSyntax('cseq+7abc')).toEqual({ name: 'cseq', offset: 7 });
    expect(parseKeywordSyntax('cseq+x')).toEqual({ name: 'cseq+x', offset: 0 });
    expect(parseKeywordSyntax('last_Max-Forwards:')).toEqual({ name: 'last_Max-Forwards:', offset: 0 });
    // A '+' without a digit hides any '-': SIPp only looks for '-' when there is no '+'.
    expect(parseKeywordSyntax('a+x-1')).toEqual({ name: 'a+x-1', offset: 0 });
    expect(parseKeywordSyntax('tdmmap-1')).toEqual({ name: 'tdmmap-1', offset: 0 });
    expect(parseKeywordSyntax('authentication password=a-1')).toEqual({ name: 'authentication password=a-1', offset: 0 });
  });

  it('tells supported, later and unknown keywords apart', () => {
    expect(['cseq', 'last_Via:', 'last_anything', 'msg_index', 'last_message', '$x'].map(classifyKeyword)).toEqual([
      'supported', 'supported', 'supported', 'supported', 'supported', 'supported',
    ]);
    expect(['field12', 'authentication'].map(classifyKeyword)).toEqual(['supported', 'supported']);
    expect(['date', 'files', 'fill', 'tdmmap', 'dynamic_id'].map(classifyKeyword)).toEqual([
      'supported', 'supported', 'supported', 'supported', 'supported',
    ]);
    expect(['cryptotag1audio', 'ueaescm128sha1801audio'].map(classifyKeyword)).toEqual(['later', 'later']);
    expect(['CSEQ', 'service ', 'foo', ''].map(classifyKeyword)).toEqual(['unknown', 'unknown', 'unknown', 'unknown']);
  });
});

describe('cleanCdata (SIPp clean_cdata)', () => {
  it('trims, removes indentation in SIPp\'s order and ends the message', () => {
    expect(cleanCdata('\n\n  A\n  B  \n\n   ')).toEqual({ text: 'A\nB\n\n', leadingNewlines: 2 });
    expect(cleanCdata('A\n\t x\nx \t\nB\n\nbody\n\n')).toEqual({ text: 'A\n x\nx \nB\n\nbody\n', leadingNewlines: 0 });
    expect(cleanCdata('A\n\nbody')).toEqual({ text: 'A\n\nbody', leadingNewlines: 0 });
    expect(cleanCdata(' \n A \n')).toBeUndefined();
    expect(cleanCdata('\r\nA\rB\r\n')).toEqual({ text: 'A\nB\n\n', leadingNewlines: 1 });
  });
});

describe('last message readers', () => {
  const msg = lastMessageText(
    Buffer.from(
      'SIP/2.0 200 OK\r\nVia: a\r\nvia:b\r\nVIA:   c \r\nTo: "x" <sip:u@h>;tag=1\r\nCSeq: -3 X\r\n' +
        'm: <sip:c>\r\n\r\nContact: <sip:body>',
      'latin1',
    ),
  );

  it('finds headers case-insensitively, long form first', () => {
    expect(findLastHeader(msg, headerQuery('via'))).toBe('Via: a, b, c');
    expect(findLastHeader(msg, headerQuery('Contact:'))).toBe('m: <sip:c>');
    expect(findLastHeader(msg, headerQuery('Route:'))).toBe('');
  });

  it('reads the request URI and CSeq number as SIPp', () => {
    expect(lastRequestUri(msg)).toBe('sip:u@h');
    expect(lastCseqNumber(msg)).toBe(-3);
    const empty = lastMessageText(Buffer.from('SIP/2.0 200 OK\r\nTo: sip:u@h\r\n\r\n', 'latin1'));
    expect(lastRequestUri(empty)).toBe('');
    expect(lastCseqNumber(empty)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeEntities, parseXmlDocument, type XmlElement } from '../../src/scenario/xml.js';

function flatten(e: XmlElement): Array<[string, number, number]> {
  return [[e.name, e.line, e.column], ...e.children.flatMap(flatten)];
}

describe('parseXmlDocument', () => {
  it('gives each element the line and column of its start tag', () => {
    const xml = [
      '<?xml version="1.0"?>',
      '<!DOCTYPE scenario SYSTEM "sipp.dtd" [',
      '  <!ENTITY x "<fake>">',
      ']>',
      '<!-- <send> <recv/> -->',
      '<scenario a="1>2" b=\'<\'>',
      '  <?pi <not-a-tag/> ?>',
      '  <send><![CDATA[ <recv> ]]> </send>',
      '  <!--',
      '    <pause/>',
      '  -->',
      '    <recv',
      '      response="200"><action><log',
      'message="a"/></action></recv>',
      '</scenario>',
    ].join('\n');
    const root = parseXmlDocument(xml, 'f.xml');
    expect(flatten(root)).toEqual([
      ['scenario', 6, 1],
      ['send', 8, 3],
      ['recv', 12, 5],
      ['action', 13, 22],
      ['log', 13, 30],
    ]);
    expect(root.attributes).toEqual([
      ['a', '1>2'],
      ['b', '<'],
    ]);
    expect(root.children[0]!.cdata).toEqual([' <recv> ']);
  });

  it('keeps attributes in source order and decodes entities', () => {
    const root = parseXmlDocument('<a z="&lt;&amp;&gt;&quot;&apos;" y="&#65;&#x42;" x="&unknown;"/>', 'f');
    expect(root.attributes).toEqual([
      ['z', `<&>"'`],
      ['y', 'AB'],
      ['x', '&unknown;'],
    ]);
  });

  it('collects every CDATA section of an element in order', () => {
    const root = parseXmlDocument('<a><![CDATA[one]]>text<![CDATA[two]]></a>', 'f');
    expect(root.cdata).toEqual(['one', 'two']);
  });

  it('reports syntax errors with line and column', () => {
    expect(() => parseXmlDocument('<a>\n  <b>\n</a>', 'f.xml')).toThrow(
      "f.xml:3:1: Expected closing tag 'b' (opened in line 2, col 3) instead of closing tag 'a'.",
    );
    expect(() => parseXmlDocument('<a/>\n<b/>', 'f.xml')).toThrow(
      'f.xml:2:1: only one root element is allowed (found <b> after <a>)',
    );
  });
});

describe('decodeEntities', () => {
  it('leaves text without entities alone', () => {
    expect(decodeEntities('plain')).toBe('plain');
    expect(decodeEntities('a &amp;amp; b')).toBe('a &amp; b');
  });
});

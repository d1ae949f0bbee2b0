import { describe, expect, it } from 'vitest';
import { declaredEncoding, decodeScenarioBytes } from '../../src/scenario/encoding.js';
import { loadScenario } from '../../src/scenario/loader.js';
import type { SendStep } from '../../src/scenario/types.js';
import { fakeCompile, fixtureBytes } from './helpers.js';

const bytes = (s: string, enc: BufferEncoding) => new Uint8Array(Buffer.from(s, enc));

describe('decodeScenarioBytes', () => {
  it('reads a file declared ISO-8859-1 as latin1: byte 0xE9 becomes U+00E9', () => {
    const raw = fixtureBytes('latin1-header.xml');
    expect(raw.includes(0xe9)).toBe(true);
    const text = decodeScenarioBytes(raw);
    expect(text).toContain('From: Ren\u00e9 <sip:rene@');
    expect(text.length).toBe(raw.length);
  });

  it('loads the latin1 fixture, handing the header to the template compiler unchanged', () => {
    const s = loadScenario(decodeScenarioBytes(fixtureBytes('latin1-header.xml')), 'latin1-header.xml', fakeCompile);
    expect(s.name).toBe('caf\u00e9');
    expect((s.steps[0] as SendStep).template.source).toContain('From: Ren\u00e9 <sip:rene@');
  });

  it('keeps 0x80-0x9F as the same code points (not windows-1252)', () => {
    const raw = new Uint8Array([...bytes('<?xml version="1.0" encoding="iso-8859-1"?><a>', 'latin1'), 0x80, 0x9f, 0xff]);
    const text = decodeScenarioBytes(raw);
    expect([...text.slice(-3)].map((c) => c.charCodeAt(0))).toEqual([0x80, 0x9f, 0xff]);
  });

  it('reads UTF-8 when declared so, or when there is no declaration', () => {
    expect(decodeScenarioBytes(bytes('<?xml version="1.0" encoding="UTF-8"?><a>\u00e9</a>', 'utf8'))).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><a>\u00e9</a>',
    );
    expect(decodeScenarioBytes(bytes('<a>\u00e9\u20ac</a>', 'utf8'))).toBe('<a>\u00e9\u20ac</a>');
  });

  it('drops a UTF-8 byte order mark', () => {
    expect(decodeScenarioBytes(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('<a/>', 'latin1')]))).toBe('<a/>');
  });

  it('falls back to latin1 for bytes that are not UTF-8 instead of losing them', () => {
    const raw = new Uint8Array([...bytes('<a>', 'latin1'), 0xe9, ...bytes('</a>', 'latin1')]);
    expect(decodeScenarioBytes(raw)).toBe('<a>\u00e9</a>');
  });

  it('finds the declared encoding with either quote and any case', () => {
    expect(declaredEncoding(bytes("<?xml version='1.0' encoding='Latin1' ?>", 'latin1'))).toBe('Latin1');
    expect(declaredEncoding(bytes('<?xml version="1.0"?>', 'latin1'))).toBeUndefined();
    expect(declaredEncoding(bytes('<scenario encoding="ISO-8859-1">', 'latin1'))).toBeUndefined();
    expect(decodeScenarioBytes(new Uint8Array([...bytes("<?xml version='1.0' encoding='LATIN1'?><a>", 'latin1'), 0xe9]))).toBe(
      "<?xml version='1.0' encoding='LATIN1'?><a>\u00e9",
    );
  });
});

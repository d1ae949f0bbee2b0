// How SIPp 3.6.1 reads the text of a `[fieldN ...]` keyword (src/message.cpp: the `field` branch
// of the SendingMessage constructor and getKeywordParam).

import { parseKeywordSyntax } from '../template/keywords.js';
import { atoi } from './cnum.js';

/** A `[fieldN file="x.csv" line="K"]` keyword, read as SIPp reads it. */
export interface FieldKeyword {
  /** N: `atoi` of the text after `field` (`[field]` and `[fieldx]` are field 0, `[field 1]` is 1). */
  readonly field: number;
  /** The `file=` value; undefined when absent or empty (the default file is used). */
  readonly file: string | undefined;
  /**
   * The `line=` value, undefined when absent or empty. It is itself template text (SIPp compiles
   * it as a message: `line="[$n]"` works): render it per call, then pass the text to
   * InjectionSet.fieldText.
   */
  readonly line: string | undefined;
}

/**
 * Reads the text between `[` and `]` of a keyword starting with `field` (the template compiler
 * found the closing `]` outside double quotes, as SIPp does).
 *
 * As for every SIPp keyword, a `+N`/`-N` offset is cut off first and ignored, so `[field1+1]` is
 * field 1, and a `-` followed by a digit anywhere cuts the text there: `[field0 line=-1]` has no
 * line at all. Parameters are found by their first occurrence (`strstr`); a value is either
 * quoted (`"..."`, backslash escapes the next character, no closing quote reads to the end) or
 * runs up to `]`, a space or a control character; a value starting with `0x` is hex-decoded
 * (SIPp 3.6.1 then fails to find a file named so: `Invalid injection file`).
 */
export function parseFieldKeyword(raw: string): FieldKeyword {
  const { name } = parseKeywordSyntax(raw);
  const file = keywordParam(name, 'file=');
  const line = keywordParam(name, 'line=');
  return {
    field: atoi(name.slice('field'.length)),
    file: file === '' ? undefined : file,
    line: line === '' ? undefined : line,
  };
}

/** SIPp's getKeywordParam: the value of `param` (which ends with '='), '' when absent. */
export function keywordParam(text: string, param: string): string {
  const at = text.indexOf(param);
  if (at < 0) return '';
  let i = at + param.length;
  if (text[i] === '0' && text[i + 1] === 'x') {
    let out = '';
    i += 2;
    while (isHex(text.charCodeAt(i))) {
      let value = parseInt(text[i]!, 16);
      i++;
      if (isHex(text.charCodeAt(i))) {
        value = value * 16 + parseInt(text[i]!, 16);
        i++;
      }
      out += String.fromCharCode(value & 0xff);
    }
    return out;
  }
  if (text[i] === '"') {
    let out = '';
    i++;
    while (i < text.length) {
      const c = text[i++]!;
      if (c === '"') break;
      if (c === '\\') {
        if (i >= text.length) break;
        out += text[i++];
        continue;
      }
      out += c;
    }
    return out;
  }
  const from = i;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5d /* ] */ || c < 33 || c > 126) break;
    i++;
  }
  return text.slice(from, i);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

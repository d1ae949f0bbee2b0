/**
 * Turn the bytes of a scenario file into the string loadScenario() reads.
 *
 * The XML declaration's `encoding` decides: ISO-8859-1 (and its aliases) is read as latin1,
 * one character per byte, so every byte of the file survives as the same code point (SIPp
 * sends the bytes of the file as they are). Anything else is read as UTF-8; bytes that are
 * not valid UTF-8 fall back to latin1 rather than being replaced by U+FFFD. A UTF-8 byte order
 * mark is dropped.
 */
export function decodeScenarioBytes(bytes: Uint8Array): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return decodeUtf8OrLatin1(bytes.subarray(3));
  }
  const encoding = declaredEncoding(bytes);
  if (encoding !== undefined && LATIN1_NAMES.has(encoding.toLowerCase())) return decodeLatin1(bytes);
  return decodeUtf8OrLatin1(bytes);
}

const LATIN1_NAMES = new Set([
  'iso-8859-1',
  'iso8859-1',
  'iso_8859-1',
  'iso_8859-1:1987',
  'iso-ir-100',
  'latin1',
  'latin-1',
  'l1',
  'cp819',
  'ibm819',
  'csisolatin1',
]);

/** The `encoding="..."` of an XML declaration at the very start of the file, if any. */
export function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = decodeLatin1(bytes.subarray(0, 256));
  const declaration = /^\s*<\?xml\s[^>]*?\?>/.exec(head) ?? /^\s*<\?xml\s[^>]*$/.exec(head);
  if (!declaration) return undefined;
  const m = /\sencoding\s*=\s*(["'])([^"']*)\1/.exec(declaration[0]);
  return m ? m[2] : undefined;
}

function decodeUtf8OrLatin1(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return decodeLatin1(bytes);
  }
}

/** True ISO-8859-1 (TextDecoder's "latin1"/"iso-8859-1" label is windows-1252, which remaps 0x80-0x9F). */
function decodeLatin1(bytes: Uint8Array): string {
  let text = '';
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    text += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return text;
}

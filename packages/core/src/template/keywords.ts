// SIPp's send-template keywords: which exist, which this version renders, and how SIPp
// reads the text between `[` and `]` (src/message.cpp, SendingMessage::SendingMessage).

/** Keywords this version renders (SIPp's SimpleKeywords table, the part we implement). */
export const SUPPORTED_SIMPLE_KEYWORDS: readonly string[] = [
  'remote_ip',
  'remote_host',
  'remote_port',
  'transport',
  'local_ip',
  'local_ip_type',
  'local_port',
  'media_ip',
  'media_port',
  'media_ip_type',
  'call_number',
  'call_id',
  'cseq',
  'pid',
  'service',
  'branch',
  'msg_index',
  'next_url',
  'len',
  'peer_tag_param',
  'last_Request_URI',
  'last_cseq_number',
  'last_message',
  'routes',
  'server_ip',
  'auto_media_port',
  'rtpstream_audio_port',
  'rtpstream_video_port',
  'dynamic_id',
  'tdmmap',
  'clock_tick',
  'users',
  'userid',
  'timestamp',
  'date',
  'sipp_version',
];

/**
 * SIPp keywords without parameters that a later issue implements: the crypto and UE keywords,
 * which only exist in SIPp builds with TLS (Debian's 3.6.1 has none and calls them
 * unsupported); they are listed so the message says "not supported yet".
 */
export const LATER_SIMPLE_KEYWORDS: readonly string[] = [
  'cryptotag1audio',
  'cryptotag2audio',
  'cryptosuiteaescm128sha1801audio',
  'cryptosuiteaescm128sha1802audio',
  'cryptosuiteaescm128sha1321audio',
  'cryptosuiteaescm128sha1322audio',
  'cryptokeyparams1audio',
  'cryptokeyparams2audio',
  'cryptotag1video',
  'cryptotag2video',
  'cryptosuiteaescm128sha1801video',
  'cryptosuiteaescm128sha1802video',
  'cryptosuiteaescm128sha1321video',
  'cryptosuiteaescm128sha1322video',
  'cryptokeyparams1video',
  'cryptokeyparams2video',
  'cryptosuitenullsha1801audio',
  'cryptosuitenullsha1802audio',
  'cryptosuitenullsha1321audio',
  'cryptosuitenullsha1322audio',
  'cryptosuitenullsha1801video',
  'cryptosuitenullsha1802video',
  'cryptosuitenullsha1321video',
  'cryptosuitenullsha1322video',
  'ueaescm128sha1801audio',
  'ueaescm128sha1802audio',
  'ueaescm128sha1321audio',
  'ueaescm128sha1322audio',
  'ueaescm128sha1801video',
  'ueaescm128sha1802video',
  'ueaescm128sha1321video',
  'ueaescm128sha1322video',
];

/**
 * Keywords SIPp recognises by their beginning, in the order SIPp tests them, and whether this
 * version renders them. `last_` covers `[last_Via:]`, `[last_Via]`, ... (any header).
 */
export const PREFIX_KEYWORDS: ReadonlyArray<readonly [prefix: string, supported: boolean]> = [
  ['field', true], // [field0], [field1 file="x.csv" line=2]: -inf injection
  ['file', true], // [file name="x"]
  ['$', true], // [$variable]
  ['fill', true], // [fill text="x" variable=n]
  ['last_', true], // [last_Header:]
  ['authentication', true], // [authentication username=... password=...]
];

const supportedSimple = new Set(SUPPORTED_SIMPLE_KEYWORDS);
const laterSimple = new Set(LATER_SIMPLE_KEYWORDS);

/** What SIPp makes of the text between `[` and `]`. */
export interface KeywordSyntax {
  /** The keyword name with the offset removed (`cseq` for `cseq+1`). */
  name: string;
  /** `+N` / `-N` (SIPp: `atoi` from the sign, so `[cseq+7abc]` is cseq + 7), 0 when none. */
  offset: number;
}

/**
 * SIPp's offset rule: every keyword except `authentication...` and `tdmmap...` may end in
 * `+N` or `-N`. SIPp looks for the first `+`; only when there is none, for the first `-`. When
 * a digit follows that sign, the keyword is cut there and `atoi` reads the offset (so
 * `[cseq+7abc]` is `[cseq+7]` and `[cseq+x]` is the unknown keyword `cseq+x`). Keywords that do
 * not use an offset ignore it ([call_number+1] renders the call number).
 */
export function parseKeywordSyntax(text: string): KeywordSyntax {
  if (text.startsWith('authentication') || text.startsWith('tdmmap')) return { name: text, offset: 0 };
  let sign = text.indexOf('+');
  if (sign < 0) sign = text.indexOf('-');
  if (sign < 0 || !isDigit(text.charCodeAt(sign + 1))) return { name: text, offset: 0 };
  let i = sign + 1;
  let value = 0;
  while (i < text.length && isDigit(text.charCodeAt(i))) {
    value = value * 10 + (text.charCodeAt(i) - 48);
    i++;
  }
  // atoi overflow is undefined in C; keep the int32 wrap SIPp shows in practice.
  value |= 0;
  return { name: text.slice(0, sign), offset: text[sign] === '-' ? -value : value };
}

export type KeywordClass = 'supported' | 'later' | 'unknown';

/**
 * Whether a keyword name (offset removed) is one this version renders, one SIPp has that a
 * later issue brings, or neither. Unknown names are what SIPp would look up in the `-key`
 * table (generic keywords), which this version does not have yet either.
 */
export function classifyKeyword(name: string): KeywordClass {
  if (supportedSimple.has(name)) return 'supported';
  if (laterSimple.has(name)) return 'later';
  for (const [prefix, supported] of PREFIX_KEYWORDS) {
    if (name.startsWith(prefix)) return supported ? 'supported' : 'later';
  }
  return 'unknown';
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

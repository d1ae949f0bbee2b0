import type { SyntheticCodec } from '../ports/media.js';

export interface RtpCodec {
  codec: SyntheticCodec;
  clockRate: number;
  /** The static RTP payload type (RFC 3551): 0 for PCMU, 8 for PCMA. */
  payloadType: number;
}

const STATIC_PAYLOAD_TYPES: Record<SyntheticCodec, number> = { PCMU: 0, PCMA: 8 };

/**
 * `PCMU/8000` or `PCMA/8000` (case-insensitive; the rate may be left out). Returns a reason
 * string when the codec is not one the synthetic generator can send.
 */
export function parseRtpCodec(text: string): RtpCodec | string {
  const match = /^\s*([A-Za-z0-9]+)(?:\/(\d+))?\s*$/.exec(text);
  if (match === null) return `"${text}" is not a codec (expected PCMU/8000 or PCMA/8000)`;
  const name = match[1].toUpperCase();
  if (name !== 'PCMU' && name !== 'PCMA') {
    return `codec "${match[1]}" is not supported by synthetic RTP (PCMU/8000 or PCMA/8000)`;
  }
  const clockRate = match[2] === undefined ? 8000 : Number(match[2]);
  if (clockRate !== 8000) return `${name} runs at 8000 Hz, not ${clockRate}`;
  return { codec: name, clockRate, payloadType: STATIC_PAYLOAD_TYPES[name] };
}

/** G.711 ptimes: whole ms from 10 to 1000 in steps of 10 would be the usual; any 1..1000 works. */
export function ptimeError(ptimeMs: number): string | undefined {
  if (!Number.isInteger(ptimeMs) || ptimeMs < 1 || ptimeMs > 1000) {
    return `packetization interval ${ptimeMs} ms is outside 1..1000`;
  }
  return undefined;
}

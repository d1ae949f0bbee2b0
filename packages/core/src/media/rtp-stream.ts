import type { SyntheticPattern } from '../ports/media.js';
import { parseRtpCodec, ptimeError, type RtpCodec } from './codec.js';

/** What `<exec rtp_stream="..."/>` asks for. */
export type RtpStreamCommand =
  | { op: 'synthetic'; codec: RtpCodec; ptimeMs: number; durationMs: number; pattern: SyntheticPattern }
  | { op: 'pause' }
  | { op: 'resume' }
  | { op: 'stop' };

/**
 * `synthetic,DURATION,PT,CODEC/RATE,PTIME[,silence|tone]`, or `pause`, `resume`, `stop`.
 * DURATION is in ms; 0 or -1 sends until `stop` or the end of the call. PT 0 takes the codec's
 * static payload type. Returns a reason string for anything else.
 */
export function parseRtpStreamCommand(value: string): RtpStreamCommand | string {
  const text = value.trim();
  if (text === 'pause' || text === 'resume' || text === 'stop') return { op: text };
  const fields = text.split(',').map((f) => f.trim());
  if (fields[0] !== 'synthetic') {
    return `rtp_stream="${value}": only synthetic streams (synthetic,DURATION,PT,CODEC/RATE,PTIME), pause, resume and stop are supported`;
  }
  if (fields.length < 5 || fields.length > 6) {
    return `rtp_stream="${value}": expected synthetic,DURATION,PT,CODEC/RATE,PTIME[,silence|tone]`;
  }
  const duration = Number(fields[1]);
  if (!Number.isInteger(duration) || duration < -1) {
    return `rtp_stream="${value}": duration "${fields[1]}" must be ms (0 or -1: until stopped)`;
  }
  const pt = Number(fields[2]);
  if (!Number.isInteger(pt) || pt < 0 || pt > 127) return `rtp_stream="${value}": payload type "${fields[2]}" is not 0..127`;
  const codec = parseRtpCodec(fields[3]);
  if (typeof codec === 'string') return `rtp_stream="${value}": ${codec}`;
  const ptimeMs = Number(fields[4]);
  const ptimeProblem = ptimeError(ptimeMs);
  if (ptimeProblem !== undefined) return `rtp_stream="${value}": ${ptimeProblem}`;
  const pattern = fields[5] ?? 'silence';
  if (pattern !== 'silence' && pattern !== 'tone') return `rtp_stream="${value}": pattern "${pattern}" is not silence or tone`;
  return {
    op: 'synthetic',
    codec: pt === 0 ? codec : { ...codec, payloadType: pt },
    ptimeMs,
    durationMs: duration <= 0 ? 0 : duration,
    pattern,
  };
}

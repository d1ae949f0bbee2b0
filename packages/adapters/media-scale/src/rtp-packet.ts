import type { SyntheticCodec, SyntheticPattern } from '@gossipper/core';

/** RTP fixed header (RFC 3550 section 5.1): 12 bytes, no CSRC, no extension. */
export const RTP_HEADER_BYTES = 12;
export const RTP_OFFSET_MARKER_PT = 1;
export const RTP_OFFSET_SEQ = 2;
export const RTP_OFFSET_TIMESTAMP = 4;
export const RTP_OFFSET_SSRC = 8;

/** Digital silence: the codeword of a zero sample (mu-law 0xFF, A-law 0xD5). */
const SILENCE_BYTE: Record<SyntheticCodec, number> = { PCMU: 0xff, PCMA: 0xd5 };

const TONE_HZ = 1000;
const TONE_AMPLITUDE = 8000; // about -12 dBm0: loud enough to hear, far from clipping

/** G.711 mu-law encoder (ITU-T G.711, the usual segment search). */
export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** G.711 A-law encoder (the segment-table form of the reference implementation). */
const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
export function linearToAlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample))) >> 3;
  let mask = 0xd5;
  if (s < 0) {
    mask = 0x55;
    s = -s - 1;
  }
  let segment = 0;
  while (segment < 8 && s > ALAW_SEGMENT_ENDS[segment]) segment++;
  if (segment >= 8) return 0x7f ^ mask;
  const quantised = segment < 2 ? (s >> 1) & 0x0f : (s >> segment) & 0x0f;
  return ((segment << 4) | quantised) ^ mask;
}

/** Samples (= payload bytes for G.711) per packet. */
export function samplesPerPacket(clockRate: number, ptimeMs: number): number {
  return Math.round((clockRate * ptimeMs) / 1000);
}

/**
 * The payload every packet of a stream carries. A 1 kHz tone at 8 kHz repeats every 8 samples,
 * so one payload fits every packet of a whole-ms ptime and never needs recomputing.
 */
export function syntheticPayload(codec: SyntheticCodec, pattern: SyntheticPattern, samples: number, clockRate: number): Buffer {
  const payload = Buffer.alloc(samples, SILENCE_BYTE[codec]);
  if (pattern === 'tone') {
    const encode = codec === 'PCMU' ? linearToUlaw : linearToAlaw;
    for (let i = 0; i < samples; i++) {
      payload[i] = encode(TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * i) / clockRate));
    }
  }
  return payload;
}

/** Writes a complete packet template at `offset`: V=2, no marker, the payload type and SSRC set. */
export function writeRtpTemplate(target: Buffer, offset: number, payloadType: number, ssrc: number, payload: Buffer): void {
  target[offset] = 0x80;
  target[offset + RTP_OFFSET_MARKER_PT] = payloadType & 0x7f;
  target.writeUInt16BE(0, offset + RTP_OFFSET_SEQ);
  target.writeUInt32BE(0, offset + RTP_OFFSET_TIMESTAMP);
  target.writeUInt32BE(ssrc >>> 0, offset + RTP_OFFSET_SSRC);
  payload.copy(target, offset + RTP_HEADER_BYTES);
}

/** The per-packet patch: marker, sequence number and timestamp, in place. */
export function patchRtpHeader(
  target: Uint8Array,
  offset: number,
  payloadType: number,
  marker: boolean,
  seq: number,
  timestamp: number,
): void {
  target[offset + RTP_OFFSET_MARKER_PT] = marker ? 0x80 | payloadType : payloadType;
  target[offset + RTP_OFFSET_SEQ] = (seq >>> 8) & 0xff;
  target[offset + RTP_OFFSET_SEQ + 1] = seq & 0xff;
  target[offset + RTP_OFFSET_TIMESTAMP] = timestamp >>> 24;
  target[offset + RTP_OFFSET_TIMESTAMP + 1] = (timestamp >>> 16) & 0xff;
  target[offset + RTP_OFFSET_TIMESTAMP + 2] = (timestamp >>> 8) & 0xff;
  target[offset + RTP_OFFSET_TIMESTAMP + 3] = timestamp & 0xff;
}

/** The fields a receiver checks, read back from a packet (tests and the counting sink). */
export interface RtpHeaderFields {
  version: number;
  marker: boolean;
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
}

export function readRtpHeader(packet: Uint8Array, offset = 0): RtpHeaderFields {
  const view = new DataView(packet.buffer, packet.byteOffset + offset, RTP_HEADER_BYTES);
  return {
    version: view.getUint8(0) >> 6,
    marker: (view.getUint8(1) & 0x80) !== 0,
    payloadType: view.getUint8(1) & 0x7f,
    seq: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
  };
}

import type { Endpoint } from '../ports/transport.js';

/**
 * The audio RTP endpoint an SDP body offers or answers: the port of the first `m=audio` line
 * with a non-zero port, and the connection address of that media section (its own `c=` line,
 * else the session-level one). Undefined when the body has no usable audio line; `0.0.0.0`
 * (an old-style hold) is returned as is, so the caller can decide.
 */
export function sdpAudioEndpoint(body: string): Endpoint | undefined {
  let sessionAddress: string | undefined;
  let inAudio = false;
  let audioPort = -1;
  let audioAddress: string | undefined;
  for (const raw of body.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('m=')) {
      if (inAudio) break; // the first audio section is the one
      const fields = line.slice(2).split(' ');
      if (fields[0] === 'audio') {
        const port = Number.parseInt(fields[1] ?? '', 10);
        if (Number.isInteger(port) && port > 0 && port < 65536) {
          inAudio = true;
          audioPort = port;
        }
      }
    } else if (line.startsWith('c=')) {
      const fields = line.slice(2).trim().split(/\s+/);
      const address = fields[2]?.split('/')[0];
      if (fields[0] !== 'IN' || address === undefined) continue;
      if (inAudio) audioAddress = address;
      else if (audioPort < 0) sessionAddress = address;
    }
  }
  if (!inAudio) return undefined;
  const address = audioAddress ?? sessionAddress;
  if (address === undefined) return undefined;
  return { address, port: audioPort };
}

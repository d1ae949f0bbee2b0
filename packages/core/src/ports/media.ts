/**
 * The media port: synthetic RTP streams owned by calls (or by the standalone generator).
 * The core decides when a stream starts, pauses, resumes and stops; an adapter owns the sockets,
 * the clock that paces packets and the packet bytes.
 */

/** G.711 codecs the synthetic generator can send; both are 8000 Hz, one byte per sample. */
export type SyntheticCodec = 'PCMU' | 'PCMA';

/** What fills the payload: digital silence, or a 1 kHz tone (heard on a monitor). */
export type SyntheticPattern = 'silence' | 'tone';

export interface MediaStreamSpec {
  /** Where RTP goes (IPv4 or IPv6 literal). */
  remoteHost: string;
  remotePort: number;
  /** Local address to bind; '' lets the system choose. */
  localHost: string;
  /** Local port to bind; 0 for an ephemeral one. */
  localPort: number;
  codec: SyntheticCodec;
  payloadType: number;
  clockRate: number;
  /** Packetization interval in ms (20 for the usual 160-byte G.711 packets). */
  ptimeMs: number;
  pattern: SyntheticPattern;
  /** Stop on its own after this many ms; 0 for "until stopped". */
  durationMs: number;
  /** First packet this many ms after the start (spreads many streams over one ptime). */
  startDelayMs: number;
}

/** Counters summed over every stream (and every media thread) of a run. */
export interface MediaCounters {
  /** Which send path ran: `sendmmsg` (native addon), `dgram` (Node fallback), or '' before any. */
  sendPath: string;
  /** Media threads (worker_threads) carrying the streams; 0 when they run on the main thread. */
  threads: number;
  streamsStarted: number;
  streamsActive: number;
  streamsPeak: number;
  rtpPacketsSent: number;
  rtpBytesSent: number;
  /** Packets the kernel refused (send buffer full, unreachable): not counted as sent. */
  sendErrors: number;
  /** Streams that could not get a socket (port busy, too many open files, bad address). */
  socketErrors: number;
  /**
   * Packets not sent because they were more than `maxLatenessMs` late (the sender was
   * overloaded): the stream jumps to the present with its marker set, as after a pause.
   */
  skippedPackets: number;
  maxLatenessMs: number;
  /** Packets that left more than `lateThresholdMs` after their due time. */
  latePackets: number;
  lateThresholdMs: number;
  /** Lateness of every sent packet against its due time. */
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
}

export interface MediaPort {
  /**
   * Starts a stream owned by `owner` (a call number). A call may own several; `pauseOwner`,
   * `resumeOwner` and `stopOwner` act on all of them. Errors (no socket, bad address) are
   * reported through `onError` of the adapter, never thrown into the call's step.
   */
  startStream(owner: number, spec: MediaStreamSpec): void;
  pauseOwner(owner: number): void;
  resumeOwner(owner: number): void;
  /** Stops and frees the owner's streams (their sockets close). */
  stopOwner(owner: number): void;
  counters(): MediaCounters;
  /** Stops every stream and releases sockets and threads; counters stay readable after. */
  close(): Promise<void>;
}

export function emptyMediaCounters(): MediaCounters {
  return {
    sendPath: '',
    threads: 0,
    streamsStarted: 0,
    streamsActive: 0,
    streamsPeak: 0,
    rtpPacketsSent: 0,
    rtpBytesSent: 0,
    sendErrors: 0,
    socketErrors: 0,
    skippedPackets: 0,
    maxLatenessMs: 0,
    latePackets: 0,
    lateThresholdMs: 0,
    latenessP50Ms: 0,
    latenessP99Ms: 0,
    latenessMaxMs: 0,
  };
}

import { createSocket, type Socket } from 'node:dgram';
import { RTP_HEADER_BYTES } from './rtp-packet.js';

/** What one SSRC's packets looked like at the receiver. */
export interface SinkStream {
  ssrc: number;
  sourcePort: number;
  packets: number;
  payloadType: number;
  /** Packets whose sequence number was not the previous one + 1 (mod 2^16). */
  seqErrors: number;
  /** Packets whose timestamp did not move by the stream's first step (marker packets excepted). */
  timestampErrors: number;
  lastSeq: number;
  lastTimestamp: number;
  timestampStep: number;
}

/**
 * A UDP sink that counts RTP packets and checks each SSRC's sequence numbers and timestamps on
 * the fly (for tests and the bench's correctness run; Node receives ~230k datagrams/s per core).
 */
export class RtpCountingSink {
  readonly streams = new Map<number, SinkStream>();
  packets = 0;
  bytes = 0;
  notRtp = 0;
  private socket: Socket | undefined;

  async listen(port = 0, host = '127.0.0.1', receiveBuffer = 8 * 1024 * 1024): Promise<number> {
    const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: receiveBuffer });
    this.socket = socket;
    socket.on('message', (message, remote) => this.take(message, remote.port));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => resolve());
    });
    return socket.address().port;
  }

  take(message: Buffer, sourcePort: number): void {
    this.packets++;
    this.bytes += message.length;
    if (message.length < RTP_HEADER_BYTES || message[0] >> 6 !== 2) {
      this.notRtp++;
      return;
    }
    const ssrc = message.readUInt32BE(8);
    const seq = message.readUInt16BE(2);
    const timestamp = message.readUInt32BE(4);
    const marker = (message[1] & 0x80) !== 0;
    const stream = this.streams.get(ssrc);
    if (stream === undefined) {
      this.streams.set(ssrc, {
        ssrc,
        sourcePort,
        packets: 1,
        payloadType: message[1] & 0x7f,
        seqErrors: 0,
        timestampErrors: 0,
        lastSeq: seq,
        lastTimestamp: timestamp,
        timestampStep: 0,
      });
      return;
    }
    stream.packets++;
    if (seq !== ((stream.lastSeq + 1) & 0xffff)) stream.seqErrors++;
    const step = (timestamp - stream.lastTimestamp) >>> 0;
    if (stream.timestampStep === 0) stream.timestampStep = step;
    else if (step !== stream.timestampStep && !marker) stream.timestampErrors++;
    stream.lastSeq = seq;
    stream.lastTimestamp = timestamp;
  }

  /** Totals over every SSRC seen. */
  summary(): { streams: number; packets: number; seqErrors: number; timestampErrors: number; notRtp: number } {
    let seqErrors = 0;
    let timestampErrors = 0;
    for (const stream of this.streams.values()) {
      seqErrors += stream.seqErrors;
      timestampErrors += stream.timestampErrors;
    }
    return { streams: this.streams.size, packets: this.packets, seqErrors, timestampErrors, notRtp: this.notRtp };
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

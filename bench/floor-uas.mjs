#!/usr/bin/env node
// The floor: the least a Node UAS must do to answer SIPp's built-in uac over UDP. One dgram
// socket, an indexOf scan for the headers copied into replies, template strings, no call state,
// no timers, no statistics, no retransmissions. What gossipper spends above this per call is
// what its engine adds (bench/sipp-ratio.mjs --pairings floor-uas).
//
//   node bench/floor-uas.mjs -p PORT [-i 127.0.0.1] [-m CALLS] [-buff_size BYTES] [-timeout SECONDS]
//                            [other SIPp flags ignored]
//
// Replies as SIPp's built-in uas: 180 and 200 (with SDP) to INVITE, nothing to ACK, 200 to BYE.
// Exits once it has answered -m BYEs (after 100 ms, for the last datagram to leave).

import { createSocket } from 'node:dgram';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const port = Number(opt('-p', '5060'));
const ip = opt('-i', '127.0.0.1');
const maxCalls = Number(opt('-m', '0'));
const buffSize = Number(opt('-buff_size', String(4 * 1024 * 1024)));
const pid = process.pid;
const timeout = opt('-timeout', undefined);
if (timeout !== undefined) setTimeout(() => process.exit(0), parseFloat(timeout) * 1000).unref?.();

const socket = createSocket({ type: 'udp4' });

/** The header line `name: ...` (without CR LF), searched from the start of the headers. */
function line(s, needle, headEnd) {
  const at = s.indexOf(needle);
  if (at < 0 || at > headEnd) return '';
  const end = s.indexOf('\r\n', at + 2);
  return s.slice(at + 1, end);
}

let byes = 0;
let callNumber = 0;
const contact = `Contact: <sip:${ip}:${port};transport=UDP>`;
const sdp =
  `v=0\r\no=user1 53655765 2353687637 IN IP4 ${ip}\r\ns=-\r\nc=IN IP4 ${ip}\r\nt=0 0\r\n` +
  `m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n`;

socket.on('message', (msg, rinfo) => {
  const s = msg.toString('latin1');
  const headEnd = s.indexOf('\r\n\r\n');
  const method = s.slice(0, s.indexOf(' '));
  if (method === 'ACK') return;
  const via = line(s, '\nVia:', headEnd);
  const from = line(s, '\nFrom:', headEnd);
  const to = line(s, '\nTo:', headEnd);
  const callId = line(s, '\nCall-ID:', headEnd);
  const cseq = line(s, '\nCSeq:', headEnd);
  if (method === 'INVITE') {
    const tag = `;tag=${pid}SIPpTag01${++callNumber}`;
    const common = `${via}\r\n${from}\r\n${to}${tag}\r\n${callId}\r\n${cseq}\r\n${contact}\r\n`;
    socket.send(Buffer.from(`SIP/2.0 180 Ringing\r\n${common}Content-Length: 0\r\n\r\n`, 'latin1'), rinfo.port, rinfo.address);
    socket.send(
      Buffer.from(`SIP/2.0 200 OK\r\n${common}Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`, 'latin1'),
      rinfo.port,
      rinfo.address,
    );
  } else {
    socket.send(
      Buffer.from(`SIP/2.0 200 OK\r\n${via}\r\n${from}\r\n${to}\r\n${callId}\r\n${cseq}\r\n${contact}\r\nContent-Length: 0\r\n\r\n`, 'latin1'),
      rinfo.port,
      rinfo.address,
    );
    if (method === 'BYE' && ++byes === maxCalls) setTimeout(() => process.exit(0), 100);
  }
});

socket.bind(port, ip, () => {
  try {
    socket.setRecvBufferSize(buffSize);
    socket.setSendBufferSize(buffSize);
  } catch {
    /* capped by the kernel */
  }
});

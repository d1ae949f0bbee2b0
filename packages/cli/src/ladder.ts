// A SIP ladder diagram of one call: the two parties as columns, each message an arrow with its
// first line and time. Written as a self-contained HTML file (inline SVG) next to the call's
// full message trace when a test's scenario fails.
import type { Endpoint, EngineEvent, EventSink } from '@gossipper/core';

export interface LadderMessage {
  /** ms since the call's first message. */
  atMs: number;
  direction: 'sent' | 'received';
  peer: Endpoint;
  text: string;
  retransmission: boolean;
}

/** How many calls' messages are kept while they run, and how many failed calls are kept after. */
const KEPT_FAILED_CALLS = 3;

/** `CSeq: 1 INVITE` -> `1 INVITE` (the transaction's key within its call), or undefined. */
function cseqOf(text: string): string | undefined {
  const at = text.search(/\r\ncseq[ \t]*:/i);
  if (at < 0) return undefined;
  const end = text.indexOf('\r\n', at + 2);
  return text.slice(text.indexOf(':', at) + 1, end < 0 ? undefined : end).trim().replace(/\s+/g, ' ');
}

/**
 * Records the messages of each running call and keeps those of the first failed calls (a
 * successful call's messages are dropped when it ends, so memory follows the open calls).
 * It also times each request this side sends, from its first sending to its first final
 * response, per method: what a test means by "the INVITE's response time" when the
 * scenario has no rtd timer of that name.
 */
export class CallRecorder implements EventSink {
  private readonly running = new Map<string, { start: number; messages: LadderMessage[]; pending: Map<string, number> }>();
  readonly failed = new Map<string, LadderMessage[]>();
  /** Per method (upper case): the response times in ms of the requests sent, in arrival order. */
  readonly responseTimes = new Map<string, number[]>();

  private timeResponse(call: { pending: Map<string, number> }, direction: 'sent' | 'received', text: string, at: number, retransmission: boolean): void {
    const isResponse = text.startsWith('SIP/2.0 ');
    if (direction === 'sent' && !isResponse && !retransmission && !text.startsWith('ACK ')) {
      const cseq = cseqOf(text);
      if (cseq !== undefined && !call.pending.has(cseq)) call.pending.set(cseq, at);
    } else if (direction === 'received' && isResponse && Number(text.slice(8, 11)) >= 200) {
      const cseq = cseqOf(text);
      const sentAt = cseq === undefined ? undefined : call.pending.get(cseq);
      if (cseq === undefined || sentAt === undefined) return;
      call.pending.delete(cseq);
      const method = cseq.slice(cseq.indexOf(' ') + 1).toUpperCase();
      let times = this.responseTimes.get(method);
      if (times === undefined) this.responseTimes.set(method, (times = []));
      times.push(at - sentAt);
    }
  }

  emit(event: EngineEvent): void {
    switch (event.kind) {
      case 'message-sent':
      case 'message-received': {
        let call = this.running.get(event.callId);
        if (call === undefined) {
          call = { start: event.at, messages: [], pending: new Map() };
          this.running.set(event.callId, call);
        }
        const message: LadderMessage = {
          atMs: event.at - call.start,
          direction: event.kind === 'message-sent' ? 'sent' : 'received',
          peer: event.kind === 'message-sent' ? event.to : event.from,
          text: event.data.toString('latin1'),
          retransmission: event.kind === 'message-sent' && event.retransmission,
        };
        call.messages.push(message);
        this.timeResponse(call, message.direction, message.text, event.at, message.retransmission);
        break;
      }
      case 'call-ended': {
        const call = this.running.get(event.callId);
        this.running.delete(event.callId);
        if (call !== undefined && event.outcome !== 'success' && this.failed.size < KEPT_FAILED_CALLS) {
          this.failed.set(event.callId, call.messages);
        }
        break;
      }
      default:
        break;
    }
  }
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The ladder of one call as an HTML page with an inline SVG. */
export function ladderHtml(title: string, local: string, messages: readonly LadderMessage[]): string {
  const remote = messages[0] === undefined ? 'peer' : `${messages[0].peer.address}:${messages[0].peer.port}`;
  const [left, right, top, step] = [160, 640, 60, 44];
  const height = top + messages.length * step + 40;
  const rows = messages.map((m, i) => {
    const y = top + i * step + 20;
    const [from, to] = m.direction === 'sent' ? [left, right] : [right, left];
    const firstLine = m.text.split('\r\n', 1)[0] ?? '';
    const label = `${firstLine}${m.retransmission ? ' (retransmission)' : ''}`;
    const head = m.direction === 'sent' ? `${to - 8},${y - 5} ${to},${y} ${to - 8},${y + 5}` : `${to + 8},${y - 5} ${to},${y} ${to + 8},${y + 5}`;
    return (
      `<g><title>${escape(m.text)}</title>` +
      `<line x1="${from}" y1="${y}" x2="${to}" y2="${y}" stroke="#333"${m.retransmission ? ' stroke-dasharray="4 3"' : ''}/>` +
      `<polygon points="${head}" fill="#333"/>` +
      `<text x="${(left + right) / 2}" y="${y - 6}" text-anchor="middle" font-size="13">${escape(label)}</text>` +
      `<text x="${left - 12}" y="${y + 4}" text-anchor="end" font-size="11" fill="#666">${m.atMs.toFixed(1)} ms</text></g>`
    );
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="${height}" font-family="monospace">` +
    `<text x="${left}" y="30" text-anchor="middle" font-weight="bold">${escape(local)}</text>` +
    `<text x="${right}" y="30" text-anchor="middle" font-weight="bold">${escape(remote)}</text>` +
    `<line x1="${left}" y1="40" x2="${left}" y2="${height - 10}" stroke="#999"/>` +
    `<line x1="${right}" y1="40" x2="${right}" y2="${height - 10}" stroke="#999"/>` +
    rows.join('') +
    `</svg>`;
  return `<!doctype html>\n<html><head><meta charset="latin1"><title>${escape(title)}</title></head>\n<body><h1>${escape(title)}</h1>\n<p>Hover an arrow for the whole message.</p>\n${svg}\n</body></html>\n`;
}

/** The call's messages in the layout of -trace_msg, for the full trace next to the ladder. */
export function messagesText(messages: readonly LadderMessage[]): string {
  return messages
    .map((m) => {
      const where = `${m.peer.address}:${m.peer.port}`;
      const title = m.direction === 'sent' ? `UDP message sent to ${where} at ${m.atMs.toFixed(3)} ms` : `UDP message received from ${where} at ${m.atMs.toFixed(3)} ms`;
      return `${'-'.repeat(47)}\n${title}${m.retransmission ? ' (retransmission)' : ''}\n\n${m.text}\n`;
    })
    .join('');
}

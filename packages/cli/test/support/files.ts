/** Reading what a run writes: the -trace_stat CSV, the -summary_json file, the message log. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** SIPp's -trace_stat file name: `<scenario>_<pid>_.csv`. */
export function statCsvName(stem: string, pid: number): string {
  return `${stem}_${pid}_.csv`;
}

export interface StatCsv {
  header: string[];
  rows: string[][];
  /** The last row. */
  final: string[];
  /** The raw header line (without its line break). */
  headerLine: string;
}

/** Split a -trace_stat file on ';' (every line ends with the separator: its last field is ''). */
export function readStatCsv(path: string): StatCsv {
  if (!existsSync(path)) {
    const dir = path.slice(0, path.lastIndexOf('/'));
    throw new Error(`no statistics file ${path}; the directory holds: ${readdirSync(dir).join(', ')}`);
  }
  const lines = readFileSync(path, 'latin1').split('\n').filter((l) => l !== '');
  if (lines.length < 2) throw new Error(`${path}: expected a header and rows, got ${lines.length} line(s)`);
  const [headerLine, ...rest] = lines as [string, ...string[]];
  const rows = rest.map((l) => l.split(';'));
  return { header: headerLine.split(';'), rows, final: rows[rows.length - 1]!, headerLine };
}

/** Field N (1-based, as `cut -d';' -fN`) of a row. */
export function col(row: readonly string[], n: number): string {
  return row[n - 1]!;
}

/** OutgoingCall(C), SuccessfulCall(C), FailedCall(C) of the final row (columns 12, 16, 18). */
export function finalCounts(csv: StatCsv): { outgoing: number; successful: number; failed: number; incoming: number } {
  expectHeader(csv, 12, 'OutgoingCall(C)');
  expectHeader(csv, 10, 'IncomingCall(C)');
  expectHeader(csv, 16, 'SuccessfulCall(C)');
  expectHeader(csv, 18, 'FailedCall(C)');
  return {
    incoming: Number(col(csv.final, 10)),
    outgoing: Number(col(csv.final, 12)),
    successful: Number(col(csv.final, 16)),
    failed: Number(col(csv.final, 18)),
  };
}

function expectHeader(csv: StatCsv, n: number, name: string): void {
  if (col(csv.header, n) !== name) throw new Error(`CSV column ${n} is "${col(csv.header, n)}", expected "${name}"`);
}

/** The fields of the -summary_json file the tests read. */
export interface Summary {
  schema: string;
  exitCode: number | null;
  stopReason: string | null;
  calls: {
    created: number;
    incoming: number;
    outgoing: number;
    successful: number;
    failed: number;
    aborted: number;
    current: number;
    peak: number;
    peakAtMs: number;
    ratePerSecond: number;
  };
  failures: Record<string, number>;
  messages: { malformed: number; retransmissions: number; outOfCall: number; deadCall: number };
}

export function readSummary(path: string): Summary {
  if (!existsSync(path)) throw new Error(`no summary file ${path}`);
  return JSON.parse(readFileSync(path, 'utf8')) as Summary;
}

/** One `-trace_msg` block. */
export interface TraceBlock {
  direction: 'sent' | 'received';
  /** The byte count the block's title announces. */
  announced: number;
  /** The message bytes as logged. */
  message: Buffer;
}

const RULE = '-'.repeat(47) + ' ';
const TITLE = /^(?:UDP|TCP|TLS|WS|WSS) message (sent) \((\d+) bytes\):$|^(?:UDP|TCP|TLS|WS|WSS) message (received) \[(\d+)\] bytes :$/;

/**
 * Parse SIPp's messages log: blocks of `RULE timestamp\nTITLE\n\nMESSAGE\n`, where MESSAGE
 * runs to the line break before the next rule (or the end of the file). Byte-exact (latin1).
 */
export function readMessageTrace(path: string): TraceBlock[] {
  const text = readFileSync(path).toString('latin1');
  const starts: number[] = [];
  for (let i = text.indexOf(RULE); i >= 0; i = text.indexOf(`\n${RULE}`, i + 1)) {
    starts.push(text[i] === '\n' ? i + 1 : i);
    if (text[i] !== '\n' && i !== 0) throw new Error(`${path}: text before the first block`);
  }
  const blocks: TraceBlock[] = [];
  starts.forEach((start, k) => {
    const end = k + 1 < starts.length ? starts[k + 1]! : text.length;
    const block = text.slice(start, end);
    const ruleEnd = block.indexOf('\n');
    const titleEnd = block.indexOf('\n', ruleEnd + 1);
    const title = block.slice(ruleEnd + 1, titleEnd);
    const m = TITLE.exec(title);
    if (!m) throw new Error(`${path}: unexpected block title ${JSON.stringify(title)}`);
    if (block[titleEnd + 1] !== '\n') throw new Error(`${path}: no empty line after ${JSON.stringify(title)}`);
    if (!block.endsWith('\n')) throw new Error(`${path}: a block does not end with a line break`);
    const message = Buffer.from(block.slice(titleEnd + 2, block.length - 1), 'latin1');
    blocks.push(
      m[1] === 'sent'
        ? { direction: 'sent', announced: Number(m[2]), message }
        : { direction: 'received', announced: Number(m[4]), message },
    );
  });
  return blocks;
}

export function filesIn(dir: string): string[] {
  return readdirSync(dir);
}

export { join };

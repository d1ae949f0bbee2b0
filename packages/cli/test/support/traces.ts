/** Reading SIPp's trace files (-trace_err, -trace_counts, -trace_shortmsg, ...) in tests. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** SIPp's formatTime: `YYYY-MM-DD<TAB>HH:MM:SS.uuuuuu<TAB>EPOCH.uuuuuu`. */
export const SIPP_TIME = /\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d{6}\t\d{10}\.\d{6}/;
/** SIPp's msToHHMMSSus: `HH:MM:SS:uuuuuu`. */
export const SIPP_ELAPSED = /\d\d:\d\d:\d\d:\d{6}/;

/** `<stem>_<pid>_<suffix>` in `dir`, or undefined when the run did not write it. */
export function traceFile(dir: string, stem: string, pid: number, suffix: string): string | undefined {
  const path = join(dir, `${stem}_${pid}_${suffix}`);
  return existsSync(path) ? path : undefined;
}

/** The text of a trace file that must exist (the error names what the directory holds). */
export function readTrace(dir: string, stem: string, pid: number, suffix: string): string {
  const path = traceFile(dir, stem, pid, suffix);
  if (path === undefined) {
    throw new Error(`no ${stem}_${pid}_${suffix}; ${dir} holds: ${readdirSync(dir).join(', ')}`);
  }
  return readFileSync(path, 'latin1');
}

/** Lines of a text (the last line break does not start an empty line). */
export function lines(text: string): string[] {
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

/**
 * SIPp's warnings about its host: in a sandbox it cannot delete a descriptor from epoll, and
 * on a loaded machine its watchdog reports late scheduling ("Overload warning").
 */
const HOST_NOISE = /epoll|Overload warning: the (minor|major) watchdog/;

export const ERRORS_HEADER = 'The following events occurred:\n';

/**
 * The entries of an errors log, each without its time stamp. SIPp 3.6.1 writes entries with
 * no line break between them, so entries are cut at each time stamp. Entries about the host,
 * not the SIP traffic, are dropped (see HOST_NOISE).
 */
export function errorEntries(text: string): { stamps: string[]; texts: string[] } {
  if (!text.startsWith(ERRORS_HEADER)) throw new Error(`errors log does not start with the header: ${JSON.stringify(text.slice(0, 80))}`);
  const body = text.slice(ERRORS_HEADER.length);
  const stamp = new RegExp(`(${SIPP_TIME.source}): `, 'g');
  const starts = [...body.matchAll(stamp)];
  if (body !== '' && starts[0]?.index !== 0) throw new Error(`errors log: text before the first time stamp`);
  const stamps: string[] = [];
  const texts: string[] = [];
  starts.forEach((m, k) => {
    const end = k + 1 < starts.length ? starts[k + 1]!.index : body.length;
    const entry = body.slice(m.index + m[0].length, end);
    if (HOST_NOISE.test(entry)) return;
    stamps.push(m[1]!);
    texts.push(entry);
  });
  return { stamps, texts };
}

/**
 * Replace a run's own PIDs where SIPp and we put them (Call-ID `<n>-PID@`, tags `PIDSIPpTag`,
 * branches `z9hG4bK-PID-`) so two runs compare. Only there: a PID may equal a port number.
 */
export function normalise(text: string, names: Record<string, number>): string {
  let out = text;
  for (const [name, pid] of Object.entries(names)) {
    out = out
      .replace(new RegExp(`(?<=\\d-)${pid}(?=@)`, 'g'), name)
      .replace(new RegExp(`(?<!\\d)${pid}(?=SIPpTag)`, 'g'), name)
      .replace(new RegExp(`(?<=z9hG4bK-)${pid}(?=-)`, 'g'), name);
  }
  return out;
}

/**
 * The blocks of a calldebug log (one per call), each as its entries' first lines without the
 * time stamp and with hashes as `H`; SIPp's internal `Processing message N of type T` and
 * `Retransmisison required` lines are dropped (we do not write them).
 */
export function callDebugBlocks(text: string): Array<{ callId: string; entries: string[] }> {
  const rule = `${'-'.repeat(79)}\n`;
  const stamp = new RegExp(`^${SIPP_TIME.source} `);
  return text
    .split(rule)
    .filter((b) => b !== '')
    .map((block) => {
      const [title, ...rest] = block.split('\n');
      const callId = /^Call debugging information for call (.+):$/.exec(title ?? '')?.[1];
      if (callId === undefined) throw new Error(`calldebug: unexpected block title ${JSON.stringify(title)}`);
      const entries = rest
        .filter((l) => stamp.test(l))
        .map((l) => l.replace(stamp, '').replace(/hash \d+/, 'hash H'))
        .filter((l) => !/^Processing message \d+ of type|^Retransmisison required/.test(l));
      return { callId, entries };
    });
}

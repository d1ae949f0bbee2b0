// The full-screen display on a terminal, as SIPp's curses screen: the alternate screen,
// keys read one at a time without echo, and the terminal given back as it was on every exit.

/** The escape sequences we use (xterm and every terminal tmux or screen emulate). */
const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J'; // alternate screen, hide cursor, clear
const LEAVE = '\x1b[2J\x1b[H\x1b[?25h\x1b[?1049l'; // clear (as SIPp's screen_exit), show cursor, back

/** Tabs as blanks to the next multiple of 8, as curses draws them (the statistics screen's times have tabs). */
export function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const c of line) out += c === '\t' ? ' '.repeat(8 - (out.length % 8)) : c;
  return out;
}

/**
 * The terminal rows of a screen as SIPp's curses printw("%s\n") puts them: tabs expanded, a
 * line longer than the terminal wraps, and a line that fills the last column leaves the
 * cursor on the next row, so its newline adds an empty row: on an 80-column terminal every
 * 80-character line of the statistics screen is followed by an empty row, as SIPp shows it.
 */
export function screenRows(text: string, columns: number): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const rows: string[] = [];
  for (const raw of lines) {
    const line = expandTabs(raw);
    if (line === '') {
      rows.push('');
      continue;
    }
    for (let i = 0; i < line.length; i += columns) rows.push(line.slice(i, i + columns));
    if (line.length % columns === 0) rows.push('');
  }
  return rows;
}

export interface TtyScreenIO {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
}

/**
 * Owns the terminal while a run is shown on it. `open` takes it (raw mode so keys come one
 * by one, no echo); `close` gives it back and is safe to call more than once and from a
 * process 'exit' handler (everything it does is synchronous on a TTY).
 */
export class TtyScreen {
  private opened = false;
  private readonly onExit = (): void => this.close();
  private readonly onData = (chunk: Buffer | string): void => {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    for (const c of text) {
      // Raw mode turns off the terminal's own Ctrl-C: SIPp (curses cbreak) still gets SIGINT.
      if (c === '\x03') process.kill(process.pid, 'SIGINT');
      else this.onKey(c);
    }
  };

  constructor(
    private readonly io: TtyScreenIO,
    private readonly onKey: (key: string) => void,
  ) {}

  open(): void {
    if (this.opened) return;
    this.opened = true;
    const { input, output } = this.io;
    process.once('exit', this.onExit);
    input.setRawMode(true);
    input.on('data', this.onData);
    input.resume();
    output.write(ENTER);
  }

  /** Draw a screen from the top left as curses lays it out (see {@link screenRows}), the rest cleared. */
  draw(text: string): void {
    if (!this.opened) return;
    const { output } = this.io;
    const rows = output.rows > 0 ? output.rows : 24;
    const columns = output.columns > 0 ? output.columns : 80;
    const shown = screenRows(text, columns).slice(0, rows);
    // No newline after the last row: the terminal must not scroll (curses does not either).
    output.write(`\x1b[H${shown.join('\x1b[K\r\n')}\x1b[K\x1b[J`);
  }

  close(): void {
    if (!this.opened) return;
    this.opened = false;
    const { input, output } = this.io;
    process.off('exit', this.onExit);
    input.off('data', this.onData);
    try {
      input.setRawMode(false);
    } catch {
      // The terminal is gone (hang-up): nothing to restore.
    }
    input.pause();
    output.write(LEAVE);
  }
}

import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * An append-only file written synchronously in large chunks: cheap on the hot path and
 * nothing is lost on any exit path, because `flush` needs no event-loop turn.
 */
export class BufferedFile {
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;

  constructor(
    readonly path: string,
    private readonly highWaterBytes = 256 * 1024,
  ) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    if (this.fd === undefined) return;
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= this.highWaterBytes) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    writeSync(this.fd, text, null, 'latin1');
  }

  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }
}

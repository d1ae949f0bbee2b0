// The media side of the composition root: the scale engine behind MEDIA, the file descriptor
// check, and what the run prints about the send path.
import { readFileSync } from 'node:fs';
import { Container } from 'inversify';
import { MEDIA } from '@gossipper/core';
import type { MediaPort } from '@gossipper/core';
import { mediaScaleModule, ShardedMediaEngine } from '@gossipper/adapter-media-scale';
import type { RunOptions } from './options.js';
import { CliError } from './run.js';
import { ExitCode } from './exit-codes.js';

/** Descriptors a run needs besides its RTP sockets: SIP sockets, stdio, files, worker pipes. */
export const FD_HEADROOM = 64;

/** The soft RLIMIT_NOFILE (Linux /proc), or undefined where it cannot be read. */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'latin1');
    } catch {
      return undefined;
    }
  }
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  if (match === null) return undefined;
  return match[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(match[1]);
}

/** Says up front, with the number, when `ulimit -n` is too low for `sockets` RTP sockets. */
export function fileDescriptorProblem(sockets: number, what: string, limit = openFileLimit()): string | undefined {
  const needed = sockets + FD_HEADROOM;
  if (limit === undefined || limit >= needed) return undefined;
  return `${what} needs about ${needed} file descriptors (one per RTP socket + ${FD_HEADROOM}), but ulimit -n is ${limit}: raise it first (ulimit -n ${needed})`;
}

/** The scale engine for this run, its threads started; -rtp_send without -media_scale gets one thread. */
export async function createMedia(options: RunOptions, onError: (message: string) => void): Promise<ShardedMediaEngine> {
  const container = new Container();
  const threads = options.mediaScale === true ? options.mediaThreads : 1;
  container.load(
    mediaScaleModule({
      ...(threads !== undefined ? { threads } : {}),
      ...(options.mediaSkipLateMs !== undefined ? { maxLatenessMs: options.mediaSkipLateMs } : {}),
      sharedSocket: options.mediaSharedSocket === true,
      onError,
    }),
  );
  const media = container.get<MediaPort>(MEDIA) as ShardedMediaEngine;
  await media.whenReady();
  return media;
}

/** `media: sendmmsg (2 threads)` or `media: dgram (2 threads; sendmmsg addon not built ...)`. */
export function sendPathLine(media: ShardedMediaEngine): string {
  const threads = `${media.threads} thread${media.threads === 1 ? '' : 's'}`;
  const reason = media.fallbackReason;
  return `media: ${media.sendPath} (${threads}${reason !== undefined ? `; ${reason}` : ''})`;
}

/** Reports the first few socket and send errors, then only counts them. */
export function mediaErrorReporter(limit = 5): (message: string) => void {
  let shown = 0;
  return (message) => {
    shown++;
    if (shown <= limit) process.stderr.write(`gossipper: ${message}\n`);
    else if (shown === limit + 1) process.stderr.write('gossipper: more media errors follow; see the summary counters\n');
  };
}

export function checkMediaFileDescriptors(options: RunOptions, sockets: number, what: string): void {
  const problem = fileDescriptorProblem(sockets, what);
  if (problem !== undefined) throw new CliError(problem, ExitCode.Failed);
}

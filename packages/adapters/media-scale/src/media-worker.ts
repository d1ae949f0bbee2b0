// One media thread: its own scale engine, sockets and timer. Commands arrive from
// ShardedMediaEngine; counters go back every COUNTER_PERIOD_MS and on close.
import { parentPort, workerData } from 'node:worker_threads';
import type { MediaStreamSpec } from '@gossipper/core';
import { LocalMediaEngine } from './local-media.js';
import type { WorkerCommand, WorkerReport, WorkerSetup } from './sharded-media.js';

const COUNTER_PERIOD_MS = 250;
const HISTOGRAM_EVERY = 8;

if (parentPort === null) throw new Error('media-worker runs only as a worker thread');
const port = parentPort;
const setup = workerData as WorkerSetup;
const media = new LocalMediaEngine({
  lateThresholdMs: setup.lateThresholdMs,
  ...(setup.maxLatenessMs !== undefined ? { maxLatenessMs: setup.maxLatenessMs } : {}),
  sharedSocket: setup.sharedSocket,
  onError: (message) => port.postMessage({ op: 'error', message } satisfies WorkerReport),
});

function report(final: boolean, withHistogram: boolean): void {
  const lateness = media.engine.lateness;
  const message: WorkerReport = {
    op: final ? 'closed' : 'counters',
    counters: media.counters(),
    memoryBytes: media.engine.memoryBytes(),
    histogram: withHistogram ? { buckets: lateness.buckets.slice(), count: lateness.count, maxMs: lateness.maxMs } : undefined,
  };
  port.postMessage(message);
}

let pushes = 0;
const interval = setInterval(() => report(false, ++pushes % HISTOGRAM_EVERY === 0), COUNTER_PERIOD_MS);

port.postMessage({ op: 'ready', sendPath: media.sendPath, fallbackReason: media.fallbackReason } satisfies WorkerReport);

/**
 * Commands run in order, at most COMMANDS_PER_TURN per turn of the event loop: opening
 * thousands of sockets at once (about 30 us each) would otherwise hold the timer off for
 * tens of milliseconds and make the first streams' packets late.
 */
const COMMANDS_PER_TURN = 128;
type Step = { op: 'start'; owner: number; spec: MediaStreamSpec } | Exclude<WorkerCommand, { op: 'start' }>;
const queue: Step[] = [];
let head = 0;
let draining = false;

function drain(): void {
  const end = Math.min(queue.length, head + COMMANDS_PER_TURN);
  for (; head < end; head++) run(queue[head]);
  if (head < queue.length) {
    setImmediate(drain);
    return;
  }
  queue.length = 0;
  head = 0;
  draining = false;
}

function run(step: Step): void {
  switch (step.op) {
    case 'start':
      media.startStream(step.owner, step.spec);
      break;
    case 'pause':
      media.pauseOwner(step.owner);
      break;
    case 'resume':
      media.resumeOwner(step.owner);
      break;
    case 'stop':
      media.stopOwner(step.owner);
      break;
    case 'report':
      report(false, true);
      break;
    case 'close':
      clearInterval(interval);
      void media.close().then(() => {
        report(true, true);
        port.close();
      });
      break;
  }
}

port.on('message', (command: WorkerCommand) => {
  if (command.op === 'start') {
    for (let i = 0; i < command.owners.length; i++) queue.push({ op: 'start', owner: command.owners[i], spec: command.specs[i] });
  } else {
    queue.push(command);
  }
  if (!draining) {
    draining = true;
    drain();
  }
});

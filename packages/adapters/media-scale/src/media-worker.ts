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

port.on('message', (command: WorkerCommand) => {
  switch (command.op) {
    case 'start':
      for (let i = 0; i < command.owners.length; i++) media.startStream(command.owners[i], command.specs[i] as MediaStreamSpec);
      break;
    case 'pause':
      media.pauseOwner(command.owner);
      break;
    case 'resume':
      media.resumeOwner(command.owner);
      break;
    case 'stop':
      media.stopOwner(command.owner);
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
});

export * from './rtp-packet.js';
export * from './lateness.js';
export * from './scale-engine.js';
export * from './senders.js';
export * from './local-media.js';
export * from './sharded-media.js';
export * from './counting-sink.js';
export * from './module.js';

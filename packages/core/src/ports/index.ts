export * from './transport.js';
export * from './scheduler.js';
export * from './event-sink.js';
export * from './decode.js';
export * from './tokens.js';
export * from './twin-channel.js';
export * from './media.js';

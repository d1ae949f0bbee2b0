export * from './codec.js';
export * from './sdp.js';
export * from './rtp-stream.js';

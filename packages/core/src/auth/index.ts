// Digest authentication: SIPp's [authentication] keyword and <verifyauth> action. Pure: no I/O.
export * from './errors.js';
export * from './digest.js';
export * from './keyword.js';

#!/usr/bin/env node
// One process, no wrapper: scripts signal this PID directly, as they do SIPp.
import { main } from '../dist/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`gossipper: internal error: ${error?.stack ?? error}\n`);
    process.exit(255);
  },
);

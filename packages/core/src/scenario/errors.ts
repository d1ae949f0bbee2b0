import type { SourcePlace } from './types.js';

/** A scenario that cannot be loaded. The message starts with `file:line:` (SIPp users grep for it). */
export class ScenarioError extends Error {
  constructor(
    readonly place: SourcePlace,
    readonly detail: string,
    readonly column?: number,
  ) {
    super(`${place.file}:${place.line}${column !== undefined ? `:${column}` : ''}: ${detail}`);
    this.name = 'ScenarioError';
  }
}

import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';

export class DecodeError extends Error {
  constructor(readonly where: string, readonly problems: string[]) {
    super(`${where}: ${problems.join('; ')}`);
    this.name = 'DecodeError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Decode an outside value with `codec`; failures become one readable line per problem. */
export function decode<A, O>(codec: t.Type<A, O, unknown>, value: unknown, where: string): A {
  const result = codec.decode(value);
  if (!isLeft(result)) return result.right;
  const problems = result.left.map((error) => {
    const path = error.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.');
    const expected = error.context[error.context.length - 1]?.type.name ?? 'value';
    return `${path || '(root)'}: expected ${expected}, got ${describe(error.value)}`;
  });
  throw new DecodeError(where, problems);
}

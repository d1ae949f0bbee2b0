/**
 * Service identifiers of the ports, for the composition roots' inversify containers.
 * `Symbol.for` keeps them identical across copies of the package.
 */
export const TRANSPORT: unique symbol = Symbol.for('gossipper.Transport') as never;
export const SCHEDULER: unique symbol = Symbol.for('gossipper.Scheduler') as never;
export const MEDIA: unique symbol = Symbol.for('gossipper.Media') as never;

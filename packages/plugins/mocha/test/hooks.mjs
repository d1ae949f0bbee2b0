// The root hook plugin a user puts in .mocharc (`require: ['./hooks.mjs']`).
import { sipRootHooks } from '@gossipper/mocha';

export const mochaHooks = sipRootHooks({ rate: 40, calls: 2 });

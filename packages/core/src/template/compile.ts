// CONTRACT STUB: the template helper replaces this file, keeping this signature.
import type { SourcePlace } from '../scenario/types.js';
import type { CompiledTemplate } from './types.js';

/**
 * Compile the text of a `<send>` CDATA block. Throws ScenarioError (naming `place`) for an
 * unknown or malformed keyword.
 */
export declare function compileTemplate(cdata: string, place: SourcePlace): CompiledTemplate;

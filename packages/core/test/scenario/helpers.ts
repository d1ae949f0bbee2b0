import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as templateModule from '../../src/template/compile.js';
import type { SourcePlace } from '../../src/scenario/types.js';
import type { TemplateCompiler } from '../../src/scenario/loader.js';
import type { CompiledTemplate } from '../../src/template/types.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export function fixturePath(name: string): string {
  return FIXTURES + name;
}

export function fixtureBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name)));
}

/** Every CDATA the fake compiler was given, with its place. */
export const compiled: Array<{ cdata: string; place: SourcePlace }> = [];

/**
 * A stand-in for compileTemplate: reads the start line (request method or status code) and the
 * CSeq method, as the real one does, without rendering anything.
 */
export const fakeCompile: TemplateCompiler = (cdata, place) => {
  compiled.push({ cdata, place });
  const lines = cdata
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const start = lines[0] ?? '';
  const isRequest = !start.startsWith('SIP/2.0');
  const cseq = lines.find((l) => /^cseq:/i.test(l));
  const template: CompiledTemplate = {
    source: cdata,
    bind: () => {
      throw new Error('fake template: bind() not available');
    },
    isRequest,
    method: isRequest ? start.split(' ')[0] : undefined,
    statusCode: isRequest ? undefined : Number(start.split(' ')[1]),
    cseqMethod: cseq ? cseq.split(/\s+/)[2] : undefined,
    usesCseq: cdata.includes('[cseq]'),
  };
  return template;
};

/** The real compileTemplate once it exists (compile.ts is a declaration-only stub until then). */
export const realCompile: TemplateCompiler | undefined =
  typeof (templateModule as { compileTemplate?: unknown }).compileTemplate === 'function'
    ? templateModule.compileTemplate
    : undefined;

/** The real compiler when it has landed, else the fake. */
export const bestCompile: TemplateCompiler = realCompile ?? fakeCompile;

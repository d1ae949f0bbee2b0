/// <reference types="vitest/config" />
// The Vitest plugin: `plugins: [gossipper({ peer: 'uas' })]` in vitest.config.ts gives every
// sipScenario/runScenario of the project its defaults, installs the matchers, and reports the
// ladders of failed scenarios at the end of the run (and into `reportDir` for CI artifacts).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Vite, VitestPluginContext } from 'vitest/node';
import type { Reporter, TestCase, Vitest } from 'vitest/node';
import type { ScenarioOptions } from './index.js';

export interface GossipperPluginOptions extends ScenarioOptions {
  /**
   * A directory that receives, after each run, the ladders and message traces of the failed
   * scenarios (one folder per test) and an index.html linking them: the thing to keep as a
   * CI artifact. Relative paths are from the project root.
   */
  reportDir?: string;
}

declare module 'vitest' {
  interface ProvidedContext {
    gossipperDefaults: ScenarioOptions;
  }
}

/** The setup file next to this module (the sources when the package is aliased to them). */
const SETUP_FILE = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './setup.ts' : './setup.js', import.meta.url));

/** One failed test's SIP artifacts, as the workers annotated them (type `gossipper`). */
interface FailedScenario {
  test: string;
  files: AnnotatedFile[];
}

/** `name`: the file's own name (Vitest stores attachments under names of its own). */
interface AnnotatedFile {
  path: string;
  name: string;
}

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Collects the `gossipper` annotations of failed tests and lists them when the run ends. */
export class GossipperReporter implements Reporter {
  private vitest: Vitest | undefined;
  private readonly annotated = new Map<string, AnnotatedFile[]>();
  private readonly failed: FailedScenario[] = [];

  constructor(private readonly reportDir?: string) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunStart(): void {
    this.annotated.clear();
    this.failed.length = 0;
  }

  onTestCaseAnnotate(testCase: TestCase, annotation: { type: string; message: string; attachment?: { path?: string } }): void {
    const path = annotation.attachment?.path;
    if (annotation.type !== 'gossipper' || path === undefined) return;
    const files = this.annotated.get(testCase.id) ?? [];
    files.push({ path, name: annotation.message.startsWith('SIP ') ? basename(annotation.message.slice(4)) : basename(path) });
    this.annotated.set(testCase.id, files);
  }

  onTestCaseResult(testCase: TestCase): void {
    const files = this.annotated.get(testCase.id);
    if (files !== undefined && testCase.result().state === 'failed') {
      const root = this.vitest?.config.root ?? process.cwd();
      this.failed.push({ test: `${relative(root, testCase.module.moduleId)} > ${testCase.fullName}`, files });
    }
  }

  onTestRunEnd(): void {
    const root = this.vitest?.config.root ?? process.cwd();
    const lines: string[] = [];
    if (this.failed.length > 0) {
      lines.push('', 'SIP ladders and message traces of the failed scenarios:');
      for (const f of this.failed) lines.push(`  ${f.test}`, ...f.files.map((file) => `    ${file.path}`));
    }
    if (this.reportDir !== undefined) {
      const dir = resolve(root, this.reportDir);
      lines.push(`SIP report: ${join(dir, 'index.html')}`);
      this.writeReport(dir);
    }
    if (lines.length > 0) (this.vitest?.logger.log ?? console.log).call(this.vitest?.logger, lines.join('\n'));
  }

  /** Copies each failed test's files into `dir/<n>/` and writes `dir/index.html` linking them. */
  private writeReport(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const items = this.failed.map((f, i) => {
      const folder = String(i + 1);
      mkdirSync(join(dir, folder), { recursive: true });
      const links = f.files.map(({ path, name }) => {
        copyFileSync(path, join(dir, folder, name));
        return `<li><a href="${folder}/${encodeURIComponent(name)}">${escapeHtml(name)}</a></li>`;
      });
      return `<li>${escapeHtml(f.test)}<ul>${links.join('')}</ul></li>`;
    });
    const body = items.length === 0 ? '<p>No SIP scenario failed.</p>' : `<ol>${items.join('\n')}</ol>`;
    writeFileSync(
      join(dir, 'index.html'),
      `<!doctype html>\n<html><head><meta charset="utf-8"><title>SIP scenarios</title></head>\n<body><h1>Failed SIP scenarios</h1>\n${body}\n</body></html>\n`,
    );
  }
}

/**
 * The Vitest plugin. Scenario options given here are the defaults of every run in the project
 * (under a scenario's own options, over the gossipper config file's).
 */
export function gossipper(options: GossipperPluginOptions = {}): Vite.Plugin {
  const { reportDir, ...defaults } = options;
  return {
    name: 'gossipper',
    config() {
      return { test: { setupFiles: [SETUP_FILE], provide: { gossipperDefaults: defaults } } };
    },
    configureVitest({ vitest }: VitestPluginContext) {
      vitest.config.reporters.push(new GossipperReporter(reportDir));
    },
  };
}

// The example programs of the transforms pages on the docs site type-check, run as written, and print
// what their `// →` comments say (compared without whitespace, so `[ 1, 2 ]` matches `[1, 2]`).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';

const docs = new URL('../../../../docs/', import.meta.url);
const pages = ['concepts/transforms.md', ...readdirSync(new URL('api/transforms/', docs)).sort().map((f) => `api/transforms/${f}`)];
const scratch = new URL('../../test-results/docs-examples/', import.meta.url);

interface Program {
  page: string;
  name: string;
  code: string;
}

/** The complete programs of every page: its ts code blocks that import @mlxts/core as mx. */
const programs: Program[] = pages.flatMap((page) =>
  [...readFileSync(new URL(page, docs), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .filter((code) => code.includes("import * as mx from '@mlxts/core'"))
    .map((code, n) => ({ page, name: `${page.replace(/[/.-]/g, '_')}_${n}`, code })),
);

const squeeze = (text: string) => text.replace(/\s+/g, '');

describe('docs examples of the transforms', () => {
  it('every transforms page has at least one program', () => {
    for (const page of pages) expect(programs.some((p) => p.page === page), page).toBe(true);
  });

  it('the programs type-check (strict)', () => {
    mkdirSync(scratch, { recursive: true });
    const files = programs.map(({ name, code }) => {
      const file = fileURLToPath(new URL(`${name}.ts`, scratch));
      writeFileSync(file, code);
      return file;
    });
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
      types: ['node'],
      skipLibCheck: true,
    };
    const diagnostics = ts.getPreEmitDiagnostics(ts.createProgram(files, options));
    expect(diagnostics.map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)).toEqual([]);
  }, 60_000);

  programs.forEach(({ page, name, code }, n) => {
    it(`${page}, program ${n + 1}`, async () => {
      const expected = [...code.matchAll(/console\.log\(.*\); \/\/ → (.*)$/gm)].map((m) => m[1]);
      expect(expected.length, 'every program states what it prints').toBeGreaterThan(0);
      const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      mkdirSync(scratch, { recursive: true });
      const file = new URL(`${name}.mjs`, scratch);
      writeFileSync(file, js);
      const printed: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
      try {
        await import(pathToFileURL(fileURLToPath(file)).href);
      } finally {
        log.mockRestore();
      }
      expect(printed.map(squeeze)).toEqual(expected.map(squeeze));
    });
  });
});

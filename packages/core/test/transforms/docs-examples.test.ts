// The example programs of the transforms pages on the docs site run as written and print what their
// `// →` comments say (compared without whitespace, so `[ 1, 2 ]` matches `[1, 2]`).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';

const docs = new URL('../../../../docs/', import.meta.url);
const pages = ['concepts/transforms.md', ...readdirSync(new URL('api/transforms/', docs)).sort().map((f) => `api/transforms/${f}`)];
const scratch = new URL('../../test-results/docs-examples/', import.meta.url);

/** The complete programs of a page: its ts code blocks that import @mlxts/core as mx. */
function programs(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]).filter((code) => code.includes("import * as mx from '@mlxts/core'"));
}

const squeeze = (text: string) => text.replace(/\s+/g, '');

describe('docs examples of the transforms', () => {
  it('every transforms page has at least one program', () => {
    for (const page of pages) expect(programs(readFileSync(new URL(page, docs), 'utf8')).length, page).toBeGreaterThan(0);
  });

  for (const page of pages) {
    programs(readFileSync(new URL(page, docs), 'utf8')).forEach((code, n) => {
      it(`${page}, program ${n + 1}`, async () => {
        const expected = [...code.matchAll(/console\.log\(.*\); \/\/ → (.*)$/gm)].map((m) => m[1]);
        expect(expected.length, 'every program states what it prints').toBeGreaterThan(0);
        const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
        mkdirSync(scratch, { recursive: true });
        const file = new URL(`${page.replace(/[/.]/g, '_')}_${n}.mjs`, scratch);
        writeFileSync(file, js);
        const printed: string[] = [];
        const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
        try {
          await import(`${pathToFileURL(file.pathname).href}?${Date.now()}`);
        } finally {
          log.mockRestore();
        }
        expect(printed.map(squeeze)).toEqual(expected.map(squeeze));
      });
    });
  }
});

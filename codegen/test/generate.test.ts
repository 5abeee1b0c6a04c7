// Golden outputs: the fixture schema must generate exactly the files under golden/. After an intended
// change to a template or view, regenerate them with UPDATE_GOLDEN=1 and review the diff.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emitAll } from '../src/emit.js';
import { formatProblem } from '../src/load.js';
import { loadSchema } from '../src/validate.js';

const here = dirname(fileURLToPath(import.meta.url));
const goldenDir = join(here, 'golden');
const seeds = [
  { name: 'add', family: 'core' },
  { name: 'sum', family: 'core' },
  { name: 'linalg_qr', family: 'linalg' },
];

function generateFixture(): Map<string, string> {
  const { schema, problems } = loadSchema(join(here, 'fixtures'), 'schema');
  if (!schema) throw new Error(problems.map(formatProblem).join('\n'));
  return emitAll(schema, seeds);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [relative(goldenDir, path).split('\\').join('/')];
  });
}

describe('generator goldens', () => {
  const files = generateFixture();

  if (process.env.UPDATE_GOLDEN) {
    rmSync(goldenDir, { recursive: true, force: true });
    for (const [path, content] of files) {
      mkdirSync(dirname(join(goldenDir, path)), { recursive: true });
      writeFileSync(join(goldenDir, path), content);
    }
  }

  it('emits exactly the golden set of files', () => {
    expect([...files.keys()].sort()).toEqual(listFiles(goldenDir).sort());
  });

  for (const [path, content] of files) {
    it(`matches golden/${path}`, () => {
      expect(content).toBe(readFileSync(join(goldenDir, path), 'utf8'));
    });
  }

  it('is deterministic', () => {
    expect(generateFixture()).toEqual(files);
  });
});

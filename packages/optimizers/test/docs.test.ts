// docs/api/optimizers is hand-written: every name the package exports must appear on it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as optim from '../src/index.js';

describe('docs/api/optimizers', () => {
  it('names every export of @mlxts/optimizers', () => {
    const text = readFileSync(new URL('../../../docs/api/optimizers/index.md', import.meta.url), 'utf8');
    expect(Object.keys(optim).filter((name) => !new RegExp(`\\b${name}\\b`).test(text))).toEqual([]);
  });
});

// The API pages of docs/api are hand-written for @mlxts/nn and @mlxts/optimizers: every name the packages
// export must appear on its page, so a new export cannot go undocumented.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as nn from '@mlxts/nn';

const page = (name: string) => readFileSync(new URL(`../../../docs/api/${name}/index.md`, import.meta.url), 'utf8');

describe('docs/api/nn', () => {
  it('names every export of @mlxts/nn', () => {
    const text = page('nn');
    const exported = [...Object.keys(nn), ...Object.keys(nn.losses), ...Object.keys(nn.init)].filter((k) => k !== 'losses' && k !== 'init');
    expect(exported.filter((name) => !new RegExp(`\\b${name}\\b`).test(text))).toEqual([]);
  });
});

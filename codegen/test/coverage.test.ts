import { describe, expect, it } from 'vitest';
import { callsOp, coverageProblem, describeBlock, parseCoverage } from '../src/coverage.js';

const source = `import * as mx from '@mlxts/core';
const table = [mx.conv1d];

describe('reshape', () => {
  it('works', () => mx.reshape(x, [2]));
});

describe("flip and roll", () => {
  it('flips', () => x.flip(0));
});
`;

describe('coveredBy entries', () => {
  it('parse as examples or file#describe', () => {
    expect(parseCoverage('examples')).toEqual({ kind: 'examples' });
    expect(parseCoverage('packages/core/test/a.test.ts#flip and roll')).toEqual({ kind: 'describe', file: 'packages/core/test/a.test.ts', title: 'flip and roll' });
    expect(parseCoverage('structural tests')).toMatch(/neither 'examples' nor/);
    expect(parseCoverage('packages/core/test/a.test.ts#')).toMatch(/neither/);
    expect(parseCoverage('src/a.ts#x')).toMatch(/neither/);
  });

  it('find a top-level describe block by its title, up to the next one', () => {
    expect(describeBlock(source, 'reshape')).toContain('mx.reshape(x, [2])');
    expect(describeBlock(source, 'reshape')).not.toContain('flip');
    expect(describeBlock(source, 'flip and roll')).toContain('x.flip(0)');
    expect(describeBlock(source, 'works')).toBeUndefined();
  });

  it('recognise a call or a reference of the op, not a longer name', () => {
    expect(callsOp('mx.reshape(a)', 'reshape')).toBe(true);
    expect(callsOp('const f = mx.conv1d;', 'conv1d')).toBe(true);
    expect(callsOp('mx.reshapeLike(a)', 'reshape')).toBe(false);
    expect(callsOp("describe('reshape', ...)", 'reshape')).toBe(false);
  });

  it('report a missing file, describe block or call, and examples an op lacks', () => {
    const read = (path: string) => (path === 'packages/core/test/a.test.ts' ? source : undefined);
    const at = (entry: string, js: string, examples = true) => {
      const c = parseCoverage(entry);
      if (typeof c === 'string') throw new Error(c);
      return coverageProblem(c, js, examples, read);
    };
    expect(at('packages/core/test/a.test.ts#reshape', 'reshape')).toBeUndefined();
    expect(at('packages/core/test/a.test.ts#reshape', 'conv1d')).toBeUndefined(); // the table above the blocks
    expect(at('packages/core/test/a.test.ts#reshape', 'flip')).toBe("describe('reshape') in packages/core/test/a.test.ts does not call flip");
    expect(at('packages/core/test/a.test.ts#sorting', 'sort')).toBe("packages/core/test/a.test.ts has no top-level describe('sorting')");
    expect(at('packages/core/test/b.test.ts#reshape', 'reshape')).toBe('packages/core/test/b.test.ts does not exist');
    expect(at('examples', 'reshape', false)).toBe("'examples' but the op has no examples");
    expect(at('examples', 'reshape', true)).toBeUndefined();
  });
});

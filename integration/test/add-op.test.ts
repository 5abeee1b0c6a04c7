// "Add an op by editing the schema": the generator, run on a copy of the schema with one new op file,
// produces the wrapper, the TS function, the docs page and the test file; a malformed variant is
// rejected with a file:line message. An op taking a new enum is added the same way, through
// schema/enums.yaml and the op file alone.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'mlxts-add-op-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// An MLX function bound under a name no schema file uses, so the test never collides with real ops.
const opFile = `op: example_logaddexp
family: core
extends: binary_elementwise
js: {name: exampleLogaddexp}
summary: "log(exp(a) + exp(b)) without overflow."
doc: |
  Broadcasting and weak JS scalars as in add.
callee:
  - {cpp: "mlx::core::logaddexp", call: [a, b]}
test:
  reference: "(a: number, b: number) => Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)))"
  dtypes: [float32]
grad:
  wrt:
    a: {shape: [2, 3]}
    b: {shape: [3]}
  step: 1.0e-2
  tolerance: 1.0e-3
examples:
  - {title: Two zeros, code: "mx.exampleLogaddexp(mx.array([0]), mx.array([0]))", expect: [0.6931472]}
python: {deviation: "An example of this test: MLX Python's logaddexp under another name."}
`;

/** A copy of the schema and of the hand-written tests its `coveredBy` entries name, to generate into. */
function copyOfRepo(root: string) {
  cpSync(join(repo, 'schema'), join(root, 'schema'), { recursive: true });
  for (const pkg of readdirSync(join(repo, 'packages'))) {
    const tests = join(repo, 'packages', pkg, 'test');
    if (existsSync(tests)) cpSync(tests, join(root, 'packages', pkg, 'test'), { recursive: true, filter: (src) => !src.includes('/generated') });
  }
}

// A new enum and an op that takes it: MLX's meshgrid with its indexing as an enum of the schema.
const enumEntry = `ExampleIndexing:
  doc: "\`'xy'\`: Cartesian; \`'ij'\`: matrix indexing."
  values: [xy, ij]
`;
const enumOpFile = `op: example_meshgrid
family: core
js: {name: exampleMeshgrid}
summary: Coordinate grids.
doc: MLX's meshgrid, bound with an enum of the schema.
args:
  - {name: arrays, type: "ArrayLike[]", doc: The coordinate vectors.}
  - {name: indexing, type: ExampleIndexing, default: xy, kwonly: true, doc: Cartesian or matrix indexing.}
callee:
  - {cpp: "mlx::core::meshgrid", call: [arrays, {sparse: false}, indexing]}
returns: {type: "Tensor[]", doc: One grid per input.}
grad:
  wrt:
    arrays: {shape: [3]}
test:
  coveredBy: [examples]
examples:
  - {title: Matrix indexing, code: "mx.exampleMeshgrid([mx.array([1, 2, 3]), mx.array([4, 5])], { indexing: 'ij' })[0].shape", expect: [3, 2]}
python: {deviation: "An example of this test: MLX Python's meshgrid under another name, with part of its options."}
`;

function generate(root: string) {
  return spawnSync(process.execPath, [join(repo, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(repo, 'codegen', 'src', 'cli.ts'), '--root', root], { encoding: 'utf8' });
}

describe('adding an op by editing the schema', () => {
  it('generates the wrapper, TS function, docs page and test file', () => {
    const root = join(work, 'ok');
    copyOfRepo(root);
    writeFileSync(join(root, 'schema', 'core', 'example_logaddexp.yaml'), opFile);
    const run = generate(root);
    expect(run.status, run.stderr).toBe(0);
    const wrapper = readFileSync(join(root, 'packages/native/src/generated/core_example_logaddexp.cc'), 'utf8');
    expect(wrapper).toContain('mlx::core::logaddexp(a, b, stream)');
    expect(readFileSync(join(root, 'packages/native/src/generated/registry.cc'), 'utf8')).toContain('op_core_example_logaddexp');
    const fn = readFileSync(join(root, 'packages/core/src/generated/ops/exampleLogaddexp.ts'), 'utf8');
    expect(fn).toContain('export function exampleLogaddexp(a: ArrayLike, b: ArrayLike, options?: StreamOptions): Tensor');
    expect(readFileSync(join(root, 'packages/core/src/generated/index.ts'), 'utf8')).toContain("export { exampleLogaddexp } from './ops/exampleLogaddexp.js';");
    expect(readFileSync(join(root, 'docs/api/core/exampleLogaddexp.md'), 'utf8')).toContain('# mx.exampleLogaddexp');
    // Its gradient hint becomes the generated vjp/jvp, vmap and compile checks.
    expect(readFileSync(join(root, 'packages/core/test/generated/exampleLogaddexp.test.ts'), 'utf8')).toContain('fn: (x0: mx.Tensor, x1: mx.Tensor) => mx.exampleLogaddexp(x0, x1)');
  });

  it('rejects a malformed variant with a file:line message', () => {
    const root = join(work, 'bad');
    copyOfRepo(root);
    writeFileSync(join(root, 'schema', 'core', 'example_logaddexp.yaml'), opFile.replace('  - {cpp: "mlx::core::logaddexp", call: [a, b]}', '  - {cpp: "mlx::core::logaddexp", call: [a, c]}'));
    const run = generate(root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("schema/core/example_logaddexp.yaml:9: call refers to undeclared argument 'c'");
    expect(existsSync(join(root, 'packages/native/src'))).toBe(false);
  });

  it('adds an op taking a new enum through the schema alone', () => {
    const root = join(work, 'enum');
    copyOfRepo(root);
    writeFileSync(join(root, 'schema', 'enums.yaml'), readFileSync(join(root, 'schema', 'enums.yaml'), 'utf8') + enumEntry);
    writeFileSync(join(root, 'schema', 'core', 'example_meshgrid.yaml'), enumOpFile);
    const run = generate(root);
    expect(run.status, run.stderr).toBe(0);
    const wrapper = readFileSync(join(root, 'packages/native/src/generated/core_example_meshgrid.cc'), 'utf8');
    expect(wrapper).toContain('conv::choice(info[1], "indexing", {"xy", "ij"}, "xy")');
    expect(wrapper).toContain('mlx::core::meshgrid(arrays, false, indexing, stream)');
    const fn = readFileSync(join(root, 'packages/core/src/generated/ops/exampleMeshgrid.ts'), 'utf8');
    expect(fn).toContain("indexing?: 'xy' | 'ij';");
    expect(readFileSync(join(root, 'docs/api/core/exampleMeshgrid.md'), 'utf8')).toContain("`'xy'`: Cartesian; `'ij'`: matrix indexing.");
    // The generated error-rule test passes a string outside the enum.
    expect(readFileSync(join(root, 'packages/core/test/generated/exampleMeshgrid.test.ts'), 'utf8')).toContain(`label: "indexing = 'nope'"`);
  });

  it('rejects a default outside the enum with a file:line message', () => {
    const root = join(work, 'enum-bad');
    copyOfRepo(root);
    writeFileSync(join(root, 'schema', 'enums.yaml'), readFileSync(join(root, 'schema', 'enums.yaml'), 'utf8') + enumEntry);
    writeFileSync(join(root, 'schema', 'core', 'example_meshgrid.yaml'), enumOpFile.replace('default: xy', 'default: yx'));
    const run = generate(root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("schema/core/example_meshgrid.yaml:8: default 'yx' is not a value of ExampleIndexing: xy, ij");
  });
});

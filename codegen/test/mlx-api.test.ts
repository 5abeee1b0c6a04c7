// The MLX header scanner and the check that every scanned function is bound by an op or given a reason.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { headerListText, scanHeader, versionOf } from '../src/headers.js';
import { formatProblem } from '../src/load.js';
import { loadSchema } from '../src/validate.js';
import { mlxCoverageView } from '../src/views/docs.js';

describe('scanHeader', () => {
  it('finds namespace-scope functions, qualified below mlx::core, and nothing else', () => {
    const header = `
#pragma once
#define MLX_THING(x) { x }
namespace mlx::core {
/** add(a, b) { in a comment } */
MLX_API array add(const array& a, const array& b, StreamOrDevice s = {});
MLX_API array
split_lines(const array& a,
    std::vector<int> axes = {}, // default(s) {
    StreamOrDevice s = {});
inline array helper(const array& a) {
  return add(a, a);
}
std::pair<array, array> pair_of(int n);
std::vector<array> many(const std::string& spec = "{(");
template <typename T>
array full_of(T value);
class MLX_API Thing {
 public:
  void method(int x);
};
inline array operator+(const array& a, const array& b) { return add(a, b); }
array operator-(const array& a);
using Alias = std::variant<int, float>;
} // namespace mlx::core
namespace mlx::core::fft {
MLX_API array rfft(const array& a, int n, int axis, StreamOrDevice s = {});
}
namespace mlx::core {
namespace random {
MLX_API array uniform(const array& low);
}
}
namespace other {
array elsewhere();
}
`;
    expect(scanHeader(header)).toEqual(['add', 'fft::rfft', 'full_of', 'helper', 'many', 'pair_of', 'random::uniform', 'split_lines']);
  });

  it('reads the version from version.h and writes the list in a stable form', () => {
    expect(versionOf('#define MLX_VERSION_MAJOR 0\n#define MLX_VERSION_MINOR 32\n#define MLX_VERSION_PATCH 4\n')).toBe('0.32.4');
    expect(() => versionOf('nothing')).toThrow(/MLX_VERSION/);
    const text = headerListText('1.2.3', new Map([['mlx/ops.h', ['abs', 'add']], ['mlx/fft.h', ['fft::fft']]]));
    expect(text.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      'version: 1.2.3', 'headers:', '  mlx/ops.h:', '    - abs', '    - add', '  mlx/fft.h:', '    - fft::fft', '',
    ]);
  });
});

const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'schema');
const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

// The fixture schema binds add, argmax, eye and sum (array is runtime-only).
const headers = headerListText('0.32.4', new Map([['mlx/ops.h', ['add', 'argmax', 'depends', 'eye', 'sum']], ['mlx/fft.h', ['fft::rfft']]]));

function schemaWith(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'mlxts-mlx-api-'));
  temps.push(root);
  cpSync(fixture, join(root, 'schema'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'schema', name), text);
  return loadSchema(root);
}

describe('MLX header coverage', () => {
  it('binds functions by callee and op id, and keeps the reasons for the rest', () => {
    const { schema, problems } = schemaWith({
      'mlx-headers.yaml': headers,
      'unbound.yaml': 'depends: Autodiff plumbing.\nfft::rfft: Not yet.\n',
    });
    expect(problems.map(formatProblem)).toEqual([]);
    expect(schema!.ops.find((op) => op.id === 'add')!.mlx).toEqual(['add']);
    expect(schema!.ops.find((op) => op.id === 'array')!.mlx).toEqual([]);
    const depends = schema!.mlxApi!.functions.find((f) => f.name === 'depends');
    expect(depends).toEqual({ header: 'mlx/ops.h', name: 'depends', ops: [], reason: 'Autodiff plumbing.' });
    const view = mlxCoverageView(schema!)!;
    expect([view.bound, view.total]).toEqual([4, 6]);
    expect(view.headers[0].rows[0]).toEqual({ name: '`mlx::core::add`', fn: '[`mx.add`](./api/core/add.md)', note: '' });
    expect(view.unbound.map((u) => u.name)).toEqual(['`mlx::core::depends`', '`mlx::core::fft::rfft`']);
  });

  it('reports functions neither bound nor explained, explained ones that are bound, and unknown names', () => {
    const { problems } = schemaWith({ 'mlx-headers.yaml': headers, 'unbound.yaml': 'add: Stale.\nnot_in_mlx: Typo.\nfft::rfft: ""\n' });
    expect(problems.map(formatProblem)).toEqual([
      "schema/unbound.yaml:2: 'not_in_mlx' is not a function of the scanned MLX headers",
      "schema/unbound.yaml:3: 'fft::rfft' needs a reason",
      "schema/unbound.yaml:1: 'add' is bound by add: remove it from unbound.yaml",
      "schema/mlx-headers.yaml:9: mlx/ops.h: 'depends' is neither bound by an op nor given a reason in unbound.yaml",
      "schema/mlx-headers.yaml:13: mlx/fft.h: 'fft::rfft' is neither bound by an op nor given a reason in unbound.yaml",
    ]);
  });

  it('takes extra bindings from an op\'s mlx key and rejects unknown ones', () => {
    const op = (mlx: string) => `op: negative\nfamily: core\nmlx: [${mlx}]\nsummary: N.\ndoc: N.\nargs:\n  - {name: a, type: ArrayLike, doc: Input.}\n` +
      'callee:\n  - {cpp: "mlxts::support::negative", call: [a]}\nreturns: {type: Tensor, doc: N.}\ngrad: {reason: R.}\ntest:\n  coveredBy: [examples]\nexamples: [{title: T, code: \"1\", expect: 1}]\n';
    const ok = schemaWith({ 'mlx-headers.yaml': headers, 'unbound.yaml': 'fft::rfft: Not yet.\n', 'core/negative.yaml': op('depends') });
    expect(ok.problems.map(formatProblem)).toEqual([]);
    expect(ok.schema!.mlxApi!.functions.find((f) => f.name === 'depends')!.ops).toEqual(['negative']);
    const bad = schemaWith({ 'mlx-headers.yaml': headers, 'unbound.yaml': 'depends: X.\nfft::rfft: Not yet.\n', 'core/negative.yaml': op('nope') });
    expect(bad.problems.map(formatProblem)).toEqual(["schema/core/negative.yaml:1: mlx[0]: 'nope' is not a function of the scanned MLX headers"]);
  });

  it('counts a function bound by hand-written code ({api, page, reason}) as bound, linking its page', () => {
    const { schema, problems } = schemaWith({
      'mlx-headers.yaml': headers,
      'unbound.yaml': 'depends: Autodiff plumbing.\nfft::rfft: {api: mx.rfft, page: concepts/fft.md, reason: Hand-written.}\n',
    });
    expect(problems.map(formatProblem)).toEqual([]);
    const rfft = schema!.mlxApi!.functions.find((f) => f.name === 'fft::rfft');
    expect(rfft).toEqual({ header: 'mlx/fft.h', name: 'fft::rfft', ops: [], reason: 'Hand-written.', handwritten: { api: 'mx.rfft', page: 'concepts/fft.md' } });
    const view = mlxCoverageView(schema!)!;
    expect([view.bound, view.total]).toEqual([5, 6]);
    expect(view.unbound.map((u) => u.name)).toEqual(['`mlx::core::depends`']);
    expect(view.headers[1].rows[0]).toEqual({ name: '`mlx::core::fft::rfft`', fn: '[`mx.rfft`](./concepts/fft.md)', note: 'hand-written: Hand-written.' });
    const bad = schemaWith({ 'mlx-headers.yaml': headers, 'unbound.yaml': 'depends: X.\nfft::rfft: {api: mx.rfft, reason: No page.}\n' });
    expect(bad.problems.map(formatProblem)).toEqual([
      "schema/unbound.yaml:2: 'fft::rfft': a hand-written binding is {api, page, reason}",
      "schema/mlx-headers.yaml:13: mlx/fft.h: 'fft::rfft' is neither bound by an op nor given a reason in unbound.yaml",
    ]);
  });

  it('needs unbound.yaml once mlx-headers.yaml exists', () => {
    expect(schemaWith({ 'mlx-headers.yaml': headers }).problems.map(formatProblem)).toEqual(['schema/unbound.yaml:1: vocabulary file is missing']);
  });
});

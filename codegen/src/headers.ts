// The public function names an MLX header declares, for the "MLX header function -> bound or not" coverage.
// A small scanner rather than a C++ parser: MLX's public API is free functions declared at namespace scope,
// so it is enough to find `name(` at namespace scope outside parentheses, class bodies and inline bodies.

/** The headers whose functions mlxts means to cover, and the namespace each one declares its API in. */
export const SCANNED_HEADERS: readonly string[] = ['mlx/ops.h', 'mlx/fft.h', 'mlx/random.h', 'mlx/einsum.h', 'mlx/linalg.h', 'mlx/fast.h', 'mlx/io.h', 'mlx/distributed/distributed.h', 'mlx/distributed/ops.h'];

const NOT_FUNCTIONS = new Set(['if', 'for', 'while', 'switch', 'return', 'sizeof', 'decltype', 'static_assert', 'alignas', 'noexcept', 'throw']);

/**
 * Returns the distinct function names declared at namespace scope in `text` under `mlx::core`, qualified
 * relative to it (`add`, `fft::rfft`, `random::uniform`), sorted. Operators and class members are left out.
 */
export function scanHeader(text: string): string[] {
  const src = stripNoise(text);
  const names = new Set<string>();
  const scopes: (string | null)[] = []; // a namespace name, or null for any other brace (class, body, init list)
  let parens = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '(') parens++;
    else if (ch === ')') parens--;
    else if (ch === '{') scopes.push(parens === 0 ? namespaceOpenedAt(src, i) : null);
    else if (ch === '}') scopes.pop();
    else if (parens === 0 && scopes.every((s) => s !== null) && /[A-Za-z_]/.test(ch) && !/[\w:~]/.test(src[i - 1] ?? ' ')) {
      const word = /^[A-Za-z_]\w*/.exec(src.slice(i))![0];
      const after = src.slice(i + word.length).match(/^\s*\(/);
      if (after && isDeclaration(src, i, word)) {
        const namespace = scopes.join('::');
        if (namespace === 'mlx::core' || namespace.startsWith('mlx::core::')) {
          names.add([...scopes.join('::').split('::').slice(2), word].join('::'));
        }
      }
      i += word.length - 1;
    }
  }
  return [...names].sort();
}

// Comments, string and character literals and preprocessor lines, blanked so braces inside them do not count.
function stripNoise(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/.*$/gm, '')
    .replace(/^\s*#.*(?:\\\n.*)*$/gm, '')
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
    .replace(/'(?:[^'\\\n]|\\.)*'/g, "''");
}

// `namespace a::b {` opens a named scope; every other brace is a class, function body or initializer.
function namespaceOpenedAt(src: string, brace: number): string | null {
  const m = /namespace\s+([\w:]+)\s*$/.exec(src.slice(Math.max(0, brace - 200), brace));
  return m ? m[1] : null;
}

// A declaration has a return type before its name: the previous token ends a type (`array`, `>`, `*`, `&`).
function isDeclaration(src: string, at: number, word: string): boolean {
  if (NOT_FUNCTIONS.has(word) || word === 'operator') return false;
  const before = src.slice(Math.max(0, at - 100), at).trimEnd();
  if (/\boperator\s*$/.test(before) || /[.=,(]$/.test(before)) return false;
  return /[\w>*&]$/.test(before) && !/\b(?:return|new|namespace|using|class|struct|enum)$/.test(before);
}

/** MLX's version as its version.h defines it (`0.32.4`). */
export function versionOf(versionHeader: string): string {
  const part = (name: string) => new RegExp(`#define\\s+MLX_VERSION_${name}\\s+(\\d+)`).exec(versionHeader)?.[1];
  const [major, minor, patch] = [part('MAJOR'), part('MINOR'), part('PATCH')];
  if (major === undefined || minor === undefined || patch === undefined) throw new Error('mlx/version.h defines no MLX_VERSION_MAJOR/MINOR/PATCH');
  return `${major}.${minor}.${patch}`;
}

/** The text of schema/mlx-headers.yaml for the scanned headers (header -> its function names). */
export function headerListText(version: string, headers: ReadonlyMap<string, readonly string[]>): string {
  const lines = [
    '# The public functions of the MLX headers mlxts covers, qualified below mlx::core. Written by',
    '# `npm run codegen -- --scan-headers <MLX include dir>`; the integration tests check it against the',
    '# installed headers. Each function is bound by an op or has a reason in unbound.yaml.',
    `version: ${version}`,
    'headers:',
  ];
  for (const [header, names] of headers) lines.push(`  ${header}:`, ...names.map((n) => `    - ${n}`));
  return lines.join('\n') + '\n';
}

// `test.coveredBy`: where an op without a generated property test is tested instead. Each entry is the
// op's own `examples`, or `<test file>#<describe title>`: the file must exist, hold a top-level describe
// block with that title, and that block (or the file's code above its first describe block) must call
// or name the op. Pure: the files come from a reader.

export const EXAMPLES = 'examples';

/** A place an op is tested: its examples, or a describe block of a test file. */
export type Coverage = { readonly kind: 'examples' } | { readonly kind: 'describe'; readonly file: string; readonly title: string };

/** Parses one `coveredBy` entry; a string message when it is neither form. */
export function parseCoverage(entry: string): Coverage | string {
  if (entry === EXAMPLES) return { kind: 'examples' };
  const hash = entry.indexOf('#');
  const file = entry.slice(0, hash);
  const title = entry.slice(hash + 1);
  if (hash <= 0 || title === '' || !/^packages\/[a-z-]+\/test\/.+\.test\.ts$/.test(file)) {
    return `'${entry}' is neither 'examples' nor '<packages/<pkg>/test/...test.ts>#<describe title>'`;
  }
  return { kind: 'describe', file, title };
}

/**
 * The text of the top-level describe block titled `title` (up to the next top-level describe), or
 * undefined when the file has none.
 */
export function describeBlock(source: string, title: string): string | undefined {
  const quoted = [`'${title}'`, `"${title}"`, `\`${title}\``];
  const starts = [...source.matchAll(/^describe\(/gm)].map((m) => m.index!);
  for (let i = 0; i < starts.length; i++) {
    const rest = source.slice(starts[i] + 'describe('.length);
    if (quoted.some((q) => rest.startsWith(q))) return source.slice(starts[i], starts[i + 1] ?? source.length);
  }
  return undefined;
}

/** Whether `text` uses `jsName`: a call (`reshape(`) or a property of a namespace or tensor (`mx.reshape`). */
export function callsOp(text: string, jsName: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_$])${jsName}\\(|\\.${jsName}(?![A-Za-z0-9_$])`).test(text);
}

/** What is wrong with one `coveredBy` entry of op `jsName`, or undefined; `read` gives a repository file. */
export function coverageProblem(c: Coverage, jsName: string, hasExamples: boolean, read: (path: string) => string | undefined): string | undefined {
  if (c.kind === 'examples') return hasExamples ? undefined : `'examples' but the op has no examples`;
  const source = read(c.file);
  if (source === undefined) return `${c.file} does not exist`;
  const block = describeBlock(source, c.title);
  if (block === undefined) return `${c.file} has no top-level describe('${c.title}')`;
  // Tables of ops (`const forward = [mx.conv1d, ...]`) often sit above the first describe block.
  const preamble = source.slice(0, source.search(/^describe\(/m));
  if (!callsOp(block, jsName) && !callsOp(preamble, jsName)) return `describe('${c.title}') in ${c.file} does not call ${jsName}`;
  return undefined;
}

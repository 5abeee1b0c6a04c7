// Which public MLX header function each op binds, and the reason for every function no op binds.
// schema/mlx-headers.yaml lists the functions (a scan of the pinned MLX's headers); schema/unbound.yaml
// gives a reason for each one left out. A function that is neither bound nor explained is a schema problem,
// so a new MLX release cannot add functions that silently go missing from the coverage page. A function
// bound by hand-written code instead of an op is listed there as `{api, page, reason}`: the API that binds
// it, its docs page, and why no op can.
import { isPlainObject } from './check.js';
import type { LoadedFile, Problem } from './load.js';
import type { MlxApi, MlxFunction, Op } from './model.js';

/** The parsed schema/mlx-headers.yaml: the MLX version and, per header, its functions. */
export interface HeaderList {
  readonly version: string;
  readonly headers: readonly { header: string; names: readonly string[] }[];
}

export function readHeaderList(src: LoadedFile, problems: Problem[]): HeaderList {
  const d = src.data as Record<string, unknown>;
  const bad = (message: string) => {
    problems.push({ file: src.file, line: 1, message });
    return { version: '', headers: [] };
  };
  if (!isPlainObject(d) || typeof d.version !== 'string' || !isPlainObject(d.headers)) {
    return bad('mlx-headers.yaml must have `version` (a string) and `headers` (header -> list of function names)');
  }
  const headers = Object.entries(d.headers).map(([header, names]) => {
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
      problems.push({ file: src.file, line: src.lineOf(['headers', header]), message: `${header} must list function names` });
      return { header, names: [] };
    }
    return { header, names };
  });
  return { version: d.version, headers };
}

/**
 * The MLX functions an op binds: those its `mlx:` key names, the MLX functions its callees call directly,
 * and the function named by its op id (`fft` -> `fft::fft`; a namespace prefix `random_uniform` ->
 * `random::uniform`), looked up in the op's own family namespace first.
 */
export function functionsBoundBy(op: Op, known: ReadonlySet<string>): string[] {
  const out = new Set(op.mlx);
  for (const callee of op.callees) {
    const name = callee.cpp.startsWith('mlx::core::') ? callee.cpp.slice('mlx::core::'.length) : undefined;
    if (name && known.has(name)) out.add(name);
  }
  const id = op.id;
  const prefixed = id.includes('_') ? `${id.slice(0, id.indexOf('_'))}::${id.slice(id.indexOf('_') + 1)}` : undefined;
  const byId = [`${op.family.id}::${id}`, id, ...(prefixed ? [prefixed] : []), ...[...known].filter((k) => k.endsWith(`::${id}`))];
  const match = byId.find((name) => known.has(name));
  if (match) out.add(match);
  return [...out].sort();
}

/** Attaches the bound functions to each op and builds the coverage list, reporting unexplained gaps. */
export function resolveMlxApi(
  list: HeaderList,
  listFile: LoadedFile,
  unbound: LoadedFile,
  ops: readonly Op[],
  problems: Problem[],
): { api: MlxApi; ops: Op[] } {
  const known = new Set(list.headers.flatMap((h) => h.names));
  const reasons = new Map<string, string>();
  const handwritten = new Map<string, { api: string; page: string }>();
  if (!isPlainObject(unbound.data) && unbound.data !== null) {
    problems.push({ file: unbound.file, line: 1, message: 'unbound.yaml must map MLX function names to the reason each is not bound' });
  }
  for (const [name, reason] of Object.entries(isPlainObject(unbound.data) ? unbound.data : {})) {
    const at = unbound.lineOf([name]);
    const byHand = isPlainObject(reason) ? reason : undefined;
    const text = byHand ? byHand.reason : reason;
    if (!known.has(name)) problems.push({ file: unbound.file, line: at, message: `'${name}' is not a function of the scanned MLX headers` });
    else if (typeof text !== 'string' || text.trim() === '') problems.push({ file: unbound.file, line: at, message: `'${name}' needs a reason` });
    else if (byHand && (typeof byHand.api !== 'string' || typeof byHand.page !== 'string' || Object.keys(byHand).length !== 3)) {
      problems.push({ file: unbound.file, line: at, message: `'${name}': a hand-written binding is {api, page, reason}` });
    } else {
      reasons.set(name, text.trim());
      if (byHand) handwritten.set(name, { api: byHand.api as string, page: byHand.page as string });
    }
  }

  const boundOps = ops.map((op) => {
    op.mlx.forEach((name, i) => {
      if (!known.has(name)) problems.push({ file: op.file, line: 1, message: `mlx[${i}]: '${name}' is not a function of the scanned MLX headers` });
    });
    return { ...op, mlx: functionsBoundBy(op, known) };
  });

  const functions: MlxFunction[] = list.headers.flatMap(({ header, names }) =>
    names.map((name, i) => {
      const by = boundOps.filter((op) => op.mlx.includes(name)).map((op) => op.id);
      const reason = reasons.get(name);
      if (by.length > 0 && reason) {
        problems.push({ file: unbound.file, line: unbound.lineOf([name]), message: `'${name}' is bound by ${by.join(', ')}: remove it from unbound.yaml` });
      } else if (by.length === 0 && !reason) {
        problems.push({ file: listFile.file, line: listFile.lineOf(['headers', header, i]), message: `${header}: '${name}' is neither bound by an op nor given a reason in unbound.yaml` });
      }
      return { header, name, ops: by, reason, ...(handwritten.has(name) ? { handwritten: handwritten.get(name) } : {}) };
    }),
  );
  return { api: { version: list.version, functions }, ops: boundOps };
}

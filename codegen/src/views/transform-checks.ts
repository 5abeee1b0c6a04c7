// The transform checks of an op's generated test file, from its `grad` hint: vjp and jvp against central
// finite differences, vmap against the loop over a batch (elementwise ops and reductions), and compile
// against the plain call. An op that is not gradient-checked states the reason instead.
import type { Arg, GradHints, Op } from '../model.js';
import { callArgs, fnRef } from './common.js';

export interface TransformChecksView {
  /** `(x0, x1) => mx.add(x0, x1)`: the op as a function of its differentiated inputs only. */
  readonly fn: string;
  /** One entry per parameter of `fn`: its shape and the interval its random values come from. */
  readonly inputs: string;
  /** Options of the gradient check beyond the defaults (step, tolerance, dtype), as a JS object. */
  readonly options: string;
  /** Whether the op is elementwise or a reduction, the ops whose vmap is checked. */
  readonly vmap: boolean;
  /** Checks left out, each with the reason (a JS object `{ vjp?, jvp?, vmap?, compile? }`). */
  readonly skip: string;
}

export function transformChecksView(op: Op): TransformChecksView | { readonly reason: string } {
  if ('reason' in op.gradient) return { reason: JSON.stringify(op.gradient.reason) };
  const hints = op.gradient.checked;
  const { params, values } = parameters(hints);
  const sample = (a: Arg) => (typeof op.test.sample[a.name] === 'string' ? (op.test.sample[a.name] as string) : undefined);
  const value = (a: Arg) => values.get(a.name) ?? hints.args[a.name] ?? sample(a) ?? (a.optional ? undefined : a.types[0].valid);
  const inputs = hints.wrt.flatMap((w) => Array.from({ length: w.count ?? 1 }, () => ({ shape: w.shape, min: w.min, max: w.max })));
  const options = { step: hints.step, tolerance: hints.tolerance, dtype: hints.dtype === 'float64' ? undefined : hints.dtype };
  return {
    fn: `(${params.map((p) => `${p}: mx.Tensor`).join(', ')}) => ${fnRef(op)}(${callArgs(op, value)})`,
    inputs: JSON.stringify(inputs),
    options: JSON.stringify(options),
    vmap: op.shapeRule !== undefined,
    skip: JSON.stringify(hints.skip),
  };
}

/** The parameters x0, x1, ... of the checked function, and the expression each differentiated argument gets. */
function parameters(hints: GradHints): { params: string[]; values: Map<string, string> } {
  const params: string[] = [];
  const values = new Map<string, string>();
  for (const w of hints.wrt) {
    const own = Array.from({ length: w.count ?? 1 }, (_, i) => `x${params.length + i}`);
    params.push(...own);
    const mapped = own.map((p) => (w.map === undefined ? p : w.map.replace(/\bx\b/g, p)));
    values.set(w.name, w.count === undefined ? mapped[0] : `[${mapped.join(', ')}]`);
  }
  return { params, values };
}

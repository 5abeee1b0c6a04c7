// One fuzzed call: a target and its argument recipes. `generateCall` draws it from the call's seeded
// generator; `printCall` writes it as the JS expression the child process evaluates.
import { Random } from './random.js';
import { print, receiver, type Recipe } from './recipe.js';
import type { Target } from './targets.js';
import { generateArg } from './types.js';
import { callContext, wrongValue } from './values.js';

export interface Call {
  readonly target: Target;
  /** Positional arguments; an `undefined` value recipe stands for an argument left out. */
  readonly positional: readonly Recipe[];
  /** The trailing options object's entries; null for no options object. */
  readonly options: ReadonlyArray<readonly [string, Recipe]> | null;
  /** Arguments beyond the last one the target takes. */
  readonly extra: readonly Recipe[];
  /** Written as a Tensor method on the first argument. */
  readonly asMethod: boolean;
}

const OMITTED: Recipe = { kind: 'value', value: undefined };

export function generateCall(target: Target, seed: number, index: number): Call {
  const rng = Random.forCall(seed, index);
  const ctx = callContext(rng);
  const positional = target.positional.map((spec) => (spec.optional && rng.chance(0.35) ? OMITTED : generateArg(spec, ctx)));
  let options: Array<[string, Recipe]> | null = null;
  if ((target.options.length > 0 || target.stream) && rng.chance(0.6)) {
    options = target.options.filter(() => rng.chance(0.5)).map((spec) => [spec.name, generateArg(spec, ctx)]);
    if (target.stream && rng.chance(0.25)) options.push([rng.chance(0.8) ? 'stream' : 'device', generateArg({ name: 'stream', types: [{ name: 'Stream', ts: 'Stream' }], optional: true, strings: [] }, ctx)]);
    if (rng.chance(0.03)) options.push(['notAnOption', { kind: 'value', value: 1 }]);
  }
  const extra = rng.chance(0.02) ? [wrongValue(rng)] : [];
  const asMethod = target.method && positional[0]?.kind === 'tensor' && rng.chance(0.3);
  return { target, positional, options, extra, asMethod };
}

/** The call as a JS expression over `mx`, `fast`, `linalg`, `quant`, `disposed` and `TMP`. */
export function printCall(call: Call): string {
  const args = call.positional.map(print);
  // Arguments left out at the end are dropped; ones before a later argument stay as `undefined`.
  const hasTail = call.options !== null || call.extra.length > 0;
  while (!hasTail && args.length > 0 && isOmitted(call.positional[args.length - 1])) args.pop();
  if (call.options !== null) args.push(print({ kind: 'object', entries: call.options.map(([k, v]) => [k, v]) }));
  args.push(...call.extra.map(print));
  const { target } = call;
  if (target.form) return target.form(args);
  if (call.asMethod) return `${receiver(args[0])}.${target.id.slice(target.id.lastIndexOf('.') + 1)}(${args.slice(1).join(', ')})`;
  return `${target.id}(${args.join(', ')})`;
}

export function isOmitted(r: Recipe | undefined): boolean {
  return r !== undefined && r.kind === 'value' && r.value === undefined;
}

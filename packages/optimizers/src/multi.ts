// MultiOptimizer: different optimizers for different parameters, chosen by path.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { Optimizer, type ParameterState } from './optimizer.js';

/** Decides whether the parameter at `path` (such as `'layers.0.weight'`) goes to an optimizer. */
export type ParameterFilter = (path: string, gradient: Tensor) => boolean;

/**
 * Sends each parameter to the first optimizer whose filter accepts it; the last optimizer takes the rest
 * and has no filter (so `filters` has one entry fewer than `optimizers`). Its state is
 * `{ states: [each optimizer's state] }`.
 *
 * @example
 * ```ts
 * // Muon for matrices, AdamW for everything else
 * const optimizer = new optim.MultiOptimizer([new optim.Muon(0.02), new optim.AdamW(1e-3)], [(_path, g) => g.ndim >= 2]);
 * ```
 */
export class MultiOptimizer extends Optimizer {
  readonly optimizers: Optimizer[];
  readonly #filters: ParameterFilter[];

  constructor(optimizers: Optimizer[], filters: ParameterFilter[] = []) {
    super();
    if (!Array.isArray(optimizers) || optimizers.length === 0 || optimizers.some((o) => !(o instanceof Optimizer))) {
      throw new TypeError('MultiOptimizer: optimizers must be a non-empty array of optimizers');
    }
    if (!Array.isArray(filters) || filters.some((f) => typeof f !== 'function')) throw new TypeError('MultiOptimizer: filters must be an array of functions');
    if (filters.length !== optimizers.length - 1) throw new RangeError(`MultiOptimizer: ${optimizers.length} optimizers need ${optimizers.length - 1} filters, got ${filters.length}`);
    this.optimizers = [...optimizers];
    this.#filters = [...filters, () => true];
  }

  #split(gradients: unknown): unknown[] {
    const parts: [string, unknown][][] = this.optimizers.map(() => []);
    for (const [path, g] of mx.treeFlatten<unknown>(gradients)) {
      const i = this.#filters.findIndex((f) => f(path, g as Tensor));
      parts[i].push([path, g]);
    }
    return parts.map((p) => (p.length > 0 ? mx.treeUnflatten(p) : {}));
  }

  override init(parameters: unknown): void {
    this.#split(parameters).forEach((part, i) => this.optimizers[i].init(part));
  }

  override applyGradients(gradients: unknown, parameters: unknown): any {
    const pairs = this.#split(gradients).flatMap((part, i) => mx.treeFlatten(this.optimizers[i].applyGradients(part, parameters)));
    return mx.treeUnflatten(pairs);
  }

  override get state(): Record<string, unknown> {
    return { states: this.optimizers.map((o) => o.state) };
  }

  override set state(tree: Record<string, unknown>) {
    const states = (tree as { states?: unknown })?.states;
    if (!Array.isArray(states) || states.length !== this.optimizers.length) {
      throw new TypeError(`state: a MultiOptimizer's state is { states: [${this.optimizers.length} states] }`);
    }
    this.optimizers.forEach((o, i) => (o.state = states[i] as Record<string, unknown>));
  }

  /** The first optimizer's step count. */
  override get step(): Tensor {
    return this.optimizers[0].step;
  }

  /** The first optimizer's learning rate; setting it sets every optimizer's. */
  override get learningRate(): Tensor {
    return this.optimizers[0].learningRate;
  }

  override set learningRate(value: number | Tensor) {
    for (const o of this.optimizers) o.learningRate = value;
  }

  override dispose(): void {
    for (const o of this.optimizers) o.dispose();
    super.dispose();
  }

  protected initSingle(): void {
    throw new Error('MultiOptimizer delegates every parameter to its optimizers');
  }

  protected applySingle(_g: Tensor, _p: Tensor, _s: ParameterState): Tensor {
    throw new Error('MultiOptimizer delegates every parameter to its optimizers');
  }
}

// The Optimizer base class: per-parameter state kept by parameter path, learning-rate schedules, the step
// counter, and the ownership rules that keep a training loop's memory flat (each step's new state is
// kept, the state it replaces is disposed).
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';

/** A tree of tensors: a tensor, or arrays and plain objects of trees. */
export type TensorTree = Tensor | TensorTree[] | { [key: string]: TensorTree };

/** What `Optimizer.update` updates: an `nn.Module`, or anything with the same two methods. */
export interface Updatable {
  parameters(): unknown;
  update(parameters: any): unknown;
}

/** A learning-rate schedule: the value at a step (a uint64 scalar), as a scalar tensor. */
export type Schedule = (step: Tensor) => Tensor;

/** A hyperparameter that may follow a schedule: a number, a scalar tensor, or a schedule. */
export type Scheduled = number | Tensor | Schedule;

/** The state of one parameter: named tensors (`m`, `v`, ...). */
export type ParameterState = Record<string, Tensor>;

/**
 * The base of every optimizer. A subclass says how to initialize one parameter's state (`initSingle`)
 * and how to update one parameter from its gradient (`applySingle`); the base applies them over trees.
 *
 * The state is a tree (`optimizer.state`): `step` (uint64), `learning_rate` and other scheduled values,
 * and per parameter its named tensors, at the parameter's path (`{ layers: [{ weight: { m, v } }] }`),
 * with MLX Python's names, so it can be saved with `mx.treeFlatten` and loaded by assigning it back.
 */
export abstract class Optimizer {
  // Scalars at the top of the state tree: step, learning_rate and any scheduled hyperparameter.
  #scalars: Record<string, Tensor> = { step: mx.keep(mx.array(0, 'uint64')) };
  // Per-parameter state by dotted parameter path.
  #parameters = new Map<string, ParameterState>();
  readonly #schedules = new Map<string, Schedule>();

  /** The number of updates applied so far (a uint64 scalar). */
  get step(): Tensor {
    return this.#scalars.step;
  }

  /** The current learning rate (a float32 scalar). */
  get learningRate(): Tensor {
    return this.#scalars.learning_rate;
  }

  set learningRate(value: number | Tensor) {
    this.#schedules.delete('learning_rate');
    this.#setScalar('learning_rate', toScalar('learningRate', value));
  }

  /**
   * The state as a tree of tensors: `step`, the scheduled values, and each parameter's state at its path.
   * The tree is a live view: assigning a tensor inside it changes the optimizer (as `mx.compile` does
   * with state it updates). Assigning a whole tree (such as a saved one) restores it; the optimizer then
   * takes ownership of its tensors.
   */
  get state(): Record<string, unknown> {
    const view: Record<string, unknown> = {};
    for (const name of Object.keys(this.#scalars)) {
      Object.defineProperty(view, name, {
        enumerable: true,
        get: () => this.#scalars[name],
        set: (tensor: Tensor) => {
          if (!mx.isTensor(tensor)) throw new TypeError(`state: '${name}' must be a Tensor`);
          this.#scalars[name] = tensor;
        },
      });
    }
    // Each parameter's state object is the optimizer's own, so writes to it go through.
    const perParameter = [...this.#parameters].map(([path, state]) => [path, state] as const);
    if (perParameter.length > 0) Object.assign(view, mx.treeUnflatten(perParameter));
    return view;
  }

  set state(tree: Record<string, unknown>) {
    if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) throw new TypeError('state: must be an object (a tree of tensors)');
    const scalars: Record<string, Tensor> = {};
    const parameters = new Map<string, ParameterState>();
    for (const [path, t] of mx.treeFlatten<unknown>(tree)) {
      if (!mx.isTensor(t)) throw new TypeError(`state: '${path}' must be a Tensor`);
      const dot = path.lastIndexOf('.');
      if (dot < 0) scalars[path] = t;
      else {
        const owner = path.slice(0, dot);
        if (!parameters.has(owner)) parameters.set(owner, {});
        parameters.get(owner)![path.slice(dot + 1)] = t;
      }
    }
    if (!mx.isTensor(scalars.step)) throw new TypeError("state: must hold the 'step' counter");
    const old = this.#tensors();
    this.#scalars = scalars;
    this.#parameters = parameters;
    const now = this.#tensors();
    for (const t of now) mx.keep(t);
    for (const t of old) if (!now.has(t)) t.dispose();
  }

  /**
   * Registers a hyperparameter: a fixed value, or a schedule evaluated at every update (before the step
   * counter advances, as in MLX Python). Subclasses call it for `learning_rate` in their constructor.
   */
  protected maybeSchedule(name: string, value: Scheduled): void {
    if (typeof value === 'function') {
      this.#schedules.set(name, value);
      this.#setScalar(name, value(this.step));
    } else {
      this.#setScalar(name, toScalar(name, value));
    }
  }

  /** A scalar hyperparameter from the state (`learning_rate`, or one registered with `maybeSchedule`). */
  protected scalar(name: string): Tensor {
    return this.#scalars[name];
  }

  /**
   * Applies `gradients` to the parameters of `model` and updates it with the results (the model disposes
   * the parameters they replace).
   *
   * @example
   * ```ts
   * const [loss, grads] = lossAndGrad(x, y);
   * optimizer.update(model, grads);
   * await mx.eval(model.parameters(), optimizer.state, loss);
   * ```
   */
  update(model: Updatable, gradients: unknown): void {
    model.update(this.applyGradients(gradients, model.parameters()));
  }

  /** Creates the state of every parameter of `parameters` that has none yet. Optional: `update` does it. */
  init(parameters: unknown): void {
    for (const [path, p] of mx.treeFlatten<unknown>(parameters)) {
      if (mx.isTensor(p)) this.#stateOf(path, p);
    }
  }

  /**
   * The parameters after one update with `gradients`, as a tree shaped like `gradients` (`parameters`
   * may hold more). Advances the step counter and the schedules. The returned tensors are new; the caller
   * owns them (`update` hands them to the model).
   */
  applyGradients(gradients: unknown, parameters: unknown): any {
    const params = new Map(mx.treeFlatten<unknown>(parameters));
    const grads = mx.treeFlatten<unknown>(gradients).filter(([, g]) => g !== undefined);
    for (const [path, g] of grads) {
      if (!mx.isTensor(g)) throw new TypeError(`applyGradients: the gradient at '${path}' must be a Tensor`);
      if (!mx.isTensor(params.get(path))) throw new TypeError(`applyGradients: there is no parameter at '${path}'`);
    }
    for (const [name, schedule] of this.#schedules) this.#setScalar(name, schedule(this.step));
    this.#setScalar('step', mx.add(this.step, 1));
    return mx.treeUnflatten(
      grads.map(([path, g]) => {
        const p = params.get(path) as Tensor;
        const state = this.#stateOf(path, p);
        const before = { ...state };
        const updated = this.applySingle(g as Tensor, p, state);
        for (const [key, t] of Object.entries(state)) {
          if (t === before[key]) continue;
          mx.keep(t);
          before[key]?.dispose();
        }
        return [path, updated] as const;
      }),
    );
  }

  /** Disposes the state's tensors. */
  dispose(): void {
    for (const t of this.#tensors()) t.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Fills `state` (empty) for `parameter`: the tensors `applySingle` reads, such as zeros for `m`. */
  protected abstract initSingle(parameter: Tensor, state: ParameterState): void;

  /** The new value of `parameter` given its `gradient`; stores the new state tensors in `state`. */
  protected abstract applySingle(gradient: Tensor, parameter: Tensor, state: ParameterState): Tensor;

  #stateOf(path: string, parameter: Tensor): ParameterState {
    let state = this.#parameters.get(path);
    if (state === undefined) {
      state = {};
      this.initSingle(parameter, state);
      for (const t of Object.values(state)) mx.keep(t);
      this.#parameters.set(path, state);
    }
    return state;
  }

  #setScalar(name: string, value: Tensor): void {
    const old = this.#scalars[name];
    this.#scalars[name] = mx.keep(value);
    if (old !== undefined && old !== value) old.dispose();
  }

  #tensors(): Set<Tensor> {
    const out = new Set(Object.values(this.#scalars));
    for (const state of this.#parameters.values()) for (const t of Object.values(state)) out.add(t);
    return out;
  }
}

function toScalar(name: string, value: number | Tensor): Tensor {
  if (typeof value === 'number') return mx.array(value, 'float32');
  if (mx.isTensor(value)) return mx.astype(value, value.dtype);
  throw new TypeError(`${name} must be a number, a scalar Tensor or a schedule, got ${typeof value}`);
}

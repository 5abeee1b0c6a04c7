// Learning-rate schedules: functions from the step count (a uint64 scalar) to a value, as in MLX Python.
// Pass one as an optimizer's learning rate; it is evaluated at every update.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkNumber, checkPositiveInt } from './checks.js';
import type { Schedule } from './optimizer.js';

// Constants enter as float32 scalars, as Python floats do beside MLX's integer step (a JS number that
// happens to be integral would otherwise take the step's integer dtype).
const f32 = (value: number) => mx.array(value, 'float32');

/**
 * `init * decayRate^step`.
 *
 * @example
 * ```ts
 * const optimizer = new optim.SGD(optim.exponentialDecay(0.1, 0.9));
 * ```
 */
export function exponentialDecay(init: number, decayRate: number): Schedule {
  checkNumber('exponentialDecay', 'init', init);
  checkNumber('exponentialDecay', 'decayRate', decayRate);
  return (step) => mx.multiply(f32(init), mx.power(f32(decayRate), step));
}

/** `init * decayRate^floor(step / stepSize)`. */
export function stepDecay(init: number, decayRate: number, stepSize: number): Schedule {
  checkNumber('stepDecay', 'init', init);
  checkNumber('stepDecay', 'decayRate', decayRate);
  checkPositiveInt('stepDecay', 'stepSize', stepSize);
  return (step) => mx.multiply(f32(init), mx.power(f32(decayRate), mx.floorDivide(step, stepSize)));
}

/** Half a cosine from `init` down to `end` (default 0) over `decaySteps`, then constant. */
export function cosineDecay(init: number, decaySteps: number, end = 0): Schedule {
  checkNumber('cosineDecay', 'init', init);
  checkPositiveInt('cosineDecay', 'decaySteps', decaySteps);
  checkNumber('cosineDecay', 'end', end);
  return (step) => {
    const s = mx.minimum(step, decaySteps);
    const decay = mx.multiply(0.5, mx.add(1.0, mx.cos(mx.multiply(f32(Math.PI / decaySteps), s))));
    return mx.add(end, mx.multiply(decay, init - end));
  };
}

/** A straight line from `init` to `end` over `steps`, then constant. */
export function linearSchedule(init: number, end: number, steps: number): Schedule {
  checkNumber('linearSchedule', 'init', init);
  checkNumber('linearSchedule', 'end', end);
  checkPositiveInt('linearSchedule', 'steps', steps);
  return (step) => mx.add(mx.multiply(mx.minimum(step, steps), f32((end - init) / steps)), f32(init));
}

/**
 * Runs `schedules[0]` until `boundaries[0]`, then `schedules[1]` (counting steps from that boundary),
 * and so on: a warm-up followed by a decay, for instance.
 *
 * @example
 * ```ts
 * const warmup = optim.linearSchedule(0, 1e-3, 100);
 * const decay = optim.cosineDecay(1e-3, 1000);
 * const lr = optim.joinSchedules([warmup, decay], [100]);
 * ```
 */
export function joinSchedules(schedules: Schedule[], boundaries: number[]): Schedule {
  if (!Array.isArray(schedules) || schedules.length === 0 || schedules.some((s) => typeof s !== 'function')) {
    throw new TypeError('joinSchedules: schedules must be a non-empty array of schedules');
  }
  if (!Array.isArray(boundaries) || boundaries.some((b) => typeof b !== 'number' || !Number.isInteger(b))) {
    throw new TypeError('joinSchedules: boundaries must be an array of integers');
  }
  if (boundaries.length !== schedules.length - 1) throw new RangeError(`joinSchedules: ${schedules.length} schedules need ${schedules.length - 1} boundaries, got ${boundaries.length}`);
  return (step: Tensor) => {
    let output = schedules[0](step);
    boundaries.forEach((boundary, i) => {
      output = mx.where(mx.less(step, boundary), output, schedules[i + 1](mx.subtract(step, boundary)));
    });
    return output;
  };
}

// @mlxts/optimizers: optimizers and learning-rate schedules over parameter trees, with MLX Python's
// names, defaults and update rules.
export { Optimizer } from './optimizer.js';
export type { ParameterState, Schedule, Scheduled, TensorTree, Updatable } from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDOptions } from './sgd.js';
export { AdaDelta, Adagrad, RMSprop } from './rmsprop.js';
export { Adam, Adamax, AdamW } from './adam.js';
export type { AdamOptions } from './adam.js';
export { Lion } from './lion.js';
export { Adafactor } from './adafactor.js';
export type { AdafactorOptions } from './adafactor.js';
export { Muon } from './muon.js';
export type { MuonOptions } from './muon.js';
export { MultiOptimizer } from './multi.js';
export type { ParameterFilter } from './multi.js';
export { cosineDecay, exponentialDecay, joinSchedules, linearSchedule, stepDecay } from './schedules.js';
export { clipGradNorm } from './clip.js';

// mx.distributed: the generated collectives (schema/core/distributed_*.yaml) plus init and isAvailable,
// which return a group and a boolean rather than tensors and so are written by hand.
export * from '../generated/distributed.js';
export { init, isAvailable, type Backend, type InitOptions } from './init.js';
export type { Group } from '@mlxts/native';

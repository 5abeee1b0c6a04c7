// mx.distributed.init and isAvailable: MLX's distributed::init / is_available, with the options checked
// here (the native side trusts them).
import { native, type Group } from '@mlxts/native';
import { checkArity, checkOptions } from '../runtime/call.js';

/** MLX's communication backends. The mlx-cpu wheel has `'ring'` (TCP); CUDA builds add `'nccl'`. */
export type Backend = 'any' | 'ring' | 'mpi' | 'nccl' | 'jaccl';

const BACKENDS: readonly Backend[] = ['any', 'ring', 'mpi', 'nccl', 'jaccl'];

export interface InitOptions {
  /** Throw if no backend can be set up, instead of returning a group of one process. Default: `false`. */
  strict?: boolean;
  /** Which backend; `'any'` tries NCCL (on a GPU), then ring, MPI and JACCL. Default: `'any'`. */
  backend?: Backend;
  /**
   * Milliseconds one evaluation that communicates may take before mlxts closes the group's ring
   * connections, which fails it (and the group) with an error instead of waiting forever for a peer
   * that stopped taking part. MLX itself has no timeout. Default: none; a later `init()` without it
   * keeps the timeout set before.
   */
  timeout?: number;
}

function checkBackend(op: string, backend: unknown): Backend {
  if (backend === undefined) return 'any';
  if (typeof backend !== 'string' || !BACKENDS.includes(backend as Backend)) {
    throw new TypeError(`${op}: backend must be one of ${BACKENDS.map((b) => `'${b}'`).join(', ')}, got ${typeof backend === 'string' ? `'${backend}'` : String(backend)}`);
  }
  return backend as Backend;
}

/**
 * Whether a communication backend is compiled into this MLX (`'any'`: at least one). It says nothing
 * about whether this process was launched as part of a group: `init()` finds that out.
 */
export function isAvailable(backend?: Backend): boolean {
  if (arguments.length > 1) checkArity('distributed.isAvailable', 1, arguments.length);
  return native.distributed.isAvailable(checkBackend('distributed.isAvailable', backend));
}

/**
 * Joins the group of processes this one was launched with and returns it (MLX's `distributed.init`).
 *
 * The ring backend reads `MLX_RANK` and `MLX_HOSTFILE` (a JSON list, one entry per rank, of
 * `"host:port"` lists) as MLX Python does; `mlxts-launch` sets them. The first call connects to the
 * neighbouring ranks and blocks until they have all called `init` too; later calls return the same
 * group. Without a launcher (and not `strict`), the group is this process alone (`size` 1), where
 * `allSum` and the other collectives return their input.
 */
export function init(options?: InitOptions): Group {
  const op = 'distributed.init';
  if (arguments.length > 1) checkArity(op, 1, arguments.length);
  if (options !== undefined) checkOptions(op, options, ['strict', 'backend', 'timeout']);
  const strict = options?.strict ?? false;
  if (typeof strict !== 'boolean') throw new TypeError(`${op}: strict must be a boolean, got ${String(strict)}`);
  const backend = checkBackend(op, options?.backend);
  const timeout = options?.timeout;
  if (timeout !== undefined) {
    if (typeof timeout !== 'number') throw new TypeError(`${op}: timeout must be a number of milliseconds, got ${String(timeout)}`);
    if (!(timeout > 0 && timeout <= 2 ** 31)) throw new RangeError(`${op}: timeout must be a positive number of milliseconds (at most 2^31), got ${timeout}`);
  }
  return native.distributed.init(strict, backend, timeout);
}

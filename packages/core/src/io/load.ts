// mx.load and mx.loadAsync: .npy, .safetensors and .gguf files, checked before MLX reads them.
//
// Hand-written rather than generated from the schema (schema/unbound.yaml says so): the result is a
// tensor or a map of tensors and metadata depending on the format, and each file's structure is checked
// here first, because MLX's parsers trust their input.
import { MlxError, native, type GgufValue, type LoadedFile, type Tensor } from '@mlxts/native';
import { checkOptions, track } from '../runtime/call.js';
import type { StreamOptions } from '../types.js';
import { closeFile, fileError, openFile, type OpenFile } from './file.js';
import { checkGguf, type CheckedGguf } from './gguf.js';
import { checkNpy } from './npy.js';
import { checkSafetensors } from './safetensors.js';

export type { GgufValue };

/** The file formats `load` reads. */
export type FileFormat = 'npy' | 'safetensors' | 'gguf';

/** Tensors by name, as `load` returns them from .safetensors and .gguf files (in the file's order). */
export type TensorMap = Record<string, Tensor>;

export interface LoadOptions extends StreamOptions {
  /** The file's format; by default its extension (`.npy`, `.safetensors`, `.gguf`). */
  format?: FileFormat;
  /**
   * Also return the file's metadata, as `[tensors, metadata]`: .safetensors metadata is a map of
   * strings; GGUF values are numbers, bigints, booleans, strings, string arrays or tensors.
   */
  returnMetadata?: boolean;
}

/** What `load` returns for each format. */
export interface Loaded {
  npy: Tensor;
  safetensors: TensorMap;
  gguf: TensorMap;
}

/** What `load` returns for each format with `returnMetadata: true`. */
export interface LoadedWithMetadata {
  npy: never;
  safetensors: [TensorMap, Record<string, string>];
  gguf: [TensorMap, Record<string, GgufValue>];
}

/** The format a path's extension names, as far as TypeScript can see it; every format otherwise. */
export type FormatOfPath<P extends string> = P extends `${string}.npy` ? 'npy' : P extends `${string}.safetensors` ? 'safetensors' : P extends `${string}.gguf` ? 'gguf' : FileFormat;

/** The format `load(file, options)` reads: `options.format`, else the path's extension. */
type FormatOf<P extends string, O extends LoadOptions> = 'format' extends keyof O
  ? undefined extends O['format']
    ? FileFormat
    : NonNullable<O['format']>
  : FormatOfPath<P>;

/** Whether `options` asks for metadata: true, false, or boolean when TypeScript cannot tell. */
type WantsMetadata<O extends LoadOptions> = 'returnMetadata' extends keyof O
  ? NonNullable<O['returnMetadata']> extends false
    ? false
    : NonNullable<O['returnMetadata']> extends true
      ? undefined extends O['returnMetadata']
        ? boolean
        : true
      : boolean
  : false;

/**
 * The result type of `load(file, options)`: by `options.format`, else by the path's extension; a path
 * TypeScript cannot see through gives the union (`Tensor | TensorMap`), which `{ format }` narrows.
 */
export type LoadResult<P extends string, O extends LoadOptions> = WantsMetadata<O> extends true
  ? LoadedWithMetadata[FormatOf<P, O>]
  : WantsMetadata<O> extends false
    ? Loaded[FormatOf<P, O>]
    : Loaded[FormatOf<P, O>] | LoadedWithMetadata[FormatOf<P, O>];

const FORMATS: readonly FileFormat[] = ['npy', 'safetensors', 'gguf'];
const OPTION_KEYS: readonly string[] = ['format', 'returnMetadata', 'stream', 'device'];

/**
 * Loads a tensor from a .npy file, or the tensors of a .safetensors or .gguf file, as MLX Python's
 * `mx.load` does. The file's structure is checked first: anything malformed, truncated or out of range
 * is an MlxError naming the file and the problem.
 *
 * .npy and .safetensors tensors are lazy: the file's data is read when a tensor is evaluated (off the
 * JS thread with `await mx.eval(...)`). MLX reads a .gguf file whole; `loadAsync` does that off the JS
 * thread. Q4_0, Q4_1 and Q8_0 GGUF tensors come as `name.weight` (packed uint32), `name.scales` and
 * `name.biases` (see `fromGguf` in @mlxts/quant); BF16, Q2_K, Q4_K and Q6_K become float16.
 *
 * @example
 * ```ts
 * const x = mx.load('x.npy');                                  // Tensor
 * const weights = mx.load('model.safetensors');                // { name: Tensor }
 * const [tensors, metadata] = mx.load('model.gguf', { returnMetadata: true });
 * const w = mx.load(path, { format: 'safetensors' });          // typed by the format
 * ```
 */
export function load<P extends string, const O extends LoadOptions = {}>(file: P, options?: O): LoadResult<P, O>;
export function load(file: string, options: LoadOptions = {}): Tensor | TensorMap | [TensorMap, Record<string, GgufValue>] {
  if (arguments.length > 2) throw new TypeError(`load: expected at most 2 arguments, got ${arguments.length}`);
  const request = readRequest('load', file, options);
  if (request.format !== 'gguf') return withFile('load', file, (f) => loadChecked(f, request));
  const checked = checkGgufFile(file);
  return ggufResult(native.loadGguf(file), checked, request.returnMetadata);
}

/**
 * `load` with MLX's reading off the JS thread where it matters: a .gguf file is read and converted on a
 * worker thread (its header is checked first, on the calling thread). .npy and .safetensors loads are
 * already lazy, so their promise resolves to what `load` returns. Bad arguments throw at once (a
 * TypeError, or an MlxError for a path without a known extension); problems with the file reject.
 */
export function loadAsync<P extends string, const O extends LoadOptions = {}>(file: P, options?: O): Promise<LoadResult<P, O>>;
export function loadAsync(file: string, options: LoadOptions = {}): Promise<Tensor | TensorMap | [TensorMap, Record<string, GgufValue>]> {
  if (arguments.length > 2) throw new TypeError(`loadAsync: expected at most 2 arguments, got ${arguments.length}`);
  const request = readRequest('loadAsync', file, options);
  return renamed('loadAsync', async () => {
    if (request.format !== 'gguf') return withFile('load', file, (f) => loadChecked(f, request));
    const checked = checkGgufFile(file);
    return ggufResult(await native.loadGgufAsync(file), checked, request.returnMetadata);
  });
}

interface Request {
  readonly format: FileFormat;
  readonly returnMetadata: boolean;
  readonly stream: unknown;
}

function readRequest(op: string, file: unknown, options: LoadOptions): Request {
  if (typeof file !== 'string') throw new TypeError(`${op}: file must be a path string, got ${typeof file}`);
  checkOptions(op, options, OPTION_KEYS);
  const { format = formatOf(op, file), returnMetadata = false } = options;
  if (!FORMATS.includes(format)) throw new TypeError(`${op}: format must be one of ${FORMATS.map((f) => `'${f}'`).join(', ')}, got ${String(format)}`);
  if (typeof returnMetadata !== 'boolean') throw new TypeError(`${op}: returnMetadata must be a boolean`);
  if (returnMetadata && format === 'npy') throw fileError(op, file, '.npy files have no metadata (returnMetadata is for .safetensors and .gguf)');
  return { format, returnMetadata, stream: options.stream ?? options.device };
}

function formatOf(op: string, file: string): FileFormat {
  const extension = /\.([A-Za-z0-9]+)$/.exec(file)?.[1].toLowerCase();
  if (extension === 'npz') throw fileError(op, file, ".npz archives are not supported: MLX's C++ library has no .npz reader (save each tensor as .npy, or use .safetensors)");
  if (FORMATS.includes(extension as FileFormat)) return extension as FileFormat;
  throw fileError(op, file, "has no .npy, .safetensors or .gguf extension; pass the format: { format: 'npy' | 'safetensors' | 'gguf' }");
}

function withFile<T>(op: string, file: string, use: (f: OpenFile) => T): T {
  const f = openFile(op, file);
  try {
    return use(f);
  } finally {
    closeFile(f);
  }
}

function loadChecked(f: OpenFile, request: Request): Tensor | TensorMap | [TensorMap, Record<string, string>] {
  const limit = native.memoryLimit();
  if (request.format === 'npy') {
    const { header, dataOffset } = checkNpy('load', f, limit);
    return track(native.loadNpy(f.fd, f.name, header, dataOffset, request.stream));
  }
  const { header, dataOffset, names } = checkSafetensors('load', f, limit);
  const { tensors, metadata } = native.loadSafetensors(f.fd, f.name, header, dataOffset, request.stream);
  for (const [, t] of tensors) track(t);
  const map = toMap(tensors, names);
  return request.returnMetadata ? [map, toMap(metadata, [])] : map;
}

/** Checks a .gguf file's header before MLX's reader (which opens it by its path) sees the file. */
function checkGgufFile(file: string): CheckedGguf {
  return withFile('load', file, (f) => checkGguf('load', f, native.memoryLimit()));
}

function ggufResult(loaded: LoadedFile<GgufValue>, checked: CheckedGguf, returnMetadata: boolean) {
  for (const [, t] of loaded.tensors) track(t);
  for (const [, value] of loaded.metadata) {
    if (typeof value !== 'object' || Array.isArray(value)) continue;
    if (returnMetadata) track(value);
    else value.dispose();
  }
  const tensors = toMap(loaded.tensors, checked.names);
  const metadata = toMap(loaded.metadata, checked.keys);
  return returnMetadata ? ([tensors, metadata] as [TensorMap, Record<string, GgufValue>]) : tensors;
}

/**
 * An object of the [name, value] pairs, in `order` (names it lacks last). Object.fromEntries defines each
 * name as an own property, so a name such as "__proto__" stays a plain key.
 */
function toMap<T>(pairs: [string, T][], order: readonly string[]): Record<string, T> {
  const byName = new Map(pairs);
  const entries: [string, T][] = [];
  for (const name of order) {
    if (!byName.has(name)) continue;
    entries.push([name, byName.get(name)!]);
    byName.delete(name);
  }
  return Object.fromEntries([...entries, ...byName]);
}

/** Errors of the functions `op` calls, reported as errors of `op`. */
async function renamed<T>(op: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MlxError && error.message.startsWith('load: ')) throw new MlxError(`${op}: ${error.message.slice(6)}`, op);
    throw error;
  }
}

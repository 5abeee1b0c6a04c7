// The hand-written exports, listed by hand: the schema does not describe them. Argument types use the
// schema's type names where one fits and the fuzzer's own kinds otherwise (Function, Tree, Path, ...;
// see types.ts). A new hand-written export belongs here; one left out says why below.
//
// Left out: mx.removeOrphanedSharedMemory() (it removes every orphaned mlxts object on the machine,
// including other processes' test objects); the Tensor properties that only read fields (shape, dtype,
// ndim, size, nbytes, itemsize, disposed).
import { receiver } from './recipe.js';
import { arg, type ArgSpec, type Target } from './targets.js';

interface Entry {
  positional?: ArgSpec[];
  options?: ArgSpec[];
  stream?: boolean;
  form?: (a: readonly string[]) => string;
  stateful?: boolean;
}

const opt = (name: string, type: string, strings: string[] = []): ArgSpec => ({ ...arg(name, type, true), strings });
const rest = (a: readonly string[], from: number) => a.slice(from).join(', ');
/** A transform applied to a function, then the transformed function called: `mx.grad(f)(x)`. */
const transformed = (name: string) => (a: readonly string[]) => `mx.${name}(${[a[0], ...a.slice(2)].join(', ')})(${a[1] ?? ''})`;
const method = (name: string) => (a: readonly string[]) => `${receiver(a[0])}.${name}(${rest(a, 1)})`;

const CORE: Record<string, Entry> = {
  eval: { positional: [arg('a', 'Tree'), arg('b', 'Tree', true)] },
  evalSync: { positional: [arg('a', 'Tree'), arg('b', 'Tree', true)] },
  isTensor: { positional: [arg('value', 'any')] },
  keep: { positional: [arg('t', 'Tensor')] },
  tidy: { positional: [arg('fn', 'Function')] },
  'tidy(() => fn(x))': { positional: [arg('fn', 'Function'), arg('x', 'Tree')], form: (a) => `mx.tidy(() => (${a[0]})(${a[1] ?? ''}))` },
  'tidy(async () => fn(x))': { positional: [arg('fn', 'Function'), arg('x', 'Tree')], form: (a) => `mx.tidy(async () => (${a[0]})(${a[1] ?? ''}))` },
  treeFlatten: { positional: [arg('tree', 'Tree')] },
  treeUnflatten: { positional: [arg('pairs', 'any')] },
  treeMap: { positional: [arg('fn', 'Function'), arg('tree', 'Tree')] },
  grad: { positional: [arg('fn', 'Function'), arg('x', 'Tree'), arg('argnums', 'IntOrList', true)], form: transformed('grad') },
  valueAndGrad: { positional: [arg('fn', 'Function'), arg('x', 'Tree'), arg('argnums', 'IntOrList', true)], form: transformed('valueAndGrad') },
  vjp: { positional: [arg('fn', 'Function'), arg('primals', 'Tree'), arg('cotangents', 'Tree')] },
  jvp: { positional: [arg('fn', 'Function'), arg('primals', 'Tree'), arg('tangents', 'Tree')] },
  vmap: { positional: [arg('fn', 'Function'), arg('x', 'Tree'), arg('inAxes', 'IntOrList', true), arg('outAxes', 'IntOrList', true)], form: transformed('vmap') },
  compile: { positional: [arg('fn', 'Function'), arg('x', 'Tree'), arg('options', 'any', true)], form: transformed('compile') },
  checkpoint: { positional: [arg('fn', 'Function'), arg('x', 'Tree')], form: transformed('checkpoint') },
  customFunction: { positional: [arg('fn', 'Function'), arg('x', 'Tree')], form: transformed('customFunction') },
  disableCompile: { stateful: true },
  enableCompile: { stateful: true },
  clearCache: {},
  memory: {},
  memoryLimit: {},
  resetPeakMemory: {},
  setCacheLimit: { positional: [arg('bytes', 'float')], stateful: true },
  setMemoryLimit: { positional: [arg('bytes', 'float')], stateful: true },
  defaultDevice: {},
  setDefaultDevice: { positional: [arg('device', 'Device')], stateful: true },
  isAvailable: { positional: [arg('device', 'Device')] },
  newStream: { positional: [arg('device', 'Device')] },
  defaultStream: { positional: [arg('device', 'Device')] },
  synchronize: { positional: [arg('stream', 'Stream', true)] },
  withDevice: { positional: [arg('device', 'Device'), arg('fn', 'Function')] },
  deviceScope: { positional: [arg('device', 'Device')], form: (a) => `mx.deviceScope(${a[0] ?? ''})[Symbol.dispose]()`, stateful: true },
  fromBytes: { positional: [arg('buffer', 'Bytes'), arg('shape', 'Shape'), arg('dtype', 'Dtype')] },
  fromSharedMemory: { positional: [arg('handle', 'Handle')] },
  unlinkSharedMemory: { positional: [arg('handle', 'Handle')] },
  listSharedMemory: {},
  buildInfo: {},
  load: { positional: [arg('file', 'Path')], options: [opt('format', 'str', ['npy', 'safetensors', 'gguf']), opt('returnMetadata', 'bool')], stream: true },
  loadAsync: { positional: [arg('file', 'Path')], options: [opt('format', 'str', ['npy', 'safetensors', 'gguf']), opt('returnMetadata', 'bool')], stream: true },
  'save then load': { positional: [arg('file', 'Path'), arg('x', 'ArrayLike')], form: (a) => `(mx.save(${a[0]}, ${a[1] ?? ''}), mx.load(${a[0]}))` },
  'saveSafetensors then load': { positional: [arg('file', 'Path'), arg('x', 'TensorMap')], form: (a) => `(mx.saveSafetensors(${a[0]}, ${a[1] ?? ''}), mx.load(${a[0]}, { format: 'safetensors', returnMetadata: true }))` },
  'saveGguf then load': { positional: [arg('file', 'Path'), arg('x', 'TensorMap'), arg('metadata', 'GgufMetadata', true)], form: (a) => `(mx.saveGguf(${rest(a, 0)}), mx.load(${a[0]}, { format: 'gguf', returnMetadata: true }))` },
  isDType: { positional: [arg('t', 'Tensor'), arg('dtype', 'Dtype')] },
  finfo: { positional: [arg('dtype', 'Dtype')] },
  Slice: { positional: [arg('start', 'int', true), arg('stop', 'int', true), arg('step', 'int', true)], form: (a) => `new mx.Slice(${rest(a, 0)})` },
};

const TENSOR_METHODS: Record<string, Entry> = {
  toArray: {}, toTypedArray: {}, item: {}, data: {}, eval: {}, dispose: {}, toBytes: {}, toArrayBuffer: {},
  dataPointer: {}, toString: {},
  toSharedMemory: { options: [opt('permissions', 'int')] },
  at: { positional: [arg('index', 'Index'), arg('index2', 'Index', true), arg('index3', 'Index', true)] },
  with: {
    positional: [arg('index', 'Index'), arg('value', 'ArrayLike'), arg('index2', 'Index', true)],
    form: (a) => `${receiver(a[0])}.with(${[a[1], ...a.slice(3), a[2]].join(', ')})`,
  },
  T: { form: (a) => `${receiver(a[0])}.T` },
  mT: { form: (a) => `${receiver(a[0])}.mT` },
  iterate: { form: (a) => `[...${a[0]}]` },
  toPrimitive: { form: (a) => `[+${receiver(a[0])}, \`\${${a[0]}}\`]` },
  'Symbol.dispose': { form: (a) => `${receiver(a[0])}[Symbol.dispose]()` },
};

const QUANT: Record<string, Entry> = {
  quantize: { positional: [arg('w', 'ArrayLike')], options: quantizeOptions(), stream: true },
  dequantize: { positional: [arg('q', 'Quantized')], options: [opt('dtype', 'Dtype')], stream: true },
  quantizedMatmul: { positional: [arg('x', 'ArrayLike'), arg('q', 'Quantized')], options: [opt('transpose', 'bool')], stream: true },
  gatherQuantizedMatmul: {
    positional: [arg('x', 'ArrayLike'), arg('q', 'Quantized')],
    options: [opt('transpose', 'bool'), opt('lhsIndices', 'Indices'), opt('rhsIndices', 'Indices'), opt('sortedIndices', 'bool')],
    stream: true,
  },
  isQuantized: { positional: [arg('value', 'any')] },
  fromPacked: { positional: [arg('parts', 'any')] },
  fromGguf: { positional: [arg('tensors', 'TensorMap'), arg('name', 'str')] },
};

function quantizeOptions(): ArgSpec[] {
  return [opt('mode', 'str', ['affine', 'mxfp4', 'mxfp8', 'nvfp4']), opt('bits', 'int'), opt('groupSize', 'int'), opt('globalScale', 'float|Tensor')];
}

export function handwrittenTargets(): Target[] {
  const targets: Target[] = [];
  const add = (id: string, e: Entry, self?: ArgSpec) =>
    targets.push({
      id,
      positional: self ? [self, ...(e.positional ?? [])] : (e.positional ?? []),
      options: e.options ?? [],
      stream: e.stream ?? false,
      method: false,
      form: e.form,
      stateful: e.stateful,
    });
  for (const [name, e] of Object.entries(CORE)) add(`mx.${name}`, e);
  for (const [name, e] of Object.entries(QUANT)) add(`quant.${name}`, e);
  for (const [name, e] of Object.entries(TENSOR_METHODS)) add(`Tensor#${name}`, { ...e, form: e.form ?? method(name) }, arg('x', 'Tensor'));
  return targets;
}

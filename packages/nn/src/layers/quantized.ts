// QuantizedLinear and QuantizedEmbedding on @mlxts/quant's packed kernels, and nn.quantize, which swaps
// the quantizable layers of a model for them. The packed parts are plain parameters named as in MLX
// checkpoints (`weight` uint32, `scales`, `biases` for affine), so quantized checkpoints load directly.
import * as mx from '@mlxts/core';
import type { ArrayLike, Tensor } from '@mlxts/core';
import * as quant from '@mlxts/quant';
import { checkBoolean, checkChoice, checkOptions, checkPositiveInt } from '../checks.js';
import { Module, tensorsIn } from '../module.js';

/** How a layer is quantized: MLX's mode, and its group size and bits (the mode's defaults if omitted). */
export interface QuantizeLayerOptions {
  groupSize?: number;
  bits?: number;
  /** `'affine'` (default), `'mxfp4'`, `'mxfp8'` or `'nvfp4'`. */
  mode?: quant.QuantizationMode;
}

interface QuantizationConfig {
  groupSize: number;
  bits: number;
  mode: quant.QuantizationMode;
}

const MODES = Object.keys(quant.QUANTIZATION_MODES) as quant.QuantizationMode[];

export function quantizationConfig(fn: string, options: QuantizeLayerOptions): QuantizationConfig {
  const mode = checkChoice(fn, 'mode', options.mode ?? 'affine', MODES);
  const table = quant.QUANTIZATION_MODES[mode];
  const groupSize = options.groupSize ?? table.defaultGroupSize;
  const bits = options.bits ?? table.defaultBits;
  checkPositiveInt(fn, 'groupSize', groupSize);
  checkPositiveInt(fn, 'bits', bits);
  if (!table.groupSizes.includes(groupSize)) throw new RangeError(`${fn}: ${mode} mode supports groupSize ${table.groupSizes.join(', ')}, got ${groupSize}`);
  if (!table.bits.includes(bits)) throw new RangeError(`${fn}: ${mode} mode supports bits ${table.bits.join(', ')}, got ${bits}`);
  return { groupSize, bits, mode };
}

/** The packed weight, scales and (affine) biases of `w`, as MLX's quantize returns them. */
function quantizeParts(w: Tensor, config: QuantizationConfig): { weight: Tensor; scales: Tensor; biases?: Tensor } {
  const [weight, scales, biases] = quant.quantizePacked(w, { groupSize: config.groupSize, bits: config.bits, mode: config.mode });
  return biases === undefined ? { weight, scales } : { weight, scales, biases };
}

/**
 * `y = x Wᵀ + b` with `W` `[outputDims, inputDims]` stored quantized (`weight` packed into uint32,
 * `scales`, and `biases` in affine mode), multiplied by MLX's quantized kernel. Its parameters are
 * frozen, as in MLX Python. Convert a trained Linear with `QuantizedLinear.fromLinear` or a whole model
 * with `nn.quantize`.
 */
export class QuantizedLinear extends Module {
  readonly groupSize: number;
  readonly bits: number;
  readonly mode: quant.QuantizationMode;
  weight: Tensor;
  scales: Tensor;
  biases?: Tensor;
  bias?: Tensor;

  constructor(inputDims: number, outputDims: number, options: QuantizeLayerOptions & { bias?: boolean } = {}) {
    super();
    checkOptions('QuantizedLinear', options, ['bias', 'groupSize', 'bits', 'mode']);
    checkPositiveInt('QuantizedLinear', 'inputDims', inputDims);
    checkPositiveInt('QuantizedLinear', 'outputDims', outputDims);
    const config = quantizationConfig('QuantizedLinear', options);
    ({ groupSize: this.groupSize, bits: this.bits, mode: this.mode } = config);
    const scale = Math.sqrt(1 / inputDims);
    const parts = mx.tidy(() => quantizeParts(mx.random.uniform(-scale, scale, [outputDims, inputDims]), config));
    this.weight = parts.weight;
    this.scales = parts.scales;
    this.biases = parts.biases;
    if (checkBoolean('QuantizedLinear', 'bias', options.bias ?? true)) this.bias = mx.zeros([outputDims]);
    this.freeze();
  }

  /** A QuantizedLinear holding `linear`'s weight quantized and its bias (shared, not copied). */
  static fromLinear(linear: { weight: Tensor; bias?: Tensor }, options: QuantizeLayerOptions = {}): QuantizedLinear {
    checkOptions('QuantizedLinear.fromLinear', options, ['groupSize', 'bits', 'mode']);
    const [outputDims, inputDims] = linear.weight.shape;
    const layer = new QuantizedLinear(inputDims, outputDims, { ...options, bias: false });
    layer.update(quantizeParts(linear.weight, layer));
    if (linear.bias !== undefined) layer.bias = linear.bias;
    return layer;
  }

  forward(x: ArrayLike): Tensor {
    const y = quant.quantizedMatmulPacked(x, this.weight, this.scales, this.biases, { transpose: true, groupSize: this.groupSize, bits: this.bits, mode: this.mode });
    return this.bias !== undefined ? mx.add(y, this.bias) : y;
  }

  protected override extraRepr(): string {
    const [outputDims, packed] = this.weight.shape;
    return `inputDims=${(packed * 32) / this.bits}, outputDims=${outputDims}, bias=${this.bias !== undefined}, groupSize=${this.groupSize}, bits=${this.bits}, mode=${this.mode}`;
  }
}

/**
 * An Embedding whose table `[numEmbeddings, dims]` is stored quantized; looked-up rows are dequantized.
 * `asLinear` multiplies by the table with the quantized kernel (tied input and output embeddings).
 */
export class QuantizedEmbedding extends Module {
  readonly groupSize: number;
  readonly bits: number;
  readonly mode: quant.QuantizationMode;
  readonly numEmbeddings: number;
  readonly dims: number;
  weight: Tensor;
  scales: Tensor;
  biases?: Tensor;

  constructor(numEmbeddings: number, dims: number, options: QuantizeLayerOptions = {}) {
    super();
    checkOptions('QuantizedEmbedding', options, ['groupSize', 'bits', 'mode']);
    this.numEmbeddings = checkPositiveInt('QuantizedEmbedding', 'numEmbeddings', numEmbeddings);
    this.dims = checkPositiveInt('QuantizedEmbedding', 'dims', dims);
    const config = quantizationConfig('QuantizedEmbedding', options);
    ({ groupSize: this.groupSize, bits: this.bits, mode: this.mode } = config);
    const parts = mx.tidy(() => quantizeParts(mx.random.normal([numEmbeddings, dims], 'float32', 0, Math.sqrt(1 / dims)), config));
    this.weight = parts.weight;
    this.scales = parts.scales;
    this.biases = parts.biases;
    this.freeze();
  }

  /** A QuantizedEmbedding holding `embedding`'s table quantized. */
  static fromEmbedding(embedding: { weight: Tensor }, options: QuantizeLayerOptions = {}): QuantizedEmbedding {
    checkOptions('QuantizedEmbedding.fromEmbedding', options, ['groupSize', 'bits', 'mode']);
    const [numEmbeddings, dims] = embedding.weight.shape;
    const layer = new QuantizedEmbedding(numEmbeddings, dims, options);
    layer.update(quantizeParts(embedding.weight, layer));
    return layer;
  }

  forward(x: ArrayLike): Tensor {
    const rows = (t: Tensor) => mx.take(t, x, 0);
    return quant.dequantizePacked(rows(this.weight), rows(this.scales), this.biases && rows(this.biases), { groupSize: this.groupSize, bits: this.bits, mode: this.mode });
  }

  /** `x @ tableᵀ` with the quantized kernel. */
  asLinear(x: ArrayLike): Tensor {
    return quant.quantizedMatmulPacked(x, this.weight, this.scales, this.biases, { transpose: true, groupSize: this.groupSize, bits: this.bits, mode: this.mode });
  }

  protected override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.dims}, groupSize=${this.groupSize}, bits=${this.bits}, mode=${this.mode}`;
  }
}

/** A layer `nn.quantize` can convert. */
export interface Quantizable {
  toQuantized(options: QuantizeLayerOptions): Module;
}

/** Options of `nn.quantize`. */
export interface QuantizeModelOptions extends QuantizeLayerOptions {
  /**
   * Which layers to quantize, given each leaf module and its path: `true` (with the call's settings),
   * `false`, or the settings for that layer. By default every layer with a `toQuantized` method.
   */
  classPredicate?: (path: string, module: Module) => boolean | QuantizeLayerOptions;
}

function isQuantizable(module: Module): module is Module & Quantizable {
  return typeof (module as Partial<Quantizable>).toQuantized === 'function';
}

/**
 * Replaces, in place, the leaf layers of `model` that can be quantized (Linear and Embedding, or those
 * `classPredicate` selects) by their quantized versions. The replaced layers' dense weights are disposed.
 *
 * @example
 * ```ts
 * nn.quantize(model, { groupSize: 64, bits: 4 });
 * ```
 */
export function quantize(model: Module, options: QuantizeModelOptions = {}): Module {
  checkOptions('quantize', options, ['groupSize', 'bits', 'mode', 'classPredicate']);
  const { classPredicate = (_path: string, m: Module) => isQuantizable(m), ...settings } = options;
  const replaced: [path: string, dense: Module, quantized: Module][] = [];
  for (const [path, module] of model.namedModules()) {
    if (path === '' || module.modules().length > 1) continue; // only leaf layers, as in MLX Python
    const choice = classPredicate(path, module);
    if (choice === false) continue;
    if (!isQuantizable(module)) throw new TypeError(`quantize: the ${module.constructor.name} at '${path}' cannot be quantized (it has no toQuantized method)`);
    if (choice !== true && (typeof choice !== 'object' || choice === null)) throw new TypeError('quantize: classPredicate must return a boolean or the quantization settings');
    replaced.push([path, module, module.toQuantized(choice === true ? settings : choice)]);
  }
  model.updateModules(mx.treeUnflatten(replaced.map(([path, , q]) => [path, q] as const)));
  for (const [, dense, quantized] of replaced) {
    const kept = tensorsIn(quantized);
    for (const t of tensorsIn(dense)) if (!kept.has(t)) t.dispose();
  }
  return model;
}

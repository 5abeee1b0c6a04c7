// Convolution layers (1-D to 3-D, plain and transposed) over channels-last inputs (NLC, NHWC, NDHWC),
// with MLX Python's weight layout `[outChannels, ...kernelSize, inChannels / groups]` and initialization
// U(-k, k), k = 1 / sqrt(fan-in). Conv3d and the transposed layers take no `groups`, as in MLX Python.
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkBoolean, checkOptions, checkPositiveInt, intTuple } from '../checks.js';
import { Module } from '../module.js';

/** Options of the convolution layers; a number applies to every spatial axis, a list gives one per axis. */
export interface ConvOptions {
  /** Default 1. */
  stride?: number | number[];
  /** Zero padding on both sides of each spatial axis. Default 0. */
  padding?: number | number[];
  /** Default 1. */
  dilation?: number | number[];
  /** Add a learned bias (initialized to zeros). Default true. */
  bias?: boolean;
}

/** Options of Conv1d and Conv2d, which also take channel groups. */
export interface GroupedConvOptions extends ConvOptions {
  /** Split the channels into this many groups convolved separately. Default 1. */
  groups?: number;
}

/** Options of the transposed convolution layers. */
export interface ConvTransposeOptions extends ConvOptions {
  /** Extra size added to one side of each output axis. Default 0. */
  outputPadding?: number | number[];
}

const CONV = [mx.conv1d, mx.conv2d, mx.conv3d] as const;
const CONV_TRANSPOSE = [mx.convTranspose1d, mx.convTranspose2d, mx.convTranspose3d] as const;

/** What every convolution layer shares: the weight and bias, the geometry, and the forward pass. */
abstract class Convolution extends Module {
  weight: Tensor;
  bias?: Tensor;
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly groups: number;
  readonly outputPadding: number[] | undefined;

  protected constructor(name: string, spatialAxes: number, transposed: boolean, inChannels: number, outChannels: number, kernelSize: number | number[], options: GroupedConvOptions & ConvTransposeOptions) {
    super();
    checkPositiveInt(name, 'inChannels', inChannels);
    checkPositiveInt(name, 'outChannels', outChannels);
    const kernel = intTuple(name, 'kernelSize', kernelSize, spatialAxes, 1);
    this.stride = intTuple(name, 'stride', options.stride ?? 1, spatialAxes, 1);
    this.padding = intTuple(name, 'padding', options.padding ?? 0, spatialAxes, 0);
    this.dilation = intTuple(name, 'dilation', options.dilation ?? 1, spatialAxes, 1);
    this.groups = checkPositiveInt(name, 'groups', options.groups ?? 1);
    this.outputPadding = transposed ? intTuple(name, 'outputPadding', options.outputPadding ?? 0, spatialAxes, 0) : undefined;
    if (inChannels % this.groups !== 0) throw new RangeError(`${name}: inChannels (${inChannels}) must be divisible by groups (${this.groups})`);
    const fanIn = (inChannels / this.groups) * kernel.reduce((a, b) => a * b, 1);
    const scale = Math.sqrt(1 / fanIn);
    this.weight = mx.random.uniform(-scale, scale, [outChannels, ...kernel, inChannels / this.groups]);
    if (checkBoolean(name, 'bias', options.bias ?? true)) this.bias = mx.zeros([outChannels]);
  }

  forward(x: Tensor): Tensor {
    const spatialAxes = this.stride.length;
    const y =
      this.outputPadding === undefined
        ? CONV[spatialAxes - 1](x, this.weight, this.stride, this.padding, this.dilation, this.groups)
        : CONV_TRANSPOSE[spatialAxes - 1](x, this.weight, this.stride, this.padding, this.dilation, this.outputPadding);
    return this.bias !== undefined ? mx.add(y, this.bias) : y;
  }

  protected override extraRepr(): string {
    const kernel = this.weight.shape.slice(1, -1);
    const inChannels = this.weight.shape[this.weight.ndim - 1] * this.groups;
    const groups = this.groups !== 1 ? `, groups=${this.groups}` : '';
    const outputPadding = this.outputPadding ? `, outputPadding=[${this.outputPadding}]` : '';
    return `${inChannels}, ${this.weight.shape[0]}, kernelSize=[${kernel}], stride=[${this.stride}], padding=[${this.padding}], dilation=[${this.dilation}]${outputPadding}${groups}, bias=${this.bias !== undefined}`;
  }
}

const GROUPED_KEYS = ['stride', 'padding', 'dilation', 'groups', 'bias'];
const PLAIN_KEYS = ['stride', 'padding', 'dilation', 'bias'];
const TRANSPOSE_KEYS = ['stride', 'padding', 'dilation', 'outputPadding', 'bias'];

/** 1-D convolution over `[N, L, C]` inputs. */
export class Conv1d extends Convolution {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: GroupedConvOptions = {}) {
    checkOptions('Conv1d', options, GROUPED_KEYS);
    super('Conv1d', 1, false, inChannels, outChannels, kernelSize, options);
  }
}

/** 2-D convolution over `[N, H, W, C]` inputs. */
export class Conv2d extends Convolution {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: GroupedConvOptions = {}) {
    checkOptions('Conv2d', options, GROUPED_KEYS);
    super('Conv2d', 2, false, inChannels, outChannels, kernelSize, options);
  }
}

/** 3-D convolution over `[N, D, H, W, C]` inputs. */
export class Conv3d extends Convolution {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvOptions = {}) {
    checkOptions('Conv3d', options, PLAIN_KEYS);
    super('Conv3d', 3, false, inChannels, outChannels, kernelSize, options);
  }
}

/** 1-D transposed convolution over `[N, L, C]` inputs. */
export class ConvTranspose1d extends Convolution {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvTransposeOptions = {}) {
    checkOptions('ConvTranspose1d', options, TRANSPOSE_KEYS);
    super('ConvTranspose1d', 1, true, inChannels, outChannels, kernelSize, options);
  }
}

/** 2-D transposed convolution over `[N, H, W, C]` inputs. */
export class ConvTranspose2d extends Convolution {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvTransposeOptions = {}) {
    checkOptions('ConvTranspose2d', options, TRANSPOSE_KEYS);
    super('ConvTranspose2d', 2, true, inChannels, outChannels, kernelSize, options);
  }
}

/** 3-D transposed convolution over `[N, D, H, W, C]` inputs. */
export class ConvTranspose3d extends Convolution {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], options: ConvTransposeOptions = {}) {
    checkOptions('ConvTranspose3d', options, TRANSPOSE_KEYS);
    super('ConvTranspose3d', 3, true, inChannels, outChannels, kernelSize, options);
  }
}

// Recurrent layers over `[N, L, D]` or `[L, D]` sequences: an Elman RNN, GRU and LSTM, with MLX Python's
// parameter names (Wxh/Whh/bias, Wx/Wh/b/bhn, Wx/Wh/bias) and initialization U(-k, k), k = 1/sqrt(H).
import * as mx from '@mlxts/core';
import type { Tensor } from '@mlxts/core';
import { checkBoolean, checkOptions, checkPositiveInt } from '../checks.js';
import { Module } from '../module.js';

function uniformInit(hiddenSize: number, shape: number[]): Tensor {
  const scale = 1 / Math.sqrt(hiddenSize);
  return mx.random.uniform(-scale, scale, shape);
}

/** `x Wᵀ + b` (or `x Wᵀ` without a bias), over the whole sequence at once. */
function project(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  return b !== null ? mx.addmm(b, x, mx.transpose(w)) : mx.matmul(x, mx.transpose(w));
}

/** Time step `t` of `[..., L, F]`: `[..., F]`. */
function stepOf(x: Tensor, t: number): Tensor {
  return mx.take(x, t, -2);
}

/** `h_{t+1} = nonlinearity(Wxh x_t + Whh h_t + bias)`; returns the hidden state of every step `[..., L, H]`. */
export class RNN extends Module {
  readonly hiddenSize: number;
  readonly nonlinearity: (x: Tensor) => Tensor;
  Wxh: Tensor;
  Whh: Tensor;
  bias: Tensor | null;

  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean; nonlinearity?: (x: Tensor) => Tensor } = {}) {
    super();
    checkOptions('RNN', options, ['bias', 'nonlinearity']);
    checkPositiveInt('RNN', 'inputSize', inputSize);
    this.hiddenSize = checkPositiveInt('RNN', 'hiddenSize', hiddenSize);
    this.nonlinearity = options.nonlinearity ?? mx.tanh;
    if (typeof this.nonlinearity !== 'function') throw new TypeError('RNN: nonlinearity must be a function');
    this.Wxh = uniformInit(hiddenSize, [hiddenSize, inputSize]);
    this.Whh = uniformInit(hiddenSize, [hiddenSize, hiddenSize]);
    this.bias = checkBoolean('RNN', 'bias', options.bias ?? true) ? uniformInit(hiddenSize, [hiddenSize]) : null;
  }

  forward(x: Tensor, hidden?: Tensor): Tensor {
    const xs = project(x, this.Wxh, this.bias);
    const all: Tensor[] = [];
    let h = hidden;
    for (let t = 0; t < xs.shape[xs.ndim - 2]; t++) {
      const input = stepOf(xs, t);
      h = this.nonlinearity(h !== undefined ? mx.addmm(input, h, mx.transpose(this.Whh)) : input);
      all.push(h);
    }
    return mx.stack(all, -2);
  }

  protected override extraRepr(): string {
    return `inputDims=${this.Wxh.shape[1]}, hiddenSize=${this.hiddenSize}, bias=${this.bias !== null}`;
  }
}

/** A gated recurrent unit; returns the hidden state of every step `[..., L, H]`. */
export class GRU extends Module {
  readonly hiddenSize: number;
  Wx: Tensor;
  Wh: Tensor;
  b: Tensor | null;
  bhn: Tensor | null;

  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    super();
    checkOptions('GRU', options, ['bias']);
    checkPositiveInt('GRU', 'inputSize', inputSize);
    this.hiddenSize = checkPositiveInt('GRU', 'hiddenSize', hiddenSize);
    this.Wx = uniformInit(hiddenSize, [3 * hiddenSize, inputSize]);
    this.Wh = uniformInit(hiddenSize, [3 * hiddenSize, hiddenSize]);
    const bias = checkBoolean('GRU', 'bias', options.bias ?? true);
    this.b = bias ? uniformInit(hiddenSize, [3 * hiddenSize]) : null;
    this.bhn = bias ? uniformInit(hiddenSize, [hiddenSize]) : null;
  }

  forward(x: Tensor, hidden?: Tensor): Tensor {
    const H = this.hiddenSize;
    const xs = project(x, this.Wx, this.b);
    const [xRz, xN] = mx.split(xs, [2 * H], -1);
    const all: Tensor[] = [];
    let h = hidden;
    for (let t = 0; t < xs.shape[xs.ndim - 2]; t++) {
      let rz = stepOf(xRz, t);
      let hProjN: Tensor | undefined;
      if (h !== undefined) {
        const [hProjRz, hN] = mx.split(mx.matmul(h, mx.transpose(this.Wh)), [2 * H], -1);
        hProjN = this.bhn !== null ? mx.add(hN, this.bhn) : hN;
        rz = mx.add(rz, hProjRz);
      }
      const [r, z] = mx.split(mx.sigmoid(rz), 2, -1);
      let n = stepOf(xN, t);
      if (hProjN !== undefined) n = mx.add(n, mx.multiply(r, hProjN));
      else if (this.bhn !== null) n = mx.add(n, mx.multiply(r, this.bhn));
      n = mx.tanh(n);
      const next = mx.multiply(mx.subtract(1, z), n);
      h = h !== undefined ? mx.add(next, mx.multiply(z, h)) : next;
      all.push(h);
    }
    return mx.stack(all, -2);
  }

  protected override extraRepr(): string {
    return `inputDims=${this.Wx.shape[1]}, hiddenSize=${this.hiddenSize}, bias=${this.b !== null}`;
  }
}

/** A long short-term memory layer; returns `[hidden, cell]`, each the state of every step `[..., L, H]`. */
export class LSTM extends Module {
  readonly hiddenSize: number;
  Wx: Tensor;
  Wh: Tensor;
  bias: Tensor | null;

  constructor(inputSize: number, hiddenSize: number, options: { bias?: boolean } = {}) {
    super();
    checkOptions('LSTM', options, ['bias']);
    checkPositiveInt('LSTM', 'inputSize', inputSize);
    this.hiddenSize = checkPositiveInt('LSTM', 'hiddenSize', hiddenSize);
    this.Wx = uniformInit(hiddenSize, [4 * hiddenSize, inputSize]);
    this.Wh = uniformInit(hiddenSize, [4 * hiddenSize, hiddenSize]);
    this.bias = checkBoolean('LSTM', 'bias', options.bias ?? true) ? uniformInit(hiddenSize, [4 * hiddenSize]) : null;
  }

  forward(x: Tensor, hidden?: Tensor, cell?: Tensor): [hidden: Tensor, cell: Tensor] {
    const xs = project(x, this.Wx, this.bias);
    const hiddens: Tensor[] = [];
    const cells: Tensor[] = [];
    let h = hidden;
    let c = cell;
    for (let t = 0; t < xs.shape[xs.ndim - 2]; t++) {
      let ifgo = stepOf(xs, t);
      if (h !== undefined) ifgo = mx.addmm(ifgo, h, mx.transpose(this.Wh));
      const [i, f, g, o] = mx.split(ifgo, 4, -1);
      const gate = mx.multiply(mx.sigmoid(i), mx.tanh(g));
      c = c !== undefined ? mx.add(mx.multiply(mx.sigmoid(f), c), gate) : gate;
      h = mx.multiply(mx.sigmoid(o), mx.tanh(c));
      cells.push(c);
      hiddens.push(h);
    }
    return [mx.stack(hiddens, -2), mx.stack(cells, -2)];
  }

  protected override extraRepr(): string {
    return `inputDims=${this.Wx.shape[1]}, hiddenSize=${this.hiddenSize}, bias=${this.bias !== null}`;
  }
}

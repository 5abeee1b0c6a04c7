// A float64 forward pass of a llama GGUF model, in plain TypeScript: the reference for the logits of
// the model under test. It follows llama.cpp's definition of the architecture (RMSNorm, RoPE on adjacent
// pairs — the layout llama.cpp's converter gives the query/key rows —, grouped-query causal attention,
// SwiGLU, tied or separate output projection) and dequantizes weights row by row from the file's blocks.
import type { GgufBlocks } from './gguf-blocks.js';

export interface ReferenceConfig {
  layers: number;
  dim: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  ropeBase: number;
  eps: number;
  vocab: number;
}

type Rows = Float64Array[];

/** `y[t] = W x[t]` for every token, W read row by row from the file. */
function matmul(file: GgufBlocks, name: string, x: Rows): Rows {
  const [rows, cols] = file.shape(name);
  const y = x.map(() => new Float64Array(rows));
  const w = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    file.row(name, r, w);
    for (let t = 0; t < x.length; t++) {
      let s = 0;
      const xt = x[t];
      for (let c = 0; c < cols; c++) s += w[c] * xt[c];
      y[t][r] = s;
    }
  }
  return y;
}

function rmsNorm(file: GgufBlocks, name: string, x: Rows, eps: number): Rows {
  const weight = file.row(name, 0, new Float64Array(x[0].length));
  return x.map((v) => {
    const ms = v.reduce((a, b) => a + b * b, 0) / v.length;
    const k = 1 / Math.sqrt(ms + eps);
    return v.map((e, i) => e * k * weight[i]);
  });
}

/** Rotates adjacent pairs of each head's features by position * base^(-2i / headDim). */
function rope(x: Rows, heads: number, headDim: number, base: number): void {
  x.forEach((v, pos) => {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < headDim / 2; i++) {
        const angle = pos * base ** ((-2 * i) / headDim);
        const a = h * headDim + 2 * i;
        const [x0, x1] = [v[a], v[a + 1]];
        v[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
        v[a + 1] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
      }
    }
  });
}

/** The logits after the last of `tokens`. */
export function referenceLogits(file: GgufBlocks, config: ReferenceConfig, tokens: number[]): Float64Array {
  const { layers, dim, heads, kvHeads, eps } = config;
  const headDim = dim / heads;
  let h: Rows = tokens.map((t) => file.row('token_embd.weight', t, new Float64Array(dim)));
  for (let l = 0; l < layers; l++) {
    const b = `blk.${l}`;
    const x = rmsNorm(file, `${b}.attn_norm.weight`, h, eps);
    const q = matmul(file, `${b}.attn_q.weight`, x);
    const k = matmul(file, `${b}.attn_k.weight`, x);
    const v = matmul(file, `${b}.attn_v.weight`, x);
    rope(q, heads, headDim, config.ropeBase);
    rope(k, kvHeads, headDim, config.ropeBase);
    const attended = tokens.map(() => new Float64Array(dim));
    for (let hd = 0; hd < heads; hd++) {
      const kvh = Math.floor(hd / (heads / kvHeads));
      for (let t = 0; t < tokens.length; t++) {
        const scores = [];
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let i = 0; i < headDim; i++) dot += q[t][hd * headDim + i] * k[s][kvh * headDim + i];
          scores.push(dot / Math.sqrt(headDim));
        }
        const max = Math.max(...scores);
        const weights = scores.map((sc) => Math.exp(sc - max));
        const total = weights.reduce((a, w) => a + w, 0);
        for (let s = 0; s <= t; s++) {
          for (let i = 0; i < headDim; i++) attended[t][hd * headDim + i] += (weights[s] / total) * v[s][kvh * headDim + i];
        }
      }
    }
    const o = matmul(file, `${b}.attn_output.weight`, attended);
    h = h.map((row, t) => row.map((e, i) => e + o[t][i]));
    const y = rmsNorm(file, `${b}.ffn_norm.weight`, h, eps);
    const gate = matmul(file, `${b}.ffn_gate.weight`, y);
    const up = matmul(file, `${b}.ffn_up.weight`, y);
    const act = gate.map((g, t) => g.map((e, i) => (e / (1 + Math.exp(-e))) * up[t][i]));
    const down = matmul(file, `${b}.ffn_down.weight`, act);
    h = h.map((row, t) => row.map((e, i) => e + down[t][i]));
  }
  const last = rmsNorm(file, 'output_norm.weight', [h[h.length - 1]], eps);
  return matmul(file, 'token_embd.weight', last)[0];
}

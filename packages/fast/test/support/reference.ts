// Float64 references for the fused kernels, written directly from their definitions (no MLX).
import type { Nd } from '@mlxts/testing';

const at4 = (x: Nd, a: number, b: number, c: number, d: number) => {
  const [, s1, s2, s3] = x.shape;
  return x.data[((a * s1 + b) * s2 + c) * s3 + d];
};

export function rmsNorm(x: Nd, weight: Nd | null, eps: number): Nd {
  const d = x.shape[x.shape.length - 1];
  const data: number[] = [];
  for (let r = 0; r < x.data.length / d; r++) {
    const row = x.data.slice(r * d, (r + 1) * d);
    const inv = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / d + eps);
    row.forEach((v, i) => data.push(v * inv * (weight ? weight.data[i] : 1)));
  }
  return { shape: x.shape, data };
}

export function layerNorm(x: Nd, weight: Nd | null, bias: Nd | null, eps: number): Nd {
  const d = x.shape[x.shape.length - 1];
  const data: number[] = [];
  for (let r = 0; r < x.data.length / d; r++) {
    const row = x.data.slice(r * d, (r + 1) * d);
    const mean = row.reduce((s, v) => s + v, 0) / d;
    const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / d;
    const inv = 1 / Math.sqrt(variance + eps);
    row.forEach((v, i) => data.push((v - mean) * inv * (weight ? weight.data[i] : 1) + (bias ? bias.data[i] : 0)));
  }
  return { shape: x.shape, data };
}

/**
 * RoPE on a [B, H, T, D] tensor: token t of batch b is at `position(b, t)`; feature pair i turns by
 * `position * scale * invFreq[i]`.
 */
export function rope(x: Nd, dims: number, traditional: boolean, scale: number, invFreq: number[], position: (b: number, t: number) => number): Nd {
  const [B, H, T, D] = x.shape;
  const half = dims / 2;
  const data = [...x.data];
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < T; t++) {
        const base = ((b * H + h) * T + t) * D;
        for (let i = 0; i < half; i++) {
          const angle = position(b, t) * scale * invFreq[i];
          const [p, q] = traditional ? [2 * i, 2 * i + 1] : [i, i + half];
          const x1 = x.data[base + p];
          const x2 = x.data[base + q];
          data[base + p] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
          data[base + q] = x1 * Math.sin(angle) + x2 * Math.cos(angle);
        }
      }
    }
  }
  return { shape: x.shape, data };
}

export interface AttentionMask {
  /** Whether query i may see key j (batch b, head h). */
  keep(b: number, h: number, i: number, j: number): boolean;
  /** An additive term for the score. */
  add(b: number, h: number, i: number, j: number): number;
}

export const noMask: AttentionMask = { keep: () => true, add: () => 0 };

/** softmax(q kᵀ scale + mask) v on [B, H, T, D] tensors with grouped-query heads and optional sinks. */
export function attention(q: Nd, k: Nd, v: Nd, scale: number, mask: AttentionMask, sinks: number[] | null = null): Nd {
  const [B, Hq, Tq, D] = q.shape;
  const [, Hkv, Tkv, Dv] = v.shape;
  const group = Hq / Hkv;
  const data: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hq; h++) {
      const hk = Math.floor(h / group);
      for (let i = 0; i < Tq; i++) {
        const scores: number[] = [];
        for (let j = 0; j < Tkv; j++) {
          if (!mask.keep(b, h, i, j)) {
            scores.push(-Infinity);
            continue;
          }
          let s = 0;
          for (let d = 0; d < D; d++) s += at4(q, b, h, i, d) * at4(k, b, hk, j, d);
          scores.push(s * scale + mask.add(b, h, i, j));
        }
        const sink = sinks ? sinks[h] : -Infinity;
        const m = Math.max(sink, ...scores);
        const weights = scores.map((s) => Math.exp(s - m));
        const total = weights.reduce((a, w) => a + w, 0) + Math.exp(sink - m);
        for (let d = 0; d < Dv; d++) {
          let o = 0;
          for (let j = 0; j < Tkv; j++) if (weights[j] !== 0) o += (weights[j] / total) * at4(v, b, hk, j, d);
          data.push(o);
        }
      }
    }
  }
  return { shape: [B, Hq, Tq, Dv], data };
}

/** Bottom-right aligned causal keep-mask. */
export function causal(tq: number, tkv: number): AttentionMask {
  return { keep: (_b, _h, i, j) => j <= tkv - tq + i, add: () => 0 };
}

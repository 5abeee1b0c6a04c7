// Reading typed values out of a model's metadata: GGUF key/value pairs (as `mx.load` returns them, where
// numeric arrays may come back as tensors) or a parsed config.json. A missing or mistyped entry is an
// MlxError (the file's contents are wrong) naming the key, so a file that does not describe what we need
// says so instead of failing later.
import { MlxError } from '@mlxts/core';
import type { Tensor } from '@mlxts/core';

/** One metadata value: a string, number, boolean, a list of them, or a tensor of numbers. */
export type MetadataValue = string | number | bigint | boolean | MetadataValue[] | Tensor | Record<string, unknown> | null | undefined;

/** Metadata keyed by name, e.g. GGUF's `llama.block_count` or config.json's `num_hidden_layers`. */
export type Metadata = Record<string, MetadataValue>;

function isTensor(value: unknown): value is Tensor {
  return typeof value === 'object' && value !== null && typeof (value as Tensor).toArray === 'function' && 'dtype' in value;
}

function plain(value: MetadataValue): unknown {
  if (isTensor(value)) return value.toArray();
  return value;
}

/** A reader over one metadata object whose errors start with `op` and name `source` (a file name, say). */
export class MetadataReader {
  constructor(
    readonly op: string,
    readonly source: string,
    readonly values: Metadata,
  ) {}

  /** An MlxError starting with the op name, about this metadata. */
  error(message: string): MlxError {
    return new MlxError(`${this.op}: ${this.source}: ${message}`, this.op);
  }

  has(key: string): boolean {
    return this.values[key] !== undefined && this.values[key] !== null;
  }

  string(key: string): string {
    const value = plain(this.values[key]);
    if (typeof value !== 'string') throw this.describe(key, 'a string', value);
    return value;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  number(key: string): number {
    const value = plain(this.values[key]);
    if (typeof value === 'bigint') return Number(value);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.describe(key, 'a number', value);
    return value;
  }

  optionalNumber(key: string): number | undefined {
    return this.has(key) ? this.number(key) : undefined;
  }

  integer(key: string): number {
    const value = this.number(key);
    if (!Number.isInteger(value)) throw this.describe(key, 'an integer', value);
    return value;
  }

  optionalInteger(key: string): number | undefined {
    return this.has(key) ? this.integer(key) : undefined;
  }

  boolean(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const value = plain(this.values[key]);
    if (typeof value === 'boolean') return value;
    if (value === 0 || value === 1) return value === 1;
    throw this.describe(key, 'a boolean', value);
  }

  strings(key: string): string[] {
    const value = plain(this.values[key]);
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw this.describe(key, 'a list of strings', value);
    return value as string[];
  }

  numbers(key: string): number[] {
    const value = plain(this.values[key]);
    if (!Array.isArray(value)) throw this.describe(key, 'a list of numbers', value);
    return value.map((v) => {
      const n = typeof v === 'bigint' ? Number(v) : v;
      if (typeof n !== 'number') throw this.describe(key, 'a list of numbers', value);
      return n;
    });
  }

  private describe(key: string, expected: string, value: unknown): MlxError {
    const got = value === undefined ? 'nothing' : JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? Number(v) : v))?.slice(0, 80);
    return this.error(`${key} should be ${expected}, found ${got}`);
  }
}

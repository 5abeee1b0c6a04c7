// The result types of mx.load and mx.loadAsync (checked by the compiler: `npm test` runs tsc on the tests).
import { describe, expectTypeOf, it } from 'vitest';
import * as mx from '@mlxts/core';

type Result<P extends string, O extends mx.LoadOptions> = mx.LoadResult<P, O>;

describe('mx.load result types', () => {
  it('follow the extension, the format option and returnMetadata', () => {
    expectTypeOf<Result<'w.npy', {}>>().toEqualTypeOf<mx.Tensor>();
    expectTypeOf<Result<'m.safetensors', {}>>().toEqualTypeOf<mx.TensorMap>();
    expectTypeOf<Result<'m.gguf', { returnMetadata: true }>>().toEqualTypeOf<[mx.TensorMap, Record<string, mx.GgufValue>]>();
    expectTypeOf<Result<'m.safetensors', { returnMetadata: true }>>().toEqualTypeOf<[mx.TensorMap, Record<string, string>]>();
    expectTypeOf<Result<string, {}>>().toEqualTypeOf<mx.Tensor | mx.TensorMap>();
    expectTypeOf<Result<string, { format: 'gguf' }>>().toEqualTypeOf<mx.TensorMap>();
    expectTypeOf<Result<'w.npy', { format: 'safetensors' }>>().toEqualTypeOf<mx.TensorMap>();
  });

  it('stay wide for options whose values TypeScript cannot see', () => {
    expectTypeOf<Result<'w.safetensors', mx.LoadOptions>>().toEqualTypeOf<mx.Tensor | mx.TensorMap | [mx.TensorMap, Record<string, string>] | [mx.TensorMap, Record<string, mx.GgufValue>]>();
  });

  it('are inferred from the call, for load and loadAsync', () => {
    const calls = (path: string) => ({
      npy: mx.load('x.npy'),
      byFormat: mx.load(path, { format: 'safetensors' }),
      withMetadata: mx.load('m.gguf', { returnMetadata: true }),
      unknown: mx.load(path),
      later: mx.loadAsync(path, { format: 'gguf', returnMetadata: true }),
    });
    type Calls = ReturnType<typeof calls>;
    expectTypeOf<Calls['npy']>().toEqualTypeOf<mx.Tensor>();
    expectTypeOf<Calls['byFormat']>().toEqualTypeOf<mx.TensorMap>();
    expectTypeOf<Calls['withMetadata']>().toEqualTypeOf<[mx.TensorMap, Record<string, mx.GgufValue>]>();
    expectTypeOf<Calls['unknown']>().toEqualTypeOf<mx.Tensor | mx.TensorMap>();
    expectTypeOf<Calls['later']>().toEqualTypeOf<Promise<[mx.TensorMap, Record<string, mx.GgufValue>]>>();
  });
});

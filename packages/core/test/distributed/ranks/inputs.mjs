// The data each rank contributes, shared by the rank scripts and the tests that compute the expected
// results from it in plain JS. Small integers, so every dtype holds them exactly and sums stay in range.

export const DTYPES = ['float32', 'float16', 'bfloat16', 'float64', 'int32', 'int64', 'uint8', 'int8', 'uint32', 'bool'];

/** Shapes covering the ring's paths: general, 0-d, empty, fewer elements than ranks. */
export const SHAPES = [[4, 3], [], [0, 3], [1]];

/** A shape large enough for the ring to split its transfers (over 256 KB), and the dtypes it is tried in. */
export const LARGE_SHAPE = [70000];
export const LARGE_DTYPES = ['float32', 'float16', 'int64'];

/** Every [dtype, shape] pair the reductions are tested on. */
export const REDUCE_CASES = [
  ...DTYPES.flatMap((dtype) => SHAPES.map((shape) => [dtype, shape])),
  ...LARGE_DTYPES.map((dtype) => [dtype, LARGE_SHAPE]),
];

export function elementCount(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

/** Element i of `rank`'s input of `dtype` (a JS number, or a boolean for bool). */
export function element(rank, i, dtype) {
  const v = (i * 7 + rank * 13) % 11;
  if (dtype === 'bool') return (i + rank) % 3 === 0;
  if (dtype.startsWith('uint')) return v;
  return v - 5;
}

export function inputValues(rank, shape, dtype) {
  return Array.from({ length: elementCount(shape) }, (_, i) => element(rank, i, dtype));
}

/** What rank r sends to its right-hand neighbour in the send/recv test. */
export function message(rank) {
  return Array.from({ length: 6 }, (_, i) => rank * 100 + i);
}

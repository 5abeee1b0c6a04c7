// Test support shared by every @mlxts package.
export * from './compare.js';
export * from './dtypes.js';
export * from './harness.js';
export * from './leaks.js';
export * from './ndarray.js';
export * from './random.js';
export * from './matrices.js';
export * from './fixtures.js';
export * from './gradients.js';
export * from './transforms.js';
export * from './formats/index.js';

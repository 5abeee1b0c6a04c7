// @mlxts/fast: its ops are generated from schema/fast/ (none yet).
export * from './generated/index.js';

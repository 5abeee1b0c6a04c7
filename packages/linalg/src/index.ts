// @mlxts/linalg: its ops are generated from schema/linalg/ (none yet).
export * from './generated/index.js';

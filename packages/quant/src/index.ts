// @mlxts/quant: its ops are generated from schema/quant/ (none yet).
export * from './generated/index.js';

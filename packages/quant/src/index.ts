// @mlxts/quant: the QuantizedTensor API (hand-written, src/quantized.ts) over the low-level ops generated
// from schema/quant/ (quantizePacked, dequantizePacked, quantizedMatmulPacked, gatherQmm).
export * from './generated/index.js';
export { fromGguf } from './gguf.js';
export {
  QUANTIZATION_MODES,
  QUANTIZED,
  dequantize,
  fromPacked,
  gatherQuantizedMatmul,
  isQuantized,
  quantize,
  quantizedMatmul,
} from './quantized.js';
export type {
  DequantizeOptions,
  GatherQuantizedMatmulOptions,
  PackedParts,
  QuantizationMode,
  QuantizedMatmulOptions,
  QuantizedTensor,
  QuantizeOptions,
} from './quantized.js';

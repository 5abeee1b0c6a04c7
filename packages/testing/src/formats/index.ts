// Writers and readers of the file formats mlxts loads and saves, written from each format's own
// description, for checking mlxts's files independently of mlxts and MLX.
export * from './gguf.js';
export * from './npy.js';
export * from './safetensors.js';

// File IO (mlx/io.h): the .npy, .safetensors and .gguf loaders and writers. Hand-written rather than
// generated: the loaders return maps of tensors and metadata, and MLX's writers evaluate their inputs
// themselves, which must happen on the eval thread (see eval.h). File structure is checked in
// TypeScript (packages/core/src/io/) before any loader here is called.
#pragma once
#include <string>
#include <unordered_map>

#include <napi.h>

#include "runtime.h"

namespace mlxts {

void register_io_load(Napi::Env env, Napi::Object exports);
void register_io_save(Napi::Env env, Napi::Object exports);

namespace io {

// Type `TensorMap` (schema/types.yaml): a plain object of live Tensors.
std::unordered_map<std::string, mx::array> tensor_map(Napi::Value value, const char* name);
// Type `StringMap`: a plain object of strings; absent is empty.
std::unordered_map<std::string, std::string> string_map(Napi::Value value, const char* name);
// Type `GgufMetadata`: a plain object of strings, string lists, numbers, bigints, booleans and 0-d or 1-D
// tensors; absent is empty.
std::unordered_map<std::string, mx::GGUFMetaData> gguf_metadata(Napi::Value value, const char* name);

}  // namespace io

}  // namespace mlxts

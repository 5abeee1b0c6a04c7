// Devices, streams and MLX memory control, as JS functions.
#pragma once
#include <napi.h>

#include "runtime.h"

namespace mlxts {

void register_devices(Napi::Env env, Napi::Object exports);

// 'cpu' | 'gpu' -> Device; throws ArgumentTypeError otherwise.
mx::Device device_from(Napi::Value value, const char* name);
const char* device_name(const mx::Device& device);

// A stream as JS sees it: { device: 'cpu' | 'gpu', index }.
Napi::Object stream_to_js(Napi::Env env, const mx::Stream& stream);
// Whether `stream` is one the addon created (and so can be evaluated from the eval thread).
bool is_known_stream(const mx::Stream& stream);

}  // namespace mlxts

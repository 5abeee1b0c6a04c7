// What every generated op wrapper (src/generated/<family>_<op>.cc) includes: the argument converters
// (convert.h; distributed.h for the Group type; generated/enums.h for enums converted to C++ enum
// classes), the error mapping (guard_locked) and to_js, which
// turns what a callee returns into JS values. A wrapper whose callee is a hand-written helper also
// includes its family's support/<family>.h.
#pragma once
#include <utility>
#include <variant>
#include <vector>

#include <napi.h>

#include "convert.h"
#include "distributed.h"
#include "errors.h"
#include "generated/enums.h"
#include "tensor.h"

namespace mlxts {

inline Napi::Value to_js(Napi::Env env, mx::array array) { return Tensor::wrap(env, std::move(array)); }

inline Napi::Value to_js(Napi::Env env, std::vector<mx::array> arrays) {
  Napi::Array out = Napi::Array::New(env, arrays.size());
  for (size_t i = 0; i < arrays.size(); ++i) out.Set(i, Tensor::wrap(env, std::move(arrays[i])));
  return out;
}

inline Napi::Value to_js(Napi::Env env, std::pair<mx::array, mx::array> arrays) {
  return to_js(env, std::vector<mx::array>{std::move(arrays.first), std::move(arrays.second)});
}

// Ops that return nothing (schema `returns: {type: void}`) call helpers returning std::monostate.
inline Napi::Value to_js(Napi::Env env, std::monostate) { return env.Undefined(); }

}  // namespace mlxts

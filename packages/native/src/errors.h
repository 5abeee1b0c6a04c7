// How native failures become JS errors. Nothing may escape a callback as a C++ exception: node-addon-api
// only converts Napi::Error, and anything else would abort the process.
#pragma once
#include <stdexcept>
#include <string>

#include <napi.h>

#include "runtime.h"

namespace mlxts {

// The error rule (docs/concepts/adding-an-op.md) maps every mistake to one JS class:
// - ArgumentTypeError -> TypeError: the JS value is the wrong kind for the argument (not a tensor, a
//   non-integer for an integer, a string outside an enum, a disposed tensor, arguments that exclude each other);
// - ArgumentRangeError -> RangeError: a JS number (or list) of the right kind outside what the op allows
//   whatever the tensors are (a negative count, a zero stride, a group size not offered);
// - any other std::exception -> MlxError: what depends on the tensors or on MLX (shapes, dtypes, axes,
//   memory), and MLX's own exceptions.
// Messages become "<op>: <message>".
struct ArgumentTypeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ArgumentRangeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An MlxError (the class registered from JS) whose message is "<op>: <detail>".
Napi::Error mlx_error(Napi::Env env, const std::string& op, const std::string& detail);

// Runs `body`, mapping every exception to a JS error whose message starts with `op`.
template <class Body>
Napi::Value guard(const Napi::CallbackInfo& info, const char* op, Body&& body) {
  Napi::Env env = info.Env();
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const ArgumentTypeError& e) {
    throw Napi::TypeError::New(env, std::string(op) + ": " + e.what());
  } catch (const ArgumentRangeError& e) {
    throw Napi::RangeError::New(env, std::string(op) + ": " + e.what());
  } catch (const std::exception& e) {
    throw mlx_error(env, op, e.what());
  } catch (...) {
    throw mlx_error(env, op, "unknown native error");
  }
}

// guard() plus the MLX lock, for op wrappers whose whole body builds graph nodes.
template <class Body>
Napi::Value guard_locked(const Napi::CallbackInfo& info, const char* op, Body&& body) {
  return guard(info, op, [&]() -> Napi::Value {
    MlxLock lock(mlx_mutex());
    drain_released_arrays();
    return body();
  });
}

}  // namespace mlxts

#include "errors.h"

#include "addon_data.h"

namespace mlxts {

Napi::Error mlx_error(Napi::Env env, const std::string& op, const std::string& detail) {
  std::string message = op + ": " + detail;
  Napi::FunctionReference& cls = addon_data(env).mlx_error_class;
  if (cls.IsEmpty()) return Napi::Error::New(env, message);
  Napi::Object error = cls.New({Napi::String::New(env, message), Napi::String::New(env, op)});
  return Napi::Error(env, error);
}

}  // namespace mlxts

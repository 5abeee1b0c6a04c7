#pragma once
#include <napi.h>
namespace mlxts {
void register_generated_ops(Napi::Env env, Napi::Object ops);
}

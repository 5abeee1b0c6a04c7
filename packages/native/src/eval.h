// Evaluation off the JS thread (the "B-locked" design; see eval.cc for why).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <napi.h>

#include "runtime.h"

namespace mlxts {

// Whether every output is computed already (an awaited evaluation finished it), so reading it needs no
// evaluation; throws the error of one that a failed evaluation marked. Call with the MLX lock held.
bool all_available(Napi::Env env, const char* op, const std::vector<mx::array>& outputs);

// Evaluates `outputs` on the eval thread and blocks the caller until done. Call WITHOUT the MLX lock.
// Throws mlx_error(op, ...) if evaluation failed.
void eval_blocking(Napi::Env env, const char* op, std::vector<mx::array> outputs);

// Runs `work` on the eval thread with the MLX lock held, and blocks the caller until it is done. For MLX
// functions that evaluate their inputs themselves (the file writers), so that evaluation stays off the JS
// thread. Call WITHOUT the MLX lock. Throws mlx_error(op, ...) if `work` threw.
void run_on_eval_thread(Napi::Env env, const char* op, std::function<void()> work);

// Evaluates `outputs` on the eval thread; the returned promise settles on the JS thread. On success it
// resolves to on_success(env) (called with the MLX lock held), or undefined if on_success is empty.
// Call with the MLX lock held (the outputs are copied).
// `extra_streams` are waited for as well (synchronize() passes streams and no outputs).
using SuccessValue = std::function<Napi::Value(Napi::Env)>;
Napi::Value eval_async(Napi::Env env, const char* op, std::vector<mx::array> outputs, SuccessValue on_success,
                       std::vector<mx::Stream> extra_streams = {});

// Makes process exit safe while evaluations run (see eval.cc). Call once MLX's runtime objects exist
// (after init_process()); idempotent.
void install_exit_guard();
// The exit code the process is ending with (from JS's process 'exit' event), used if exit has to skip
// MLX's teardown.
void note_exit_code(int code);

// The per-environment end of the eval thread's completions (a thread-safe function).
class EvalChannel;
std::shared_ptr<EvalChannel> open_eval_channel(Napi::Env env);

}  // namespace mlxts

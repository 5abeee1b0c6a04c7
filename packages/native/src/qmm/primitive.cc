#include "qmm/primitive.h"

#include <algorithm>
#include <cstring>

#include <mlx/allocator.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/transforms.h>
#include <mlx/utils.h>

#include "qmm/half.h"
#include "qmm/kernel.h"
#include "qmm/worker_pool.h"

namespace mlxts::qmm {

namespace {

Float float_type(mx::Dtype dtype) {
  return dtype == mx::float16 ? Float::f16 : dtype == mx::bfloat16 ? Float::bf16 : Float::f32;
}

// The element offset of entry b (row-major) of `batch` in an array of `shape` and `strides` whose leading
// axes broadcast against `batch` (aligned on the right; an axis of length 1 repeats). The last two axes
// are the matrix.
int64_t batch_offset(const mx::Shape& shape, const mx::Strides& strides, const mx::Shape& batch, int64_t b) {
  int64_t offset = 0;
  int axis = static_cast<int>(shape.size()) - 3;
  for (int j = static_cast<int>(batch.size()) - 1; j >= 0; --j, --axis) {
    int64_t i = b % batch[j];
    b /= batch[j];
    if (axis >= 0 && shape[axis] != 1) offset += i * strides[axis];
  }
  return offset;
}

// An operand as the kernel reads it: element 0, shape and strides in elements, with unit stride along the
// last axis. One whose last axis is strided (a transposed or broadcast view) is first copied row-major
// into `storage`.
struct Operand {
  const uint8_t* data;
  mx::Shape shape;
  mx::Strides strides;
  std::vector<uint8_t> storage;

  explicit Operand(const mx::array& a) : data(a.data<uint8_t>()), shape(a.shape()), strides(a.strides()) {
    if (a.shape(-1) == 1 || a.strides(-1) == 1) return;
    size_t item = a.itemsize();
    storage.resize(a.size() * item);
    std::vector<int> index(a.ndim(), 0);
    for (size_t e = 0; e < a.size(); ++e) {
      int64_t offset = 0;
      for (size_t d = 0; d < a.ndim(); ++d) offset += index[d] * strides[d];
      std::memcpy(storage.data() + e * item, data + offset * item, item);
      for (int d = static_cast<int>(a.ndim()) - 1; d >= 0 && ++index[d] == shape[d]; --d) index[d] = 0;
    }
    data = storage.data();
    int64_t stride = 1;
    for (int d = static_cast<int>(a.ndim()) - 1; d >= 0; --d) {
      strides[d] = stride;
      stride *= shape[d];
    }
  }

  int64_t row_stride() const { return shape.size() < 2 || shape[shape.size() - 2] == 1 ? 0 : strides[strides.size() - 2]; }

  int64_t batch_offset(const mx::Shape& batch, int64_t b) const { return mlxts::qmm::batch_offset(shape, strides, batch, b); }
};

// Row `row` (row-major over all axes but the last) of x: its element offset.
int64_t flat_row_offset(const mx::array& x, int64_t row) {
  int64_t offset = 0;
  for (int d = static_cast<int>(x.ndim()) - 2; d >= 0; --d) {
    offset += (row % x.shape(d)) * x.strides(d);
    row /= x.shape(d);
  }
  return offset;
}

// k elements of x from element `offset`, `step` apart, as float32.
void load_row(const mx::array& x, int64_t offset, int64_t step, int k, float* out) {
  if (x.dtype() == mx::float32) {
    const float* p = x.data<float>() + offset;
    for (int i = 0; i < k; ++i) out[i] = p[i * step];
  } else {
    const uint16_t* p = x.data<uint16_t>() + offset;
    bool f16 = x.dtype() == mx::float16;
    for (int i = 0; i < k; ++i) out[i] = f16 ? f16_to_float(p[i * step]) : bf16_to_float(p[i * step]);
  }
}

// Weight rows per task: enough tasks for every thread to claim several (a late or preempted helper then
// costs one small task, see worker_pool.h), at most about 256K multiply-adds each and at least about
// 16K (claiming stays cheap); a product smaller than that is one task, run by the caller alone. With
// more than one block of x rows (the kernels take 4 at a time), at least 8 weight rows, which then share
// each block of x while it is in cache.
int rows_per_task(int m, int n, int k, int threads) {
  int64_t per_row = static_cast<int64_t>(m) * k;
  int64_t fewest = std::max<int64_t>(m > 4 ? 8 : 1, (16384 + per_row - 1) / per_row);
  int64_t most = std::max<int64_t>(fewest, 262144 / per_row);
  int64_t balanced = (n + 8 * threads - 1) / (8 * threads);
  return static_cast<int>(std::min<int64_t>(n, std::max(fewest, std::min(balanced, most))));
}

void multiply(const mx::array& x, const mx::array& w, const mx::array& scales, const mx::array& biases, mx::array& out,
              int group_size, int bits, RowsKernel kernel) {
  const int k = x.shape(-1);
  const int n = w.shape(-2);
  const int groups = k / group_size;
  // With a 2-D w every row of x is one row of a single product; otherwise batch entries are separate
  // products of x.shape(-2) rows.
  const bool batched = w.ndim() > 2;
  const mx::Shape batch = batched ? mx::Shape(out.shape().begin(), out.shape().end() - 2) : mx::Shape{};
  const int m = batched ? x.shape(-2) : static_cast<int>(x.size() / k);
  int64_t batches = 1;
  for (int b : batch) batches *= b;

  Operand wo(w), so(scales), bo(biases);
  const int64_t x_step = x.shape(-1) == 1 ? 0 : x.strides(-1);
  const int64_t x_row_stride = batched && x.shape(-2) != 1 ? x.strides(-2) : 0;

  std::vector<float> row(k), xs(static_cast<size_t>(m) * k), sums(static_cast<size_t>(m) * groups);
  WorkerPool& pool = WorkerPool::instance();
  const int per_task = rows_per_task(m, n, k, pool.threads());
  const int tasks = (n + per_task - 1) / per_task;

  Operands ops;
  ops.m = m;
  ops.n = n;
  ops.k = k;
  ops.bits = bits;
  ops.group_size = group_size;
  ops.x = xs.data();
  ops.x_sums = sums.data();
  ops.w_stride = static_cast<size_t>(wo.row_stride()) * sizeof(uint32_t);
  ops.scale_type = float_type(scales.dtype());
  ops.scales_stride = static_cast<size_t>(so.row_stride());
  ops.biases_stride = static_cast<size_t>(bo.row_stride());
  ops.y_type = float_type(out.dtype());
  ops.y_stride = static_cast<size_t>(n);
  const size_t scale_item = scales.itemsize();

  for (int64_t b = 0; b < batches; ++b) {
    for (int i = 0; i < m; ++i) {
      int64_t offset = batched ? batch_offset(x.shape(), x.strides(), batch, b) + i * x_row_stride : flat_row_offset(x, i);
      load_row(x, offset, x_step, k, row.data());
      chunk_order_row(row.data(), k, bits, group_size, xs.data() + static_cast<size_t>(i) * k,
                      sums.data() + static_cast<size_t>(i) * groups);
    }
    ops.w = wo.data + wo.batch_offset(batch, b) * sizeof(uint32_t);
    ops.scales = so.data + so.batch_offset(batch, b) * scale_item;
    ops.biases = bo.data + bo.batch_offset(batch, b) * scale_item;
    ops.y = out.data<uint8_t>() + static_cast<size_t>(b) * m * n * out.itemsize();
    pool.run(tasks, [&](int t) { kernel(ops, t * per_task, std::min(n, (t + 1) * per_task)); });
  }
}

}  // namespace

void QuantizedMatmulCpu::eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) {
  mx::array& out = outputs[0];
  out.set_data(mx::allocator::malloc(out.nbytes()));
  auto& encoder = mx::cpu::get_command_encoder(stream());
  for (const mx::array& a : inputs) encoder.set_input_array(a);
  encoder.set_output_array(out);
  encoder.dispatch([x = mx::array::unsafe_weak_copy(inputs[0]), w = mx::array::unsafe_weak_copy(inputs[1]),
                    scales = mx::array::unsafe_weak_copy(inputs[2]), biases = mx::array::unsafe_weak_copy(inputs[3]),
                    out = mx::array::unsafe_weak_copy(out), group_size = group_size_, bits = bits_,
                    kernel = kernel_]() mutable { multiply(x, w, scales, biases, out, group_size, bits, kernel); });
}

void QuantizedMatmulCpu::eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) {
  throw std::runtime_error("[MlxtsQuantizedMatmul] has no GPU kernel: it is only built for CPU streams");
}

std::vector<mx::array> QuantizedMatmulCpu::fallback(const std::vector<mx::array>& inputs) {
  const mx::array& x = inputs[0];
  mx::Stream s = stream();
  mx::array wide = x.dtype() == mx::float32 ? x : mx::astype(x, mx::float32, s);
  mx::array y = mx::quantized_matmul(wide, inputs[1], inputs[2], inputs[3], true, group_size_, bits_, "affine", s);
  return {mx::astype(y, output_dtype(x, inputs[2]), s)};
}

// fallback() as a function of the inputs in `argnums` alone, the others held at `primals`: transforms
// then only differentiate what was asked (MLX's op has no gradient with respect to the packed weights).
std::function<std::vector<mx::array>(const std::vector<mx::array>&)> QuantizedMatmulCpu::of(
    const std::vector<mx::array>& primals, const std::vector<int>& argnums) {
  return [this, primals, argnums](const std::vector<mx::array>& chosen) {
    std::vector<mx::array> inputs = primals;
    for (size_t j = 0; j < argnums.size(); ++j) inputs[argnums[j]] = chosen[j];
    return fallback(inputs);
  };
}

std::vector<mx::array> QuantizedMatmulCpu::vjp(const std::vector<mx::array>& primals,
                                               const std::vector<mx::array>& cotangents,
                                               const std::vector<int>& argnums, const std::vector<mx::array>&) {
  std::vector<mx::array> chosen;
  for (int i : argnums) chosen.push_back(primals[i]);
  return mx::vjp(of(primals, argnums), chosen, cotangents).second;
}

std::vector<mx::array> QuantizedMatmulCpu::jvp(const std::vector<mx::array>& primals,
                                               const std::vector<mx::array>& tangents,
                                               const std::vector<int>& argnums) {
  std::vector<mx::array> chosen;
  for (int i : argnums) chosen.push_back(primals[i]);
  return mx::jvp(of(primals, argnums), chosen, tangents).second;
}

std::pair<std::vector<mx::array>, std::vector<int>> QuantizedMatmulCpu::vmap(const std::vector<mx::array>& inputs,
                                                                             const std::vector<int>& axes) {
  auto outputs = mx::vmap([this](const std::vector<mx::array>& in) { return fallback(in); }, axes)(inputs);
  return {outputs, std::vector<int>(outputs.size(), 0)};
}

bool QuantizedMatmulCpu::is_equivalent(const mx::Primitive& other) const {
  auto* o = dynamic_cast<const QuantizedMatmulCpu*>(&other);
  return o && o->group_size_ == group_size_ && o->bits_ == bits_ && o->kernel_ == kernel_;
}

std::vector<mx::Shape> QuantizedMatmulCpu::output_shapes(const std::vector<mx::array>& inputs) {
  return {output_shape(inputs[0], inputs[1])};
}

mx::Shape QuantizedMatmulCpu::output_shape(const mx::array& x, const mx::array& w) {
  if (w.ndim() == 2 || x.ndim() <= 2) {
    mx::Shape shape = x.shape();
    shape.back() = w.shape(-2);
    return shape;
  }
  mx::Shape shape = mx::broadcast_shapes(mx::Shape(x.shape().begin(), x.shape().end() - 2),
                                         mx::Shape(w.shape().begin(), w.shape().end() - 2));
  shape.push_back(x.shape(-2));
  shape.push_back(w.shape(-2));
  return shape;
}

mx::Dtype QuantizedMatmulCpu::output_dtype(const mx::array& x, const mx::array& scales) {
  return mx::promote_types(x.dtype(), scales.dtype());
}

}  // namespace mlxts::qmm

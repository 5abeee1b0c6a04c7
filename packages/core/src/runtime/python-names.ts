// MLX Python names that JavaScript cannot declare. `var` is a reserved word, so the variance op is the
// function `variance`; the package exports it as `var` too (index.ts), and tensors get a `var` method,
// so `mx.var(a)` and `a.var()` read as in MLX Python.
import { Tensor } from '@mlxts/native';
import '../generated/methods.js';

declare module '@mlxts/native' {
  interface Tensor {
    /** MLX Python's name of `variance`: the variance over the given axes. Same as `mx.var` and `t.variance`. */
    var: Tensor['variance'];
  }
}

Tensor.prototype.var = Tensor.prototype.variance;

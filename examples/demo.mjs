// npm run demo: a short tour of @mlxts/core (examples/decode.mjs shows the LLM-style pieces together).
import * as mx from '@mlxts/core';

const info = mx.buildInfo();
console.log(`MLX ${info.mlxVersion} on ${info.backend}, Node-API ${info.napiVersion}\n`);

// Everything created inside mx.tidy is disposed when it ends (garbage collection is only a backstop).
await mx.tidy(async () => {
  // Tensors from JS data; ops build a lazy graph that runs when values are read.
  const x = mx.array([[1, 2, 3], [4, 5, 6]]);
  const y = x.multiply(2).add(mx.array([10, 20, 30])); // broadcasting, weak JS scalars
  console.log('x * 2 + [10, 20, 30] =', y.toArray());

  // Reductions with axes and keepdims.
  console.log('column sums:', mx.sum(x, 0).toArray(), ' row maxima:', mx.max(x, -1, true).toArray());

  // A softmax written with core ops.
  const logits = mx.array([2.0, 1.0, 0.1]);
  const e = mx.exp(mx.subtract(logits, mx.max(logits)));
  const probs = mx.divide(e, mx.sum(e));
  console.log('softmax([2, 1, 0.1]) =', Array.from(probs.toTypedArray(), (p) => p.toFixed(4)).join(', '));

  // A matmul evaluated off the JS thread: the event loop stays free while kernels run.
  const a = mx.divide(mx.reshape(mx.arange(512 * 512), [512, 512]), 512 * 512);
  const started = performance.now();
  const product = mx.matmul(a, mx.transpose(a));
  await product.eval();
  const trace = mx.sum(mx.multiply(product, mx.eye(512))).item();
  console.log(`512x512 matmul evaluated asynchronously in ${(performance.now() - started).toFixed(1)} ms; trace = ${trace.toFixed(3)}`);
});

console.log('\nlive tensors left after tidy:', mx.memory().liveTensors);

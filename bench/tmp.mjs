import * as mx from '@mlxts/core';
for (const m of [1,2,3,4]) for (const n of [1,2,3,4]) for (const b of [1,2]) for (let k = -4; k <= 4; k++) {
  const x = mx.reshape(mx.arange(b*m*n, undefined, undefined, {dtype:'float32'}), [b,m,n]);
  for (const [name, f] of [['tril', () => mx.tril(x, k)], ['triu', () => mx.triu(x, k)], ['diag', () => mx.diagonal(x, k, 1, 2)], ['trace', () => mx.trace(x, k, -2, -1)]]) {
    const t0 = performance.now(); let r; try { r = f().toArray(); } catch (e) { r = e.message; } const ms = performance.now() - t0;
    if (ms > 100) console.log(name, m, n, b, k, ms.toFixed(0), JSON.stringify(r));
  }
}
console.log('done');

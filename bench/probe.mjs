import * as mx from '@mlxts/core';
import * as linalg from '@mlxts/linalg';
const a = mx.array([[1, 2], [3, 4], [5, 6]]);
const [q, r] = linalg.qr(a); console.log('qr tall', q.shape, r.shape);
const [q2, r2] = linalg.qr(mx.transpose(a)); console.log('qr wide', q2.shape, r2.shape);
const s = linalg.svd(a); console.log('svd tall', s.map(t => t.shape));
const [p, l, u] = linalg.lu(mx.array([[1, 2, 0], [3, 4, 1], [0, 1, 5]])); console.log('lu p', p.toArray(), p.dtype, l.toArray(), u.toArray());
const [lu, piv] = linalg.luFactor(mx.array([[1, 2, 0], [3, 4, 1], [0, 1, 5]])); console.log('lu_factor', lu.toArray(), piv.toArray(), piv.dtype);
try { linalg.inv(mx.zeros([2, 2])).toArray() } catch (e) { console.log(e.name, e.message) }
try { console.log(linalg.inv(mx.zeros([2, 2]), {stream: 'cpu'}).toArray()) } catch (e) { console.log(e.name, e.message) }
console.log('eig', linalg.eig(mx.array([[2, 1], [0, 3]]))[0].toArray(), linalg.eigvals(mx.array([[0, -1], [1, 0]])).toArray());
console.log('det', linalg.det(mx.array([[1, 2], [3, 4]])).toArray(), linalg.slogdet(mx.array([[1, 2], [3, 4]])).map(t=>t.toArray()), linalg.slogdet(mx.zeros([2,2])).map(t=>t.toArray()));
console.log('norm', linalg.norm(mx.array([[1, -5], [2, 3]]), Infinity, 1).toArray(), linalg.norm(mx.array([[3, 0], [0, 4]]), 'nuc').item());
try { linalg.norm(mx.ones([2, 2]), 'bogus') } catch (e) { console.log(e.name, e.message) }
try { linalg.cross(mx.ones([2]), mx.ones([2])) } catch (e) { console.log(e.name, e.message) }
try { linalg.solve(mx.eye(2), mx.ones([3])) } catch (e) { console.log(e.name, e.message) }
try { linalg.solve(mx.ones([2, 3]), mx.ones([2])) } catch (e) { console.log(e.name, e.message) }
try { linalg.inv(mx.ones([2, 3])) } catch (e) { console.log(e.name, e.message) }
try { linalg.qr(mx.ones([3])) } catch (e) { console.log(e.name, e.message) }
try { linalg.qr(mx.ones([2, 2], 'int32')) } catch (e) { console.log(e.name, e.message) }
console.log(linalg.inv(mx.array([[4, 7], [2, 6]], 'float16')).dtype, linalg.choleskyInv(mx.array([[2, 0], [1, 2]])).toArray());
try { console.log(linalg.cholesky(mx.array([[1, 2], [2, 1]])).toArray()) } catch (e) { console.log(e.name, e.message) }

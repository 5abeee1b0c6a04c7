import { native } from '@mlxts/native';
import { writeGguf, GGUF_VALUE as V } from '@mlxts/testing/formats';
import { writeFileSync } from 'node:fs';
const which = process.argv[2];
const all = [
        { key: 'general.architecture', type: V.STRING, value: 'llama' },
        { key: 'u8', type: V.UINT8, value: 255 },
        { key: 'u64', type: V.UINT64, value: 2n ** 64n - 1n },
        { key: 'f64', type: V.FLOAT64, value: 0.1 },
        { key: 'tokens', type: V.ARRAY, itemType: V.STRING, value: ['<s>', '</s>', 'é'] },
        { key: 'scores', type: V.ARRAY, itemType: V.FLOAT32, value: [0.5, -1] },
        { key: 'ids', type: V.ARRAY, itemType: V.UINT64, value: [1n, 2n ** 63n] },
        { key: 'doubles', type: V.ARRAY, itemType: V.FLOAT64, value: [0.5, 2] },
        { key: 'empty', type: V.ARRAY, itemType: V.INT32, value: [] },
];
const metadata = which === 'all' ? all : all.filter(k => k.key === which);
writeFileSync('/tmp/io/m.gguf', writeGguf({ metadata, tensors: [{ name: 'a', dims: [2], type: 0, data: new Uint8Array(8) }] }));
const r = native.loadGguf('/tmp/io/m.gguf'); console.log(which, r.metadata.map(([k,v]) => k + '=' + String(v)).join(' '));

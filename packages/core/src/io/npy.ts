// Checking a .npy file (NumPy's format: numpy.lib.format, NEP 1) before MLX reads it.
//
// Layout: the magic "\x93NUMPY", a major and minor version byte (1.0, 2.0 or 3.0), the header length
// (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0), then the header: a Python dict literal with
// exactly the keys 'descr' (a dtype string such as '<f4'), 'fortran_order' (True or False) and 'shape'
// (a tuple of integers), padded with spaces and ended by a newline. The data follows.
//
// MLX's parser reads the header at fixed positions (the dtype at byte 11, the order flag at byte 34), so
// it is only right for the exact layout NumPy writes. mlxts parses the header fully, checks it against the
// file, and hands MLX a header it writes itself in that layout (see checked reads in io_reader.h).
import type { DType } from '@mlxts/native';
import { fileError, overMemoryLimit, readAt, type OpenFile } from './file.js';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
/** The largest header accepted: ten times NumPy's own default limit (numpy.lib.format's max_header_size). */
const MAX_HEADER = 100_000;
const MAX_DIM = 2 ** 31 - 1;
/** NumPy's own limit on the number of axes (NPY_MAXDIMS). */
const MAX_NDIM = 64;

/** dtype by the kind and size of an array-protocol string ('f4'); 'V2' is MLX's own bfloat16. */
const DTYPES: Record<string, DType> = {
  b1: 'bool',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  c8: 'complex64',
  V2: 'bfloat16',
};

export interface CheckedNpy {
  /** The header MLX reads instead of the file's own (magic, version 1.0, length, dict). */
  readonly header: Buffer;
  /** Where the data starts in the file. */
  readonly dataOffset: number;
}

export function checkNpy(op: string, file: OpenFile, memoryLimit: number): CheckedNpy {
  const fail = (problem: string) => fileError(op, file.name, problem);
  if (file.size === 0) throw fail('is empty');
  if (file.size < 10) throw fail(`is too short for a .npy file (${file.size} bytes)`);
  const start = readAt(op, file, 0, Math.min(file.size, 12));
  if (!start.subarray(0, 6).equals(MAGIC)) throw fail('is not a .npy file (it does not start with "\\x93NUMPY")');
  const [major, minor] = [start[6], start[7]];
  if (![1, 2, 3].includes(major) || minor !== 0) throw fail(`has .npy format version ${major}.${minor}; versions 1.0, 2.0 and 3.0 exist`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (start.length < 8 + lengthBytes) throw fail('ends inside its header length');
  const headerLength = major === 1 ? start.readUInt16LE(8) : start.readUInt32LE(8);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (headerLength > MAX_HEADER) throw fail(`declares a ${headerLength}-byte header; more than ${MAX_HEADER} bytes is refused`);
  if (dataOffset > file.size) throw fail(`declares a ${headerLength}-byte header, but the file ends after ${file.size - 8 - lengthBytes} bytes of it`);
  const text = readAt(op, file, 8 + lengthBytes, headerLength).toString(major === 3 ? 'utf8' : 'latin1');

  let dict: Map<string, PyValue>;
  try {
    dict = parseHeaderDict(text);
  } catch (error) {
    throw fail(`has a malformed header (${(error as Error).message}): ${JSON.stringify(text.trimEnd().slice(0, 200))}`);
  }
  const keys = [...dict.keys()].sort().join(', ');
  if (keys !== 'descr, fortran_order, shape') throw fail(`has header keys ${keys || '(none)'}; a .npy header has exactly descr, fortran_order and shape`);

  const descr = dict.get('descr');
  const { dtype, order, itemsize } = parseDescr(descr, fail);
  const fortran = dict.get('fortran_order');
  if (typeof fortran !== 'boolean') throw fail(`has fortran_order ${show(fortran)}; it must be True or False`);
  const shape = dict.get('shape');
  if (!Array.isArray(shape)) throw fail(`has shape ${show(shape)}; it must be a tuple of integers such as (2, 3)`);
  if (shape.length > MAX_NDIM) throw fail(`has ${shape.length} axes; NumPy allows at most ${MAX_NDIM}`);
  for (const dim of shape) {
    if (dim < 0 || dim > MAX_DIM) throw fail(`has shape (${shape.join(', ')}): MLX takes dimensions from 0 to 2^31 - 1`);
  }
  const nbytes = shape.reduce((n, d) => n * BigInt(d), 1n) * BigInt(itemsize);
  const available = BigInt(file.size - dataOffset);
  if (nbytes > available) {
    throw fail(`declares ${dtype} data of shape (${shape.join(', ')}), ${nbytes} bytes, but holds ${available} bytes after its header`);
  }
  const tooBig = overMemoryLimit(nbytes, memoryLimit);
  if (tooBig) throw fail(`its ${dtype} tensor of shape (${shape.join(', ')}) ${tooBig}`);
  return { header: mlxHeader(`${order}${descrCode(dtype)}`, fortran, shape), dataOffset };
}

/** The header in the layout MLX writes and parses: version 1.0, padded to a multiple of 64 bytes. */
function mlxHeader(descr: string, fortran: boolean, shape: number[]): Buffer {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.map((d) => `${d}, `).join('')}), }`;
  const padded = dict + ' '.repeat(63 - ((10 + dict.length) % 64)) + '\n';
  const out = Buffer.alloc(10 + padded.length);
  MAGIC.copy(out, 0);
  out[6] = 1;
  out[7] = 0;
  out.writeUInt16LE(padded.length, 8);
  out.write(padded, 10, 'latin1');
  return out;
}

function descrCode(dtype: DType): string {
  return Object.entries(DTYPES).find(([, d]) => d === dtype)![0];
}

function parseDescr(descr: PyValue | undefined, fail: (problem: string) => Error): { dtype: DType; order: string; itemsize: number } {
  const m = typeof descr === 'string' ? /^([<>|=])([a-zA-Z]\d+)$/.exec(descr) : null;
  const dtype = m ? DTYPES[m[2]] : undefined;
  if (!m || !dtype) {
    throw fail(`has descr ${show(descr)}, which is not a dtype MLX loads (${Object.keys(DTYPES).map((k) => `'<${k}'`).join(', ')}; '<V2' is bfloat16)`);
  }
  const itemsize = Number(m[2].slice(1));
  // '|' (byte order not applicable) is for one-byte types; '=' is the machine's own, little-endian here.
  if (m[1] === '|' && itemsize > 1) throw fail(`has descr '${descr}': a ${itemsize}-byte type needs a byte order, '<' or '>'`);
  // MLX swaps big-endian data element by element, which is wrong for complex64's two float32 halves.
  if (m[1] === '>' && dtype === 'complex64') throw fail(`has descr '${descr}': big-endian complex64 is not supported`);
  const order = itemsize === 1 ? '|' : m[1] === '>' ? '>' : '<';
  return { dtype, order, itemsize };
}

function show(value: PyValue | undefined): string {
  if (value === undefined) return '(missing)';
  if (Array.isArray(value)) return `(${value.join(', ')})`;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** A value of the header dict: a string, True/False, an integer, or a tuple of integers. */
type PyValue = string | boolean | number | number[];

/**
 * Parses the Python literal of a .npy header: a dict of string keys, whose values are strings, True,
 * False, integers or tuples of integers. Anything else (and a key given twice) is an error.
 */
export function parseHeaderDict(text: string): Map<string, PyValue> {
  let i = 0;
  const skip = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const expect = (ch: string) => {
    skip();
    if (text[i] !== ch) throw new Error(`expected '${ch}' at position ${i}`);
    i++;
  };
  const peek = () => {
    skip();
    return text[i];
  };
  const string = (): string => {
    const quote = peek();
    if (quote !== "'" && quote !== '"') throw new Error(`expected a string at position ${i}`);
    const end = text.indexOf(quote, i + 1);
    const value = end < 0 ? '' : text.slice(i + 1, end);
    if (end < 0 || value.includes('\\') || value.includes('\n')) throw new Error(`unterminated or escaped string at position ${i}`);
    i = end + 1;
    return value;
  };
  const integer = (): number => {
    skip();
    const m = /^\d{1,16}/.exec(text.slice(i, i + 17));
    if (!m || /\d/.test(text[i + m[0].length] ?? '')) throw new Error(`expected an integer of at most 16 digits at position ${i}`);
    i += m[0].length;
    return Number(m[0]);
  };
  const value = (): PyValue => {
    const ch = peek();
    if (ch === "'" || ch === '"') return string();
    if (text.startsWith('True', i)) return (i += 4), true;
    if (text.startsWith('False', i)) return (i += 5), false;
    if (ch === '(') {
      i++;
      const items: number[] = [];
      let sawComma = false;
      while (peek() !== ')') {
        items.push(integer());
        if (peek() === ',') {
          i++;
          sawComma = true;
        } else if (peek() !== ')') throw new Error(`expected ',' or ')' at position ${i}`);
      }
      i++;
      // Python's (3) is the integer 3, not a tuple.
      if (items.length === 1 && !sawComma) return items[0];
      return items;
    }
    if (ch !== undefined && /\d/.test(ch)) return integer();
    throw new Error(`unexpected ${ch === undefined ? 'end' : `'${ch}'`} at position ${i}`);
  };

  const out = new Map<string, PyValue>();
  expect('{');
  while (peek() !== '}') {
    const key = string();
    if (out.has(key)) throw new Error(`key '${key}' appears twice`);
    expect(':');
    out.set(key, value());
    if (peek() === ',') i++;
    else if (peek() !== '}') throw new Error(`expected ',' or '}' at position ${i}`);
  }
  i++;
  skip();
  if (i !== text.length) throw new Error(`unexpected text after the dict at position ${i}`);
  return out;
}

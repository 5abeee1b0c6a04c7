// A .npy writer and reader written from NumPy's format description (numpy.lib.format, NEP 1), independent
// of mlxts's own parser: the tests check mlxts's files with the reader and feed mlxts the writer's files.

export interface NpyParts {
  /** An array-protocol type string, e.g. '<f4'. */
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  data: Uint8Array;
  /** Format version (1.0 by default; 2.0 and 3.0 have a 4-byte header length). */
  version?: 1 | 2 | 3;
  /** The header dict text, replacing the one made from the fields above. */
  dict?: string;
}

const MAGIC = '\x93NUMPY';

/** A Python tuple literal: (), (3,), (2, 3). */
export function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** A .npy file: the header padded with spaces and a newline so the data starts at a multiple of 64. */
export function writeNpy(p: NpyParts): Buffer {
  const version = p.version ?? 1;
  const dict = p.dict ?? `{'descr': '${p.descr}', 'fortran_order': ${p.fortranOrder ? 'True' : 'False'}, 'shape': ${pythonTuple(p.shape)}, }`;
  const prefix = 8 + (version === 1 ? 2 : 4);
  const header = dict + ' '.repeat(63 - ((prefix + dict.length) % 64)) + '\n';
  const encoded = Buffer.from(header, version === 3 ? 'utf8' : 'latin1');
  const out = Buffer.alloc(prefix + encoded.length + p.data.length);
  out.write(MAGIC, 0, 'latin1');
  out[6] = version;
  out[7] = 0;
  if (version === 1) out.writeUInt16LE(encoded.length, 8);
  else out.writeUInt32LE(encoded.length, 8);
  encoded.copy(out, prefix);
  out.set(p.data, prefix + encoded.length);
  return out;
}

export interface NpyFile {
  version: number;
  headerText: string;
  /** Bytes before the data; the format asks for a multiple of 64 (16 in older files). */
  dataOffset: number;
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  data: Buffer;
}

/** Reads a .npy file by turning its header's Python literal into JSON. */
export function readNpy(bytes: Buffer): NpyFile {
  if (bytes.subarray(0, 6).toString('latin1') !== MAGIC) throw new Error('not a .npy file');
  const version = bytes[6];
  const lengthBytes = version === 1 ? 2 : 4;
  const headerLength = version === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const dataOffset = 8 + lengthBytes + headerLength;
  const headerText = bytes.subarray(8 + lengthBytes, dataOffset).toString('latin1');
  if (!headerText.endsWith('\n')) throw new Error('the header does not end with a newline');
  const json = headerText
    .trim()
    .replaceAll("'", '"')
    .replaceAll('True', 'true')
    .replaceAll('False', 'false')
    .replaceAll('(', '[')
    .replaceAll(')', ']')
    .replace(/,\s*([}\]])/g, '$1');
  const dict = JSON.parse(json) as { descr: string; fortran_order: boolean; shape: number[] };
  return { version, headerText, dataOffset, descr: dict.descr, fortranOrder: dict.fortran_order, shape: dict.shape, data: bytes.subarray(dataOffset) };
}

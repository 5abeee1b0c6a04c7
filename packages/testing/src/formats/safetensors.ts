// A .safetensors writer and reader written from the format's description (huggingface/safetensors),
// independent of mlxts's own checks.

export interface SafetensorsTensor {
  name: string;
  /** The format's dtype string: 'F32', 'BF16', 'I64', 'BOOL', ... */
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

/** A file holding the tensors back to back in the given order, the header padded with spaces to 8 bytes. */
export function writeSafetensors(tensors: readonly SafetensorsTensor[], metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.length] };
    offset += t.data.length;
  }
  return writeSafetensorsRaw(JSON.stringify(header), Buffer.concat(tensors.map((t) => t.data)));
}

/** A file with the given header text (padded with spaces to 8 bytes) and data section. */
export function writeSafetensorsRaw(headerText: string, data: Uint8Array): Buffer {
  let json = Buffer.from(headerText, 'utf8');
  if (json.length % 8 !== 0) json = Buffer.concat([json, Buffer.alloc(8 - (json.length % 8), ' ')]);
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  out.set(data, 8 + json.length);
  return out;
}

export interface SafetensorsFile {
  /** The parsed JSON header as written. */
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  metadata: Record<string, string> | undefined;
  tensors: Map<string, { dtype: string; shape: number[]; data: Buffer }>;
}

export function readSafetensors(bytes: Buffer): SafetensorsFile {
  const length = Number(bytes.readBigUInt64LE(0));
  const { __metadata__: metadata, ...header } = JSON.parse(bytes.subarray(8, 8 + length).toString('utf8'));
  const data = bytes.subarray(8 + length);
  const tensors = new Map<string, { dtype: string; shape: number[]; data: Buffer }>();
  for (const [name, info] of Object.entries(header as SafetensorsFile['header'])) {
    tensors.set(name, { dtype: info.dtype, shape: info.shape, data: data.subarray(info.data_offsets[0], info.data_offsets[1]) });
  }
  return { header: header as SafetensorsFile['header'], metadata, tensors };
}

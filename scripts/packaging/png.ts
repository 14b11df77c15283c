// A minimal PNG encoder (8-bit RGBA) and decoder (8-bit grey, RGB, palette, grey+alpha, RGBA; not interlaced).
import { deflateSync, inflateSync } from 'node:zlib';
import { crc32 } from './crc32.js';

export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, row by row, R G B A. */
  data: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes per pixel of each 8-bit colour type. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export function encodePng(image: RgbaImage): Buffer {
  const { width, height, data } = image;
  if (data.length !== width * height * 4) throw new Error(`Expected ${width * height * 4} bytes of RGBA, got ${data.length}.`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, RGBA, deflate, adaptive filtering, not interlaced
  const raw = filterRows(data, width * 4, height, 4);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Filters each row with whichever of the five PNG filters gives the smallest sum of |bytes| (libpng's heuristic). */
function filterRows(data: Uint8Array, stride: number, height: number, bpp: number): Buffer {
  const raw = Buffer.alloc((stride + 1) * height);
  const candidate = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    let bestScore = Infinity;
    for (let filter = 0; filter <= 4; filter++) {
      let score = 0;
      for (let x = 0; x < stride; x++) {
        const i = y * stride + x;
        const a = x >= bpp ? data[i - bpp]! : 0;
        const b = y > 0 ? data[i - stride]! : 0;
        const c = x >= bpp && y > 0 ? data[i - stride - bpp]! : 0;
        const value = (data[i]! - predict(filter, a, b, c)) & 0xff;
        candidate[x] = value;
        score += value < 128 ? value : 256 - value;
      }
      if (score < bestScore) {
        bestScore = score;
        raw[y * (stride + 1)] = filter;
        raw.set(candidate, y * (stride + 1) + 1);
      }
    }
  }
  return raw;
}

function predict(filter: number, a: number, b: number, c: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return a;
    case 2:
      return b;
    case 3:
      return (a + b) >> 1;
    case 4:
      return paeth(a, b, c);
    default:
      throw new Error(`has an unknown row filter ${filter}`);
  }
}

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, body, crc]);
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlaced: boolean;
}

/** Reads the IHDR; throws a readable Error when `bytes` is not a PNG. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 33 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('is not a PNG file');
  if (buf.toString('latin1', 12, 16) !== 'IHDR') throw new Error('is a PNG without an IHDR chunk first');
  return {
    width: buf.readUInt32BE(16),
    height: buf.readUInt32BE(20),
    bitDepth: buf[24]!,
    colourType: buf[25]!,
    interlaced: buf[28] !== 0,
  };
}

/** Decodes the pixels to RGBA; throws a readable Error for broken files and unsupported variants. */
export function decodePng(bytes: Uint8Array): RgbaImage {
  const header = readPngHeader(bytes);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const channels = CHANNELS[header.colourType];
  if (header.bitDepth !== 8 || channels === undefined || header.interlaced) {
    throw new Error(`uses bit depth ${header.bitDepth}, colour type ${header.colourType}${header.interlaced ? ', interlaced' : ''}; save it as an 8-bit, non-interlaced PNG`);
  }
  const idat: Buffer[] = [];
  let palette: Buffer | undefined;
  let paletteAlpha: Buffer | undefined;
  for (let at = 8; at + 12 <= buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (at + 12 + length > buf.length) throw new Error(`has a truncated ${type} chunk`);
    const body = buf.subarray(at + 8, at + 8 + length);
    if (crc32(body, crc32(buf.subarray(at + 4, at + 8))) !== buf.readUInt32BE(at + 8 + length)) throw new Error(`has a bad CRC in its ${type} chunk`);
    if (type === 'IDAT') idat.push(body);
    else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') paletteAlpha = body;
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (idat.length === 0) throw new Error('has no image data (IDAT)');
  if (header.colourType === 3 && !palette) throw new Error('is a palette PNG without a palette (PLTE)');
  const { width, height } = header;
  const stride = width * channels;
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch {
    throw new Error('has image data that does not inflate');
  }
  if (raw.length < (stride + 1) * height) throw new Error('has less image data than its size needs');
  const pixels = unfilter(raw, stride, height, channels);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const p = i * channels;
    const [r, g, b, a] = toRgba(header.colourType, pixels, p, palette, paletteAlpha);
    data.set([r, g, b, a], i * 4);
  }
  return { width, height, data };
}

function toRgba(colourType: number, px: Uint8Array, p: number, palette?: Buffer, alpha?: Buffer): [number, number, number, number] {
  switch (colourType) {
    case 0:
      return [px[p]!, px[p]!, px[p]!, 255];
    case 2:
      return [px[p]!, px[p + 1]!, px[p + 2]!, 255];
    case 3: {
      const index = px[p]!;
      return [palette![index * 3] ?? 0, palette![index * 3 + 1] ?? 0, palette![index * 3 + 2] ?? 0, alpha?.[index] ?? 255];
    }
    case 4:
      return [px[p]!, px[p]!, px[p]!, px[p + 1]!];
    default:
      return [px[p]!, px[p + 1]!, px[p + 2]!, px[p + 3]!];
  }
}

/** Undoes the per-row filters (none, sub, up, average, Paeth) and returns the bare pixel bytes. */
function unfilter(raw: Buffer, stride: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[row - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[row - stride + x - bpp]! : 0;
      out[row + x] = (raw[src + x]! + predict(filter, a, b, c)) & 0xff;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// Checks the icon files the manifest names: present, PNG, the sizes Teams requires, the outline white on transparent.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { decodePng, readPngHeader } from './png.js';
import { isObject, type Json, type Violation } from './violations.js';

const REQUIRED = [
  { key: 'color', size: 192 },
  { key: 'outline', size: 32 },
] as const;

export interface IconFile {
  /** The path inside the package, as the manifest names it. */
  name: string;
  data: Buffer;
}

export interface IconCheck {
  violations: Violation[];
  files: IconFile[];
}

export function checkIcons(manifest: Json, iconDir: string): IconCheck {
  const violations: Violation[] = [];
  const files: IconFile[] = [];
  const icons = isObject(manifest) ? manifest['icons'] : undefined;
  if (!isObject(icons)) return { violations: [{ path: '/icons', message: 'is required' }], files };
  for (const { key, size } of REQUIRED) {
    const path = `/icons/${key}`;
    const name = icons[key];
    if (typeof name !== 'string' || name === '') {
      violations.push({ path, message: 'is required' });
      continue;
    }
    if (isAbsolute(name) || normalize(name).startsWith('..') || name.includes('\\')) {
      violations.push({ path, message: `"${name}" must be a path inside the package, like ${key}.png` });
      continue;
    }
    const file = join(iconDir, name);
    if (!existsSync(file)) {
      violations.push({ path, message: `${name} does not exist in ${iconDir}` });
      continue;
    }
    const data = readFileSync(file);
    const problem = iconProblem(data, size, key === 'outline');
    if (problem) violations.push({ path, message: `${name} ${problem}` });
    else files.push({ name, data });
  }
  return { violations, files };
}

/** Why the PNG is not acceptable, or null. */
export function iconProblem(data: Uint8Array, size: number, whiteOnTransparent: boolean): string | null {
  try {
    const header = readPngHeader(data);
    if (header.width !== size || header.height !== size) {
      return `must be ${size}×${size} pixels (it is ${header.width}×${header.height})`;
    }
    if (!whiteOnTransparent) return null;
    return outlineProblem(decodePng(data).data, size);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Teams' outline icon: every pixel white (any alpha) or fully transparent, and something visible. */
function outlineProblem(rgba: Uint8Array, size: number): string | null {
  let wrong = 0;
  let first = '';
  let visible = 0;
  for (let i = 0; i < size * size; i++) {
    const [r, g, b, a] = [rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!, rgba[i * 4 + 3]!];
    if (a === 0) continue;
    visible++;
    if (r === 255 && g === 255 && b === 255) continue;
    if (wrong++ === 0) first = ` (the first at x ${i % size}, y ${Math.floor(i / size)} is ${hex(r, g, b, a)})`;
  }
  if (wrong > 0) return `must be white on transparent: ${wrong} pixel${wrong === 1 ? ' is' : 's are'} neither white nor fully transparent${first}`;
  if (visible === 0) return 'must show a white symbol, but every pixel is transparent';
  return null;
}

const hex = (...bytes: number[]): string => `#${bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;

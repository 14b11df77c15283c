// The app's icons, drawn as shapes: a white bell with alert waves, on an accent-coloured rounded square.
import type { RgbaImage } from './png.js';

/** The manifest's accentColor; the colour icon's background. */
export const ACCENT_COLOR = '#0F6CBD';

const SAMPLES = 4; // 4×4 samples per pixel for anti-aliased edges
type Shape = (x: number, y: number) => boolean;

const circle = (cx: number, cy: number, r: number): Shape => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;

/** A ring between radii r1 and r2, from angle a1 to a2 in degrees (0 = right, −90 = up). */
const arc = (cx: number, cy: number, r1: number, r2: number, a1: number, a2: number): Shape => (x, y) => {
  const d2 = (x - cx) ** 2 + (y - cy) ** 2;
  const angle = (Math.atan2(y - cy, x - cx) * 180) / Math.PI;
  return d2 >= r1 * r1 && d2 <= r2 * r2 && angle >= a1 && angle <= a2;
};

const capsule = (x1: number, x2: number, cy: number, r: number): Shape => (x, y) =>
  Math.abs(y - cy) <= r && (x >= x1 && x <= x2 ? true : circle(x < x1 ? x1 : x2, cy, r)(x, y));

const union = (...shapes: Shape[]): Shape => (x, y) => shapes.some((shape) => shape(x, y));

/** The bell in a 120 × 120 box. */
const bell: Shape = (() => {
  const knob = circle(60, 12, 7);
  const dome = circle(60, 44, 27);
  // The body flares from the dome's width to the rim along a curve.
  const body: Shape = (x, y) => y >= 44 && y <= 86 && Math.abs(x - 60) <= 27 + 13 * ((y - 44) / 42) ** 2;
  const rim = capsule(22, 98, 88, 6);
  const clapper = circle(60, 106, 9);
  const wave = (side: 1 | -1): Shape => {
    const ring = arc(60, 44, 37, 45, -62, -12);
    return (x, y) => ring(60 + side * (x - 60), y);
  };
  return union(knob, dome, body, rim, clapper, wave(1), wave(-1));
})();

const roundedSquare = (size: number, radius: number): Shape => (x, y) => {
  const cx = Math.min(Math.max(x, radius), size - radius);
  const cy = Math.min(Math.max(y, radius), size - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius;
};

/** Fraction (0..1) of the pixel at (px, py) covered by `shape`, sampled in pixel coordinates. */
function coverage(shape: Shape, px: number, py: number): number {
  let inside = 0;
  for (let sy = 0; sy < SAMPLES; sy++) {
    for (let sx = 0; sx < SAMPLES; sx++) {
      if (shape(px + (sx + 0.5) / SAMPLES, py + (sy + 0.5) / SAMPLES)) inside++;
    }
  }
  return inside / (SAMPLES * SAMPLES);
}

/** The bell scaled from its 120-unit box to `size` pixels, placed at (`offset`, `offset`). */
const placedBell = (offset: number, size: number): Shape => (x, y) => bell(((x - offset) * 120) / size, ((y - offset) * 120) / size);

function parseHex(colour: string): [number, number, number] {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!match) throw new Error(`Not a #rrggbb colour: ${colour}`);
  return [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)];
}

/** 192 × 192: the bell (96 px, centred, as Teams asks of colour icons) on a rounded square of `accent`. */
export function drawColorIcon(accent = ACCENT_COLOR): RgbaImage {
  const size = 192;
  const [r, g, b] = parseHex(accent);
  const background = roundedSquare(size, 36);
  const glyph = placedBell(48, 96);
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const back = coverage(background, x, y);
      const white = coverage(glyph, x, y);
      // White over the accent colour, then the square's own edge as alpha.
      const i = (y * size + x) * 4;
      data[i] = Math.round(r + (255 - r) * white);
      data[i + 1] = Math.round(g + (255 - g) * white);
      data[i + 2] = Math.round(b + (255 - b) * white);
      data[i + 3] = Math.round(255 * back);
    }
  }
  return { width: size, height: size, data };
}

/** 32 × 32: the white bell on transparent, 2 px of padding. Every pixel is white; only alpha varies. */
export function drawOutlineIcon(): RgbaImage {
  const size = 32;
  const glyph = placedBell(2, 28);
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const alpha = Math.round(255 * coverage(glyph, x, y));
      // Fully transparent pixels are stored as 0,0,0,0 (the conventional "nothing here").
      data.set(alpha === 0 ? [0, 0, 0, 0] : [255, 255, 255, alpha], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

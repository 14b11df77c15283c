// Draws manifest/color.png and manifest/outline.png. Run once after changing the drawing: node dist/scripts/makeIcons.js
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { drawColorIcon, drawOutlineIcon } from './packaging/icons.js';
import { encodePng } from './packaging/png.js';
import { findProjectRoot } from './packaging/projectRoot.js';

const manifestDir = join(findProjectRoot(import.meta.url), 'manifest');
for (const [file, image] of [
  ['color.png', drawColorIcon()],
  ['outline.png', drawOutlineIcon()],
] as const) {
  const png = encodePng(image);
  writeFileSync(join(manifestDir, file), png);
  console.log(`${join(manifestDir, file)}: ${image.width}×${image.height}, ${png.length} bytes`);
}

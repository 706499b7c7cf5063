// Regenerates the placeholder app icons: `node build/generate-icons.js` from the repo root.
// A flat disc with a ring is enough to tell Omnitill apart in a launcher until design supplies artwork.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';

const here = dirname(fileURLToPath(import.meta.url));
const BRAND = [0x1f, 0x6f, 0x5c]; // deep teal
const WHITE = [0xff, 0xff, 0xff];

/** @param {number} size */
function drawIcon(size) {
  const png = new pngjs.PNG({ width: size, height: size });
  const centre = (size - 1) / 2;
  const disc = size * 0.47;
  const ringOuter = size * 0.3;
  const ringInner = size * 0.19;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - centre, y - centre);
      const i = (y * size + x) * 4;
      const inRing = r <= ringOuter && r >= ringInner;
      const [red, green, blue] = inRing ? WHITE : BRAND;
      png.data[i] = red;
      png.data[i + 1] = green;
      png.data[i + 2] = blue;
      // Transparent corners so the disc sits on any launcher background.
      png.data[i + 3] = r <= disc ? 0xff : 0x00;
    }
  }
  return pngjs.PNG.sync.write(png);
}

const outputs = [
  ['icon.png', 512],
  ['icons/512x512.png', 512],
  ['icons/256x256.png', 256],
];
for (const [file, size] of outputs) {
  const target = join(here, file);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, drawIcon(size));
}

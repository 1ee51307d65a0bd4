/**
 * Draws the toolbar icons (a magnifier over lines of text) as PNGs into extension/icons/.
 * Run once after changing the design: `npx tsx scripts/make-icons.ts`. Uses only zlib.
 */
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';

function crc32(buf: Uint8Array): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

function png(size: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) raw.set(pixel(x, y), y * (size * 4 + 1) + 1 + x * 4);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

/** Coverage-based anti-aliasing: sample each pixel 4x4. */
function icon(size: number): Buffer {
  const inside = (u: number, v: number): 0 | 1 | 2 => {
    // Rounded square background.
    const r = 0.22;
    const dx = Math.max(Math.abs(u - 0.5) - (0.5 - r), 0);
    const dy = Math.max(Math.abs(v - 0.5) - (0.5 - r), 0);
    if (dx * dx + dy * dy > r * r) return 0;
    // Magnifier ring and handle.
    const d = Math.hypot(u - 0.44, v - 0.42);
    if (d > 0.2 && d < 0.28) return 2;
    const hu = u - 0.62, hv = v - 0.6;
    if (hu > 0 && hv > 0 && Math.abs(hu - hv) < 0.07 && hu + hv < 0.5) return 2;
    // Text lines inside the lens.
    if (d < 0.2 && u > 0.32 && u < 0.56 && [0.36, 0.44, 0.52].some((c) => Math.abs(v - c) < 0.022)) return 2;
    return 1;
  };
  const n = 4;
  return png(size, (x, y) => {
    let bg = 0, fg = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const k = inside((x + (i + 0.5) / n) / size, (y + (j + 0.5) / n) / size);
        if (k === 1) bg++;
        else if (k === 2) fg++;
      }
    const total = n * n;
    const a = (bg + fg) / total;
    if (a === 0) return [0, 0, 0, 0];
    const t = fg / (bg + fg);
    // Deep teal background, warm white glyph.
    const c = [0x0f + (0xff - 0x0f) * t, 0x5e + (0xf4 - 0x5e) * t, 0x6b + (0xe6 - 0x6b) * t].map(Math.round) as [number, number, number];
    return [...c, Math.round(a * 255)];
  });
}

mkdirSync('extension/icons', { recursive: true });
for (const s of [16, 32, 48, 128]) writeFileSync(`extension/icons/${s}.png`, icon(s));
console.log('icons written');

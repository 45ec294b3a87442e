import { Arena } from '../dist/node.js';
import { readFileSync } from 'node:fs';
const arena = await Arena.create({ maxBytes: 2 ** 31 });
const img = arena.decode(readFileSync('/tmp/png/cups.png'));
const level = +(process.argv[2] ?? 6), filter = process.argv[3] ?? 'adaptive';
for (let i = 0; i < 2; i++) img.encode('png', { level, filter });
const s = performance.now();
for (let i = 0; i < 6; i++) img.encode('png', { level, filter });
console.log(((performance.now() - s) / 6).toFixed(1));

import { Arena } from '../dist/node.js';
import { readFileSync } from 'node:fs';
const arena = await Arena.create({ maxBytes: 2 ** 31 });
const bytes = readFileSync('/tmp/png/big.png');
for (let i = 0; i < 2; i++) arena.decode(bytes).release();
const s = performance.now();
for (let i = 0; i < 6; i++) arena.decode(bytes).release();
console.log(((performance.now() - s) / 6).toFixed(1));

// `npm run bench`: runs the benchmark suites and prints their tables.
// Usage: node bench/run.mjs [allocator] [resize] [convert] [blur] [pool] [codecs] [jpeg] [jpeg-encode] [thumbs] [edge]   (default: all)

const suites = {
  allocator: async () => (await import('./allocator.mjs')).runAllocatorBench(),
  resize: async () => (await import('./resize.mjs')).runResizeBench(),
  convert: async () => (await import('./convert-reduce.mjs')).runConvertReduceBench(),
  blur: async () => (await import('./blur-composite.mjs')).runBlurCompositeBench(),
  pool: async () => (await import('./pool.mjs')).runPoolBench(),
  'jpeg-encode': async () => (await import('./jpeg-encode.mjs')).runJpegEncodeBench(),
  jpeg: async () => (await import('./jpeg.mjs')).runJpegBench(),
  thumbs: async () => (await import('./thumbs.mjs')).runThumbsBench(),
  codecs: async () => (await import('./codecs.mjs')).runCodecsBench(),
  edge: async () => (await import('./edge.mjs')).runEdgeBench(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(suites);
console.log(`pixel-arena benchmarks on Node ${process.version}, ${(await import('node:os')).availableParallelism()} cores`);
for (const name of names) {
  if (!suites[name]) throw new Error(`unknown suite ${name}; known: ${Object.keys(suites).join(', ')}`);
  await suites[name]();
}

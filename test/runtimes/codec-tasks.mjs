// Tasks of the runtime codec check (codecs.mjs), run inside pool workers.
export function decode({ bytes, reduce }, { arena }) {
  return arena.decode(bytes, reduce === undefined ? undefined : { reduce });
}

export function encode({ image, format, options }) {
  return image.encode(format, options);
}

// Tasks of the pool benchmark, run in pool workers.

/** A thumbnail 256 pixels wide, as a thumbnailer would make it: lanczos with a reducing gap. */
export function thumbnail({ image, width }) {
  const height = Math.max(1, Math.round((image.height * width) / image.width));
  return image.resize(width, height, { filter: 'lanczos', reducingGap: 2 });
}

// The editor's own pool tasks: what the pool has no method for (decoding, cropping,
// turning, encoding) runs in a worker too. Images arrive as Images; an Image returned
// goes back to the page, which owns it.
export function decode({ bytes }, { arena }) {
  return arena.decode(bytes, { autoOrient: true });
}

export function crop({ image, box }) {
  return image.crop(box);
}

export function transpose({ image, method }) {
  return image.transpose(method);
}

export function encode({ image, format, options }) {
  return image.encode(format, options);
}

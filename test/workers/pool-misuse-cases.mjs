// The pool and handles used as a careless or hostile caller would. Each case drives one
// misuse through a package entry given to it (dist/node.js under Node, dist/web.js under
// Bun and Deno) and returns what it saw as plain data; test/pool-misuse.test.ts checks the
// same expectations on what every runtime saw. Nothing here may hang: every promise is
// awaited with a time limit and a wedge shows as 'TIMEOUT'.

/** How a promise ended: { ok }, { name, code, message }, or 'TIMEOUT'. */
export async function outcome(promise, ms = 8000) {
  let timer;
  const limit = new Promise((resolve) => { timer = setTimeout(() => resolve('TIMEOUT'), ms); });
  try {
    return await Promise.race([promise.then((ok) => ({ ok }), failure), limit]);
  } finally {
    clearTimeout(timer);
  }
}

function failure(error) {
  return { name: error?.name, code: error?.code, message: error?.message };
}

/** How a call ended: { ok } or { name, code, message }. */
function attempt(fn) {
  try {
    return { ok: fn() };
  } catch (error) {
    return failure(error);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function usage(arena) {
  const { imagesLive, bytesInUse } = arena.stats();
  return { imagesLive, bytesInUse };
}

/** What is in use beyond `start`; waits a little for workers that release last. */
async function leaked(arena, start, ms = 3000) {
  const deadline = Date.now() + ms;
  let now = usage(arena);
  while ((now.imagesLive !== start.imagesLive || now.bytesInUse !== start.bytesInUse) && Date.now() < deadline) {
    await sleep(10);
    now = usage(arena);
  }
  return { images: now.imagesLive - start.imagesLive, bytes: now.bytesInUse - start.bytesInUse };
}

function heapCheck(arena) {
  try {
    arena.checkHeap();
    return 'clean';
  } catch (error) {
    return error.message;
  }
}

/** Closes the pools, then says what leaked and whether the heap walk is clean; closes the arena. */
async function finish(arena, start, ...pools) {
  const closed = [];
  for (const pool of pools) closed.push(await outcome(pool.close()));
  const result = { closed: closed.map((c) => (c === 'TIMEOUT' ? c : 'ok' in c ? 'closed' : c.code)), leaked: await leaked(arena, start) };
  result.heap = heapCheck(arena);
  arena.close();
  return result;
}

/** A result value that is an Image: released here, so that old behaviour leaks nothing more. */
function drop(result) {
  if (result !== 'TIMEOUT' && result.ok && typeof result.ok.release === 'function' && !result.ok.released) result.ok.release();
  return result === 'TIMEOUT' || 'ok' in result ? result : { name: result.name, code: result.code, message: result.message };
}

function codeOf(result) {
  return result === 'TIMEOUT' ? result : 'ok' in result ? 'resolved' : result.code ?? result.name;
}

export const cases = {
  /** 1. An argument that cannot be cloned: the job settles and the worker takes the next one. */
  async uncloneableArguments({ Arena, Pool }, { tasks }) {
    const arena = await Arena.create({ maxBytes: 32 << 20 });
    const pool = await Pool.create({ arena, workers: 1, tasks });
    const start = usage(arena);
    const image = arena.image('L', 4, 4);
    const rejected = await outcome(pool.run('echo', { image, f: () => 1 }));
    const nested = await outcome(pool.run('echo', { list: [image, { deep: Symbol('s') }] }));
    const next = await outcome(pool.run('add', { a: 1, b: 2 }));
    image.release();
    const afterwards = await leaked(arena, start, 500);
    return { rejected: failureOf(rejected), nested: codeOf(nested), next, afterwards, ...await finish(arena, start, pool) };
  },

  /** 2. A result that cannot be sent back: the worker releases its images and handles. */
  async unsendableResults({ Arena, Pool }, { tasks }) {
    const arena = await Arena.create({ maxBytes: 32 << 20 });
    const pool = await Pool.create({ arena, workers: 1, tasks });
    const start = usage(arena);
    const withFunction = await outcome(pool.run('unsendable', { width: 3 }));
    const afterFunction = await leaked(arena, start, 0);
    const withReleased = await outcome(pool.run('releasedInResult'));
    const afterReleased = await leaked(arena, start, 0);
    const image = arena.image('RGB', 5, 5);
    const argumentBack = await outcome(pool.run('echoWithFunction', { image }));
    image.release();
    const afterArgument = await leaked(arena, start, 0);
    const next = await outcome(pool.run('add', { a: 2, b: 3 }));
    return {
      withFunction: failureOf(withFunction), afterFunction, withReleased: failureOf(withReleased), afterReleased,
      argumentBack: codeOf(argumentBack), afterArgument, next, ...await finish(arena, start, pool),
    };
  },

  /** 3. arena.close() before pool.close(), in every order: nothing throws, everything settles. */
  async arenaClosedFirst({ Arena, Pool }, { tasks }) {
    const result = {};
    {
      // A worker dies after the arena was closed in this thread, while another job runs.
      const arena = await Arena.create({ maxBytes: 32 << 20 });
      const shared = arena.shared;
      const pool = await Pool.create({ arena, workers: 2, tasks });
      const start = usage(arena);
      const dying = outcome(pool.run('crash', { ms: 100 }));
      const running = outcome(pool.run('later', { value: 7, ms: 150 }));
      arena.close();
      result.dying = codeOf(await dying);
      result.running = await running;
      result.afterClose = failureOf(await outcome(pool.run('add', { a: 1, b: 1 })));
      result.kernelAfterClose = codeOf(await outcome(pool.convert({}, 'L')));
      result.closed = codeOf(await outcome(pool.close()));
      const observer = await Arena.attach(shared);
      result.leaked = await leaked(observer, start);
      observer.close();
    }
    {
      // pool.close() and arena.close() in the same turn, with a job running and one queued.
      const arena = await Arena.create({ maxBytes: 32 << 20 });
      const pool = await Pool.create({ arena, workers: 1, tasks });
      const jobs = [outcome(pool.run('later', { value: 1, ms: 100 })), outcome(pool.run('later', { value: 2, ms: 10 }))];
      const closing = outcome(pool.close());
      arena.close();
      result.sameTurn = { jobs: await Promise.all(jobs), closed: codeOf(await closing) };
    }
    {
      // An idle pool whose arena was closed first.
      const arena = await Arena.create({ maxBytes: 32 << 20 });
      const pool = await Pool.create({ arena, workers: 2, tasks });
      arena.close();
      result.idle = codeOf(await outcome(pool.close()));
      result.size = pool.size;
    }
    return result;
  },

  /** 4. Altered handles are refused and change nothing; the genuine one still adopts. */
  async alteredHandles({ Arena }) {
    const arena = await Arena.create({ maxBytes: 32 << 20, debug: true });
    const start = usage(arena);
    const image = arena.fromPixels('L', 4, 4, Uint8Array.from({ length: 16 }, (_, i) => i + 1));
    arena.image('L', 256, 256, { fill: 200 }).release(); // memory another image just left
    const handle = image.share();
    const before = usage(arena);
    const edits = {
      size: { width: 256, height: 256 }, width: { width: 5 }, height: { height: 3 }, mode: { mode: 'RGBA' },
      arena: { arena: (handle.arena ^ 1) >>> 0 }, tag: { tag: handle.tag + 1 }, record: { record: handle.record + 16 },
    };
    const refusal = (edit) => codeOf(drop(attempt(() => arena.adopt({ ...handle, ...edit }))));
    const refused = {};
    for (const [name, edit] of Object.entries(edits)) refused[name] = refusal(edit);
    const malformed = {
      fraction: refusal({ width: 1.5 }), negativeTag: refusal({ tag: -1 }), hugeRecord: refusal({ record: 2 ** 40 }),
      noArena: refusal({ arena: undefined }), badMode: refusal({ mode: 'CMYK' }),
    };
    const discardElsewhere = codeOf(attempt(() => arena.discard({ ...handle, arena: (handle.arena ^ 1) >>> 0 })));
    const unchanged = JSON.stringify(usage(arena)) === JSON.stringify(before);
    const genuine = arena.adopt(handle);
    const pixels = Array.from(genuine.toPixels());
    const kernels = [genuine.transpose('rotate90'), genuine.gaussianBlur(1)].map((k) => { k.release(); return [k.width, k.height]; });
    genuine.release();
    image.release();
    return { refused, malformed, discardElsewhere, unchanged, pixels, kernels, leaked: await leaked(arena, start), heap: heapCheck(arena) };
  },

  /** 5. Handles say which arena they belong to; pools refuse images of another arena. */
  async otherArena({ Arena, Pool }, { tasks }) {
    const a = await Arena.create({ maxBytes: 32 << 20 });
    const b = await Arena.create({ maxBytes: 32 << 20 });
    const startA = usage(a);
    const startB = usage(b);
    const imageA = a.image('L', 4, 4, { fill: 1 });
    const imageB = b.image('L', 4, 4, { fill: 2 });
    const handleA = imageA.share();
    const handleB = imageB.share();
    const coincide = handleA.record === handleB.record && handleA.tag === handleB.tag && handleA.arena !== handleB.arena;
    const crossAdopt = attempt(() => a.adopt(handleB));
    if (crossAdopt.ok) crossAdopt.ok.release();
    const crossDiscard = attempt(() => a.discard(handleB));
    const ownAdopt = attempt(() => b.adopt(handleB));
    if (ownAdopt.ok) ownAdopt.ok.release();
    const ownDiscard = attempt(() => a.discard(handleA));
    const pool = await Pool.create({ arena: a, workers: 2, tasks });
    const beforeA = usage(a);
    const beforeB = usage(b);
    const statsB = b.stats().allocated;
    const run = await outcome(pool.run('echo', { image: imageB }));
    const nested = await outcome(pool.run('echo', { list: [imageA, { deep: imageB }] }));
    const kernels = {};
    kernels.resize = failureOf(drop(await outcome(pool.resize(imageB, 2, 2))));
    kernels.convert = failureOf(drop(await outcome(pool.convert(imageB, 'RGB'))));
    kernels.reduce = failureOf(drop(await outcome(pool.reduce(imageB, 2))));
    kernels.boxBlur = failureOf(drop(await outcome(pool.boxBlur(imageB, 1))));
    kernels.gaussianBlur = failureOf(drop(await outcome(pool.gaussianBlur(imageB, 1))));
    const untouched = {
      a: JSON.stringify(usage(a)) === JSON.stringify(beforeA),
      b: JSON.stringify(usage(b)) === JSON.stringify(beforeB) && b.stats().allocated === statsB,
    };
    imageA.release();
    imageB.release();
    const leakedB = await leaked(b, startB);
    const heapB = heapCheck(b);
    b.close();
    return {
      coincide, crossAdopt: codeOf(crossAdopt), crossDiscard: codeOf(crossDiscard), ownAdopt: codeOf(ownAdopt), ownDiscard: codeOf(ownDiscard),
      run: failureOf(run), nested: failureOf(nested), kernels, untouched, leakedB, heapB, ...await finish(a, startA, pool),
    };
  },

  /** 6. Every pool method checks its options and honours its signal as run does. */
  async signals({ Arena, Pool }, { tasks }) {
    const arena = await Arena.create({ maxBytes: 256 << 20 });
    const pool = await Pool.create({ arena, workers: 3, tasks });
    const start = usage(arena);
    const image = arena.image('RGBA', 64, 48, { fill: 9 });
    const methods = {
      run: (options) => pool.run('echo', { image }, options),
      resize: (options) => pool.resize(image, 32, 24, options),
      convert: (options) => pool.convert(image, 'L', options),
      reduce: (options) => pool.reduce(image, 2, undefined, options),
      boxBlur: (options) => pool.boxBlur(image, 2, options),
      gaussianBlur: (options) => pool.gaussianBlur(image, 2, options),
    };
    const before = usage(arena);
    const allocated = arena.stats().allocated;
    const edge = {};
    for (const [name, method] of Object.entries(methods)) {
      edge[name] = {
        notSignal: failureOf(drop(await outcome(method({ signal: 'x' })))),
        notOptions: failureOf(drop(await outcome(method(5)))),
        aborted: failureOf(drop(await outcome(method({ signal: AbortSignal.abort('changed my mind') })))),
      };
    }
    const nothingShared = JSON.stringify(usage(arena)) === JSON.stringify(before) && arena.stats().allocated === allocated;

    // Aborted while its bands wait behind busy workers, and while they run.
    const busy = [1, 2, 3].map(() => outcome(pool.run('later', { value: 0, ms: 300 })));
    const queued = new AbortController();
    const waiting = outcome(pool.gaussianBlur(image, 3, { signal: queued.signal }));
    setTimeout(() => queued.abort('queued'), 20);
    const whileQueued = codeOf(drop(await waiting));
    await Promise.all(busy);
    const large = arena.image('RGBA', 3000, 2000, { fill: 5 });
    const running = new AbortController();
    const blurring = outcome(pool.gaussianBlur(large, 20, { signal: running.signal }));
    setTimeout(() => running.abort('running'));
    const whileRunning = codeOf(drop(await blurring));
    large.release();
    image.release();
    const settled = await leaked(arena, start);
    const small = arena.image('L', 2, 2);
    const next = codeOf(drop(await outcome(pool.convert(small, 'RGB'))));
    small.release();
    return { edge, nothingShared, whileQueued, whileRunning, settled, next, ...await finish(arena, start, pool) };
  },

  /** 7. maxQueue: 0 runs jobs on idle workers and refuses only what would wait. */
  async maxQueueZero({ Arena, Pool }, { tasks }) {
    const arena = await Arena.create({ maxBytes: 32 << 20 });
    const pool = await Pool.create({ arena, workers: 2, tasks, maxQueue: 0 });
    const start = usage(arena);
    const image = arena.image('L', 8, 8, { fill: 3 });
    const idle = await outcome(pool.run('add', { a: 1, b: 2 }));
    const idleKernel = codeOf(drop(await outcome(pool.convert(image, 'RGB'))));
    const busy = [outcome(pool.run('later', { value: 'a', ms: 300 })), outcome(pool.run('later', { value: 'b', ms: 300 }))];
    await sleep(30);
    const refused = failureOf(await outcome(pool.run('add', { a: 1, b: 1 })));
    const refusedKernel = codeOf(drop(await outcome(pool.convert(image, 'RGB'))));
    const finished = await Promise.all(busy);
    const again = await outcome(pool.run('add', { a: 2, b: 2 }));
    image.release();
    const negative = failureOf(await outcome(Pool.create({ arena, workers: 1, maxQueue: -1 })));
    return { idle, idleKernel, refused, refusedKernel, finished, again, negative, ...await finish(arena, start, pool) };
  },

  /** 8. A request larger than the arena fails at once; one that only waits for memory still waits. */
  async neverFits({ Arena, Pool }, { tasks }) {
    const arena = await Arena.create({ maxBytes: 16 << 20, blocksMax: 0 });
    const pool = await Pool.create({ arena, workers: 2, tasks, memoryTimeout: 10_000 });
    const start = usage(arena);
    // At once is far below memoryTimeout, on a machine however busy.
    const timed = async (promise) => {
      const began = Date.now();
      const result = drop(await outcome(promise, 15_000));
      return { code: codeOf(result), fast: Date.now() - began < 2500 };
    };
    const image = arena.image('RGBA', 64, 64);
    const tooLargeImage = await timed(pool.run('allocate', { bytes: 32 << 20 }));
    const tooLargeBlock = await timed(pool.run('block', { bytes: 32 << 20 }));
    const tooLargeOutput = await timed(pool.resize(image, 4000, 4000));
    image.release();
    // Memory taken now is only a wait: the job runs again, with its image, once it is free.
    const hog = arena.image('L', 10 << 20, 1);
    const small = arena.image('L', 3, 3, { fill: 42 });
    const began = Date.now();
    const waiting = outcome(pool.run('allocateWith', { image: small, bytes: 8 << 20 }));
    small.release();
    await sleep(150);
    hog.release();
    const waited = await waiting;
    const waitedLongEnough = Date.now() - began >= 150;
    return { tooLargeImage, tooLargeBlock, tooLargeOutput, waited, waitedLongEnough, ...await finish(arena, start, pool) };
  },

  /** 9. Smaller: one Image class for tasks, worker limits checked, crop's box, paste off the image. */
  async smaller({ Arena, Pool }, { tasks, identityTasks }) {
    const arena = await Arena.create({ maxBytes: 32 << 20 });
    const start = usage(arena);
    const limits = {};
    for (const [name, resourceLimits] of Object.entries({
      negative: { maxOldGenerationSizeMb: -5 }, text: { maxOldGenerationSizeMb: 'x' }, unknown: { maxOldGenerationSizeMB: 64 }, notObject: 'x',
    })) {
      const created = await outcome(Pool.create({ arena, workers: 1, tasks, resourceLimits }));
      if (created !== 'TIMEOUT' && created.ok) await created.ok.close();
      limits[name] = failureOf(created);
    }
    const pool = await Pool.create({ arena, workers: 1, tasks: identityTasks, resourceLimits: { maxOldGenerationSizeMb: 64, stackSizeMb: 4 } });
    const image = arena.image('RGB', 3, 2, { fill: 77 });
    const identity = await outcome(pool.run('identity', { image }));
    const crop = failureOf(attempt(() => image.crop([0, 0, 2 ** 31, 1])));
    const farCrop = attempt(() => image.crop([2 ** 32, 0, 2 ** 32 + 2, 1]));
    const farPixels = farCrop.ok ? Array.from(farCrop.ok.toPixels()) : failureOf(farCrop);
    farCrop.ok?.release();
    const source = arena.image('RGB', 2, 2, { fill: 200 });
    const rgbMask = arena.image('RGB', 2, 2, { fill: 255 });
    const laMask = arena.image('LA', 2, 2, { fill: 255 });
    const base = Array.from(image.toPixels());
    const paste = {};
    for (const [name, fn] of Object.entries({
      imageOff: () => image.paste(source, [10, 10], rgbMask),
      imageOffLeft: () => image.paste(source, [-2, 0], rgbMask),
      colourOff: () => image.paste([1, 2, 3], [0, 5], laMask),
      imageOn: () => image.paste(source, [1, 0], rgbMask),
    })) {
      const pasted = attempt(fn);
      paste[name] = pasted.ok ? (JSON.stringify(Array.from(pasted.ok.toPixels())) === JSON.stringify(base) ? 'unchanged copy' : 'changed') : failureOf(pasted);
      pasted.ok?.release();
    }
    [image, source, rgbMask, laMask].forEach((i) => i.release());
    return { limits, identity, crop, farPixels, paste, ...await finish(arena, start, pool) };
  },
};

/** The code and message of a failure (or what happened instead). */
function failureOf(result) {
  if (result === 'TIMEOUT' || 'ok' in result) return result === 'TIMEOUT' ? result : 'resolved';
  return { code: result.code ?? result.name, message: result.message };
}

/** Runs every case; one that throws shows as { threw }. */
export async function runCases(library, environment) {
  const results = {};
  for (const [name, run] of Object.entries(cases)) {
    try {
      results[name] = await run(library, environment);
    } catch (error) {
      results[name] = { threw: `${error?.name}: ${error?.message}` };
    }
  }
  return results;
}

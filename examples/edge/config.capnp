# workerd configuration of the edge resizer (worker.js):
#
#   npx workerd serve examples/edge/config.capnp [--socket-addr http=127.0.0.1:PORT]
#
# The package is bound under the names a bundler would resolve: "pixel-arena" is its
# workerd entry, and the core is a wasm module (workerd compiles it when it loads the
# worker; a worker may not compile WebAssembly itself). Run `npm run build` first: the
# files come from dist/.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "resizer", worker = .resizer) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "resizer") ],
);

const resizer :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "pixel-arena", esModule = embed "../../dist/workerd.js"),
    (name = "pixel-arena/pixel-arena.plain.wasm", wasm = embed "../../dist/pixel-arena.plain.wasm"),
  ],
  compatibilityDate = "2025-01-01",
);

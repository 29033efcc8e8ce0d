// The playground's Python, in a worker so the page stays responsive while code runs.
// Loads Pyodide and Graphviz (both WebAssembly, both served from this site: see
// docs/playground/build.py), installs the wheels of manifest.json into Pyodide, runs
// runner.py, then runs the code each "run" message brings.
import { loadPyodide } from "./vendor/pyodide/pyodide.mjs";
import { Graphviz } from "./vendor/graphviz/index.js";

const here = new URL("./", import.meta.url);
let runner = null;

async function fetchOk(path) {
  const response = await fetch(new URL(path, here));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
}

async function start() {
  const t0 = performance.now();
  const manifest = await (await fetchOk("manifest.json")).json();
  const wheels = manifest.wheels.map((path) => fetchOk(path).then((r) => r.arrayBuffer()));
  const timings = {};
  const since = (key) => (value) => { timings[key] = performance.now() - t0; return value; };
  const [pyodide, graphviz] = await Promise.all([
    loadPyodide({ indexURL: new URL("vendor/pyodide/", here).href }).then(since("pyodide")),
    Graphviz.load().then(since("graphviz")),
  ]);
  const tLoaded = performance.now();
  const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
  for (const wheel of await Promise.all(wheels)) {
    pyodide.unpackArchive(wheel, "wheel", { extractDir: sitePackages });
  }
  self.layoutDot = (source, format, engine) => graphviz.layout(source, format, engine);
  const namespace = pyodide.globals.get("dict")();
  pyodide.runPython(manifest.runner, { globals: namespace, filename: "runner.py" });
  runner = namespace.get("run");
  const tInstalled = performance.now();
  // Ready: Run is accepted from now on.  The package is imported next, in this same task,
  // so a run asked for meanwhile starts as soon as the import is done.
  postMessage({ type: "ready", versions: manifest.versions,
                timings: { ...timings, runtimes: tLoaded - t0, install: tInstalled - tLoaded } });
  const info = namespace.get("setup")(self.layoutDot).toJs({ dict_converter: Object.fromEntries });
  postMessage({ type: "imported", info, timings: { import: performance.now() - tInstalled } });
}

// What the code prints, posted as it is written (the page batches it into the output).
function write(stream, text) {
  postMessage({ type: "output", stream, text });
}

self.onmessage = (event) => {
  const message = event.data;
  if (message.type !== "run") return;
  const t0 = performance.now();
  let result;
  try {
    const proxy = runner(message.code, write);
    result = proxy.toJs({ dict_converter: Object.fromEntries });
    proxy.destroy();
  } catch (error) {
    result = { ok: false, error: String(error), line: null, diagrams: [], pages: [], more: 0 };
  }
  postMessage({ type: "done", id: message.id, result, ms: performance.now() - t0 });
};

start().catch((error) => postMessage({ type: "failed", error: String(error && error.stack || error) }));

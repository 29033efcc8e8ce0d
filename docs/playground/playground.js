// The playground page: an editor, Run (and Ctrl/Cmd-Enter), the output, the diagrams and
// the step-through pages of a run.  Python runs in worker.js (Pyodide); nothing here or
// there is fetched from another host.  window.playground exposes the state to the tests.
(function () {
  "use strict";
  const root = document.getElementById("playground");
  if (!root) return;
  const base = new URL(root.dataset.base || "./", location.href);
  const $ = (id) => document.getElementById(id);
  const editor = $("pg-code"), runButton = $("pg-run"), stopButton = $("pg-stop");
  const status = $("pg-status"), output = $("pg-output"), presetMenu = $("pg-preset");
  const diagramsPane = $("pg-diagrams"), stepsPane = $("pg-steps");
  const state = window.playground = {
    ready: false, running: false, readyMs: null, runs: 0, last: null, presets: [],
    run: () => run(), load: (name) => loadPreset(name),
  };
  let worker = null, started = 0, runId = 0, queued = false;

  function setStatus(text, kind) {
    status.textContent = text;
    status.dataset.kind = kind || "";
  }

  // -- the editor: a textarea that indents as Python is written ---------------------------
  const INDENT = "    ";
  function lineStart(text, at) { return text.lastIndexOf("\n", at - 1) + 1; }
  function replaceRange(start, end, text, selStart, selEnd) {
    editor.setRangeText(text, start, end, "end");
    if (selStart !== undefined) editor.setSelectionRange(selStart, selEnd);
    editor.dispatchEvent(new Event("input"));
  }
  editor.addEventListener("keydown", (e) => {
    const text = editor.value, a = editor.selectionStart, b = editor.selectionEnd;
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault(); run(); return;
    }
    if (e.key === "Tab" && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      const from = lineStart(text, a), block = text.slice(from, b);
      if (e.shiftKey) {
        const lines = block.split("\n").map((l) => l.replace(/^ {1,4}/, ""));
        const out = lines.join("\n");
        replaceRange(from, b, out, from, from + out.length);
      } else if (a === b) {
        replaceRange(a, b, INDENT);
      } else {
        const out = block.split("\n").map((l) => INDENT + l).join("\n");
        replaceRange(from, b, out, from, from + out.length);
      }
    } else if (e.key === "Enter" && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      const line = text.slice(lineStart(text, a), a);
      let indent = line.match(/^ */)[0];
      if (/:\s*(#.*)?$/.test(line)) indent += INDENT;
      replaceRange(a, b, "\n" + indent);
    } else if (e.key === "Backspace" && a === b && a > 0) {
      const line = text.slice(lineStart(text, a), a);
      if (line.length > 0 && /^ +$/.test(line)) {
        e.preventDefault();
        const cut = ((line.length - 1) % 4) + 1;
        replaceRange(a - cut, a, "");
      }
    }
  });
  let errorLine = null;  // the line the last run's error points at, marked in the gutter
  function updateGutter() {
    const lines = editor.value.split("\n").length;
    const gutter = $("pg-lines");
    const key = lines + ":" + errorLine;
    if (gutter.dataset.key === key) return;
    gutter.dataset.key = key;
    gutter.textContent = "";
    for (let i = 1; i <= lines; i++) {
      const span = document.createElement("span");
      span.textContent = i + "\n";
      if (i === errorLine) { span.className = "pg-error-line"; span.title = "the error is here"; }
      gutter.appendChild(span);
    }
  }
  editor.addEventListener("input", () => { errorLine = null; updateGutter(); });
  editor.addEventListener("scroll", () => { $("pg-lines").scrollTop = editor.scrollTop; });

  function setCode(code) {
    editor.value = code;
    errorLine = null;
    updateGutter();
    editor.scrollTop = 0;
  }
  function loadPreset(name) {
    const preset = state.presets.find((p) => p.name === name);
    if (!preset) return false;
    presetMenu.value = name;
    setCode(preset.code);
    return true;
  }
  presetMenu.addEventListener("change", () => {
    if (loadPreset(presetMenu.value)) history.replaceState(null, "", "#preset=" + presetMenu.value);
  });

  function decode(encoded) {
    const b64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  }
  function fromHash() {
    const hash = location.hash.slice(1);
    const code = hash.match(/(?:^|&)code=([A-Za-z0-9_-]*)/);
    if (code) {
      try { setCode(decode(code[1])); presetMenu.value = ""; return; } catch (err) {
        setStatus("could not read the code in the address: " + err, "error");
      }
    }
    const preset = hash.match(/(?:^|&)preset=([\w-]+)/);
    if (!(preset && loadPreset(preset[1])) && state.presets.length) loadPreset(state.presets[0].name);
  }

  // -- running ----------------------------------------------------------------------------
  function startWorker() {
    started = performance.now();
    state.ready = false;
    runButton.disabled = true;
    setStatus("Loading Python in your browser (Pyodide, WebAssembly)…", "busy");
    worker = new Worker(new URL("worker.js", base), { type: "module" });
    worker.onmessage = (event) => onMessage(event.data);
    worker.onerror = (event) => setStatus("The Python worker failed: " + (event.message || event), "error");
  }
  function onMessage(message) {
    if (message.type === "ready") {
      state.ready = true;
      state.readyMs = performance.now();
      state.startup = message.timings;
      runButton.disabled = false;
      setStatus(`Ready (Python loaded in ${((performance.now() - started) / 1000).toFixed(1)} s).` +
        " Ctrl+Enter runs.", "ready");
      if (queued) { queued = false; run(); }
    } else if (message.type === "imported") {
      state.info = message.info;
      state.importedMs = performance.now();
      state.startup.import = message.timings.import;
      if (!state.running) {
        setStatus(`Ready: Python ${message.info.python}, autograd_lite ${message.info.autograd_lite}` +
          ` (loaded in ${((performance.now() - started) / 1000).toFixed(1)} s). Ctrl+Enter runs.`, "ready");
      }
    } else if (message.type === "failed") {
      setStatus("Python could not start: " + message.error, "error");
    } else if (message.type === "output") {
      queueOutput(message.text, message.stream === "stderr" ? "pg-stderr" : "");
    } else if (message.type === "done" && message.id === runId) {
      flushOutput();
      finish(message.result);
    }
  }
  // What a run prints arrives write by write; it goes into the page once a frame, so a
  // loop of prints is one update per frame, not one per print.
  let queuedOutput = [], frameAsked = false;
  function queueOutput(text, cls) {
    const last = queuedOutput[queuedOutput.length - 1];
    if (last && last[1] === cls) last[0] += text;
    else queuedOutput.push([text, cls]);
    if (!frameAsked) { frameAsked = true; requestAnimationFrame(flushOutput); }
  }
  function flushOutput() {
    frameAsked = false;
    for (const [text, cls] of queuedOutput) appendOutput(text, cls);
    queuedOutput = [];
  }
  const MAX_OUTPUT = 200000;  // characters shown of what one run prints
  function appendOutput(text, cls) {
    const room = MAX_OUTPUT - output.textContent.length;
    if (room <= 0 && cls !== "pg-error") return;
    if (text.length > room && cls !== "pg-error") text = text.slice(0, room) + "\n(… the rest of the output is not shown)\n";
    const span = document.createElement("span");
    if (cls) span.className = cls;
    span.textContent = text;
    output.appendChild(span);
  }
  function run() {
    if (!state.ready) { queued = true; setStatus("Python is still loading: the code runs once it is ready…", "busy"); return; }
    if (state.running) return;
    state.running = true;
    state.runStarted = performance.now();
    runId += 1;
    queuedOutput = [];
    output.textContent = "";
    output.classList.remove("pg-failed");
    runButton.disabled = true;
    stopButton.hidden = false;
    setStatus("Running…", "busy");
    worker.postMessage({ type: "run", id: runId, code: editor.value });
  }
  function finish(result) {
    diagramsPane.textContent = "";
    stepsPane.textContent = "";
    if (!result.ok) {
      appendOutput(result.error, "pg-error");
      output.classList.add("pg-failed");
    }
    for (const svg of result.diagrams) {
      const figure = document.createElement("figure");
      figure.className = "pg-diagram";
      if (svg.trimStart().startsWith("(")) figure.textContent = svg;
      else {
        figure.innerHTML = svg.slice(svg.indexOf("<svg"));
        figure.title = "click: full size / fit the width";
        figure.addEventListener("click", () => figure.classList.toggle("pg-full"));
      }
      diagramsPane.appendChild(figure);
    }
    if (result.more) appendOutput(`(${result.more} more diagrams were made; the first ${result.diagrams.length} are drawn)\n`, "pg-stderr");
    // Shown before the pages go in: a step-through page sizes its view when its script
    // runs, so its frame must already be laid out (a hidden one measures 0 x 0).
    $("pg-diagrams-box").hidden = result.diagrams.length === 0;
    $("pg-steps-box").hidden = result.pages.length === 0;
    result.pages.forEach((page) => {
      const frame = document.createElement("iframe");
      frame.className = "pg-step-page";
      frame.title = "the backward pass, step by step";
      frame.setAttribute("sandbox", "allow-scripts");
      stepsPane.appendChild(frame);
      frame.getBoundingClientRect();  // lay it out now
      frame.srcdoc = page;
    });
    const ms = performance.now() - state.runStarted;
    state.running = false;
    state.runs += 1;
    state.last = { ok: result.ok, line: result.line, ms, pythonMs: result.ms,
                   diagrams: result.diagrams.length, pages: result.pages.length,
                   output: output.textContent };
    runButton.disabled = false;
    stopButton.hidden = true;
    const where = result.ok ? "" : result.line ? ` — an error at line ${result.line}` : " — an error";
    setStatus(`Ran in ${(ms / 1000).toFixed(2)} s${where}.`, result.ok ? "ready" : "error");
    errorLine = result.ok ? null : result.line;
    updateGutter();
    if (errorLine) selectLine(errorLine);
  }
  function selectLine(line) {
    const lines = editor.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    editor.setSelectionRange(start, start + (lines[line - 1] || "").length);
  }
  runButton.addEventListener("click", run);
  stopButton.addEventListener("click", () => {  // Python cannot be interrupted here: restart it
    worker.terminate();
    flushOutput();
    state.running = false;
    stopButton.hidden = true;
    appendOutput("\n(stopped: Python was restarted)\n", "pg-stderr");
    startWorker();
  });

  // -- start ------------------------------------------------------------------------------
  startWorker();
  fetch(new URL("manifest.json", base)).then((r) => r.json()).then((manifest) => {
    state.presets = manifest.presets;
    const v = manifest.versions, credits = $("pg-credits");
    if (credits) {
      credits.innerHTML = `Runs on <a href="vendor/pyodide/pyodide.mjs">Pyodide ${v.pyodide}</a> ` +
        `(MPL-2.0) and Graphviz from <a href="vendor/graphviz/LICENSE">@hpcc-js/wasm-graphviz ` +
        `${v["@hpcc-js/wasm-graphviz"]}</a> (Apache-2.0), both from the npm registry at pinned ` +
        "versions, served by this site.";
    }
    for (const preset of manifest.presets) {
      const option = document.createElement("option");
      option.value = preset.name;
      option.textContent = preset.title;
      presetMenu.appendChild(option);
    }
    fromHash();
    window.addEventListener("hashchange", fromHash);
    editor.disabled = false;
    state.editable = performance.now();
  }).catch((err) => setStatus("Could not load the presets: " + err, "error"));
})();

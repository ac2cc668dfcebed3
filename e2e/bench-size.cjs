// The page's weight and where the wasm's bytes go (not a test; part 3 of scripts/bench).
//   node e2e/bench-size.cjs SITE_DIR NAMED_WASM
// SITE_DIR is the release site; NAMED_WASM the same wasm before wasm-opt, with its name section
// (wasm-bindgen --keep-debug), whose function names say which module each byte is from.
// Prints every file's weight; the critical path (index.html and what it loads before the page
// answers a click) and the whole site, each beside its goal; the wasm by module (twiggy top),
// its most copied generic functions (twiggy monos), and the texts it carries by source file.
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const [siteDir, namedWasm] = process.argv.slice(2);
const root = path.resolve(__dirname, "..");
const CRITICAL_GOAL = 307200;

const gzipSize = (bytes) => execFileSync("gzip", ["-9", "-c"], { input: bytes, maxBuffer: 1 << 30 }).length;
const twiggy = (...args) => JSON.parse(execFileSync("twiggy", [...args, "-f", "json", namedWasm], { maxBuffer: 1 << 30 }));
const sum = (numbers) => numbers.reduce((total, number) => total + number, 0);
const row = (label, ...columns) => `  ${label.padEnd(64)}${columns.map((column) => String(column).padStart(9)).join("")}`;
const share = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

// --- the weight -------------------------------------------------------------------------------
const site = filesUnder(siteDir)
  .filter((file) => !file.endsWith(".br") && !file.endsWith(".gz"))
  .sort()
  .map((file) => {
    // The build's precompressed copy (scripts/precompress), or the file itself if it has none.
    const brotli = fs.statSync(fs.existsSync(`${file}.br`) ? `${file}.br` : file).size;
    return { name: path.relative(siteDir, file), gzip: gzipSize(fs.readFileSync(file)), brotli };
  });
// The critical path: index.html, what it links as a stylesheet, preloads, loads as a script
// (first-frame.js) or imports in its module script, and those scripts' own imports
// (wasm-bindgen's snippets). Not the icon, nor the service worker the page registers once it
// runs, nor anything the page fetches later (a demo's first frame, drawn before the page answers).
const index = fs.readFileSync(path.join(siteDir, "index.html"), "utf8");
const publicUrl = index.match(/<base href="([^"]*)"/)?.[1] ?? "/";
const critical = new Set(["index.html"]);
const linked = [
  ...index.matchAll(/<link rel="(?:stylesheet|modulepreload|preload)" href="([^"]+)"/g),
  ...index.matchAll(/<script src="([^"]+)"/g),
  ...index.matchAll(/(?:from|module_or_path:) '([^']+)'/g),
];
for (const [, href] of linked) critical.add(href.startsWith(publicUrl) ? href.slice(publicUrl.length) : href);
for (const script of [...critical].filter((name) => name.endsWith(".js"))) {
  const text = fs.readFileSync(path.join(siteDir, script), "utf8");
  for (const [, imported] of text.matchAll(/^import .* from ['"]\.\/([^'"]+)['"]/gm)) {
    critical.add(path.join(path.dirname(script), imported));
  }
}
console.log(row("", "gzip", "brotli", ""));
for (const file of site) console.log(row(file.name, file.gzip, file.brotli, critical.has(file.name) ? "critical" : "later"));
const onPath = site.filter((file) => critical.has(file.name));
const weigh = (files, key) => sum(files.map((file) => file[key]));
console.log(
  `critical path: ${weigh(onPath, "gzip")} bytes gzip   (goal at most ${CRITICAL_GOAL} = 300 KB); ${weigh(onPath, "brotli")} bytes brotli: the ${onPath.length} files marked critical, what must arrive before the page answers a click`,
);
console.log(
  `page weight, the whole site: ${weigh(site, "gzip")} bytes gzip; ${weigh(site, "brotli")} bytes brotli, as served from the .br files the build writes (no goal: the demos' first frames are fetched only by their links; issue 27 put the goal on the critical path)`,
);

// --- the wasm by module -----------------------------------------------------------------------
const shippedFile = site.find((file) => file.name.endsWith(".wasm"));
const shipped = fs.readFileSync(path.join(siteDir, shippedFile.name));

// The module each source file is, longest first: replication_playground::ui::view::history, ...
const modules = [
  ["src", "replication_playground"],
  ["model/src", "replication_model"],
]
  .flatMap(([dir, crate]) =>
    filesUnder(path.join(root, dir))
      .filter((file) => file.endsWith(".rs"))
      .map((file) => {
        const parts = path.relative(path.join(root, dir), file).replace(/\.rs$/, "").split(path.sep);
        if (["mod", "lib", "main"].includes(parts.at(-1))) parts.pop();
        return [crate, ...parts].join("::");
      }),
  )
  .sort((a, b) => b.length - a.length);

const DATA = "data (string literals, tables)";
// The group an item's bytes count in: the project's module its name first mentions (library
// code copied for one of the project's types is that feature's cost), by file in the page and
// by top module in the model; else the first library crate it names (core, alloc and std by
// their module: core::fmt, alloc::collections); else the glue (wasm-bindgen's shims, compiler
// builtins, the function table, types).
function groupOf(name) {
  if (name.startsWith("data segment")) return DATA;
  const paths = [...name.replace(/\[[0-9a-f]{16}\]/g, "").matchAll(/(?<![\w:])[a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)+/g)];
  const project = paths.map(([found]) => found).find((found) => /^replication_(playground|model)\b/.test(found));
  if (project) {
    const module = modules.find((known) => project === known || project.startsWith(`${known}::`)) ?? project;
    return module.startsWith("replication_model") ? module.split("::").slice(0, 2).join("::") : module;
  }
  const library = paths.map(([found]) => found).find((found) => !/^(core|alloc|std)::/.test(found));
  if (library) return library.split("::")[0];
  if (paths.length > 0) return paths[0][0].split("::").slice(0, 2).join("::");
  return "glue, builtins, tables, types";
}
// The name section and the build's notes: wasm-bindgen drops them from the site's copy.
const shippedItems = twiggy("top").filter((item) => !/subsection$|^custom section/.test(item.name));
const groups = new Map();
for (const item of shippedItems) groups.set(groupOf(item.name), (groups.get(groupOf(item.name)) ?? 0) + item.shallow_size);
const profiled = sum([...groups.values()]);

// A group's gzip weight: the wasm's gzip weight less its weight with that group's function
// bodies (or its data) blanked out; the name section blanked out in both.
const named = fs.readFileSync(namedWasm);
const layout = wasmLayout(named);
const blank = (buffer, ranges) => ranges.forEach(({ start, end }) => buffer.fill(0, start, end));
const unnamed = Buffer.from(named);
blank(unnamed, layout.custom);
const unnamedGzip = gzipSize(unnamed);
function gzipOf(group) {
  const copy = Buffer.from(unnamed);
  blank(copy, group === DATA ? layout.data : layout.bodies.filter(({ name }) => groupOf(name) === group));
  return unnamedGzip - gzipSize(copy);
}
const SHOWN = 30;
const ranked = [...groups].sort((a, b) => b[1] - a[1]);
console.log(
  `the wasm by module (twiggy top of the build before wasm-opt: ${profiled} bytes, ${unnamedGzip} gzip; the site's copy after wasm-opt: ${shipped.length} bytes, ${shippedFile.gzip} gzip):`,
);
console.log(row("", "bytes", "share", "gzip"));
for (const [group, bytes] of ranked.slice(0, SHOWN)) console.log(row(group, bytes, share(bytes, profiled), gzipOf(group)));
const rest = sum(ranked.slice(SHOWN).map(([, bytes]) => bytes));
console.log(row(`the other ${ranked.length - SHOWN} groups`, rest, share(rest, profiled), ""));

console.log("the most copied generic functions (twiggy monos; bytes in all copies, bytes beyond the biggest):");
console.log(row("", "bytes", "beyond", "copies"));
const copied = twiggy("monos").filter((generic) => generic.monomorphizations.length > 0);
for (const generic of copied.slice(0, 12)) {
  const name = generic.generic.length > 64 ? `${generic.generic.slice(0, 61)}...` : generic.generic;
  // twiggy lists ten copies, then "... and N more."
  const copies = sum(generic.monomorphizations.map((copy) => Number(copy.name.match(/^\.\.\. and (\d+) more/)?.[1] ?? 1)));
  console.log(row(name, generic.total_size, generic.approximate_monomorphization_bloat_bytes, copies));
}

// --- the texts --------------------------------------------------------------------------------
// The string literals of each source file that the site's wasm holds, as the compiler stores
// them: escapes decoded, a format string cut at its {} (pieces shorter than SHORTEST are names
// and classes, and could turn up anywhere by chance). A file's texts weigh, gzipped, what the
// wasm's gzip weight loses when they are blanked out.
const SHORTEST = 12;
function literals(source) {
  const found = [];
  const code = source.split(/\n#\[cfg\(test\)\]\nmod tests/)[0];
  for (let at = 0; at < code.length; at++) {
    const ahead = code.slice(at, at + 8);
    if (ahead.startsWith("//")) at = code.indexOf("\n", at) < 0 ? code.length : code.indexOf("\n", at);
    else if (ahead.startsWith("/*")) at = code.indexOf("*/", at) + 1;
    else if (code[at] === "'") {
      // A char literal ('"', '\'') or a lifetime ('a).
      if (code[at + 1] === "\\") at = code.indexOf("'", at + 3);
      else if (code[at + 2] === "'") at += 2;
    } else if (/^r#*"/.test(ahead) && !/\w/.test(code[at - 1] ?? "")) {
      const hashes = ahead.match(/^r(#*)/)[1];
      const end = code.indexOf(`"${hashes}`, at + 2 + hashes.length);
      found.push(code.slice(at + 2 + hashes.length, end));
      at = end + hashes.length;
    } else if (code[at] === '"') {
      let end = at + 1;
      while (code[end] !== '"') end += code[end] === "\\" ? 2 : 1;
      found.push(unescape(code.slice(at + 1, end)));
      at = end;
    }
  }
  return found;
}
function unescape(text) {
  return text.replace(/\\(\n\s*|u\{([0-9a-fA-F]+)\}|x([0-9a-fA-F]{2})|.)/g, (_, escape, unicode, hex) => {
    if (unicode) return String.fromCodePoint(parseInt(unicode, 16));
    if (hex) return String.fromCharCode(parseInt(hex, 16));
    if (escape.startsWith("\n")) return "";
    return { n: "\n", t: "\t", r: "\r", 0: "\0" }[escape] ?? escape;
  });
}
function blankedGzip(pieces) {
  const copy = Buffer.from(shipped);
  for (const bytes of pieces.map((piece) => Buffer.from(piece))) {
    for (let at = copy.indexOf(bytes); at >= 0; at = copy.indexOf(bytes, at + bytes.length)) copy.fill(0, at, at + bytes.length);
  }
  return shippedFile.gzip - gzipSize(copy);
}
const inWasm = (text) => Buffer.byteLength(text) >= SHORTEST && shipped.includes(Buffer.from(text));
const counted = new Set();
const texts = [];
for (const file of ["src", "model/src"].flatMap((dir) => filesUnder(path.join(root, dir))).filter((file) => file.endsWith(".rs"))) {
  const pieces = literals(fs.readFileSync(file, "utf8"))
    .flatMap((literal) => (inWasm(literal) ? [literal] : literal.split(/\{[^{}]*\}/).map((piece) => piece.replaceAll("{{", "{").replaceAll("}}", "}"))))
    .filter((piece) => inWasm(piece) && !counted.has(piece));
  pieces.forEach((piece) => counted.add(piece));
  if (pieces.length > 0) texts.push({ file: path.relative(root, file), bytes: sum(pieces.map((piece) => Buffer.byteLength(piece))), gzip: blankedGzip(pieces) });
}
texts.sort((a, b) => b.gzip - a.gzip);
console.log(
  `texts in the wasm (string literals of ${SHORTEST} bytes or more, by source file): ${sum(texts.map((text) => text.bytes))} of the data's ${groups.get(DATA)} bytes, ${blankedGzip([...counted])} bytes gzip`,
);
console.log(row("", "bytes", "gzip"));
for (const text of texts.slice(0, SHOWN)) console.log(row(text.file, text.bytes, text.gzip));
const others = texts.slice(SHOWN);
console.log(row(`the other ${others.length} files`, sum(others.map((text) => text.bytes)), sum(others.map((text) => text.gzip))));

// Where a wasm's function bodies (named from its name section), data and custom sections lie.
function wasmLayout(wasm) {
  const leb = (at) => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = wasm[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return [value, at];
    }
  };
  const skipLimits = (at) => {
    let [, next] = leb(at + 1);
    if (wasm[at] & 1) [, next] = leb(next);
    return next;
  };
  const layout = { bodies: [], data: [], custom: [] };
  const names = new Map();
  let imported = 0;
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at];
    const [size, start] = leb(at + 1);
    const end = start + size;
    at = end;
    if (id === 2) {
      // Imported functions come first in the numbering the name section uses.
      let [count, next] = leb(start);
      for (let i = 0; i < count; i++) {
        for (const _field of ["module", "name"]) {
          const [length, text] = leb(next);
          next = text + length;
        }
        const kind = wasm[next++];
        if (kind === 0) [, next] = leb(next);
        if (kind === 0) imported++;
        if (kind === 1) next = skipLimits(next + 1);
        if (kind === 2) next = skipLimits(next);
        if (kind === 3) next += 2;
        if (kind === 4) [, next] = leb(next + 1);
      }
    } else if (id === 10) {
      let [count, next] = leb(start);
      for (let i = 0; i < count; i++) {
        const [length, body] = leb(next);
        layout.bodies.push({ index: imported + i, start: body, end: body + length });
        next = body + length;
      }
    } else if (id === 11) {
      layout.data.push({ start, end });
    } else if (id === 0) {
      layout.custom.push({ start, end });
      const [length, text] = leb(start);
      if (wasm.toString("utf8", text, text + length) !== "name") continue;
      for (let next = text + length; next < end; ) {
        const [subsectionSize, content] = leb(next + 1);
        if (wasm[next] === 1) {
          let [count, entry] = leb(content);
          for (let i = 0; i < count; i++) {
            const [index, nameLengthAt] = leb(entry);
            const [nameLength, name] = leb(nameLengthAt);
            names.set(index, wasm.toString("utf8", name, name + nameLength));
            entry = name + nameLength;
          }
        }
        next = content + subsectionSize;
      }
    }
  }
  for (const body of layout.bodies) body.name = names.get(body.index) ?? "";
  return layout;
}

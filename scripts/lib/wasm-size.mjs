// Size report of a wasm module by crate: the bytes of each function's code, attributed to the
// crate its (demangled) name starts with, from the module's name section. Run it on cargo's
// output before wasm-bindgen and wasm-opt (which drop the names), e.g.
//   node scripts/lib/wasm-size.mjs target/wasm32-unknown-unknown/release/kms_web.wasm [top]
// The figures are code bytes before wasm-opt: wasm-opt shrinks every crate's share, and data
// (tables, strings) is not counted; the totals line says how much of the file the code is.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const [path, topArg] = process.argv.slice(2);
if (!path) {
  console.error('usage: node scripts/lib/wasm-size.mjs <module.wasm> [rows]');
  process.exit(2);
}
const top = Number(topArg || 25);
const bytes = readFileSync(path);

function leb(at) {
  let value = 0, shift = 0, byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}
function name(at) {
  const [len, start] = leb(at);
  return [bytes.toString('utf8', start, start + len), start + len];
}

// Sections: imports (function imports shift the indices of defined functions), code (body
// sizes) and the custom "name" section (function names).
let importedFunctions = 0;
const bodies = [];
const names = new Map();
let at = 8;
while (at < bytes.length) {
  const id = bytes[at];
  const [size, start] = leb(at + 1);
  const end = start + size;
  if (id === 2) {
    let [count, p] = leb(start);
    for (let i = 0; i < count; i++) {
      [, p] = name(p);
      [, p] = name(p);
      const kind = bytes[p++];
      if (kind === 0) { [, p] = leb(p); importedFunctions++; } else if (kind === 1) {
        p++; let flags; [flags, p] = leb(p); [, p] = leb(p); if (flags & 1) [, p] = leb(p);
      } else if (kind === 2) {
        let flags; [flags, p] = leb(p); [, p] = leb(p); if (flags & 1) [, p] = leb(p);
      } else if (kind === 3) { p += 2; } else { [, p] = leb(p); }
    }
  } else if (id === 10) {
    let [count, p] = leb(start);
    for (let i = 0; i < count; i++) {
      const [len, body] = leb(p);
      bodies.push(len + (body - p));
      p = body + len;
    }
  } else if (id === 0) {
    const [section, p0] = name(start);
    if (section === 'name') {
      let p = p0;
      while (p < end) {
        const sub = bytes[p];
        const [subSize, subStart] = leb(p + 1);
        if (sub === 1) {
          let [count, q] = leb(subStart);
          for (let i = 0; i < count; i++) {
            let index, text;
            [index, q] = leb(q);
            [text, q] = name(q);
            names.set(index, text);
          }
        }
        p = subStart + subSize;
      }
    }
  }
  at = end;
}
if (names.size === 0) {
  console.error(`${path} has no name section (wasm-bindgen and wasm-opt drop it): use cargo's output`);
  process.exit(1);
}

// rustc's names are mangled (`_ZN4core3fmt5write17h…E`): the first path segment is the crate
// (for an impl block, the crate that has the impl). Demangled names (`core::fmt::write`) work too.
function crateOf(fn) {
  const mangled = /^_ZN(\d+)/.exec(fn);
  if (mangled) {
    const start = mangled[0].length;
    const segment = fn.slice(start, start + Number(mangled[1]));
    // `<serde_json::de::Deserializer<R> as ...>` is `_$LT$serde_json..de..Deserializer...`: the
    // type's crate (references, pointers, `mut` and `dyn` skipped).
    const impl = /^_?\$LT\$(?:\$RF\$|\$BP\$|mut\$u20\$|const\$u20\$|dyn\$u20\$)*([A-Za-z_][A-Za-z0-9_]*)/.exec(segment);
    return impl ? impl[1] : segment;
  }
  const m = /^[<&*\s(]*([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(fn);
  return m ? m[1] : '(C and runtime)';
}
const perCrate = new Map();
let code = 0;
bodies.forEach((size, i) => {
  const crate = crateOf(names.get(importedFunctions + i) || '');
  perCrate.set(crate, (perCrate.get(crate) || 0) + size);
  code += size;
});
const rows = [...perCrate].sort((a, b) => b[1] - a[1]);
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`${path}: ${kb(bytes.length)} (gzip ${kb(gzipSync(bytes, { level: 9 }).length)}, with names), ` +
  `${bodies.length} functions, ${kb(code)} of code`);
console.log(`${'crate'.padEnd(24)} ${'code'.padStart(11)}  share`);
for (const [crate, size] of rows.slice(0, top)) {
  console.log(`${crate.padEnd(24)} ${kb(size).padStart(11)}  ${((100 * size) / code).toFixed(1).padStart(4)}%`);
}
const rest = rows.slice(top).reduce((sum, [, size]) => sum + size, 0);
if (rest) console.log(`${`(${rows.length - top} more)`.padEnd(24)} ${kb(rest).padStart(11)}  ${((100 * rest) / code).toFixed(1).padStart(4)}%`);

// The UI's modules hold together without a build step: every import names something its
// module exports, every `X.name` used on a namespace import exists, no module is left out of
// the app, and no file grows past a few hundred lines. The screens need a webview to run, so
// this reads them as text and checks what node can check.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.(js|css|html)$/.test(e.name) ? [p] : [];
  });
}

const ALL = files(SRC);
const JS = ALL.filter((f) => f.endsWith('.js'));
const source = (f) => readFileSync(f, 'utf8');

/** What each module exports, read from its text (no module is run: some need a DOM). */
function exportsOf(file) {
  const s = source(file);
  const names = new Set();
  for (const m of s.matchAll(/^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([\w$]+)/gm)) names.add(m[1]);
  for (const m of s.matchAll(/^export\s*\{([^}]*)\}/gm)) {
    for (const part of m[1].split(',')) if (part.trim()) names.add(part.trim().split(/\s+as\s+/).pop());
  }
  if (/^export default\b/m.test(s)) names.add('default');
  return names;
}

/** The imports of a module: [{from, names[], ns}]. */
function importsOf(file) {
  const s = source(file);
  const out = [];
  for (const m of s.matchAll(/^import\s+([^;]+?)\s+from\s+'(\.[^']+)';/gm)) {
    const target = resolve(dirname(file), m[2]);
    const spec = m[1].trim();
    const ns = /^\*\s+as\s+([\w$]+)$/.exec(spec);
    if (ns) { out.push({ from: target, names: [], ns: ns[1] }); continue; }
    const names = [];
    const braces = /\{([^}]*)\}/.exec(spec);
    if (braces) for (const p of braces[1].split(',')) if (p.trim()) names.push(p.trim().split(/\s+as\s+/)[0]);
    if (/^[\w$]+/.test(spec) && !spec.startsWith('{')) names.push('default');
    out.push({ from: target, names, ns: null });
  }
  return out;
}

test('every import names an export of an existing module', () => {
  let checked = 0;
  for (const file of JS) {
    for (const imp of importsOf(file)) {
      assert.ok(JS.includes(imp.from), `${relative(SRC, file)} imports a missing ${relative(SRC, imp.from)}`);
      const have = exportsOf(imp.from);
      for (const n of imp.names) {
        assert.ok(have.has(n), `${relative(SRC, file)} imports ${n}, which ${relative(SRC, imp.from)} does not export`);
        checked++;
      }
      if (imp.ns) {
        const used = new Set([...source(file).matchAll(new RegExp(`\\b${imp.ns}\\.([\\w$]+)`, 'g'))].map((m) => m[1]));
        for (const n of used) {
          assert.ok(have.has(n), `${relative(SRC, file)} uses ${imp.ns}.${n}, which ${relative(SRC, imp.from)} does not export`);
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 100, `only ${checked} names checked`);
});

test('every module is reached from app.js, the page’s only script', () => {
  const html = source(join(SRC, 'index.html'));
  assert.deepEqual([...html.matchAll(/<script\b[^>]*src="([^"]+)"/g)].map((m) => m[1]), ['app.js']);
  assert.match(html, /<script type="module" src="app.js">/);
  const seen = new Set();
  const visit = (f) => {
    if (seen.has(f)) return;
    seen.add(f);
    for (const imp of importsOf(f)) visit(imp.from);
  };
  visit(join(SRC, 'app.js'));
  for (const f of JS) assert.ok(seen.has(f), `${relative(SRC, f)} is shipped but never imported`);
});

test('no build step, no framework, no network: only relative imports, no fetch', () => {
  for (const file of JS) {
    const s = source(file);
    for (const m of s.matchAll(/^import\s.*?from\s+'([^']+)'/gm)) assert.match(m[1], /^\.\.?\/.+\.js$/, `${relative(SRC, file)}: ${m[1]}`);
    assert.doesNotMatch(s, /\bfetch\(|XMLHttpRequest|WebSocket|\beval\(|new Function\(/, relative(SRC, file));
  }
});

test('no shipped file is over 400 lines', () => {
  for (const file of ALL) {
    const lines = source(file).split('\n').length;
    assert.ok(lines <= 400, `${relative(SRC, file)} has ${lines} lines`);
  }
});

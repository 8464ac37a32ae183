// P8: the desktop app's start-up time to an interactive PIN screen, and the size of the UI
// it ships. Build, then run under Xvfb (docs/benchmarks.md has the exact lines):
//   cargo build -p shiftlog-app            (or --release, with BENCH_RELEASE=1)
//   xvfb-run -a -s "-screen 0 1280x800x24" node tests/e2e/bench.mjs [runs]
//
// Start-up is measured from the app process's start (its start time in /proc) to the moment
// the page marks itself ready (`body[data-ready]`: the PIN field is focused and takes input,
// after the first round trip to the core). tauri-driver launches the app; its own set-up time
// is outside the measure. Each run is a new process on a fresh profile.

import { readFileSync, readdirSync, mkdtempSync, readlinkSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Session } from './webdriver.mjs';
import { BIN, ROOT, startDriver, cleanup } from './harness.mjs';

const RUNS = Number(process.argv[2] || 7);
// BENCH_RELEASE=1 measures the release build (cargo build --release -p shiftlog-app).
if (process.env.BENCH_RELEASE) BIN.app = BIN.app.replace(`${join('debug', 'shiftlog-app')}`, join('release', 'shiftlog-app'));
const phases = [];
const TICK = 100; // USER_HZ on Linux

function bootTimeMs() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith('btime '));
  return Number(line.split(' ')[1]) * 1000;
}

/** Wall-clock start time (ms) of the newest process running `exe`. */
function newestStart(exe) {
  let best = null;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let link;
    try { link = readlinkSync(`/proc/${pid}/exe`); } catch { continue; }
    if (link !== exe) continue;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = bootTimeMs() + (Number(fields[19]) / TICK) * 1000; // field 22: starttime
    if (best === null || start > best) best = start;
  }
  return best;
}

async function startOnce() {
  const profile = mkdtempSync(join(tmpdir(), 'shiftlog-bench-'));
  const driver = await startDriver(profile);
  const s = await Session.create(driver.base, { browserName: 'wry', 'tauri:options': { application: BIN.app } });
  try {
    await s.waitFor('body[data-ready="true"]', 30000);
    const raw = await s.execute('return [document.body.dataset.readyAt, performance.timeOrigin];');
    const [readyAt, pageAt] = raw.map(Number);
    const started = newestStart(BIN.app);
    phases.push({ toPage: pageAt - started, pageToReady: readyAt - pageAt });
    return readyAt - started;
  } finally {
    await s.close();
    driver.child.kill('SIGTERM');
  }
}

function sizes() {
  const dir = join(ROOT, 'ui', 'src');
  // Every shipped file, in sub-folders too (i18n/), named relative to ui/src.
  const files = readdirSync(dir, { recursive: true }).filter((f) => /\.(js|css|html)$/.test(f)).sort();
  const rows = files.map((f) => {
    const buf = readFileSync(join(dir, f));
    return { file: f, bytes: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  });
  const jsCss = rows.filter((r) => /\.(js|css)$/.test(r.file));
  const all = Buffer.concat(jsCss.map((r) => readFileSync(join(dir, r.file))));
  return { rows, jsCssBytes: all.length, jsCssGzipEach: jsCss.reduce((a, r) => a + r.gzip, 0), jsCssGzipTogether: gzipSync(all, { level: 9 }).length };
}

const times = [];
for (let i = 0; i < RUNS; i += 1) times.push(await startOnce());
cleanup();
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
const sz = sizes();
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`| measure | value | goal | met |
| --- | --- | --- | --- |
| P8 cold start to interactive PIN screen, median of ${RUNS} (first run) | ${median.toFixed(0)} ms (${times[0].toFixed(0)} ms) | < 1 s | ${median < 1000 ? 'yes' : 'no'} |
| P8 cold start, slowest of ${RUNS} | ${sorted[sorted.length - 1].toFixed(0)} ms | | |
| P8 UI JavaScript + CSS shipped, gzip -9 file by file (${kb(sz.jsCssBytes)} raw) | ${kb(sz.jsCssGzipEach)} | < 100 KB | ${sz.jsCssGzipEach < 102400 ? 'yes' : 'no'} |
`);
for (const r of sz.rows) console.log(`| ${r.file} | ${r.bytes} B | ${r.gzip} B gzip |`);
console.log(`\nall runs (ms): ${times.map((t) => t.toFixed(0)).join(', ')}`);
console.log(`process start → page navigation (ms): ${phases.map((p) => p.toPage.toFixed(0)).join(', ')}`);
console.log(`page navigation → PIN screen ready (ms): ${phases.map((p) => p.pageToReady.toFixed(0)).join(', ')}`);
process.exit(0);

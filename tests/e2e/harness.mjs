// Starts the real pieces for an end-to-end run: an organization server on SQLite, a worker
// profile enrolled to it through the CLI, and tauri-driver pointing at the built app.

import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
export const BIN = {
  server: join(TARGET, 'debug', 'shiftlog-server'),
  cli: join(TARGET, 'debug', 'shiftlog'),
  app: join(TARGET, 'debug', 'shiftlog-app')
};
export const OUT = join(ROOT, 'tests', 'e2e', 'out');
mkdirSync(OUT, { recursive: true });

const children = [];
export function cleanup() {
  for (const c of children.reverse()) {
    // tauri-driver runs in a process group of its own with WebKitWebDriver and the app it
    // launched: the whole group goes, so no app outlives its test and holds the runner.
    if (c.group) {
      try { process.kill(-c.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    try { c.kill('SIGTERM'); } catch { /* already gone */ }
  }
}
process.on('exit', cleanup);

export function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

function waitForLine(child, re, ms, what) {
  return new Promise((ok, fail) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`${what} did not start: ${seen}`)), ms);
    const onData = (d) => {
      seen += d.toString();
      const m = seen.match(re);
      if (m) { clearTimeout(timer); ok(m); }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`${what} exited ${code}: ${seen}`)); });
  });
}

/** A server on a free port with the demo organization; returns its URL, code and staff token. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'shiftlog-e2e-server-'));
  const demo = JSON.parse(execFileSync(BIN.server, ['--data-dir', dir, 'init-demo', '--json']).toString());
  const child = spawn(BIN.server, ['--data-dir', dir, 'serve', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const m = await waitForLine(child, /listening on (http:\/\/[\d.]+:\d+)(?=\D)/, 15000, 'shiftlog-server');
  return { url: m[1], dir, child, ...demo };
}

/** Stops the server (its data stays), to play "no signal". */
export async function stopServer(server) {
  if (server.child.exitCode !== null) return;
  const gone = new Promise((ok) => server.child.once('exit', ok));
  server.child.kill('SIGTERM');
  await gone;
}

/** Starts the same server again, on the same address and data: the signal is back. */
export async function restartServer(server) {
  const addr = server.url.replace(/^http:\/\//, '');
  const child = spawn(BIN.server, ['--data-dir', server.dir, 'serve', '--listen', addr], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  await waitForLine(child, /listening on (http:\/\/[\d.]+:\d+)(?=\D)/, 15000, 'shiftlog-server (restart)');
  server.child = child;
}

/** A fresh worker profile enrolled to `server` with the CLI (the same core API as the app). */
export const PIN = '246813';

export function enrolledProfile(server) {
  const dir = mkdtempSync(join(tmpdir(), 'shiftlog-e2e-device-'));
  execFileSync(BIN.cli, ['--data-dir', dir, 'enroll', server.url, server.enrollment_code, '--device-name', 'e2e laptop'], {
    env: { ...process.env, SHIFTLOG_PIN: PIN }
  });
  return dir;
}

/** tauri-driver on a free port, launching the app with the given profile. */
export async function startDriver(profileDir, env = {}) {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = process.env.TAURI_DRIVER || join(homedir(), '.cargo', 'bin', 'tauri-driver');
  const child = spawn(driver, ['--port', String(port), '--native-port', String(nativePort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, SHIFTLOG_DATA_DIR: profileDir, ...env }
  });
  child.group = true;
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  const end = Date.now() + 20000;
  for (;;) {
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error('tauri-driver did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, child };
}

export async function exportCsv(server) {
  const r = await fetch(`${server.url}/api/v1/export/activities.csv`, {
    headers: { authorization: `Bearer ${server.staff_token}` }
  });
  if (!r.ok) throw new Error(`export failed: ${r.status} ${await r.text()}`);
  return r.text();
}

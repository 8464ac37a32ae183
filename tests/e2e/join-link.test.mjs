// Joining from a shiftlog://join link, over TLS with the organization's own certificate: the
// real server serves https itself (--tls-cert/--tls-key) with a self-signed certificate made
// for this run; the real app is started with the dashboard's link as its one argument (as the
// desktop hands a clicked link over on Linux). After the PIN the join screen shows the server
// and the code filled in; joining without the certificate fails, with it (pasted) the screen
// shows the fingerprint the server printed, and the join goes through. A second test clicks a
// link while the app runs: a second launch hands it over (single-instance, over a private
// D-Bus session bus) and ends, and the running app fills the form in.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cleanup, freePort, startDriver } from './harness.mjs';
import { shown, shot } from './app.mjs';
import { Session } from './webdriver.mjs';

after(cleanup);
const servers = [];
after(() => { for (const s of servers) s.kill('SIGKILL'); });

/** A self-signed certificate for localhost and its key, PEM files in `dir`. */
function certificate(dir) {
  const cert = join(dir, 'org.crt');
  const key = join(dir, 'org.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
    // A server certificate, not an authority: `req -x509` makes CA:TRUE by default, which TLS
    // clients refuse as a server's own certificate.
    '-addext', 'basicConstraints=critical,CA:FALSE'], { stdio: 'ignore' });
  const fp = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256']).toString().trim().split('=')[1];
  return { cert, key, pem: readFileSync(cert, 'utf8'), fingerprint: fp };
}

async function tlsServer(dir, tls) {
  const demo = JSON.parse(execFileSync(BIN.server, ['--data-dir', dir, 'init-demo', '--json']).toString());
  const port = await freePort();
  const url = `https://localhost:${port}/`;
  const child = spawn(BIN.server, ['--data-dir', dir, 'serve', '--listen', `127.0.0.1:${port}`,
    '--tls-cert', tls.cert, '--tls-key', tls.key, '--public-url', url], { stdio: ['ignore', 'ignore', 'pipe'] });
  servers.push(child);
  const log = await new Promise((ok, fail) => {
    let seen = '';
    child.stderr.on('data', (d) => { seen += d; if (/listening on https:/.test(seen)) ok(seen); });
    child.on('exit', (c) => fail(new Error(`server exited ${c}: ${seen}`)));
  });
  return { url, code: demo.enrollment_code, log };
}

test('a shiftlog://join link opens the join screen filled in; joining over TLS with the organization\'s certificate', { timeout: 240000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shiftlog-e2e-tls-'));
  const tls = certificate(dir);
  const server = await tlsServer(join(dir, 'server'), tls);
  assert.ok(server.log.includes(tls.fingerprint), 'the server prints the fingerprint the coordinator reads out');
  const link = `shiftlog://join?server=${encodeURIComponent(server.url)}&code=${encodeURIComponent(server.code)}`;

  const profile = mkdtempSync(join(tmpdir(), 'shiftlog-e2e-link-'));
  // No session bus: no OS keystore (the PIN makes the key) and no single-instance hand-over.
  const driver = await startDriver(profile, { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/shiftlog-e2e-bus' });
  const s = await Session.create(driver.base, { browserName: 'wry', 'tauri:options': { application: BIN.app, args: [link] } });
  try {
    await s.waitFor('body[data-ready="true"]', 30000);
    await s.setValue('#lock-lang', 'en');
    assert.equal(await s.text('#lock-title'), 'Choose a PIN');
    await s.type('#pin', '135791');
    await s.click('#unlock-submit');
    await shown(s, '#orgs');
    await shown(s, '#join-from-link');
    const value = (css) => s.execute('return document.querySelector(arguments[0]).value;', [css]);
    assert.equal(await value('#join-server'), server.url);
    assert.equal(await value('#join-code'), server.code);
    await shot(s, 'join-link-filled');

    // Without the certificate this device does not trust the server: nothing joins.
    await s.type('#join-device', 'Link laptop');
    await s.click('#join-submit');
    await shown(s, '#join-error');
    assert.match(await s.text('#join-error'), /does not know its certificate/, 'said as a certificate, not as offline');
    assert.doesNotMatch(await s.text('#orgs-list'), /Demo Harm Reduction Society/);

    // Not a certificate: said so at once.
    await s.click('#join-trust summary');
    await s.setValue('#join-cert', 'hello');
    await shown(s, '#join-cert-error');
    assert.match(await s.text('#join-cert-error'), /BEGIN CERTIFICATE/);

    // The organization's certificate, pasted: its fingerprint is the one the server printed.
    await s.setValue('#join-cert', tls.pem);
    await shown(s, '#join-cert-fp');
    assert.equal(await s.text('#join-cert-fp-value'), tls.fingerprint);
    assert.ok(!(await s.visible('#join-cert-error')));
    await shot(s, 'join-link-certificate');
    await s.click('#join-submit');
    await s.waitUntil(async () => /Demo Harm Reduction Society/.test(await s.text('#orgs-list')), 30000, 'joined over TLS')
      .catch(async (e) => { await shot(s, 'join-link-failed'); throw new Error(`${e.message}: ${await s.text('#join-error').catch(() => '')}`); });
    assert.match(await s.text('#orgs-list'), new RegExp(`Sends to ${server.url.replace(/[.]/g, '\\.')}`));
    assert.ok(!(await s.visible('#join-from-link')), 'the form is back to empty');
    await s.waitUntil(async () => (await s.text('#orgs-list')).includes(tls.fingerprint), 20000, 'the kept certificate on the organization');
    await s.execute('document.querySelector("#orgs-list").scrollIntoView({ block: "start" });');
    await shot(s, 'join-link-org-certificate');
    await shot(s, 'join-link-joined');
  } finally {
    await s.close();
  }
});

/** A private D-Bus session bus with no services to start (no keyring to wait on). */
async function privateBus(dir) {
  const conf = join(dir, 'bus.conf');
  writeFileSync(conf, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>session</type><listen>unix:tmpdir=${dir}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>`);
  const bus = spawn('dbus-daemon', ['--config-file', conf, '--nofork', '--print-address'], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(bus);
  const address = await new Promise((ok, fail) => {
    let seen = '';
    bus.stdout.on('data', (d) => { seen += d; if (seen.includes('\n')) ok(seen.trim()); });
    bus.on('exit', (c) => fail(new Error(`dbus-daemon exited ${c}`)));
  });
  return address;
}

test('a link clicked while the app runs is handed to it and fills the join screen', { timeout: 240000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shiftlog-e2e-bus-'));
  const address = await privateBus(dir);
  const profile = mkdtempSync(join(tmpdir(), 'shiftlog-e2e-running-'));
  const env = { DBUS_SESSION_BUS_ADDRESS: address };
  const driver = await startDriver(profile, env);
  const s = await Session.create(driver.base, { browserName: 'wry', 'tauri:options': { application: BIN.app } });
  try {
    await s.waitFor('body[data-ready="true"]', 30000);
    await s.setValue('#lock-lang', 'en');
    await s.type('#pin', '135791');
    await s.click('#unlock-submit');
    await shown(s, '#orgs');
    const value = (css) => s.execute('return document.querySelector(arguments[0]).value;', [css]);
    assert.equal(await value('#join-server'), '');

    // The desktop runs the app again with the link; it hands the link over and ends.
    const link = 'shiftlog://join?server=https%3A%2F%2Fshiftlog.example.org%2F&code=ABCDE-23456';
    const second = spawn(BIN.app, [link], { env: { ...process.env, SHIFTLOG_DATA_DIR: profile, ...env }, stdio: 'ignore' });
    const code = await new Promise((ok) => {
      const t = setTimeout(() => { second.kill('SIGKILL'); ok('still running'); }, 30000);
      second.on('exit', (c) => { clearTimeout(t); ok(c); });
    });
    assert.equal(code, 0, 'the second launch handed the link over and ended');
    await s.waitUntil(async () => (await value('#join-server')) === 'https://shiftlog.example.org/', 20000, 'the running app to fill the form');
    assert.equal(await value('#join-code'), 'ABCDE-23456');
    assert.ok(await s.visible('#join-from-link'));
    await shot(s, 'join-link-handed-over');
  } finally {
    await s.close();
  }
});

// Joining from a link, and trusting an organization's own certificate (src-tauri/src/join.rs).
//
// A shiftlog://join link opens the join screen with the server and the code filled in (after
// the PIN, if the app was locked); the worker checks them and presses Join. An organization
// that runs its server with its own certificate gives it to the worker (pasted, or picked as
// a file): the screen shows its fingerprint to compare with what the coordinator reads out.

import { $ } from './dom.js';
import { state, invoke, raw, go, fail, tr } from './ctx.js';

/** Fills the join form from a waiting link, if there is one and the app is open. */
export async function openPendingJoinLink() {
  if (state.screen === 'lock' || state.screen === 'pin-change') return;
  const link = await raw('take_join_link').catch(() => null);
  if (!link) return;
  await go('orgs');
  fillJoin(link);
}

function fillJoin(link) {
  $('join-server').value = link.server;
  $('join-code').value = link.code;
  $('join-from-link').hidden = false;
  $('join-form').scrollIntoView({ block: 'start' });
  $('join-device').focus();
}

/** Shows the fingerprint of the certificate in the box, or why it is not one. */
async function showFingerprint() {
  const pem = $('join-cert').value.trim();
  $('join-cert-error').hidden = true;
  $('join-cert-fp').hidden = true;
  if (!pem) return;
  try {
    $('join-cert-fp-value').textContent = await invoke('certificate_fingerprint', { pem });
    $('join-cert-fp').hidden = false;
  } catch (e) {
    fail($('join-cert-error'), e);
  }
}

/** What `join` sends for the certificate: the box's text, or nothing. */
export function joinCertificate() {
  const pem = $('join-cert').value.trim();
  return pem || null;
}

/** After a join: the form starts empty again. */
export function joinDone() {
  $('join-cert').value = '';
  $('join-cert-fp').hidden = true;
  $('join-from-link').hidden = true;
}

export function wireJoin() {
  $('join-cert').addEventListener('input', showFingerprint);
  $('join-cert-file').addEventListener('change', async () => {
    const file = $('join-cert-file').files?.[0];
    if (!file) return;
    // A certificate is a few KiB; anything much bigger is not one.
    $('join-cert').value = file.size > 64 * 1024 ? '' : await file.text();
    $('join-cert-file').value = '';
    await showFingerprint();
  });
  // Phones: scan the dashboard's QR code with the camera (barcode-scanner, only there; not
  // built or tested here — docs/mobile.md).
  const scanner = window.__TAURI__?.barcodeScanner;
  if (scanner) {
    $('join-scan').hidden = false;
    $('join-scan').addEventListener('click', async () => {
      $('join-error').hidden = true;
      try {
        const read = await scanner.scan({ formats: ['QR_CODE'] });
        const link = await raw('read_join_link', { text: read?.content ?? '' });
        if (link) fillJoin(link);
        else fail($('join-error'), { message: tr('join_scan_not_link') });
      } catch (e) {
        fail($('join-error'), e);
      }
    });
  }
  // A link that arrives while the app runs (a second launch hands it over).
  window.__TAURI__?.event?.listen('shiftlog://join-link', () => openPendingJoinLink()).catch(() => {});
}

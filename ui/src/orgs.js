// Organizations: their roles, joining with a code, adding a local one, leaving one.

import * as L from './logic.js';
import { $, h, toast, busy } from './dom.js';
import { state, invoke, tr, fail, loadOrgs } from './ctx.js';
import { refreshStatus } from './status.js';
import { joinCertificate, joinDone } from './join.js';

export async function renderOrgs() {
  try {
    await loadOrgs();
  } catch (e) {
    fail($('fatal'), e);
    return;
  }
  $('orgs-first').hidden = state.orgs.length > 0;
  const items = [];
  for (const o of state.orgs) {
    let cat = null;
    try { cat = await invoke('catalogue', { orgId: o.id }); } catch { /* shown without roles */ }
    // The organization's own certificate, if the worker gave one when joining (join.js).
    const own = o.server_url ? await invoke('organization_certificate', { orgId: o.id }).catch(() => null) : null;
    items.push(h('li', { class: 'card', 'data-org': o.id },
      h('h2', { text: o.name }),
      h('p', { class: 'muted', text: o.server_url ? tr('org_server', { server: o.server_url }) : tr('org_local') }),
      own?.fingerprint ? h('p', { class: 'muted fingerprint', text: tr('org_own_cert', { fingerprint: own.fingerprint }) }) : null,
      cat?.roles?.length ? h('details', { class: 'more' }, h('summary', { text: tr('roles_title') }),
        h('dl', { class: 'roles-list' }, ...cat.roles.map((r) => h('div', {}, h('dt', { text: L.pick(r.title, state.lang) }), h('dd', { text: L.pick(r.expectations, state.lang) }))))) : null,
      o.server_url ? leaveButton(o) : null));
  }
  $('orgs-list').replaceChildren(...items);
}

/**
 * Leave an organization: asks once more; if records were not sent yet, says so (the core's
 * words) and offers to leave anyway. Records always stay on this device.
 */
function leaveButton(org) {
  const msg = h('p', { class: 'error', role: 'alert', hidden: true });
  const b = h('button', { type: 'button', class: 'small danger', 'data-action': 'leave', text: tr('leave') });
  b.addEventListener('click', async () => {
    const stage = b.dataset.stage || 'start';
    if (stage === 'start') {
      b.dataset.stage = 'armed';
      b.textContent = tr('leave_confirm');
      return;
    }
    try {
      await invoke('leave_organization', { orgId: org.id, evenIfUnsent: stage === 'anyway' });
      toast(tr('left', { org: org.name }));
      await renderOrgs();
      refreshStatus();
    } catch (e) {
      fail(msg, e);
      b.dataset.stage = 'anyway';
      b.textContent = tr('leave_anyway');
    }
  });
  return h('div', { class: 'leave' }, msg, b);
}

export async function join(ev) {
  ev.preventDefault();
  $('join-error').hidden = true;
  await busy($('join-submit'), async () => {
    try {
      // With the organization's own certificate when the worker gave one (join.js).
      const org = await invoke('join_organization', {
        server: $('join-server').value,
        code: $('join-code').value,
        deviceName: $('join-device').value || tr('device_name_default'),
        certificate: joinCertificate()
      });
      toast(tr('joined', { org: org.name }));
      $('join-code').value = '';
      joinDone();
      state.orgId = org.id;
    } catch (e) {
      fail($('join-error'), e);
      return;
    }
    await renderOrgs();
    refreshStatus();
  });
}

export async function addLocal(ev) {
  ev.preventDefault();
  $('local-error').hidden = true;
  await busy($('local-submit'), async () => {
    try {
      const org = await invoke('add_local_organization', { name: $('local-name').value });
      toast(tr('added', { org: org.name }));
      $('local-name').value = '';
      if (!state.orgId) state.orgId = org.id;
    } catch (e) {
      fail($('local-error'), e);
      return;
    }
    await renderOrgs();
  });
}

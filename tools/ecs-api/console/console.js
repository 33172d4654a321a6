// SPDX-License-Identifier: GPL-2.0
// The ECS console for encrypted disks: plain JS, no build step.  Every
// change is an ECS action, POST /console/api/<Action>, with the session's
// cookie (HttpOnly: this script never sees it) and its CSRF token (kept in
// this page's memory only).  Pages poll the API to follow states.
'use strict';

const SERVICE_KEY = 'alias/acs/ecs';
const POLL_MS = 1000;
const PAGE_SIZE = 10;
const CATEGORIES = [
  ['cloud_ssd', 'Standard SSD (cloud_ssd)'],
  ['cloud_efficiency', 'Ultra disk (cloud_efficiency)'],
  ['cloud', 'Basic disk (cloud)'],
  ['cloud_essd', 'Enhanced SSD (cloud_essd): not encryptable'],
  ['cloud_auto', 'ESSD AutoPL (cloud_auto): not encryptable'],
];
const DISK_STATUSES = ['Creating', 'Available', 'Attaching', 'In_use',
  'Detaching', 'ReIniting', 'Resetting', 'Deleting'];

const state = { csrf: null, account: null, region: null, regions: [],
  keys: {}, poll: null, pollBusy: false };

// --- DOM helpers: text only, never HTML from data -------------------------
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false)
      continue;
    if (k.startsWith('on'))
      e.addEventListener(k.slice(2), v);
    else if (k === 'text')
      e.textContent = v;
    else
      e.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat())
    if (kid !== null && kid !== undefined && kid !== false)
      e.append(kid instanceof Node ? kid : String(kid));
  return e;
}
const $ = (id) => document.getElementById(id);
let uid = 0;
const newId = (p) => `${p}-${++uid}`;

// A labelled control: <label for> + the control.
function field(labelText, control, hint) {
  control.id = control.id || newId('f');
  const kids = [el('label', { for: control.id, text: labelText }), control];
  if (hint) {
    const h = el('small', { id: newId('h'), class: 'hint', text: hint });
    control.setAttribute('aria-describedby', h.id);
    kids.push(h);
  }
  return el('div', { class: 'field' }, kids);
}

function select(options, value) {
  const s = el('select');
  for (const o of options) {
    const opt = el('option', { value: o.value, disabled: o.disabled, text: o.label });
    s.append(opt);
  }
  if (value !== undefined)
    s.value = value;
  return s;
}

function showAlert(err) {
  const a = $('alert');
  a.replaceChildren();
  if (!err) {
    a.hidden = true;
    return;
  }
  a.hidden = false;
  a.className = err.ok ? 'ok' : 'error';
  if (err.ok) {
    a.append(el('span', { text: err.ok }));
    return;
  }
  a.append(el('strong', { class: 'code', text: err.Code || 'Error' }), ' ',
    el('span', { class: 'message', text: err.Message || String(err) }));
  if (err.RequestId)
    a.append(' ', el('small', { text: `RequestId ${err.RequestId}` }));
}

// --- the server -------------------------------------------------------------
async function post(path, params, withCsrf = true) {
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (withCsrf && state.csrf)
    headers['X-CSRF-Token'] = state.csrf;
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {}))
    if (v !== undefined && v !== null && v !== '')
      body.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  const r = await fetch(path, { method: 'POST', headers, body,
    credentials: 'same-origin', cache: 'no-store' });
  let data = {};
  try {
    data = await r.json();
  } catch (e) {
    data = { Code: 'InternalError', Message: `HTTP ${r.status}` };
  }
  if (!r.ok) {
    const err = Object.assign(new Error(data.Message), data, { status: r.status });
    if (data.Code === 'InvalidSession.NotFound' && state.csrf)
      signedOut(data);
    throw err;
  }
  return data;
}

const api = (action, params) => post(`/console/api/${action}`, params);

// --- sessions ---------------------------------------------------------------
function signedOut(why) {
  state.csrf = null;
  stopPoll();
  $('top').hidden = true;
  $('nav').hidden = true;
  $('page').hidden = true;
  $('signin-page').hidden = false;
  // The form works once this script handles it: never a native submit.
  $('signin-submit').disabled = false;
  if (why)
    showAlert(why);
}

async function signedIn(s) {
  state.csrf = s.CsrfToken;
  state.account = s.AccountId;
  $('who').textContent = `${s.AccessKeyId} (account ${s.AccountId})`;
  $('who').title = `The session ends after ${s.IdleTimeout} s without a request.`;
  $('signin-page').hidden = true;
  $('top').hidden = false;
  $('nav').hidden = false;
  $('page').hidden = false;
  const r = await api('DescribeRegions', {});
  state.regions = r.Regions.Region.map((x) => x.RegionId);
  const sel = $('region');
  sel.replaceChildren(...state.regions.map((id) => el('option', { value: id, text: id })));
  state.region = state.region && state.regions.includes(state.region) ?
    state.region : state.regions[0];
  sel.value = state.region;
  route();
}

async function signIn(ev) {
  ev.preventDefault();
  const ak = $('ak').value.trim();
  const secretInput = $('secret');
  const secret = secretInput.value;
  // The secret leaves the page with this request and is not kept.
  secretInput.value = '';
  try {
    const s = await post('/console/session/signin',
      { AccessKeyId: ak, AccessKeySecret: secret }, false);
    showAlert(null);
    if (!location.hash)
      history.replaceState(null, '', '#disks');
    await signedIn(s);
  } catch (e) {
    showAlert(e);
    secretInput.focus();
  }
}

async function signOut() {
  try {
    await post('/console/session/signout', {});
  } catch (e) { /* signed out either way */ }
  signedOut({ ok: 'Signed out.' });
}

// --- keys -------------------------------------------------------------------
async function kmsKeys(region, fresh) {
  if (!state.keys[region] || fresh) {
    const r = await post('/console/api/ListKmsKeys', { RegionId: region });
    state.keys[region] = r.Keys;
  }
  return state.keys[region];
}

function aliasOf(region, keyId) {
  if (!keyId)
    return '';
  if (keyId === SERVICE_KEY)
    return SERVICE_KEY;
  const k = (state.keys[region] || []).find((x) => x.KeyId === keyId ||
    (x.Aliases || []).includes(keyId));
  return k && k.Aliases && k.Aliases.length ? k.Aliases.join(', ') : '';
}

// The key choice: the service key, then every CMK; only Enabled ones choosable.
function keyOptions(keys) {
  const opts = [{ value: SERVICE_KEY, label: `Service key (${SERVICE_KEY})` }];
  for (const k of keys) {
    const alias = k.Aliases && k.Aliases.length ? k.Aliases.join(', ') : 'no alias';
    const usable = k.KeyState === 'Enabled';
    opts.push({ value: k.KeyId, disabled: !usable,
      label: `${k.KeyId} (${alias}) · ${k.KeyState}${k.Origin === 'EXTERNAL' ? ' · BYOK' : ''}` +
        (usable ? '' : ' · not choosable') });
  }
  return opts;
}

// --- polling ----------------------------------------------------------------
function stopPoll() {
  if (state.poll)
    clearInterval(state.poll);
  state.poll = null;
}

function startPoll(fn) {
  stopPoll();
  const tick = async () => {
    if (state.pollBusy || !state.csrf)
      return;
    state.pollBusy = true;
    try {
      await fn();
    } catch (e) {
      if (e.Code)
        showAlert(e);
    } finally {
      state.pollBusy = false;
    }
  };
  tick();
  state.poll = setInterval(tick, POLL_MS);
}

// Whether @data differs from what @key last showed: a table is rebuilt
// only then, so polling does not take the focus from a control in it.
const shown = new Map();
function changed(key, data) {
  const text = JSON.stringify(data, (k, v) => (k === 'RequestId' ? undefined : v));
  if (shown.get(key) === text)
    return false;
  shown.set(key, text);
  return true;
}

function statusBadge(s) {
  return el('span', { class: `status status-${String(s).toLowerCase()}`, text: s });
}

function page(title, ...kids) {
  const p = $('page');
  p.replaceChildren(el('h1', { id: 'page-title', text: title }), ...kids);
  document.title = `${title} · ECS console`;
  for (const a of document.querySelectorAll('#nav a'))
    if (a.getAttribute('href') === `#${location.hash.slice(1).split('/')[0].split('?')[0]}`)
      a.setAttribute('aria-current', 'page');
    else
      a.removeAttribute('aria-current');
}

function table(caption, headers, rows) {
  return el('table', {},
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, rows.length ? rows :
      el('tr', {}, el('td', { colspan: headers.length, text: 'None.' }))));
}

// --- Disks ------------------------------------------------------------------
async function pageDisks() {
  const f = { status: '', enc: '', number: 1 };
  const status = select([{ value: '', label: 'Any status' },
    ...DISK_STATUSES.map((s) => ({ value: s, label: s }))]);
  const enc = select([{ value: '', label: 'Encrypted or not' },
    { value: 'true', label: 'Encrypted' }, { value: 'false', label: 'Not encrypted' }]);
  const body = el('div', { id: 'disks-table' });
  const prev = el('button', { type: 'button', text: 'Previous page' });
  const next = el('button', { type: 'button', text: 'Next page' });
  const where = el('span', { 'aria-live': 'polite' });
  const refresh = async () => {
    await kmsKeys(state.region).catch(() => []);
    const r = await api('DescribeDisks', { RegionId: state.region,
      Status: f.status || undefined, Encrypted: f.enc || undefined,
      PageNumber: f.number, PageSize: PAGE_SIZE });
    if (!changed('disks', [r, f, state.keys[state.region]]))
      return;
    const pages = Math.max(1, Math.ceil(r.TotalCount / PAGE_SIZE));
    where.textContent = `Page ${f.number} of ${pages} · ${r.TotalCount} disk(s)`;
    prev.disabled = f.number <= 1;
    next.disabled = f.number >= pages;
    body.replaceChildren(table(`Disks in ${state.region}`,
      ['Disk', 'Name', 'Category', 'Size (GiB)', 'Status', 'Encrypted',
        'KMS key ID', 'Key alias', 'Instance'],
      r.Disks.Disk.map((d) => el('tr', { 'data-disk': d.DiskId },
        el('td', {}, el('a', { href: `#disk/${d.DiskId}`, text: d.DiskId })),
        el('td', { text: d.DiskName }),
        el('td', { text: d.Category }),
        el('td', { class: 'num', text: d.Size }),
        el('td', { class: 'disk-status' }, statusBadge(d.Status)),
        el('td', { class: 'disk-encrypted', text: d.Encrypted ? 'Yes' : 'No' }),
        el('td', { class: 'disk-key mono', text: d.KMSKeyId || '—' }),
        el('td', { class: 'disk-alias', text: aliasOf(state.region, d.KMSKeyId) || '—' }),
        el('td', { class: 'disk-instance', text: d.InstanceId || '—' })))));
  };
  status.addEventListener('change', () => { f.status = status.value; f.number = 1; refresh(); });
  enc.addEventListener('change', () => { f.enc = enc.value; f.number = 1; refresh(); });
  prev.addEventListener('click', () => { f.number--; refresh(); });
  next.addEventListener('click', () => { f.number++; refresh(); });
  page('Disks',
    el('div', { class: 'toolbar' }, field('Status', status), field('Encryption', enc),
      el('a', { class: 'button', href: '#create', text: 'Create disk' })),
    body,
    el('div', { class: 'pager' }, prev, where, next));
  startPoll(refresh);
}

// --- Create disk --------------------------------------------------------------
async function pageCreate(params) {
  const keys = await kmsKeys(state.region, true).catch((e) => { showAlert(e); return []; });
  const snaps = (await api('DescribeSnapshots', { RegionId: state.region,
    Status: 'accomplished', PageSize: 100 })).Snapshots.Snapshot;
  const def = await api('DescribeDiskEncryptionByDefaultStatus', { RegionId: state.region });
  const defKey = await api('DescribeDiskDefaultKMSKeyId', { RegionId: state.region });
  const name = el('input', { name: 'DiskName', maxlength: 128 });
  const category = select(CATEGORIES.map(([v, l]) => ({ value: v, label: l })), 'cloud_ssd');
  const size = el('input', { type: 'number', min: 1, max: 32768, value: 20, required: true });
  const snapshot = select([{ value: '', label: 'None: an empty disk' },
    ...snaps.map((s) => ({ value: s.SnapshotId,
      label: `${s.SnapshotId} ${s.SnapshotName ? `(${s.SnapshotName}) ` : ''}· ` +
        `${s.SourceDiskSize} GiB · ${s.Encrypted ? 'encrypted' : 'not encrypted'}` }))],
  params.get('snapshot') || '');
  const encrypted = el('input', { type: 'checkbox', role: 'switch' });
  const key = select(keyOptions(keys), SERVICE_KEY);
  const inherit = el('p', { id: 'inherit', class: 'note', 'aria-live': 'polite' });
  const sync = () => {
    const s = snaps.find((x) => x.SnapshotId === snapshot.value);
    size.disabled = false;
    if (s) {
      // A disk of a snapshot is what the snapshot is: ECS decides, not the form.
      encrypted.checked = s.Encrypted;
      encrypted.disabled = true;
      key.disabled = true;
      if (s.Encrypted && !keyOptions(keys).some((o) => o.value === s.KMSKeyId))
        key.append(el('option', { value: s.KMSKeyId, text: s.KMSKeyId }));
      key.value = s.Encrypted ? s.KMSKeyId : SERVICE_KEY;
      if (Number(size.value) < s.SourceDiskSize)
        size.value = s.SourceDiskSize;
      inherit.textContent = s.Encrypted ?
        `The new disk inherits the snapshot's encryption: encrypted with ${s.KMSKeyId}` +
        `${aliasOf(state.region, s.KMSKeyId) ? ` (${aliasOf(state.region, s.KMSKeyId)})` : ''}.` :
        'The new disk inherits the snapshot\'s encryption: not encrypted.';
    } else {
      encrypted.disabled = false;
      key.disabled = !encrypted.checked;
      inherit.textContent = def.Encrypted ?
        `Encryption by default is on in ${state.region} (key ${defKey.KMSKeyId || SERVICE_KEY}): ` +
        'an unencrypted disk is refused.' : '';
    }
  };
  snapshot.addEventListener('change', sync);
  encrypted.addEventListener('change', sync);
  const submit = el('button', { type: 'submit', text: 'Create disk' });
  const form = el('form', { id: 'create-form', novalidate: true },
    field('Disk name', name),
    field('Category', category),
    field('Size (GiB)', size, 'From 1 to 32768 GiB.'),
    field('Source snapshot', snapshot),
    inherit,
    el('div', { class: 'field switch' },
      el('label', { for: encrypted.id = newId('enc') }, encrypted, ' Encrypted')),
    field('KMS key', key, 'The service key, or a CMK of this region that is Enabled.'),
    submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    try {
      const s = snapshot.value;
      const r = await api('CreateDisk', { RegionId: state.region,
        DiskName: name.value, DiskCategory: category.value, Size: size.value,
        SnapshotId: s || undefined,
        Encrypted: s ? undefined : String(encrypted.checked),
        KMSKeyId: !s && encrypted.checked ? key.value : undefined });
      showAlert({ ok: `Disk ${r.DiskId} is being created.` });
      location.hash = `#disk/${r.DiskId}`;
    } catch (e) {
      showAlert(e);
    } finally {
      submit.disabled = false;
    }
  });
  page('Create disk', form);
  sync();
}

// --- One disk: attach, detach, snapshots ----------------------------------------
async function pageDisk(diskId) {
  const info = el('dl', { id: 'disk-info' });
  const inst = select([]);
  // Usable once the disk's state is known.
  const attach = el('button', { type: 'button', text: 'Attach', disabled: true });
  const detach = el('button', { type: 'button', text: 'Detach', disabled: true });
  const del = el('button', { type: 'button', class: 'danger', text: 'Delete disk',
    disabled: true });
  const snapName = el('input', { maxlength: 128 });
  const snapBtn = el('button', { type: 'submit', text: 'Create snapshot' });
  const snaps = el('div', { id: 'snapshots-table' });
  let disk = null;
  const act = (fn) => async () => {
    try {
      await fn();
      await refresh();
    } catch (e) {
      showAlert(e);
    }
  };
  attach.addEventListener('click', act(async () => {
    await api('AttachDisk', { DiskId: diskId, InstanceId: inst.value });
    showAlert({ ok: `Attaching ${diskId} to ${inst.value}.` });
  }));
  detach.addEventListener('click', act(async () => {
    await api('DetachDisk', { DiskId: diskId, InstanceId: disk.InstanceId });
    showAlert({ ok: `Detaching ${diskId}.` });
  }));
  del.addEventListener('click', act(async () => {
    await api('DeleteDisk', { DiskId: diskId });
    showAlert({ ok: `Deleting ${diskId}.` });
  }));
  const snapForm = el('form', { id: 'snapshot-form' },
    field('Snapshot name', snapName), snapBtn);
  snapForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await api('CreateSnapshot', { DiskId: diskId, SnapshotName: snapName.value });
      showAlert({ ok: `Snapshot ${r.SnapshotId} is being made.` });
      await refresh();
    } catch (e) {
      showAlert(e);
    }
  });
  const instances = (await api('DescribeInstances', { RegionId: state.region,
    PageSize: 100 })).Instances.Instance;
  inst.replaceChildren(...instances.map((i) => el('option', { value: i.InstanceId,
    text: `${i.InstanceId} · ${i.Status}` })));
  const copyRows = new Map();
  const refresh = async () => {
    await kmsKeys(state.region).catch(() => []);
    const r = await api('DescribeDisks', { RegionId: state.region,
      DiskIds: [diskId] });
    disk = r.Disks.Disk[0];
    const s = await api('DescribeSnapshots', { RegionId: state.region, DiskId: diskId,
      PageSize: 100 });
    if (!changed(`disk/${diskId}`, [disk, s]))
      return;
    if (!disk) {
      info.replaceChildren(el('dt', { text: 'Status' }), el('dd', { text: 'Gone' }));
      return;
    }
    const row = (k, v, cls) => [el('dt', { text: k }), el('dd', { class: cls }, v)];
    info.replaceChildren(
      ...row('Status', statusBadge(disk.Status), 'disk-status'),
      ...row('Category', disk.Category),
      ...row('Size', `${disk.Size} GiB`),
      ...row('Encrypted', disk.Encrypted ? 'Yes' : 'No', 'disk-encrypted'),
      ...row('KMS key ID', disk.KMSKeyId || '—', 'disk-key mono'),
      ...row('Key alias', aliasOf(state.region, disk.KMSKeyId) || '—'),
      ...row('Source snapshot', disk.SourceSnapshotId || '—'),
      ...row('Instance', disk.InstanceId ? `${disk.InstanceId} (${disk.Device})` : '—',
        'disk-instance'));
    attach.disabled = disk.Status !== 'Available';
    detach.disabled = disk.Status !== 'In_use';
    del.disabled = disk.Status !== 'Available';
    snaps.replaceChildren(table(`Snapshots of ${diskId}`,
      ['Snapshot', 'Name', 'Status', 'Progress', 'Encrypted', 'KMS key ID', 'Actions'],
      s.Snapshots.Snapshot.map((x) => {
        let copy = copyRows.get(x.SnapshotId);
        if (!copy) {
          copy = copyForm(x);
          copyRows.set(x.SnapshotId, copy);
        }
        const pct = parseInt(x.Progress, 10) || 0;
        return el('tr', { 'data-snapshot': x.SnapshotId },
          el('td', { class: 'mono', text: x.SnapshotId }),
          el('td', { text: x.SnapshotName }),
          el('td', { class: 'snapshot-status' }, statusBadge(x.Status)),
          el('td', {}, el('progress', { max: 100, value: pct,
            'aria-label': `Progress of ${x.SnapshotId}` }), ` ${x.Progress}`),
          el('td', { text: x.Encrypted ? 'Yes' : 'No' }),
          el('td', { class: 'mono', text: x.KMSKeyId || '—' }),
          el('td', {}, x.Status === 'accomplished' ? [
            el('a', { class: 'button', href: `#create?snapshot=${x.SnapshotId}`,
              text: 'Create disk from it' }), copy] : '—'));
      })));
  };
  page(`Disk ${diskId}`, info,
    el('section', { 'aria-labelledby': 'attach-h' },
      el('h2', { id: 'attach-h', text: 'Attach and detach' }),
      el('div', { class: 'toolbar' }, field('Instance', inst), attach, detach, del)),
    el('section', { 'aria-labelledby': 'snap-h' },
      el('h2', { id: 'snap-h', text: 'Snapshots' }), snapForm, snaps));
  startPoll(refresh);
}

// Copy a snapshot to another region, with a key of that region.
function copyForm(snap) {
  const others = state.regions.filter((r) => r !== state.region);
  const region = select(others.map((r) => ({ value: r, label: r })));
  const key = select([]);
  const go = el('button', { type: 'submit', text: 'Copy' });
  const loadKeys = async () => {
    const keys = await kmsKeys(region.value).catch(() => []);
    key.replaceChildren(...keyOptions(keys).map((o) =>
      el('option', { value: o.value, disabled: o.disabled, text: o.label })));
  };
  region.addEventListener('change', loadKeys);
  const form = el('form', { class: 'copy' },
    field('Copy to region', region), field('Key there', key), go);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await api('CopySnapshot', { RegionId: state.region,
        SnapshotId: snap.SnapshotId, DestinationRegionId: region.value,
        Encrypted: 'true', KMSKeyId: key.value });
      showAlert({ ok: `Snapshot copied to ${region.value} as ${r.SnapshotId}.` });
    } catch (e) {
      showAlert(e);
    }
  });
  if (!others.length)
    return el('span', { class: 'hint', text: 'No other region to copy to.' });
  loadKeys();
  return form;
}

// --- Snapshots of the region -------------------------------------------------------
async function pageSnapshots() {
  const body = el('div', { id: 'all-snapshots' });
  page(`Snapshots`, body);
  startPoll(async () => {
    const s = await api('DescribeSnapshots', { RegionId: state.region, PageSize: 100 });
    if (!changed('snapshots', s))
      return;
    body.replaceChildren(table(`Snapshots in ${state.region}`,
      ['Snapshot', 'Name', 'Source disk', 'Status', 'Progress', 'Encrypted', 'KMS key ID'],
      s.Snapshots.Snapshot.map((x) => el('tr', { 'data-snapshot': x.SnapshotId },
        el('td', { class: 'mono', text: x.SnapshotId }),
        el('td', { text: x.SnapshotName }),
        el('td', {}, el('a', { href: `#disk/${x.SourceDiskId}`, text: x.SourceDiskId })),
        el('td', {}, statusBadge(x.Status)),
        el('td', { text: x.Progress }),
        el('td', { text: x.Encrypted ? 'Yes' : 'No' }),
        el('td', { class: 'mono', text: x.KMSKeyId || '—' })))));
  });
}

// --- Encryption by default ----------------------------------------------------------
async function pageEncryption() {
  const keys = await kmsKeys(state.region, true).catch((e) => { showAlert(e); return []; });
  const on = el('input', { type: 'checkbox', role: 'switch', id: 'default-on' });
  const key = select(keyOptions(keys));
  const save = el('button', { type: 'button', text: 'Use this key' });
  const reset = el('button', { type: 'button', text: 'Reset to the service key' });
  const now = el('p', { id: 'default-now', 'aria-live': 'polite' });
  const load = async () => {
    const s = await api('DescribeDiskEncryptionByDefaultStatus', { RegionId: state.region });
    const k = await api('DescribeDiskDefaultKMSKeyId', { RegionId: state.region });
    // No key of its own: the service key.
    const id = k.KMSKeyId || SERVICE_KEY;
    on.checked = s.Encrypted;
    if (!key.querySelector(`option[value="${CSS.escape(id)}"]`))
      key.append(el('option', { value: id, text: id }));
    key.value = id;
    now.textContent = `In ${state.region}, new disks are ${s.Encrypted ? '' : 'not '}` +
      `encrypted by default; the default key is ${id}` +
      `${aliasOf(state.region, id) && aliasOf(state.region, id) !== id ?
        ` (${aliasOf(state.region, id)})` : ''}.`;
  };
  const act = (fn) => async () => {
    try {
      await fn();
      showAlert({ ok: 'Saved.' });
    } catch (e) {
      showAlert(e);
    }
    await load().catch(showAlert);
  };
  on.addEventListener('change', act(() => api(on.checked ?
    'EnableDiskEncryptionByDefault' : 'DisableDiskEncryptionByDefault',
  { RegionId: state.region })));
  save.addEventListener('click', act(() => api('ModifyDiskDefaultKMSKeyId',
    { RegionId: state.region, KMSKeyId: key.value })));
  reset.addEventListener('click', act(() => api('ResetDiskDefaultKMSKeyId',
    { RegionId: state.region })));
  // The controls show the region's state from their first paint.
  await load();
  page('Encryption by default',
    el('div', { class: 'field switch' },
      el('label', { for: on.id }, on, ' Encrypt every new disk in this region')),
    el('div', { class: 'toolbar' }, field('Default key', key), save, reset),
    now);
}

// --- KMS calls ------------------------------------------------------------------------
async function pageKms() {
  const body = el('div', { id: 'kms-usage' });
  page('KMS calls by operation', el('p', { class: 'note', text:
    'What the agents of this account\'s instances called the KMS for, by ECS ' +
    'operation: each agent keeps the count (describe-kms-usage).' }), body);
  startPoll(async () => {
    const r = await api('DescribeKmsUsage', { RegionId: state.region });
    if (!changed('kms', (r.Usage || []).map((u) => [u.InstanceId, u.Operations])))
      return;
    const rows = [];
    for (const u of r.Usage || [])
      for (const [op, v] of Object.entries(u.Operations || {}))
        rows.push(el('tr', {},
          el('td', { text: u.InstanceId }),
          el('td', { text: op }),
          el('td', { class: 'num', text: v.KmsCalls }),
          el('td', { text: Object.entries(v.Actions || {}).map(([a, n]) => `${a}=${n}`).join(' ') || '—' })));
    body.replaceChildren(table(`KMS calls in ${state.region}`,
      ['Instance', 'Operation', 'KMS calls', 'By KMS action'], rows));
  });
}

// --- routing --------------------------------------------------------------------------
function route() {
  if (!state.csrf)
    return;
  stopPoll();
  shown.clear();
  const [path, query] = location.hash.slice(1).split('?');
  const params = new URLSearchParams(query || '');
  const [name, arg] = path.split('/');
  const pages = { disks: pageDisks, create: pageCreate, disk: () => pageDisk(arg),
    snapshots: pageSnapshots, encryption: pageEncryption, kms: pageKms };
  (pages[name] || pageDisks)(params).then(() => $('page-title') && $('main').focus(),
    showAlert);
}

window.addEventListener('hashchange', () => { showAlert(null); route(); });
document.addEventListener('DOMContentLoaded', async () => {
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  $('region').addEventListener('change', () => {
    state.region = $('region').value;
    route();
  });
  try {
    // A reload keeps the session (its cookie); the token is asked again.
    await signedIn(await post('/console/session', {}, false));
  } catch (e) {
    signedOut(null);
  }
});

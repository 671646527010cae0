// The verdict desk in the browser: the index of a run, and the form view
// where the archivist walks the doubts with the keyboard.
//
// Keys on a form: Enter accepts the value in the field (or the correction
// typed into it); Shift+Enter does the same on every form of the file
// that read the same; ↓/↑ (or n/p outside a field) go to the next or
// previous doubt; Escape puts the field back as read; u (outside a field)
// takes back the last verdict; [ and ] go to the previous or next form.
//
// Every value from the documents is set as text (textContent, value),
// never as HTML. Every request carries the run's token.
'use strict';

const TOKEN = document.querySelector('meta[name="jx-token"]').content;
const PARAMS = new URLSearchParams(location.search);

const FIELDS = [
  ['document_title', '文件标题'], ['form_title', '表名'], ['year', '年度'],
  ['project.name', '项目名称'], ['project.nature', '项目性质'], ['project.category', '项目类别'],
  ['project.department', '主管部门'], ['project.implementer', '实施单位'],
  ['project.start_date', '计划开始日期'], ['project.end_date', '计划完成日期'],
  ['funds.project_total.total', '项目资金总额'], ['funds.project_total.fiscal', '其中：财政资金'],
  ['funds.project_total.other', '其他资金'], ['funds.annual.total', '年度资金申请总额'],
  ['funds.annual.appropriation', '当年财政拨款'], ['funds.annual.carryover', '上年结转资金'],
  ['funds.annual.other', '其他资金（年度）'], ['goals.overall', '项目总目标'], ['goals.annual', '年度总体目标'],
];
const ROW_FIELDS = [['level1', '一级指标'], ['level2', '二级指标'], ['name', '三级指标'], ['value', '指标值']];

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

async function api(path, body) {
  const init = { headers: { 'X-Jx-Token': TOKEN } };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(path, init);
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
  return j;
}

function formHref(file, n) {
  return '/form?t=' + encodeURIComponent(TOKEN) + '&f=' + encodeURIComponent(file) + '&n=' + n;
}

// ------------------------------------------------------------------ index

async function indexPage() {
  const v = await api('/api/index');
  const app = document.getElementById('app');
  app.replaceChildren(
    el('header', {},
      el('h1', { text: 'jxingest review' }),
      el('p', { class: 'meta', id: 'counts',
        text: `${v.verified} form(s) verified · ${v.partly} partly · ${v.unverified} unverified · ${v.doubts_left} doubt(s) left` })),
    el('table', { class: 'index' },
      el('thead', {}, el('tr', {}, el('th', { text: 'file' }), el('th', { text: 'status' }), el('th', { text: 'forms' }))),
      el('tbody', {}, ...v.files.map(f => el('tr', {},
        el('td', { text: f.file }),
        el('td', { text: f.status }),
        el('td', {}, ...f.forms.map(x => el('a', { class: 'form', href: formHref(f.file, x.form), 'data-state': x.verification },
          el('span', { class: 'state ' + x.verification, text: x.verification }),
          ` ${String(x.form).padStart(2, '0')} ${x.project || '(no name)'} — ${x.doubts_left} doubt(s) left`))))))));
}

// ------------------------------------------------------------------- form

const desk = { view: null, items: [], current: -1 };

function get(doc, path) {
  const m = /^indicators\[(\d+)\]\.(\w+)$/.exec(path);
  if (m) {
    const row = doc.indicators[+m[1]];
    return m[2] === 'value' ? row.value.text : row[m[2]];
  }
  return path.split('.').reduce((o, k) => (o == null ? null : o[k]), doc);
}

function shown(v) { return v == null ? '' : String(v); }

function machinePath(path) {
  const m = /^indicators\[(\d+)\](.*)$/.exec(path);
  if (!m) return path;
  const origin = desk.view.rows[+m[1]];
  return origin == null ? null : `indicators[${origin}]${m[2]}`;
}

async function formPage(focusAfter) {
  const file = PARAMS.get('f');
  const n = +PARAMS.get('n');
  desk.view = await api('/api/form?f=' + encodeURIComponent(file) + '&n=' + n);
  render();
  const first = desk.items.findIndex((it, i) => i > (focusAfter ?? -1) && it.doubt && !it.settled);
  const any = desk.items.findIndex(it => it.doubt && !it.settled);
  focusItem(first >= 0 ? first : any >= 0 ? any : 0);
}

function render() {
  const v = desk.view;
  const doc = v.document;
  const doubts = new Map();
  for (const d of v.doubts) {
    const list = doubts.get(d.path) || [];
    list.push(d);
    doubts.set(d.path, list);
  }
  desk.items = [];
  const state = doc.verification || 'unverified';
  const left = v.doubts.filter(d => !d.settled).length;
  const at = v.forms.indexOf(v.form);
  const nav = el('nav', {},
    el('a', { href: '/?t=' + encodeURIComponent(TOKEN), text: '← all files' }),
    at > 0 ? el('a', { href: formHref(v.file, v.forms[at - 1]), id: 'prev', text: '[ previous form' }) : null,
    at < v.forms.length - 1 ? el('a', { href: formHref(v.file, v.forms[at + 1]), id: 'next', text: 'next form ]' }) : null);
  const header = el('header', {}, nav,
    el('h1', { text: doc.project.name || '(no project name)' }),
    el('p', { class: 'meta' }, `${v.file} · form ${v.form} of ${v.forms.length} · pages ${doc.source.pages.join(', ')} · `,
      el('span', { class: 'state ' + state, id: 'verification', text: state }),
      el('span', { id: 'left', text: ` · ${left} doubt(s) left · ${(doc.verdicts || []).length} verdict(s)` })),
    el('p', { class: 'keys', text: 'Enter accept / correct · Shift+Enter the same on every form that read it · ↓ ↑ next / previous doubt · Esc put back · u undo · [ ] forms' }));

  const pages = el('section', { class: 'pages' }, ...v.images.map(img => pageFigure(v, img)));
  const parts = el('ul', { class: 'parts' });
  const tbody = el('tbody');
  for (const d of v.doubts) {
    if (isPart(d.path)) parts.append(partItem(d));
  }
  for (const [path, label] of FIELDS) tbody.append(fieldRow(path, label, get(doc, path), doubts.get(path)));
  doc.indicators.forEach((_, i) => {
    for (const [k, label] of ROW_FIELDS) {
      const path = `indicators[${i}].${k}`;
      tbody.append(fieldRow(path, `${i + 1} ${label}`, get(doc, path), doubts.get(path)));
    }
    tbody.append(rowTools(i));
  });
  if (doc.indicators.length === 0) tbody.append(rowTools(-1));
  const side = el('aside', { class: 'side' },
    el('div', { id: 'zoom' }), el('p', { id: 'msg' }), parts,
    el('table', { class: 'fields' }, tbody),
    el('p', {}, el('button', { id: 'undo', onclick: undo, text: 'undo last verdict (u)' })));
  document.getElementById('app').replaceChildren(header, el('main', { class: 'desk' }, pages, side));
}

function isPart(path) { return !FIELDS.some(([p]) => p === path) && !/^indicators\[\d+\]\.\w+$/.test(path); }

function pageFigure(v, img) {
  const fig = el('figure', {}, el('figcaption', { text: 'page ' + img.page }));
  if (!img.available) {
    fig.append(el('p', { class: 'noimage', text: 'No image of this page: run with --review all to draw every form\'s pages.' }));
    return fig;
  }
  const src = '/img?t=' + encodeURIComponent(TOKEN) + '&f=' + encodeURIComponent(v.file) + '&p=' + img.page;
  // The zoom needs the image's size: light the current field again once it is in.
  const image = el('img', { src, alt: 'page ' + img.page, onload: () => { if (desk.current >= 0) light(desk.current, false); } });
  const sheet = el('div', { class: 'sheet', 'data-page': img.page }, image);
  const scale = v.dpi / 72;
  for (const [path, prov] of Object.entries(v.document.provenance || {})) {
    if (prov.page !== img.page) continue;
    const [x0, y0, x1, y1] = prov.bbox;
    const doubt = v.doubts.some(d => !d.settled && machinePath(d.path) === path);
    const box = el('div', { class: 'box' + (doubt ? ' doubt' : ''), 'data-path': path });
    box.style.left = (x0 * scale) + 'px';
    box.style.top = (y0 * scale) + 'px';
    box.style.width = ((x1 - x0) * scale) + 'px';
    box.style.height = ((y1 - y0) * scale) + 'px';
    sheet.append(box);
  }
  fig.append(sheet);
  return fig;
}

function fieldRow(path, label, value, doubts) {
  const open = (doubts || []).filter(d => !d.settled);
  const cls = 'field' + (open.length ? ' doubt' : doubts ? ' settled' : '');
  const input = el('input', { type: 'text', 'data-path': path, 'aria-label': label });
  input.value = shown(value);
  const group = desk.view.groups[path];
  const td = el('td', {}, input,
    ...(doubts || []).map(d => el('div', { class: 'why', text: `${d.settled ? '✓ ' : ''}${d.kind}: ${d.detail}` })),
    group ? el('div', { class: 'group', text: `forms ${group.join(', ')} read the same: Shift+Enter settles them all` }) : null);
  const tr = el('tr', { class: cls, 'data-path': path },
    el('th', {}, el('span', { text: label }), el('span', { class: 'path', text: path })), td);
  const index = desk.items.length;
  desk.items.push({ path, before: value, input, node: tr, doubt: !!doubts, settled: !open.length });
  input.addEventListener('focus', () => light(index));
  return tr;
}

function partItem(d) {
  const index = desk.items.length;
  const li = el('li', { class: d.settled ? 'settled' : 'doubt', tabindex: '0', 'data-path': d.path },
    `${d.settled ? '✓ ' : ''}${d.path === '$' ? 'the whole form' : d.path} — ${d.kind}: ${d.detail} `,
    el('button', { text: 'accept (Enter)', onclick: () => decide(index, false) }));
  li.addEventListener('focus', () => light(index));
  desk.items.push({ path: d.path, before: null, input: null, node: li, doubt: true, settled: d.settled, part: true });
  return li;
}

function rowTools(i) {
  const tools = el('td', { colspan: '2' });
  if (i >= 0) tools.append(el('button', { text: `remove row ${i + 1}`, 'data-remove': i, onclick: () => removeRow(i) }), ' ');
  tools.append(el('button', { text: i >= 0 ? `add a row after ${i + 1}` : 'add a row', 'data-add': i + 1, onclick: () => newRow(tools, i + 1) }));
  return el('tr', { class: 'rowtools' }, tools);
}

function newRow(cell, at) {
  const inputs = ROW_FIELDS.map(([k, label]) => el('input', { type: 'text', placeholder: label, 'data-new': k }));
  const submit = () => {
    const after = {};
    ROW_FIELDS.forEach(([k], j) => { after[k] = inputs[j].value; });
    send({ path: `indicators[${at}]`, before: null, after }, false, -1);
  };
  for (const input of inputs) input.addEventListener('keydown', e => { if (e.key === 'Enter') { e.preventDefault(); e.stopPropagation(); submit(); } });
  cell.replaceChildren(el('div', { class: 'newrow' }, ...inputs, el('button', { text: 'add', onclick: submit })));
  inputs[0].focus();
}

function removeRow(i) {
  const row = desk.view.document.indicators[i];
  const before = { level1: row.level1, level2: row.level2, name: row.name, value: row.value.text };
  send({ path: `indicators[${i}]`, before, after: null }, false, -1);
}

function light(index, scroll = true) {
  desk.current = index;
  const it = desk.items[index];
  for (const n of document.querySelectorAll('.current')) n.classList.remove('current');
  it.node.classList.add('current');
  for (const b of document.querySelectorAll('.box.lit')) b.classList.remove('lit');
  const mp = machinePath(it.path);
  const box = mp && document.querySelector(`.box[data-path="${CSS.escape(mp)}"]`);
  const zoom = document.getElementById('zoom');
  if (!box) { zoom.style.backgroundImage = 'none'; return; }
  box.classList.add('lit');
  if (scroll) box.scrollIntoView({ block: 'center', inline: 'nearest' });
  const img = box.parentElement.querySelector('img');
  const factor = 2;
  const w = img.naturalWidth || img.width;
  const h = img.naturalHeight || img.height;
  const cx = (box.offsetLeft + box.offsetWidth / 2) * factor;
  const cy = (box.offsetTop + box.offsetHeight / 2) * factor;
  zoom.style.backgroundImage = `url("${img.src}")`;
  zoom.style.backgroundSize = `${w * factor}px ${h * factor}px`;
  zoom.style.backgroundPosition = `${zoom.clientWidth / 2 - cx}px ${zoom.clientHeight / 2 - cy}px`;
}

function focusItem(index) {
  const it = desk.items[index];
  if (!it) return;
  if (it.input) { it.input.focus(); it.input.select(); } else it.node.focus();
}

function step(dir) {
  const n = desk.items.length;
  for (let k = 1; k <= n; k++) {
    const i = (desk.current + dir * k + n) % n;
    if (desk.items[i].doubt && !desk.items[i].settled) return focusItem(i);
  }
  say('no doubt left on this form', 'ok');
}

function say(text, cls) {
  const m = document.getElementById('msg');
  m.textContent = text;
  m.className = cls || '';
}

// Accept (the value as read) or correct (the value typed).
function decide(index, group) {
  const it = desk.items[index];
  if (it.part) return send({ path: it.path, before: null, after: null }, false, index);
  const typed = it.input.value;
  const after = typed === shown(it.before) ? it.before : typed;
  return send({ path: it.path, before: it.before, after }, group, index);
}

async function send(body, group, index) {
  const v = desk.view;
  try {
    const r = await api('/api/verdict', { file: v.file, form: v.form, group, ...body });
    await formPage(index);
    say(`${body.path}: settled on form(s) ${r.changed.join(', ')}`, 'ok');
  } catch (e) {
    say(e.message, 'error');
  }
}

async function undo() {
  const v = desk.view;
  try {
    await api('/api/undo', { file: v.file, form: v.form });
    await formPage(desk.current - 1);
    say('the last verdict was taken back', 'ok');
  } catch (e) {
    say(e.message, 'error');
  }
}

function onKey(e) {
  if (!desk.view) return;
  const inField = e.target.tagName === 'INPUT';
  if (e.target.dataset && e.target.dataset.new) return;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    e.preventDefault();
    return step(e.key === 'ArrowDown' ? 1 : -1);
  }
  if (e.key === 'Enter' && (inField || e.target.tagName === 'LI')) {
    e.preventDefault();
    return decide(desk.current, e.shiftKey);
  }
  if (inField) {
    if (e.key === 'Escape') {
      const it = desk.items[desk.current];
      it.input.value = shown(it.before);
      it.input.blur();
    }
    return;
  }
  if (e.key === 'n' || e.key === 'j') step(1);
  else if (e.key === 'p' || e.key === 'k') step(-1);
  else if (e.key === 'u' || (e.key === 'z' && e.ctrlKey)) undo();
  else if (e.key === 'e' && desk.current >= 0) focusItem(desk.current);
  else if (e.key === '[' && document.getElementById('prev')) location.href = document.getElementById('prev').href;
  else if (e.key === ']' && document.getElementById('next')) location.href = document.getElementById('next').href;
}

document.addEventListener('keydown', onKey);
(location.pathname === '/form' ? formPage() : indexPage()).catch(e => {
  document.getElementById('app').replaceChildren(el('p', { class: 'error', id: 'msg', text: e.message }));
});

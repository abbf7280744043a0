// Shared helpers: the API client (the key travels in a header, never a cookie), DOM building
// without innerHTML (every value is text, so a customer id cannot inject markup), and formatting.
const KEY = 'tollgate.key';

export const session = {
  key: () => sessionStorage.getItem(KEY),
  set: (k) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

/** GET or POST JSON with the signed-in key; a 401 signs out. */
export async function api(path, { method = 'GET', body, params } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params || {})) {
    // An array is the parameter repeated (customer=a&customer=b): a value may contain a comma.
    for (const one of Array.isArray(v) ? v : [v]) {
      if (one !== undefined && one !== null && one !== '') url.searchParams.append(k, one);
    }
  }
  const headers = { authorization: 'Bearer ' + (session.key() || '') };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit', cache: 'no-store' });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
  if (!r.ok) {
    const msg = json?.error?.message || json?.detail?.error || text || r.statusText;
    if (r.status === 401) window.dispatchEvent(new CustomEvent('tollgate:unauthorized'));
    throw new ApiError(r.status, typeof msg === 'string' ? msg : JSON.stringify(msg));
  }
  return json;
}

/** A report of /ui/api/report/<name> over the current range and filters. */
export const report = (name, params) => api('/ui/api/report/' + name, { params: { ...range.get(), ...params } });

/** h('td', {class: 'num', dataset: {nanos: 5}}, 'text', child) */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const nf = new Intl.NumberFormat('en-US');
export const num = (n) => nf.format(Number(n || 0));

/** nano-USD as dollars: at least 2 decimals, up to 6 (a cheap call is a fraction of a cent). */
export function usd(nanos) {
  const v = Number(nanos || 0) / 1e9;
  return '$' + v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 });
}
export const pct = (part, whole) => (Number(whole) ? (100 * Number(part) / Number(whole)).toFixed(1) + '%' : '–');

/** A table: columns [{label, value(row) -> text|Node, num, cell(row)->props}], rows; rowProps(row) for tr. */
export function table(id, columns, rows, rowProps) {
  return h('table', { id },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.num ? 'num' : null, scope: 'col' }, c.label)))),
    h('tbody', {}, rows.length === 0
      ? h('tr', {}, h('td', { colspan: String(columns.length), class: 'muted' }, 'Nothing in this range.'))
      : rows.map((r) => h('tr', rowProps ? rowProps(r) : {},
        columns.map((c) => h('td', { class: c.num ? 'num' : null, ...(c.cell ? c.cell(r) : {}) }, c.value(r)))))));
}

export const card = (label, value, props = {}) => h('div', { class: 'card', ...props },
  h('div', { class: 'label' }, label), h('div', { class: 'value' }, value));

export const panel = (title, ...children) => h('section', { class: 'panel' }, title ? h('h2', {}, title) : null, children);

export function errorBox(e) {
  return h('p', { class: 'error', role: 'alert' }, e instanceof ApiError ? `${e.status}: ${e.message}` : String(e));
}

const today = () => new Date().toISOString().slice(0, 10);
const daysAgo = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10);

/** The page-wide date range (UTC days, both inclusive). */
export const range = {
  start: daysAgo(6),
  end: today(),
  get() { return { start: this.start, end: this.end }; },
};

/** 1234567 -> 1.2M */
export function compact(n) {
  return Number(n || 0).toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 });
}

/** A width class (w0..w100) for a share, the CSP allows no inline style attributes. */
export function widthClass(share) {
  const p = Math.max(0, Math.min(100, Math.round((share || 0) * 10) * 10));
  return 'w' + p;
}

// Keys (master key only): create (the key is shown once, with a copy button), list with spend vs
// budget, block / unblock, delete. Everything goes through LiteLLM's management API.
import { api, h, num, panel, table, widthClass, errorBox } from '../lib.js';

const dollars = (v) => (v == null ? '–' : '$' + Number(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 }));

function field(id, label, props = {}) {
  return h('label', { for: id }, label, h('input', { id, name: id, ...props }));
}

export default async function keys({ me }) {
  if (!me.master) return h('p', {}, 'Keys are managed with the master key.');
  const listBox = h('div', { id: 'keys-list' });
  const created = h('div', { id: 'created-key' });
  const message = h('div', { role: 'status' });

  async function load() {
    const all = [];
    for (let page = 1; page <= 20; page++) {
      const r = await api('/key/list', { params: { return_full_object: 'true', size: 100, page } });
      all.push(...r.keys);
      if (page >= r.total_pages) break;
    }
    listBox.replaceChildren(table('keys-table', [
      { label: 'Alias', value: (k) => k.key_alias || '–' },
      { label: 'Key', value: (k) => k.key_name },
      { label: 'Spend', num: true, value: (k) => dollars(k.spend), cell: () => ({ class: 'num spend' }) },
      { label: 'Budget', num: true, value: (k) => dollars(k.max_budget) + (k.budget_duration ? ' / ' + k.budget_duration : '') },
      { label: 'Used', value: (k) => (k.max_budget == null ? '–' : h('div', { class: 'bar', title: (100 * k.spend / k.max_budget).toFixed(1) + '%' },
        h('span', { class: widthClass(k.spend / k.max_budget) + (k.spend >= k.max_budget ? ' over' : '') }))) },
      { label: 'Models', value: (k) => (k.models && k.models.length ? k.models.join(', ') : 'all') },
      { label: 'Limits', value: (k) => [k.rpm_limit && num(k.rpm_limit) + ' rpm', k.tpm_limit && num(k.tpm_limit) + ' tpm',
        k.max_parallel_requests && k.max_parallel_requests + ' parallel'].filter(Boolean).join(', ') || '–' },
      { label: 'Expires', value: (k) => k.expires || 'never' },
      { label: 'State', value: (k) => (k.blocked ? h('span', { class: 'status-bad' }, 'blocked') : 'active') },
      { label: 'Actions', value: (k) => h('span', {},
        h('button', { type: 'button', class: 'secondary', onclick: () => act(k.blocked ? '/key/unblock' : '/key/block', { key: k.token }) },
          k.blocked ? 'Unblock' : 'Block'), ' ',
        h('button', { type: 'button', class: 'danger', onclick: () => {
          if (confirm(`Delete key ${k.key_alias || k.key_name}? Calls with it are refused from then on.`)) act('/key/delete', { keys: [k.token] });
        } }, 'Delete')) },
    ], all, (k) => ({ dataset: { alias: k.key_alias || '', token: k.token } })));
  }

  async function act(path, body) {
    try {
      await api(path, { method: 'POST', body });
      message.replaceChildren();
      await load();
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  const form = h('form', { class: 'stack', id: 'key-form', onsubmit: async (e) => {
    e.preventDefault();
    const v = (id) => form.querySelector('#' + id).value.trim();
    const body = {};
    if (v('k-alias')) body.key_alias = v('k-alias');
    if (v('k-models')) body.models = v('k-models').split(',').map((m) => m.trim()).filter(Boolean);
    if (v('k-budget')) body.max_budget = Number(v('k-budget'));
    if (v('k-budget-duration')) body.budget_duration = v('k-budget-duration');
    if (v('k-duration')) body.duration = v('k-duration');
    for (const [id, name] of [['k-rpm', 'rpm_limit'], ['k-tpm', 'tpm_limit'], ['k-parallel', 'max_parallel_requests']]) {
      if (v(id)) body[name] = Number(v(id));
    }
    try {
      const r = await api('/key/generate', { method: 'POST', body });
      const code = h('code', { id: 'new-key' }, r.key);
      const copy = h('button', { type: 'button', id: 'copy-key', onclick: async () => {
        try { await navigator.clipboard.writeText(r.key); copy.textContent = 'Copied'; } catch { copy.textContent = 'Select and copy'; }
      } }, 'Copy');
      created.replaceChildren(panel('New key — shown once', h('p', {}, 'Copy it now: Tollgate keeps only its hash.'),
        h('div', { class: 'secret' }, code, copy)));
      form.reset();
      message.replaceChildren();
      await load();
      copy.focus();
    } catch (err) {
      message.replaceChildren(errorBox(err));
    }
  } },
  field('k-alias', 'Alias', { placeholder: 'team-laptop' }),
  field('k-models', 'Models (comma-separated, empty = all)'),
  field('k-budget', 'Max budget (USD)', { type: 'number', min: '0', step: 'any' }),
  field('k-budget-duration', 'Budget resets every', { placeholder: '30d, 1h, 1mo' }),
  field('k-duration', 'Expires after', { placeholder: '30d (empty = never)' }),
  field('k-rpm', 'Requests per minute', { type: 'number', min: '1', step: '1' }),
  field('k-tpm', 'Tokens per minute', { type: 'number', min: '1', step: '1' }),
  field('k-parallel', 'Parallel requests', { type: 'number', min: '1', step: '1' }),
  h('button', { type: 'submit', id: 'k-create' }, 'Create key'));
  await load();
  return h('div', {}, h('h1', {}, 'Keys'), panel('Create a key', form), message, created, panel('All keys', listBox));
}

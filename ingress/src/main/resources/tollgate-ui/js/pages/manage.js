// Teams and customers (master key only): create with alias, models (teams), budget, budget period
// and rate limits; list with spend against budget; edit the limits; block / unblock; delete.
// Everything goes through LiteLLM's management API (/team/*, /customer/*).
import { api, h, num, panel, table, widthClass, errorBox } from '../lib.js';

const dollars = (v) => (v == null ? '–' : '$' + Number(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 }));

/** The two kinds of account: their API paths, id field, and where a row keeps its budget and limits. */
const KINDS = {
  team: {
    title: 'Teams', one: 'team', prefix: 't', list: '/team/list', create: '/team/new', update: '/team/update',
    id: (r) => r.team_id, alias: (r) => r.team_alias, limits: (r) => r,
    block: (r) => [r.blocked ? '/team/unblock' : '/team/block', { team_id: r.team_id }],
    remove: (r) => ['/team/delete', { team_ids: [r.team_id] }],
    removeText: (r) => `Delete team ${r.team_alias || r.team_id} and every key of the team?`,
    idField: 'team_id', aliasField: 'team_alias', models: true,
    idLabel: 'Team id (empty = generated)',
  },
  customer: {
    title: 'Customers (end users)', one: 'customer', prefix: 'c', list: '/customer/list', create: '/customer/new',
    update: '/customer/update',
    id: (r) => r.user_id, alias: (r) => r.alias, limits: (r) => r.litellm_budget_table || {},
    block: (r) => [r.blocked ? '/customer/unblock' : '/customer/block', { user_ids: [r.user_id] }],
    remove: (r) => ['/customer/delete', { user_ids: [r.user_id] }],
    removeText: (r) => `Delete customer ${r.alias || r.user_id}? Their budget and limits go with it.`,
    idField: 'user_id', aliasField: 'alias', models: false,
    idLabel: 'Customer id (as callers send it)',
  },
};

function field(id, label, props = {}) {
  return h('label', { for: id }, label, h('input', { id, name: id, ...props }));
}

function limitsText(l) {
  return [l.rpm_limit && num(l.rpm_limit) + ' rpm', l.tpm_limit && num(l.tpm_limit) + ' tpm',
    l.max_parallel_requests && l.max_parallel_requests + ' parallel'].filter(Boolean).join(', ') || '–';
}

function section(kind) {
  const k = KINDS[kind];
  const p = k.prefix;
  const listBox = h('div', { id: kind + 's-list' });
  const message = h('div', { role: 'status', id: kind + '-message' });
  let editing = null; // the id being edited, or null when creating
  const submit = h('button', { type: 'submit', id: p + '-save' }, 'Create ' + k.one);
  const cancel = h('button', { type: 'button', class: 'secondary', id: p + '-cancel', hidden: true, onclick: () => reset() }, 'Cancel');
  const idInput = () => form.querySelector('#' + p + '-id');

  async function load() {
    const rows = [];
    for (let page = 1; page <= 10; page++) {
      const r = await api(k.list, { params: { page, size: 1000 } });
      rows.push(...(r || []));
      if (!r || r.length < 1000) break;
    }
    listBox.replaceChildren(table(kind + '-accounts', [
      { label: 'Id', value: (r) => k.id(r), cell: () => ({ class: 'id' }) },
      { label: 'Alias', value: (r) => k.alias(r) || '–' },
      { label: 'Spend', num: true, value: (r) => dollars(r.spend), cell: () => ({ class: 'num spend' }) },
      { label: 'Budget', num: true, value: (r) => dollars(k.limits(r).max_budget)
        + (k.limits(r).budget_duration ? ' / ' + k.limits(r).budget_duration : ''), cell: () => ({ class: 'num budget' }) },
      { label: 'Used', value: (r) => {
        const max = k.limits(r).max_budget;
        return max == null ? '–' : h('div', { class: 'bar', title: (100 * r.spend / Math.max(max, 1e-9)).toFixed(1) + '%' },
          h('span', { class: widthClass(r.spend / Math.max(max, 1e-9)) + (r.spend >= max ? ' over' : '') }));
      } },
      ...(k.models ? [{ label: 'Models', value: (r) => (r.models && r.models.length ? r.models.join(', ') : 'all') }] : []),
      { label: 'Limits', value: (r) => limitsText(k.limits(r)) },
      { label: 'State', value: (r) => (r.blocked ? h('span', { class: 'status-bad' }, 'blocked') : 'active'), cell: () => ({ class: 'state' }) },
      { label: 'Actions', value: (r) => h('span', { class: 'actions' },
        h('button', { type: 'button', class: 'secondary edit', onclick: () => edit(r) }, 'Edit'), ' ',
        h('button', { type: 'button', class: 'secondary block', onclick: () => act(...k.block(r)) }, r.blocked ? 'Unblock' : 'Block'), ' ',
        h('button', { type: 'button', class: 'danger delete', onclick: () => {
          if (confirm(k.removeText(r))) act(...k.remove(r));
        } }, 'Delete')) },
    ], rows, (r) => ({ dataset: { id: k.id(r), blocked: String(!!r.blocked) } })));
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

  function reset() {
    editing = null;
    form.reset();
    idInput().disabled = false;
    submit.textContent = 'Create ' + k.one;
    cancel.hidden = true;
  }

  function edit(r) {
    editing = k.id(r);
    const l = k.limits(r);
    const set = (id, v) => { form.querySelector('#' + p + '-' + id).value = v == null ? '' : String(v); };
    set('id', k.id(r));
    set('alias', k.alias(r));
    if (k.models) set('models', (r.models || []).join(', '));
    set('budget', l.max_budget);
    set('budget-duration', l.budget_duration);
    set('rpm', l.rpm_limit);
    set('tpm', l.tpm_limit);
    set('parallel', l.max_parallel_requests);
    idInput().disabled = true;
    submit.textContent = 'Save ' + k.one;
    cancel.hidden = false;
    form.querySelector('#' + p + '-alias').focus();
  }

  const form = h('form', { class: 'stack', id: kind + '-form', onsubmit: async (e) => {
    e.preventDefault();
    const v = (id) => form.querySelector('#' + p + '-' + id).value.trim();
    const number = (id) => (v(id) === '' ? null : Number(v(id)));
    // On an edit every limit is sent: an emptied field clears that limit (JSON null).
    const body = {
      [k.aliasField]: v('alias') || null,
      max_budget: number('budget'),
      budget_duration: v('budget-duration') || null,
      rpm_limit: number('rpm'),
      tpm_limit: number('tpm'),
      max_parallel_requests: number('parallel'),
    };
    if (k.models) body.models = v('models').split(',').map((m) => m.trim()).filter(Boolean);
    if (editing != null) body[k.idField] = editing;
    else if (v('id')) body[k.idField] = v('id');
    if (editing == null) for (const key of Object.keys(body)) if (body[key] === null) delete body[key];
    try {
      await api(editing != null ? k.update : k.create, { method: 'POST', body });
      reset();
      message.replaceChildren();
      await load();
    } catch (err) {
      message.replaceChildren(errorBox(err));
    }
  } },
  field(p + '-id', k.idLabel, kind === 'customer' ? { required: true, spellcheck: 'false' } : { spellcheck: 'false' }),
  field(p + '-alias', 'Alias'),
  k.models ? field(p + '-models', 'Models (comma-separated, empty = all)') : null,
  field(p + '-budget', 'Max budget (USD)', { type: 'number', min: '0', step: 'any' }),
  field(p + '-budget-duration', 'Budget resets every', { placeholder: '30d, 1h, 1mo (empty = never)' }),
  field(p + '-rpm', 'Requests per minute', { type: 'number', min: '1', step: '1' }),
  field(p + '-tpm', 'Tokens per minute', { type: 'number', min: '1', step: '1' }),
  field(p + '-parallel', 'Parallel requests', { type: 'number', min: '1', step: '1' }),
  h('div', { class: 'buttons' }, submit, ' ', cancel));

  return {
    load,
    node: h('div', { id: kind + 's' },
      h('h2', { class: 'section' }, k.title),
      panel('Create or edit a ' + k.one, form), message, panel('All ' + k.one + 's', listBox)),
  };
}

export default async function manage({ me }) {
  if (!me.master) return h('p', {}, 'Teams and customers are managed with the master key.');
  const teams = section('team');
  const customers = section('customer');
  await Promise.all([teams.load(), customers.load()]);
  return h('div', {}, h('h1', {}, 'Teams & customers'),
    h('p', { class: 'muted' }, 'Spend is the spend of the current budget period (all time without a reset period). '
      + 'A blocked team or customer has every call refused; a team\'s limits apply to all its keys.'),
    teams.node, customers.node);
}

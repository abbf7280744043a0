// Logs: the spend log, newest first, paged, with filters; a row opens the call's details.
import { report, h, usd, num, panel, table } from '../lib.js';

const FILTERS = [
  ['customer', 'Customer'], ['key_alias', 'Key alias'], ['model', 'Model'], ['tool', 'Tool'], ['tag', 'Tag'],
];
const state = { filters: {}, page: 1 };
const prompt = (r) => Number(r.input_tokens) + Number(r.cache_read_tokens) + Number(r.cache_write_5m_tokens) + Number(r.cache_write_1h_tokens);
const time = (r) => new Date(Number(r.ts_s) * 1000 + Number(r.ts_ms)).toISOString().replace('T', ' ').slice(0, 23);

export function logTable(rows, onOpen) {
  const open = onOpen || ((r) => { location.hash = '#/logs'; sessionStorage.setItem('tollgate.logs.open', r.event_id); });
  return table('logs-table', [
    { label: 'Time (UTC)', value: time },
    { label: 'Customer', value: (r) => r.customer_id || '–', cell: () => ({ class: 'customer' }) },
    { label: 'Key', value: (r) => r.key_alias || r.key_hash.slice(0, 12) },
    { label: 'Model', value: (r) => r.model },
    { label: 'Tool', value: (r) => r.tool || '–' },
    { label: 'Status', value: (r) => h('span', { class: Number(r.status_code) < 400 ? 'status-ok' : 'status-bad' }, String(r.status_code)) },
    { label: 'Tokens in / out', num: true, value: (r) => num(prompt(r)) + ' / ' + num(r.output_tokens) },
    { label: 'Cost', num: true, value: (r) => (Number(r.price_known) ? usd(r.cost_nanos) : 'unpriced'),
      cell: (r) => ({ class: 'num cost', dataset: { nanos: String(r.cost_nanos) } }) },
    { label: 'Duration', num: true, value: (r) => num(r.duration_ms) + ' ms' },
  ], rows, (r) => ({ class: 'clickable', tabindex: '0', dataset: { id: r.event_id }, 'aria-label': 'call ' + r.event_id,
    onclick: () => open(r), onkeydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); open(r); } } }));
}

const SOURCES = {
  header_customer_id: 'the x-litellm-customer-id header',
  header_end_user_id: 'the x-litellm-end-user-id header',
  user_header_mapping: 'a configured user header (general_settings.user_header_mappings)',
  body_user: 'the body\'s "user" field',
  body_litellm_metadata_user: 'the body\'s litellm_metadata.user',
  body_metadata_user_id: 'the body\'s metadata.user_id (Claude Code)',
  body_safety_identifier: 'the body\'s safety_identifier',
  none: 'not identified',
};

function detail(r) {
  const ms = (v) => (v === null || v === undefined ? '–' : num(v) + ' ms');
  const items = [
    ['Request id', r.event_id], ['Time (UTC)', r.time_utc + '.' + String(r.ts_ms).padStart(3, '0')],
    ['Key alias', r.key_alias || '–'], ['Key hash', r.key_hash], ['Team', r.team_id || '–'], ['User', r.user_id || '–'],
    ['Customer', r.customer_id || '–'],
    ['Customer identified by', r.customer_source ? (SOURCES[r.customer_source] || r.customer_source) : '–'],
    ['Tool', r.tool || '–'], ['Tool version', r.tool_version || '–'], ['User agent', r.user_agent || '–'],
    ['Session', r.session_id || '–'], ['API', r.api], ['Provider', r.provider],
    ['Model requested', r.model_requested], ['Model group', r.model_group || '–'], ['Model used', r.model],
    ['Input tokens', num(r.input_tokens)], ['Output tokens', num(r.output_tokens)],
    ['Cache read tokens', num(r.cache_read_tokens)], ['Cache write tokens (5 min)', num(r.cache_write_5m_tokens)],
    ['Cache write tokens (1 h)', num(r.cache_write_1h_tokens)], ['Reasoning tokens', num(r.reasoning_tokens)],
    ['Web searches', num(r.web_search_requests)],
    ['Cost', Number(r.price_known) ? usd(r.cost_nanos) : 'unpriced (model not in the price table)'],
    ['Usage from', r.usage_source + (Number(r.usage_clamped) ? ' (clamped)' : '')],
    ['Duration', ms(r.duration_ms)], ['Time to first token', ms(r.ttft_ms)],
    ['Status', String(r.status_code)], ['Error', r.error_type || '–'],
    ['Streamed', Number(r.streamed) ? 'yes' : 'no'], ['Aborted by client', Number(r.aborted) ? 'yes' : 'no'],
    ['Service tier', r.service_tier || '–'], ['Provider request id', r.upstream_request_id || '–'],
    ['Tags', (r.request_tags || []).join(', ') || '–'], ['Gateway', r.gateway_id],
  ];
  const field = (label) => label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-$/, '');
  return h('dl', { class: 'detail', id: 'log-detail' },
    items.map(([k, v]) => [h('dt', {}, k), h('dd', { dataset: { field: field(k) } }, v)]));
}

export default async function logs() {
  const preset = sessionStorage.getItem('tollgate.logs.customer');
  if (preset !== null) {
    sessionStorage.removeItem('tollgate.logs.customer');
    state.filters = { customer: preset };
    state.page = 1;
  }
  const inputs = Object.fromEntries(FILTERS.map(([k]) => [k, h('input', { id: 'f-' + k, value: state.filters[k] || '' })]));
  const status = h('select', { id: 'f-status' }, h('option', { value: '' }, 'any'), h('option', { value: 'success' }, 'success'),
    h('option', { value: 'error' }, 'error'));
  status.value = state.filters.status || '';
  const results = h('div', { id: 'logs-results' });
  const detailBox = h('div', { id: 'log-detail-box' });

  async function openCall(r) {
    detailBox.replaceChildren(h('p', { class: 'muted' }, 'Loading the call…'));
    const one = await report('log', { id: r.event_id });
    detailBox.replaceChildren(panel('Call details', detail(one.rows[0]),
      h('button', { type: 'button', class: 'secondary', id: 'close-detail', onclick: () => detailBox.replaceChildren() }, 'Close')));
    detailBox.querySelector('button').focus();
  }

  async function load() {
    const page = await report('logs', { ...state.filters, page: state.page, page_size: 50 });
    const pages = Math.max(1, Math.ceil(Number(page.total) / page.page_size));
    results.replaceChildren(
      h('p', { class: 'muted', id: 'logs-total' }, `${num(page.total)} call(s) match; page ${page.page} of ${pages}.`),
      logTable(page.rows, openCall),
      h('div', { class: 'pager' },
        h('button', { type: 'button', class: 'secondary', disabled: state.page <= 1, onclick: () => { state.page--; load(); } }, '← Newer'),
        h('button', { type: 'button', class: 'secondary', disabled: state.page >= pages, onclick: () => { state.page++; load(); } }, 'Older →')));
    results.dataset.loaded = String(Date.now());
  }

  const form = h('form', { class: 'filters', id: 'logs-filters', onsubmit: (e) => {
    e.preventDefault();
    state.filters = Object.fromEntries(FILTERS.map(([k]) => [k, inputs[k].value.trim()]).filter(([, v]) => v));
    if (status.value) state.filters.status = status.value;
    state.page = 1;
    detailBox.replaceChildren();
    load();
  } }, FILTERS.map(([k, label]) => h('label', {}, label, inputs[k])), h('label', {}, 'Status', status),
  h('button', { type: 'submit', id: 'f-apply' }, 'Filter'));
  await load();
  const open = sessionStorage.getItem('tollgate.logs.open');
  if (open) {
    sessionStorage.removeItem('tollgate.logs.open');
    openCall({ event_id: open });
  }
  return h('div', {}, h('h1', {}, 'Logs'),
    h('p', { class: 'note' }, 'Newest first, over the date range above. Click a row (or press Enter on it) for the call.'),
    form, detailBox, panel(null, results));
}

// Usage: totals, spend over time, and spend by customer, model, coding tool, team, tag and key.
import { report, h, usd, num, pct, card, panel, table, compact, widthClass } from '../lib.js';
import { timeChart, dense } from '../chart.js';

const DIMENSIONS = [
  ['customer', 'Customer'], ['model', 'Model'], ['tool', 'Coding tool'],
  ['team', 'Team'], ['tag', 'Tag'], ['key', 'Key'],
];

export function breakdownTable(by, label, rows, total) {
  return table('by-' + by, [
    { label, value: (r) => (r.name === '' ? h('span', { class: 'muted' }, '(none)') : r.name) },
    { label: 'Spend', num: true, value: (r) => usd(r.spend_nanos), cell: (r) => ({ dataset: { nanos: String(r.spend_nanos) } }) },
    { label: 'Share', value: (r) => h('div', { class: 'bar', title: pct(r.spend_nanos, total) },
      h('span', { class: widthClass(Number(r.spend_nanos) / Math.max(1, Number(total))) })) },
    { label: 'Requests', num: true, value: (r) => num(r.requests) },
    { label: 'Success', num: true, value: (r) => pct(r.successes, r.requests) },
    { label: 'Tokens', num: true, value: (r) => compact(Number(r.prompt_tokens) + Number(r.completion_tokens)) },
  ], rows.slice(0, 10), (r) => ({ dataset: { name: r.name } }));
}

export function totalsCards(t) {
  const tokens = Number(t.input_tokens) + Number(t.output_tokens) + Number(t.cache_read_tokens) + Number(t.cache_write_tokens);
  return h('div', { class: 'cards', id: 'totals' },
    card('Spend', usd(t.spend_nanos), { dataset: { nanos: String(t.spend_nanos) }, id: 'total-spend' }),
    card('Requests', num(t.requests), { id: 'total-requests' }),
    card('Success rate', pct(t.successes, t.requests)),
    card('Tokens', compact(tokens), { title: num(tokens) }),
    card('Input / output', compact(t.input_tokens) + ' / ' + compact(t.output_tokens)),
    card('Cache read / write', compact(t.cache_read_tokens) + ' / ' + compact(t.cache_write_tokens)),
    card('Customers', num(t.customers)));
}

export function unpricedBanner(t, where) {
  if (!Number(t.unpriced_requests)) return null;
  return h('p', { class: 'banner', id: 'unpriced', role: 'status' },
    `${num(t.unpriced_requests)} call(s) ${where} had no price (model not in the price table): `
    + 'their spend counts as $0. Add the model to model_list with input_cost_per_token / output_cost_per_token, '
    + 'or to the price table.');
}

export function overTimeChart(sparse) {
  if (!sparse.length) return h('p', { class: 'muted' }, 'No calls in this range.');
  const rows = dense(sparse, ['spend_nanos', 'requests']);
  return timeChart(rows.map((r) => r.bucket), [
    { label: 'Spend', values: rows.map((r) => Number(r.spend_nanos)), format: (v) => usd(v) },
    { label: 'Requests', values: rows.map((r) => Number(r.requests)), format: (v) => compact(v) },
  ], 'spend-chart');
}

export default async function usage({ me }) {
  const [totals, over, ...by] = await Promise.all([
    report('totals'), report('over_time'),
    ...DIMENSIONS.map(([d]) => report('breakdown', { by: d })),
  ]);
  const t = totals.rows[0];
  return h('div', {},
    h('h1', {}, me.master ? 'Usage' : 'Usage of your key'),
    totalsCards(t),
    unpricedBanner(t, 'in this range'),
    panel('Spend over time (UTC)', overTimeChart(over.rows)),
    h('div', { class: 'grid2' }, DIMENSIONS.map(([d, label], i) =>
      panel('By ' + label.toLowerCase(), breakdownTable(d, label, by[i].rows, t.spend_nanos)))));
}

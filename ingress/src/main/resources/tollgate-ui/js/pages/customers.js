// Customers: spend, budget, requests, tokens, success rate, last active; search and multi-select.
import { api, report, h, usd, num, pct, panel, table, compact } from '../lib.js';
import { timeChart, dense } from '../chart.js';

let selected = new Set();

async function budgets(me) {
  if (!me.master) return new Map();
  try {
    const list = await api('/customer/list');
    return new Map((list || []).map((c) => [c.user_id, c]));
  } catch {
    return new Map(); // no management state: budgets are not shown
  }
}

export default async function customers({ me }) {
  const [all, known] = await Promise.all([report('customers'), budgets(me)]);
  const rows = all.rows;
  const search = h('input', { type: 'search', id: 'customer-search', placeholder: 'Search customers', 'aria-label': 'Search customers' });
  const onlySelected = h('input', { type: 'checkbox', id: 'only-selected' });
  const body = h('div', { id: 'customers-body' });
  const chartBox = h('div', {});

  async function drawChart() {
    const ids = [...selected];
    const over = await report('over_time', ids.length ? { customer: ids } : {});
    const rows = dense(over.rows, ['spend_nanos']);
    chartBox.replaceChildren(over.rows.length ? timeChart(rows.map((r) => r.bucket),
      [{ label: ids.length ? 'Spend of selected' : 'Spend, all customers', values: rows.map((r) => Number(r.spend_nanos)), format: usd }],
      'customers-chart') : h('p', { class: 'muted' }, 'No calls in this range.'));
  }

  function draw() {
    const q = search.value.trim().toLowerCase();
    const shown = rows.filter((r) => (!q || r.customer_id.toLowerCase().includes(q))
      && (!onlySelected.checked || selected.has(r.customer_id)));
    body.replaceChildren(table('customers-table', [
      { label: 'Select', value: (r) => h('input', { type: 'checkbox', 'aria-label': 'select ' + r.customer_id,
        checked: selected.has(r.customer_id), onchange: (e) => {
          if (e.target.checked) selected.add(r.customer_id); else selected.delete(r.customer_id);
          drawChart();
        } }) },
      { label: 'Customer', value: (r) => (r.customer_id === ''
        ? h('span', { class: 'muted' }, '(no customer)')
        : h('a', { href: '#/customer/' + encodeURIComponent(r.customer_id) }, r.customer_id)) },
      { label: 'Spend', num: true, value: (r) => usd(r.spend_nanos), cell: (r) => ({ class: 'num spend', dataset: { nanos: String(r.spend_nanos) } }) },
      { label: 'Budget', num: true, value: (r) => {
        const b = known.get(r.customer_id)?.max_budget ?? known.get(r.customer_id)?.litellm_budget_table?.max_budget;
        return b == null ? '–' : '$' + Number(b).toLocaleString('en-US', { maximumFractionDigits: 6 });
      } },
      { label: 'Requests', num: true, value: (r) => num(r.requests), cell: () => ({ class: 'num requests' }) },
      { label: 'Tokens', num: true, value: (r) => compact(r.tokens), cell: (r) => ({ class: 'num', title: num(r.tokens) }) },
      { label: 'Success rate', num: true, value: (r) => pct(r.successes, r.requests) },
      { label: 'Last active (UTC)', value: (r) => r.last_active },
      { label: 'Identified by', value: (r) => r.identified_by || '–' },
    ], shown, (r) => ({ dataset: { customer: r.customer_id } })));
  }

  search.addEventListener('input', draw);
  onlySelected.addEventListener('change', draw);
  draw();
  drawChart();
  return h('div', {},
    h('h1', {}, 'Customers'),
    h('div', { class: 'filters' },
      h('label', {}, 'Search', search),
      h('label', { class: 'inline' }, h('span', {}, 'Only selected'), onlySelected),
      h('button', { type: 'button', class: 'secondary', id: 'clear-selection', onclick: () => { selected = new Set(); draw(); drawChart(); } }, 'Clear selection')),
    panel('Daily spend (selected customers, or all)', chartBox),
    panel(null, h('p', { class: 'muted' }, `${rows.length} customer(s) with calls in this range.`), body));
}

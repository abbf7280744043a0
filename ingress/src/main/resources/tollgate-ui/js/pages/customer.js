// One customer: daily spend, models used, tools used, and their calls.
import { report, h, panel } from '../lib.js';
import { totalsCards, unpricedBanner, overTimeChart, breakdownTable } from './usage.js';
import { logTable } from './logs.js';

export default async function customer({ arg }) {
  const only = { customer: arg };
  const [totals, over, models, tools, calls] = await Promise.all([
    report('totals', only), report('over_time', only), report('breakdown', { ...only, by: 'model' }),
    report('breakdown', { ...only, by: 'tool' }), report('logs', { ...only, page_size: 20 }),
  ]);
  const t = totals.rows[0];
  return h('div', {},
    h('p', {}, h('a', { href: '#/customers' }, '← Customers')),
    h('h1', {}, 'Customer ', h('code', {}, arg)),
    totalsCards(t),
    unpricedBanner(t, 'of this customer'),
    panel('Daily spend (UTC)', overTimeChart(over.rows)),
    h('div', { class: 'grid2' },
      panel('Models used', breakdownTable('model', 'Model', models.rows, t.spend_nanos)),
      panel('Tools used', breakdownTable('tool', 'Coding tool', tools.rows, t.spend_nanos))),
    panel('Latest calls', logTable(calls.rows),
      h('p', {}, h('a', { href: '#/logs', onclick: () => sessionStorage.setItem('tollgate.logs.customer', arg) }, 'All calls of this customer →'))));
}

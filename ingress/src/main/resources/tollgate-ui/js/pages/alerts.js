// Alerts: raised alerts (ClickHouse alerts table) with their deliveries per channel.
import { report, h, usd, panel, table } from '../lib.js';

export default async function alerts() {
  const rows = (await report('alerts')).rows;
  const byId = new Map();
  for (const r of rows) {
    const a = byId.get(r.alert_id) || { alert: null, deliveries: [] };
    if (r.channel === '') a.alert = r; else a.deliveries.push(r);
    if (!a.alert) a.alert = r;
    byId.set(r.alert_id, a);
  }
  const list = [...byId.values()];
  const deliveries = (a) => (a.deliveries.length === 0 ? h('span', { class: 'muted' }, 'none yet')
    : h('ul', {}, a.deliveries.map((d) => h('li', { class: d.status === 'delivered' ? 'status-ok' : 'status-bad' },
      `${d.channel}: ${d.status}` + (Number(d.attempts) > 1 ? ` after ${d.attempts} attempts` : '')
      + (d.error ? ` (${d.error})` : '') + ` at ${d.outcome_at}`))));
  return h('div', {}, h('h1', {}, 'Alerts'),
    panel(null, h('p', { class: 'muted' }, `${list.length} alert(s) raised in this range.`),
      table('alerts-table', [
        { label: 'Raised (UTC)', value: (a) => a.alert.raised_at },
        { label: 'Severity', value: (a) => a.alert.severity },
        { label: 'Rule', value: (a) => a.alert.rule_id + ' (' + a.alert.kind + ')' },
        { label: 'Scope', value: (a) => a.alert.scope + ' ' + a.alert.scope_id },
        { label: 'Period', value: (a) => a.alert.period + ' from ' + a.alert.window_from },
        { label: 'Spend / threshold', num: true, value: (a) => usd(a.alert.alert_spend_nanos) + ' / ' + usd(a.alert.alert_threshold_nanos) },
        { label: 'Message', value: (a) => a.alert.message },
        { label: 'Deliveries', value: deliveries },
      ], list, (a) => ({ dataset: { alert: a.alert.alert_id } }))));
}

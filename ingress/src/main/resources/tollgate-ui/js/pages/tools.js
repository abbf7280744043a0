// Coding tools: cost, successful requests and tokens per tool and version; DAU/WAU/MAU per tool.
import { report, h, usd, num, pct, panel, table, compact } from '../lib.js';

export default async function tools() {
  const [usage, active] = await Promise.all([report('tools'), report('active_users')]);
  const perTool = new Map();
  for (const r of usage.rows) {
    const t = perTool.get(r.tool) || { tool: r.tool, spend_nanos: 0, requests: 0, successes: 0, prompt_tokens: 0, completion_tokens: 0, sessions: 0 };
    for (const k of ['spend_nanos', 'requests', 'successes', 'prompt_tokens', 'completion_tokens', 'sessions']) t[k] += Number(r[k]);
    perTool.set(r.tool, t);
  }
  const name = (t) => (t === '' ? h('span', { class: 'muted' }, '(not a known tool)') : t);
  const end = new Date(active.window_end);
  return h('div', {},
    h('h1', {}, 'Coding tools'),
    panel('Per tool', table('tools-table', [
      { label: 'Tool', value: (r) => name(r.tool) },
      { label: 'Cost', num: true, value: (r) => usd(r.spend_nanos), cell: (r) => ({ dataset: { nanos: String(r.spend_nanos) } }) },
      { label: 'Successful requests', num: true, value: (r) => num(r.successes) },
      { label: 'Success rate', num: true, value: (r) => pct(r.successes, r.requests) },
      { label: 'Tokens in / out', num: true, value: (r) => compact(r.prompt_tokens) + ' / ' + compact(r.completion_tokens) },
      { label: 'Sessions', num: true, value: (r) => num(r.sessions) },
    ], [...perTool.values()].sort((a, b) => b.spend_nanos - a.spend_nanos))),
    panel('Active users per tool', table('active-table', [
      { label: 'Tool', value: (r) => name(r.tool) },
      { label: 'DAU customers', num: true, value: (r) => num(r.dau_customers) },
      { label: 'WAU customers', num: true, value: (r) => num(r.wau_customers) },
      { label: 'MAU customers', num: true, value: (r) => num(r.mau_customers) },
      { label: 'DAU keys', num: true, value: (r) => num(r.dau_keys) },
      { label: 'WAU keys', num: true, value: (r) => num(r.wau_keys) },
      { label: 'MAU keys', num: true, value: (r) => num(r.mau_keys) },
      { label: 'Sessions (30 d)', num: true, value: (r) => num(r.mau_sessions) },
    ], active.rows),
    h('p', { class: 'note', id: 'active-definition' },
      `Rolling windows ending ${end.toISOString().slice(0, 16).replace('T', ' ')} UTC (the end of the date range): `
      + 'DAU = the last 24 hours, WAU = the last 7 days, MAU = the last 30 days. '
      + 'A customer is active when at least one call (any status) carried their customer id; a key is active when '
      + 'at least one call was made with it. Calls without a customer count for keys only. '
      + 'Claude Code sessions are not users: all sessions of one customer (or key) count once; '
      + 'the Sessions column counts distinct session ids over the 30 days.')),
    panel('Per tool version', table('versions-table', [
      { label: 'Tool', value: (r) => name(r.tool) },
      { label: 'Version', value: (r) => r.tool_version || '–' },
      { label: 'Cost', num: true, value: (r) => usd(r.spend_nanos) },
      { label: 'Successful requests', num: true, value: (r) => num(r.successes) },
      { label: 'Requests', num: true, value: (r) => num(r.requests) },
      { label: 'Tokens in / out', num: true, value: (r) => compact(r.prompt_tokens) + ' / ' + compact(r.completion_tokens) },
    ], usage.rows)));
}

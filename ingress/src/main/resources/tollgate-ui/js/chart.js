// Charts through uPlot (served from its webjar at /ui/vendor/uplot/): a time series of one or two
// values. Colours come from the page's CSS variables so light and dark mode both read.
import uPlot from '../vendor/uplot/uPlot.esm.js';
import { h, range } from './lib.js';

/**
 * The report's buckets with every day (or, for a one-day range, every hour) of the range present,
 * zero where there were no calls: a lone day would otherwise stretch the axis over years.
 */
export function dense(rows, fields) {
  const by = new Map(rows.map((r) => [r.bucket, r]));
  const out = [];
  const zero = (bucket) => Object.fromEntries([['bucket', bucket], ...fields.map((f) => [f, 0])]);
  if (range.start === range.end) {
    for (let hour = 0; hour < 24; hour++) {
      const b = `${range.start} ${String(hour).padStart(2, '0')}:00:00`;
      out.push(by.get(b) || zero(b));
    }
    return out;
  }
  for (let d = new Date(range.start + 'T00:00:00Z'); d <= new Date(range.end + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + 1)) {
    const b = d.toISOString().slice(0, 10);
    out.push(by.get(b) || zero(b));
  }
  return out;
}

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

/**
 * @param buckets  'YYYY-MM-DD' or 'YYYY-MM-DD HH:MM:SS' (UTC)
 * @param series   [{label, values, format}]
 */
export function timeChart(buckets, series, id) {
  const box = h('div', { class: 'chart', id });
  const xs = buckets.map((b) => Date.parse(b.length === 10 ? b + 'T00:00:00Z' : b.replace(' ', 'T') + 'Z') / 1000);
  const text = css('--text') || '#333';
  const line = css('--line') || '#ddd';
  const colors = [css('--accent') || '#2563eb', '#d97706'];
  const opts = {
    width: 600, height: 240, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
    series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: colors[i], width: 2, scale: i ? 'y2' : 'y',
      fill: i ? undefined : colors[0] + '22', points: { show: xs.length < 60 }, value: (u, v) => (v == null ? '–' : s.format(v)) }))],
    axes: [{ stroke: text, grid: { stroke: line } },
      { stroke: text, grid: { stroke: line }, values: (u, vs) => vs.map((v) => series[0].format(v)), size: 70 },
      ...(series.length > 1 ? [{ side: 1, scale: 'y2', stroke: text, grid: { show: false },
        values: (u, vs) => vs.map((v) => series[1].format(v)), size: 60 }] : [])],
  };
  let plot = null;
  const draw = () => {
    const w = Math.max(260, box.clientWidth);
    if (!plot) plot = new uPlot({ ...opts, width: w }, [xs, ...series.map((s) => s.values)], box);
    else plot.setSize({ width: w, height: 240 });
  };
  requestAnimationFrame(draw);
  new ResizeObserver(() => plot && draw()).observe(box);
  return box;
}

/** A scenario's outcome as CI systems read it (JUnit XML) and as a person reads it (Markdown). */
import type { ScenarioResult } from './scenario-runner.js';

const xml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

export function junitReport(results: readonly ScenarioResult[]): string {
  const suites = results.map((r) => {
    const failures = r.expectations.filter((e) => !e.passed).length;
    const cases = r.expectations
      .map(
        (e) =>
          `    <testcase classname="${xml(r.name)}" name="${xml(e.name)}" time="0">` +
          (e.passed ? `<system-out>${xml(e.detail)}</system-out>` : `<failure message="${xml(e.detail)}" type="expectation">${xml(e.detail)}</failure>`) +
          '</testcase>',
      )
      .join('\n');
    return `  <testsuite name="${xml(r.name)}" tests="${r.expectations.length}" failures="${failures}" errors="0" time="${r.durationSeconds}">\n${cases}\n  </testsuite>`;
  });
  const tests = results.reduce((n, r) => n + r.expectations.length, 0);
  const failures = results.reduce((n, r) => n + r.expectations.filter((e) => !e.passed).length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="cwmp-agent scenarios" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}

export function markdownReport(r: ScenarioResult): string {
  const rows = r.expectations.map((e) => `| ${e.passed ? 'pass' : '**FAIL**'} | ${e.name} | ${e.detail.replace(/\|/g, '\\|')} |`);
  const fired = Object.entries(r.misbehaviour);
  return [
    `# ${r.name}: ${r.passed ? 'passed' : 'FAILED'}`,
    '',
    `${r.devices} devices against ${r.acs}, ${r.durationSeconds} s; sessions ${r.sessions.ok} ok, ${r.sessions.failed} failed.`,
    '',
    '| verdict | expectation | measured |',
    '| --- | --- | --- |',
    ...rows,
    ...(fired.length ? ['', `Misbehaviour rules fired: ${fired.map(([k, n]) => `${k} ${n}`).join(', ')}.`] : []),
    '',
    `Sessions started per second (peak ${Math.max(0, ...r.timeline.ok.map((n, i) => n + r.timeline.failed[i]!))}): \`${sparkline(r.timeline.ok.map((n, i) => n + r.timeline.failed[i]!))}\``,
    '',
  ].join('\n');
}

const BARS = '▁▂▃▄▅▆▇█';

/** One character per second, its height the count against the run's peak. */
export function sparkline(counts: readonly number[]): string {
  const peak = Math.max(1, ...counts);
  return counts.map((n) => (n === 0 ? ' ' : BARS[Math.min(BARS.length - 1, Math.floor((n / peak) * (BARS.length - 1)))])).join('');
}

/** The same report as a page of its own, with the sessions per second drawn (ok and failed stacked). */
export function htmlReport(results: readonly ScenarioResult[]): string {
  const sections = results.map((r) => {
    const rows = r.expectations
      .map((e) => `<tr class="${e.passed ? 'pass' : 'fail'}"><td>${e.passed ? 'pass' : 'FAIL'}</td><td>${xml(e.name)}</td><td>${xml(e.detail)}</td></tr>`)
      .join('\n');
    const fired = Object.entries(r.misbehaviour);
    return `<section>
<h2>${xml(r.name)}: ${r.passed ? 'passed' : 'FAILED'}</h2>
<p>${r.devices} devices against ${xml(r.acs)}, ${r.durationSeconds} s; sessions ${r.sessions.ok} ok, ${r.sessions.failed} failed.</p>
<table><thead><tr><th>verdict</th><th>expectation</th><th>measured</th></tr></thead><tbody>
${rows}
</tbody></table>
${fired.length ? `<p>Misbehaviour rules fired: ${xml(fired.map(([k, n]) => `${k} ${n}`).join(', '))}.</p>` : ''}
<h3>Sessions started per second</h3>
${sessionsChart(r.timeline)}
</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cwmp-agent scenarios</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}tr.fail td{background:#fdd}svg{border:1px solid #ddd}</style>
</head><body>
<h1>cwmp-agent scenarios</h1>
${overallSummary(results)}
${sections.join('\n')}
</body></html>
`;
}

/** The whole run at a glance, before the scenarios one by one. */
function overallSummary(results: readonly ScenarioResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  const expectations = results.flatMap((r) => r.expectations);
  const sessions = results.reduce((n, r) => ({ ok: n.ok + r.sessions.ok, failed: n.failed + r.sessions.failed }), { ok: 0, failed: 0 });
  const verdict = passed === results.length ? 'PASSED' : 'FAILED';
  const list = results.map((r) => `<li class="${r.passed ? 'pass' : 'fail'}">${r.passed ? 'passed' : 'FAILED'}: ${xml(r.name)}</li>`).join('');
  return `<section class="summary">
<h2 class="${verdict === 'PASSED' ? 'pass' : 'fail'}">${verdict}: ${passed} of ${results.length} scenarios passed</h2>
<p>${expectations.filter((e) => e.passed).length} of ${expectations.length} expectations met; sessions ${sessions.ok} ok, ${sessions.failed} failed.</p>
<ul>${list}</ul>
</section>`;
}

/** Sessions started per second as stacked bars (ok, failed), with both axes labelled and a legend. */
function sessionsChart(t: ScenarioResult['timeline']): string {
  const plot = { left: 48, right: 12, top: 26, bottom: 40, width: 600, height: 140 };
  const width = plot.left + plot.width + plot.right;
  const height = plot.top + plot.height + plot.bottom;
  const n = Math.max(1, t.ok.length);
  const peak = Math.max(1, ...t.ok.map((v, i) => v + t.failed[i]!));
  const bar = plot.width / n;
  const baseline = plot.top + plot.height;
  const rects = t.ok
    .map((ok, i) => {
      const failed = t.failed[i]!;
      const hOk = (ok / peak) * plot.height;
      const hFailed = (failed / peak) * plot.height;
      const x = (plot.left + i * bar).toFixed(1);
      const w = Math.max(1, bar - 1).toFixed(1);
      return (
        `<rect class="ok" x="${x}" y="${(baseline - hOk).toFixed(1)}" width="${w}" height="${hOk.toFixed(1)}" fill="#4a8"><title>second ${i + 1}: ${ok} ok, ${failed} failed</title></rect>` +
        (failed ? `<rect class="failed" x="${x}" y="${(baseline - hOk - hFailed).toFixed(1)}" width="${w}" height="${hFailed.toFixed(1)}" fill="#d44"/>` : '')
      );
    })
    .join('');
  const yTicks = [0, Math.round(peak / 2), peak]
    .map((v) => {
      const y = (baseline - (v / peak) * plot.height).toFixed(1);
      return `<line x1="${plot.left - 4}" y1="${y}" x2="${plot.left}" y2="${y}" stroke="#888"/><text class="y-tick" x="${plot.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="11">${v}</text>`;
    })
    .join('');
  const xTicks = [0, Math.floor(n / 2), n]
    .map((s) => {
      const x = (plot.left + s * bar).toFixed(1);
      return `<line x1="${x}" y1="${baseline}" x2="${x}" y2="${baseline + 4}" stroke="#888"/><text class="x-tick" x="${x}" y="${baseline + 16}" text-anchor="middle" font-size="11">${s} s</text>`;
    })
    .join('');
  const axes =
    `<line x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${baseline}" stroke="#888"/>` +
    `<line x1="${plot.left}" y1="${baseline}" x2="${plot.left + plot.width}" y2="${baseline}" stroke="#888"/>` +
    `<text class="x-label" x="${plot.left + plot.width / 2}" y="${height - 6}" text-anchor="middle" font-size="12">seconds from the start</text>` +
    `<text class="y-label" transform="translate(12 ${plot.top + plot.height / 2}) rotate(-90)" text-anchor="middle" font-size="12">sessions / s</text>`;
  const legend =
    // Above the plot, so that no bar hides it.
    `<rect x="${plot.left + plot.width - 150}" y="6" width="10" height="10" fill="#4a8"/><text x="${plot.left + plot.width - 136}" y="15" font-size="11">ok</text>` +
    `<rect x="${plot.left + plot.width - 100}" y="6" width="10" height="10" fill="#d44"/><text x="${plot.left + plot.width - 86}" y="15" font-size="11">failed</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="sessions started per second, peak ${peak}">${axes}${yTicks}${xTicks}${rects}${legend}</svg>`;
}

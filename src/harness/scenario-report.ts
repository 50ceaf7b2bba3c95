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
${sections.join('\n')}
</body></html>
`;
}

function sessionsChart(t: ScenarioResult['timeline']): string {
  const width = 600;
  const height = 120;
  const n = t.ok.length;
  const peak = Math.max(1, ...t.ok.map((v, i) => v + t.failed[i]!));
  const bar = width / n;
  const rects = t.ok
    .map((ok, i) => {
      const failed = t.failed[i]!;
      const hOk = (ok / peak) * (height - 10);
      const hFailed = (failed / peak) * (height - 10);
      const x = (i * bar).toFixed(1);
      const w = Math.max(1, bar - 1).toFixed(1);
      return (
        `<rect class="ok" x="${x}" y="${(height - hOk).toFixed(1)}" width="${w}" height="${hOk.toFixed(1)}" fill="#4a8"><title>second ${i + 1}: ${ok} ok, ${failed} failed</title></rect>` +
        (failed ? `<rect class="failed" x="${x}" y="${(height - hOk - hFailed).toFixed(1)}" width="${w}" height="${hFailed.toFixed(1)}" fill="#d44"/>` : '')
      );
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="sessions started per second, peak ${peak}">${rects}</svg>`;
}

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
    ...(fired.length ? ['', 'Misbehaviour rules fired: ' + fired.map(([k, n]) => `${k} ${n}`).join(', ') + '.'] : []),
    '',
  ].join('\n');
}

/** The HTML scenario report: the overall verdict first, then each scenario with a chart whose axes say what they measure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlReport } from '../../src/harness/scenario-report.js';
import type { ScenarioResult } from '../../src/harness/scenario-runner.js';

const result = (name: string, passed: boolean): ScenarioResult => ({
  name,
  passed,
  acs: 'the bundled test ACS',
  devices: 10,
  durationSeconds: 20,
  sessions: { ok: 40, failed: passed ? 0 : 3 },
  timeline: { ok: Array.from({ length: 20 }, (_v, i) => (i % 5) + 1), failed: Array.from({ length: 20 }, (_v, i) => (passed || i !== 7 ? 0 : 3)) },
  misbehaviour: {},
  expectations: [
    { name: 'sessions succeed', passed, detail: passed ? '100 %' : '93 %' },
    { name: 'every device bootstraps', passed: true, detail: '10 of 10' },
  ],
  measurements: [],
});

test('the report opens with the overall verdict and counts, then the scenarios; charts have labelled axes and a legend', () => {
  const html = htmlReport([result('zero-touch', true), result('storm', false)]);
  const summary = html.indexOf('class="summary"');
  assert.ok(summary > 0 && summary < html.indexOf('<h2>zero-touch'), 'the summary comes before the scenarios');
  assert.match(html, /FAILED: 1 of 2 scenarios passed/);
  assert.match(html, /3 of 4 expectations met; sessions 80 ok, 3 failed/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2);
  assert.match(html, /class="x-label"[^>]*>seconds from the start</);
  assert.match(html, /class="y-label"[^>]*>sessions \/ s</);
  assert.match(html, /class="y-tick"[^>]*>5</, 'the peak is on the y axis');
  assert.match(html, /class="x-tick"[^>]*>20 s</, 'the end is on the x axis');
  assert.match(html, />ok<\/text>.*>failed<\/text>/s, 'a legend');
  assert.match(htmlReport([result('a', true)]), /PASSED: 1 of 1 scenarios passed/);
});

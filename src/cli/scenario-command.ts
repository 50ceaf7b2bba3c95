/** `cwmp-agent scenario FILE...`: runs scenarios, prints a verdict per expectation, exits 0 (all passed), 1 (one failed) or 2 (a scenario is wrong). */
import fs from 'node:fs';
import path from 'node:path';
import { loadProfile, type Profile } from '../fleet/profile.js';
import { parseScenario, ScenarioError, type Scenario } from '../harness/scenario-schema.js';
import { htmlReport, junitReport, markdownReport } from '../harness/scenario-report.js';
import { runScenario, type ScenarioResult } from '../harness/scenario-runner.js';

export interface ScenarioFlags {
  acsUrl?: string;
  acsUsername?: string;
  acsPassword?: string;
  junit?: string;
  report?: string;
  crPort?: number;
}

export async function runScenarios(files: string[], flags: ScenarioFlags): Promise<number> {
  // Every file is checked before anything starts.
  const scenarios: Scenario[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      process.stderr.write(`cwmp-agent scenario: cannot read ${file}: ${(err as Error).message}\n`);
      return 2;
    }
    try {
      scenarios.push(parseScenario(text, file));
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      process.stderr.write(`cwmp-agent scenario: ${err.message}\n`);
      return 2;
    }
  }
  // What a run needs is checked before any runs: its profiles (loaded once, here), and that its reports can be written.
  const profiles: Profile[] = [];
  for (const s of scenarios) {
    try {
      profiles.push(loadProfile(s.profile));
    } catch (err) {
      process.stderr.write(`cwmp-agent scenario: ${s.name}: profile ${JSON.stringify(s.profile)}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  for (const [flag, file] of [
    ['--junit', flags.junit],
    ['--report', flags.report],
  ] as const) {
    const problem = file === undefined ? undefined : unwritable(file);
    if (problem) {
      process.stderr.write(`cwmp-agent scenario: ${flag} ${file}: ${problem}\n`);
      return 2;
    }
  }
  const results: ScenarioResult[] = [];
  for (const [i, s] of scenarios.entries()) {
    process.stdout.write(`scenario: ${s.name}\n`);
    const r = await runScenario(s, { ...flags, profile: profiles[i], log: (line) => process.stdout.write(`  ${line}\n`) });
    for (const e of r.expectations) process.stdout.write(`  ${e.passed ? 'pass' : 'FAIL'}  ${e.name}: ${e.detail}\n`);
    process.stdout.write(`  ${r.passed ? 'passed' : 'FAILED'} (${r.durationSeconds} s)\n`);
    results.push(r);
  }
  try {
    if (flags.junit) fs.writeFileSync(flags.junit, junitReport(results));
    // A .html report is a page with the sessions per second drawn; anything else is Markdown.
    if (flags.report) fs.writeFileSync(flags.report, /\.html?$/i.test(flags.report) ? htmlReport(results) : results.map(markdownReport).join('\n'));
  } catch (err) {
    process.stderr.write(`cwmp-agent scenario: the report could not be written: ${(err as Error).message}\n`);
    return 2;
  }
  return results.every((r) => r.passed) ? 0 : 1;
}

/** Why `file` cannot be written (its folder missing or read-only, a folder of that name), or undefined. */
function unwritable(file: string): string | undefined {
  try {
    if (fs.existsSync(file)) {
      if (fs.statSync(file).isDirectory()) return 'is a folder';
      fs.accessSync(file, fs.constants.W_OK);
    } else {
      fs.accessSync(path.dirname(path.resolve(file)), fs.constants.W_OK);
    }
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EROFS' ? 'cannot be written here' : (err as Error).message;
  }
}

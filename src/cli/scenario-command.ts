/**
 * `cwmp-agent scenario FILE...`: runs scenarios, prints a verdict per expectation, exits 0 (all
 * passed), 1 (one failed) or 2 (a scenario is wrong). With `--shard I/N` it runs part I of N of
 * the devices and writes what it measured (`--result FILE`); `cwmp-agent scenario merge
 * RESULT...` judges the parts as one run, exiting 3 when a part is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadProfile, type Profile } from '../fleet/profile.js';
import { parseScenario, ScenarioError, type Scenario } from '../harness/scenario-schema.js';
import { htmlReport, junitReport, markdownReport } from '../harness/scenario-report.js';
import { runScenario, type ScenarioResult, type ScenarioRunOptions } from '../harness/scenario-runner.js';
import { ConfigError, loadConfig } from '../assembly/config.js';
import { uspSettings } from '../assembly/assemble-device.js';
import { parseShard } from '../fleet/identity-template.js';
import { MergeError, mergeShardResults, readShardResult, shardResultFile, type ShardResultFile } from '../harness/scenario-shards.js';

export interface ScenarioFlags {
  acsUrl?: string;
  acsUsername?: string;
  acsPassword?: string;
  junit?: string;
  report?: string;
  crPort?: number;
  /** "I/N": this process's part of every scenario's devices. */
  shard?: string;
  /** Where to write what was measured, for `scenario merge`. */
  result?: string;
  /** The USP Controller under test, for usp and both scenarios (else the bundled one). */
  uspMqttUrl?: string;
  uspWsUrl?: string;
  uspControllerId?: string;
  uspControllerTopic?: string;
}

/** The USP Controller the flags name, checked as `run` checks them; undefined: the bundled one. */
function uspTarget(flags: ScenarioFlags): ScenarioRunOptions['usp'] {
  if (flags.uspMqttUrl === undefined && flags.uspWsUrl === undefined) return undefined;
  const { uspMqttUrl, uspWsUrl, uspControllerId, uspControllerTopic } = flags;
  const s = uspSettings(loadConfig(undefined, { uspMqttUrl, uspWsUrl, uspControllerId, uspControllerTopic }));
  if (!s || s.transport === 'none') return undefined;
  return { url: s.url, transport: s.transport, controller: s.controller, version: s.version, ...(s.tls ? { tls: s.tls } : {}) };
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
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  if (flags.shard !== undefined && !shard) {
    process.stderr.write(`cwmp-agent scenario: --shard ${flags.shard}: expected I/N with 0 <= I < N\n`);
    return 2;
  }
  if (shard && !flags.result) {
    process.stderr.write('cwmp-agent scenario: --shard needs --result FILE: a part is judged with the others by `scenario merge`\n');
    return 2;
  }
  if (!reportsWritable({ ...flags, ...(flags.result ? { '--result': flags.result } : {}) })) return 2;
  let usp: ScenarioRunOptions['usp'];
  try {
    usp = uspTarget(flags);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`cwmp-agent scenario: ${err.message}\n`);
    return 2;
  }
  const results: ScenarioResult[] = [];
  const parts: ShardResultFile['scenarios'] = [];
  for (const [i, s] of scenarios.entries()) {
    process.stdout.write(`scenario: ${s.name}${shard ? ` (shard ${shard.index}/${shard.total})` : ''}\n`);
    const r = await runScenario(s, { ...flags, shard, ...(usp ? { usp } : {}), profile: profiles[i], log: (line) => process.stdout.write(`  ${line}\n`) });
    // A shard's own verdicts would judge part of the devices against the whole scenario's bounds: the merge judges.
    if (!shard) printResult(r);
    else process.stdout.write(`  measured ${r.devices} devices, ${r.sessions.ok} sessions ok, ${r.sessions.failed} failed (${r.durationSeconds} s)\n`);
    results.push(r);
    parts.push({ scenario: s, result: r });
  }
  if (flags.result) {
    try {
      fs.writeFileSync(flags.result, `${JSON.stringify(shardResultFile(shard ?? { index: 0, total: 1 }, parts, true))}\n`);
    } catch (err) {
      process.stderr.write(`cwmp-agent scenario: the result could not be written: ${(err as Error).message}\n`);
      return 2;
    }
  }
  if (shard) return 0;
  return writeReports(results, flags) ?? (results.every((r) => r.passed) ? 0 : 1);
}

/** `cwmp-agent scenario merge RESULT...`: the shards' results judged as one run. */
export async function mergeScenarioResults(files: string[], flags: Pick<ScenarioFlags, 'junit' | 'report'>): Promise<number> {
  if (files.length === 0) {
    process.stderr.write('cwmp-agent scenario merge: give the result files of every shard\n');
    return 2;
  }
  if (!reportsWritable(flags)) return 2;
  let results: ScenarioResult[];
  try {
    const read = files.map((file) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        // A result that is not there is a shard that never wrote it: the run is incomplete.
        const absent = (err as NodeJS.ErrnoException).code === 'ENOENT';
        throw new MergeError(
          absent ? `incomplete: no result at ${file} (its shard missing or crashed)` : `cannot read ${file}: ${(err as Error).message}`,
          absent ? 3 : 2,
        );
      }
      return { file, content: readShardResult(text, file) };
    });
    results = mergeShardResults(read);
  } catch (err) {
    if (!(err instanceof MergeError)) throw err;
    process.stderr.write(`cwmp-agent scenario merge: ${err.message}\n`);
    return err.exitCode;
  }
  for (const r of results) {
    process.stdout.write(`scenario: ${r.name} (${files.length} shards, ${r.devices} devices)\n`);
    printResult(r);
  }
  return writeReports(results, flags) ?? (results.every((r) => r.passed) ? 0 : 1);
}

function printResult(r: ScenarioResult): void {
  for (const e of r.expectations) process.stdout.write(`  ${e.passed ? 'pass' : 'FAIL'}  ${e.name}: ${e.detail}\n`);
  process.stdout.write(`  ${r.passed ? 'passed' : 'FAILED'} (${r.durationSeconds} s)\n`);
}

/** Whether every report named can be written, saying why not on stderr. */
function reportsWritable(flags: { junit?: string; report?: string; '--result'?: string }): boolean {
  for (const [flag, file] of [
    ['--junit', flags.junit],
    ['--report', flags.report],
    ['--result', flags['--result']],
  ] as const) {
    const problem = file === undefined ? undefined : unwritable(file);
    if (problem) {
      process.stderr.write(`cwmp-agent scenario: ${flag} ${file}: ${problem}\n`);
      return false;
    }
  }
  return true;
}

/** Writes the JUnit and the report asked for; 2 when one cannot be written, else undefined. */
function writeReports(results: ScenarioResult[], flags: Pick<ScenarioFlags, 'junit' | 'report'>): 2 | undefined {
  try {
    if (flags.junit) fs.writeFileSync(flags.junit, junitReport(results));
    // A .html report is a page with the sessions per second drawn; anything else is Markdown.
    if (flags.report) fs.writeFileSync(flags.report, /\.html?$/i.test(flags.report) ? htmlReport(results) : results.map(markdownReport).join('\n'));
  } catch (err) {
    process.stderr.write(`cwmp-agent scenario: the report could not be written: ${(err as Error).message}\n`);
    return 2;
  }
  return undefined;
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

/**
 * The Kubernetes examples are valid manifests (checked offline against the Kubernetes API schemas
 * of kubernetes-models), and what they run is what the command line takes: the shards' and the
 * merge's arguments, and the scenario in the ConfigMap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, PersistentVolumeClaim } from 'kubernetes-models/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { parseScenario } from '../../src/harness/scenario-schema.js';

const examples = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../examples');
const models: Record<string, new (o: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'batch/v1/Job': Job,
};

function manifests(file: string): Record<string, any>[] {
  const docs = parseAllDocuments(fs.readFileSync(path.join(examples, file), 'utf8'));
  return docs.map((d) => {
    assert.equal(d.errors.length, 0, `${file}: ${d.errors[0]?.message}`);
    return d.toJS() as Record<string, any>;
  });
}

function validate(file: string, doc: Record<string, any>): void {
  const Model = models[`${doc['apiVersion']}/${doc['kind']}`];
  assert.ok(Model, `${file}: a model for ${doc['apiVersion']} ${doc['kind']}`);
  assert.doesNotThrow(() => new Model(doc).validate(), `${file}: ${doc['kind']} ${doc['metadata']?.['name']} is valid`);
}

test('the fleet Indexed Job is a valid Job whose pods each run one shard', () => {
  const docs = manifests('fleet-indexed-job.yaml');
  for (const d of docs) validate('fleet-indexed-job.yaml', d);
  const job = docs.find((d) => d['kind'] === 'Job')!;
  assert.equal(job['spec']['completionMode'], 'Indexed');
  const args: string[] = job['spec']['template']['spec']['containers'][0]['args'];
  assert.ok(args.includes(`--shard=$(JOB_COMPLETION_INDEX)/${job['spec']['completions']}`), 'one shard per completion index');
});

test('the sharded scenario: a ConfigMap with a valid scenario, a shared volume, the shards, and a merge that waits for all of them', () => {
  const file = 'scenario-indexed-job.yaml';
  const docs = manifests(file);
  for (const d of docs) validate(file, d);
  const config = docs.find((d) => d['kind'] === 'ConfigMap')!;
  const scenario = parseScenario(config['data']['scenario.yaml'], `${file} (ConfigMap)`);
  assert.ok(scenario.devices > 0);
  const shards = docs.find((d) => d['kind'] === 'Job' && d['spec']['completionMode'] === 'Indexed')!;
  const n = shards['spec']['completions'] as number;
  const args: string[] = shards['spec']['template']['spec']['containers'][0]['args'];
  assert.equal(args[0], 'scenario');
  assert.ok(args.includes(`--shard=$(JOB_COMPLETION_INDEX)/${n}`));
  assert.ok(args.includes('--result=/results/part-$(JOB_COMPLETION_INDEX).json'));
  const merge = docs.find((d) => d['kind'] === 'Job' && d['metadata']['name'].endsWith('merge'))!.spec.template.spec;
  assert.match(merge.initContainers[0].args[0], new RegExp(`-ge ${n} \\]`), 'the merge waits for every shard');
  assert.match(merge.containers[0].args[0], /cwmp-agent scenario merge \/results\/part-\*\.json --junit \S+ --report \S+/);
  // Both Jobs mount the claim the file makes.
  const claim = docs.find((d) => d['kind'] === 'PersistentVolumeClaim')!['metadata']['name'];
  for (const job of [shards['spec']['template']['spec'], merge]) {
    assert.ok(job.volumes.some((v: any) => v.persistentVolumeClaim?.claimName === claim));
  }
});

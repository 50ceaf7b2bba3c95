/**
 * Data model speed: GetParameterValues on "Device." over the whole built-in tree, and one
 * SetParameterValues of 1,000 parameters, each beside JSON.stringify / JSON.parse of the same
 * data as the floor, in the same run.
 */
import { DataModel } from '../src/datamodel/data-model.js';
import { Schema, type ParameterDefinition } from '../src/datamodel/schema.js';
import { MemoryModelStore } from '../src/storage/model-store.js';
import { SimulatedDevice } from '../src/providers/simulated-device.js';
import { BUILT_IN_PARAMETERS, BUILT_IN_TABLES, builtInFor } from '../src/models/built-in.js';
import { LinuxHostDevice } from '../src/providers/linux-host.js';
import { reRootProviders } from '../src/datamodel/re-root.js';

function measure(runs: number, f: () => void): { wallMs: number; cpuMs: number } {
  f(); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000 / runs };
}

const fmt = (r: { wallMs: number; cpuMs: number }): string => `${r.wallMs.toFixed(3).padStart(8)} ms wall ${r.cpuMs.toFixed(3).padStart(8)} ms CPU`;

export function runDataModelBench(): void {
  // A synthetic writable table gives 1,000 settable parameters (100 instances x 10 parameters).
  const benchParams: ParameterDefinition[] = Array.from({ length: 10 }, (_, i) => ({
    name: `Device.X_BENCH.Item.{i}.P${i}`,
    type: i % 2 ? 'unsignedInt' : 'string',
    maxLength: 64,
    writable: true,
    default: '0',
  }));
  const schema = new Schema([...BUILT_IN_PARAMETERS, ...benchParams], [...BUILT_IN_TABLES, { name: 'Device.X_BENCH.Item.{i}.', writable: true }]);
  const device = new SimulatedDevice('bench', () => Date.now());
  const model = new DataModel(schema, new MemoryModelStore(), device.providers);
  for (let i = 0; i < 100; i++) model.addInstance('Device.X_BENCH.Item.');
  for (let i = 0; i < 4; i++) model.addObject('Device.XMPP.Connection.', 'Device.ManagementServer.ParameterKey', '');

  const all = model.getParameterValues(['Device.']);
  const json = JSON.stringify(all);
  console.log(`data model: GetParameterValues "Device." (${all.length} parameters, ${(json.length / 1024).toFixed(0)} KiB as JSON)`);
  console.log(`  floor: JSON.stringify + parse of the result ${fmt(measure(200, () => JSON.parse(JSON.stringify(all))))}`);
  console.log(`  GetParameterValues                         ${fmt(measure(200, () => model.getParameterValues(['Device.'])))}`);

  let n = 0;
  const list = (): { name: string; value: string }[] => {
    n++;
    return model
      .instanceIds('Device.X_BENCH.Item.')
      .flatMap((id) => benchParams.map((_p, i) => ({ name: `Device.X_BENCH.Item.${id}.P${i}`, value: String((n + id + i) % 1000) })));
  };
  const sample = list();
  console.log(`data model: SetParameterValues of ${sample.length} parameters (atomic: all checked, then applied)`);
  console.log(`  floor: JSON.stringify + parse of the list  ${fmt(measure(200, () => JSON.parse(JSON.stringify(sample))))}`);
  console.log(
    `  SetParameterValues                         ${fmt(measure(200, () => model.setParameterValues(list(), 'Device.ManagementServer.ParameterKey', 'k')))}`,
  );

  // The Linux host reads /proc, /sys and os.networkInterfaces(): one read of each per RPC (read
  // batches) against the same parameters read one RPC each, every one reading its sources afresh.
  for (const root of ['Device.', 'InternetGatewayDevice.']) {
    const host = new LinuxHostDevice();
    const hostModel = new DataModel(builtInFor(root).schema, new MemoryModelStore(), reRootProviders(host.providers, root));
    const names = hostModel.getParameterValues([root]).map((p) => p.name);
    console.log(`data model: Linux host, GetParameterValues "${root}" (${names.length} parameters)`);
    console.log(
      `  baseline: one GetParameterValues per name   ${fmt(
        measure(10, () => {
          for (const n of names) hostModel.getParameterValues([n]);
        }),
      )}`,
    );
    console.log(`  GetParameterValues of the whole tree        ${fmt(measure(10, () => hostModel.getParameterValues([root])))}`);
  }
}

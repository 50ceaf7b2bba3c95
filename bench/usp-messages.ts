/**
 * The same work over USP and over CWMP, in one run: a Get of "Device." over the whole simulated
 * tree (the USP Get with its protobuf GetResp Record, beside the CWMP GetParameterValues with its
 * SOAP envelope), and a Set of 1,000 parameters (USP Set beside SetParameterValues). The floor is
 * the data model's own GetParameterValues / SetParameterValues without any message.
 */
import { writeEnvelope } from '../src/cwmp/envelope-write.js';
import { CWMP_NS_1_2 } from '../src/cwmp/namespaces.js';
import { DataModel } from '../src/datamodel/data-model.js';
import { Schema, type ParameterDefinition } from '../src/datamodel/schema.js';
import { withLocalAgent } from '../src/models/local-agent.js';
import { BUILT_IN_PARAMETERS, BUILT_IN_TABLES } from '../src/models/built-in.js';
import { SimulatedDevice } from '../src/providers/simulated-device.js';
import { MemoryModelStore } from '../src/storage/model-store.js';
import { msgRecord } from '../src/usp/usp-codec.js';
import { get, set } from '../src/usp-endpoint/usp-data-messages.js';

function measure(runs: number, f: () => void): { wallMs: number; cpuMs: number } {
  f();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) f();
  const wall = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: wall, cpuMs: (cpu.user + cpu.system) / 1000 / runs };
}

const fmt = (r: { wallMs: number; cpuMs: number }): string => `${r.wallMs.toFixed(3).padStart(8)} ms wall ${r.cpuMs.toFixed(3).padStart(8)} ms CPU`;
const KEY = 'Device.ManagementServer.ParameterKey';

export function runUspMessagesBench(): void {
  const benchParams: ParameterDefinition[] = Array.from({ length: 10 }, (_, i) => ({
    name: `Device.X_BENCH.Item.{i}.P${i}`,
    type: 'string',
    maxLength: 64,
    writable: true,
    default: '0',
  }));
  const schema = withLocalAgent(
    new Schema([...BUILT_IN_PARAMETERS, ...benchParams], [...BUILT_IN_TABLES, { name: 'Device.X_BENCH.Item.{i}.', writable: true }]),
  );
  const device = new SimulatedDevice('bench', () => Date.now());
  const model = new DataModel(schema, new MemoryModelStore(), device.providers);
  for (let i = 0; i < 100; i++) model.addInstance('Device.X_BENCH.Item.');
  const ctx = { model, parameterKeyName: KEY };
  const count = model.getParameterValues(['Device.']).length;

  console.log(`USP beside CWMP: Get "Device." (${count} parameters)`);
  console.log(`  floor: the data model's GetParameterValues       ${fmt(measure(100, () => model.getParameterValues(['Device.'])))}`);
  console.log(
    `  CWMP: GetParameterValues + SOAP envelope           ${fmt(
      measure(100, () =>
        writeEnvelope({ method: 'GetParameterValuesResponse', parameterList: model.getParameterValues(['Device.']) }, { namespace: CWMP_NS_1_2, id: 'b' }),
      ),
    )}`,
  );
  console.log(
    `  USP: Get + GetResp in a protobuf Record            ${fmt(
      measure(100, () =>
        msgRecord('a', 'c', { header: { msg_id: 'b', msg_type: 'GET_RESP' }, body: { response: { get_resp: get(ctx, { param_paths: ['Device.'] }) } } }),
      ),
    )}`,
  );

  let n = 0;
  const values = (): string[] => {
    n++;
    return Array.from({ length: 1000 }, (_, i) => `v${n}-${i}`);
  };
  console.log('USP beside CWMP: Set of 1,000 parameters (100 objects x 10)');
  console.log(
    `  floor: the data model's SetParameterValues       ${fmt(
      measure(20, () => {
        const v = values();
        model.setParameterValues(
          v.map((value, i) => ({ name: `Device.X_BENCH.Item.${Math.floor(i / 10) + 1}.P${i % 10}`, value })),
          KEY,
          '',
        );
      }),
    )}`,
  );
  console.log(
    `  USP: Set (allow_partial false, required)           ${fmt(
      measure(20, () => {
        const v = values();
        set(ctx, {
          update_objs: Array.from({ length: 100 }, (_, o) => ({
            obj_path: `Device.X_BENCH.Item.${o + 1}.`,
            param_settings: Array.from({ length: 10 }, (_, p) => ({ param: `P${p}`, value: v[o * 10 + p]!, required: true })),
          })),
        });
      }),
    )}`,
  );
}

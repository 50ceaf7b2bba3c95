/**
 * The command line. Each command's code is loaded when that command runs, so that the agent's
 * worker loads neither the fleet, nor the test ACS, nor the DT exporter.
 */
import { devicesPerThread, relaunchForFleet } from './fleet-heap.js';
import { parseShard } from '../fleet/identity-template.js';
import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError, flagLabels, optionHelp, overridesFromEnv, RUN_OPTIONS, type ConfigOverrides } from '../assembly/config.js';
import type { FleetFlags } from './fleet-command.js';
import { FLEET_OPTIONS, fleetOptionsFromEnv } from './fleet-options.js';
import { isWorker, supervise } from './supervisor.js';
import type { ScenarioFlags } from './scenario-command.js';

function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number from 0 to 65535');
  return n;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  // A bad flag is a configuration error like any other: status 2 (commander's own would be 1).
  program
    .name('cwmp-agent')
    .description('TR-069 (CWMP) and TR-369 (USP) agent')
    .version(packageVersion())
    .enablePositionalOptions()
    .showHelpAfterError()
    .exitOverride();
  const run = program
    .command('run')
    .description('run one agent (a simulated device on an embedded store by default; flags win over variables, which win over the file)')
    .option('-c, --config <file>', 'YAML configuration file');
  // One table for the flags, their keys in the file and their variables (RUN_OPTIONS in config.ts).
  for (const o of Object.values(RUN_OPTIONS)) {
    if (o.flag.includes('<port>')) run.option(o.flag, optionHelp(o), port);
    else run.option(o.flag, optionHelp(o));
  }
  run.action(async (o: Omit<ConfigOverrides, 'traceDir' | 'setBy'> & { config?: string; trace?: string }) => {
    if (!isWorker()) return supervise();
    const { config, trace, ...rest } = o;
    const flags: ConfigOverrides = { ...rest, traceDir: trace };
    const { runAgent } = await import('./run-command.js');
    await runAgent(config, { ...flags, setBy: flagLabels(flags) });
  });
  program
    .command('acs')
    .description('run the bundled test ACS on its own')
    .option('--port <port>', 'port to listen on', port, 7557)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--max-sessions <n>', 'keep only the latest N session records (long load tests)', (v) => Math.max(1, Math.floor(Number(v))))
    .option('--lightweight-port <port>', 'also receive UDP Lightweight Notifications (TR-069 Annex M) on this port', port)
    .action(async (o: { port: number; host: string; maxSessions?: number; lightweightPort?: number }) => (await import('./acs-command.js')).runAcs(o));
  program
    .command('usp-controller')
    .description(
      'run the bundled USP test controller on its own: agents connect to it over WebSocket (v1.usp), or reach it through an MQTT broker; a JSON API sends them any message',
    )
    .option('--port <port>', 'port to listen on', port, 7558)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--endpoint-id <id>', "the controller's USP EndpointID", 'proto::cwmp-agent-controller')
    .option('--mqtt-url <url>', 'also a client of this MQTT broker (mqtt://, mqtts://)')
    .option('--topic <topic>', 'the topic it listens on at the broker', 'usp/controller')
    .action(async (o: { port: number; host: string; endpointId: string; mqttUrl?: string; topic: string }) =>
      (await import('./usp-controller-command.js')).runUspController(o),
    );
  const fleet = program
    .command('fleet')
    .description('run many simulated devices in one process, for ACS load tests (flags win over variables, which win over the file)')
    .option('-c, --config <file>', 'YAML configuration file (a fleet: section for the options below)');
  // One table for the flags, their keys in the file and their variables (fleet-options.ts).
  for (const option of FLEET_OPTIONS) {
    const check = option.parse;
    if (!check) {
      fleet.option(option.flag, optionHelp(option));
      continue;
    }
    fleet.option(option.flag, optionHelp(option), (text: string) => {
      try {
        return check(text);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
    });
  }
  fleet.action(async (parsed: FleetFlags & { config?: string; trace?: string }) => {
    // commander names --trace's value "trace"; the configuration calls it traceDir.
    const { trace, ...flags } = parsed;
    // Variables first, flags over them (commander leaves unset flags as undefined keys).
    const o = { ...fleetOptionsFromEnv(process.env), ...definedOnly({ ...flags, traceDir: trace }) } as FleetFlags & { config?: string };
    // A large fleet given on the command line starts again with its young generation before
    // loading anything else, so that the process left waiting stays small (see fleet-heap.ts).
    // (A --shard that does not parse is left for the fleet command to refuse.)
    const shard = o.shard === undefined ? undefined : parseShard(o.shard);
    if (o.count !== undefined && (o.workers ?? 1) === 1 && (o.shard === undefined || shard)) {
      const relaunched = relaunchForFleet(devicesPerThread(o.count, shard));
      if (relaunched) process.exit(await relaunched);
    }
    const { runFleet } = await import('./fleet-command.js');
    await runFleet(o.config, o);
  });
  program
    .command('scenario')
    .description(
      'run scenarios that test an ACS: steps, misbehaving devices, expectations; exit 0 all passed, 1 one failed, 2 a scenario is wrong. ' +
        '`scenario merge RESULT...` judges the results of a sharded run as one: exit 3 when a shard is missing',
    )
    .argument('<files...>', 'scenario files (YAML; see examples/scenarios/), or merge and the --result files of every shard')
    .option('--acs-url <url>', 'the ACS under test (default: the bundled test ACS, provisioning as each scenario says)')
    .option('--acs-username <user>', 'username for the ACS')
    .option('--acs-password <password>', 'password for the ACS')
    .option('--junit <file>', 'write a JUnit XML report here')
    .option('--report <file>', 'write a report here: HTML with a sessions-per-second chart when FILE ends in .html, Markdown otherwise')
    .option('--cr-port <port>', 'connection request port of the devices (0 picks a free one)', port)
    .option('--shard <I/N>', "run part I of N of each scenario's devices (0-based); needs --result")
    .option('--result <file>', 'write what was measured here (JSON), for scenario merge')
    .option('--usp-mqtt-url <url>', 'usp and both scenarios: the broker of the USP Controller under test (default: the bundled USP controller)')
    .option('--usp-ws-url <url>', "usp and both scenarios: the Controller's WebSocket URL instead of a broker")
    .option('--usp-controller-id <id>', "the Controller's EndpointID")
    .option('--usp-controller-topic <topic>', 'the topic the Controller listens on (with a broker)')
    .action(async (files: string[], o: ScenarioFlags) => {
      if (files[0] === 'merge') {
        const { mergeScenarioResults } = await import('./scenario-command.js');
        process.exit(await mergeScenarioResults(files.slice(1), o));
      }
      const { runScenarios } = await import('./scenario-command.js');
      // The same variables as run and fleet: flags win over them.
      const env = overridesFromEnv(process.env);
      const flags = {
        acsUrl: env.acsUrl,
        acsUsername: env.acsUsername,
        acsPassword: env.acsPassword,
        crPort: env.crPort,
        uspMqttUrl: env.uspMqttUrl,
        uspWsUrl: env.uspWsUrl,
        uspControllerId: env.uspControllerId,
        uspControllerTopic: env.uspControllerTopic,
        ...definedOnly(o),
      };
      process.exit(await runScenarios(files, flags));
    });
  program
    .command('scenario-schema')
    .description("print the scenario file's JSON Schema (for an editor: # yaml-language-server: $schema=FILE)")
    .action(async () => {
      const { scenarioJsonSchema } = await import('../harness/scenario-schema.js');
      process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
    });
  program
    .command('trace')
    .description('read a wire trace')
    .command('show')
    .description("one device's sessions as a readable conversation: direction, method, key arguments, faults, timing")
    .argument('<file>', 'a <serial>.jsonl file written with --trace')
    .option('--session <n>', 'only this session', (v) => Number(v))
    .option('--bodies', 'also print the envelopes')
    .action(async (file: string, o: { session?: number; bodies?: boolean }) => {
      const { renderTrace } = await import('../observability/trace-show.js');
      if (o.session !== undefined && (!Number.isInteger(o.session) || o.session < 1))
        throw new ConfigError(`trace show: --session takes a session number from 1`);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new ConfigError(
          `trace show: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory (give one <serial>.jsonl in it)' : (err as Error).message}`,
        );
      }
      const shown = renderTrace(text, o);
      if (o.session !== undefined && o.session > shown.sessions)
        throw new ConfigError(`trace show: ${file} has ${shown.sessions} session${shown.sessions === 1 ? '' : 's'}, no session ${o.session}`);
      process.stdout.write(shown.text);
    });
  program
    .command('export-dt')
    .description('write the supported data model as a Broadband Forum Device Type (DT) document')
    .option('-c, --config <file>', 'YAML configuration (its dataModel.extraModels are included)')
    .option('--profile <name|file>', 'a fleet profile whose added parameters are included')
    .option('--device-type <urn>', 'URN naming the device type', 'urn:cwmp-agent:simulated-device-1-0-0')
    .option('--out <file>', 'where to write it (default: stdout)')
    .action(async (o: { config?: string; profile?: string; deviceType: string; out?: string }) => {
      const [{ loadConfig }, { schemaFor }, { loadProfile }, { exportDeviceType }, { randomUUID }] = await Promise.all([
        import('../assembly/config.js'),
        import('../assembly/assemble-device.js'),
        import('../fleet/profile.js'),
        import('../models/dt-export.js'),
        import('node:crypto'),
      ]);
      const config = loadConfig(o.config);
      let schema = await schemaFor(config);
      if (o.profile) {
        try {
          schema = loadProfile(o.profile).schema;
        } catch (err) {
          throw new ConfigError((err as Error).message);
        }
      }
      const xml = exportDeviceType(schema, { deviceType: o.deviceType, uuid: randomUUID() });
      if (o.out) fs.writeFileSync(o.out, xml);
      else process.stdout.write(xml);
    });
  program
    .command('make-firmware')
    .description('build a firmware image the simulated and Linux devices accept (for Download tests)')
    .requiredOption('--version <version>', 'SoftwareVersion the image installs')
    .requiredOption('--out <file>', 'where to write the image')
    .option('--payload <file>', 'the image contents (default: a few bytes of text)')
    .option('--product-class <class>', 'only devices of this ProductClass accept it')
    .option('--sign-key <pem>', 'Ed25519 private key (PEM file) to sign it with')
    .option('--boot-fails', 'an image that installs but fails to boot (to see the rollback)')
    .action(async (o: { version: string; out: string; payload?: string; productClass?: string; signKey?: string; bootFails?: boolean }) => {
      const { readFileOption } = await import('../assembly/assemble-device.js');
      const { buildFirmwareImage } = await import('../providers/firmware-image.js');
      const payload = o.payload ? readFileOption(o.payload, '--payload')! : Buffer.from(`cwmp-agent simulated firmware ${o.version}\n`);
      const signingKey = o.signKey ? readFileOption(o.signKey, '--sign-key')!.toString('utf8') : undefined;
      fs.writeFileSync(o.out, buildFirmwareImage({ version: o.version, payload, productClass: o.productClass, bootFails: o.bootFails, signingKey }));
      console.log(`wrote ${o.out} (version ${o.version})`);
    });
  program
    .command('make-du')
    .description('build a deployment unit package for ChangeDUState from a folder holding manifest.json and the files (README: "Software modules")')
    .argument('<dir>', 'the folder')
    .requiredOption('--out <file>', 'where to write the package (.tar.gz)')
    .action(async (dir: string, o: { out: string }) => {
      const { makeDuPackage } = await import('../providers/software/du-package.js');
      try {
        const m = await makeDuPackage(dir, o.out);
        console.log(`wrote ${o.out}: ${m.vendor}/${m.name} ${m.version}, ${Object.keys(m.files).length} files, ${m.executionUnits.length} execution units`);
      } catch (err) {
        throw new ConfigError(`make-du: ${(err as Error).message}`);
      }
    });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`cwmp-agent: ${err.message}`);
      process.exit(2);
    }
    // commander has printed its message (or the help); help and --version end with 0.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    throw err;
  }
}

/** The entries of `o` that are set (commander leaves absent options as undefined keys, which would hide the environment's). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The command line: `cwmp-agent run` (one agent) and `cwmp-agent acs` (the bundled test ACS). */
import fs from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { Logger } from 'pino';
import { createAgentLogger } from '../log/agent-logger.js';
import { Agent } from '../agent/agent.js';
import { assembleDevice, readFileOption, schemaFor, type AssembledDevice } from '../agent/assemble-device.js';
import { ConfigError, flagLabels, loadConfig, overridesFromEnv, type ConfigOverrides } from '../agent/config.js';
import { TestAcs } from '../acs/test-acs.js';
import { parameterValues } from '../acs/acs-messages.js';
import { exportDeviceType } from '../models/dt-export.js';
import { loadProfile } from '../fleet/profile.js';
import { randomUUID } from 'node:crypto';
import type { Schema } from '../datamodel/schema.js';
import { LogRing } from '../log/log-ring.js';
import { runFleet, type FleetFlags } from './fleet-command.js';
import { SCENARIOS } from '../fleet/scenarios.js';
import { isWorker, REBOOT_EXIT_CODE, supervise } from './supervisor.js';
import { buildFirmwareImage } from '../providers/firmware-image.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number from 0 to 65535');
  return n;
}

async function runAgent(configFile: string | undefined, flags: ConfigOverrides): Promise<void> {
  const config = loadConfig(configFile, overridesFromEnv(process.env), flags);
  // The recent log is also kept in memory: it is the file an ACS gets with Upload "2 Vendor Log File".
  const logRing = new LogRing();
  const logger = createAgentLogger({ level: config.log.level, ring: logRing });
  let demoAcs: TestAcs | undefined;
  let acsUrl = config.acs.url;
  if (!acsUrl) {
    demoAcs = new TestAcs();
    acsUrl = await demoAcs.listen();
    logger.info({ acsUrl }, 'no ACS URL given: using the bundled test ACS');
  }
  // A reboot restarts this process (see supervisor.ts); the edges close first so the ports are free.
  const onReboot = async (): Promise<void> => {
    logger.info('rebooting: restarting the agent process');
    await assembled.closeEdges();
    await demoAcs?.close();
    process.exit(REBOOT_EXIT_CODE);
  };
  const assembled: AssembledDevice = await assembleDevice(config, {
    logger,
    vendorLog: logRing,
    acsUrl,
    onReboot,
    // With the bundled demo ACS everything stays on loopback, and it informs every minute.
    ...(demoAcs ? { connectionRequestAddress: '127.0.0.1', periodicInformInterval: config.periodicInformInterval ?? 60 } : {}),
  });
  const { agent, device } = assembled;
  if (demoAcs) showDemoSessions(demoAcs, agent, device.identity.serialNumber, `${config.dataModel.root}.`, logger);
  agent.start();
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const shutdown = async (): Promise<void> => {
    clearInterval(keepAlive);
    await assembled.stop();
    await demoAcs?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
  // The device's power management, from outside: standby as deep as StandbyPolicy lets it, and back.
  process.on('SIGUSR1', () => {
    const mode = agent.enterStandby({ crAware: false, timerAware: false });
    if ('refused' in mode) logger.warn({ reason: mode.refused }, 'standby refused');
  });
  process.on('SIGUSR2', () => agent.wake());
}

/** Something for the demo session to do (read the device's identity and settings), and what it read, in the log. */
function showDemoSessions(acs: TestAcs, agent: Agent, serial: string, root: string, logger: Logger): void {
  acs.queue(serial, { method: 'GetParameterValues', parameterNames: [`${root}DeviceInfo.`, `${root}ManagementServer.PeriodicInformInterval`] });
  let shown = 0;
  agent.onSessionEnd(() => {
    const answers = acs.responses(serial).filter((m) => m.method === 'GetParameterValuesResponse');
    for (const r of answers.slice(shown)) {
      const values = parameterValues(r);
      const pick = [agent.deviceInfo.softwareVersion, agent.deviceInfo.upTime, agent.ms.periodicInformInterval];
      logger.info(
        { values: Object.fromEntries(pick.map((n) => [n, values[n]?.value])), count: Object.keys(values).length },
        'the test ACS read these values from the device',
      );
    }
    shown = answers.length;
  });
}

async function runAcs(opts: { port: number; host: string; maxSessions?: number; lightweightPort?: number }): Promise<void> {
  const acs = new TestAcs({ port: opts.port, host: opts.host, maxSessions: opts.maxSessions });
  const url = await acs.listen();
  console.log(`test ACS listening at ${url}`);
  if (opts.lightweightPort !== undefined) {
    const udp = await acs.listenLightweightNotifications({
      port: opts.lightweightPort,
      onAccepted: (r) =>
        console.log(`lightweight notification from ${r.device}: ${r.notification.params.map((p) => `${p.name}=${JSON.stringify(p.value)}`).join(' ')}`),
    });
    console.log(`UDP lightweight notifications received on ${opts.host}:${udp}`);
  }
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  // A bad flag is a configuration error like any other: status 2 (commander's own would be 1).
  program.name('cwmp-agent').description('TR-069 (CWMP) CPE agent').showHelpAfterError().exitOverride();
  program
    .command('run')
    .description('run one agent (a simulated device on an embedded store by default)')
    .option('-c, --config <file>', 'YAML configuration file')
    .option('--acs-url <url>', 'ACS URL (default: start the bundled test ACS)')
    .option('--acs-username <user>', 'username for the ACS')
    .option('--acs-password <password>', 'password for the ACS')
    .option('--state-dir <dir>', 'where all persisted state lives (default ./var)')
    .option('--cr-port <port>', 'connection request port (0 picks a free one)', port)
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent')
    .option('--root <object>', 'data model root: Device (TR-181, default) or InternetGatewayDevice (TR-098)')
    .action(
      async (o: {
        config?: string;
        acsUrl?: string;
        acsUsername?: string;
        acsPassword?: string;
        stateDir?: string;
        crPort?: number;
        logLevel?: string;
        root?: string;
      }) => {
        if (!isWorker()) return supervise();
        const flags = {
          acsUrl: o.acsUrl,
          acsUsername: o.acsUsername,
          acsPassword: o.acsPassword,
          stateDir: o.stateDir,
          crPort: o.crPort,
          logLevel: o.logLevel,
          root: o.root,
        };
        await runAgent(o.config, { ...flags, setBy: flagLabels(flags) });
      },
    );
  program
    .command('acs')
    .description('run the bundled test ACS on its own')
    .option('--port <port>', 'port to listen on', port, 7557)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--max-sessions <n>', 'keep only the latest N session records (long load tests)', (v) => Math.max(1, Math.floor(Number(v))))
    .option('--lightweight-port <port>', 'also receive UDP Lightweight Notifications (TR-069 Annex M) on this port', port)
    .action(runAcs);
  const positive = (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('a number of 0 or more');
    return n;
  };
  program
    .command('fleet')
    .description('run many simulated devices in one process, for ACS load tests')
    .option('-c, --config <file>', 'YAML configuration file (a fleet: section for the options below)')
    .option('--count <n>', 'devices in the whole fleet', (v) => Math.floor(positive(v)))
    .option('--profile <name|file>', 'stb, gateway, or a JSON/CSV parameter snapshot (default stb)')
    .option('--scenario <name>', `${SCENARIOS.join(', ')} (default steady)`)
    .option('--duration <seconds>', 'how long to run; 0 runs until Ctrl-C', positive)
    .option('--rate <n>', 'steady: Informs/s; cr-storm: connection requests/s; firmware-rollout: Downloads/s', positive)
    .option('--boot-window <seconds>', 'all devices boot within this window', positive)
    .option('--interval <seconds>', 'PeriodicInformInterval of every device', (v) => Math.max(1, Math.floor(positive(v))))
    .option('--churn-percent <p>', 'churn: share of devices offline at a time; standby: share asleep', positive)
    .option('--offline-seconds <s>', 'churn: how long a device stays off; standby: how long it sleeps', positive)
    .option('--shard <I/N>', 'run part I of N of the serial range (0-based), e.g. $JOB_COMPLETION_INDEX/10')
    .option('--summary <file>', 'also write the JSON summary here')
    .option('--cr-password <password>', 'initial ConnectionRequestPassword (username: the serial number)')
    .option('--workers <n>', 'spread the devices over this many threads (ports count up from --cr-port)', (v) => Math.max(1, Math.floor(positive(v))))
    .option('--acs-url <url>', 'ACS URL (default: start the bundled test ACS)')
    .option('--acs-username <user>', 'username for the ACS')
    .option('--acs-password <password>', 'password for the ACS')
    .option('--state-dir <dir>', "keep the fleet's state here across runs (default: in memory)")
    .option('--cr-port <port>', 'shared connection request port, HTTP and UDP (0 picks a free one)', port)
    .option('--log-level <level>', 'default warn')
    .action(async (o: FleetFlags & { config?: string; scenario?: string }) => {
      if (o.scenario !== undefined && !(SCENARIOS as readonly string[]).includes(o.scenario))
        throw new ConfigError(`--scenario ${o.scenario}: one of ${SCENARIOS.join(', ')}`);
      await runFleet(o.config, o as FleetFlags);
    });
  program
    .command('export-dt')
    .description('write the supported data model as a Broadband Forum Device Type (DT) document')
    .option('-c, --config <file>', 'YAML configuration (its dataModel.extraModels are included)')
    .option('--profile <name|file>', 'a fleet profile whose added parameters are included')
    .option('--device-type <urn>', 'URN naming the device type', 'urn:cwmp-agent:simulated-device-1-0-0')
    .option('--out <file>', 'where to write it (default: stdout)')
    .action((o: { config?: string; profile?: string; deviceType: string; out?: string }) => {
      const config = loadConfig(o.config);
      let schema: Schema = schemaFor(config);
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
    .action((o: { version: string; out: string; payload?: string; productClass?: string; signKey?: string; bootFails?: boolean }) => {
      const payload = o.payload ? readFileOption(o.payload, '--payload')! : Buffer.from(`cwmp-agent simulated firmware ${o.version}\n`);
      const signingKey = o.signKey ? readFileOption(o.signKey, '--sign-key')!.toString('utf8') : undefined;
      fs.writeFileSync(o.out, buildFirmwareImage({ version: o.version, payload, productClass: o.productClass, bootFails: o.bootFails, signingKey }));
      console.log(`wrote ${o.out} (version ${o.version})`);
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

/** The command line: `cwmp-agent run` (one agent) and `cwmp-agent acs` (the bundled test ACS). */
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { createSecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { createAgentLogger } from '../log/agent-logger.js';
import { Agent } from '../agent/agent.js';
import { systemClock } from '../runtime/clock.js';
import { ConfigError, flagLabels, loadConfig, overridesFromEnv, type AgentConfig, type ConfigOverrides } from './config.js';
import { TestAcs } from '../acs/test-acs.js';
import { parameterValues } from '../acs/acs-messages.js';
import { FileModelStore } from '../storage/model-store.js';
import { SimulatedDevice } from '../providers/simulated-device.js';
import { LinuxHostDevice } from '../providers/linux-host.js';
import { FileAgentStateStore } from '../storage/agent-state.js';
import type { TlsOptions } from '../session/acs-transport.js';
import { definitionsFromBbf, loadBbfModel } from '../models/bbf-loader.js';
import { DiagnosticsRunner, startUdpEchoConfig } from '../diagnostics/diagnostics-runner.js';
import { builtInFor, extendBuiltIn } from '../models/built-in.js';
import { exportDeviceType } from '../models/dt-export.js';
import { loadDeviceType, restrictToDeviceType } from '../models/dt-loader.js';
import { loadProfile } from '../fleet/profile.js';
import { randomUUID } from 'node:crypto';
import type { ParameterDefinition, Schema, TableDefinition } from '../datamodel/schema.js';
import { LogRing } from '../log/log-ring.js';
import { runFleet, type FleetFlags } from './fleet-command.js';
import { SCENARIOS } from '../fleet/scenarios.js';
import { isWorker, REBOOT_EXIT_CODE, supervise } from './supervisor.js';
import { buildFirmwareImage } from '../providers/firmware-image.js';
import { startHttpConnectionRequests, startUdpConnectionRequests, startXmppConnectionRequests } from '../connreq/connection-request-wiring.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number from 0 to 65535');
  return n;
}

function readFileOption(file: string | undefined, what: string): Buffer | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

function tlsOptions(config: AgentConfig): TlsOptions | undefined {
  const t = config.acs.tls;
  if (!t) return undefined;
  const ca = readFileOption(t.caFile, 'acs.tls.caFile');
  const cert = readFileOption(t.certFile, 'acs.tls.certFile');
  const key = readFileOption(t.keyFile, 'acs.tls.keyFile');
  // Found out now, not at the first session: a CA file that holds no certificate, a key that is not the certificate's.
  if (ca && !holdsCertificate(ca)) throw new ConfigError(`acs.tls.caFile ${t.caFile}: not a PEM certificate (or bundle of them)`);
  if (cert && !holdsCertificate(cert)) throw new ConfigError(`acs.tls.certFile ${t.certFile}: not a PEM certificate`);
  if (cert && key) {
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      throw new ConfigError(`acs.tls.keyFile ${t.keyFile}: not the private key of acs.tls.certFile (${(err as Error).message})`);
    }
  }
  return { ca, cert, key, rejectUnauthorized: !t.insecureSkipVerify };
}

function holdsCertificate(pem: Buffer): boolean {
  const blocks = pem.toString('latin1').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return false;
  try {
    for (const b of blocks) new X509Certificate(b);
    return true;
  } catch {
    return false;
  }
}

/**
 * The state directory, made if missing and checked writable before anything starts: a path that
 * is a file or a read-only filesystem is a configuration error that says so. A full disk is not:
 * the agent starts, keeps its state in memory and saves it once there is space.
 */
function prepareStateDir(dir: string, log: Logger): string {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new ConfigError(`stateDir ${dir}: not a directory`);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(
      `stateDir ${dir}: cannot be created (${e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'a file is in the way' : (e.code ?? e.message)})`,
    );
  }
  if (!fs.statSync(dir).isDirectory()) throw new ConfigError(`stateDir ${dir}: not a directory`);
  const probe = path.join(dir, `.write-check-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      log.error({ stateDir: dir, code }, 'the state directory is full: starting, with state kept in memory until it can be saved');
    } else {
      throw new ConfigError(
        `stateDir ${dir}: not writable (${code === 'EROFS' ? 'read-only filesystem' : (code ?? (err as Error).message)}); the agent keeps its state there`,
      );
    }
  }
  return dir;
}

/** The schema a configuration asks for: the built-in model of its root, widened by its extra models. */
function schemaFor(config: AgentConfig): Schema {
  const root = `${config.dataModel.root}.`;
  return config.dataModel.extraModels.length > 0 ? loadExtraModels(config, root) : builtInFor(root).schema;
}

function loadExtraModels(config: AgentConfig, root: string): Schema {
  const parameters: ParameterDefinition[] = [];
  const tables: TableDefinition[] = [];
  for (const m of config.dataModel.extraModels) {
    let xml: string;
    try {
      xml = fs.readFileSync(m.file, 'utf8');
    } catch (err) {
      throw new ConfigError(`dataModel.extraModels: cannot read ${m.file}: ${(err as Error).message}`);
    }
    let defs;
    try {
      defs = definitionsFromBbf(loadBbfModel(xml), { mountAt: m.mountAt, include: m.include });
    } catch (err) {
      throw new ConfigError(`dataModel.extraModels: ${m.file} is not a Broadband Forum DM document: ${(err as Error).message}`);
    }
    if (m.deviceType) {
      try {
        defs = restrictToDeviceType(defs, loadDeviceType(fs.readFileSync(m.deviceType, 'utf8')));
      } catch (err) {
        throw new ConfigError(`dataModel.extraModels: device type ${m.deviceType}: ${(err as Error).message}`);
      }
    }
    parameters.push(...defs.parameters);
    tables.push(...defs.tables);
  }
  return extendBuiltIn(parameters, tables, root);
}

async function runAgent(configFile: string | undefined, flags: ConfigOverrides): Promise<void> {
  const config = loadConfig(configFile, overridesFromEnv(process.env), flags);
  // The recent log is also kept in memory: it is the file an ACS gets with Upload "2 Vendor Log File".
  const logRing = new LogRing();
  const logger = createAgentLogger({ level: config.log.level, ring: logRing });
  const stateDir = prepareStateDir(path.resolve(config.stateDir), logger);
  const tls = tlsOptions(config);
  const firmwarePublicKey = readFileOption(config.device.firmwarePublicKeyFile, 'device.firmwarePublicKeyFile')?.toString('utf8');
  const logFile = { name: 'cwmp-agent.log', maximumSize: logRing.maximumSize };
  // A reboot restarts this process (see supervisor.ts); the edges close first so the ports are free.
  let closeEdges: () => Promise<void> = async () => undefined;
  const onReboot = async (): Promise<void> => {
    logger.info('rebooting: restarting the agent process');
    await closeEdges();
    process.exit(REBOOT_EXIT_CODE);
  };

  let acsUrl = config.acs.url;
  let demoAcs: TestAcs | undefined;
  const device =
    config.device.kind === 'linux'
      ? new LinuxHostDevice({
          identity: config.device.identity,
          rebootCommand: config.device.rebootCommand,
          factoryResetCommand: config.device.factoryResetCommand,
          filesDir: path.join(stateDir, 'device'),
          firmwarePublicKey,
          logFile,
          onReboot,
          standby: config.device.standby,
        })
      : new SimulatedDevice(config.device.seed, () => systemClock.now(), config.device.identity, {
          filesDir: path.join(stateDir, 'device'),
          firmwarePublicKey,
          logFile,
          onReboot,
          standby: config.device.standby,
        });
  if (!acsUrl) {
    demoAcs = new TestAcs();
    acsUrl = await demoAcs.listen();
    // Something for the demo session to do: read the device's identity and management settings.
    const root = `${config.dataModel.root}.`;
    demoAcs.queue(device.identity.serialNumber, {
      method: 'GetParameterValues',
      parameterNames: [`${root}DeviceInfo.`, `${root}ManagementServer.PeriodicInformInterval`],
    });
    logger.info({ acsUrl }, 'no ACS URL given: using the bundled test ACS');
  }
  const schema = schemaFor(config);
  const agent = new Agent({
    schema,
    acsUrl,
    acsUsername: config.acs.username,
    acsPassword: config.acs.password,
    tls,
    acsRedirectHosts: config.acs.redirectHosts,
    cwmpVersion: config.cwmpVersion,
    device,
    stateStore: new FileAgentStateStore(stateDir, logger),
    modelStore: new FileModelStore(stateDir, logger),
    clock: systemClock,
    random: Math.random,
    logger,
    requestTimeoutMs: config.acs.requestTimeoutMs,
    periodicInformInterval: config.periodicInformInterval ?? (demoAcs ? 60 : undefined),
    transfers: {
      stagingDir: path.join(stateDir, 'transfers'),
      // File servers are trusted as the ACS is: the same CA bundle, verification on unless turned off.
      tls: { ca: tls?.ca, rejectUnauthorized: !config.acs.tls?.insecureSkipVerify },
      vendorLog: { ...logFile, contents: () => logRing.contents() },
      uploadMethod: config.transfers.uploadMethod,
    },
  });
  if (demoAcs) {
    const acs = demoAcs;
    let shown = 0;
    agent.onSessionEnd(() => {
      const answers = acs.responses(device.identity.serialNumber).filter((m) => m.method === 'GetParameterValuesResponse');
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
  logger.info({ serialNumber: device.identity.serialNumber, stateDir }, 'agent starting');
  // With the bundled demo ACS everything stays on loopback.
  const crAddress = demoAcs ? '127.0.0.1' : config.connectionRequest.address;
  const connectionRequests = await startHttpConnectionRequests(agent, {
    port: config.connectionRequest.port,
    address: crAddress,
    digestAlgorithms: config.connectionRequest.digestAlgorithms,
  }).catch((err: NodeJS.ErrnoException) => {
    if ((err.code === 'EADDRINUSE' || err.code === 'EACCES') && err.syscall === 'listen') {
      throw new ConfigError(
        `cannot listen for connection requests on ${crAddress}:${config.connectionRequest.port} (${err.code}); choose another port with --cr-port`,
      );
    }
    throw err;
  });
  // UDP connection requests (TR-111) on the same port number as HTTP, or any free one.
  const udpConnectionRequests = await startUdpConnectionRequests(agent, {
    port: config.connectionRequest.port === 0 ? 0 : config.connectionRequest.port,
    address: crAddress,
  });
  // XMPP (Annex K) once the ACS points ManagementServer.ConnReqXMPPConnection at Device.XMPP.Connection.1.
  const xmppConnectionRequests = startXmppConnectionRequests(agent);
  new DiagnosticsRunner(agent);
  const udpEcho = startUdpEchoConfig(agent, crAddress);
  closeEdges = async () => {
    await connectionRequests.close();
    udpConnectionRequests.close();
    await xmppConnectionRequests.stop();
    udpEcho.stop();
    await demoAcs?.close();
  };
  agent.start();
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const shutdown = async (): Promise<void> => {
    clearInterval(keepAlive);
    await agent.stop();
    await closeEdges();
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

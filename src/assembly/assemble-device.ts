/**
 * A whole device from a configuration: the state directory checked, the device (simulated or
 * this Linux host), the schema (built-in model of the root, widened by extra DM files), the
 * crash-safe stores, the agent, and its edges (HTTP, UDP and XMPP connection requests,
 * diagnostics, UDP echo). What `cwmp-agent run` runs, exported for library users, so that they
 * get what `run` gets; a fleet shares the schema and TLS pieces (schemaFor, tlsOptions).
 */
import fs from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { startHttpConnectionRequests, startUdpConnectionRequests, startXmppConnectionRequests } from '../connreq/connection-request-wiring.js';
import type { ParameterDefinition, Schema, TableDefinition } from '../datamodel/schema.js';
import { DiagnosticsRunner, startUdpEchoConfig } from '../diagnostics/diagnostics-runner.js';
import { LazyBulkData } from '../bulkdata/bulk-data-collector.js';
import { createAgentLogger } from '../log/agent-logger.js';
import type { LogRing } from '../log/log-ring.js';
import { builtInFor, extendBuiltIn } from '../models/built-in.js';
import type { DeviceHooks, DeviceIdentity } from '../providers/device.js';
import { ExternalProcessProvider } from '../providers/external/external-process-provider.js';
import { offsetClock, systemClock } from '../runtime/clock.js';
import { wireTraceFor, type DeviceTrace } from '../log/wire-trace.js';
import type { AgentMetrics } from '../observability/metrics.js';
import { Misbehaviour } from '../harness/misbehaviour.js';
import { startMetricsServer } from '../observability/metrics-server.js';
import type { TlsOptions } from '../session/acs-transport.js';
import { FileAgentStateStore } from '../storage/agent-state.js';
import { FileModelStore } from '../storage/model-store.js';
import { Agent } from '../agent/agent.js';
import { ConfigError, type AgentConfig } from './config.js';

export interface AssembleOptions {
  /** Default: JSON lines on stdout at the configured level. */
  logger?: Logger;
  /** Keeps recent lines for an ACS's "2 Vendor Log File" upload. */
  vendorLog?: LogRing;
  /** Overrides acs.url (which must then be given one way or the other). */
  acsUrl?: string;
  /** What a reboot does; by default the agent restarts in this process. */
  onReboot?: () => Promise<void>;
  /** Overrides connectionRequest.address. */
  connectionRequestAddress?: string;
  /** Overrides periodicInformInterval. */
  periodicInformInterval?: number;
}

export interface AssembledDevice {
  agent: Agent;
  /** HTTP connection requests refused for their credentials since the start. */
  connectionRequestAuthFailures(): number;
  device: DeviceHooks;
  stateDir: string;
  /** The agent's metrics, and the port they are served on, when metrics.port is set. */
  metrics?: AgentMetrics;
  metricsPort?: number;
  /** Stops the agent (saving what is unsaved) and closes its edges. */
  stop(): Promise<void>;
  /** Closes the listeners and clients, leaving the agent as it is (before a process restart). */
  closeEdges(): Promise<void>;
}

export async function assembleDevice(config: AgentConfig, o: AssembleOptions = {}): Promise<AssembledDevice> {
  const logger = o.logger ?? createAgentLogger({ level: config.log.level, ring: o.vendorLog });
  const acsUrl = o.acsUrl ?? config.acs.url;
  const usp = uspSettings(config);
  if (!acsUrl && !usp)
    throw new ConfigError('acs.url: give the ACS URL (--acs-url, CWMP_AGENT_ACS_URL or acs.url in the config), or a USP broker (--usp-mqtt-url)');
  const stateDir = prepareStateDir(path.resolve(config.stateDir), logger);
  const tls = tlsOptions(config);
  const schema = usp ? await uspSchemaFor(config) : await schemaFor(config);
  const firmwarePublicKey = readFileOption(config.device.firmwarePublicKeyFile, 'device.firmwarePublicKeyFile')?.toString('utf8');
  const logFile = { name: 'cwmp-agent.log', maximumSize: o.vendorLog?.maximumSize ?? 256 * 1024 };
  const onReboot = o.onReboot;
  // prom-client is loaded only when metrics are asked for.
  const metrics = config.metrics ? new (await import('../observability/metrics.js')).AgentMetrics({ processMetrics: true }) : undefined;
  const misbehaviour =
    config.misbehaviour.length > 0 ? new Misbehaviour(config.misbehaviour, 'device', Math.random, (rule) => metrics?.misbehaviourFired(rule)) : undefined;
  const common = { filesDir: path.join(stateDir, 'device'), firmwarePublicKey, logFile, onReboot, standby: config.device.standby };
  // Only the device this configuration runs is loaded.
  const device =
    config.device.kind === 'linux'
      ? new (await import('../providers/linux-host.js')).LinuxHostDevice({
          identity: config.device.identity,
          rebootCommand: config.device.rebootCommand,
          factoryResetCommand: config.device.factoryResetCommand,
          ...common,
        })
      : new (await import('../providers/simulated-device.js')).SimulatedDevice(config.device.seed, () => systemClock.now(), config.device.identity, {
          ...common,
          firmwareFailsToBoot: misbehaviour ? (serial) => misbehaviour.firmwareFailsToBoot(serial) : undefined,
        });
  // Providers in other processes, added last: they win over the built-in ones for their objects.
  const helpers = config.device.externalProviders.map(
    (h) =>
      new ExternalProcessProvider({
        command: h.command,
        objects: h.objects,
        timeoutMs: h.timeoutMs,
        env: h.env,
        log: (line) => logger.warn({ helper: h.command[0] }, line),
      }),
  );
  device.providers.push(...helpers);
  const wire = wireTraceFor(config.trace);
  const drift = misbehaviour?.clockOffsetMs(device.identity.serialNumber);
  const agent = new Agent({
    misbehaviour,
    observer: metrics,
    trace: wire?.forDevice(device.identity.serialNumber),
    schema,
    // Without an ACS the device speaks USP only: CWMP is off (ManagementServer.EnableCWMP false).
    acsUrl: acsUrl ?? '',
    cwmpEnabled: acsUrl !== undefined,
    acsUsername: config.acs.username,
    acsPassword: config.acs.password,
    tls,
    acsRedirectHosts: config.acs.redirectHosts,
    cwmpVersion: config.cwmpVersion,
    device,
    stateStore: new FileAgentStateStore(stateDir, logger),
    modelStore: new FileModelStore(stateDir, logger),
    clock: drift ? offsetClock(systemClock, drift) : systemClock,
    random: Math.random,
    logger,
    requestTimeoutMs: config.acs.requestTimeoutMs,
    periodicInformInterval: o.periodicInformInterval ?? config.periodicInformInterval,
    connectionRequestUsername: config.connectionRequest.username,
    connectionRequestPassword: config.connectionRequest.password,
    transfers: {
      stagingDir: path.join(stateDir, 'transfers'),
      // File servers are trusted as the ACS is: the same CA bundle, verification on unless turned off.
      tls: { ca: tls?.ca, rejectUnauthorized: !config.acs.tls?.insecureSkipVerify },
      vendorLog: o.vendorLog ? { ...logFile, contents: () => o.vendorLog!.contents() } : undefined,
      uploadMethod: config.transfers.uploadMethod,
    },
  });
  logger.info({ serialNumber: device.identity.serialNumber, stateDir }, 'agent starting');
  const crAddress = o.connectionRequestAddress ?? config.connectionRequest.address;
  const crPort = config.connectionRequest.port;
  let crAuthFailures = 0;
  const uspEndpoint = usp ? await startUsp(agent, device.identity, usp, logger, wire?.forDevice(device.identity.serialNumber)) : undefined;
  // Connection requests are CWMP's: a USP-only device opens no port for them.
  const cwmpEdges = acsUrl ? await startCwmpEdges() : undefined;
  async function startCwmpEdges() {
    const http = await startHttpConnectionRequests(agent, {
      port: crPort,
      address: crAddress,
      digestAlgorithms: config.connectionRequest.digestAlgorithms,
      onAuthFailure: () => void crAuthFailures++,
    }).catch((err: NodeJS.ErrnoException) => {
      if ((err.code === 'EADDRINUSE' || err.code === 'EACCES') && err.syscall === 'listen') {
        throw new ConfigError(`cannot listen for connection requests on ${crAddress}:${crPort} (${err.code}); choose another port with --cr-port`);
      }
      throw err;
    });
    // UDP connection requests (TR-111) on the same port number as HTTP, or any free one.
    const udp = await startUdpConnectionRequests(agent, { port: crPort, address: crAddress });
    // XMPP (Annex K) once the ACS points ManagementServer.ConnReqXMPPConnection at an XMPP.Connection.
    const xmpp = startXmppConnectionRequests(agent);
    return { http, udp, xmpp };
  }
  new DiagnosticsRunner(agent.device);
  const bulkData = new LazyBulkData(agent, { stateDir, tls: { ca: tls?.ca, rejectUnauthorized: !config.acs.tls?.insecureSkipVerify } });
  const udpEcho = startUdpEchoConfig(agent, crAddress);
  const metricsServer =
    metrics && config.metrics
      ? await startMetricsServer({
          port: config.metrics.port,
          address: config.metrics.address,
          text: () => metrics.registry.metrics(),
          contentType: metrics.registry.contentType,
        }).catch((err: NodeJS.ErrnoException) => {
          throw new ConfigError(`metrics.port ${config.metrics!.port}: cannot listen (${err.code ?? err.message})`);
        })
      : undefined;
  if (metricsServer) logger.info({ port: metricsServer.port }, 'metrics at /metrics');
  const closeEdges = async (): Promise<void> => {
    await uspEndpoint?.stop();
    await cwmpEdges?.http.close();
    cwmpEdges?.udp.close();
    await cwmpEdges?.xmpp.stop();
    udpEcho.stop();
    await metricsServer?.close();
  };
  return {
    agent,
    device,
    connectionRequestAuthFailures: () => crAuthFailures,
    metrics,
    metricsPort: metricsServer?.port,
    stateDir,
    closeEdges,
    async stop() {
      bulkData.stop();
      await agent.stop();
      await closeEdges();
      for (const h of helpers) h.close();
      wire?.close();
    },
  };
}

export function readFileOption(file: string | undefined, what: string): Buffer | undefined {
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}

export function tlsOptions(config: AgentConfig): TlsOptions | undefined {
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
export function prepareStateDir(dir: string, log: Logger): string {
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
export async function schemaFor(config: AgentConfig): Promise<Schema> {
  const root = `${config.dataModel.root}.`;
  return config.dataModel.extraModels.length > 0 ? loadExtraModels(config, root) : builtInFor(root).schema;
}

/** The DM and DT loaders are loaded only for a configuration that names extra models. */
async function loadExtraModels(config: AgentConfig, root: string): Promise<Schema> {
  const { definitionsFromBbf, loadBbfModel } = await import('../models/bbf-loader.js');
  const { loadDeviceType, restrictToDeviceType } = await import('../models/dt-loader.js');
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

export interface UspSettings {
  endpointId: string | undefined;
  /** The broker's URL (MQTT) or the Controller's (WebSocket). */
  url: string;
  transport: 'MQTT' | 'WebSocket' | 'none';
  listen: { port: number; address: string } | undefined;
  keepAliveSeconds: number;
  topic: string | undefined;
  username: string | undefined;
  password: string | undefined;
  version: 4 | 5;
  controller: { endpointId: string; topic: string };
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer } | undefined;
}

/** The USP settings of a configuration that has a broker, checked: its Controller must be named, with its topic. */
export function uspSettings(config: AgentConfig): UspSettings | undefined {
  const u = config.usp;
  if (!u?.mqtt.url && !u?.websocket.url && u?.websocket.listenPort === undefined) return undefined;
  if (u.mqtt.url && u.websocket.url) throw new ConfigError('usp: give a broker (usp.mqtt.url) or a WebSocket (usp.websocket.url), not both');
  const { endpointId, topic } = u.controller;
  if (!endpointId) throw new ConfigError('usp.controller.endpointId: name the USP Controller (--usp-controller-id)');
  const websocket = u.websocket.url;
  if (u.mqtt.url && !topic) throw new ConfigError('usp.controller.topic: with a USP broker, give the topic the Controller listens on (--usp-controller-topic)');
  return {
    endpointId: u.endpointId,
    url: websocket ?? u.mqtt.url ?? '',
    transport: websocket ? 'WebSocket' : u.mqtt.url ? 'MQTT' : 'none',
    listen: u.websocket.listenPort === undefined ? undefined : { port: u.websocket.listenPort, address: u.websocket.listenAddress },
    keepAliveSeconds: u.websocket.keepAliveSeconds,
    topic: u.mqtt.topic,
    username: u.mqtt.username,
    password: u.mqtt.password,
    version: u.mqtt.version,
    controller: { endpointId, topic: websocket ?? topic ?? '' },
    tls: u.tls
      ? {
          ca: readFileOption(u.tls.caFile, 'usp.tls.caFile'),
          cert: readFileOption(u.tls.certFile, 'usp.tls.certFile'),
          key: readFileOption(u.tls.keyFile, 'usp.tls.keyFile'),
        }
      : undefined,
  };
}

async function uspSchemaFor(config: AgentConfig): Promise<Schema> {
  const { withLocalAgent } = await import('../models/local-agent.js');
  if (config.dataModel.root !== 'Device') throw new ConfigError('dataModel.root: USP needs the Device root (TR-181)');
  return withLocalAgent(await schemaFor(config));
}

/** The USP endpoint over MQTT, attached to the agent's device (its modules loaded only for a USP device). */
async function startUsp(
  agent: Agent,
  identity: DeviceIdentity,
  s: UspSettings,
  logger: Logger,
  trace: DeviceTrace | undefined,
): Promise<{ stop(): Promise<void> }> {
  const { UspEndpoint, overMqtt, overWebSocket, noOutgoingTransport } = await import('../usp-endpoint/usp-endpoint.js');
  const endpointId = s.endpointId ?? `os::${identity.oui}-${identity.serialNumber}`;
  let transport: import('../usp-endpoint/usp-endpoint.js').UspTransport;
  if (s.transport === 'none') {
    transport = noOutgoingTransport();
  } else if (s.transport === 'WebSocket') {
    const { WebSocketMtp } = await import('../mtp/websocket-mtp.js');
    transport = overWebSocket(new WebSocketMtp({ url: s.url, endpointId, keepAliveMs: s.keepAliveSeconds * 1000, tls: s.tls, logger }));
  } else {
    const { MqttMtp } = await import('../mtp/mqtt-mtp.js');
    const mtp = new MqttMtp({
      url: s.url,
      clientId: endpointId,
      agentTopic: s.topic ?? `usp/agent/${endpointId}`,
      username: s.username,
      password: s.password,
      protocolVersion: s.version,
      tls: s.tls,
      logger,
    });
    transport = overMqtt(mtp);
  }
  let listener: import('../mtp/websocket-listener-mtp.js').WebSocketListenerMtp | undefined;
  if (s.listen) {
    const { WebSocketListenerMtp } = await import('../mtp/websocket-listener-mtp.js');
    listener = new WebSocketListenerMtp({ port: s.listen.port, address: s.listen.address, logger });
  }
  const endpoint = new UspEndpoint(agent.device, {
    endpointId,
    controllers: [s.controller],
    transport,
    ...(listener ? { listener } : {}),
    logger,
    parameterKeyName: agent.ms.parameterKey,
    ...(trace ? { observer: (await import('../usp-endpoint/usp-trace.js')).tracingObserver(trace) } : {}),
  });
  endpoint.start();
  logger.info({ endpointId, url: s.url, controller: s.controller.endpointId }, `USP agent over ${s.transport}`);
  return endpoint;
}

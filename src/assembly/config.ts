/** The agent's configuration: a YAML file, then environment variables, then command-line flags. */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import { SCENARIOS, STORM_OPERATIONS } from '../fleet/scenario-names.js';
import { misbehaviourRuleSchema } from '../harness/misbehaviour.js';
import { ConfigError } from './config-error.js';
import { OVERRIDDEN_KEY, type ConfigOverrides, type OverrideKey } from './run-options.js';

export { ConfigError } from './config-error.js';
export { ENV_VARIABLES, flagLabels, optionHelp, overridesFromEnv, RUN_OPTIONS, type ConfigOverrides, type OverrideKey } from './run-options.js';

const identitySchema = z
  .object({
    manufacturer: z.string().max(64),
    oui: z.string().regex(/^[0-9A-F]{6}$/, 'six upper-case hex digits'),
    productClass: z.string().max(64),
    serialNumber: z.string().max(64),
    modelName: z.string().max(64),
    hardwareVersion: z.string().max(64),
    softwareVersion: z.string().max(64),
  })
  .partial()
  .strict();

export const configSchema = z
  .object({
    acs: z
      .object({
        url: z
          .string()
          .url()
          .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL (CWMP runs over HTTP)')
          .optional(),
        username: z.string().max(256).optional(),
        password: z.string().max(256).optional(),
        tls: z
          .object({
            caFile: z.string().optional(),
            certFile: z.string().optional(),
            keyFile: z.string().optional(),
            /** Only for lab use: turns certificate verification off. */
            insecureSkipVerify: z.boolean().default(false),
          })
          .strict()
          .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), {
            message: 'certFile and keyFile go together (a client certificate needs its key)',
            path: ['keyFile'],
          })
          .optional(),
        /**
         * Hosts besides the ACS URL's own that a redirect (302/307) may send the session to. A
         * redirect to any other host, or from https to http, is refused: it would hand the
         * credentials to whoever answers there.
         */
        redirectHosts: z.array(z.string().min(1)).default([]),
        requestTimeoutMs: z.number().int().positive().default(30_000),
      })
      .strict()
      .default({ requestTimeoutMs: 30_000, redirectHosts: [] }),
    stateDir: z.string().default('./var'),
    cwmpVersion: z.enum(['1.0', '1.1', '1.2', '1.3', '1.4']).default('1.4'),
    periodicInformInterval: z.number().int().min(1).optional(),
    device: z
      .object({
        /** simulated: deterministic values from the seed; linux: this host's own values. */
        kind: z.enum(['simulated', 'linux']).default('simulated'),
        seed: z.string().default('cwmp-agent'),
        identity: identitySchema.default({}),
        /** linux only: commands for Reboot and FactoryReset (default: restart the agent only). */
        rebootCommand: z.array(z.string()).min(1).optional(),
        factoryResetCommand: z.array(z.string()).min(1).optional(),
        /** Ed25519 public key (PEM file): firmware images must carry a valid signature from it. */
        firmwarePublicKeyFile: z.string().optional(),
        /**
         * Providers in other processes (a shell script, a C program) speaking the JSON-lines
         * protocol of providers/external/helper-protocol.ts, each for the objects it names.
         */
        externalProviders: z
          .array(
            z
              .object({
                command: z.array(z.string().min(1)).min(1),
                objects: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*\.([A-Za-z0-9{}_-]+\.)*$/, 'an object path ending with "."')).min(1),
                timeoutMs: z.number().int().min(10).max(60_000).default(2_000),
                env: z.record(z.string(), z.string()).optional(),
              })
              .strict(),
          )
          .default([]),
        /** What the device can keep doing in standby (TR-069 Annex L); SIGUSR1 sends the agent into standby, SIGUSR2 wakes it. */
        standby: z.object({ crAware: z.boolean(), timerAware: z.boolean() }).strict().optional(),
      })
      .strict()
      .default({ kind: 'simulated', seed: 'cwmp-agent', identity: {}, externalProviders: [] }),
    dataModel: z
      .object({
        /** The root object: TR-181 "Device" (default) or TR-098 "InternetGatewayDevice" for a legacy gateway. */
        root: z.enum(['Device', 'InternetGatewayDevice']).default('Device'),
        /** Broadband Forum DM XML files whose definitions widen the built-in model. */
        extraModels: z
          .array(
            z
              .object({
                file: z.string(),
                mountAt: z.string().regex(/\.$/, 'ends with "."').optional(),
                include: z.array(z.string()).optional(),
                /** A Device Type (DT) document: only what it lists is supported, with its access. */
                deviceType: z.string().optional(),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ root: 'Device', extraModels: [] }),
    connectionRequest: z
      .object({
        port: z.number().int().min(0).max(65535).default(7547),
        address: z.string().default('0.0.0.0'),
        /** The device's initial ConnectionRequestUsername and Password (factory values; the ACS may set others). */
        username: z.string().max(256).optional(),
        password: z.string().max(256).optional(),
        /** Digest algorithms the challenge offers, in order: MD5 first suits ACS clients that read only the first. */
        digestAlgorithms: z
          .array(z.enum(['MD5', 'SHA-256']))
          .min(1)
          .default(['MD5', 'SHA-256']),
      })
      .strict()
      .default({ port: 7547, address: '0.0.0.0', digestAlgorithms: ['MD5', 'SHA-256'] }),
    transfers: z
      .object({
        /** HTTP method for Upload: TR-069 file servers take PUT; some want POST. */
        uploadMethod: z.enum(['PUT', 'POST']).default('PUT'),
      })
      .strict()
      .default({ uploadMethod: 'PUT' }),
    /** `cwmp-agent fleet`: many simulated devices in one process. */
    fleet: z
      .object({
        count: z.number().int().min(1).max(16_777_216).optional(),
        /** A shipped profile (stb, gateway) or a JSON/CSV snapshot file. */
        profile: z.string().default('stb'),
        scenario: z.enum(SCENARIOS).default('steady'),
        /** What every device speaks: CWMP to the ACS, USP to the Controller of usp.*, or both. */
        protocol: z.enum(['cwmp', 'usp', 'both']).default('cwmp'),
        durationSeconds: z.number().min(0).default(0),
        rate: z.number().positive().optional(),
        bootWindowSeconds: z.number().min(0).optional(),
        churnPercent: z.number().min(0).max(100).optional(),
        offlineSeconds: z.number().positive().optional(),
        /** operate-storm: what the USP controller runs on each device. */
        operation: z.enum(STORM_OPERATIONS).default('reboot'),
        /** "I/N": run the I-th of N equal parts of the serial range (0-based). */
        shard: z
          .string()
          .regex(/^\d+\/\d+$/, 'I/N, e.g. 0/4')
          .optional(),
        /** Every device's ConnectionRequestPassword until the ACS sets one (the username is its serial). */
        connectionRequestPassword: z.string().max(256).default('cwmp-agent'),
        summaryFile: z.string().optional(),
        snapshotIntervalSeconds: z.number().int().min(1).default(30),
        /** Devices that misbehave on purpose, for testing an ACS (see harness/misbehaviour.ts). */
        misbehaviour: z.array(misbehaviourRuleSchema).default([]),
        /** Sessions in flight at most, fleet-wide; the rest wait (default: from the open-file limit). */
        maxSessionsInFlight: z.number().int().min(1).optional(),
        /** Threads to spread the devices over. */
        workers: z.number().int().min(1).max(256).optional(),
        /** PeriodicInformInterval of every device (the scenario's own when absent). */
        periodicInformInterval: z.number().int().min(1).optional(),
        /** Where the fleet keeps its state across runs (in memory when absent). */
        stateDir: z.string().min(1).optional(),
        /** CIDR blocks (IPv4, IPv6) each device takes its own source address from, by its index. */
        sourceAddresses: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
      })
      .strict()
      .optional(),
    /** This device misbehaves on purpose (answers, transfers, connection requests; see harness/misbehaviour.ts). */
    misbehaviour: z.array(misbehaviourRuleSchema).default([]),
    /** The Prometheus endpoint (GET /metrics); off unless a port is given. */
    metrics: z
      .object({
        port: z.number().int().min(0).max(65535),
        address: z.string().default('0.0.0.0'),
      })
      .strict()
      .optional(),
    /** The live dashboard and control API (see observability/control-server.ts); off unless a port is given. */
    ui: z
      .object({
        port: z.number().int().min(0).max(65535),
        /** Loopback by default; anywhere else a token is required. */
        address: z.string().default('127.0.0.1'),
        token: z.string().min(16, 'at least 16 characters').optional(),
      })
      .strict()
      .refine((u) => u.token !== undefined || ['127.0.0.1', '::1', 'localhost'].includes(u.address) || u.address.startsWith('127.'), {
        message: 'a token (ui.token) is required when the control API listens beyond loopback',
        path: ['token'],
      })
      .optional(),
    /** The wire trace (see observability/wire-trace.ts): every exchange, connection request and transfer, per device. */
    trace: z
      .object({
        dir: z.string().min(1),
        maxFileBytes: z
          .number()
          .int()
          .min(4096)
          .default(1024 * 1024),
        maxDirBytes: z
          .number()
          .int()
          .min(65_536)
          .default(256 * 1024 * 1024),
        /** Keep passwords, keys and Authorization headers in the trace (a lab only). */
        secrets: z.boolean().default(false),
      })
      .strict()
      .optional(),
    /** USP (TR-369): the device also (or only, without acs.url) speaks USP to a Controller over MQTT. */
    usp: z
      .object({
        /** Speak USP; with no broker and no WebSocket URL, to the bundled USP controller (run starts it in-process). */
        enabled: z.boolean().default(false),
        /** This agent's USP EndpointID; by default os::<OUI>-<SerialNumber>. */
        endpointId: z.string().min(1).max(256).optional(),
        mqtt: z
          .object({
            url: z
              .string()
              .url()
              .refine((u) => /^(mqtts?|wss?):\/\//i.test(u), 'must be an mqtt://, mqtts://, ws:// or wss:// URL')
              .optional(),
            /** The agent's own topic (its "reply to"); by default usp/agent/<EndpointID>. */
            topic: z.string().min(1).max(65535).optional(),
            username: z.string().max(256).optional(),
            password: z.string().max(256).optional(),
            /** 5 (the default) or 4 (MQTT 3.1.1). */
            version: z.union([z.literal(4), z.literal(5)]).default(5),
          })
          .strict()
          .default({ version: 5 }),
        /** Or a WebSocket: the Controller's ws:// or wss:// URL, which the agent connects to. */
        websocket: z
          .object({
            url: z
              .string()
              .url()
              .refine((u) => /^wss?:\/\//i.test(u), 'must be a ws:// or wss:// URL')
              .optional(),
            /** Ping interval, seconds. */
            keepAliveSeconds: z.number().int().min(1).max(3600).default(30),
            /** Also accept sessions Controllers open to the agent on this port (R-WS.6), and address. */
            listenPort: z.number().int().min(0).max(65535).optional(),
            listenAddress: z.string().default('127.0.0.1'),
          })
          .strict()
          .default({ keepAliveSeconds: 30, listenAddress: '127.0.0.1' }),
        /** TLS for mqtts:// and wss://: the CA that signs the broker's or Controller's certificate, and a client certificate. */
        tls: z
          .object({ caFile: z.string().optional(), certFile: z.string().optional(), keyFile: z.string().optional() })
          .strict()
          .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), {
            message: 'certFile and keyFile go together (a client certificate needs its key)',
            path: ['keyFile'],
          })
          .optional(),
        /** The Controller trusted with full access, and the topic it listens on. */
        controller: z
          .object({ endpointId: z.string().min(1).max(256).optional(), topic: z.string().min(1).max(65535).optional() })
          .strict()
          .default({}),
      })
      .strict()
      .optional(),
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        /** auto: readable lines on a terminal, JSON lines (pino) when piped; json or pretty to choose. */
        format: z.enum(['auto', 'json', 'pretty']).default('auto'),
      })
      .strict()
      .default({ level: 'info', format: 'auto' }),
  })
  .strict();

export type AgentConfig = z.infer<typeof configSchema>;

/** Loads, merges and validates; errors name the offending key. */
export function loadConfig(file: string | undefined, ...layers: ConfigOverrides[]): AgentConfig {
  let raw: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    let doc: unknown;
    try {
      // The YAML parser is loaded only when there is a file to read.
      const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
      doc = parse(text, { maxAliasCount: 100 });
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
    }
    if (doc !== null && doc !== undefined && (typeof doc !== 'object' || Array.isArray(doc))) throw new ConfigError(`config file ${file} must hold a mapping`);
    raw = (doc as Record<string, unknown>) ?? {};
  }
  const merged = structuredClone(raw) as Record<string, any>;
  const setBy = new Map<string, string>();
  for (const o of layers) {
    for (const [key, label] of Object.entries(o.setBy ?? {})) if (o[key as OverrideKey] !== undefined) setBy.set(OVERRIDDEN_KEY[key as OverrideKey], label);
    if (o.acsUrl !== undefined || o.acsUsername !== undefined || o.acsPassword !== undefined) merged['acs'] ??= {};
    if (o.acsUrl !== undefined) merged['acs'].url = o.acsUrl;
    if (o.acsUsername !== undefined) merged['acs'].username = o.acsUsername;
    if (o.acsPassword !== undefined) merged['acs'].password = o.acsPassword;
    if (o.stateDir !== undefined) merged['stateDir'] = o.stateDir;
    if (o.crPort !== undefined) merged['connectionRequest'] = { ...(merged['connectionRequest'] ?? {}), port: o.crPort };
    if (o.crUsername !== undefined) merged['connectionRequest'] = { ...(merged['connectionRequest'] ?? {}), username: o.crUsername };
    if (o.crPassword !== undefined) merged['connectionRequest'] = { ...(merged['connectionRequest'] ?? {}), password: o.crPassword };
    if (o.logLevel !== undefined) merged['log'] = { ...(merged['log'] ?? {}), level: o.logLevel };
    if (o.logFormat !== undefined) merged['log'] = { ...(merged['log'] ?? {}), format: o.logFormat };
    if (o.root !== undefined) merged['dataModel'] = { ...(merged['dataModel'] ?? {}), root: o.root };
    if (o.traceDir !== undefined) merged['trace'] = { ...(merged['trace'] ?? {}), dir: o.traceDir };
    if (o.uiPort !== undefined) merged['ui'] = { ...(merged['ui'] ?? {}), port: o.uiPort };
    if (o.metricsPort !== undefined) merged['metrics'] = { ...(merged['metrics'] ?? {}), port: o.metricsPort };
    if (o.traceSecrets) merged['trace'] = { ...(merged['trace'] ?? {}), secrets: true };
    if (o.usp) merged['usp'] = { ...(merged['usp'] ?? {}), enabled: true };
    if (o.uspWsUrl !== undefined) {
      const usp = (merged['usp'] ??= {});
      usp.websocket = { ...(usp.websocket ?? {}), url: o.uspWsUrl };
    }
    if (o.uspWsListen !== undefined) {
      const usp = (merged['usp'] ??= {});
      usp.websocket = { ...(usp.websocket ?? {}), listenPort: o.uspWsListen };
    }
    if (o.uspMqttUrl !== undefined || o.uspControllerId !== undefined || o.uspControllerTopic !== undefined || o.uspEndpointId !== undefined) {
      const usp = (merged['usp'] ??= {});
      if (o.uspEndpointId !== undefined) usp.endpointId = o.uspEndpointId;
      if (o.uspMqttUrl !== undefined) usp.mqtt = { ...(usp.mqtt ?? {}), url: o.uspMqttUrl };
      if (o.uspControllerId !== undefined) usp.controller = { ...(usp.controller ?? {}), endpointId: o.uspControllerId };
      if (o.uspControllerTopic !== undefined) usp.controller = { ...(usp.controller ?? {}), topic: o.uspControllerTopic };
    }
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const key = i.path.join('.');
      const by = setBy.get(key);
      return `${key || '(top level)'}${by ? ` (from ${by})` : ''}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration${file ? ` in ${file}` : ''}:\n  ${issues.join('\n  ')}`);
  }
  return result.data;
}

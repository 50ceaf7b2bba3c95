/**
 * Every `cwmp-agent fleet` option in one table: its flag, its key in the YAML configuration, its
 * environment variable and its default. The command's flags and --help, the variables read at
 * start and the README's table all come from here, so an option cannot exist one way and not
 * another. Flags win over variables, which win over the file.
 */
import { ConfigError, RUN_OPTIONS, type OverrideKey } from '../assembly/config.js';
import { SCENARIOS, STORM_OPERATIONS } from '../fleet/scenario-names.js';
import { SourceAddresses } from '../fleet/source-addresses.js';

export type FleetOptionValue = string | number | boolean;

export interface FleetOption {
  /** commander's spelling: "--count <n>". */
  flag: string;
  /** The property of FleetFlags it sets. */
  name: string;
  /** Its key in the configuration file. */
  configKey: string;
  env: string;
  description: string;
  /** The default, as shown (absent: none, or it depends). */
  default?: string;
  /** Reads a flag's or a variable's text; throws an Error naming what it expects. */
  parse?: (text: string) => FleetOptionValue;
}

/** A fleet option that `run` has too, as RUN_OPTIONS describes it, with what differs for a fleet. */
function shared(name: OverrideKey, differs: Partial<FleetOption> = {}): FleetOption {
  const { flag, configKey, env, description, default: byDefault } = RUN_OPTIONS[name];
  return { flag, name, configKey, env, description, ...(byDefault ? { default: byDefault } : {}), ...differs };
}

function number(min: number, integer = false): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
      throw new Error(`${integer ? 'a whole number' : 'a number'} of ${min} or more`);
    return n;
  };
}

function portNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 65535) throw new Error('a port number from 0 to 65535');
  return n;
}

function protocolName(text: string): string {
  if (!['cwmp', 'usp', 'both'].includes(text)) throw new Error('cwmp, usp or both');
  return text;
}

function sourceAddressList(text: string): string {
  SourceAddresses.parse([text]);
  return text;
}

function operationName(text: string): string {
  if (!(STORM_OPERATIONS as readonly string[]).includes(text)) throw new Error(`one of ${STORM_OPERATIONS.join(', ')}`);
  return text;
}

function scenarioName(text: string): string {
  if (!(SCENARIOS as readonly string[]).includes(text)) throw new Error(`one of ${SCENARIOS.join(', ')}`);
  return text;
}

export const FLEET_OPTIONS: readonly FleetOption[] = [
  {
    flag: '--count <n>',
    name: 'count',
    configKey: 'fleet.count',
    env: 'CWMP_AGENT_FLEET_COUNT',
    description: 'devices in the whole fleet',
    parse: number(1, true),
  },
  {
    flag: '--profile <name|file>',
    name: 'profile',
    configKey: 'fleet.profile',
    env: 'CWMP_AGENT_FLEET_PROFILE',
    description: 'stb, gateway, or a JSON/CSV parameter snapshot',
    default: 'stb',
  },
  {
    flag: '--protocol <name>',
    name: 'protocol',
    configKey: 'fleet.protocol',
    env: 'CWMP_AGENT_FLEET_PROTOCOL',
    description: 'cwmp (to the ACS), usp (to the USP Controller: each device its own MQTT connection or WebSocket), or both',
    default: 'cwmp',
    parse: protocolName,
  },
  {
    flag: '--scenario <name>',
    name: 'scenario',
    configKey: 'fleet.scenario',
    env: 'CWMP_AGENT_FLEET_SCENARIO',
    description: SCENARIOS.join(', '),
    default: 'steady',
    parse: scenarioName,
  },
  {
    flag: '--duration <seconds>',
    name: 'duration',
    configKey: 'fleet.durationSeconds',
    env: 'CWMP_AGENT_FLEET_DURATION',
    description: 'how long to run; 0 runs until Ctrl-C',
    default: '0',
    parse: number(0),
  },
  {
    flag: '--rate <n>',
    name: 'rate',
    configKey: 'fleet.rate',
    env: 'CWMP_AGENT_FLEET_RATE',
    description: 'steady: Informs/s; cr-storm: connection requests/s; firmware-rollout: Downloads/s; bulkdata: reports/s; operate-storm: Operates/s',
    parse: number(0),
  },
  {
    flag: '--boot-window <seconds>',
    name: 'bootWindow',
    configKey: 'fleet.bootWindowSeconds',
    env: 'CWMP_AGENT_FLEET_BOOT_WINDOW',
    description: 'all devices boot within this window',
    default: '10 (boot-storm)',
    parse: number(0),
  },
  {
    flag: '--interval <seconds>',
    name: 'interval',
    configKey: 'fleet.periodicInformInterval',
    env: 'CWMP_AGENT_FLEET_INTERVAL',
    description: 'PeriodicInformInterval of every device',
    parse: number(1, true),
  },
  {
    flag: '--churn-percent <p>',
    name: 'churnPercent',
    configKey: 'fleet.churnPercent',
    env: 'CWMP_AGENT_FLEET_CHURN_PERCENT',
    description: 'churn: share of devices offline at a time; standby: share asleep',
    parse: number(0),
  },
  {
    flag: '--offline-seconds <s>',
    name: 'offlineSeconds',
    configKey: 'fleet.offlineSeconds',
    env: 'CWMP_AGENT_FLEET_OFFLINE_SECONDS',
    description: 'churn: how long a device stays off; standby: how long it sleeps',
    parse: number(0),
  },
  {
    flag: '--operation <name>',
    name: 'operation',
    configKey: 'fleet.operation',
    env: 'CWMP_AGENT_FLEET_OPERATION',
    description: `operate-storm: what the controller runs on each device (${STORM_OPERATIONS.join(', ')})`,
    default: 'reboot',
    parse: operationName,
  },
  {
    flag: '--shard <I/N>',
    name: 'shard',
    configKey: 'fleet.shard',
    env: 'CWMP_AGENT_FLEET_SHARD',
    description: 'run part I of N of the serial range (0-based), e.g. $JOB_COMPLETION_INDEX/10',
  },
  {
    flag: '--summary <file>',
    name: 'summary',
    configKey: 'fleet.summaryFile',
    env: 'CWMP_AGENT_FLEET_SUMMARY',
    description: 'also write the JSON summary here',
  },
  {
    flag: '--cr-password <password>',
    name: 'crPassword',
    configKey: 'fleet.connectionRequestPassword',
    env: 'CWMP_AGENT_FLEET_CR_PASSWORD',
    description: 'initial ConnectionRequestPassword (username: the serial number)',
    default: 'cwmp-agent',
  },
  {
    flag: '--max-in-flight <n>',
    name: 'maxInFlight',
    configKey: 'fleet.maxSessionsInFlight',
    env: 'CWMP_AGENT_FLEET_MAX_IN_FLIGHT',
    description: 'sessions in flight at most; the rest wait',
    default: '256, fewer under a low open-file limit',
    parse: number(1, true),
  },
  {
    flag: '--workers <n>',
    name: 'workers',
    configKey: 'fleet.workers',
    env: 'CWMP_AGENT_FLEET_WORKERS',
    description: 'spread the devices over this many threads (ports count up from --cr-port)',
    default: '1',
    parse: number(1, true),
  },
  {
    flag: '--source-addresses <cidrs>',
    name: 'sourceAddresses',
    configKey: 'fleet.sourceAddresses',
    env: 'CWMP_AGENT_FLEET_SOURCE_ADDRESSES',
    description: 'CIDR[,CIDR...] (IPv4, IPv6): each device sends from its own address of these, by its index, and is reached on it',
    default: "the system's choice",
    parse: sourceAddressList,
  },
  {
    flag: '--state-dir <dir>',
    name: 'stateDir',
    configKey: 'fleet.stateDir',
    env: 'CWMP_AGENT_STATE_DIR',
    description: "keep the fleet's state here across runs",
    default: 'in memory',
  },
  // The options a fleet shares with `run`: their flag, key and variable from RUN_OPTIONS.
  shared('acsUrl', { default: 'the bundled test ACS' }),
  shared('uspMqttUrl', { description: 'USP fleets: the MQTT broker every device connects to (its own connection each)' }),
  shared('uspWsUrl', { description: "USP fleets: or the Controller's WebSocket URL (its own session each)", default: 'the bundled USP controller' }),
  shared('uspControllerId'),
  shared('uspControllerTopic'),
  shared('acsUsername'),
  shared('acsPassword'),
  shared('crPort', { description: 'shared connection request port, HTTP and UDP (0 picks a free one)', parse: portNumber }),
  // A fleet logs warnings by default: thousands of devices at info would drown the terminal.
  shared('logLevel', { default: 'warn' }),
  shared('traceDir', { description: "write each device's exchanges to <dir>/<serial>.jsonl (bounded; see trace show)" }),
  shared('traceSecrets'),
  shared('metricsPort', { parse: portNumber }),
  shared('uiPort', { parse: portNumber }),
];

/**
 * The fleet options set by environment variables (`CWMP_AGENT_FLEET_*`; the shared ones such as
 * CWMP_AGENT_ACS_URL are read with the agent's configuration). A bad value is a ConfigError
 * naming the variable.
 */
export function fleetOptionsFromEnv(env: NodeJS.ProcessEnv): Record<string, FleetOptionValue> {
  const out: Record<string, FleetOptionValue> = {};
  for (const o of FLEET_OPTIONS) {
    if (!o.env.startsWith('CWMP_AGENT_FLEET_')) continue;
    const text = env[o.env];
    if (text === undefined || text === '') continue;
    try {
      out[o.name] = !o.flag.includes('<') ? text === 'true' || text === '1' : o.parse ? o.parse(text) : text;
    } catch (err) {
      throw new ConfigError(`${o.env}=${JSON.stringify(text)}: ${(err as Error).message}`);
    }
  }
  return out;
}

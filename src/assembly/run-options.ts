/**
 * Every option of `cwmp-agent run` in one table (RUN_OPTIONS): its flag, its key in the
 * configuration file, its environment variable, its default and what it does; and how flags and
 * variables become overrides of the file.
 */
import { ConfigError } from './config-error.js';

export interface ConfigOverrides {
  acsUrl?: string;
  acsUsername?: string;
  acsPassword?: string;
  stateDir?: string;
  crPort?: number;
  crUsername?: string;
  crPassword?: string;
  logLevel?: string;
  logFormat?: string;
  root?: string;
  traceDir?: string;
  metricsPort?: number;
  uiPort?: number;
  /** --trace-secrets: keep secrets in the trace. */
  traceSecrets?: boolean;
  /** --usp: speak USP (to the bundled controller when no URL is given). */
  usp?: boolean;
  uspMqttUrl?: string;
  uspWsUrl?: string;
  uspWsListen?: number;
  uspControllerId?: string;
  uspControllerTopic?: string;
  uspEndpointId?: string;
  /** What the user typed to set each override (a variable, a flag): errors name it. */
  setBy?: Partial<Record<OverrideKey, string>>;
}

export type OverrideKey =
  | 'acsUrl'
  | 'acsUsername'
  | 'acsPassword'
  | 'stateDir'
  | 'crPort'
  | 'crUsername'
  | 'crPassword'
  | 'logLevel'
  | 'logFormat'
  | 'root'
  | 'traceDir'
  | 'metricsPort'
  | 'uiPort'
  | 'traceSecrets'
  | 'usp'
  | 'uspMqttUrl'
  | 'uspWsUrl'
  | 'uspWsListen'
  | 'uspControllerId'
  | 'uspControllerTopic'
  | 'uspEndpointId';

/**
 * Every option of `cwmp-agent run` in one table: its flag (as commander spells it), its key in the
 * configuration file, its environment variable, its default and what it does. The command's
 * flags and --help, the variables read and the README's table all come from here.
 */
export const RUN_OPTIONS: Record<OverrideKey, { flag: string; configKey: string; env: string; description: string; default?: string }> = {
  acsUrl: { flag: '--acs-url <url>', configKey: 'acs.url', env: 'CWMP_AGENT_ACS_URL', description: 'the ACS', default: 'start the bundled test ACS' },
  acsUsername: {
    flag: '--acs-username <user>',
    configKey: 'acs.username',
    env: 'CWMP_AGENT_ACS_USERNAME',
    description: 'username for the ACS (Basic or Digest)',
  },
  acsPassword: { flag: '--acs-password <password>', configKey: 'acs.password', env: 'CWMP_AGENT_ACS_PASSWORD', description: 'password for the ACS' },
  stateDir: { flag: '--state-dir <dir>', configKey: 'stateDir', env: 'CWMP_AGENT_STATE_DIR', description: 'where all persisted state lives', default: './var' },
  crPort: {
    flag: '--cr-port <port>',
    configKey: 'connectionRequest.port',
    env: 'CWMP_AGENT_CR_PORT',
    description: 'connection request port, HTTP and UDP (0 picks a free one)',
    default: '7547',
  },
  crUsername: {
    flag: '--cr-username <user>',
    configKey: 'connectionRequest.username',
    env: 'CWMP_AGENT_CR_USERNAME',
    description: "the device's initial ConnectionRequestUsername (the ACS may set another)",
  },
  crPassword: {
    flag: '--cr-password <password>',
    configKey: 'connectionRequest.password',
    env: 'CWMP_AGENT_CR_PASSWORD',
    description: "the device's initial ConnectionRequestPassword (the ACS may set another)",
  },
  logLevel: {
    flag: '--log-level <level>',
    configKey: 'log.level',
    env: 'CWMP_AGENT_LOG_LEVEL',
    description: 'trace, debug, info, warn, error or silent',
    default: 'info',
  },
  logFormat: {
    flag: '--log-format <format>',
    configKey: 'log.format',
    env: 'CWMP_AGENT_LOG_FORMAT',
    description: 'auto (readable lines on a terminal, JSON lines when piped), json or pretty',
    default: 'auto',
  },
  root: {
    flag: '--root <object>',
    configKey: 'dataModel.root',
    env: 'CWMP_AGENT_ROOT',
    description: 'data model root: Device (TR-181) or InternetGatewayDevice (TR-098, a legacy gateway)',
    default: 'Device',
  },
  traceDir: {
    flag: '--trace <dir>',
    configKey: 'trace.dir',
    env: 'CWMP_AGENT_TRACE_DIR',
    description: 'write every HTTP exchange, connection request and transfer to <dir>/<serial>.jsonl (see trace show)',
  },
  metricsPort: {
    flag: '--metrics-port <port>',
    configKey: 'metrics.port',
    env: 'CWMP_AGENT_METRICS_PORT',
    description: 'serve Prometheus metrics at http://<host>:<port>/metrics',
  },
  uiPort: {
    flag: '--ui-port <port>',
    configKey: 'ui.port',
    env: 'CWMP_AGENT_UI_PORT',
    description: 'serve the live dashboard and control API (loopback unless ui.address and ui.token say otherwise)',
  },
  traceSecrets: {
    flag: '--trace-secrets',
    configKey: 'trace.secrets',
    env: 'CWMP_AGENT_TRACE_SECRETS',
    description: 'keep passwords and Authorization headers in the trace (a lab only)',
    default: 'false',
  },
  usp: {
    flag: '--usp',
    configKey: 'usp.enabled',
    env: 'CWMP_AGENT_USP',
    description: 'speak USP (TR-369); with no broker or WebSocket URL, to the bundled USP controller, started in-process (USP only when no ACS URL is given)',
    default: 'false',
  },
  uspMqttUrl: {
    flag: '--usp-mqtt-url <url>',
    configKey: 'usp.mqtt.url',
    env: 'CWMP_AGENT_USP_MQTT_URL',
    description: 'speak USP (TR-369) over MQTT 5 through this broker (USP only when no ACS URL is given)',
  },
  uspWsUrl: {
    flag: '--usp-ws-url <url>',
    configKey: 'usp.websocket.url',
    env: 'CWMP_AGENT_USP_WS_URL',
    description: "speak USP over a WebSocket the agent opens to the Controller's ws:// or wss:// URL",
  },
  uspWsListen: {
    flag: '--usp-ws-listen <port>',
    configKey: 'usp.websocket.listenPort',
    env: 'CWMP_AGENT_USP_WS_LISTEN',
    description: 'also accept WebSocket sessions that the USP Controller opens to the agent, on this port (usp.websocket.listenAddress, 127.0.0.1 by default)',
  },
  uspControllerId: {
    flag: '--usp-controller-id <id>',
    configKey: 'usp.controller.endpointId',
    env: 'CWMP_AGENT_USP_CONTROLLER_ID',
    description: 'the EndpointID of the USP Controller trusted with full access',
  },
  uspControllerTopic: {
    flag: '--usp-controller-topic <topic>',
    configKey: 'usp.controller.topic',
    env: 'CWMP_AGENT_USP_CONTROLLER_TOPIC',
    description: 'the MQTT topic the USP Controller listens on (where the agent publishes)',
  },
  uspEndpointId: {
    flag: '--usp-endpoint-id <id>',
    configKey: 'usp.endpointId',
    env: 'CWMP_AGENT_USP_ENDPOINT_ID',
    description: "this agent's USP EndpointID",
    default: 'os::<OUI>-<SerialNumber>',
  },
};

/** An option's help text: what it does, then where else it is set and its default. */
export function optionHelp(o: { description: string; configKey: string; env: string; default?: string }): string {
  return `${o.description} [config ${o.configKey}; env ${o.env}${o.default ? `; default ${o.default}` : ''}]`;
}

const optionKeys = Object.keys(RUN_OPTIONS) as OverrideKey[];
/** The configuration key each override sets. */
export const OVERRIDDEN_KEY = Object.fromEntries(optionKeys.map((k) => [k, RUN_OPTIONS[k].configKey])) as Record<OverrideKey, string>;
export const ENV_VARIABLES = Object.fromEntries(optionKeys.map((k) => [k, RUN_OPTIONS[k].env])) as Record<OverrideKey, string>;
const FLAGS = Object.fromEntries(optionKeys.map((k) => [k, RUN_OPTIONS[k].flag.split(' ')[0]!])) as Record<OverrideKey, string>;

/** The flags given, as the user typed them, for error messages (never a password's value). */
export function flagLabels(flags: ConfigOverrides): Partial<Record<OverrideKey, string>> {
  const out: Partial<Record<OverrideKey, string>> = {};
  for (const key of Object.keys(FLAGS) as OverrideKey[]) {
    const v = flags[key];
    if (v !== undefined) out[key] = key === 'acsPassword' || key === 'crPassword' ? FLAGS[key] : `${FLAGS[key]} ${JSON.stringify(v)}`;
  }
  return out;
}

/** Environment variables that override the file (flags override both). */
export function overridesFromEnv(env: NodeJS.ProcessEnv): ConfigOverrides {
  const o: ConfigOverrides = { setBy: {} };
  const take = (key: OverrideKey, emptyCounts: boolean): string | undefined => {
    const name = ENV_VARIABLES[key];
    const value = env[name];
    if (value === undefined || (value === '' && !emptyCounts)) return undefined;
    o.setBy![key] = `${name}=${JSON.stringify(value)}`;
    return value;
  };
  o.acsUrl = take('acsUrl', false);
  o.acsUsername = take('acsUsername', true);
  o.acsPassword = take('acsPassword', true);
  o.stateDir = take('stateDir', false);
  const takePort = (key: 'crPort' | 'metricsPort' | 'uiPort' | 'uspWsListen'): number | undefined => {
    const text = take(key, false);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text.trim()) || Number(text) > 65535)
      throw new ConfigError(`${ENV_VARIABLES[key]}=${JSON.stringify(text)}: not a port number (0 to 65535)`);
    return Number(text);
  };
  o.crPort = takePort('crPort');
  o.crUsername = take('crUsername', true);
  o.crPassword = take('crPassword', true);
  o.logLevel = take('logLevel', false);
  o.logFormat = take('logFormat', false);
  o.root = take('root', false);
  o.traceDir = take('traceDir', false);
  o.metricsPort = takePort('metricsPort');
  o.uiPort = takePort('uiPort');
  const usp = take('usp', false);
  if (usp !== undefined) o.usp = usp === 'true' || usp === '1';
  o.uspMqttUrl = take('uspMqttUrl', false);
  o.uspWsUrl = take('uspWsUrl', false);
  o.uspWsListen = takePort('uspWsListen');
  o.uspControllerId = take('uspControllerId', false);
  o.uspControllerTopic = take('uspControllerTopic', false);
  o.uspEndpointId = take('uspEndpointId', false);
  const traceSecrets = take('traceSecrets', false);
  if (traceSecrets !== undefined) o.traceSecrets = traceSecrets === 'true' || traceSecrets === '1';
  // A password is never repeated in an error message.
  if (o.setBy!.acsPassword) o.setBy!.acsPassword = ENV_VARIABLES.acsPassword;
  if (o.setBy!.crPassword) o.setBy!.crPassword = ENV_VARIABLES.crPassword;
  return o;
}

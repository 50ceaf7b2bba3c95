/** `cwmp-agent run` in the worker process: one agent from the configuration, the bundled test ACS when no ACS is given. */
import type { Logger } from 'pino';
import type { TestAcs } from '../acs/test-acs.js';
import type { UspTestController } from '../usp-controller/usp-test-controller.js';
import type { Agent } from '../agent/agent.js';
import { assembleDevice, type AssembledDevice } from '../assembly/assemble-device.js';
import { loadConfig, overridesFromEnv, type ConfigOverrides } from '../assembly/config.js';
import { createAgentLogger } from '../log/agent-logger.js';
import { LogRing } from '../log/log-ring.js';
import path from 'node:path';
import type { ControlServer } from '../observability/control-server.js';
import { REBOOT_EXIT_CODE } from './supervisor.js';

export async function runAgent(configFile: string | undefined, flags: ConfigOverrides): Promise<void> {
  const config = loadConfig(configFile, overridesFromEnv(process.env), flags);
  // The recent log is also kept in memory: it is the file an ACS gets with Upload "2 Vendor Log File".
  const logRing = new LogRing();
  const logger = createAgentLogger({ level: config.log.level, format: config.log.format, ring: logRing });
  let demoAcs: TestAcs | undefined;
  let acsUrl = config.acs.url;
  // --usp with no broker and no WebSocket URL: the bundled USP controller, in this process, over a WebSocket.
  let demoController: UspTestController | undefined;
  if (config.usp?.enabled && !config.usp.mqtt.url && !config.usp.websocket.url && config.usp.websocket.listenPort === undefined) {
    const { UspTestController } = await import('../usp-controller/usp-test-controller.js');
    demoController = new UspTestController();
    config.usp.websocket.url = await demoController.listen();
    config.usp.controller.endpointId ??= demoController.endpointId;
    logger.info(
      { url: config.usp.websocket.url, api: config.usp.websocket.url.replace(/^ws/, 'http').replace(/\/usp$/, '/api/agents') },
      'no USP URL given: using the bundled USP controller',
    );
  }
  // No ACS but USP: the device speaks USP only, and no test ACS is started.
  if (!acsUrl && !config.usp?.mqtt.url && !config.usp?.websocket.url && config.usp?.websocket.listenPort === undefined) {
    // Loaded only when needed: a device with its own ACS never carries the test ACS.
    const { TestAcs } = await import('../acs/test-acs.js');
    demoAcs = new TestAcs();
    acsUrl = await demoAcs.listen();
    logger.info({ acsUrl }, 'no ACS URL given: using the bundled test ACS');
  }
  // A reboot restarts this process (see supervisor.ts); the edges close first so the ports are free.
  const onReboot = async (): Promise<void> => {
    logger.info('rebooting: restarting the agent process');
    await assembled.closeEdges();
    await demoAcs?.close();
    await demoController?.close();
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
  if (demoAcs) await showDemoSessions(demoAcs, agent, device.identity.serialNumber, `${config.dataModel.root}.`, logger);
  if (demoController) void showDemoUsp(demoController, logger);
  // The dashboard and control API over this one device, when asked for (its server, and zod's
  // route table, loaded only then).
  let control: ControlServer | undefined;
  if (config.ui) {
    const [{ ControlServer }, { agentTarget }] = await Promise.all([
      import('../observability/control-server.js'),
      import('../observability/control-target.js'),
    ]);
    control = new ControlServer({
      target: agentTarget(
        agent,
        device.identity.serialNumber,
        config.trace ? (serial) => path.join(path.resolve(config.trace!.dir), `${serial}.jsonl`) : undefined,
        assembled.connectionRequestAuthFailures,
        demoAcs,
      ),
      port: config.ui.port,
      address: config.ui.address,
      token: config.ui.token,
    });
  }
  if (control) logger.info({ url: `http://${config.ui!.address}:${await control.listen()}/` }, 'dashboard and control API');
  agent.start();
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    logger.info({ signal }, 'stopping: saving state, closing the listeners');
    clearInterval(keepAlive);
    await control?.close();
    await assembled.stop();
    await demoAcs?.close();
    await demoController?.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // The device's power management, from outside: standby as deep as StandbyPolicy lets it, and back.
  process.on('SIGUSR1', () => {
    const mode = agent.enterStandby({ crAware: false, timerAware: false });
    if ('refused' in mode) logger.warn({ reason: mode.refused }, 'standby refused');
  });
  process.on('SIGUSR2', () => agent.wake());
}

/** Something for the demo session to do (read the device's identity and settings), and what it read, in the log. */
/** The bundled controller reads the device's identity once it connects, and logs it (the USP twin of the demo sessions). */
async function showDemoUsp(controller: UspTestController, logger: Logger): Promise<void> {
  try {
    await controller.waitFor(() => controller.list().some((a) => a.connected), 60_000);
    const agent = controller.list().find((a) => a.connected)!;
    const answer = await controller.request(agent.endpointId, 'GET', {
      request: { get: { param_paths: ['Device.DeviceInfo.SoftwareVersion', 'Device.DeviceInfo.UpTime', 'Device.LocalAgent.EndpointID'] } },
    });
    const results = (answer.body.response?.['get_resp']?.['req_path_results'] ?? []) as {
      resolved_path_results?: { result_params?: Record<string, string> }[];
    }[];
    const values = Object.assign({}, ...results.flatMap((r) => (r.resolved_path_results ?? []).map((x) => x.result_params ?? {})));
    logger.info({ agent: agent.endpointId, values }, 'the bundled USP controller read these values from the device');
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'the bundled USP controller could not read the device');
  }
}

async function showDemoSessions(acs: TestAcs, agent: Agent, serial: string, root: string, logger: Logger): Promise<void> {
  const { parameterValues } = await import('../acs/acs-messages.js');
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

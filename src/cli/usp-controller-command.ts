/** `cwmp-agent usp-controller`: the bundled USP test controller on its own (agents connect over WebSocket, or through a broker). */
import { pino } from 'pino';
import { UspTestController } from '../usp-controller/usp-test-controller.js';

export async function runUspController(opts: { port: number; host: string; endpointId?: string; mqttUrl?: string; topic: string }): Promise<void> {
  const controller = new UspTestController({ port: opts.port, host: opts.host, endpointId: opts.endpointId });
  const url = await controller.listen();
  console.log(`USP controller ${controller.endpointId} listening at ${url}`);
  console.log(`JSON API at ${url.replace(/^ws/, 'http').replace(/\/usp$/, '/api/agents')} (agents, messages, notifications)`);
  console.log(`connect an agent: cwmp-agent run --usp-ws-url ${url} --usp-controller-id ${controller.endpointId}`);
  if (opts.mqttUrl) {
    await controller.connectMqtt({ url: opts.mqttUrl, topic: opts.topic, logger: pino({ level: 'warn' }, pino.destination(2)) });
    console.log(
      `on ${opts.mqttUrl} at topic ${opts.topic}: cwmp-agent run --usp-mqtt-url ${opts.mqttUrl} --usp-controller-id ${controller.endpointId} --usp-controller-topic ${opts.topic}`,
    );
  }
  const shutdown = async (): Promise<void> => {
    await controller.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

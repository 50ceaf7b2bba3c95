/**
 * A USP agent whose MTP its data model configures: nothing runs until an enabled
 * Device.LocalAgent.MTP names an enabled Device.MQTT.Client with a broker (what an ACS sets over
 * CWMP to move a device to USP, or a Controller over USP); then the agent connects as the model
 * says, reconnects when it is changed, and stops when it is disabled. Turned on in a running
 * device it sends each enabled Controller an OnBoardRequest; on later boots it connects from
 * the start and sends Boot! to the Controllers' subscriptions, as any configured agent.
 * Device.MQTT.Client.{i}.Status and Device.LocalAgent.MTP.{i}.Status say how it goes.
 */
import type { Logger } from 'pino';
import type { DeviceRuntime } from '../device/device-runtime.js';
import type { DomainEvent } from '../device/domain-events.js';
import { MqttMtp } from '../mtp/mqtt-mtp.js';
import { mqttSettingsFromModel, touchesUspMtp, type ModelMqttSettings } from './mqtt-settings-from-model.js';
import { overMqtt, UspEndpoint, type UspMessageObserver, type UspTransport } from './usp-endpoint.js';
import type { UspMisbehaviour } from './usp-misbehaviour.js';

export interface ProvisionedUspOptions {
  endpointId: string;
  logger: Logger;
  parameterKeyName: string;
  observer?: UspMessageObserver;
  /** Told when a connection is made (a fleet counts them). */
  onConnected?: () => void;
  /** A place among the connections being opened at once (a fleet's bound). */
  connectSlot?: () => Promise<() => void>;
  /** The address its connection leaves from (a fleet device's own). */
  localAddress?: string;
  reconnectMs?: number;
  random?: () => number;
  /** Broker CA and client certificate for a TLS client. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  misbehaviour?: UspMisbehaviour;
}

export class ProvisionedUsp {
  private running: { endpoint: UspEndpoint; transport: UspTransport; key: string; settings: ModelMqttSettings } | undefined;
  /** Whether the device is up and running: an agent started then is a new one, and onboards. */
  private ready = false;
  private readonly attachment = { busy: () => false, on: (e: DomainEvent) => this.domainEvent(e) };
  private changing: Promise<void> = Promise.resolve();

  constructor(
    private readonly device: DeviceRuntime,
    private readonly o: ProvisionedUspOptions,
  ) {
    device.attach(this.attachment);
  }

  get connected(): boolean {
    return this.running?.transport.connected === true;
  }

  /** Whether the model configures an MTP and the agent runs on it. */
  get active(): boolean {
    return this.running !== undefined;
  }

  /** Cuts the connection as a network would; it reconnects on its own schedule. */
  drop(): void {
    this.running?.transport.drop?.();
  }

  async stop(): Promise<void> {
    this.device.detach(this.attachment);
    await this.changing;
    await this.halt();
  }

  private domainEvent(e: DomainEvent): void {
    switch (e.kind) {
      case 'booted': {
        this.ready = false;
        // Configured already (a reboot after the migration): the agent starts now and hears this boot as any agent does.
        const found = this.running ? undefined : mqttSettingsFromModel(this.device.model, this.o.endpointId);
        if (found && !('misconfigured' in found)) this.begin(found);
        this.running?.endpoint.domainEvent(e);
        return;
      }
      case 'ready':
        this.ready = true;
        this.running?.endpoint.domainEvent(e);
        return;
      case 'going-down':
        this.ready = false;
        this.running?.endpoint.domainEvent(e);
        return;
      case 'values-changed':
        this.running?.endpoint.domainEvent(e);
        if (touchesUspMtp(e.names)) this.reconsider();
        return;
      default:
        this.running?.endpoint.domainEvent(e);
    }
  }

  /** Starts, restarts or stops the agent to match the model (changes are applied one after another). */
  private reconsider(): void {
    this.changing = this.changing.then(() => this.apply()).catch((err: Error) => this.o.logger.error({ err: err.message }, 'USP: MTP change failed'));
  }

  private async apply(): Promise<void> {
    const model = this.device.model;
    const found = mqttSettingsFromModel(model, this.o.endpointId);
    if (found && 'misconfigured' in found) {
      if (this.running) await this.halt();
      if (found.clientPath) model.writeFromDevice({ [`${found.clientPath}Status`]: 'Error_Misconfigured' });
      this.o.logger.warn({ reason: found.misconfigured }, 'USP: the MTP is misconfigured');
      return;
    }
    const key = found ? JSON.stringify(found) : '';
    if (key === (this.running?.key ?? '')) return;
    await this.halt();
    if (found) this.begin(found);
  }

  /** Starts the agent on the MTP the model configures; one made in a running device introduces itself. */
  private begin(found: ModelMqttSettings): void {
    const model = this.device.model;
    const mtp = new MqttMtp({
      url: found.url,
      clientId: found.clientId,
      agentTopic: found.agentTopic,
      protocolVersion: found.version,
      ...(found.username !== undefined ? { username: found.username } : {}),
      ...(found.password !== undefined ? { password: found.password } : {}),
      ...(this.o.tls ? { tls: this.o.tls } : {}),
      ...(this.o.reconnectMs !== undefined ? { reconnectMs: this.o.reconnectMs } : {}),
      ...(this.o.random ? { random: this.o.random } : {}),
      ...(this.o.connectSlot ? { connectSlot: this.o.connectSlot } : {}),
      ...(this.o.localAddress ? { localAddress: this.o.localAddress } : {}),
      logger: this.o.logger,
    });
    const transport = overMqtt(mtp);
    const endpoint = new UspEndpoint(this.device, {
      endpointId: this.o.endpointId,
      // The Controllers are the model's own rows, as the ACS or a Controller wrote them.
      controllers: [],
      transport,
      logger: this.o.logger,
      parameterKeyName: this.o.parameterKeyName,
      detached: true,
      ...(this.o.observer ? { observer: this.o.observer } : {}),
      ...(this.o.misbehaviour ? { misbehaviour: this.o.misbehaviour } : {}),
    });
    transport.onConnected(() => {
      model.writeFromDevice({
        [`${found.clientPath}Status`]: 'Connected',
        [`${found.mtpPath}Status`]: 'Up',
        [`${found.mtpPath}MQTT.ResponseTopicDiscovered`]: found.agentTopic,
      });
      this.o.onConnected?.();
    });
    this.running = { endpoint, transport, key: JSON.stringify(found), settings: found };
    model.writeFromDevice({ [`${found.clientPath}Status`]: 'Connecting' });
    endpoint.trustUnassignedControllers();
    endpoint.start();
    this.o.logger.info({ url: found.url, clientId: found.clientId }, 'USP: the data model configures an MQTT MTP; connecting');
    // Turned on in a running device: a new agent, which introduces itself to its Controllers.
    if (this.ready) endpoint.activate();
  }

  private async halt(): Promise<void> {
    const r = this.running;
    if (!r) return;
    this.running = undefined;
    await r.endpoint.stop();
    const model = this.device.model;
    if (model.instanceIds('Device.MQTT.Client.').some((n) => `Device.MQTT.Client.${n}.` === r.settings.clientPath))
      model.writeFromDevice({ [`${r.settings.clientPath}Status`]: 'Disabled' });
    if (model.instanceIds('Device.LocalAgent.MTP.').some((n) => `Device.LocalAgent.MTP.${n}.` === r.settings.mtpPath))
      model.writeFromDevice({ [`${r.settings.mtpPath}Status`]: 'Down' });
  }
}

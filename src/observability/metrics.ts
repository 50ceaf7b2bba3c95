/**
 * Prometheus metrics for an agent or a fleet: an AgentObserver that counts into a prom-client
 * registry of its own (never the global one), and the gauges a fleet adds. Labels are bounded
 * (methods, fault codes, event codes, outcomes, the profile): never one value per device.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AgentObserver } from '../agent/agent-observer.js';

/**
 * prom-client's default metrics include three gauges named `nodejs_active_{handles,requests,resources}_total`;
 * `_total` is for counters (promtool refuses them). Their sums are dropped: the same gauges by
 * type (`nodejs_active_handles{type=...}` and the others) stay.
 */
function dropTotalGauges(registry: Registry): void {
  for (const name of ['handles', 'requests', 'resources']) registry.removeSingleMetric(`cwmp_agent_nodejs_active_${name}_total`);
}

/** Fault codes as labels: the CWMP ones as they are, anything else (vendor) as one value. */
function faultLabel(code: number): string {
  return code === 0 || (code >= 9000 && code <= 9032) ? String(code) : 'other';
}

/** Event codes as labels: the numbered and M events, vendor events ("X OUI ...") as one value. */
function eventLabel(code: string): string {
  return /^(\d+ [A-Z ]+|M [A-Za-z]+)$/.test(code) ? code : code === '' ? 'none' : 'vendor';
}

export class AgentMetrics implements AgentObserver {
  readonly registry = new Registry();
  private readonly sessions: Counter<'outcome' | 'first_event'>;
  private readonly sessionSeconds: Histogram<'outcome'>;
  private readonly rpcs: Counter<'method' | 'fault'>;
  private readonly cpeRequests: Counter<'method'>;
  private readonly retries: Counter;
  private readonly retryWait: Histogram;
  private readonly transfers: Counter<'direction' | 'fault'>;
  private readonly notifications: Counter<'kind'>;
  private readonly connectionRequests: Counter<'path' | 'outcome'>;
  private misbehaviour: Counter<'rule'> | undefined;
  private usp: Counter<'dir' | 'msg_type'> | undefined;
  private portWaits: Counter<'code'> | undefined;

  constructor(o: { defaultLabels?: Record<string, string>; processMetrics?: boolean } = {}) {
    if (o.defaultLabels) this.registry.setDefaultLabels(o.defaultLabels);
    const registers = [this.registry];
    this.sessions = new Counter({
      name: 'cwmp_sessions_total',
      help: 'CWMP sessions, by outcome and the first event of their Inform',
      labelNames: ['outcome', 'first_event'],
      registers,
    });
    this.sessionSeconds = new Histogram({
      name: 'cwmp_session_duration_seconds',
      help: 'Duration of CWMP sessions',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.rpcs = new Counter({
      name: 'cwmp_rpcs_received_total',
      help: 'ACS requests answered, by method and fault code (0: success)',
      labelNames: ['method', 'fault'],
      registers,
    });
    this.cpeRequests = new Counter({
      name: 'cwmp_cpe_requests_sent_total',
      help: 'Requests the CPE sent to the ACS (TransferComplete, ...)',
      labelNames: ['method'],
      registers,
    });
    this.retries = new Counter({ name: 'cwmp_session_retries_total', help: 'Failed sessions retried', registers });
    this.retryWait = new Histogram({
      name: 'cwmp_retry_wait_seconds',
      help: 'Wait before a session retry',
      buckets: [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120],
      registers,
    });
    this.transfers = new Counter({
      name: 'cwmp_transfers_total',
      help: 'File transfers completed, by direction and fault code (0: success)',
      labelNames: ['direction', 'fault'],
      registers,
    });
    this.notifications = new Counter({
      name: 'cwmp_notifications_total',
      help: 'Changed parameters queued for the ACS, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.connectionRequests = new Counter({
      name: 'cwmp_connection_requests_total',
      help: 'Connection requests, by path (http, udp, xmpp) and outcome',
      labelNames: ['path', 'outcome'],
      registers,
    });
    if (o.processMetrics) {
      collectDefaultMetrics({ register: this.registry, prefix: 'cwmp_agent_' });
      dropTotalGauges(this.registry);
    }
  }

  sessionEnded(ok: boolean, seconds: number, firstEvent: string): void {
    const outcome = ok ? 'ok' : 'failed';
    this.sessions.inc({ outcome, first_event: eventLabel(firstEvent) });
    this.sessionSeconds.observe({ outcome }, seconds);
  }

  rpc(method: string, faultCode: number): void {
    this.rpcs.inc({ method, fault: faultLabel(faultCode) });
  }

  cpeRequest(method: string): void {
    this.cpeRequests.inc({ method });
  }

  retry(waitSeconds: number): void {
    this.retries.inc();
    this.retryWait.observe(waitSeconds);
  }

  transfer(direction: 'download' | 'upload', faultCode: number): void {
    this.transfers.inc({ direction, fault: faultLabel(faultCode) });
  }

  notification(kind: 'value-change' | 'active' | 'lightweight', count: number): void {
    this.notifications.inc({ kind }, count);
  }

  connectionRequest(path: 'http' | 'udp' | 'xmpp', outcome: string): void {
    this.connectionRequests.inc({ path, outcome: outcome.replace(/[^a-z0-9]+/gi, '_').toLowerCase() });
  }

  /** A connection to the ACS waited for a local port (made on first use: most runs never see one). */
  portWait(code: string): void {
    this.portWaits ??= new Counter({
      name: 'cwmp_port_waits_total',
      help: 'Connections to the ACS that found no local port free (EADDRNOTAVAIL, EADDRINUSE) and waited to try again',
      labelNames: ['code'],
      registers: [this.registry],
    });
    this.portWaits.inc({ code });
  }

  /** A misbehaviour rule fired (a test harness). */
  misbehaviourFired(rule: string): void {
    this.misbehaviour ??= new Counter({
      name: 'cwmp_misbehaviour_fired_total',
      help: 'Misbehaviour rules that fired, by rule',
      labelNames: ['rule'],
      registers: [this.registry],
    });
    this.misbehaviour.inc({ rule });
  }

  /** A USP Msg received from a Controller (in) or sent to one (out), by its type. */
  uspMessage(dir: 'in' | 'out', msgType: string): void {
    this.usp ??= new Counter({
      name: 'usp_messages_total',
      help: 'USP Msgs received from and sent to Controllers, by direction and Msg type',
      labelNames: ['dir', 'msg_type'],
      registers: [this.registry],
    });
    this.usp.inc({ dir, msg_type: msgType });
  }

  /**
   * Gauges whose value is read when scraped (a fleet's devices online, booted, offline). Worker
   * threads' gauges are summed into one scrape, unless `across` says they all read one thing
   * (the namespace's sockets: 'max').
   */
  gauge(
    name: string,
    help: string,
    labelNames: string[],
    collect: (set: (labels: Record<string, string>, value: number) => void) => void,
    across: 'sum' | 'max' = 'sum',
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      aggregator: across,
      registers: [this.registry],
      collect() {
        collect((labels, value) => this.set(labels, value));
      },
    });
  }
}

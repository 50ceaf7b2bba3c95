/**
 * A provider whose values live in another process: a shell script or a C program that speaks
 * the JSON-lines protocol of helper-protocol.ts, as easycwmp's shell backend or RDK's CCSP bus
 * bind parameters to the platform. One round trip per RPC: the helper's whole subtree (values
 * and the instances it owns) is fetched once per read batch (and reused for a quarter second
 * outside one); a SetParameterValues checks and applies all its values in one request each.
 */
import { currentReadBatch, type Provider } from '../../datamodel/provider.js';
import { HelperChannel } from './helper-channel.js';
import type { HelperAnswer } from './helper-protocol.js';

export interface ExternalProviderOptions {
  /** The helper and its arguments. */
  command: string[];
  /** The schema objects it answers for ("Device.WiFi."). */
  objects: string[];
  /** The longest wait for one answer (default 2,000 ms); then the RPC gets 9002. */
  timeoutMs?: number;
  env?: Record<string, string>;
  cwd?: string;
  /** Lines for the agent's log (the helper's stderr, protocol errors). */
  log?: (line: string) => void;
}

const REUSE_OUTSIDE_BATCH_MS = 250;

interface Snapshot {
  values: Record<string, string>;
  instances: Record<string, number[]>;
  batch: number | undefined;
  at: number;
}

export class ExternalProcessProvider implements Provider {
  readonly objects: readonly string[];
  private readonly channel: HelperChannel;
  private snapshot: Snapshot | undefined;
  private listeners: ((paths: string[]) => void)[] = [];

  constructor(private readonly opts: ExternalProviderOptions) {
    this.objects = opts.objects;
    this.channel = new HelperChannel({
      command: opts.command,
      env: opts.env,
      cwd: opts.cwd,
      timeoutMs: opts.timeoutMs ?? 2_000,
      onLog: opts.log,
      onChanged: (paths) => {
        this.snapshot = undefined;
        for (const l of this.listeners) l(paths);
      },
    });
  }

  get(path: string): string | undefined {
    return this.view().values[path];
  }

  instances(tablePath: string): number[] | undefined {
    return this.view().instances[tablePath];
  }

  validateAll(values: ReadonlyMap<string, string>): Record<string, string> {
    return this.channel.call({ op: 'validate', values: Object.fromEntries(values) }).errors ?? {};
  }

  setAll(values: ReadonlyMap<string, string>): undefined | 'reboot' {
    this.snapshot = undefined;
    const answer = this.channel.call({ op: 'set', values: Object.fromEntries(values) });
    return answer.reboot === true ? 'reboot' : undefined;
  }

  add(tablePath: string): number {
    this.snapshot = undefined;
    const answer = this.channel.call({ op: 'add', table: tablePath });
    if (!Number.isInteger(answer.instance) || answer.instance! < 1) throw new Error(`the helper answered add without an instance number`);
    return answer.instance!;
  }

  delete(objectPath: string): void {
    this.snapshot = undefined;
    this.channel.call({ op: 'delete', object: objectPath });
  }

  subscribe(changed: (paths: string[]) => void): () => void {
    this.listeners.push(changed);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== changed);
    };
  }

  /** Stops the helper (the agent is gone). */
  close(): void {
    this.channel.close();
  }

  private view(): Snapshot {
    const batch = currentReadBatch();
    const s = this.snapshot;
    if (s && ((batch !== undefined && s.batch === batch) || (batch === undefined && Date.now() - s.at < REUSE_OUTSIDE_BATCH_MS))) return s;
    const answer: HelperAnswer = this.channel.call({ op: 'get', objects: this.objects });
    this.snapshot = { values: answer.values ?? {}, instances: answer.instances ?? {}, batch, at: Date.now() };
    return this.snapshot;
  }
}

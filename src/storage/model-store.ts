/**
 * What a device's data model keeps per device (values, attributes, instances), and the stores
 * that keep it: the embedded default is one crash-safe JSON file, checked for shape when read,
 * saved again by itself after a failure (see RetryingSave); fleets keep it in memory.
 */
import path from 'node:path';
import { z } from 'zod';
import { AtomicJsonFile, type StorageLog } from './atomic-json-file.js';
import { RetryingSave } from './retrying-save.js';
import { shapeChecker } from './shape-check.js';

export interface InstanceTable {
  /** The next instance number to hand out; numbers are never reused. */
  next: number;
  ids: number[];
}

export interface StoredModel {
  values: Record<string, string>;
  /** Notification attribute per parameter, where it differs from 0. */
  notification: Record<string, number>;
  accessList: Record<string, string[]>;
  /** Instances per table, keyed by the table's concrete path ("Device.XMPP.Connection."). */
  instances?: Record<string, InstanceTable>;
  /** The device-served forced-notification values at the last boot (see forcedChangesSinceLastBoot). */
  reported?: Record<string, string>;
}

/**
 * Where a device's stored values and attributes live. A save that fails throws; the store then
 * keeps trying on its own (the model keeps the truth in memory), and a change the ACS asked for
 * is undone and answered with 9002.
 */
export interface ModelStore {
  load(): StoredModel | undefined;
  save(model: StoredModel): void;
  /** A last try to save what is still unsaved (at stop). */
  flush?(): void;
}

const storedModel = z.looseObject({
  values: z.record(z.string(), z.string()),
  notification: z.record(z.string(), z.number().int()),
  accessList: z.record(z.string(), z.array(z.string())),
  instances: z.record(z.string(), z.looseObject({ next: z.number().int(), ids: z.array(z.number().int()) })).optional(),
  reported: z.record(z.string(), z.string()).optional(),
});

export class FileModelStore implements ModelStore {
  private readonly file: AtomicJsonFile<StoredModel>;
  private readonly saver: RetryingSave<StoredModel>;
  constructor(stateDir: string, log?: StorageLog) {
    this.file = new AtomicJsonFile(path.join(stateDir, 'data-model.json'), { validate: shapeChecker<StoredModel>(storedModel), log });
    this.saver = new RetryingSave(this.file, log);
  }
  load(): StoredModel | undefined {
    return this.file.read();
  }
  save(model: StoredModel): void {
    this.saver.save(model);
  }
  flush(): void {
    this.saver.flush();
    this.saver.close();
  }
}

export class MemoryModelStore implements ModelStore {
  private saved: string | undefined;
  load(): StoredModel | undefined {
    return this.saved ? (JSON.parse(this.saved) as StoredModel) : undefined;
  }
  save(model: StoredModel): void {
    this.saved = JSON.stringify(model);
  }
}

/** Keeps the live model object (see LiveAgentStateStore): for fleets. */
export class LiveModelStore implements ModelStore {
  private model: StoredModel | undefined;
  constructor(initial?: StoredModel) {
    this.model = initial;
  }
  load(): StoredModel | undefined {
    return this.model ? structuredClone(this.model) : undefined;
  }
  save(model: StoredModel): void {
    this.model = model;
  }
  peek(): StoredModel | undefined {
    return this.model;
  }
}

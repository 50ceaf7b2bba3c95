/**
 * The embedded default store for data model values and attributes: one crash-safe JSON file,
 * checked for shape when read, saved again by itself after a failure (see RetryingSave).
 */
import path from 'node:path';
import { z } from 'zod';
import { AtomicJsonFile, type StorageLog } from '../storage/atomic-json-file.js';
import { RetryingSave } from '../storage/retrying-save.js';
import { shapeChecker } from '../storage/shape-check.js';
import type { ModelStore, StoredModel } from '../datamodel/data-model.js';

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

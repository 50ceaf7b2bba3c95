/** The embedded default store for data model values and attributes: one crash-safe JSON file. */
import path from 'node:path';
import { AtomicJsonFile } from '../storage/atomic-json-file.js';
import type { ModelStore, StoredModel } from '../datamodel/data-model.js';

export class FileModelStore implements ModelStore {
  private readonly file: AtomicJsonFile<StoredModel>;
  constructor(stateDir: string) {
    this.file = new AtomicJsonFile(path.join(stateDir, 'data-model.json'));
  }
  load(): StoredModel | undefined {
    return this.file.read();
  }
  save(model: StoredModel): void {
    this.file.write(model);
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

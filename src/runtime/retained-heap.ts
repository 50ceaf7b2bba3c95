/**
 * The heap a fleet retains, not what it happens to hold between collections: `heapUsed` counts
 * garbage not yet collected (a 10,000-device fleet read 17.5 KB a device where 10.9 KB were
 * retained). A full collection first makes the figure mean one thing. Node exposes `gc` only
 * under --expose-gc; turned on here at run time, it is reached through a fresh context.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

function collector(): (() => void) | undefined {
  if (gc) return gc;
  try {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  } catch {
    gc = undefined;
  }
  return gc;
}

/** Heap in use right after a full collection (bytes), and whether one could be made. */
export function retainedHeap(): { bytes: number; collected: boolean } {
  const collect = collector();
  collect?.();
  return { bytes: process.memoryUsage().heapUsed, collected: collect !== undefined };
}

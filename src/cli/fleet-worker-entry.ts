/** A fleet worker thread: runs its part of the fleet and reports to the thread that started it. */
import { workerData } from 'node:worker_threads';
import { runFleet, type FleetFlags } from './fleet-command.js';
import type { WorkerPlan } from './fleet-workers.js';

const plan = workerData as WorkerPlan;
await runFleet(plan.configFile, plan.flags as FleetFlags);

/** Runs every benchmark and prints its figures. `npm run bench` (with --expose-gc for the memory figures). */
import { runDataModelBench } from './datamodel.js';
import { runSessionThroughput } from './session-throughput.js';
import { runFleetBench } from './fleet.js';
import { runProcessBench } from './process-footprint.js';
import { runBulkDataBench } from './bulkdata.js';
import { runUspMessagesBench } from './usp-messages.js';
import { runUspStartupBench } from './usp-startup.js';
import { runUspFleetBench } from './usp-fleet.js';
import { runFleetRemoteBench } from './fleet-remote.js';

const only = process.argv[2];
if (!only || only === 'datamodel') runDataModelBench();
if (!only || only === 'session') await runSessionThroughput();
if (!only || only === 'fleet') await runFleetBench();
if (!only || only === 'process') await runProcessBench();
if (!only || only === 'bulkdata') await runBulkDataBench();
if (!only || only === 'usp') {
  runUspMessagesBench();
  await runUspStartupBench();
}
if (!only || only === 'usp-fleet') await runUspFleetBench();
if (!only || only === 'fleet-remote') await runFleetRemoteBench();

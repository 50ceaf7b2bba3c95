/** Runs every benchmark and prints its figures. `npm run bench`. */
import { runDataModelBench } from './datamodel.js';
import { runSessionThroughput } from './session-throughput.js';

runDataModelBench();
await runSessionThroughput();

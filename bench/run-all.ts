/** Runs every benchmark and prints its figures. `npm run bench`. */
import { runSessionThroughput } from './session-throughput.js';

await runSessionThroughput();

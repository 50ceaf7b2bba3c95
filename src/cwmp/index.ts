/** The protocol core's public surface. */
export * from './namespaces.js';
export * from './faults.js';
export * from './events.js';
export * from './retry.js';
export * from './messages.js';
export { parseAcsEnvelope, type ParseResult } from './envelope-parse.js';
export { writeEnvelope, writeFaultEnvelope, type EnvelopeOptions } from './envelope-write.js';

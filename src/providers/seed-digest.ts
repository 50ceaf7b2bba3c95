/**
 * The bytes a simulated device derives its values from: SHA-256 of a seed text. One-shot
 * hashing costs about 40% less than a createHash object, and a boot storm takes it a few
 * times per device.
 */
import { hash } from 'node:crypto';

export function seedDigest(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

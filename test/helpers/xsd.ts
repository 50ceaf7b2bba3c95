/** XSD validation of envelopes with Debian's xmllint against the Broadband Forum schemas in ../shared/bbf. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CWMP_NS_1_0, CWMP_NS_1_1, type CwmpNamespace } from '../../src/cwmp/namespaces.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BBF_DIR = process.env['BBF_DIR'] ?? path.resolve(repoRoot, '../shared/bbf');

/** Why XSD validation cannot run here, or undefined when it can. */
export function xsdSkipReason(): string | undefined {
  if (!fs.existsSync(path.join(BBF_DIR, 'soap', 'catalog.xml'))) return `Broadband Forum schemas not found at ${BBF_DIR}`;
  if (spawnSync('xmllint', ['--version']).status !== 0) return 'xmllint (Debian libxml2-utils) is not installed';
  return undefined;
}

function entrySchema(ns: CwmpNamespace): string {
  const name = ns === CWMP_NS_1_0 ? 'envelope-cwmp-1-0.xsd' : ns === CWMP_NS_1_1 ? 'envelope-cwmp-1-1.xsd' : 'envelope-cwmp-1-4.xsd';
  return path.join(BBF_DIR, 'soap', name);
}

/** Validates many envelopes of one namespace in one xmllint run; returns xmllint's complaints per file. */
export function validateEnvelopes(ns: CwmpNamespace, envelopes: string[]): { ok: boolean; output: string } {
  return validateAgainst(entrySchema(ns), envelopes);
}

/** Validates UDP Lightweight Notification bodies against cwmp-UDPLightweightNotification-1-0.xsd. */
export function validateLightweightNotifications(bodies: string[]): { ok: boolean; output: string } {
  return validateAgainst(path.join(BBF_DIR, 'cwmp-UDPLightweightNotification-1-0.xsd'), bodies);
}

function validateAgainst(schema: string, envelopes: string[]): { ok: boolean; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xsd-'));
  const files = envelopes.map((xml, i) => {
    const f = path.join(dir, `m${i}.xml`);
    fs.writeFileSync(f, xml);
    return f;
  });
  try {
    execFileSync('xmllint', ['--noout', '--nonet', '--schema', schema, ...files], {
      env: { ...process.env, XML_CATALOG_FILES: path.join(BBF_DIR, 'soap', 'catalog.xml') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ok: true, output: '' };
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer };
    const output = `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`
      .split('\n')
      .filter((l) => l && !l.includes('Skipping import') && !l.endsWith(' validates'))
      .join('\n');
    return { ok: false, output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

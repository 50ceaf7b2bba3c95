/**
 * The deployment-unit package this agent installs through ChangeDUState: a tar archive (gzip
 * optional) holding `manifest.json` and the unit's files. The manifest names the unit, its
 * execution units (a command each) and the SHA-256 of every file; a package whose files do not
 * match it, that holds anything but plain files and folders, or that reaches outside its folder
 * does not install (9018). `cwmp-agent make-du` builds one from a folder.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CwmpFault } from '../../cwmp/faults.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const executionUnitManifest = z.strictObject({
  /** Unique within the unit; the ExecutionUnit's Name. */
  name: z.string().regex(NAME, 'letters, digits, ".", "_" and "-", at most 64'),
  /** The program and its arguments; a relative program is found in the unit's folder, else on PATH. */
  command: z.array(z.string().max(4096)).min(1).max(64),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(4096)).default({}),
  /** Started when the unit is installed and whenever the device starts. */
  autoStart: z.boolean().default(false),
  runLevel: z.number().int().min(0).max(65535).default(0),
  description: z.string().max(256).default(''),
  /** Seconds between SIGTERM and SIGKILL when the unit is stopped. */
  stopTimeoutSeconds: z.number().int().min(1).max(300).default(10),
});

export const duManifest = z.strictObject({
  name: z.string().regex(NAME, 'letters, digits, ".", "_" and "-", at most 64'),
  vendor: z.string().min(1).max(128),
  version: z.string().min(1).max(32),
  description: z.string().max(256).default(''),
  /** The execution environment type it needs (ExecEnv.Type, "Linux"); any when absent. */
  executionEnvType: z.string().max(64).optional(),
  executionUnits: z.array(executionUnitManifest).max(16).default([]),
  /** Every file of the package but the manifest: relative path → SHA-256, hex. */
  files: z
    .record(z.string().max(1024), z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lowercase hex'))
    .refine((files) => Object.keys(files).length <= 10_000, 'at most 10000 files'),
});

export type DuManifest = z.infer<typeof duManifest>;
export type ExecutionUnitManifest = z.infer<typeof executionUnitManifest>;

export const MANIFEST_NAME = 'manifest.json';

/** The tar library, loaded when a package is first handled: most devices never see one. */
let tarModule: Promise<typeof import('tar')> | undefined;
const loadTar = (): Promise<typeof import('tar')> => (tarModule ??= import('tar'));

/** Largest unpacked package, bytes, unless the caller gives less room. */
export const MAX_UNPACKED_BYTES = 512 * 1024 * 1024;
/** Most entries (files and folders) a package may hold: checking each costs, and no unit needs more. */
export const MAX_PACKAGE_ENTRIES = 10_000;
/** The longest the checks of one package may take (hashing its files), milliseconds. */
export const MAX_CHECK_MS = 60_000;

function corrupted(why: string): CwmpFault {
  return new CwmpFault(9018, `the deployment unit package ${why}`);
}

/** A path inside the package: relative, no "..", no empty or "." parts. */
function safeRelative(p: string): string | undefined {
  const clean = p.replace(/\/+$/, '').replace(/^\.\//, '');
  if (!clean || clean.startsWith('/') || clean.includes('\\') || clean.includes('\0')) return undefined;
  const parts = clean.split('/');
  if (parts.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return clean;
}

/**
 * Unpacks `archive` into `dest` (made empty first) and checks it against its manifest. Throws
 * CwmpFault 9018 (not a package, bad manifest, a file missing, extra or altered, an unsafe
 * entry) or 9027 (larger than `maxBytes` unpacked); `dest` is then removed.
 */
export async function unpackDuPackage(archive: string, dest: string, maxBytes = MAX_UNPACKED_BYTES): Promise<DuManifest> {
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true, mode: 0o755 });
  try {
    await checkEntries(archive, maxBytes);
    const tar = await loadTar();
    await tar.x({ file: archive, cwd: dest, strict: true, preserveOwner: false, noChmod: false });
    return await verifyUnpacked(dest, Date.now() + MAX_CHECK_MS);
  } catch (err) {
    fs.rmSync(dest, { recursive: true, force: true });
    if (err instanceof CwmpFault) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOSPC' || e.code === 'EDQUOT') throw new CwmpFault(9027, 'no room to unpack the deployment unit');
    throw corrupted(`does not unpack: ${e.message}`);
  }
}

/** Reads the headers first: only plain files and folders, inside the package, within the size bound. */
async function checkEntries(archive: string, maxBytes: number): Promise<void> {
  let total = 0;
  let count = 0;
  let problem: string | undefined;
  const tar = await loadTar();
  await tar.t({
    file: archive,
    strict: true,
    onReadEntry: (entry) => {
      count++;
      if (problem) return;
      if (count > MAX_PACKAGE_ENTRIES) {
        problem = `holds more than ${MAX_PACKAGE_ENTRIES} entries`;
        return;
      }
      if (entry.type !== 'File' && entry.type !== 'Directory')
        problem = `holds a ${entry.type} entry (${entry.path.slice(0, 64)}); only files and folders are allowed`;
      else if (!safeRelative(entry.path)) problem = `has an entry outside its folder (${entry.path.slice(0, 64)})`;
      total += entry.size ?? 0;
      if (total > maxBytes) problem = `unpacks to more than ${maxBytes} bytes`;
    },
  });
  if (problem) throw problem.startsWith('unpacks') ? new CwmpFault(9027, `the deployment unit ${problem}`) : corrupted(problem);
  if (count === 0) throw corrupted('is empty');
}

async function verifyUnpacked(dir: string, deadline: number): Promise<DuManifest> {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_NAME), 'utf8'));
  } catch (err) {
    throw corrupted(`has no readable ${MANIFEST_NAME} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const parsed = duManifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw corrupted(`has a bad ${MANIFEST_NAME}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const manifest = parsed.data;
  const names = new Set<string>();
  for (const eu of manifest.executionUnits) {
    if (names.has(eu.name)) throw corrupted(`names the execution unit "${eu.name}" twice`);
    names.add(eu.name);
  }
  const found = listFiles(dir).filter((f) => f !== MANIFEST_NAME);
  for (const f of found) {
    const expected = manifest.files[f];
    if (expected === undefined) throw corrupted(`holds ${f.slice(0, 64)}, which its manifest does not list`);
    // Read and hashed off the event loop's back: the agent answers connection requests meanwhile.
    if ((await sha256OfFile(path.join(dir, f))) !== expected) throw corrupted(`holds ${f.slice(0, 64)}, whose SHA-256 is not the manifest's`);
    if (Date.now() > deadline) throw corrupted(`took longer than ${MAX_CHECK_MS / 1000} s to check`);
  }
  const present = new Set(found);
  const missing = Object.keys(manifest.files).find((f) => !present.has(f));
  if (missing !== undefined) throw corrupted(`lacks ${missing.slice(0, 64)}, which its manifest lists`);
  return manifest;
}

/** Regular files under `dir`, relative, with "/" separators, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
    else throw corrupted(`holds ${rel.slice(0, 64)}, which is not a plain file`);
  }
  return out.sort();
}

/** A file's SHA-256, read as a stream (no whole-file buffer, no blocking read). */
async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sha256Of(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Bytes the files under `dir` take. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const f of listFiles(dir)) total += fs.statSync(path.join(dir, f)).size;
  return total;
}

/**
 * Builds a package from a folder holding `manifest.json` (without its `files`, which this
 * fills in) and the unit's files: a gzipped tar at `out`. Throws an Error naming what is wrong.
 */
export async function makeDuPackage(sourceDir: string, out: string): Promise<DuManifest> {
  const manifestFile = path.join(sourceDir, MANIFEST_NAME);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${manifestFile}: ${(err as Error).message}`);
  }
  const files = listFiles(sourceDir).filter((f) => f !== MANIFEST_NAME && path.resolve(sourceDir, f) !== path.resolve(out));
  const withFiles = { ...raw, files: Object.fromEntries(files.map((f) => [f, sha256Of(path.join(sourceDir, f))])) };
  const parsed = duManifest.safeParse(withFiles);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${manifestFile}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const staging = fs.mkdtempSync(path.join(path.dirname(path.resolve(out)), '.make-du-'));
  try {
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(staging, f)), { recursive: true });
      fs.copyFileSync(path.join(sourceDir, f), path.join(staging, f));
      fs.chmodSync(path.join(staging, f), fs.statSync(path.join(sourceDir, f)).mode & 0o777);
    }
    fs.writeFileSync(path.join(staging, MANIFEST_NAME), `${JSON.stringify(withFiles, null, 2)}\n`);
    const tar = await loadTar();
    await tar.c({ gzip: true, file: out, cwd: staging, portable: true }, [MANIFEST_NAME, ...files]);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return parsed.data;
}

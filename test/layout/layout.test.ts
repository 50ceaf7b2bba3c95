/**
 * The rules that keep the source tree in layers (README, "Layout"): arrows between folders point
 * one way, the device runtime knows no protocol, files and classes stay a readable size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { cycles, folderGraph, folderOf, readSources } from './import-graph.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
const files = readSources(SRC);

test('the folders of src/ import each other without a cycle (type-only imports included)', () => {
  const graph = folderGraph(files);
  const knots = cycles(graph);
  const explain = knots.map((k) =>
    k.flatMap((from) => k.filter((to) => graph.get(from)?.has(to)).map((to) => `  ${from} -> ${to}: ${graph.get(from)?.get(to)}`)).join('\n'),
  );
  assert.deepEqual(knots, [], `folders importing each other:\n${explain.join('\n\n')}`);
});

test('the device runtime imports nothing of a protocol (CWMP today, USP next) nor of what sits above it', () => {
  const forbidden = new Set([
    'cwmp',
    'usp',
    'session',
    'rpc',
    'connreq',
    'mtp',
    'agent',
    'usp-endpoint',
    'acs',
    'usp-controller',
    'fleet',
    'harness',
    'observability',
    'cli',
    'assembly',
  ]);
  const offending = files
    .filter((f) => folderOf(f.path) === 'device')
    .flatMap((f) => f.imports.filter((t) => forbidden.has(folderOf(t))).map((t) => `${f.path} -> ${t}`));
  assert.ok(
    files.some((f) => folderOf(f.path) === 'device'),
    'src/device exists',
  );
  assert.deepEqual(offending, []);
});

test('the edges (transfers, diagnostics, connection requests, ...) take ports: they import neither the device runtime nor an endpoint nor what sits on top', () => {
  const edges = new Set(['transfers', 'diagnostics', 'connreq', 'notifications', 'bulkdata', 'session', 'rpc', 'mtp']);
  const above = new Set(['device', 'agent', 'usp-endpoint', 'fleet', 'harness', 'observability', 'acs', 'usp-controller', 'assembly', 'cli']);
  const offending = files
    .filter((f) => edges.has(folderOf(f.path)))
    .flatMap((f) => f.imports.filter((t) => above.has(folderOf(t))).map((t) => `${f.path} -> ${t}`));
  assert.deepEqual(offending, []);
});

test('a file over 500 lines says why in a comment near its top', () => {
  const long = files.filter((f) => f.lines > 500 && !/^\s*\*?\s*Why [^\n]*(one file|this size|long)/im.test(f.text.split('\n').slice(0, 40).join('\n')));
  assert.deepEqual(
    long.map((f) => `${f.path} (${f.lines} lines)`),
    [],
  );
});

test('no class has more than 40 members', () => {
  const big: string[] = [];
  for (const f of files) {
    const source = ts.createSourceFile(f.path, f.text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
        // Constructor parameters declared as properties are members too.
        const ctor = node.members.find(ts.isConstructorDeclaration);
        const parameterProperties = ctor?.parameters.filter((p) => ts.getModifiers(p)?.length).length ?? 0;
        const count = node.members.filter((m) => !ts.isConstructorDeclaration(m)).length + parameterProperties;
        if (count > 40) big.push(`${f.path}: ${node.name?.text ?? '(anonymous)'} has ${count}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  assert.deepEqual(big, []);
});

test('the two endpoints do not import each other: each attaches to the device runtime on its own', () => {
  const crossing = files
    .filter((f) => ['agent', 'usp-endpoint'].includes(folderOf(f.path)))
    .flatMap((f) =>
      f.imports.filter((t) => ['agent', 'usp-endpoint'].includes(folderOf(t)) && folderOf(t) !== folderOf(f.path)).map((t) => `${f.path} -> ${t}`),
    );
  assert.deepEqual(crossing, []);
});

test('nothing lies loose in src/ but the package entry', () => {
  assert.deepEqual(
    files.filter((f) => folderOf(f.path) === '').map((f) => f.path),
    ['index.ts'],
  );
});

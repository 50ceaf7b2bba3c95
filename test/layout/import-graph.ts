/**
 * The import graph of src/, read from the sources (type-only imports included: they tie folders
 * together as much as value imports do), for the layout rules.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export interface SourceFile {
  /** Path relative to src/, with / separators. */
  path: string;
  lines: number;
  text: string;
  /** Files of src/ it imports (relative to src/). */
  imports: string[];
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function readSources(srcDir: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const text = readFileSync(full, 'utf8');
        const imports: string[] = [];
        for (const m of text.matchAll(IMPORT)) {
          const spec = m[1] ?? m[2];
          if (!spec?.startsWith('.')) continue;
          const target = relative(srcDir, resolve(dirname(full), spec))
            .replace(/\\/g, '/')
            .replace(/\.js$/, '.ts');
          imports.push(target);
        }
        files.push({ path: relative(srcDir, full).replace(/\\/g, '/'), lines: text.split('\n').length, text, imports });
      }
    }
  };
  walk(srcDir);
  return files;
}

/** The folder a file belongs to ('' for a file loose in src/). */
export function folderOf(path: string): string {
  const i = path.indexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Folder -> the folders its files import, and for each edge one file import that makes it. */
export function folderGraph(files: readonly SourceFile[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const f of files) {
    const from = folderOf(f.path);
    if (from === '') continue;
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const target of f.imports) {
      const to = folderOf(target);
      if (to === '' || to === from || edges.has(to)) continue;
      edges.set(to, `${f.path} -> ${target}`);
    }
  }
  return graph;
}

/** Strongly connected components with more than one member: each is a knot of folders. */
export function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

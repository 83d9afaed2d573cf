// The architecture, checked: src/core is pure (no node: I/O modules, no edge or cli imports),
// src/edge may use core only, src/cli sits on top; and no module imports itself through a cycle.
// Read from the sources' own import statements, so a new file is covered the day it is added.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { filesUnder, ROOT } from '../support/helpers.ts';

const SRC = join(ROOT, 'src');
const files = filesUnder(SRC, (name) => name.endsWith('.ts') && !name.endsWith('.d.ts')).map((p) => relative(SRC, p));
const layer = (file: string) => file.split('/')[0]!;
const RANK: Record<string, number> = { core: 0, edge: 1, cli: 2 };
// Pure means no file system, network or process: these builtins are I/O.
const IO_BUILTINS = /^node:(fs|fs\/promises|net|http|https|http2|tls|dgram|child_process|os|process|worker_threads)$/;

function imports(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

function local(file: string, spec: string): string | undefined {
  return spec.startsWith('.') ? relative(SRC, resolve(SRC, dirname(file), spec)) : undefined;
}

const layers = suite('layers');

layers('every source file sits in a layer', () => {
  assert.equal(
    files.filter((f) => !(layer(f) in RANK)),
    [],
  );
});

layers('imports point inward: cli → edge → core', () => {
  const outward = files.flatMap((f) =>
    imports(f)
      .map((spec) => local(f, spec))
      .filter((target): target is string => target !== undefined && RANK[layer(target)]! > RANK[layer(f)]!)
      .map((target) => `${f} → ${target}`),
  );
  assert.equal(outward, []);
});

layers('the core does no I/O', () => {
  const io = files
    .filter((f) => layer(f) === 'core')
    .flatMap((f) =>
      imports(f)
        .filter((s) => IO_BUILTINS.test(s))
        .map((s) => `${f} imports ${s}`),
    );
  assert.equal(io, []);
});

layers('no import cycles', () => {
  const graph = new Map(
    files.map((f) => [
      f,
      imports(f)
        .map((s) => local(f, s))
        .filter((t): t is string => t !== undefined),
    ]),
  );
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') return void cycles.push([...path.slice(path.indexOf(f)), f].join(' → '));
    state.set(f, 'open');
    for (const next of graph.get(f) ?? []) visit(next, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  assert.equal(cycles, []);
});

layers('the check sees imports (it would catch an outward one)', () => {
  assert.ok(imports('cli/main.ts').length > 0);
  assert.is(local('core/report.ts', '../edge/input.ts'), 'edge/input.ts');
});

layers.run();

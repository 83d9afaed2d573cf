// What a step can see of its Tekton pod (the edge of core/budget.ts): how many steps it has and
// whether scripts were placed, and which Task results earlier steps left in /tekton/results.
//
// Tekton's `prepare` init container links each step twice, /tekton/steps/step-<name> and
// /tekton/steps/<index>, both to /tekton/run/<index>/status (tektoncd/pipeline
// cmd/entrypoint/subcommands/step_init.go), so steps are counted by link target, not by link.
// `place-scripts` writes /tekton/scripts, a volume mounted only into steps that have a script.

import { closeSync, constants, lstatSync, openSync, readdirSync, readlinkSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MessageEntry, PodShape } from '../core/budget.ts';
import { RESULT_TYPE, TEKTON_MESSAGE_LIMIT } from '../core/budget.ts';

export const TEKTON_ROOT = '/tekton';
const RESULT_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
// A result larger than any message can hold decides the check alone; reading more is pointless.
const READ_CAP = TEKTON_MESSAGE_LIMIT + 1;

export function detectPod(root = TEKTON_ROOT): PodShape {
  const steps = listDir(join(root, 'steps'));
  if (steps === undefined) return {};
  const targets = new Set<string>();
  for (const name of steps) {
    try {
      targets.add(resolve(join(root, 'steps'), readlinkSync(join(root, 'steps', name))));
    } catch {
      targets.add(join(root, 'steps', name)); // not a link: count the entry itself
    }
  }
  const scripts = listDir(join(root, 'scripts'));
  return { steps: targets.size, ...(scripts !== undefined && { scripts: scripts.length > 0 }) };
}

/** Task results already in the results directory, except those this step writes itself. */
export function earlierResults(dir: string, ours: readonly string[]): MessageEntry[] {
  return (listDir(dir) ?? [])
    .filter((name) => RESULT_NAME.test(name) && !ours.includes(name))
    .sort()
    .flatMap((name) => {
      const value = readCapped(join(dir, name));
      return value === undefined ? [] : [{ key: name, value, type: RESULT_TYPE.task }];
    });
}

function listDir(dir: string): string[] | undefined {
  // Outside a pod the directory is simply absent: ask without the cost of an exception.
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return undefined;
  try {
    return readdirSync(dir);
  } catch {
    return undefined;
  }
}

/** A regular file's first READ_CAP bytes; undefined for anything else (never follows a link). */
function readCapped(path: string): string | undefined {
  try {
    if (!lstatSync(path).isFile()) return undefined;
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const buffer = Buffer.alloc(READ_CAP);
      let read = 0;
      for (let n = 1; n > 0 && read < READ_CAP; read += n) n = readSync(fd, buffer, read, READ_CAP - read, null);
      return buffer.subarray(0, read).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

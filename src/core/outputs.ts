// The set of files one `results` run will write, checked as a whole before anything is
// written: two outputs on one path, an output on an input (the report would be overwritten
// with its own result), or a file where another output needs a directory would otherwise
// leave a mix of outputs, or the last writer's, with exit 0. Paths arrive absolute and
// normalised (the command resolves them); nothing here touches the file system.

import { posix } from 'node:path';
import { CnbReportError } from './errors.ts';

export interface PlannedFile {
  readonly path: string;
  /** What it is, for the message: "result IMAGE_URL", "the termination message", … */
  readonly what: string;
}

export interface OutputPlan {
  readonly files: readonly PlannedFile[];
  /** Directories that will be created or must be directories (the results dir, DIR/blobs). */
  readonly directories: readonly PlannedFile[];
  /** Files that are read and must never be written. */
  readonly inputs: readonly PlannedFile[];
}

/** Throws USAGE naming the first pair of outputs (or output and input) that collide. */
export function checkOutputPlan(plan: OutputPlan): void {
  const problems: string[] = [];
  plan.files.forEach((file, i) => {
    for (const other of plan.files.slice(i + 1)) {
      if (other.path === file.path) problems.push(`${file.what} and ${other.what} are both ${file.path}`);
      else if (inside(other.path, file.path) || inside(file.path, other.path)) {
        const [outer, inner] = inside(other.path, file.path) ? [file, other] : [other, file];
        problems.push(`${inner.what} (${inner.path}) is inside ${outer.what} (${outer.path}), which is a file`);
      }
    }
    for (const dir of plan.directories) {
      if (dir.path === file.path || inside(dir.path, file.path))
        problems.push(`${file.what} (${file.path}) is where ${dir.what} (${dir.path}) must be a directory`);
    }
    for (const input of plan.inputs) {
      if (input.path === file.path) problems.push(`${file.what} is ${input.what} (${file.path}): it would be overwritten`);
    }
  });
  if (problems.length)
    throw new CnbReportError('USAGE', `conflicting outputs: ${problems[0]}`, { details: problems.map((p) => `conflicting outputs: ${p}`) });
}

function inside(path: string, dir: string): boolean {
  return path.startsWith(dir === posix.sep ? dir : `${dir}${posix.sep}`);
}

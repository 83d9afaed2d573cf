// `cnb-report index`: per-platform images (each build's IMAGE_URL@IMAGE_DIGEST) → one OCI image
// index pushed to every --tag, and Tekton results naming the index and each platform image.
// Order matters: everything is read and validated before the first write; children from other
// repositories are brought into the index's repository before the index is pushed (a registry
// refuses an index whose children it cannot find there); results are written only after every
// tag serves the index.

import { join } from 'node:path';
import { CnbReportError, isCnbReportError } from '../../core/errors.ts';
import {
  parseChildManifest,
  parsePlatform,
  platformName,
  renderIndex,
  renderIndexResults,
  type IndexChild,
  type IndexPlan,
  type RenderedIndex,
  planIndex,
} from '../../core/imageindex.ts';
import { MEDIATYPE_OCI_IMAGE_INDEX_V1 } from '../../core/oci.ts';
import { checkBudget } from '../../core/results.ts';
import { writeAtomically, type Output } from '../../edge/files.ts';
import { loadCredentials } from '../../edge/registry/credentials.ts';
import { RegistryClient } from '../../edge/registry/manifests.ts';
import type { IndexOptions } from '../resolve.ts';

export interface IndexIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export async function runIndex(options: IndexOptions, io: IndexIo): Promise<void> {
  const plan = planIndex(options.tags, options.manifests);
  const client = new RegistryClient(plan.target.registry, {
    insecure: options.insecureRegistries,
    credentials: options.dockerConfig === undefined ? new Map() : loadCredentials(options.dockerConfig),
    timeoutMs: options.verifyTimeoutMs,
  });
  const children: IndexChild[] = [];
  for (const reference of plan.children) children.push(await readChild(client, reference));
  const index = renderIndex(children);
  const results = renderIndexResults(plan, index);
  checkBudget(results);

  const copied = await bringIntoRepository(client, plan, index);
  const pushed = await pushTags(client, plan, index);

  const outputs: Output[] = results.map((r) => ({ path: options.resultPaths[r.name] ?? join(options.resultsDir, r.name), data: r.value }));
  try {
    writeAtomically(outputs, results.some((r) => !options.resultPaths[r.name]) ? [options.resultsDir] : []);
  } catch (err) {
    throw withNote(err, `the index ${index.digest} was pushed to ${pushed.join(', ')}`);
  }

  if (options.quiet) return;
  for (const r of results) io.out(`${r.name.padEnd(12)} ${r.value.replaceAll('\n', ' ')}`);
  for (const c of index.children)
    io.out(`platform     ${platformName(c.platform).padEnd(16)} ${c.manifest.digest} (${c.manifest.mediaType}, ${c.manifest.size} bytes)`);
  if (copied.length) io.out(`copied       ${copied.join(', ')} into ${plan.target.registry}/${plan.target.repository}`);
  io.out(`pushed       ${index.digest} (${index.size} bytes) to ${pushed.join(', ')}`);
  io.out(`wrote ${results.length} results${Object.keys(options.resultPaths).length ? '' : ` to ${options.resultsDir}`}`);
}

/** The child's manifest (digest checked, not an index) and its platform from its config blob. */
async function readChild(client: RegistryClient, reference: IndexPlan['children'][number]): Promise<IndexChild> {
  const where = `--manifest ${reference.text}`;
  const served = await client.getManifest(reference.repository, reference.digest);
  const manifest = parseChildManifest(served.bytes, served.contentType, where);
  const config = await client.getBlob(reference.repository, manifest.config.digest);
  return { reference, manifest, platform: parsePlatform(config.bytes, where) };
}

/**
 * A child in another repository of the registry is mounted into the index's repository (its
 * config and layers, then its manifest bytes unchanged, so its digest stays the same).
 * Returns the children copied.
 */
async function bringIntoRepository(client: RegistryClient, plan: IndexPlan, index: RenderedIndex): Promise<string[]> {
  const target = plan.target.repository;
  const copied: string[] = [];
  for (const { reference, manifest } of index.children) {
    if (reference.repository === target) continue;
    if ((await client.headManifest(target, manifest.digest)).status === 200) continue;
    try {
      for (const blob of manifest.blobs) await client.mountBlob(target, reference.repository, blob.digest);
      await client.putManifest(target, manifest.digest, manifest.bytes, manifest.mediaType);
    } catch (err) {
      throw withNote(err, `no tag was pushed${copied.length ? `; already copied into ${target}: ${copied.join(', ')}` : ''}`);
    }
    copied.push(`${reference.repository}@${manifest.digest}`);
  }
  return copied;
}

/** PUT the index to every tag, then confirm each serves its digest; a failure names what was pushed. */
async function pushTags(client: RegistryClient, plan: IndexPlan, index: RenderedIndex): Promise<string[]> {
  const pushed: string[] = [];
  const failed = (err: unknown) =>
    pushed.length
      ? new CnbReportError('PUSH_FAILED', `${messageOf(err)}; the index ${index.digest} was already pushed to ${pushed.join(', ')}`, {
          cause: err,
        })
      : withNote(err, 'no tag was pushed');
  for (const tag of plan.tags) {
    try {
      await client.putManifest(tag.repository, tag.tag ?? 'latest', index.text, MEDIATYPE_OCI_IMAGE_INDEX_V1);
    } catch (err) {
      throw failed(err);
    }
    pushed.push(tag.text);
  }
  for (const tag of plan.tags) {
    try {
      const served = await client.headManifest(tag.repository, tag.tag ?? 'latest');
      if (served.status !== 200 || served.digest !== index.digest) {
        throw new CnbReportError(
          'REGISTRY_MISMATCH',
          `${tag.text}: after the push the registry serves ${served.status === 200 ? `digest ${served.digest ?? '(none)'}` : `HTTP ${served.status}`}, not the index ${index.digest}`,
        );
      }
    } catch (err) {
      throw new CnbReportError('PUSH_FAILED', `${messageOf(err)}; the index ${index.digest} was pushed to ${pushed.join(', ')}`, {
        cause: err,
      });
    }
  }
  return pushed;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The same error (same code) with a note on what was or was not written. */
function withNote(err: unknown, note: string): unknown {
  if (!isCnbReportError(err)) return err;
  return new CnbReportError(err.code, `${err.message} (${note})`, { cause: err.cause ?? err });
}

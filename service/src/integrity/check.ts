/**
 * The integrity check, as `restic check` does for its repositories: every blob's length against its header, the
 * SHA-256 of all blobs or of a subset of them, every blob a snapshot, a feedback file or nbgrader's exchange (a
 * release, a submission) refers to present and whole.
 * What is broken is quarantined (never served again), repaired from the home a home index says still holds the
 * same bytes, and otherwise named on the snapshots and feedback files that need it.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { CheckReport } from '@coursework/client';
import { type BlobStore, unsynced } from '../blobs/blob-store';
import type { Catalog } from '../catalog/catalog';
import { feedbackBlobReferences, markFeedbackDamaged } from '../feedback/store';
import { CourseStore } from '../courses/store';
import { releaseBlobReferences } from '../exchange/releases';
import { submissionBlobReferences } from '../exchange/submissions';
import { homePath } from '../homes/home-path';
import { storeHomeFile } from '../homes/read-file';
import { homeIndexSources, liveManifests, markSnapshotDamaged } from '../snapshots/queries';

/**
 * Which blobs have their bytes hashed: all, a share, the n-th of t slices (by hash), a budget of bytes (a rolling
 * check), or those written or touched since a time (the writes of a run that did not end cleanly).
 */
export type HashSelection =
  { all: true } | { fraction: number } | { slice: number; of: number } | { bytes: number; after: string } | { modifiedSince: number };

export interface CheckOptions {
  hash: HashSelection;
  /** Quarantine broken blobs, repair them from homes and mark what cannot be repaired (otherwise: report only). */
  repair: boolean;
  homeTemplate: string;
  now?: () => Date;
}

/** The wire types (the client package defines them). */
export type { CheckReport };
export type BrokenBlob = CheckReport['broken'][number];

interface Need {
  snapshot?: { id: number; path: string; label: string };
  feedback?: { id: number; label: string };
  exchange?: { label: string };
}

/** Runs the check; with `repair`, it also fixes what it can. */
export async function checkStore(db: Catalog, blobs: BlobStore, options: CheckOptions): Promise<CheckReport> {
  const needs = new Map<string, Need[]>();
  const need = (sha256: string, what: Need) => {
    let list = needs.get(sha256);
    if (!list) needs.set(sha256, (list = []));
    list.push(what);
  };
  // A deleted course needs nothing: its blobs go the way of any others nothing refers to.
  const deleted = await new CourseStore(db).deletedIds();
  const snapshots = await liveManifests(db, deleted);
  for (const snapshot of snapshots) {
    for (const entry of snapshot.manifest) {
      if (entry.sha256)
        need(entry.sha256, {
          snapshot: { id: snapshot.id, path: entry.path, label: `${snapshot.student}/${snapshot.name}: ${entry.path}` },
        });
    }
  }
  const feedback = await feedbackBlobReferences(db, deleted);
  for (const file of feedback) need(file.sha256, { feedback: { id: file.id, label: `${file.student}/${file.assignment}/${file.path}` } });
  for (const file of [...(await releaseBlobReferences(db, deleted)), ...(await submissionBlobReferences(db, deleted))]) {
    need(file.sha256, { exchange: { label: file.label } });
  }

  // Every stored blob: its length always, its hash when selected.
  const names: string[] = [];
  const files = new Map<string, string>();
  for await (const { name, path: file } of blobs.files()) {
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    names.push(name);
    files.set(name, file);
  }
  names.sort();
  if ('after' in options.hash) {
    // A rolling check goes on after the last blob the previous run hashed, and wraps around.
    const after = options.hash.after;
    names.push(...names.splice(0, names.filter((n) => n <= after).length));
  }
  const selected = hashSelector(options.hash);
  const broken = new Map<string, BrokenBlob['problem']>();
  let hashed = 0;
  let bytesHashed = 0;
  let hashedUpTo: string | null = null;
  for (const sha256 of names) {
    const hash = selected(sha256, bytesHashed, files.get(sha256)!);
    const result = await blobs.check(sha256, { hash });
    if (hash && result.ok) {
      hashed++;
      bytesHashed += result.info.size;
      hashedUpTo = sha256;
    }
    if (!result.ok) broken.set(sha256, result.problem);
  }
  // Blobs the catalog needs that the store does not have at all.
  const stored = new Set(names);
  for (const sha256 of needs.keys()) if (!stored.has(sha256) && !broken.has(sha256)) broken.set(sha256, 'missing');

  const report: BrokenBlob[] = [];
  const sources = broken.size > 0 && options.repair ? await homeIndexSources(db) : new Map<string, never[]>();
  for (const [sha256, problem] of broken) {
    const item: BrokenBlob = {
      sha256,
      problem,
      neededBy: (needs.get(sha256) ?? []).map((n) => n.snapshot?.label ?? n.feedback?.label ?? n.exchange!.label),
    };
    if (options.repair) {
      if (problem !== 'missing') blobs.quarantine(sha256);
      const from = await repairFromHomes(blobs, sha256, sources.get(sha256) ?? [], options.homeTemplate);
      if (from) item.repairedFrom = from;
    }
    report.push(item);
  }

  const damaged = { snapshots: 0, feedbackFiles: 0 };
  if (options.repair) {
    const lost = new Set(report.filter((b) => !b.repairedFrom).map((b) => b.sha256));
    for (const snapshot of snapshots) {
      const paths = snapshot.manifest.filter((e) => e.sha256 && lost.has(e.sha256)).map((e) => e.path);
      if (paths.length > 0) damaged.snapshots++;
      // A whole pass over lengths saw every blob: a snapshot marked before and whole now is unmarked.
      const next = paths.length > 0 ? paths : null;
      if (JSON.stringify(next) !== JSON.stringify(snapshot.damaged)) await markSnapshotDamaged(db, snapshot.id, next);
    }
    const stamp = (options.now?.() ?? new Date()).toISOString();
    const newlyDamaged = feedback.filter((f) => lost.has(f.sha256) && f.damagedAt === null).map((f) => f.id);
    const wholeAgain = feedback.filter((f) => !lost.has(f.sha256) && f.damagedAt !== null).map((f) => f.id);
    damaged.feedbackFiles = feedback.filter((f) => lost.has(f.sha256)).length;
    await markFeedbackDamaged(db, newlyDamaged, stamp);
    await markFeedbackDamaged(db, wholeAgain, null);
  }
  return {
    // With repair, a broken blob nothing needs is simply set aside; a needed one counts until it is repaired.
    ok: report.every((b) => b.repairedFrom !== undefined || (options.repair && b.neededBy.length === 0)),
    blobs: names.length,
    hashed,
    bytesHashed,
    broken: report,
    damaged,
    hashedUpTo,
  };
}

function hashSelector(selection: HashSelection): (sha256: string, bytesSoFar: number, file: string) => boolean {
  if ('all' in selection) return () => true;
  if ('modifiedSince' in selection) {
    const since = selection.modifiedSince;
    return (_sha256, _bytes, file) => {
      try {
        return statSync(file).mtimeMs >= since;
      } catch {
        return false;
      }
    };
  }
  if ('fraction' in selection) {
    // The first bytes of a SHA-256 are uniform: a share of the hash space is that share of the blobs.
    const limit = Math.floor(selection.fraction * 2 ** 32);
    return (sha256) => Number.parseInt(sha256.slice(0, 8), 16) < limit;
  }
  if ('slice' in selection) {
    const { slice, of } = selection;
    return (sha256) => (Number.parseInt(sha256.slice(0, 8), 16) % of) + 1 === slice;
  }
  // A budget of bytes (the blobs come in the rolling order, see checkStore).
  const { bytes } = selection;
  return (_sha256, bytesSoFar) => bytesSoFar < bytes;
}

/** Stores the blob again from a home file the home index says had these bytes, if it still has them. */
async function repairFromHomes(
  blobs: BlobStore,
  sha256: string,
  sources: { student: string; path: string; entry: { size: number; mtimeNs: string; ino: string; ctimeNs: string; dev: string } }[],
  homeTemplate: string,
): Promise<{ student: string; path: string } | undefined> {
  for (const source of sources) {
    let home: string;
    try {
      home = homePath(homeTemplate, source.student);
    } catch {
      continue;
    }
    const dirty = unsynced();
    // The read opens nothing but the regular file the index recorded (same device and inode), as a snapshot does.
    const walked = { path: source.path, type: 'file' as const, mode: 0o644, ...source.entry };
    const outcome = await storeHomeFile(path.join(home, source.path), walked, blobs, dirty).catch(() => null);
    await blobs.syncAll(dirty);
    if (outcome?.ok && outcome.sha256 === sha256 && !outcome.changed) return { student: source.student, path: source.path };
  }
  return undefined;
}

/**
 * `--read-data-subset` as restic takes it: `all`, `none`, a share (`10%`) or a slice (`2/5`: the second of five).
 * Undefined for anything else.
 */
export function parseHashSelection(text: string): HashSelection | undefined {
  const value = text.trim();
  if (value === 'all') return { all: true };
  if (value === 'none' || value === '0' || value === '0%') return { fraction: 0 };
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value);
  if (percent && Number(percent[1]) <= 100) return Number(percent[1]) === 100 ? { all: true } : { fraction: Number(percent[1]) / 100 };
  const slice = /^(\d+)\/(\d+)$/.exec(value);
  if (slice && Number(slice[1]) >= 1 && Number(slice[1]) <= Number(slice[2])) return { slice: Number(slice[1]), of: Number(slice[2]) };
  return undefined;
}

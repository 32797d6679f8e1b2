/**
 * Parsed manifests by their digest. Reading a snapshot's files page by page, or one file after another, would
 * otherwise read and parse the whole manifest for every request: for a home of tens of thousands of files, megabytes
 * of JSON for each page. A digest names one manifest's exact text, so an entry is never stale and may serve every
 * course. Bounded by the number of file entries held (a setting); the least recently used go first, and a manifest
 * larger than the whole bound is not kept.
 */
import type { ManifestEntry } from '@coursework/client';

export class ManifestCache {
  /** In order of use, the most recent last. */
  private readonly manifests = new Map<string, readonly ManifestEntry[]>();
  private held = 0;

  constructor(private readonly maxEntries: number) {}

  /** The manifest of this digest, parsed once from `text()` while it stays in the cache. */
  async get(digest: string, text: () => Promise<string | undefined>): Promise<readonly ManifestEntry[] | undefined> {
    const cached = this.manifests.get(digest);
    if (cached) {
      this.manifests.delete(digest);
      this.manifests.set(digest, cached);
      return cached;
    }
    const json = await text();
    if (json === undefined) return undefined;
    const manifest = JSON.parse(json) as ManifestEntry[];
    this.keep(digest, manifest);
    return manifest;
  }

  /** File entries held now. */
  get size(): number {
    return this.held;
  }

  private keep(digest: string, manifest: readonly ManifestEntry[]): void {
    const weight = weightOf(manifest);
    // Parsed twice by two requests at once: kept once.
    if (weight > this.maxEntries || this.manifests.has(digest)) return;
    for (const [oldest, entries] of this.manifests) {
      if (this.held + weight <= this.maxEntries) break;
      this.manifests.delete(oldest);
      this.held -= weightOf(entries);
    }
    this.manifests.set(digest, manifest);
    this.held += weight;
  }
}

/** An empty manifest counts as one entry, so that the bound also bounds how many manifests are kept. */
function weightOf(manifest: readonly ManifestEntry[]): number {
  return Math.max(1, manifest.length);
}

/** Zip entries for snapshots: the files of a manifest under a folder, read from the blob store as stored. */
import type { ZipEntry } from '../archive/zip-writer';
import type { BlobStore } from '../blobs/blob-store';
import type { ManifestEntry } from './take';

/** Entries whose stored bytes are at most this are read whole, with synchronous calls. */
const SMALL_ENTRY_BYTES = 64 * 1024;

/** Files only: symlinks are recorded in manifests but never put into archives. */
export function* manifestZipEntries(blobs: BlobStore, manifest: readonly ManifestEntry[], folder: string): Generator<ZipEntry> {
  for (const entry of manifest) {
    if (entry.type !== 'file' || !entry.sha256) continue;
    const sha256 = entry.sha256;
    yield {
      name: folder ? `${folder}/${entry.path}` : entry.path,
      mtime: new Date(entry.mtime),
      mode: entry.mode,
      async open() {
        // A small entry is read at once: a few system calls, where a stream of it costs several trips through the
        // thread pool, which a zip of many small files spends most of its time waiting on.
        const small = blobs.readStoredSync(sha256, SMALL_ENTRY_BYTES);
        const { info, ...payload } = small ? { info: small.info, bytes: small.stored } : await blobs.openStoredReader(sha256);
        return {
          method: info.encoding === 'deflate' ? 8 : 0,
          crc32: info.crc32,
          size: info.size,
          compressedSize: info.storedSize,
          ...payload,
        };
      },
    };
  }
}

/** A course zip's entries: each student's files under a folder of their name, their manifests read page by page. */
export async function* courseZipEntries(
  blobs: BlobStore,
  manifests: AsyncIterable<{ student: string; manifest: readonly ManifestEntry[] }>,
): AsyncGenerator<ZipEntry> {
  for await (const { student, manifest } of manifests) yield* manifestZipEntries(blobs, manifest, student);
}

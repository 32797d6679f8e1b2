/** Zip entries for snapshots: the files of a manifest under a folder, read from the blob store as stored. */
import type { ZipEntry } from '../archive/zip-writer';
import type { BlobStore } from '../blobs/blob-store';
import type { ManifestEntry } from './take';

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
        const { info, stream } = await blobs.openStored(sha256);
        return {
          method: info.encoding === 'deflate' ? 8 : 0,
          crc32: info.crc32,
          size: info.size,
          compressedSize: info.storedSize,
          stream,
        };
      },
    };
  }
}

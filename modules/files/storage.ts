import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Content-addressed blob storage on the local disk: a file lives at files/<aa>/<bb>/<sha256>. */
export class FileStorage {
  constructor(readonly root: string) {
    fs.mkdirSync(path.join(root, 'tmp'), { recursive: true });
  }

  get tmpDir(): string {
    return path.join(this.root, 'tmp');
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
    return path.join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** The SHA-256 of a file's content. */
  async hashOf(filePath: string): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(fs.createReadStream(filePath), async function (source) {
      for await (const chunk of source) hash.update(chunk as Buffer);
    });
    return hash.digest('hex');
  }

  /**
   * Moves an uploaded temporary file into the store under its content's address (see modules/files/store.ts,
   * which does this under the content's lock); a second copy of the same content is dropped.
   */
  async putFile(tmpPath: string, sha256: string): Promise<{ sha256: string; size: number }> {
    const { size } = await fs.promises.stat(tmpPath);
    const dest = this.pathOf(sha256);
    if (fs.existsSync(dest)) await fs.promises.rm(tmpPath, { force: true });
    else {
      await fs.promises.mkdir(path.dirname(dest), { recursive: true });
      await fs.promises.rename(tmpPath, dest);
    }
    return { sha256, size };
  }

  open(sha256: string): fs.ReadStream {
    return fs.createReadStream(this.pathOf(sha256));
  }
}

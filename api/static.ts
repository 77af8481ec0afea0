/**
 * The built web app (dist/web): hashed assets (/assets/*) cached for a year as immutable, everything else revalidated;
 * files precompressed at build (.br, .gz beside each, see web/vite.config.ts) sent to browsers that accept them;
 * any other non-API path answers index.html (the client routes it).
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request, type Response, type NextFunction } from 'express';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const ENCODINGS = [
  ['br', '.br'],
  ['gzip', '.gz'],
] as const;

function cacheControl(res: Response, file: string, root: string) {
  const rel = path.relative(root, file).split(path.sep).join('/');
  res.setHeader('Cache-Control', rel.startsWith('assets/') ? IMMUTABLE : 'no-cache');
}

/** Serves the precompressed variant of a file when the browser accepts it. */
function precompressed(root: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let rel: string;
    try {
      rel = decodeURIComponent(req.path);
    } catch {
      return next();
    }
    const file = path.join(root, rel);
    if (!file.startsWith(root + path.sep)) return next();
    const accepted = String(req.headers['accept-encoding'] ?? '');
    for (const [encoding, ext] of ENCODINGS) {
      if (!new RegExp(`\\b${encoding}\\b`).test(accepted) || !fs.existsSync(file + ext)) continue;
      res.setHeader('Content-Encoding', encoding);
      res.setHeader('Vary', 'Accept-Encoding');
      res.type(path.extname(file));
      cacheControl(res, file, root);
      return res.sendFile(file + ext, { cacheControl: false });
    }
    next();
  };
}

export function serveWebApp(app: Express, root: string) {
  if (!fs.existsSync(path.join(root, 'index.html'))) {
    app.get('/', (_req, res) => {
      res.type('text').send('The web app is not built: run npm run build:web');
    });
    return;
  }
  app.use(precompressed(root));
  app.use(
    express.static(root, {
      index: false,
      cacheControl: false,
      setHeaders: (res, file) => cacheControl(res, file, root),
    }),
  );
  app.get(/^\/(?!api\/).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path.join(root, 'index.html'), { cacheControl: false });
  });
}

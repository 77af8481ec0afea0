/**
 * A PDF drawn by PDF.js (pdfjs-dist) on canvases in the page, its own chunk, loaded when a PDF is first shown. Not the
 * browser's viewer in a frame: every response forbids framing (frame-ancestors 'none'), downloads are sandboxed, and
 * Chromium's viewer does not run in a sandboxed document; PDF.js needs only the app's own script and worker (no eval),
 * under the app's strict policy. The file is read with the session like any other request.
 */
import { useEffect, useRef, useState } from 'react';
import * as pdfjs from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';
import { useI18n } from '../../i18n/index.js';
import { Loading } from '../../ui.js';

pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
const MAX_PAGES = 5;

export function PdfPreview({ url, label }: { url: string; label: string }) {
  const { t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [pages, setPages] = useState(0);
  useEffect(() => {
    let cancelled = false;
    let task: ReturnType<typeof pdfjs.getDocument> | null = null;
    (async () => {
      const res = await fetch(url, { credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
      const data = new Uint8Array(await res.arrayBuffer());
      if (cancelled) return;
      task = pdfjs.getDocument({ data });
      const doc = await task.promise;
      if (cancelled) return;
      setPages(doc.numPages);
      const el = box.current!;
      el.replaceChildren();
      for (let n = 1; n <= Math.min(doc.numPages, MAX_PAGES); n++) {
        const page = await doc.getPage(n);
        const width = Math.min(el.clientWidth || 640, 900);
        const viewport = page.getViewport({ scale: width / page.getViewport({ scale: 1 }).width });
        const canvas = document.createElement('canvas');
        canvas.width = Math.floor(viewport.width * devicePixelRatio);
        canvas.height = Math.floor(viewport.height * devicePixelRatio);
        canvas.style.width = `${Math.floor(viewport.width)}px`;
        canvas.className = 'pdf-page';
        el.append(canvas);
        await page.render({
          canvas,
          viewport,
          transform: devicePixelRatio !== 1 ? [devicePixelRatio, 0, 0, devicePixelRatio, 0, 0] : undefined,
        }).promise;
        if (cancelled) return;
      }
      setState('ready');
    })().catch(() => {
      if (!cancelled) setState('failed');
    });
    return () => {
      cancelled = true;
      void task?.destroy();
    };
  }, [url]);
  return (
    <div className="doc-preview" aria-label={label} role="figure" data-testid="pdf-preview" data-state={state}>
      {state === 'loading' ? <Loading /> : null}
      {state === 'failed' ? <div className="muted">{t('documents.previewFailed')}</div> : null}
      <div ref={box} className="pdf-pages" />
      {state === 'ready' && pages > MAX_PAGES ? (
        <div className="muted small">{t('documents.morePages', { count: pages - MAX_PAGES })}</div>
      ) : null}
    </div>
  );
}

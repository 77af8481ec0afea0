/**
 * Live updates: committed events reach the browser through Server-Sent Events on GET /api/v1/stream
 * (`event: record`, data `{ id, recordType, recordId, kind, actorId, at }`); EventSource resumes after a drop with
 * Last-Event-ID by itself. A deal event invalidates that deal and the boards, which are read again if shown.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { qk } from './query.js';

export interface RecordEvent { id: string; recordType: string; recordId: string; kind: string; actorId: string | null; at: string }

export function useLiveUpdates(userId: string | undefined) {
  const qc = useQueryClient();
  useEffect(() => {
    if (!userId || typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/v1/stream', { withCredentials: true });
    const onRecord = (e: MessageEvent<string>) => {
      let ev: RecordEvent;
      try { ev = JSON.parse(e.data) as RecordEvent; } catch { return; }
      if (ev.recordType === 'deal') {
        void qc.invalidateQueries({ queryKey: qk.deal(ev.recordId) });
        void qc.invalidateQueries({ queryKey: qk.boards });
      } else if (ev.recordType === 'client' || ev.recordType === 'contact') {
        void qc.invalidateQueries({ queryKey: qk.clients });
      } else if (ev.recordType === 'pipeline') {
        void qc.invalidateQueries({ queryKey: qk.pipelines });
      }
    };
    source.addEventListener('record', onRecord as EventListener);
    return () => { source.removeEventListener('record', onRecord as EventListener); source.close(); };
  }, [userId, qc]);
}

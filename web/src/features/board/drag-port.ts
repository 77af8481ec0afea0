/**
 * Where the board's cards and columns meet dnd-kit, which is loaded after the board's first paint (board-dnd.tsx):
 * the cards and columns are drawn without it and register their elements here; once dnd-kit is there, its draggables
 * and droppables take those elements and the cards pass their mouse, touch and key presses to its sensors. Nothing
 * is mounted again when it arrives.
 */
import type { SyntheticEvent } from 'react';

/** The events dnd-kit's sensors start from (MouseSensor, TouchSensor, KeyboardSensor). */
export type DragEventName = 'onMouseDown' | 'onTouchStart' | 'onKeyDown';
/** dnd-kit's listeners by React event name (its SyntheticListenerMap) */
type Listeners = Record<string, unknown>;

export interface DragPort {
  /** a card's (by deal id) or a column's (by stage id, `strip:` + stage id in the phone's strip) element, or null */
  node(id: string, el: HTMLElement | null): void;
  /** a press on a card: to dnd-kit's sensors once they are there */
  fire(id: string, name: DragEventName, e: SyntheticEvent): void;
  /** dnd-kit's side: takes the element of `id` (now and whenever it changes); returns the release */
  bind(id: string, take: (el: HTMLElement | null) => void): () => void;
  /** dnd-kit's side: the sensors' listeners of a card */
  listen(id: string, listeners: Listeners | undefined): void;
}

export function createDragPort(): DragPort {
  const nodes = new Map<string, HTMLElement>();
  const takers = new Map<string, (el: HTMLElement | null) => void>();
  const listening = new Map<string, Listeners>();
  return {
    node(id, el) {
      if (el) nodes.set(id, el);
      else if (nodes.has(id)) nodes.delete(id);
      takers.get(id)?.(el);
    },
    fire(id, name, e) {
      const listener = listening.get(id)?.[name];
      if (typeof listener === 'function') (listener as (e: SyntheticEvent) => void)(e);
    },
    bind(id, take) {
      takers.set(id, take);
      take(nodes.get(id) ?? null);
      return () => {
        if (takers.get(id) === take) takers.delete(id);
      };
    },
    listen(id, listeners) {
      if (listeners) listening.set(id, listeners);
      else listening.delete(id);
    },
  };
}

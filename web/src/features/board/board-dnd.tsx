/**
 * Dragging on the board with dnd-kit (mouse, touch with press-and-hold, keyboard with ←/→ between columns,
 * screen-reader announcements). Its own chunk, loaded after the board's first paint: the cards and columns are
 * already drawn and meet dnd-kit through the drag port (drag-port.ts), so nothing is drawn again when it arrives.
 */
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  pointerWithin,
  rectIntersection,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
  type Announcements,
  type CollisionDetection,
  type KeyboardCoordinateGetter,
} from '@dnd-kit/core';
import { useLayoutEffect, type ReactNode } from 'react';
import type { DragPort } from './drag-port.js';

/** Keyboard dragging: ← and → jump to the previous or next column (dnd-kit's default moves 25 px per key). */
const columnJump: KeyboardCoordinateGetter = (event, { currentCoordinates, context }) => {
  if (event.code !== 'ArrowRight' && event.code !== 'ArrowLeft') return undefined;
  event.preventDefault();
  const cols = [...context.droppableRects.entries()]
    .filter(([id]) => !String(id).startsWith('strip:'))
    .map(([, r]) => r)
    .sort((a, b) => a.left - b.left);
  const x = currentCoordinates.x;
  const next =
    event.code === 'ArrowRight' ? cols.find((r) => r.left > x + 12) : [...cols].reverse().find((r) => r.left < x - 12);
  return next ? { x: next.left + 8, y: Math.max(currentCoordinates.y, next.top + 48) } : currentCoordinates;
};
/** The pointer decides where a card lands; without one (keyboard), the card's overlap does. */
const collision: CollisionDetection = (args) => {
  const hits = pointerWithin(args);
  return hits.length ? hits : rectIntersection(args);
};

export interface BoardDndProps {
  port: DragPort;
  /** the cards drawn (deal ids), and which of them cannot be picked up now */
  cards: { id: string; disabled: boolean }[];
  /** the columns' ids and the phone strip's (`strip:` + stage id) */
  drops: string[];
  announcements: Announcements;
  instructions: string;
  onDragStart: (dealId: string) => void;
  onDragOver: (dropId: string | null) => void;
  onDragEnd: (dealId: string, dropId: string | null) => void;
  onDragCancel: () => void;
  /** what follows the pointer while a card is dragged */
  overlay: ReactNode;
}

export function BoardDnd(p: BoardDndProps) {
  const sensors = useSensors(
    // mouse and touch apart: on a touch screen a swipe scrolls the board, and only a held press picks a card up
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 220, tolerance: 8 } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnJump }),
  );
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collision}
      onDragStart={(e) => p.onDragStart(String(e.active.id))}
      onDragOver={(e) => p.onDragOver(e.over ? String(e.over.id) : null)}
      onDragEnd={(e) => p.onDragEnd(String(e.active.id), e.over ? String(e.over.id) : null)}
      onDragCancel={p.onDragCancel}
      accessibility={{ announcements: p.announcements, screenReaderInstructions: { draggable: p.instructions } }}
    >
      {p.cards.map((c) => (
        <Draggable key={c.id} id={c.id} disabled={c.disabled} port={p.port} />
      ))}
      {p.drops.map((id) => (
        <Droppable key={id} id={id} port={p.port} />
      ))}
      <DragOverlay dropAnimation={null}>{p.overlay}</DragOverlay>
    </DndContext>
  );
}

/** A card as dnd-kit's draggable: its element, its sensors' listeners and the screen-reader instructions. */
function Draggable({ id, disabled, port }: { id: string; disabled: boolean; port: DragPort }) {
  const { attributes, listeners, setNodeRef } = useDraggable({ id, disabled });
  const describedBy = attributes['aria-describedby'];
  useLayoutEffect(
    () =>
      port.bind(id, (el) => {
        setNodeRef(el);
        // the instructions dnd-kit reads out for a card that can be picked up
        el?.setAttribute('aria-describedby', describedBy);
      }),
    [port, id, setNodeRef, describedBy],
  );
  useLayoutEffect(() => {
    port.listen(id, listeners);
    return () => port.listen(id, undefined);
  }, [port, id, listeners]);
  return null;
}

function Droppable({ id, port }: { id: string; port: DragPort }) {
  const { setNodeRef } = useDroppable({ id });
  useLayoutEffect(() => port.bind(id, setNodeRef), [port, id, setNodeRef]);
  return null;
}

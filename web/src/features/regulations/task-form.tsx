/** A task's form, drawn by the form-js viewer (the schema the process owner made in the form editor). */
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import { useEffect, useRef } from 'react';

export interface TaskFormHandle {
  /** the form's values when they pass the browser's checks, else null (the form shows its errors) */
  submit(): Record<string, unknown> | null;
}

export function TaskForm({
  schema,
  data,
  handle,
}: {
  schema: Record<string, unknown>;
  data: Record<string, unknown>;
  handle: (h: TaskFormHandle | null) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const form = new Form({ container: ref.current! });
    let live = true;
    void form.importSchema(schema, data).then(() => {
      if (!live) return;
      handle({
        submit: () => {
          const r = form.submit() as { data: Record<string, unknown>; errors: Record<string, unknown> };
          return Object.keys(r.errors).length ? null : r.data;
        },
      });
    });
    return () => {
      live = false;
      handle(null);
      form.destroy();
    };
  }, [schema, data, handle]);
  return <div ref={ref} className="task-form" data-testid="task-form" />;
}

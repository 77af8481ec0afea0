/** The form-js editor in a dialog: the process owner draws a user task's form; saving hands back its schema. */
import { FormEditor } from '@bpmn-io/form-js-editor';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js-editor/dist/assets/properties-panel.css';
import { useEffect, useRef } from 'react';
import { useI18n } from '../../i18n/index.js';
import { Button, Dialog } from '../../ui.js';

export function FormEditorDialog({
  formId,
  schema,
  onSave,
  onClose,
}: {
  formId: string;
  schema: Record<string, unknown> | null;
  onSave: (schema: Record<string, unknown>) => void;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const editor = useRef<FormEditor | null>(null);
  useEffect(() => {
    const e = new FormEditor({ container: ref.current! });
    editor.current = e;
    void e.importSchema(schema ?? { type: 'default', id: formId, components: [] });
    return () => {
      editor.current = null;
      e.destroy();
    };
  }, [schema, formId]);
  return (
    <Dialog
      title={t('modeler.formTitle', { id: formId })}
      onClose={onClose}
      wide
      testId="form-editor"
      footer={
        <Button
          variant="primary"
          onClick={() => {
            if (editor.current) onSave({ ...(editor.current.saveSchema() as Record<string, unknown>), id: formId });
          }}
          data-testid="form-editor-save"
        >
          {t('modeler.formSave')}
        </Button>
      }
    >
      <div ref={ref} className="form-editor-host" />
    </Dialog>
  );
}

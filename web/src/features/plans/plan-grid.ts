/**
 * The data-grid library every plans screen uses (AG Grid Community), with only the modules they need registered, and
 * the app's look. AG Grid Community has no clipboard module (range copy and paste are in its Enterprise edition):
 * pasting a range from a spreadsheet is `pasteRange` below, applied to the grid's rows by the editor.
 */
import {
  CellApiModule,
  CellStyleModule,
  ClientSideRowModelModule,
  LocaleModule,
  ModuleRegistry,
  PinnedRowModule,
  RenderApiModule,
  RowApiModule,
  RowSelectionModule,
  RowStyleModule,
  TextEditorModule,
  TooltipModule,
  themeQuartz,
  type GridApi,
  type IRowNode,
} from 'ag-grid-community';

ModuleRegistry.registerModules([
  ClientSideRowModelModule,
  TextEditorModule,
  CellStyleModule,
  RowStyleModule,
  PinnedRowModule,
  RenderApiModule,
  RowApiModule,
  RowSelectionModule,
  TooltipModule,
  RowApiModule,
  RenderApiModule,
  CellApiModule,
  LocaleModule,
]);

export const gridTheme = themeQuartz.withParams({
  fontFamily: 'inherit',
  fontSize: 14,
  headerFontWeight: 600,
  accentColor: '#1c7ed6',
  borderRadius: 8,
  wrapperBorderRadius: 8,
  rowHeight: 36,
  headerHeight: 38,
});

/**
 * A range copied from a spreadsheet (tab-separated cells, one row a line; a cell in quotes may hold tabs, newlines
 * and doubled quotes, as Excel and Google Sheets write them) as rows of cells.
 */
export function parseRange(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  const s = text.replace(/\r\n?/g, '\n');
  while (i < s.length) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        continue;
      }
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      i++;
      continue;
    }
    if (ch === '\t') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
    i++;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Columns read their values as text: no data type inferred (a date string would ask for a date editor). */
export const defaultColDef = { cellDataType: false, suppressMovable: true } as const;

/**
 * Redraws cells (their classes, the totals) with `force`, but for the focused cell: that is where the user types, and
 * on a slow machine its editor may still be opening, which a redraw would close, losing the keys typed into it. The
 * focused cell is drawn anew when its editor closes.
 */
export function redrawBesideFocus<T>(grid: GridApi<T>, columnIds: string[], only?: IRowNode<T>[]) {
  const focus = grid.getFocusedCell();
  const focused = focus && !focus.rowPinned ? grid.getDisplayedRowAtIndex(focus.rowIndex) : undefined;
  if (!focus || !focused) {
    grid.refreshCells({ rowNodes: only, force: true });
    return;
  }
  const nodes: IRowNode<T>[] = [];
  if (only) nodes.push(...only);
  else {
    grid.forEachNode((n) => nodes.push(n));
    for (let i = 0; i < grid.getPinnedBottomRowCount(); i++) nodes.push(grid.getPinnedBottomRow(i)!);
  }
  const others = nodes.filter((n) => n !== focused);
  if (others.length) grid.refreshCells({ rowNodes: others, force: true });
  if (nodes.includes(focused)) {
    const columns = columnIds.filter((id) => id !== focus.column.getColId());
    grid.refreshCells({ rowNodes: [focused], columns, force: true });
  }
}

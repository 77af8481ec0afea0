/**
 * The roll-up's charts (ECharts, in this chunk only: loaded by the roll-up page when it first draws a chart): plan
 * against actual by item or period as bars, and the month's daily cumulative payments against the plan as lines.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface Series {
  name: string;
  kind: 'bar' | 'line';
  data: number[];
  color: string;
  dashed?: boolean;
}

export function Chart({
  categories,
  series,
  format,
  testId,
  height = 280,
}: {
  categories: string[];
  series: Series[];
  format: (n: number) => string;
  testId: string;
  height?: number;
}) {
  const el = useRef<HTMLDivElement | null>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const resize = () => c.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(
      {
        animation: false,
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        legend: { top: 0 },
        tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => format(Number(v)) },
        xAxis: { type: 'category', data: categories, axisLabel: { hideOverlap: true } },
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format(v) } },
        series: series.map((s) => ({
          name: s.name,
          type: s.kind,
          data: s.data,
          itemStyle: { color: s.color },
          lineStyle: s.dashed ? { type: 'dashed', color: s.color } : { color: s.color },
          showSymbol: false,
          barMaxWidth: 28,
        })),
      },
      { notMerge: true },
    );
  }, [categories, series, format]);
  return (
    <div
      ref={el}
      className="plan-chart"
      style={{ height }}
      data-testid={testId}
      data-series={JSON.stringify(series.map((s) => [s.name, s.data]))}
      role="img"
      aria-label={series.map((s) => s.name).join(', ')}
    />
  );
}

/**
 * The pane under the class grid: a student's timeline or an assignment across the class, each as a chart (drawn by
 * JupyterLab's Vega-Lite renderer, when there is one) and in words.
 */
import type { ClassStatus, CourseworkClient } from '@coursework/client';
import { describeError } from '../common/connection';
import { h } from '../common/dom';
import { assignmentSpec, assignmentSummary, workPoints } from './assignment-chart';
import { describeEvent, timelineSpec } from './timeline';

/**
 * Draws a Vega-Lite chart into `host` (JupyterLab's renderer, handed in by the extension); answers how to take it
 * away again, which is done before its host leaves the page.
 */
export type ChartRenderer = (spec: Record<string, unknown>, host: HTMLElement) => Promise<{ dispose(): void }>;

export class DetailPane {
  readonly node = h('section', { class: 'jp-Coursework-ClassDetail', hidden: true });

  constructor(
    private readonly client: () => CourseworkClient,
    private readonly renderChart: ChartRenderer | undefined,
    /** After the pane was closed (the keyboard goes back to the grid). */
    private readonly onClose: () => void,
  ) {}

  /** Shows the student's timeline under the grid: the chart when JupyterLab can draw it, and the list. */
  async showTimeline(student: string): Promise<void> {
    const status = this.open(`Timeline of ${student}`, 'Loading the timeline…');
    let timeline;
    try {
      timeline = await this.client().studentTimeline(student);
    } catch (error) {
      status.textContent = `Could not read the timeline: ${describeError(error)}`;
      return;
    }
    const chart = h('div', { class: 'jp-Coursework-DetailChart' });
    const list = h(
      'ol',
      { class: 'jp-Coursework-TimelineList', 'aria-label': `Events of ${student}` },
      ...timeline.events.map((event) => h('li', { 'data-kind': event.kind }, describeEvent(event))),
    );
    status.textContent =
      timeline.events.length === 0
        ? 'Nothing has happened to this student’s work yet.'
        : `${timeline.events.length} events${timeline.truncated ? ' (the latest; older ones left out)' : ''}`;
    this.node.append(chart, list);
    if (timeline.events.length + timeline.dues.length > 0) await this.draw((width) => timelineSpec(timeline, width), chart);
  }

  /** Shows one assignment across the class under the grid: when the work was captured or submitted, and its size. */
  showAssignment(view: ClassStatus, column: number): void {
    const assignment = view.assignments[column];
    if (!assignment) return;
    const status = this.open(`${assignment.title || assignment.id} across the class`, assignmentSummary(view, column));
    status.classList.add('jp-Coursework-ChartSummary');
    const chart = h('div', { class: 'jp-Coursework-DetailChart' });
    this.node.append(chart);
    if (workPoints(view, column).length > 0) void this.draw((width) => assignmentSpec(view, column, width), chart);
  }

  /** Opens the pane under the grid with a heading and a close button; answers its status line. */
  private open(heading: string, text: string): HTMLElement {
    const close = h('button', { type: 'button', class: 'jp-Coursework-button', 'aria-label': `Close: ${heading}` }, 'Close');
    close.addEventListener('click', () => {
      this.removeChart();
      this.node.hidden = true;
      this.node.replaceChildren();
      this.onClose();
    });
    const status = h('p', { class: 'jp-Coursework-message', role: 'status' }, text);
    this.removeChart();
    this.node.hidden = false;
    this.node.setAttribute('aria-label', heading);
    this.node.replaceChildren(h('div', { class: 'jp-Coursework-ClassToolbar' }, h('h3', {}, heading), close), status);
    return status;
  }

  private async draw(spec: (width: number) => Record<string, unknown>, host: HTMLElement): Promise<void> {
    if (!this.renderChart) return;
    try {
      const chart = await this.renderChart(spec(Math.max(300, host.clientWidth - 220)), host);
      // The pane may have moved on while the chart was drawn.
      if (host.isConnected) {
        this.removeChart();
        this.chart = chart;
      } else {
        chart.dispose();
      }
    } catch (error) {
      host.textContent = `The chart could not be drawn: ${describeError(error)}`;
    }
  }

  private removeChart(): void {
    this.chart?.dispose();
    this.chart = null;
  }

  private chart: { dispose(): void } | null = null;
}

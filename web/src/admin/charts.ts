import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "../shared/dom";

export interface SeriesSpec {
  label: string;
  color: string;
}

const historySeconds = 60;

/** One live time-series chart: keeps the last minute of points and redraws on every update. */
export class LiveChart {
  private readonly plot: uPlot;
  private readonly element: HTMLElement;
  private readonly valueLabel: HTMLElement;
  private times: number[] = [];
  private values: number[][];

  constructor(
    container: HTMLElement,
    readonly id: string,
    title: string,
    private readonly unit: string,
    series: SeriesSpec[],
  ) {
    this.values = series.map(() => []);
    this.valueLabel = h("span", { class: "now", "data-testid": `chart-${id}-now` }, "–");
    const body = h("div", { class: "plot" });
    this.element = h("figure", { class: "chart card", "data-testid": `chart-${id}`, "data-points": 0, "data-max": 0 }, h("figcaption", {}, h("span", {}, title), this.valueLabel), body);
    container.append(this.element);
    this.plot = new uPlot(
      {
        width: Math.max(200, body.clientWidth || 320),
        height: 160,
        legend: { show: true, live: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [{ space: 60 }, { size: 50 }],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, fill: `${s.color}22`, points: { show: false } }))],
      },
      [[], ...series.map(() => [])],
      body,
    );
    new ResizeObserver(() => this.plot.setSize({ width: Math.max(200, body.clientWidth), height: 160 })).observe(body);
  }

  /** Replaces the whole history (from the node's sample history). */
  replace(times: number[], values: number[][]): void {
    this.times = times.slice(-historySeconds);
    this.values = values.map((v) => v.slice(-historySeconds));
    this.draw();
  }

  /** Adds one point per series at the given time (seconds); a time already present is replaced. */
  push(time: number, values: number[]): void {
    if (this.times.length > 0 && this.times[this.times.length - 1] >= time) {
      return;
    }

    this.times.push(time);
    values.forEach((v, i) => this.values[i].push(v));
    if (this.times.length > historySeconds) {
      this.times.shift();
      this.values.forEach((v) => v.shift());
    }

    this.draw();
  }

  private draw(): void {
    this.plot.setData([this.times, ...this.values]);
    const last = this.values.map((v) => v.at(-1) ?? 0);
    const max = Math.max(0, ...this.values.flat());
    this.valueLabel.textContent = last.map((v) => `${format(v)}${this.unit}`).join(" / ");
    this.element.dataset.points = String(this.times.length);
    this.element.dataset.max = String(max);
    this.element.dataset.last = last.join(",");
  }
}

const format = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 0));

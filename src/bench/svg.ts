/**
 * A small line-chart renderer to inline SVG: no scripts, no external assets, so the report opens
 * anywhere. Each series is one `<path class="series">` whose points are its M/L commands, with
 * `data-series` and `data-points` attributes so the report can be checked without a browser.
 */
export interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
  /** Draw a dot at every point (sweeps with few points). */
  markers?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xLog?: boolean;
  yLog?: boolean;
  /** Fixed y range (the CDF is 0..1). */
  yMin?: number;
  yMax?: number;
  width?: number;
  height?: number;
  /** Formats tick values. */
  xFormat?: (value: number) => string;
  yFormat?: (value: number) => string;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let exponent = Math.floor(Math.log10(min)); exponent <= Math.ceil(Math.log10(max)); exponent++) ticks.push(10 ** exponent);
  return ticks;
}

function linearTicks(min: number, max: number, count = 5): number[] {
  const span = max - min || 1;
  const rough = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  const ticks: number[] = [];
  for (let value = Math.ceil(min / step) * step; value <= max + step * 1e-9; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

export function defaultFormat(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${value / 1e6}M`;
  if (abs >= 1e3) return `${value / 1e3}k`;
  return String(Number(value.toPrecision(3)));
}

/**
 * For each series: how many later series run along one of its segments (`below`: it is drawn
 * under that many), whether it runs along an earlier one (`covers`), and the first earlier series
 * with exactly the same points (`sameAs`), for the legend. A series of one point counts its point.
 */
function overlaps(series: Array<Array<[number, number]>>): Array<{ below: number; covers: boolean; sameAs: number | undefined }> {
  const point = ([x, y]: [number, number]) => `${x},${y}`;
  const segments = series.map((points) => new Set(points.length === 1 ? [point(points[0]!)] : points.slice(1).map((p, i) => `${point(points[i]!)}>${point(p)}`)));
  const shares = (a: number, b: number) => [...segments[a]!].some((segment) => segments[b]!.has(segment));
  const same = (a: number, b: number) => series[a]!.map(point).join(' ') === series[b]!.map(point).join(' ');
  return series.map((_, index) => {
    const others = series.map((__, other) => other).filter((other) => other !== index && series[other]!.length > 0 && shares(index, other));
    return {
      below: others.filter((other) => other > index).length,
      covers: others.some((other) => other < index),
      sameAs: others.find((other) => other < index && same(index, other)),
    };
  });
}

export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 380;
  const margin = { top: 36, right: 150, bottom: 48, left: 64 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const all = options.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const positive = (values: number[]) => values.filter((v) => v > 0);
  const xs = options.xLog ? positive(all.map((p) => p[0])) : all.map((p) => p[0]);
  const ys = options.yLog ? positive(all.map((p) => p[1])) : all.map((p) => p[1]);
  let xMin = xs.length ? Math.min(...xs) : 1;
  let xMax = xs.length ? Math.max(...xs) : 10;
  let yMin = options.yMin ?? (ys.length ? Math.min(...ys) : 0);
  let yMax = options.yMax ?? (ys.length ? Math.max(...ys) : 1);
  if (options.xLog) {
    xMin = 10 ** Math.floor(Math.log10(xMin));
    xMax = 10 ** Math.ceil(Math.log10(xMax));
    if (xMin === xMax) xMax = xMin * 10;
  } else if (xMin === xMax) xMax = xMin + 1;
  if (options.yLog) {
    yMin = 10 ** Math.floor(Math.log10(yMin || 1));
    yMax = 10 ** Math.ceil(Math.log10(yMax || 10));
    if (yMin === yMax) yMax = yMin * 10;
  } else {
    if (options.yMin === undefined) yMin = Math.min(0, yMin);
    if (yMin === yMax) yMax = yMin + 1;
  }
  const scale = (value: number, min: number, max: number, log: boolean | undefined) =>
    log ? (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (value - min) / (max - min);
  const px = (x: number) => margin.left + scale(x, xMin, xMax, options.xLog) * plotW;
  const py = (y: number) => margin.top + plotH - scale(y, yMin, yMax, options.yLog) * plotH;
  const xFormat = options.xFormat ?? defaultFormat;
  const yFormat = options.yFormat ?? defaultFormat;
  const xTicks = options.xLog ? logTicks(xMin, xMax) : linearTicks(xMin, xMax);
  const yTicks = options.yLog ? logTicks(yMin, yMax) : linearTicks(yMin, yMax);

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`);
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(`<text x="${margin.left}" y="22" font-size="15" font-weight="600" fill="#222">${escapeXml(options.title)}</text>`);
  for (const tick of xTicks) {
    const x = px(tick).toFixed(1);
    parts.push(`<line class="grid" x1="${x}" y1="${margin.top}" x2="${x}" y2="${margin.top + plotH}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${x}" y="${margin.top + plotH + 16}" font-size="11" text-anchor="middle" fill="#555">${escapeXml(xFormat(tick))}</text>`);
  }
  for (const tick of yTicks) {
    const y = py(tick).toFixed(1);
    parts.push(`<line class="grid" x1="${margin.left}" y1="${y}" x2="${margin.left + plotW}" y2="${y}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${y}" font-size="11" text-anchor="end" dominant-baseline="middle" fill="#555">${escapeXml(yFormat(tick))}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 10}" font-size="12" text-anchor="middle" fill="#333">${escapeXml(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="#333">${escapeXml(options.yLabel)}</text>`);

  const drawn = options.series.map((series) => ({
    series,
    points: series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!options.xLog || x > 0) && (!options.yLog || y > 0)),
  }));
  const overlap = overlaps(drawn.map((entry) => entry.points));
  drawn.forEach(({ series, points }, index) => {
    // A line drawn over another with the same points would hide it: lines under later ones are
    // drawn wider (a halo around them), and the later ones dashed.
    const { below, sameAs } = overlap[index]!;
    const width = 2.2 + 2.8 * below;
    const dash = overlap[index]!.covers ? ' stroke-dasharray="7 4"' : '';
    if (points.length > 0) {
      const d = points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x).toFixed(2)} ${py(y).toFixed(2)}`).join(' ');
      parts.push(`<path class="series" data-series="${escapeXml(series.name)}" data-points="${points.length}" d="${d}" fill="none" stroke="${series.color}" stroke-width="${width.toFixed(1)}" stroke-linejoin="round"${dash}/>`);
      if (series.markers) {
        for (const [x, y] of points) parts.push(`<circle class="marker" cx="${px(x).toFixed(2)}" cy="${py(y).toFixed(2)}" r="${(3.5 + 2.2 * below).toFixed(1)}" fill="${series.color}"/>`);
      }
    }
    const ly = margin.top + 14 + index * 20;
    const lx = margin.left + plotW + 14;
    const label = sameAs === undefined ? series.name : `${series.name} (same as ${drawn[sameAs]!.series.name})`;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${series.color}" stroke-width="3"${dash}/>`);
    parts.push(`<text class="legend" x="${lx + 28}" y="${ly}" font-size="12" dominant-baseline="middle" fill="#222">${escapeXml(label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

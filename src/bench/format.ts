/** Number formatting shared by the table, the verdict and the HTML report. */
export { formatBytes } from '../text/bytes.js';

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(1);
}

export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return '';
  if (ratio >= 100) return `×${ratio.toFixed(0)}`;
  if (ratio >= 10) return `×${ratio.toFixed(1)}`;
  return `×${ratio.toFixed(2)}`;
}

/** How far measured is from the model: 'good' within 15%, 'near' within a factor of 2, else 'off'. */
export function ratioGrade(ratio: number | null): 'good' | 'near' | 'off' | 'none' {
  if (ratio === null || !Number.isFinite(ratio)) return 'none';
  if (ratio >= 0.85 && ratio <= 1.15) return 'good';
  if (ratio >= 0.5 && ratio <= 2) return 'near';
  return 'off';
}

/** "3,300×" for big factors, "1.8×" for small ones. */
export function formatFactor(factor: number): string {
  if (!Number.isFinite(factor)) return '∞×';
  if (factor >= 100) return `${Math.round(factor).toLocaleString('en-US')}×`;
  if (factor >= 10) return `${factor.toFixed(0)}×`;
  return `${factor.toFixed(1)}×`;
}

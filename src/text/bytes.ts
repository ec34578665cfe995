/**
 * The one way a size is written for people, in binary units (1 KiB = 1024 bytes), so no reader
 * has to guess whether a "KB" was 1000 or 1024: "512 B", "1.5 KiB", "2.0 MiB", "1.25 GiB".
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

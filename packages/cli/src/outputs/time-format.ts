const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DD HH:MM:SS.uuuuuu` in local time, as SIPp stamps its trace files. */
export function sippTimestamp(epochMs: number): string {
  const d = new Date(epochMs);
  const micros = Math.floor((epochMs % 1000) * 1000);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(micros, 6)}`
  );
}

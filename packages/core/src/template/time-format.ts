// The time formats of SIPp's [timestamp] and [date] keywords.

/**
 * [timestamp]: SIPp's CStat::formatTime of the current time, in local time (the TZ of the
 * process): `YYYY-MM-DD<TAB>HH:MM:SS.uuuuuu<TAB>EPOCHSECS.uuuuuu`, the tabs included, e.g.
 * `2026-11-23\t12:51:29.036152\t1795438289.036152`. `epochMs` may carry a fraction (microseconds).
 */
export function sippTimestamp(epochMs: number): string {
  const whole = Math.floor(epochMs);
  const seconds = Math.floor(whole / 1000);
  // Rounded: a double holding epoch milliseconds has about 0.2 microseconds of precision.
  const micros = Math.min(Math.max(Math.round((epochMs - seconds * 1000) * 1000), 0), 999_999);
  const d = new Date(whole);
  const usec = pad(micros, 6);
  return (
    `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}\t` +
    `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${usec}\t` +
    `${pad(seconds, 10)}.${usec}`
  );
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** [date]: strftime("%a, %d %b %Y %T GMT") of gmtime(now), e.g. `Mon, 23 Nov 2026 12:51:29 GMT`. */
export function sippDate(epochMs: number): string {
  const d = new Date(Math.floor(epochMs / 1000) * 1000);
  return (
    `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate(), 2)} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)} GMT`
  );
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

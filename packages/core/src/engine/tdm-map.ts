// SIPp's -tdmmap: a table of TDM circuits, one taken by each call, written by [tdmmap].
import { glibcRand } from '../auth/digest.js';

/**
 * `-tdmmap {x-X}{h}{y-Y}{z-Z}`: `a`, `b`, `c` are the widths X-x, Y-y, Z-z (SIPp's tdm_map_a,
 * tdm_map_b, tdm_map_c); the table has (a+1)(b+1)(c+1) circuits.
 */
export interface TdmMapSpec {
  readonly x: number;
  readonly a: number;
  readonly h: number;
  readonly y: number;
  readonly b: number;
  readonly z: number;
  readonly c: number;
}

/** Most circuits we accept (SIPp has no limit but its memory). */
export const TDM_MAP_MAX_CIRCUITS = 1 << 20;

/**
 * SIPp's `sscanf(arg, "{%d-%d}{%d}{%d-%d}{%d-%d}")`: undefined unless all seven numbers are
 * there (text after them is ignored, as sscanf does), or when a range is reversed or the table
 * is larger than TDM_MAP_MAX_CIRCUITS.
 */
export function parseTdmMap(text: string): TdmMapSpec | undefined {
  const int = '\\s*([+-]?\\d+)';
  const m = new RegExp(`^\\{${int}-${int}\\}\\{${int}\\}\\{${int}-${int}\\}\\{${int}-${int}\\}`).exec(text);
  if (!m) return undefined;
  const [x1, x2, h, y1, y2, z1, z2] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const spec = { x: x1, a: x2 - x1, h, y: y1, b: y2 - y1, z: z1, c: z2 - z1 };
  if (spec.a < 0 || spec.b < 0 || spec.c < 0) return undefined;
  if ((spec.a + 1) * (spec.b + 1) * (spec.c + 1) > TDM_MAP_MAX_CIRCUITS) return undefined;
  return spec;
}

/** The circuits of a run and which are in use. */
export class TdmMap {
  private readonly busy: Uint8Array;
  readonly size: number;

  /** `rand`: C's rand(); SIPp never seeds it, so glibc's sequence from seed 1 by default. */
  constructor(
    readonly spec: TdmMapSpec,
    private readonly rand: () => number = glibcRand(1),
  ) {
    this.size = (spec.a + 1) * (spec.b + 1) * (spec.c + 1);
    this.busy = new Uint8Array(this.size);
  }

  /**
   * SIPp's get_tdm_map_number: from a random circuit on (starting one before it, in unsigned
   * arithmetic, as SIPp does), the first free one, numbered from 1 and marked busy; 0 when all
   * are busy.
   */
  take(): number {
    const n = this.size;
    const random = this.rand() % n;
    for (let i = 0; i < n; i++) {
      const at = ((random + i - 1) >>> 0) % n;
      if (this.busy[at] === 0) {
        this.busy[at] = 1;
        return at + 1;
      }
    }
    return 0;
  }

  /**
   * A call ended; `number` is what take() gave it (0 when it found no circuit). SIPp 3.6.1 then
   * clears tdm_map[number], not tdm_map[number - 1]: the circuit after the call's own becomes
   * free (the last circuit's call frees nothing), the call's own stays taken, and a call that
   * got none frees the first circuit. Checked against the binary: with two circuits and one
   * call at a time, every third call fails.
   */
  release(number: number): void {
    if (number >= 0 && number < this.size) this.busy[number] = 0;
  }

  /**
   * [tdmmap]: `%d.%d.%d/%d` of the circuit number as SIPp computes it, from the 1-based number
   * (so circuit 1 of `{0-1}{99}{5-6}{1-2}` is `0.99.5/2` and the last one `0.99.5/1`).
   */
  render(number: number): string {
    const { x, a, h, y, b, z, c } = this.spec;
    const first = x + (Math.trunc(number / ((b + 1) * (c + 1))) % (a + 1));
    const third = y + (Math.trunc(number / (c + 1)) % (b + 1));
    const fourth = z + (number % (c + 1));
    return `${first}.${h}.${third}/${fourth}`;
  }
}

/**
 * Random variates from an injected uniform source, the only randomness used: the same source
 * (for example {@link seededRandom}) gives the same samples. These follow the distributions
 * SIPp draws from with GSL (gsl_ran_*), not GSL's exact sequence of numbers.
 */
import { logGamma } from './numeric.js';

/** A uniform random number in [0, 1), as Math.random gives. */
export type UniformSource = () => number;

/** A uniform number in (0, 1]: safe to take the logarithm of. */
function positive(random: UniformSource): number {
  return 1 - random();
}

/** Standard normal, Box–Muller (two uniforms per sample). */
export function standardNormal(random: UniformSource): number {
  const u1 = positive(random);
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Gamma(shape a, scale 1), Marsaglia–Tsang; for a < 1 boosted with U^(1/a). a <= 0 gives 0. */
export function standardGamma(random: UniformSource, a: number): number {
  if (!(a > 0)) return 0;
  if (a < 1) return standardGamma(random, a + 1) * Math.pow(positive(random), 1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = positive(random);
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return d * v;
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Poisson(mean). Knuth's product of uniforms below 10, Hörmann's transformed rejection
 * (PTRS) above. A mean that is not positive gives 0, as GSL does.
 */
export function poisson(random: UniformSource, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean === Infinity) return Infinity;
  if (mean < 10) {
    const limit = Math.exp(-mean);
    let k = 0;
    let product = positive(random);
    while (product > limit) {
      k++;
      product *= positive(random);
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random() - 0.5;
    const v = positive(random);
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logGamma(k + 1)) {
      return k;
    }
  }
}

/**
 * A small seeded uniform source (sfc32, seeded through splitmix32) for tests and for runs
 * that must be reproducible. Returns numbers in [0, 1) with 32 random bits.
 */
export function seededRandom(seed: number): UniformSource {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/**
 * Numerical helpers for the distributions: log-gamma, the regularized incomplete gamma
 * function and the quantiles SIPp gets from GSL's gsl_cdf_*_Pinv (only used for SIPp's
 * 99th-percentile sanity check of a pause). Pure functions, no dependencies.
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1-x) = π / sin(πx)
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Γ(x) for the closed-form moments (Weibull). */
export function gamma(x: number): number {
  return Math.exp(logGamma(x));
}

const EPS = 1e-15;
const TINY = 1e-300;

/** Regularized lower incomplete gamma P(a, x), a > 0, x >= 0. */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  if (!Number.isFinite(x)) return 1;
  if (x < a + 1) {
    // Series
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.min(1, sum * Math.exp(-x + a * Math.log(x) - logGamma(a)));
  }
  return 1 - gammaQContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), by Lentz's continued fraction (x >= a + 1). */
function gammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Standard normal CDF Φ(x), via the incomplete gamma function (erf(z) = P(1/2, z²)). */
export function normalCdf(x: number): number {
  const p = gammaP(0.5, (x * x) / 2) / 2;
  return x >= 0 ? 0.5 + p : 0.5 - p;
}

/** Solves cdf(x) = p for an increasing cdf by bracketing and bisection (to the last bits). */
function invert(cdf: (x: number) => number, p: number, lo: number, hi: number): number {
  // Widen the bracket until it holds the answer.
  while (cdf(hi) < p && hi < 1e300) {
    lo = hi;
    hi = hi === 0 ? 1 : hi * 2;
  }
  while (cdf(lo) > p && lo > -1e300) {
    hi = lo;
    lo = lo === 0 ? -1 : lo * 2;
  }
  for (let i = 0; i < 2000; i++) {
    const mid = lo + (hi - lo) / 2;
    if (mid === lo || mid === hi) break;
    if (cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return lo + (hi - lo) / 2;
}

/** Φ⁻¹(p), GSL's gsl_cdf_ugaussian_Pinv. */
export function normalQuantile(p: number): number {
  if (!(p > 0)) return p === 0 ? -Infinity : NaN;
  if (!(p < 1)) return p === 1 ? Infinity : NaN;
  if (p === 0.5) return 0;
  // Φ is symmetric: solve in the upper half, where the CDF has most precision.
  if (p < 0.5) return -normalQuantile(1 - p);
  return invert(normalCdf, p, 0, 8);
}

/** gsl_cdf_gamma_Pinv(p, a, 1) for a > 0. */
export function gammaQuantile(p: number, a: number): number {
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  return invert((x) => gammaP(a, x), p, 0, Math.max(1, a));
}

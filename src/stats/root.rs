//! One-dimensional root finding (Brent's method), used for the Paule–Mandel estimator and
//! the Q-profile confidence interval of τ².

/// Finds a root of `f` in `[a, b]`, where `f(a)` and `f(b)` have opposite signs (or one is 0).
///
/// Brent (1973), "Algorithms for Minimization without Derivatives", ch. 4 — the same
/// algorithm as R's `uniroot`. Iterates until the bracket is narrower than
/// `4·ε·|x| + tol` and returns `None` if the signs do not bracket a root.
pub fn brent(mut f: impl FnMut(f64) -> f64, a: f64, b: f64, tol: f64) -> Option<f64> {
    let (fa, fb) = (f(a), f(b));
    brent_from(f, (a, fa), (b, fb), tol)
}

/// [`brent`] when `f(a)` and `f(b)` are already known (each evaluation of the Q-profile's
/// function is a pass over every study).
pub fn brent_from(
    mut f: impl FnMut(f64) -> f64,
    (a, fa): (f64, f64),
    (b, fb): (f64, f64),
    tol: f64,
) -> Option<f64> {
    let (mut a, mut b) = (a, b);
    let (mut fa, mut fb) = (fa, fb);
    if fa == 0.0 {
        return Some(a);
    }
    if fb == 0.0 {
        return Some(b);
    }
    if !(fa.is_finite() && fb.is_finite()) || fa.signum() == fb.signum() {
        return None;
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..1000 {
        if fb.signum() == fc.signum() {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qa = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qa * (qa - r) - (b - a) * (r - 1.0));
                q = (qa - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * xm * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = f(b);
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::brent;

    #[test]
    fn finds_square_root_of_two() {
        let r = brent(|x| x * x - 2.0, 0.0, 2.0, 1e-15).unwrap();
        assert!((r - 2f64.sqrt()).abs() < 1e-14);
    }

    #[test]
    fn refuses_an_interval_without_sign_change() {
        assert!(brent(|x| x * x + 1.0, -1.0, 1.0, 1e-12).is_none());
    }
}

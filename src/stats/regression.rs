//! Weighted least squares for the normal–normal model, in O(k·p²).
//!
//! Every τ² estimator and every fit needs the same few quantities of the projection
//! P = W − WX(X'WX)⁻¹X'W at some weights W (metafor's notation): the weighted residual sum of
//! squares Y'PY, Y'PPY, tr(P) and tr(PP). metafor builds P as a k×k matrix; here they are
//! accumulated study by study, so memory and time are linear in k. Without moderators
//! (the usual meta-analysis) closed forms are used; with a few moderators (Egger's test as a
//! meta-regression, trim-and-fill's side, subgroups with a common τ²) the p×p algebra is done
//! explicitly.

/// The design matrix of a model.
#[derive(Debug, Clone, Copy)]
pub enum Design<'a> {
    /// Intercept only: the pooled effect.
    Intercept,
    /// `p` columns, row-major: `x[i * p + j]` is column j of study i.
    Matrix { p: usize, x: &'a [f64] },
}

impl Design<'_> {
    /// The number of coefficients.
    pub fn p(&self) -> usize {
        match self {
            Design::Intercept => 1,
            Design::Matrix { p, .. } => *p,
        }
    }

    fn row(&self, i: usize) -> &[f64] {
        match self {
            Design::Intercept => &[1.0],
            Design::Matrix { p, x } => &x[i * p..(i + 1) * p],
        }
    }
}

/// What a weighted least-squares fit at weights `w` gives.
#[derive(Debug, Clone)]
pub struct Wls {
    /// Coefficients (X'WX)⁻¹X'Wy.
    pub beta: Vec<f64>,
    /// (X'WX)⁻¹, row-major p×p.
    pub xtwx_inv: Vec<f64>,
    /// Y'PY = Σ wᵢ rᵢ² (residuals rᵢ = yᵢ − xᵢ'β).
    pub rss: f64,
    /// Y'PPY = Σ wᵢ² rᵢ².
    pub yppy: f64,
    /// Σ wᵢ.
    pub sum_w: f64,
    /// Σ wᵢ².
    pub sum_w2: f64,
    /// tr(P).
    pub tr_p: f64,
    /// tr(PP).
    pub tr_pp: f64,
}

/// Fits y on the design with weights `w(i)`. Returns `None` if X'WX is singular.
pub fn wls(y: &[f64], design: Design<'_>, w: impl Fn(usize) -> f64) -> Option<Wls> {
    match design {
        Design::Intercept => Some(wls_intercept(y, w)),
        Design::Matrix { p, .. } => wls_matrix(y, design, p, w),
    }
}

fn wls_intercept(y: &[f64], w: impl Fn(usize) -> f64) -> Wls {
    let (mut sw, mut sw2, mut sw3, mut swy) = (0.0, 0.0, 0.0, 0.0);
    for (i, &yi) in y.iter().enumerate() {
        let wi = w(i);
        sw += wi;
        sw2 += wi * wi;
        sw3 += wi * wi * wi;
        swy += wi * yi;
    }
    let mu = swy / sw;
    let (mut rss, mut yppy) = (0.0, 0.0);
    for (i, &yi) in y.iter().enumerate() {
        let wi = w(i);
        let r = yi - mu;
        rss += wi * r * r;
        yppy += wi * wi * r * r;
    }
    Wls {
        beta: vec![mu],
        xtwx_inv: vec![1.0 / sw],
        rss,
        yppy,
        sum_w: sw,
        sum_w2: sw2,
        tr_p: sw - sw2 / sw,
        tr_pp: sw2 - 2.0 * sw3 / sw + (sw2 / sw) * (sw2 / sw),
    }
}

fn wls_matrix(y: &[f64], design: Design<'_>, p: usize, w: impl Fn(usize) -> f64) -> Option<Wls> {
    let mut xtwx = vec![0.0; p * p];
    let mut xtw2x = vec![0.0; p * p];
    let mut xtw3x = vec![0.0; p * p];
    let mut xtwy = vec![0.0; p];
    let (mut sw, mut sw2) = (0.0, 0.0);
    for (i, &yi) in y.iter().enumerate() {
        let wi = w(i);
        let x = design.row(i);
        sw += wi;
        sw2 += wi * wi;
        for a in 0..p {
            xtwy[a] += wi * x[a] * yi;
            for b in 0..p {
                let xx = x[a] * x[b];
                xtwx[a * p + b] += wi * xx;
                xtw2x[a * p + b] += wi * wi * xx;
                xtw3x[a * p + b] += wi * wi * wi * xx;
            }
        }
    }
    let inv = invert_spd(&xtwx, p)?;
    let beta = mat_vec(&inv, &xtwy, p);
    let (mut rss, mut yppy) = (0.0, 0.0);
    for (i, &yi) in y.iter().enumerate() {
        let wi = w(i);
        let x = design.row(i);
        let r = yi - x.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
        rss += wi * r * r;
        yppy += wi * wi * r * r;
    }
    let a_b = mat_mul(&inv, &xtw2x, p);
    let tr_p = sw - trace(&a_b, p);
    let tr_pp = sw2 - 2.0 * trace(&mat_mul(&inv, &xtw3x, p), p) + trace(&mat_mul(&a_b, &a_b, p), p);
    Some(Wls {
        beta,
        xtwx_inv: inv,
        rss,
        yppy,
        sum_w: sw,
        sum_w2: sw2,
        tr_p,
        tr_pp,
    })
}

/// tr(PV) for the unweighted (OLS) projection P = I − X(X'X)⁻¹X' and V = diag(v); the
/// Hedges (HE) estimator needs it. For the intercept-only model it is Σv·(1 − 1/k).
pub fn tr_pv_ols(v: &[f64], design: Design<'_>) -> Option<f64> {
    let k = v.len() as f64;
    match design {
        Design::Intercept => Some(v.iter().sum::<f64>() * (1.0 - 1.0 / k)),
        Design::Matrix { p, .. } => {
            let mut xtx = vec![0.0; p * p];
            let mut xtvx = vec![0.0; p * p];
            for (i, &vi) in v.iter().enumerate() {
                let x = design.row(i);
                for a in 0..p {
                    for b in 0..p {
                        xtx[a * p + b] += x[a] * x[b];
                        xtvx[a * p + b] += vi * x[a] * x[b];
                    }
                }
            }
            let inv = invert_spd(&xtx, p)?;
            Some(v.iter().sum::<f64>() - trace(&mat_mul(&inv, &xtvx, p), p))
        }
    }
}

fn trace(m: &[f64], p: usize) -> f64 {
    (0..p).map(|i| m[i * p + i]).sum()
}

fn mat_mul(a: &[f64], b: &[f64], p: usize) -> Vec<f64> {
    let mut out = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            out[i * p + j] = (0..p).map(|l| a[i * p + l] * b[l * p + j]).sum();
        }
    }
    out
}

fn mat_vec(a: &[f64], x: &[f64], p: usize) -> Vec<f64> {
    (0..p)
        .map(|i| (0..p).map(|j| a[i * p + j] * x[j]).sum())
        .collect()
}

/// Inverse of a symmetric positive-definite p×p matrix (row-major) by Cholesky; `None` if it
/// is not positive definite.
pub fn invert_spd(m: &[f64], p: usize) -> Option<Vec<f64>> {
    // Cholesky factor L (lower), m = L L'.
    let mut l = vec![0.0; p * p];
    let scale = (0..p).map(|i| m[i * p + i].abs()).fold(0.0, f64::max);
    for i in 0..p {
        for j in 0..=i {
            let s: f64 = (0..j).map(|q| l[i * p + q] * l[j * p + q]).sum();
            if i == j {
                let d = m[i * p + i] - s;
                if d <= 1e-13 * scale || !d.is_finite() {
                    return None;
                }
                l[i * p + i] = d.sqrt();
            } else {
                l[i * p + j] = (m[i * p + j] - s) / l[j * p + j];
            }
        }
    }
    // Invert L, then m⁻¹ = L⁻ᵀ L⁻¹.
    let mut li = vec![0.0; p * p];
    for i in 0..p {
        li[i * p + i] = 1.0 / l[i * p + i];
        for j in 0..i {
            let s: f64 = (j..i).map(|q| l[i * p + q] * li[q * p + j]).sum();
            li[i * p + j] = -s / l[i * p + i];
        }
    }
    let mut inv = vec![0.0; p * p];
    for i in 0..p {
        for j in 0..p {
            inv[i * p + j] = (i.max(j)..p).map(|q| li[q * p + i] * li[q * p + j]).sum();
        }
    }
    Some(inv)
}

/// Determinant of a symmetric positive-definite p×p matrix (row-major) by Cholesky; `None` if
/// it is not positive definite.
pub fn det_spd(m: &[f64], p: usize) -> Option<f64> {
    let mut l = vec![0.0; p * p];
    let mut det = 1.0;
    for i in 0..p {
        for j in 0..=i {
            let s: f64 = (0..j).map(|q| l[i * p + q] * l[j * p + q]).sum();
            if i == j {
                let d = m[i * p + i] - s;
                if d <= 0.0 || !d.is_finite() {
                    return None;
                }
                l[i * p + i] = d.sqrt();
                det *= d;
            } else {
                l[i * p + j] = (m[i * p + j] - s) / l[j * p + j];
            }
        }
    }
    Some(det)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_path_with_one_column_equals_the_intercept_path() {
        let y = [0.1, -0.4, 0.7, 0.2, -0.1];
        let v = [0.1, 0.2, 0.05, 0.3, 0.15];
        let ones = [1.0; 5];
        let a = wls(&y, Design::Intercept, |i| 1.0 / (v[i] + 0.04)).unwrap();
        let b = wls(&y, Design::Matrix { p: 1, x: &ones }, |i| {
            1.0 / (v[i] + 0.04)
        })
        .unwrap();
        for (x, y) in [
            (a.beta[0], b.beta[0]),
            (a.rss, b.rss),
            (a.yppy, b.yppy),
            (a.tr_p, b.tr_p),
            (a.tr_pp, b.tr_pp),
        ] {
            assert!((x - y).abs() < 1e-12 * x.abs().max(1.0), "{x} vs {y}");
        }
    }

    #[test]
    fn inverts_a_two_by_two_matrix() {
        let inv = invert_spd(&[4.0, 2.0, 2.0, 3.0], 2).unwrap();
        let expect = [3.0 / 8.0, -2.0 / 8.0, -2.0 / 8.0, 4.0 / 8.0];
        for (a, b) in inv.iter().zip(expect) {
            assert!((a - b).abs() < 1e-15);
        }
    }
}

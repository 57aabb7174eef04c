//! Two subgroups of one arm combined into one group (Cochrane Handbook for Systematic Reviews
//! of Interventions, version 6.5, section 6.5.2.10, Table 6.5.a):
//!
//! N = N₁ + N₂, M = (N₁M₁ + N₂M₂)/N,
//! SD = √{[(N₁ − 1)SD₁² + (N₂ − 1)SD₂² + N₁N₂/(N₁ + N₂)·(M₁² + M₂² − 2M₁M₂)] / (N₁ + N₂ − 1)}.

/// Size, mean and SD of two groups combined; `None` unless both sizes are at least 1 and
/// their sum at least 2, and both SDs are non-negative.
pub fn combine_groups(
    n1: f64,
    m1: f64,
    sd1: f64,
    n2: f64,
    m2: f64,
    sd2: f64,
) -> Option<(f64, f64, f64)> {
    let ok = [n1, m1, sd1, n2, m2, sd2].iter().all(|x| x.is_finite());
    if !ok || n1 < 1.0 || n2 < 1.0 || sd1 < 0.0 || sd2 < 0.0 {
        return None;
    }
    let n = n1 + n2;
    let m = (n1 * m1 + n2 * m2) / n;
    let ss = (n1 - 1.0) * sd1 * sd1
        + (n2 - 1.0) * sd2 * sd2
        + n1 * n2 / n * (m1 * m1 + m2 * m2 - 2.0 * m1 * m2);
    Some((n, m, (ss / (n - 1.0)).sqrt()))
}

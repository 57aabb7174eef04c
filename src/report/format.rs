//! Numbers as journals print them. Every number in a figure or the manuscript goes through
//! here: one place decides decimals, minus signs, thousands separators and p-value thresholds.
//!
//! Text and tables group the digits of a number of 1,000 or more as counts are grouped
//! ("τ² = 1,964.26", "5,260 participants"); the figures follow RevMan, which prints no
//! thousands separators ("Tau² = 1964.26", totals "14186"), through the `*_revman` functions.

use crate::stats::Measure;

/// The minus sign used in typeset output (U+2212), not a hyphen.
pub const MINUS: char = '\u{2212}';

/// Fixed decimals with a true minus sign and thousands separators ("1,964.26"); "−0.00"
/// never appears.
pub fn fixed(x: f64, decimals: usize) -> String {
    grouped(fixed_revman(x, decimals))
}

/// The digits before the decimal point of a formatted number grouped in threes with commas
/// when there are more than three ("1964.26" → "1,964.26", "−12345" → "−12,345"); anything
/// around the digits ("< ", "−") is kept.
pub fn grouped(s: String) -> String {
    let start = match s.find(|c: char| c.is_ascii_digit()) {
        Some(i) => i,
        None => return s,
    };
    let end = s[start..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(s.len(), |j| start + j);
    let digits = &s[start..end];
    if digits.len() < 4 {
        return s;
    }
    let mut out = String::with_capacity(s.len() + digits.len() / 3);
    out.push_str(&s[..start]);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(&s[end..]);
    out
}

/// [`fixed`] as RevMan prints it in figures: no thousands separators ("1964.26").
pub fn fixed_revman(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x);
    let zero = s
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.');
    if zero {
        s.trim_start_matches('-').to_string()
    } else if let Some(rest) = s.strip_prefix('-') {
        format!("{MINUS}{rest}")
    } else {
        s
    }
}

/// An effect on the presentation scale: 2 decimals ("0.07", "4.25"); ratios below 0.01 get 3
/// decimals, and extreme ratios are bounded ("<0.001", "1,234"); thousands grouped as in
/// [`fixed`].
pub fn effect(x: f64, measure: Measure) -> String {
    grouped(effect_revman(x, measure))
}

/// [`effect`] as RevMan prints it in figures: no thousands separators ("1234", "1964.26").
pub fn effect_revman(x: f64, measure: Measure) -> String {
    if measure.is_ratio() {
        if x >= 1000.0 {
            return format!("{:.0}", x);
        }
        if x < 0.001 {
            return "<0.001".into();
        }
        if x < 0.01 {
            return fixed_revman(x, 3);
        }
    }
    fixed_revman(x, 2)
}

/// A confidence interval "0.07–4.25" (en dash), or "−0.52 to −0.12" when a limit is negative.
pub fn interval(lo: f64, hi: f64, measure: Measure) -> String {
    let (a, b) = (effect(lo, measure), effect(hi, measure));
    if a.starts_with(MINUS) || b.starts_with(MINUS) {
        format!("{a} to {b}")
    } else {
        format!("{a}–{b}")
    }
}

/// RevMan's bracketed interval "0.45 [0.12, 1.67]" (a figure's: no thousands separators).
pub fn bracketed(est: f64, lo: f64, hi: f64, measure: Measure) -> String {
    format!(
        "{} [{}, {}]",
        effect_revman(est, measure),
        effect_revman(lo, measure),
        effect_revman(hi, measure)
    )
}

/// A p-value for running text: "p = 0.58", "p = 0.003", "p < 0.001".
pub fn p_text(p: f64) -> String {
    format!("p {}", p_value(p))
}

/// `p` with `decimals` decimals, or with more when those would print it as the significance
/// threshold 0.05 ("0.05", "0.050", …): a p-value near 0.05 keeps the decimals that show on
/// which side of the threshold it lies (0.0548 → "0.055", 0.0492 → "0.049", 0.04996 →
/// "0.04996"), never "0.05", which reads as significant (or not) whatever the value was.
/// Up to 6 decimals; a p-value equal to 0.05 at that precision prints as "0.05".
fn p_digits(p: f64, decimals: usize) -> String {
    for d in decimals.max(3)..=6 {
        let s = format!("{p:.d$}");
        if s.trim_end_matches('0') != "0.05" {
            return s;
        }
    }
    "0.05".into()
}

/// The relation and value of a p-value: "= 0.58", "= 0.049", "< 0.001".
///
/// The rule, as journals print p-values: below 0.001 "< 0.001"; below 0.01 three decimals;
/// above 0.99 "> 0.99"; otherwise two decimals — except that a p-value which would round to
/// 0.05 keeps three decimals or more (`p_digits`): "p = 0.055", "p = 0.048", never "p = 0.05".
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else if p < 0.01 {
        format!("= {p:.3}")
    } else if p > 0.99 {
        "> 0.99".into()
    } else if format!("{p:.2}") == "0.05" {
        format!("= {}", p_digits(p, 3))
    } else {
        format!("= {p:.2}")
    }
}

/// RevMan's p-value: "P < 0.00001", "P = 0.0003", "P = 0.46"; one that would round to 0.05
/// keeps three decimals or more, as in [`p_value`] ("P = 0.055").
pub fn p_revman(p: f64) -> String {
    if p < 0.00001 {
        "P < 0.00001".into()
    } else if p < 0.0001 {
        "P < 0.0001".into()
    } else if p < 0.001 {
        format!("P = {p:.4}")
    } else if p < 0.01 {
        format!("P = {p:.3}")
    } else if format!("{p:.2}") == "0.05" {
        format!("P = {}", p_digits(p, 3))
    } else {
        format!("P = {p:.2}")
    }
}

/// I² as a whole percentage: "92%".
pub fn percent0(x: f64) -> String {
    format!("{:.0}%", x)
}

/// A confidence level as a percentage: "95%" for 0.95, "99.5%" for 0.995 (the decimal it needs).
pub fn level_percent(level: f64) -> String {
    let pct = level * 100.0;
    if (pct - pct.round()).abs() < 1e-9 {
        format!("{pct:.0}%")
    } else {
        format!("{pct:.1}%")
    }
}

/// I² as the text and every table print it: a whole percent ("92%"), as journals and RevMan
/// print it, except that an I² below 100% is never shown as 100%: it keeps the one or two
/// decimals that show it below ("99.6%", "99.96%"; "99.99%" when even two decimals round up).
pub fn i2(x: f64) -> String {
    if x >= 100.0 || format!("{x:.0}") != "100" {
        return percent0(x);
    }
    match (1..=2).find(|&d| format!("{x:.d$}").parse::<f64>() != Ok(100.0)) {
        Some(d) => percent(x, d),
        None => "99.99%".into(),
    }
}

/// The I² estimate of an analysis as printed everywhere — text, tables, forest plots, Word:
/// with the decimals of its confidence interval when the interval needs them to tell its
/// limits apart ("99.88%" beside "99.71% to 99.96%"), otherwise [`i2`].
pub fn i2_estimate(h: &crate::stats::analysis::Heterogeneity) -> String {
    match i2_interval(h) {
        Some(c) if c.decimals > 0 => i2_at(h.i2, c.decimals),
        _ => i2(h.i2),
    }
}

/// The confidence interval of I² as printed, with the decimals the estimate takes beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct I2Interval {
    /// "0% to 61%", "97.2% to 99.6%", "> 99%" as the upper limit of an open interval; one
    /// value ("0%") when both limits print alike.
    pub text: String,
    /// Both limits print as one value.
    pub single: bool,
    /// Decimals of the limits (and of the estimate when more than 0).
    pub decimals: usize,
    /// The estimate, at the decimals printed, lies outside the limits as printed (the
    /// Q-profile interval need not contain a REML, ML or DL estimate, nor I² from Q).
    pub outside: bool,
}

/// The CI of I² of an analysis as every output prints it: whole percent as a rule, more
/// decimals when the limits would print alike or a limit below 100% would print as "100%"
/// ([`i2_ci_decimals`]); an upper limit at the end of the search interval is only a bound
/// ("> 99%"). `None` when there is no interval.
pub fn i2_interval(h: &crate::stats::analysis::Heterogeneity) -> Option<I2Interval> {
    let c = h.ci.value()?;
    let open = c.upper_bound == crate::stats::qprofile::Bound::SearchLimit;
    let (lower, upper) = (c.i2.lower, c.i2.upper);
    let (text, d) = if open {
        let (text, d) = open_i2_interval(lower, upper);
        (text, Some(d))
    } else {
        let d = i2_ci_decimals(lower, upper);
        let text = match d {
            Some(d) => format!("{} to {}", i2_limit(lower, d), i2_limit(upper, d)),
            None => i2(lower),
        };
        (text, d)
    };
    let decimals = d.unwrap_or(0);
    // Compared as printed: an estimate shown inside its printed limits is not called outside.
    let at = |x: f64| round_to(x, decimals);
    let outside = c.i2_method == crate::stats::qprofile::I2Interval::QProfile
        && (at(h.i2) < at(lower) || (!open && at(h.i2) > at(upper)));
    Some(I2Interval {
        text,
        single: d.is_none(),
        decimals,
        outside,
    })
}

/// An interval of I² whose upper limit is only a bound (the search for τ²'s upper limit
/// stopped at its end): "38% to > 99%", the bound the upper limit as printed, never 100%; with
/// the decimals that keep the bound above the lower limit as printed when that is near 100%
/// ("99.3% to > 99.9%", not "99% to > 99%"), and "≥ 99.99%" when even two decimals cannot.
/// Returns the text and its decimals.
fn open_i2_interval(lower: f64, upper: f64) -> (String, usize) {
    for d in 0..=2 {
        let step = 10f64.powi(-(d as i32));
        // The bound: the upper limit rounded down at d decimals, below 100%.
        let bound = (upper.min(100.0 - step) / step).floor() * step;
        let shown = i2_at(lower, d);
        if round_to(lower, d).min(100.0 - step) < bound - step / 2.0 {
            return (format!("{shown} to > {}", percent(bound, d)), d);
        }
    }
    (format!("≥ {}", i2_at(lower, 2)), 2)
}

fn round_to(x: f64, decimals: usize) -> f64 {
    let f = 10f64.powi(decimals as i32);
    (x * f).round() / f
}

/// I² at `decimals` decimals, never "100%" for a value below 100%: such a value prints as the
/// largest number below 100 at those decimals ("99%", "99.9%", "99.99%").
pub fn i2_at(x: f64, decimals: usize) -> String {
    if prints_as_100(x, decimals) {
        percent(100.0 - 10f64.powi(-(decimals as i32)), decimals)
    } else {
        percent(x, decimals)
    }
}

/// A value below 100 that rounds to 100 at `decimals` decimals.
fn prints_as_100(x: f64, decimals: usize) -> bool {
    x < 100.0 && format!("{x:.decimals$}").parse::<f64>() == Ok(100.0)
}

/// The decimals a confidence interval of I² needs so that its two limits print differently
/// (whole percent as a rule: "0% to 61%", each limit printed by [`i2`], so a limit below 100%
/// keeps the decimal that shows it: "97% to 99.6%"); an interval whose limits would print
/// alike gets 1 or 2 decimals for both, with no limit below 100% shown as 100% ("99.73% to
/// 99.97%", as metafor's `confint` prints it); `None` when the limits are equal at two
/// decimals (the interval is one value: "0%").
pub fn i2_ci_decimals(lower: f64, upper: f64) -> Option<usize> {
    if format!("{lower:.0}") != format!("{upper:.0}") {
        return Some(0);
    }
    let apart = |d: usize| i2_at(lower, d) != i2_at(upper, d);
    (1..=2)
        .find(|&d| apart(d) && !prints_as_100(lower, d) && !prints_as_100(upper, d))
        .or_else(|| apart(2).then_some(2))
}

/// A limit of a CI of I² at `decimals` ([`i2_ci_decimals`]): whole percent by [`i2`], more
/// decimals by [`i2_at`].
pub fn i2_limit(x: f64, decimals: usize) -> String {
    if decimals == 0 {
        i2(x)
    } else {
        i2_at(x, decimals)
    }
}

/// A percentage with `decimals` decimals: "99.88%".
pub fn percent(x: f64, decimals: usize) -> String {
    format!("{x:.decimals$}%")
}

/// A weight: "12.3%".
pub fn weight(x: f64) -> String {
    format!("{:.1}%", x)
}

/// τ² with 2 decimals, more when small but not zero ("0.31", "0.004", "0"), thousands grouped
/// ("1,964.26").
pub fn tau2(x: f64) -> String {
    grouped(tau2_revman(x))
}

/// [`tau2`] as RevMan prints it in figures: "Tau² = 1964.26".
pub fn tau2_revman(x: f64) -> String {
    if x == 0.0 {
        "0".into()
    } else if x < 0.01 {
        format!("{x:.3}")
    } else {
        format!("{x:.2}")
    }
}

/// τ² with its relation for running text: "= 0.31", "= 0.004", "= 0", and "< 0.001" for a
/// positive value that would print as 0.000.
pub fn tau2_relation(x: f64) -> String {
    if x > 0.0 && x < 0.0005 {
        "< 0.001".into()
    } else {
        format!("= {}", tau2(x))
    }
}

/// A test statistic with 2 decimals, a true minus sign and thousands grouped ("1,150.95").
pub fn stat(x: f64) -> String {
    fixed(x, 2)
}

/// [`stat`] as RevMan prints it in figures: "Chi² = 1150.95".
pub fn stat_revman(x: f64) -> String {
    fixed_revman(x, 2)
}

/// A count with thousands separators ("5,260").
pub fn count(n: f64) -> String {
    let v = n.round() as i64;
    let s = v.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if v < 0 { format!("{MINUS}{out}") } else { out }
}

/// A count to open a sentence with: words up to ninety-nine ("Thirty-seven"), digits after
/// "A total of" beyond.
pub fn count_at_sentence_start(n: usize) -> String {
    const ONES: [&str; 20] = [
        "Zero",
        "One",
        "Two",
        "Three",
        "Four",
        "Five",
        "Six",
        "Seven",
        "Eight",
        "Nine",
        "Ten",
        "Eleven",
        "Twelve",
        "Thirteen",
        "Fourteen",
        "Fifteen",
        "Sixteen",
        "Seventeen",
        "Eighteen",
        "Nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety",
    ];
    match n {
        0..=19 => ONES[n].to_string(),
        20..=99 if n.is_multiple_of(10) => TENS[n / 10].to_string(),
        20..=99 => format!("{}-{}", TENS[n / 10], ONES[n % 10].to_lowercase()),
        _ => format!("A total of {}", count(n as f64)),
    }
}

/// A count inside a sentence, as journals set it: one to nine in words, 10 and above in digits.
pub fn count_in_text(n: usize) -> String {
    match n {
        1..=9 => count_at_sentence_start(n).to_lowercase(),
        _ => count(n as f64),
    }
}

/// An outcome's title inside a sentence: in lower case ("reported all-cause mortality"), or,
/// when it has brackets or punctuation of its own that would run into the sentence's
/// ("Length of stay (days), routine care"), as written between typographic quotes
/// ("reported “Length of stay (days), routine care” (Figure 1)").
pub fn title_in_text(title: &str) -> String {
    if title.contains(['(', ')', '[', ']', ',', ';', ':']) {
        format!("“{title}”")
    } else {
        title.to_lowercase()
    }
}

/// `text` with its first letter a capital: "risk ratio" → "Risk ratio".
pub fn upper_first(text: &str) -> String {
    let mut c = text.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Items joined as prose lists them: "A", "A and B", "A, B and C" (no serial comma).
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_interval_of_i2_keeps_its_bound_above_its_lower_limit() {
        // The last three: the lower limit prints as 99% (or 99.9%, 99.99%), so the bound takes
        // the decimals that show it above.
        for (lower, upper, text, decimals) in [
            (38.2, 99.97, "38% to > 99%", 0),
            (0.0, 99.5, "0% to > 99%", 0),
            (98.4, 99.97, "98% to > 99%", 0),
            (99.3, 99.97, "99.3% to > 99.9%", 1),
            (99.93, 99.995, "99.93% to > 99.99%", 2),
            (99.996, 99.999, "≥ 99.99%", 2),
        ] {
            assert_eq!(open_i2_interval(lower, upper), (text.to_string(), decimals));
        }
    }

    #[test]
    fn journal_style() {
        assert_eq!(interval(0.07, 4.25, Measure::OR), "0.07–4.25");
        assert_eq!(interval(0.22, 0.67, Measure::OR), "0.22–0.67");
        assert_eq!(interval(-0.52, -0.12, Measure::MD), "−0.52 to −0.12");
        assert_eq!(p_text(0.58), "p = 0.58");
        assert_eq!(p_text(0.0004), "p < 0.001");
        assert_eq!(p_text(0.0492), "p = 0.049");
        assert_eq!(p_text(0.003), "p = 0.003");
        assert_eq!(p_text(0.051), "p = 0.051");
        assert_eq!(percent0(92.117), "92%");
        assert_eq!(i2(92.117), "92%");
        assert_eq!(i2(99.4), "99%");
        assert_eq!(i2(99.6), "99.6%");
        assert_eq!(i2(99.96), "99.96%");
        assert_eq!(i2(99.999), "99.99%");
        assert_eq!(i2(100.0), "100%");
        assert_eq!(i2(0.0), "0%");
        assert_eq!(tau2_relation(0.0001), "< 0.001");
        assert_eq!(tau2_relation(0.004), "= 0.004");
        assert_eq!(tau2_relation(0.0), "= 0");
        assert_eq!(count_in_text(7), "seven");
        assert_eq!(count_in_text(0), "0");
        assert_eq!(count_in_text(12), "12");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(count(5260.0), "5,260");
        assert_eq!(p_revman(2e-26), "P < 0.00001");
        assert_eq!(p_revman(0.4638), "P = 0.46");
        assert_eq!(count_at_sentence_start(37), "Thirty-seven");
        assert_eq!(count_at_sentence_start(16), "Sixteen");
        assert_eq!(count_at_sentence_start(40), "Forty");
        assert_eq!(count_at_sentence_start(1200), "A total of 1,200");
    }

    /// Text and tables group thousands as counts are grouped; figures print as RevMan does.
    #[test]
    fn statistics_of_1000_or_more_are_grouped_in_text_and_plain_in_figures() {
        assert_eq!(tau2(1964.2634), "1,964.26");
        assert_eq!(tau2_revman(1964.2634), "1964.26");
        assert_eq!(stat(1150.951), "1,150.95");
        assert_eq!(stat_revman(1150.951), "1150.95");
        assert_eq!(stat(-1234567.0), "−1,234,567.00");
        assert_eq!(stat(999.994), "999.99");
        assert_eq!(fixed(145.6, 2), "145.60");
        assert_eq!(effect(1234.4, Measure::OR), "1,234");
        assert_eq!(effect(2500.5, Measure::MD), "2,500.50");
        assert_eq!(interval(-37.6, 1450.0, Measure::MD), "−37.60 to 1,450.00");
        assert_eq!(
            bracketed(2500.5, 1000.0, 4000.0, Measure::MD),
            "2500.50 [1000.00, 4000.00]"
        );
        assert_eq!(tau2_relation(1964.26), "= 1,964.26");
        assert_eq!(grouped("< 0.001".into()), "< 0.001");
    }

    #[test]
    fn a_title_with_its_own_brackets_is_quoted_in_a_sentence() {
        assert_eq!(title_in_text("All-cause mortality"), "all-cause mortality");
        assert_eq!(
            title_in_text("Length of stay (days), routine care"),
            "“Length of stay (days), routine care”"
        );
    }

    /// A CI of I² prints its limits apart, never "100% to 100%"; one value is `None`.
    #[test]
    fn an_i2_interval_never_prints_two_equal_limits() {
        assert_eq!(i2_ci_decimals(0.0, 61.2), Some(0));
        assert_eq!(i2_ci_decimals(97.2, 99.4), Some(0));
        assert_eq!(i2_ci_decimals(97.2, 99.6), Some(0));
        assert_eq!(i2_ci_decimals(99.2, 99.6), Some(0));
        assert_eq!(i2_ci_decimals(97.2, 100.0), Some(0));
        // A limit below 100% never prints as 100%: whole percent by `i2`, which keeps the
        // decimal that shows it below ("97% to 99.6%"; main printed "97% to 100%").
        assert_eq!(
            format!("{} to {}", i2_limit(97.2, 0), i2_limit(99.6, 0)),
            "97% to 99.6%"
        );
        assert_eq!(
            format!("{} to {}", i2_limit(0.0, 0), i2_limit(99.7, 0)),
            "0% to 99.7%"
        );
        assert_eq!(
            format!("{} to {}", i2_limit(99.734, 2), i2_limit(99.968, 2)),
            "99.73% to 99.97%"
        );
        for i in 0..2000 {
            let (lo, hi) = (95.0 + i as f64 * 0.0025, 95.0 + i as f64 * 0.0025 + 0.013);
            if let Some(d) = i2_ci_decimals(lo, hi) {
                for x in [lo, hi] {
                    if x < 100.0 {
                        assert!(!i2_limit(x, d).starts_with("100"), "{lo} {hi}");
                    }
                }
                assert_ne!(i2_limit(lo, d), i2_limit(hi, d), "{lo} {hi}");
            }
        }
        assert_eq!(i2_ci_decimals(99.12, 99.38), Some(1));
        assert_eq!(i2_ci_decimals(99.62, 99.64), Some(2));
        assert_eq!(i2_ci_decimals(99.91, 99.97), Some(2));
        assert_eq!(i2_ci_decimals(99.734, 99.968), Some(2));
        assert_eq!(i2_ci_decimals(12.1, 12.4), Some(1));
        assert_eq!(i2_ci_decimals(0.0, 0.0), None);
        assert_eq!(i2_ci_decimals(100.0, 100.0), None);
        assert_eq!(i2_ci_decimals(99.5, 99.996), Some(2));
        assert_eq!(i2_at(99.996, 2), "99.99%");
        assert_eq!(i2_at(99.6, 0), "99%");
        assert_eq!(i2_at(100.0, 0), "100%");
        assert_eq!(percent(99.8807, 2), "99.88%");
    }

    /// A p-value that would round to 0.05 keeps the decimals that say on which side of the
    /// threshold it lies, in running text and in RevMan-style forest lines alike.
    #[test]
    fn a_p_value_near_the_threshold_never_prints_as_0_05() {
        for (p, text, revman) in [
            (0.0548, "p = 0.055", "P = 0.055"),
            (0.0482, "p = 0.048", "P = 0.048"),
            (0.0451, "p = 0.045", "P = 0.045"),
            (0.0549, "p = 0.055", "P = 0.055"),
            (0.04996, "p = 0.04996", "P = 0.04996"),
            (0.05004, "p = 0.05004", "P = 0.05004"),
            (0.0501, "p = 0.0501", "P = 0.0501"),
            (0.0551, "p = 0.06", "P = 0.06"),
            (0.0449, "p = 0.04", "P = 0.04"),
            (0.0500000001, "p = 0.05", "P = 0.05"),
        ] {
            assert_eq!(p_text(p), text, "{p}");
            assert_eq!(p_revman(p), revman, "{p}");
        }
        // Every p-value printed between 0.04 and 0.06 says on which side of 0.05 it lies.
        for i in 0..20_000 {
            let p = 0.04 + i as f64 * 1e-6;
            let shown: f64 = p_value(p)[2..].parse().unwrap();
            if (p - 0.05).abs() > 1e-6 {
                assert_eq!(shown < 0.05, p < 0.05, "{p} printed as {}", p_value(p));
                assert_ne!(shown, 0.05, "{p}");
            }
        }
    }
}

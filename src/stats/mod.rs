//! The statistical core: pure functions from study rows and options to an [`Analysis`].
//!
//! Nothing here reads files, the clock or the environment. Each statistic lives in a file
//! named for it:
//!
//! | file | what |
//! |---|---|
//! | `measure.rs` | effect measures, scales, the study data types |
//! | `effect.rs` | per-study effect sizes (escalc), zero-cell corrections, input validation |
//! | `regression.rs` | weighted least squares in O(k): the quantities every estimator needs |
//! | `tau2.rs` | τ² estimators: DL, REML, PM, ML, HS, SJ, HE, EB |
//! | `fit.rs` | inverse-variance fixed/random-effects fits, Wald and HKSJ tests, Q, I², H² |
//! | `qprofile.rs` | Q-profile confidence intervals for τ², I², H² |
//! | `i2_interval.rs` | Higgins–Thompson test-based interval of I² and H² (for I² from Q) |
//! | `prediction.rs` | prediction intervals (metafor's, Higgins–Thompson–Spiegelhalter) |
//! | `mantel_haenszel.rs` | Mantel–Haenszel OR/RR/RD, Cochran–Mantel–Haenszel test |
//! | `peto.rs` | Peto's odds ratio |
//! | `model_rule.rs` | fixed / random / the seed review's heterogeneity rule |
//! | `subgroup.rs` | test for subgroup differences |
//! | `bias.rs` | Egger's test, Begg's rank correlation, Kendall's τ |
//! | `trimfill.rs` | trim-and-fill (L0) |
//! | `per_scale.rs` | results per 100 or per 1,000 and the person-time unit of rates (how values are shown; the analysis is unchanged) |
//! | `baseline.rs` | pooled baseline characteristics and their tests |
//! | `convert/` | conversions before pooling: median/IQR/range → mean/SD, combined subgroups, SD from SE/CI/t/p, log HR from O − E, V or a log-rank p |
//! | `meta_regression.rs` | meta-regression: moderators, QM, QE, residual τ² and I², pseudo-R² |
//! | `permutation.rs` | the permutation test of a meta-regression (metafor's `permutest`) |
//! | `influence.rs` | influence diagnostics (metafor's `influence`), Baujat's coordinates |
//! | `gosh.rs` | GOSH: the model fitted to subsets of studies, summarised and binned |
//! | `rng.rs` | the seeded random number generator of the resampling methods |
//! | `analysis/` | `analyse`: orchestrates all of the above, sensitivity analyses |
//! | `risk_of_bias.rs` | counts and shares of risk-of-bias judgements per domain, unweighted and weighted |
//! | `absolute.rs` | absolute effects: assumed and corresponding risks, per 1000, the optimal information size |
//! | `dist.rs`, `root.rs` | distributions; Brent's root finder |

pub mod absolute;
pub mod analysis;
pub mod baseline;
pub mod bias;
pub mod computed;
pub mod convert;
pub mod dist;
pub mod distinct;
pub mod effect;
pub mod fit;
pub mod gosh;
pub mod i2_interval;
pub mod influence;
pub mod mantel_haenszel;
pub mod measure;
pub mod meta_regression;
pub mod model_rule;
pub mod per_scale;
pub mod permutation;
pub mod peto;
pub mod prediction;
pub mod qprofile;
pub mod regression;
pub mod risk_of_bias;
pub mod rng;
pub mod root;
pub mod single_group;
pub mod smd_revman;
pub mod subgroup;
pub mod tau2;
pub mod trimfill;

pub use analysis::{Analysis, AnalysisError, Options, Pool, Pooled, Pooling, analyse};
pub use computed::Computed;
pub use fit::{CiMethod, Effects};
pub use measure::{Measure, Scale, StudyData, StudyInput};
pub use model_rule::ModelChoice;
pub use prediction::PredictionKind;
pub use tau2::Tau2Method;

//! metareport's integration tests, in one binary (each test binary links all of typst).
//!
//! | module | what it checks |
//! |---|---|
//! | `reference` | the core against R metafor: 85 reference cases + 12 supplementary |
//! | `properties` | properties of the core (proptest) |
//! | `core_inputs` | bad study data and too few studies, at the core |
//! | `heterogeneity` | meta-regression, permutation test, influence, Baujat, GOSH against metafor |
//! | `data_files` | Excel workbooks, baseline characteristics |
//! | `conversions` | conversions before pooling (median/IQR, combined arms, SD from SE/CI/t/p, log HR) against R at 1e-6 |
//! | `studies` | rows without outcome data, repeated labels, the metafor preset's double-zero studies against metafor |
//! | `measures` | PR, PLO, PAS, PFT, IR, IRLN, IRR, IRD, ROM, MN against metafor 3.8-1 at 1e-6 (28 cases), also through `metareport pool` |
//! | `multi_arm` | multi-arm trials, shared control split or arms combined, against R at 1e-6 |
//! | `spec_errors` | the corpus of bad specs and data files, with the exact messages |
//! | `build_rules` | make-style rebuilds: what is rebuilt when something changes |
//! | `edit_loop` | an edit of one review remakes only what changed; incremental == cold, byte for byte |
//! | `figures` | SVG snapshots, PNG rendering, determinism |
//! | `manuscript` | typst escaping, deterministic PDFs, no NaN or raw markup |
//! | `report_pages` | report.pdf: a cover with the contents, then each manuscript.pdf's own pages; bookmarks; early cutoff |
//! | `risk_of_bias` | appraisal tools, judgements, weighted summaries, restricted sensitivity analyses vs metafor, figures, prose |
//! | `prose_audit` | every number, count, citation and setting of the manuscripts against results.json |
//! | `prose_copyedit` | the copy-editor's pass: thousands separators, apostrophes, intervals, counts and their units in the PDF and Word text |
//! | `prose_editor` | an editor's pass: confidence levels named per outcome, effects that print as 0 per 1,000 not called important |
//! | `end_to_end` | the default project built from scratch, checked against metafor |
//! | `cli` | the command line: subcommands and exit codes |
//! | `pool_summary` | `pool --summary`: the full result without its per-study rows |
//! | `hostile_input` | bounded memory and time for hostile sizes; unusual text and numbers |
//! | `hostile_limits` | spreadsheets, numeric options, YAML limits and usage errors, bounded |
//! | `hostile_refs` | `templates export` never writes through a link; workbook references beyond the sheet's limits; YAML keys over 1024 characters |
//! | `security` | nothing outside the project is read, written or deleted; failed builds write nothing |
//! | `import` | RevMan 5 files and RevMan Web data packages imported, built and compared with RevMan's results |
//! | `install` | `--version`, shell completions, manual pages |
//! | `summary_of_findings` | GRADE Summary of Findings: absolute effects vs R, certainty, the table and its prose |
//! | `submission` | the Word manuscript read back, TIFF/PDF/EPS figures, the PRISMA checklist, determinism |
//! | `diff` | `metareport diff` on git revisions of the default project, one per kind of change |
//! | `fuzz` | mutation fuzzing of the spec, CSV and XLSX readers and of `check` (bounded; long runs by hand) |
//! | `docs` | the user guide: its specs build, its commands parse, its generated pages are current |
//! | `spec_defaults` | defaults from what else a spec asks: a funnel from its contours, the revman5 preset's pooling of estimates |

mod common;

mod build_rules;
mod cli;
mod conversions;
mod core_inputs;
mod data_files;
mod diff;
mod docs;
mod edit_loop;
mod end_to_end;
mod figures;
mod fuzz;
mod heterogeneity;
mod hostile_input;
mod hostile_limits;
mod hostile_refs;
mod import;
mod install;
mod manuscript;
mod measures;
mod multi_arm;
mod pool_summary;
mod properties;
mod prose_audit;
mod prose_audit_explore;
mod prose_copyedit;
mod prose_editor;
mod reference;
mod report_pages;
mod revman_smd;
mod risk_of_bias;
mod security;
mod single_group_display;
mod spec_defaults;
mod spec_errors;
mod studies;
mod submission;
mod summary_of_findings;

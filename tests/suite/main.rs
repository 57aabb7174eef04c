//! metareport's integration tests, in one binary (each test binary links all of typst).
//!
//! | module | what it checks |
//! |---|---|
//! | `reference` | the core against R metafor: 85 reference cases + 12 supplementary |
//! | `properties` | properties of the core (proptest) |
//! | `core_inputs` | bad study data and too few studies, at the core |
//! | `data_files` | Excel workbooks, baseline characteristics |
//! | `spec_errors` | the corpus of bad specs and data files, with the exact messages |
//! | `build_rules` | make-style rebuilds: what is rebuilt when something changes |
//! | `figures` | SVG snapshots, PNG rendering, determinism |
//! | `manuscript` | typst escaping, deterministic PDFs, no NaN or raw markup |
//! | `end_to_end` | the default project built from scratch, checked against metafor |
//! | `cli` | the command line: subcommands and exit codes |
//! | `import` | RevMan 5 files and RevMan Web data packages imported, built and compared with RevMan's results |
//! | `install` | `--version`, shell completions, manual pages |
//! | `submission` | the Word manuscript read back, TIFF/PDF/EPS figures, the PRISMA checklist, determinism |

mod common;

mod build_rules;
mod cli;
mod core_inputs;
mod data_files;
mod end_to_end;
mod figures;
mod import;
mod install;
mod manuscript;
mod properties;
mod reference;
mod spec_errors;
mod submission;

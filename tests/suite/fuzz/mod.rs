//! Fuzzing on stable Rust (issue 10, "Proving it stays fixed"): a small deterministic mutation
//! fuzzer with four targets, run in-process with `catch_unwind`.
//!
//! | target | what is mutated | what runs |
//! |---|---|---|
//! | `yaml` | a project's spec | `Project::open` + `load_all` (YAML parser, schema check, resolver, data binding) |
//! | `csv` | a project's CSV data file | the same (CSV reader, cell checks, column binding) |
//! | `xlsx` | a project's workbook: one XML part mutated and re-zipped, or the zip's bytes | the same (archive limits, cell streaming, calamine) |
//! | `check` | any file of a valid project | the whole `metareport check` (analyses, figures, templates, typst) |
//!
//! Inputs are the seed projects in `tests/fixtures/fuzz/seeds/` (each target mutates the files of
//! its kind) and, replayed as they are, the cases in `tests/fixtures/fuzz/<target>/` (what
//! earlier runs found, minimised, and inputs that reached new messages). The oracle, per input:
//! no panic; an error is exit 1 (an exit 2 — an I/O or internal error — is a finding, since every
//! file is a regular file inside the project); every message starts with `error: ` and no line
//! is longer than 2,000 characters (values are quoted as short excerpts); nothing is written,
//! inside the project or beside it; the input takes less than its time limit (a watchdog aborts
//! the process on a hang after saving the input); and, in long runs, the process's peak memory
//! (VmHWM) stays under 1 GB. An input that gives a message of a new shape joins the corpus (a
//! crude coverage signal: new messages are new code paths).
//!
//! `cargo test` runs a bounded version (`bounded_fuzzing_finds_nothing`, about 30 s on two busy
//! cores: a fixed seed, a fixed number of inputs per target, every committed case). Long runs:
//!
//! ```sh
//! METAREPORT_FUZZ_TARGET=yaml METAREPORT_FUZZ_SECS=600 \
//!   nice -n 15 cargo test --release --test suite fuzz::long -- --ignored --exact --nocapture
//! ```
//!
//! Findings go to `target/fuzz/<target>/findings/<hash>/` (the minimised project and `why.txt`),
//! inputs reaching new messages to `target/fuzz/<target>/corpus/`.

mod mutate;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use metareport::project::{Failure, Project};
use mutate::{Kind, Rng};

use super::common::repo;

/// A project: relative path → bytes.
type Files = BTreeMap<String, Vec<u8>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Yaml,
    Csv,
    Xlsx,
    Check,
}

impl Target {
    const ALL: [Target; 4] = [Target::Yaml, Target::Csv, Target::Xlsx, Target::Check];

    fn name(self) -> &'static str {
        match self {
            Target::Yaml => "yaml",
            Target::Csv => "csv",
            Target::Xlsx => "xlsx",
            Target::Check => "check",
        }
    }

    fn parse(s: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == s)
    }

    /// Whether this target mutates `path`.
    fn mutates(self, path: &str) -> bool {
        let kind = kind_of(path);
        match self {
            Target::Yaml => kind == Some(Kind::Yaml),
            Target::Csv => kind == Some(Kind::Csv),
            Target::Xlsx => path.ends_with(".xlsx"),
            Target::Check => kind.is_some() || path.ends_with(".xlsx"),
        }
    }

    /// Above this an input is reported as slow.
    fn slow(self) -> Duration {
        match self {
            Target::Check => Duration::from_secs(30),
            _ => Duration::from_secs(5),
        }
    }
}

fn kind_of(path: &str) -> Option<Kind> {
    if path.ends_with(".yaml") || path.ends_with(".yml") {
        Some(Kind::Yaml)
    } else if path.ends_with(".csv") {
        Some(Kind::Csv)
    } else {
        None
    }
}

/// Largest mutated file: enough for long labels and many rows, small enough to stay fast.
const MAX_FILE: usize = 256 * 1024;

/// Peak memory allowed to the whole process in long runs.
const MAX_PEAK_KB: u64 = 1024 * 1024;

// ---- corpus --------------------------------------------------------------------------------

fn read_tree(dir: &Path, prefix: &str, out: &mut Files) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if e.file_type().unwrap().is_dir() {
            read_tree(&e.path(), &rel, out);
        } else if name != "why.txt" {
            out.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
}

/// The projects under `dir` (each a directory holding `analyses/`).
fn projects_in(dir: &Path) -> Vec<(String, Files)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<(String, Files)> = rd
        .flatten()
        .filter(|e| e.path().join("analyses").is_dir())
        .map(|e| {
            let mut f = Files::new();
            read_tree(&e.path(), "", &mut f);
            (e.file_name().to_string_lossy().into_owned(), f)
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn fuzz_dir() -> PathBuf {
    repo().join("tests/fixtures/fuzz")
}

/// Seeds this target can mutate, then its committed cases.
fn corpus(t: Target) -> (Vec<Files>, Vec<(String, Files)>) {
    let seeds = projects_in(&fuzz_dir().join("seeds"))
        .into_iter()
        .map(|(_, f)| f)
        .filter(|f| f.keys().any(|p| t.mutates(p)))
        .collect();
    (seeds, projects_in(&fuzz_dir().join(t.name())))
}

fn write_tree(dir: &Path, files: &Files) {
    for (rel, bytes) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
}

fn hash(files: &Files) -> String {
    let mut h = blake3::Hasher::new();
    for (k, v) in files {
        h.update(k.as_bytes());
        h.update(&(v.len() as u64).to_le_bytes());
        h.update(v);
    }
    h.finalize().to_hex()[..16].to_string()
}

// ---- one input -----------------------------------------------------------------------------

thread_local! {
    static FUZZING: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Panics of the fuzzed code are recorded (message and location) instead of printed; panics
/// elsewhere (other tests) go to the previous hook.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let fuzzing = FUZZING.with(|f| f.borrow().is_some());
            if fuzzing {
                let msg = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                FUZZING.with(|f| *f.borrow_mut() = Some(format!("panicked at {at}: {msg}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// The input being run, for the watchdog.
struct Running {
    target: Target,
    files: Files,
    since: Instant,
}

static RUNNING: Mutex<Option<Running>> = Mutex::new(None);

/// Aborts the process when one input runs for more than `hard` (a hang), after saving it.
fn start_watchdog(hard: Duration) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let guard = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(r) = guard.as_ref()
                    && r.since.elapsed() > hard
                {
                    let why = format!("hang: still running after {:?}", r.since.elapsed());
                    let dir = save_finding(r.target, &r.files, &why);
                    eprintln!(
                        "fuzz {}: {why}; input saved in {}",
                        r.target.name(),
                        dir.display()
                    );
                    std::process::abort();
                }
            }
        });
    });
}

/// What one input did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// Exit 1 with this message.
    Refused(String),
    /// Something the oracle rejects.
    Finding(String),
}

/// The shape of a message: its first line without the file, numbers and quoted values.
fn shape(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    let mut s = String::new();
    let mut quoted = None;
    for c in first.chars() {
        match quoted {
            Some(q) if c == q => {
                quoted = None;
                s.push('…');
            }
            Some(_) => {}
            None if c == '`' || c == '"' => quoted = Some(c),
            None if c.is_ascii_digit() => {
                if !s.ends_with('0') {
                    s.push('0');
                }
            }
            None => s.push(c),
        }
    }
    // Drop "error: <file>:0:0: ".
    let s = s.strip_prefix("error: ").unwrap_or(&s).to_string();
    let s = match s.split_once(": ") {
        Some((file, rest)) if file.contains('/') || file.ends_with(".yaml") => rest.to_string(),
        _ => s,
    };
    s.chars().take(90).collect()
}

fn peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Every path under `dir` with its size (to see that nothing was written).
fn listing(dir: &Path) -> BTreeMap<String, u64> {
    fn walk(d: &Path, root: &Path, out: &mut BTreeMap<String, u64>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let m = std::fs::symlink_metadata(&p).unwrap();
            out.insert(rel, if m.is_dir() { u64::MAX } else { m.len() });
            if m.is_dir() {
                walk(&p, root, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Runs one input: the project is written in a fresh directory beside a canary directory.
fn run(t: Target, files: &Files, memory: bool) -> Outcome {
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("project");
    let canary = base.path().join("outside");
    std::fs::create_dir_all(&canary).unwrap();
    std::fs::write(canary.join("canary.txt"), "canary").unwrap();
    write_tree(&root, files);
    let before = listing(base.path());

    *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = Some(Running {
        target: t,
        files: files.clone(),
        since: Instant::now(),
    });
    FUZZING.with(|f| *f.borrow_mut() = Some(String::new()));
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| -> Result<(), Failure> {
        match t {
            Target::Check => metareport::cli::check::run(&root, true),
            _ => Project::open(&root)?.load_all().map(|_| ()),
        }
    }));
    let took = start.elapsed();
    let panic = FUZZING.with(|f| f.borrow_mut().take()).unwrap_or_default();
    *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = None;

    let after = listing(base.path());
    let outcome = match result {
        Err(_) => Outcome::Finding(if panic.is_empty() {
            "panicked".into()
        } else {
            panic
        }),
        Ok(Ok(())) => Outcome::Ok,
        Ok(Err(f)) => {
            let text = f.to_string();
            if f.exit_code() != 1 {
                Outcome::Finding(format!("exit {}: {}", f.exit_code(), excerpt(&text)))
            } else if !text.starts_with("error: ") {
                Outcome::Finding(format!("message without `error: `: {}", excerpt(&text)))
            } else if let Some(l) = text.lines().find(|l| l.chars().count() > 2000) {
                Outcome::Finding(format!(
                    "a message line of {} characters: {}",
                    l.chars().count(),
                    excerpt(l)
                ))
            } else {
                Outcome::Refused(text)
            }
        }
    };
    if matches!(outcome, Outcome::Finding(_)) {
        return outcome;
    }
    if before != after {
        let added: Vec<_> = after.keys().filter(|k| !before.contains_key(*k)).collect();
        return Outcome::Finding(format!("files written or changed: {added:?}"));
    }
    // Inside `cargo test` other tests share the two cores: four times the limit there.
    if took > t.slow() * if memory { 1 } else { 4 } {
        return Outcome::Finding(format!("slow: {took:?} for one input"));
    }
    if memory && let Some(kb) = peak_kb().filter(|&kb| kb > MAX_PEAK_KB) {
        return Outcome::Finding(format!("peak memory {} MB", kb / 1024));
    }
    outcome
}

fn excerpt(s: &str) -> String {
    let e: String = s.chars().take(300).collect();
    if e.len() < s.len() {
        format!("{e}…")
    } else {
        e
    }
}

/// The kind of a finding, for minimising (the same panic location, the same first words).
fn finding_kind(why: &str) -> String {
    why.split(['(', '`', '"'])
        .next()
        .unwrap_or(why)
        .chars()
        .take(60)
        .collect()
}

fn save_finding(t: Target, files: &Files, why: &str) -> PathBuf {
    let dir = repo()
        .join("target/fuzz")
        .join(t.name())
        .join("findings")
        .join(hash(files));
    let _ = std::fs::create_dir_all(&dir);
    write_tree(&dir, files);
    let _ = std::fs::write(dir.join("why.txt"), format!("{why}\n"));
    dir
}

/// Removes chunks of the mutated file while the same kind of finding remains (delta debugging,
/// at most `budget` runs).
fn minimise(t: Target, files: &Files, path: &str, why: &str, budget: usize) -> Files {
    let kind = finding_kind(why);
    let mut best = files.clone();
    let mut runs = 0;
    let mut chunk = best[path].len() / 2;
    while chunk >= 1 && runs < budget {
        let mut i = 0;
        let mut progressed = false;
        while i < best[path].len() && runs < budget {
            let mut cand = best.clone();
            let b = cand.get_mut(path).unwrap();
            let end = (i + chunk).min(b.len());
            b.drain(i..end);
            runs += 1;
            match run(t, &cand, false) {
                Outcome::Finding(w) if finding_kind(&w) == kind => {
                    best = cand;
                    progressed = true;
                }
                _ => i += chunk,
            }
        }
        if !progressed {
            chunk /= 2;
        }
    }
    best
}

// ---- the fuzzing loop ----------------------------------------------------------------------

struct Report {
    inputs: usize,
    shapes: BTreeSet<String>,
    findings: Vec<(String, Files)>,
    /// Inputs that reached a new message shape.
    new: Vec<Files>,
}

/// Mutates the seeds of `t` until `inputs` inputs or `time` are spent.
fn fuzz(
    t: Target,
    seed: u64,
    inputs: usize,
    time: Duration,
    memory: bool,
    verbose: bool,
) -> Report {
    install_panic_hook();
    start_watchdog(t.slow() * 10);
    let (seeds, cases) = corpus(t);
    assert!(!seeds.is_empty(), "no seeds for {}", t.name());
    let mut report = Report {
        inputs: 0,
        shapes: BTreeSet::new(),
        findings: Vec::new(),
        new: Vec::new(),
    };
    let note = |report: &mut Report, files: &Files, o: Outcome| -> bool {
        report.inputs += 1;
        match o {
            Outcome::Finding(why) => {
                if verbose {
                    eprintln!("fuzz {}: FINDING {why}", t.name());
                }
                report.findings.push((why, files.clone()));
                false
            }
            Outcome::Ok => report.shapes.insert("ok".into()),
            Outcome::Refused(m) => report.shapes.insert(shape(&m)),
        }
    };
    // Seeds and committed cases first, as they are (the seeds of `check` are valid projects
    // other tests build; a bounded run skips them).
    let mut pool: Vec<Files> = seeds.clone();
    let replay_seeds = t != Target::Check || memory;
    for f in seeds
        .iter()
        .filter(|_| replay_seeds)
        .chain(cases.iter().map(|(_, f)| f))
    {
        let o = run(t, f, memory);
        note(&mut report, f, o);
    }
    pool.extend(cases.into_iter().map(|(_, f)| f));
    let mut rng = Rng::new(seed ^ (t as u64) << 32);
    let start = Instant::now();
    let mut last_print = Instant::now();
    while report.inputs < inputs && start.elapsed() < time {
        let base = rng.pick(&pool).clone();
        let other = rng.pick(&pool).clone();
        let paths: Vec<&String> = base.keys().filter(|p| t.mutates(p)).collect();
        if paths.is_empty() {
            continue;
        }
        let path = (*rng.pick(&paths)).clone();
        let other_bytes = other
            .iter()
            .find(|(p, _)| {
                kind_of(p) == kind_of(&path) && p.rsplit('.').next() == path.rsplit('.').next()
            })
            .map(|(_, b)| b.clone())
            .unwrap_or_default();
        let mut files = base.clone();
        let bytes = &base[&path];
        let mutated = if path.ends_with(".xlsx") {
            mutate::mutate_xlsx(&mut rng, bytes, &other_bytes)
        } else {
            mutate::mutate(
                &mut rng,
                bytes,
                kind_of(&path).unwrap(),
                &other_bytes,
                MAX_FILE,
            )
        };
        files.insert(path.clone(), mutated);
        let o = run(t, &files, memory);
        if let Outcome::Finding(why) = &o
            && memory
        {
            // Long runs minimise and save each finding, then go on.
            let small = if why.starts_with("slow") || why.starts_with("peak") {
                files.clone()
            } else {
                minimise(t, &files, &path, why, 300)
            };
            let dir = save_finding(t, &small, why);
            eprintln!("fuzz {}: saved in {}", t.name(), dir.display());
        }
        if note(&mut report, &files, o) {
            report.new.push(files.clone());
            if pool.len() < 4000 {
                pool.push(files);
            }
        }
        if verbose && last_print.elapsed() > Duration::from_secs(30) {
            last_print = Instant::now();
            eprintln!(
                "fuzz {}: {} inputs in {:.0?}, {} message shapes, {} findings, corpus {}",
                t.name(),
                report.inputs,
                start.elapsed(),
                report.shapes.len(),
                report.findings.len(),
                pool.len()
            );
        }
    }
    report
}

/// The bounded run inside `cargo test`: a fixed seed and number of inputs per target (the
/// fuzzers' regression test; findings of long runs are committed under
/// `tests/fixtures/fuzz/<target>/` and replayed here).
#[test]
fn bounded_fuzzing_finds_nothing() {
    let mut failures = Vec::new();
    for (t, n, secs) in [
        (Target::Yaml, 600, 12),
        (Target::Csv, 400, 10),
        (Target::Xlsx, 300, 10),
        (Target::Check, 25, 25),
    ] {
        let r = fuzz(t, 2026, n, Duration::from_secs(secs), false, false);
        assert!(r.inputs > 10, "{}: only {} inputs", t.name(), r.inputs);
        // The mutations reach past the first parser: several kinds of messages, and some inputs
        // still valid.
        assert!(r.shapes.len() >= 3, "{}: {:?}", t.name(), r.shapes);
        for (why, files) in r.findings {
            failures.push(format!("{}: {why}\n  input: {}", t.name(), hash(&files)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A long run of one target (see the module's documentation); ignored by `cargo test`.
#[test]
#[ignore]
fn long() {
    let t = std::env::var("METAREPORT_FUZZ_TARGET")
        .ok()
        .and_then(|s| Target::parse(&s))
        .expect("METAREPORT_FUZZ_TARGET=yaml|csv|xlsx|check");
    let secs: u64 = std::env::var("METAREPORT_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let seed: u64 = std::env::var("METAREPORT_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let r = fuzz(t, seed, usize::MAX, Duration::from_secs(secs), true, true);
    let dir = repo().join("target/fuzz").join(t.name()).join("corpus");
    let _ = std::fs::create_dir_all(&dir);
    for f in &r.new {
        let d = dir.join(hash(f));
        let _ = std::fs::create_dir_all(&d);
        write_tree(&d, f);
    }
    eprintln!(
        "fuzz {}: {} inputs in {secs} s, {} message shapes, {} findings, peak {} MB; {} new inputs in {}",
        t.name(),
        r.inputs,
        r.shapes.len(),
        r.findings.len(),
        peak_kb().unwrap_or(0) / 1024,
        r.new.len(),
        dir.display()
    );
    for s in &r.shapes {
        eprintln!("  shape: {s}");
    }
    assert!(r.findings.is_empty(), "{} findings", r.findings.len());
}

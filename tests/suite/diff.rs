//! `metareport diff` on a git repository of the default project: one commit per kind of
//! change (a data row edited, a study added, the τ² estimator changed, a comment only), each
//! report checked — the inputs named, exactly the numbers that moved, the sentences that
//! changed — plus identical revisions, two directories, and the errors (exit 2).
//!
//! "Exactly the numbers that moved" is checked against an independent count: both versions'
//! results.json are made with the library and every numeric leaf compared, leaving out what
//! the diff documents as not a pooled number (per-study rows and weights, settings, options).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use super::common::{copy_dir, repo};

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A git repository holding a copy of the default project (at `sub` inside the repository),
/// with one commit. `None` (and a message) when git is not installed.
struct Repo {
    tmp: tempfile::TempDir,
    sub: &'static str,
}

impl Repo {
    fn new(sub: &'static str) -> Option<Repo> {
        if !git_available() {
            eprintln!(
                "skipped: `git` is not installed, and `metareport diff` of revisions needs it"
            );
            return None;
        }
        let tmp = tempfile::tempdir().unwrap();
        let r = Repo { tmp, sub };
        copy_dir(&repo().join("analyses"), &r.project().join("analyses"));
        let root = r.tmp.path();
        git(root, &["init", "-q"]);
        git(root, &["config", "user.name", "Test"]);
        git(root, &["config", "user.email", "test@example.org"]);
        git(root, &["config", "commit.gpgsign", "false"]);
        r.commit("the default project");
        Some(r)
    }

    fn project(&self) -> PathBuf {
        self.tmp.path().join(self.sub)
    }

    fn commit(&self, msg: &str) {
        git(self.tmp.path(), &["add", "-A"]);
        git(self.tmp.path(), &["commit", "-q", "-m", msg]);
    }

    /// Edits a file of the project (`from` must occur in it).
    fn edit(&self, file: &str, from: &str, to: &str) {
        let p = self.project().join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{file} has no `{from}`");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    }

    /// Runs `metareport diff ARGS` in the project, with its own temporary directory, which
    /// must be empty again afterwards (every checkout removed, on errors too).
    fn diff(&self, args: &[&str]) -> Output {
        let tmp = tempfile::tempdir().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_metareport"))
            .arg("diff")
            .args(args)
            .current_dir(self.project())
            .env("TMPDIR", tmp.path())
            .output()
            .unwrap();
        let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
        o
    }

    fn json(&self, args: &[&str]) -> (i32, Value) {
        let mut a = args.to_vec();
        a.extend(["--format", "json"]);
        let o = self.diff(&a);
        let code = o.status.code().unwrap();
        assert!(code < 2, "{}", String::from_utf8_lossy(&o.stderr));
        (
            code,
            serde_json::from_slice(&o.stdout).expect("JSON report"),
        )
    }
}

fn review<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap()
}

fn statuses(report: &Value) -> Vec<(String, String)> {
    report["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The results.json of every review of a project, made with the library.
fn results(dir: &Path) -> BTreeMap<String, Value> {
    let project = metareport::project::Project::open(dir).unwrap();
    project
        .load_all()
        .unwrap()
        .iter()
        .map(|s| {
            let a = metareport::build::produce::analyse_spec(s).unwrap();
            (
                s.id.clone(),
                serde_json::to_value(metareport::results::results_json(s, &a)).unwrap(),
            )
        })
        .collect()
}

/// Every number of a results.json by path (arrays by position), without per-study detail.
fn leaves(v: &Value, path: String, out: &mut BTreeMap<String, f64>) {
    const NOT_POOLED: &[&str] = &[
        "metareport",
        "review",
        "studies",
        "settings",
        "options",
        "overall_presentation_scale",
        "overall_per_scale",
        "warnings",
        "omitted",
        "weights_pct",
        "filled_yi",
        "filled_vi",
    ];
    match v {
        Value::Number(n) => {
            out.insert(path, n.as_f64().unwrap());
        }
        Value::Object(m) => {
            for (k, x) in m {
                if !NOT_POOLED.contains(&k.as_str()) {
                    leaves(x, format!("{path}.{k}"), out);
                }
            }
        }
        Value::Array(a) if a.iter().any(Value::is_object) => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// How many numbers differ between two results.json whose arrays have the same elements
/// (a number in one of them only counts as moved: a pooled estimate that appeared).
fn moved_count(a: &Value, b: &Value) -> usize {
    let (mut x, mut y) = (BTreeMap::new(), BTreeMap::new());
    leaves(a, String::new(), &mut x);
    leaves(b, String::new(), &mut y);
    let only = |p: &BTreeMap<String, f64>, q: &BTreeMap<String, f64>| {
        p.keys().filter(|k| !q.contains_key(*k)).count()
    };
    x.iter()
        .filter(|(k, v)| y.get(*k).is_some_and(|w| w.to_bits() != v.to_bits()))
        .count()
        + only(&x, &y)
        + only(&y, &x)
}

/// The sentences of a review's report as (old, new) pairs of changed sentences.
fn changed_sentences(r: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for s in r["prose"].as_array().unwrap() {
        for c in s["changes"].as_array().unwrap() {
            out.push((
                c["change"].as_str().unwrap().to_string(),
                c["old"].as_str().unwrap_or("").to_string(),
                c["new"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    out
}

/// The visible (printed) number changes of a review: (unit, quantity, old, new).
fn printed(r: &Value) -> Vec<(String, String, String, String)> {
    r["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["beyond_printed_precision"] == false)
        .map(|n| {
            (
                n["unit"].as_str().unwrap().to_string(),
                n["quantity"].as_str().unwrap().to_string(),
                n["old_printed"].as_str().unwrap().to_string(),
                n["new_printed"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(list: &[(String, String, String, String)], unit: &str, q: &str, old: &str, new: &str) {
    assert!(
        list.iter()
            .any(|(u, qq, o, n)| u == unit && qq == q && o == old && n == new),
        "no {unit} {q} {old} → {new} in {list:#?}"
    );
}

#[test]
fn identical_revisions_and_a_clean_working_tree_have_an_empty_diff() {
    let Some(r) = Repo::new("") else { return };
    for args in [&["HEAD", "HEAD"][..], &[]] {
        let o = r.diff(args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(String::from_utf8_lossy(&o.stdout).contains("No change in the paper."));
    }
    let (code, j) = r.json(&["HEAD", "HEAD"]);
    assert_eq!(code, 0);
    assert_eq!(j["changed"], false);
    assert!(statuses(&j).iter().all(|(_, s)| s == "unchanged"));
    for rv in j["reviews"].as_array().unwrap() {
        assert!(rv["numbers"].as_array().unwrap().is_empty());
        assert!(rv["rebuilt"].as_array().unwrap().is_empty(), "equal keys");
    }
}

#[test]
fn a_comment_only_edit_changes_nothing() {
    let Some(r) = Repo::new("") else { return };
    r.edit(
        "analyses/bcg.yaml",
        "title: BCG",
        "# A comment added by a co-author.\ntitle:   BCG",
    );
    r.commit("a comment");
    let o = r.diff(&["HEAD~1", "HEAD"]);
    assert_eq!(o.status.code(), Some(0));
    let (code, j) = r.json(&["HEAD~1", "HEAD"]);
    assert_eq!(code, 0);
    assert_eq!(j["changed"], false);
    assert!(statuses(&j).iter().all(|(_, s)| s == "unchanged"));
    let bcg = review(&j, "bcg");
    assert!(bcg["inputs"]["spec"].as_array().unwrap().is_empty());
    assert!(bcg["prose"].as_array().unwrap().is_empty());
    // The file's bytes changed, what it says did not: its hash is of the resolved spec (issue
    // 17), so no input is listed as changed and no build key moves.
    assert!(bcg["inputs"]["files"].as_array().unwrap().is_empty());
}

#[test]
fn an_edited_data_row() {
    let Some(r) = Repo::new("") else { return };
    let before = results(&r.project());
    r.edit(
        "analyses/data/magnesium.csv",
        "\"Morton\",1984,1,40,2,36",
        "\"Morton\",1984,3,40,2,36",
    );
    let after = results(&r.project());
    r.commit("Morton 1984: 3 deaths, not 1 (erratum)");
    let (code, j) = r.json(&["HEAD~1", "HEAD"]);
    assert_eq!(code, 1);
    assert_eq!(
        statuses(&j),
        [
            ("bcg".into(), "unchanged".into()),
            ("iabp-ecpr".into(), "unchanged".into()),
            ("magnesium".into(), "changed".into()),
            ("passive-smoking".into(), "unchanged".into())
        ]
    );
    let m = review(&j, "magnesium");
    assert!(m["inputs"]["spec"].as_array().unwrap().is_empty());
    assert_eq!(
        m["inputs"]["data"],
        serde_json::json!([{"outcome": "mortality", "data_file": "analyses/data/magnesium.csv",
            "added": [], "removed": [], "reordered": false,
            "edited": [{"study": "Morton 1984", "fields": [{"field": "events_t", "old": "1", "new": "3"}]}]}])
    );
    // Exactly the numbers that moved.
    assert_eq!(
        m["numbers"].as_array().unwrap().len(),
        moved_count(&before["magnesium"], &after["magnesium"])
    );
    let p = printed(m);
    has(&p, "overall", "Q", "47.06", "46.70");
    has(&p, "Begg's test", "Kendall's τ", "0.15", "0.08");
    has(&p, "trim-and-fill", "imputed studies", "7", "6");
    has(
        &p,
        "leave-one-out without ISIS-4 1995",
        "OR",
        "0.43",
        "0.44",
    );
    // I² of the overall analysis moved, but not at the printed precision (68% both).
    let i2 = m["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["path"] == "outcomes[mortality].overall.heterogeneity.i2")
        .unwrap();
    assert_eq!(i2["beyond_printed_precision"], true);
    assert!(!p.iter().any(|(u, q, ..)| u == "overall" && q == "I²"));
    // The conclusion that changed: trim-and-fill's estimate is no longer significant.
    let tf = m["conclusions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["unit"] == "trim-and-fill")
        .unwrap();
    assert_eq!(
        tf["kinds"],
        serde_json::json!(["significance", "null_in_ci"])
    );
    assert_eq!(tf["old"], "OR 0.69 (0.49–0.98), p = 0.04");
    assert_eq!(tf["new"], "OR 0.71 (0.50–1.01), p = 0.06");
    // The sentences that changed, and only those.
    let s = changed_sentences(m);
    assert_eq!(s.len(), 6, "{s:#?}");
    assert!(s.contains(&(
        "changed".into(),
        "Begg's rank correlation test gave Kendall's τ = 0.15 (p = 0.45).".into(),
        "Begg's rank correlation test gave Kendall's τ = 0.08 (p = 0.69).".into()
    )));
    assert!(s.contains(&(
        "changed".into(),
        "Trim-and-fill imputed seven missing studies on the right of the funnel; with them a random-effects model (DerSimonian–Laird τ²) gave OR 0.69, 95% CI 0.49–0.98, where no pooled estimate is reported for the studies as observed.".into(),
        "Trim-and-fill imputed six missing studies on the right of the funnel; with them a random-effects model (DerSimonian–Laird τ²) gave OR 0.71, 95% CI 0.50–1.01, where no pooled estimate is reported for the studies as observed.".into()
    )));
    let figures: Vec<&str> = m["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        figures,
        [
            "out/magnesium/figures/cumulative-mortality.svg",
            "out/magnesium/figures/forest-mortality.svg",
            "out/magnesium/figures/funnel-mortality.svg",
            "out/magnesium/figures/leave-one-out-mortality.svg"
        ]
    );

    // The same report as text and as Markdown.
    let text = String::from_utf8(r.diff(&["HEAD~1", "HEAD"]).stdout).unwrap();
    assert!(
        text.contains("edited   Morton 1984: events_t 1 → 3"),
        "{text}"
    );
    assert!(
        text.contains("Kendall's τ = [-0.15-] {+0.08+} (p = [-0.45).-] {+0.69).+}"),
        "{text}"
    );
    assert!(text.contains("Unchanged: bcg, iabp-ecpr, passive-smoking."));
    let md = String::from_utf8(r.diff(&["HEAD~1", "HEAD", "--format", "md"]).stdout).unwrap();
    assert!(md.contains("| overall | Q | 47.06 | 46.70 |"), "{md}");
    assert!(
        md.contains("Kendall's τ = ~~0.15~~ **0.08** (p = ~~0.45).~~ **0.69).**"),
        "{md}"
    );
    assert!(
        md.contains("- Data of mortality: Morton 1984 edited: events\\_t 1 → 3"),
        "{md}"
    );
}

#[test]
fn a_study_added() {
    let Some(r) = Repo::new("") else { return };
    let csv = r.project().join("analyses/data/magnesium.csv");
    let mut text = std::fs::read_to_string(&csv).unwrap();
    text.push_str("\"Newstudy\",2001,10,200,20,200\n");
    std::fs::write(&csv, text).unwrap();
    r.commit("a new trial");
    let (code, j) = r.json(&["HEAD~1"]);
    assert_eq!(code, 1);
    let m = review(&j, "magnesium");
    let data = &m["inputs"]["data"][0];
    assert_eq!(data["added"][0]["study"], "Newstudy 2001");
    assert!(data["edited"].as_array().unwrap().is_empty());
    assert!(data["removed"].as_array().unwrap().is_empty());
    let entries: Vec<(&str, &str)> = m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["unit"].as_str().unwrap(), e["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        entries,
        [
            ("leave-one-out without Newstudy 2001", "added"),
            ("cumulative up to Newstudy 2001", "added")
        ]
    );
    let k = m["conclusions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kinds"][0] == "studies")
        .unwrap();
    assert_eq!(k["text"], "the number of studies changed from 16 to 17");
    has(&printed(m), "overall", "k", "16", "17");
    let sentences = changed_sentences(m);
    assert!(
        sentences.contains(&(
            "changed".into(),
            "Sixteen studies (62,607 participants) reported mortality (Figure 1).".into(),
            "Seventeen studies (63,007 participants) reported mortality (Figure 1).".into()
        )),
        "{sentences:#?}"
    );
    assert_eq!(
        statuses(&j).iter().filter(|(_, s)| s == "changed").count(),
        1
    );
}

#[test]
fn the_tau2_estimator_changed_in_a_project_below_the_repository_root() {
    let Some(r) = Repo::new("papers/bcg-review") else {
        return;
    };
    let before = results(&r.project());
    r.edit("analyses/bcg.yaml", "tau2: REML", "tau2: DL");
    let after = results(&r.project());
    r.commit("DerSimonian-Laird, as the reviewer asked");
    let (code, j) = r.json(&["HEAD~1", "HEAD"]);
    assert_eq!(code, 1);
    let b = review(&j, "bcg");
    assert_eq!(
        b["inputs"]["spec"],
        serde_json::json!([{"path": "outcomes[tuberculosis].model.tau2", "old": "REML", "new": "DL"}])
    );
    assert!(b["inputs"]["data"].as_array().unwrap().is_empty());
    assert_eq!(
        b["numbers"].as_array().unwrap().len(),
        moved_count(&before["bcg"], &after["bcg"])
    );
    let p = printed(b);
    has(&p, "subgroup random", "τ²", "0.39", "0.76");
    has(&p, "subgroup random", "p", "< 0.001", "0.006");
    has(&p, "test for subgroup differences", "Q", "1.86", "1.54");
    // Still random effects, still significant: no conclusion changed.
    assert!(
        b["conclusions"].as_array().unwrap().is_empty(),
        "{}",
        b["conclusions"]
    );
    let s = changed_sentences(b);
    assert!(s.contains(&(
        "changed".into(),
        "Inverse-variance weights were used, with τ² estimated by the restricted maximum-likelihood method.".into(),
        "Inverse-variance weights were used, with τ² estimated by the DerSimonian–Laird method.".into()
    )), "{s:#?}");
    assert!(s.contains(&(
        "changed".into(),
        "The test for subgroup differences gave Q = 1.86, df = 2, p = 0.39.".into(),
        "The test for subgroup differences gave Q = 1.54, df = 2, p = 0.46.".into()
    )));
    // Five sentences, besides those of the meta-regression and GOSH plot, whose τ² follows
    // the outcome's.
    let heterogeneity = |t: &str| {
        [
            "meta-regression",
            "Meta-regression",
            "GOSH",
            "moderator",
            "Residual heterogeneity",
        ]
        .iter()
        .any(|w| t.contains(w))
    };
    let others = s
        .iter()
        .filter(|(_, a, b)| !heterogeneity(a) && !heterogeneity(b))
        .count();
    assert_eq!(others, 5, "{s:#?}");
    assert!(s.len() > 5, "{s:#?}");
    assert_eq!(
        statuses(&j).iter().filter(|(_, s)| s == "changed").count(),
        1
    );
}

#[test]
fn two_directories_need_no_git() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("analyses"), &a.path().join("analyses"));
    copy_dir(&repo().join("analyses"), &b.path().join("analyses"));
    let run = |dir: &Path| {
        Command::new(env!("CARGO_BIN_EXE_metareport"))
            .arg("diff")
            .arg(a.path())
            .arg(b.path())
            .current_dir(dir)
            .output()
            .unwrap()
    };
    assert_eq!(run(a.path()).status.code(), Some(0));
    let spec = b.path().join("analyses/magnesium.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(&spec, text.replace("tau2: DL", "tau2: REML")).unwrap();
    let o = run(a.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .contains("spec outcomes[mortality].model.tau2: DL → REML")
    );
}

#[test]
fn errors_exit_2_and_say_which_version() {
    let Some(r) = Repo::new("") else { return };
    let err = |o: &Output| {
        assert_eq!(o.status.code(), Some(2), "{o:?}");
        assert!(o.stdout.is_empty());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let e = err(&r.diff(&["no-such-revision"]));
    assert!(
        e.contains("no revision `no-such-revision` in the git repository of"),
        "{e}"
    );
    let e = err(&r.diff(&["--", "--output=/tmp/x"]));
    assert!(e.contains("revisions cannot be options"), "{e}");

    r.edit("analyses/magnesium.yaml", "measure: OR", "measure: XX");
    r.commit("a typo");
    let e = err(&r.diff(&["HEAD~1", "HEAD"]));
    assert!(e.contains("the project does not build at HEAD ("), "{e}");
    assert!(e.contains("analyses/magnesium.yaml:"), "{e}");
    assert!(e.contains("unknown value `XX`"), "{e}");

    let plain = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("analyses"), &plain.path().join("analyses"));
    let o = Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(["diff", "HEAD~1", "HEAD", "--dir"])
        .arg(plain.path())
        .output()
        .unwrap();
    let e = err(&o);
    assert!(e.contains("is not inside a git repository"), "{e}");
}

/// A Freeman–Tukey proportion shown per 100: the diff prints each version's numbers as that
/// version's manuscript printed them — back-transformed at its own harmonic-mean n and
/// multiplied by `per` — not sin²() of the analysis value. Removing a small study changes
/// both the estimate and the n.
#[test]
fn proportions_per_100_are_printed_at_each_versions_harmonic_mean_n() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let project = repo().join("tests/fixtures/projects/single-group");
    for d in [a.path(), b.path()] {
        copy_dir(&project.join("analyses"), &d.join("analyses"));
    }
    let csv = b.path().join("analyses/data/pritz1997.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replace("\"Muizelaar and Becker\",4,5\n", "")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(["diff", "--format", "json"])
        .arg(a.path())
        .arg(b.path())
        .current_dir(a.path())
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = review(&report, "proportions");
    // What each version's manuscript prints: results.json's per-100 estimate and CI.
    let shown = |dir: &Path| {
        let res = results(dir);
        let o = res["proportions"]["outcomes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["id"] == "favourable")
            .unwrap()
            .clone();
        let p = &o["overall_per_scale"];
        let f = |k: &str| format!("{:.2}", p[k].as_f64().unwrap());
        (f("estimate"), f("ci_lower"), f("ci_upper"))
    };
    let (old, new) = (shown(a.path()), shown(b.path()));
    assert!(old.0.parse::<f64>().unwrap() > 1.0, "per 100: {old:?}");
    let list = printed(r);
    has(&list, "overall", "PR", &old.0, &new.0);
    has(&list, "overall", "PR CI", &old.1, &new.1);
    has(&list, "overall", "PR CI", &old.2, &new.2);
    // Counts print as counts.
    has(&list, "counts, overall", "participants", "326", "321");
}

//! What an installed binary offers besides building: `--version` with the source fingerprint,
//! shell completions and manual pages generated from the clap definitions.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use clap::CommandFactory;

fn metareport(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Every visible subcommand of the command line, as the user types them.
fn subcommands() -> Vec<String> {
    let cmd = metareport::cli::Cli::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect();
    assert!(names.len() >= 10, "{names:?}");
    names
}

#[test]
fn version_names_the_version_and_the_source_fingerprint_of_cache_keys() {
    let fp = metareport::results::FINGERPRINT;
    assert_eq!(fp.len(), 16);
    assert!(fp.bytes().all(|b| b.is_ascii_hexdigit()), "{fp}");
    let want = format!(
        "metareport {} (source {fp})\n",
        metareport::results::VERSION
    );
    assert_eq!(stdout(&metareport(&["--version"])), want);
    assert_eq!(stdout(&metareport(&["-V"])), want);
    // The same pair is what outputs record as the tool that made them.
    assert_eq!(
        metareport::results::tool_id(),
        format!("{}+{fp}", metareport::results::VERSION)
    );
}

#[test]
fn completion_scripts_offer_every_subcommand() {
    let subs = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let s = stdout(&metareport(&["completions", shell]));
        for sub in &subs {
            assert!(s.contains(sub.as_str()), "{shell} completion lacks `{sub}`");
        }
    }
    // bash: the subcommands are the words offered after `metareport`, and the script parses.
    let bash = stdout(&metareport(&["completions", "bash"]));
    let opts = bash
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("metareport)"))
        .find_map(|l| l.trim().strip_prefix("opts=\""))
        .expect("bash script has the top-level word list");
    let words: Vec<&str> = opts.trim_end_matches('"').split_whitespace().collect();
    for sub in &subs {
        assert!(words.contains(&sub.as_str()), "`{sub}` not offered: {opts}");
    }
    for flag in ["--quiet", "--version", "--help"] {
        assert!(words.contains(&flag), "`{flag}` not offered: {opts}");
    }
    if let Ok(o) = Command::new("bash").args(["-n", "-c", &bash]).output() {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // A build's options are completed too.
    assert!(bash.contains("--force") && bash.contains("--check"));
    let o = metareport(&["completions", "tcsh"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "clap rejects an unknown shell: a usage error, exit 1 as documented"
    );
}

#[test]
fn man_pages_have_name_synopsis_and_every_subcommand() {
    let page = stdout(&metareport(&["man"]));
    assert!(page.contains("\n.TH metareport 1 "), "{page}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(section), "metareport(1) lacks {section}");
    }
    assert!(page.contains(metareport::results::FINGERPRINT), "version");
    for sub in subcommands() {
        // roff writes "-" as "\-": the page refers to metareport-build(1) and so on.
        assert!(
            page.contains(&format!("metareport\\-{sub}(1)")),
            "metareport(1) does not list `{sub}`"
        );
        // Each subcommand has its own page, with its options.
        let sub_page = stdout(&metareport(&["man", &sub]));
        let title = format!(
            "\n.TH metareport-{sub} 1  \"metareport {}\"",
            metareport::results::VERSION
        );
        assert!(sub_page.contains(&title), "{sub_page}");
        assert!(sub_page.contains(".SH NAME") && sub_page.contains(".SH SYNOPSIS"));
        let cmd = metareport::cli::Cli::command();
        let sc = cmd.find_subcommand(&sub).unwrap();
        for arg in sc.get_arguments().filter(|a| !a.is_hide_set()) {
            if let Some(long) = arg.get_long() {
                let roff = format!("\\-\\-{}", long.replace('-', "\\-"));
                assert!(
                    sub_page.contains(&roff),
                    "metareport-{sub}(1) lacks --{long}"
                );
            }
        }
    }
    let build = stdout(&metareport(&["man", "build"]));
    assert!(build.contains("\\-\\-force") && build.contains("\\-\\-quiet"));

    let o = metareport(&["man", "biuld"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: metareport man: no subcommand `biuld`\n  hint: did you mean `build`?\n"
    );
}

#[test]
fn man_out_dir_writes_every_page() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("share/man/man1");
    let o = metareport(&["man", "--quiet", "--out-dir", dir.to_str().unwrap()]);
    assert!(o.status.success() && o.stderr.is_empty() && o.stdout.is_empty());
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut want: Vec<String> = subcommands()
        .iter()
        .map(|s| format!("metareport-{s}.1"))
        .chain(["metareport.1".to_string()])
        .collect();
    want.sort();
    assert_eq!(files, want);
    let printed = stdout(&metareport(&["man", "init"]));
    assert_eq!(
        std::fs::read_to_string(dir.join("metareport-init.1")).unwrap(),
        printed
    );
}

/// Files of a directory, recursively, as paths relative to the repository with `/`.
fn files_under(root: &Path, dir: &str, out: &mut Vec<String>) {
    for e in std::fs::read_dir(root.join(dir)).unwrap() {
        let e = e.unwrap();
        let rel = format!("{dir}/{}", e.file_name().to_string_lossy());
        if e.file_type().unwrap().is_dir() {
            files_under(root, &rel, out);
        } else {
            out.push(rel);
        }
    }
}

/// The paths named by `include_str!("…")` and `include_bytes!("…")` in a source file,
/// resolved against the file's directory and normalised (`a/b/../c` → `a/c`).
fn embedded_paths(file: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for mac in ["include_str!(\"", "include_bytes!(\""] {
        for (i, _) in text.match_indices(mac) {
            let rest = &text[i + mac.len()..];
            let rel = &rest[..rest.find('"').unwrap()];
            let mut parts: Vec<&str> = file.split('/').collect();
            parts.pop();
            for p in rel.split('/') {
                match p {
                    ".." => {
                        parts.pop();
                    }
                    "." => {}
                    p => parts.push(p),
                }
            }
            out.push(parts.join("/"));
        }
    }
    out
}

/// `cargo install metareport` builds from what `cargo package` ships: everything the binary is
/// built from (sources, the templates and fonts they embed, build.rs and what it fingerprints),
/// under crates.io's 10 MB limit, and not the tests, the default project or build outputs.
#[test]
fn cargo_package_ships_what_the_binary_is_built_from() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let o = Command::new(cargo)
        .args(["package", "--list", "--offline", "--allow-dirty", "--quiet"])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let listed: BTreeSet<String> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();

    let mut needed = vec![
        "Cargo.toml".to_string(),
        "Cargo.lock".to_string(),
        "build.rs".to_string(),
        "README.md".to_string(),
        "fonts/LICENSE-LiberationSans.txt".to_string(),
        // The licence texts the `license` field names (MIT OR Apache-2.0).
        "LICENSE-MIT".to_string(),
        "LICENSE-APACHE".to_string(),
    ];
    for dir in ["src", "templates", "fonts"] {
        files_under(root, dir, &mut needed);
    }
    let mut sources = Vec::new();
    files_under(root, "src", &mut sources);
    for f in sources.iter().filter(|f| f.ends_with(".rs")) {
        let text = std::fs::read_to_string(root.join(f)).unwrap();
        needed.extend(embedded_paths(f, &text));
    }
    assert!(
        needed
            .iter()
            .any(|f| f.starts_with("fonts/") && f.ends_with(".ttf"))
    );
    assert!(needed.contains(&"templates/manuscript.typ.j2".to_string()));
    for f in &needed {
        assert!(
            listed.contains(f),
            "`cargo package` leaves out {f}, which the build needs (Cargo.toml `include`)"
        );
    }
    for f in &listed {
        for not in ["tests/", "analyses/", "benches/", "out/", "target/", ".ci/"] {
            assert!(!f.starts_with(not), "`cargo package` ships {f}");
        }
    }
    // crates.io takes at most 10 MB compressed; the files uncompressed stay under it.
    let bytes: u64 = listed
        .iter()
        .filter_map(|f| std::fs::metadata(root.join(f)).ok())
        .map(|m| m.len())
        .sum();
    assert!(bytes < 10_000_000, "package is {bytes} bytes uncompressed");
}

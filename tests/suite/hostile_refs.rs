//! The last known items of issue 10: `templates export` writes nothing through a symbolic link,
//! a workbook's cell or row reference beyond the sheet's limits is a located error, and a YAML
//! key longer than YAML allows is named as such, at its line and column.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use metareport::build::{BuildOptions, build};

const SPEC: &str =
    "title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/d.xlsx\n    measure: OR\n";

fn error_of(dir: &Path) -> String {
    match build(
        dir,
        &BuildOptions {
            force: false,
            check: false,
            jobs: 1,
            quiet: true,
        },
    ) {
        Ok(_) => panic!("the build succeeded"),
        Err(f) => {
            assert_eq!(f.exit_code(), 1, "{f}");
            f.to_string()
        }
    }
}

// ---- templates export ------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn templates_export_writes_nothing_through_a_symbolic_link() {
    use std::os::unix::fs::symlink;
    let project = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_metareport"))
            .args(args)
            .current_dir(project.path())
            .output()
            .unwrap()
    };
    // templates/ itself a link to a directory outside: refused, nothing written there.
    symlink(outside.path(), project.path().join("templates")).unwrap();
    let o = run(&["templates", "export"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim_end(),
        "error: templates: is a symbolic link; metareport never writes through a link (remove it, or name the directory it points to)"
    );
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    // A directory on the way to DIR a link: refused too.
    let o = run(&["templates", "export", "templates/sub"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: templates: is a symbolic link"));
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    std::fs::remove_file(project.path().join("templates")).unwrap();

    // A link planted at the name of the temporary file (`.NAME.tmp-PID`; the PID is guessable)
    // is removed, not written through; the template is a regular file.
    let templates = project.path().join("templates");
    std::fs::create_dir(&templates).unwrap();
    let secret = outside.path().join("secret.txt");
    std::fs::write(&secret, "secret").unwrap();
    for name in metareport::cli::templates::files().iter().map(|(n, _)| *n) {
        symlink(
            &secret,
            templates.join(format!(".{name}.tmp-{}", std::process::id())),
        )
        .unwrap();
    }
    metareport::cli::templates::export(&templates, false, true).unwrap();
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "secret");
    let m = std::fs::symlink_metadata(templates.join("methods.typ.j2")).unwrap();
    assert!(m.is_file());
    let left: Vec<_> = std::fs::read_dir(&templates)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // A link in a template's place is refused even with --force (not replaced, not followed).
    std::fs::remove_file(templates.join("methods.typ.j2")).unwrap();
    symlink(&secret, templates.join("methods.typ.j2")).unwrap();
    let e = metareport::cli::templates::export(&templates, true, true).unwrap_err();
    assert!(
        e.to_string().contains("methods.typ.j2: is a symbolic link"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "secret");
}

// ---- workbook references ---------------------------------------------------------------------

/// A one-sheet workbook whose sheet XML holds `sheet_data`.
pub fn xlsx(sheet_data: &str) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, String); 4] = [
        ("_rels/.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
        ("xl/workbook.xml", r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#)),
    ];
    for (name, text) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const HEADER: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>study</t></is></c><c r="B1" t="inlineStr"><is><t>events_t</t></is></c><c r="C1" t="inlineStr"><is><t>total_t</t></is></c><c r="D1" t="inlineStr"><is><t>events_c</t></is></c><c r="E1" t="inlineStr"><is><t>total_c</t></is></c></row>"#;

fn row(r: &str, cells: [&str; 5]) -> String {
    let cols = ["A", "B", "C", "D", "E"];
    let mut s = format!(r#"<row r="{r}">"#);
    for (c, v) in cols.iter().zip(cells) {
        if c == &"A" {
            s += &format!(r#"<c r="{c}{r}" t="inlineStr"><is><t>{v}</t></is></c>"#);
        } else {
            s += &format!(r#"<c r="{c}{r}"><v>{v}</v></c>"#);
        }
    }
    s + "</row>"
}

fn workbook_project(sheet_data: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses/data")).unwrap();
    std::fs::write(dir.path().join("analyses/r.yaml"), SPEC).unwrap();
    std::fs::write(dir.path().join("analyses/data/d.xlsx"), xlsx(sheet_data)).unwrap();
    dir
}

#[test]
fn a_cell_or_row_beyond_the_sheet_limits_is_a_located_error() {
    let ok = format!(
        "{HEADER}{}{}",
        row("2", ["A", "4", "120", "9", "118"]),
        row("3", ["B", "10", "200", "14", "205"])
    );
    let dir = workbook_project(&ok);
    metareport::spec::load(dir.path(), "analyses/r.yaml").unwrap_or_else(|e| panic!("{e}"));
    let hint = "\n  hint: open the file in a spreadsheet program and save it again as .xlsx, or save the sheet as .csv";
    // Column XFE (one past XFD), row 1048577, and references whose numbers calamine would wrap
    // around (u32) to some cell inside the table.
    for (data, what) in [
        (
            ok.replace(
                r#"<c r="E3"><v>205</v></c>"#,
                r#"<c r="XFE3"><v>205</v></c>"#,
            ),
            "cell `XFE3`",
        ),
        (
            ok.replace(r#"<c r="E3">"#, r#"<c r="E1048577">"#),
            "cell `E1048577`",
        ),
        (
            ok.replace(r#"<c r="E3">"#, r#"<c r="E4294967299">"#),
            "cell `E4294967299`",
        ),
        (
            ok.replace(r#"<row r="3">"#, r#"<row r="1048577">"#),
            "row `1048577`",
        ),
    ] {
        let dir = workbook_project(&data);
        assert_eq!(
            error_of(dir.path()),
            format!(
                "error: analyses/data/d.xlsx: worksheet part xl/worksheets/sheet1.xml: {what} is beyond the limits of a worksheet (columns A to XFD, rows 1 to 1048576); the workbook is damaged or was not written by a spreadsheet program{hint}"
            )
        );
        assert!(!dir.path().join("out").exists());
    }
}

// ---- long YAML keys --------------------------------------------------------------------------

#[test]
fn a_yaml_key_longer_than_1024_characters_is_named_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses")).unwrap();
    let hint = "\n  hint: spec keys are short names (`metareport schema` lists them); a long text is a value, as in `title: …`";
    for (spec, place, n) in [
        (format!("title: T\n{}: 1\n", "k".repeat(1025)), "2:1", 1025),
        (
            format!(
                "title: T\noutcomes:\n  - id: m\n    {}: x\n",
                "k".repeat(5000)
            ),
            "4:5",
            5000,
        ),
        (
            format!("title: T\noutcomes:\n  - {}: x\n", "é".repeat(2000)),
            "3:5",
            2000,
        ),
    ] {
        std::fs::write(dir.path().join("analyses/r.yaml"), spec).unwrap();
        assert_eq!(
            error_of(dir.path()),
            format!(
                "error: analyses/r.yaml:{place}: invalid YAML: a mapping key of {n} characters; YAML allows keys of at most 1024 characters{hint}"
            )
        );
    }
    // A key of 1024 characters is a key (here an unknown one).
    std::fs::write(
        dir.path().join("analyses/r.yaml"),
        format!("title: T\n{}: 1\n", "k".repeat(1024)),
    )
    .unwrap();
    let e = error_of(dir.path());
    assert!(e.contains("unknown key"), "{e}");
}

//! Limits on hostile sizes that are not figures (issue 10, items 6, 10, 12, 13 and 11's exit
//! codes): spreadsheets checked before they are expanded, numeric options finite and in range,
//! YAML limits named in plain words, the data cap stated, clap usage errors exit 1, and
//! results.json of many studies written by streaming.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use metareport::project::Failure;

use super::common::{build_quiet, repo};

fn metareport(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_metareport"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn error_of(dir: &Path) -> Failure {
    match build_quiet(dir) {
        Ok(s) => panic!("the build succeeded: {s:?}"),
        Err(f) => f,
    }
}

const SPEC: &str =
    "title: T\noutcomes:\n  - id: m\n    title: M\n    data: data/d.xlsx\n    measure: OR\n";

/// A minimal workbook: one sheet with the given `<sheetData>` and optional extra parts.
fn xlsx(sheet_data: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, String); 5] = [
        ("[Content_Types].xml", r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.into()),
        ("_rels/.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
        ("xl/workbook.xml", r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S1" sheetId="1" r:id="rId1"/></sheets></workbook>"#.into()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.into()),
        ("xl/worksheets/sheet1.xml", format!(r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#)),
    ];
    for (name, text) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    for (name, bytes) in extra {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

const TABLE: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>study</t></is></c><c r="B1" t="inlineStr"><is><t>events_t</t></is></c><c r="C1" t="inlineStr"><is><t>total_t</t></is></c><c r="D1" t="inlineStr"><is><t>events_c</t></is></c><c r="E1" t="inlineStr"><is><t>total_c</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c><c r="B2"><v>4</v></c><c r="C2"><v>120</v></c><c r="D2"><v>9</v></c><c r="E2"><v>118</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>B</t></is></c><c r="B3"><v>10</v></c><c r="C3"><v>200</v></c><c r="D3"><v>14</v></c><c r="E3"><v>205</v></c></row>"#;

fn project_with(file: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("analyses/data")).unwrap();
    std::fs::write(
        dir.path().join("analyses/r.yaml"),
        SPEC.replace("d.xlsx", file),
    )
    .unwrap();
    std::fs::write(dir.path().join("analyses/data").join(file), bytes).unwrap();
    dir
}

// ---- item 6: spreadsheets ------------------------------------------------------------------

#[test]
fn a_workbook_is_read_and_one_far_cell_is_refused_before_a_range_is_built() {
    // The plain table builds (the checks do not refuse ordinary workbooks).
    let ok = project_with("d.xlsx", &xlsx(TABLE, &[]));
    build_quiet(ok.path()).unwrap_or_else(|f| panic!("{f}"));
    // One cell at XFD1048576: calamine would allocate a dense range of 17 billion cells.
    let far = format!(r#"{TABLE}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#);
    let dir = project_with("d.xlsx", &xlsx(&far, &[]));
    let t = std::time::Instant::now();
    let e = error_of(dir.path());
    assert_eq!(e.exit_code(), 1);
    assert_eq!(
        e.to_string(),
        "error: analyses/data/d.xlsx: worksheet \"S1\" spans more than 5000000 cells (rows × columns) at cell XFD1048576; tables larger than that are not read (delete stray cells far from the table)"
    );
    assert!(t.elapsed().as_secs() < 10);
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_workbook_that_inflates_past_the_limit_is_refused_while_it_is_inflated() {
    // 300 MB of zeros deflate to about 300 kB: the part is inflated, counting, and the
    // reading stops at the limit (before calamine sees the workbook).
    let zeros = vec![0u8; 300 * 1024 * 1024];
    let bomb = xlsx(TABLE, &[("xl/media/pad.bin", &zeros)]);
    drop(zeros);
    assert!(bomb.len() < 2 * 1024 * 1024, "{}", bomb.len());
    let dir = project_with("d.xlsx", &bomb);
    let e = error_of(dir.path());
    assert_eq!(
        e.to_string(),
        "error: analyses/data/d.xlsx: the workbook inflates to more than 256 MB; workbooks larger than that are not read (save the sheet as .csv)"
    );
}

#[test]
fn spreadsheets_that_cannot_be_checked_first_are_refused() {
    // .ods (repeated rows expand without bound) and binary .xls, whatever the extension says.
    let mut ods = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    ods.start_file("mimetype", zip::write::SimpleFileOptions::default())
        .unwrap();
    ods.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    ods.start_file("content.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    ods.write_all(br#"<table:table-row table:number-rows-repeated="1048576"/>"#)
        .unwrap();
    let ods = ods.finish().unwrap().into_inner();
    let refused = "only Excel workbooks (.xlsx, .xlsm) and CSV files are read; save the sheet as .xlsx or .csv";
    let renamed = "the file is a zip archive but not an Excel workbook (an OpenDocument spreadsheet renamed?); only .xlsx, .xlsm and CSV files are read";
    let damaged = "the file is not a readable Excel workbook (it is damaged, or of another kind); save the sheet as .xlsx or .csv again";
    let xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".repeat(64);
    for (file, bytes, want) in [
        ("d.ods", ods.clone(), refused),
        ("d.xlsx", ods, renamed),
        ("d.xls", xls.clone(), refused),
        ("d.xlsx", xls, damaged),
    ] {
        let dir = project_with(file, &bytes);
        assert_eq!(
            error_of(dir.path()).to_string(),
            format!("error: analyses/data/{file}: {want}")
        );
    }
}

// ---- item 13: a million rows are read; the cell cap is stated -------------------------------

#[test]
fn a_million_rows_of_yi_and_vi_are_read_and_five_million_cells_is_the_limit() {
    let mut csv = String::from("study,yi,vi\n");
    for i in 0..1_000_000u32 {
        csv.push_str(&format!(
            "Smith et al. {i},{:.6},{:.6}\n",
            (i % 97) as f64 / 100.0 - 0.4,
            0.01 + (i % 13) as f64 / 100.0
        ));
    }
    assert!(csv.len() > 32 * 1024 * 1024, "{}", csv.len());
    let t = metareport::data::table::parse("d.csv", csv.as_bytes(), None)
        .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(t.rows.len(), 1_000_000);
    drop(t);
    // Five million and one cells (a column of a million short rows is cheap; cells are not).
    let wide = "a,b,c,d,e\n".to_string() + &"1,2,3,4,5\n".repeat(1_000_001);
    let e = metareport::data::table::parse("w.csv", wide.as_bytes(), None).unwrap_err();
    assert_eq!(
        e.to_string(),
        "w.csv:1000002: the file has more than 5000000 cells (rows × columns); tables larger than that are not read"
    );
}

// ---- item 10: numeric options are finite and in range ---------------------------------------

#[test]
fn numeric_options_of_pool_must_be_finite_and_in_range() {
    let base = ["pool", "--data", "analyses/data/bcg.csv", "--measure", "RR"];
    for (flag, value, want) in [
        (
            "--continuity-add",
            "inf",
            "the increment must lie between 0 and 1 (usually 0.5), found inf",
        ),
        (
            "--continuity-add",
            "1e308",
            "the increment must lie between 0 and 1 (usually 0.5), found 1e308",
        ),
        (
            "--continuity-add",
            "-0.5",
            "the increment must lie between 0 and 1 (usually 0.5), found -0.5",
        ),
        (
            "--level",
            "NaN",
            "the confidence level must lie between 0 and 1 (e.g. 0.95), found NaN",
        ),
        (
            "--level",
            "95",
            "the confidence level must lie between 0 and 1 (e.g. 0.95), found 95",
        ),
    ] {
        let o = metareport(&[&base[..], &[flag, value]].concat(), &repo());
        assert_eq!(o.status.code(), Some(1), "{flag} {value}: {}", stderr(&o));
        assert!(stderr(&o).contains(want), "{flag} {value}: {}", stderr(&o));
        assert!(stderr(&o).contains(flag), "{flag} {value}: {}", stderr(&o));
    }
}

// ---- item 11: clap usage errors are invalid input ------------------------------------------

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    let o = metareport(&["build", "--no-such-flag"], &repo());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = metareport(&["no-such-command"], &repo());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = metareport(&["--help"], &repo());
    assert_eq!(o.status.code(), Some(0));
    assert!(!o.stdout.is_empty());
}

// ---- item 12: messages ---------------------------------------------------------------------

#[test]
fn pool_does_not_name_a_flag_that_does_not_exist() {
    let o = metareport(
        &[
            "pool",
            "--data",
            "analyses/data/bcg.csv",
            "--measure",
            "RR",
            "--column",
            "nonstd=year",
        ],
        &repo(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("`nonstd` is not a standard column name"), "{e}");
    assert!(!e.contains("--nonstd"), "{e}");
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    // `metareport schema | head -1`: no panic on the broken pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_metareport"))
        .arg("schema")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_ne!(o.status.code(), Some(101));
}

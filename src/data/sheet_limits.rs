//! Limits checked on a workbook before it is expanded (issue 10, item 6): a 5 MB `.xlsx`
//! can inflate to gigabytes, and one cell at `XFD1048576` makes a dense range of 17 billion
//! cells. Only `.xlsx`/`.xlsm` workbooks are read; their parts are inflated once, counting,
//! up to [`MAX_UNZIPPED_BYTES`] (sizes the zip declares are not trusted), and the cells of the
//! worksheet are streamed and counted, with the rectangle they span, before any range is built.

use std::io::{Cursor, Read};

use super::table::MAX_CELLS;
use crate::diag::Diagnostic;

/// The most a workbook may hold once inflated (all its parts together). A worksheet of a
/// million rows of four numbers is about 150 MB of XML.
pub const MAX_UNZIPPED_BYTES: u64 = 256 * 1024 * 1024;

/// Checks that `bytes` are an `.xlsx`/`.xlsm` workbook whose parts inflate to at most
/// [`MAX_UNZIPPED_BYTES`]. Other spreadsheets (`.xls`, `.ods`, `.xlsb`) are refused: they
/// cannot be checked before they are expanded.
pub fn check_archive(source: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    let not_xlsx = || {
        Diagnostic::file(
            source,
            "only Excel workbooks (.xlsx, .xlsm) and CSV files are read; save the sheet as .xlsx or .csv",
        )
    };
    let lower = source.to_lowercase();
    if !(lower.ends_with(".xlsx") || lower.ends_with(".xlsm")) {
        return Err(not_xlsx());
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        Diagnostic::file(
            source,
            "the file is not a readable Excel workbook (it is damaged, or of another kind); save the sheet as .xlsx or .csv again",
        )
    })?;
    if zip.index_for_name("xl/workbook.xml").is_none() {
        return Err(Diagnostic::file(
            source,
            "the file is a zip archive but not an Excel workbook (an OpenDocument spreadsheet renamed?); only .xlsx, .xlsm and CSV files are read",
        ));
    }
    let too_large = || {
        Diagnostic::file(
            source,
            format!(
                "the workbook inflates to more than {} MB; workbooks larger than that are not read (save the sheet as .csv)",
                MAX_UNZIPPED_BYTES / (1024 * 1024)
            ),
        )
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| Diagnostic::file(source, format!("cannot read the spreadsheet: {e}")))?;
        let left = MAX_UNZIPPED_BYTES - total;
        let name = part
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(part.name_raw()).into_owned());
        let mut limited = Counting {
            inner: (&mut part).take(left + 1),
            n: 0,
        };
        if name.starts_with("xl/worksheets/") && name.ends_with(".xml") {
            check_references(source, &name, &mut limited)?;
        }
        std::io::copy(&mut limited, &mut std::io::sink())
            .map_err(|e| Diagnostic::file(source, format!("cannot read the spreadsheet: {e}")))?;
        let n = limited.n;
        total += n;
        if total > MAX_UNZIPPED_BYTES {
            return Err(too_large());
        }
    }
    Ok(())
}

/// A reader that counts the bytes read through it.
struct Counting<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

/// The last column (XFD) and row of a worksheet, 1-based.
const SHEET_COLUMNS: u64 = 16_384;
const SHEET_ROWS: u64 = 1_048_576;

/// Checks the references of the cells (`<c r="B7">`) and rows (`<row r="7">`) of worksheet
/// part `part` as they stream by: one beyond column XFD or row 1,048,576 is refused, naming it
/// (calamine would wrap it around to some other cell, or place it silently).
fn check_references<R: Read>(source: &str, part: &str, r: &mut R) -> Result<(), Diagnostic> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(r));
    let mut buf = Vec::new();
    loop {
        let e = match reader.read_event_into(&mut buf) {
            // Malformed XML is calamine's to report, with its own message.
            Err(_) | Ok(Event::Eof) => return Ok(()),
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => e,
            Ok(_) => {
                buf.clear();
                continue;
            }
        };
        let local = e.local_name();
        let is_cell = local.as_ref() == "c";
        if (is_cell || local.as_ref() == "row")
            && let Ok(Some(a)) = e.try_get_attribute("r")
        {
            let value = a.value.to_string();
            let beyond = if is_cell {
                cell_beyond_limits(&value)
            } else {
                value
                    .parse::<u64>()
                    .map(|row| row > SHEET_ROWS)
                    .unwrap_or(value.bytes().all(|b| b.is_ascii_digit()) && !value.is_empty())
            };
            if beyond {
                let what = if is_cell { "cell" } else { "row" };
                return Err(Diagnostic::file(
                    source,
                    format!(
                        "worksheet part {part}: {what} `{}` is beyond the limits of a worksheet (columns A to XFD, rows 1 to 1048576); the workbook is damaged or was not written by a spreadsheet program",
                        crate::diag::excerpt(&value, 40)
                    ),
                )
                .hint("open the file in a spreadsheet program and save it again as .xlsx, or save the sheet as .csv"));
            }
        }
        buf.clear();
    }
}

/// Whether a cell reference of letters and digits ("XFE1", "A1048577") lies beyond column
/// XFD or row 1,048,576. Other malformed references are left to calamine.
fn cell_beyond_limits(r: &str) -> bool {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    let digits = &r[letters..];
    if letters == 0 || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let col = r[..letters].bytes().fold(0u64, |c, b| {
        c.saturating_mul(26)
            .saturating_add(u64::from(b.to_ascii_uppercase() - b'A') + 1)
    });
    let row = digits.bytes().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    });
    col > SHEET_COLUMNS || row > SHEET_ROWS
}

/// Streams the cells of worksheet `name` and refuses it when they are more than
/// [`MAX_CELLS`], or span a rectangle (the dense range a worksheet becomes) of more cells.
pub fn check_cells<RS: Read + std::io::Seek>(
    source: &str,
    wb: &mut calamine::Xlsx<RS>,
    name: &str,
) -> Result<(), Diagnostic> {
    let fail = |e: calamine::XlsxError| {
        Diagnostic::file(
            source,
            format!(
                "cannot read worksheet \"{}\": {}",
                crate::diag::excerpt(name, 60),
                crate::diag::excerpt(&e.to_string(), 200)
            ),
        )
    };
    let mut cells = wb.worksheet_cells_reader(name).map_err(fail)?;
    let (mut r0, mut c0, mut r1, mut c1) = (u32::MAX, u32::MAX, 0u32, 0u32);
    let mut n: u64 = 0;
    while let Some(cell) = cells.next_cell().map_err(fail)? {
        let (r, c) = cell.get_position();
        (r0, c0, r1, c1) = (r0.min(r), c0.min(c), r1.max(r), c1.max(c));
        n += 1;
        let span = (u64::from(r1 - r0.min(r1)) + 1) * (u64::from(c1 - c0.min(c1)) + 1);
        if n > MAX_CELLS as u64 || span > MAX_CELLS as u64 {
            let (col, row) = (column_name(c), r + 1);
            return Err(Diagnostic::file(
                source,
                format!(
                    "worksheet \"{}\" spans more than {MAX_CELLS} cells (rows × columns) at cell {col}{row}; tables larger than that are not read (delete stray cells far from the table)",
                    crate::diag::excerpt(name, 60)
                ),
            ));
        }
    }
    Ok(())
}

/// The letters of a 0-based column ("A", "Z", "AA", "XFD").
fn column_name(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::cell_beyond_limits;

    #[test]
    fn references_beyond_xfd_or_row_1048576_are_found() {
        for ok in ["A1", "XFD1048576", "xfd1", "Z99", "A0", "1A", "", "A"] {
            assert!(!cell_beyond_limits(ok), "{ok}");
        }
        for bad in [
            "XFE1",
            "A1048577",
            "ZZZZZZZZZZZZZZ1",
            "A99999999999999999999999",
        ] {
            assert!(cell_beyond_limits(bad), "{bad}");
        }
    }
}

//! Tables of cells read from CSV, XLSX or inline YAML rows.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;

/// Data files larger than this are refused. A meta-analysis table is kilobytes; a million
/// rows of `study,yi,vi` are about 40 MB, and are read in well under 1 GB of memory.
pub const MAX_DATA_BYTES: usize = 64 * 1024 * 1024;

/// Tables with more cells than this (rows × columns, in a CSV file or the used range of a
/// worksheet) are refused: memory grows with the cells, not only with the bytes (a file of
/// `1,1,1,…` has a cell every two bytes). A million rows of four columns fit.
pub const MAX_CELLS: usize = 5_000_000;

/// The message for a table over [`MAX_CELLS`].
fn too_many_cells(source: &str, what: &str) -> Diagnostic {
    Diagnostic::file(
        source,
        format!(
            "{what} more than {MAX_CELLS} cells (rows × columns); tables larger than that are not read"
        ),
    )
}

/// One cell. Text is an [`ecow::EcoString`]: cells up to 15 bytes (labels, numbers as
/// written) are stored inline, so a million-row CSV is read without an allocation per cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Number(f64),
    Text(ecow::EcoString),
}

impl Cell {
    /// The cell as it should be printed in a table.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Number(x) => {
                if x.fract() == 0.0 && x.abs() < 1e15 {
                    format!("{}", *x as i64)
                } else {
                    format!("{x}")
                }
            }
            Cell::Text(s) => s.to_string(),
        }
    }

    /// How many decimals the number in the cell was written with ("1140.60" → 2, "1439" → 0,
    /// "1.5e-3" → 4); for numbers read as numbers (spreadsheets, inline rows) those of their
    /// shortest form. `None` for an empty cell or text that is not a number.
    pub fn decimals(&self) -> Option<usize> {
        let shortest;
        let text = match self {
            Cell::Empty => return None,
            Cell::Number(x) if x.is_finite() => {
                shortest = format!("{x}");
                shortest.as_str()
            }
            Cell::Number(_) => return None,
            // Borrowed: the decimals of a column of a million cells are read without copying.
            Cell::Text(s) => {
                let t = trim(s);
                t.parse::<f64>().ok()?;
                t
            }
        };
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], text[i + 1..].parse::<i64>().unwrap_or(0)),
            None => (text, 0),
        };
        let fraction = mantissa.split_once('.').map_or(0, |(_, f)| {
            f.chars().take_while(char::is_ascii_digit).count()
        });
        Some((fraction as i64 - exponent).clamp(0, 400) as usize)
    }

    /// The cell as a number: numbers as they are, text parsed (surrounding spaces ignored).
    pub fn number(&self) -> Result<f64, String> {
        match self {
            Cell::Number(x) => Ok(*x),
            Cell::Empty => Err("the cell is empty; expected a number".into()),
            Cell::Text(s) => {
                let t = trim(s);
                t.parse::<f64>()
                    .map_err(|_| format!("expected a number, found \"{t}\""))
            }
        }
    }
}

/// `s.trim()`, answered without decoding characters when `s` starts and ends with a printable
/// ASCII character (nearly every cell): then there is nothing to trim.
pub fn trim(s: &str) -> &str {
    let solid = |b: u8| b.is_ascii() && !(b as char).is_whitespace();
    match s.as_bytes() {
        [first, .., last] if solid(*first) && solid(*last) => s,
        [only] if solid(*only) => s,
        _ => s.trim(),
    }
}

/// One row with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Line in the file (CSV: physical line; XLSX: sheet row; inline: YAML line).
    pub line: usize,
    pub cells: Cells,
}

/// How many cells a row holds in itself, without an allocation.
const INLINE_CELLS: usize = 4;

/// A row's cells (a slice, by `Deref`): up to [`INLINE_CELLS`] in the row itself, so a million
/// rows of `study,yi,vi` are read without an allocation per row (nor a free per row when
/// the table is dropped); more on the heap.
#[derive(Debug, Clone)]
pub enum Cells {
    Inline {
        len: u8,
        cells: [Cell; INLINE_CELLS],
    },
    Heap(Vec<Cell>),
}

impl std::ops::Deref for Cells {
    type Target = [Cell];
    fn deref(&self) -> &[Cell] {
        match self {
            Cells::Inline { len, cells } => &cells[..usize::from(*len)],
            Cells::Heap(v) => v,
        }
    }
}

impl PartialEq for Cells {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl FromIterator<Cell> for Cells {
    fn from_iter<I: IntoIterator<Item = Cell>>(iter: I) -> Self {
        let mut iter = iter.into_iter();
        let mut cells: [Cell; INLINE_CELLS] = std::array::from_fn(|_| Cell::Empty);
        for (len, slot) in cells.iter_mut().enumerate() {
            match iter.next() {
                Some(c) => *slot = c,
                None => {
                    return Cells::Inline {
                        len: len as u8,
                        cells,
                    };
                }
            }
        }
        match iter.next() {
            None => Cells::Inline {
                len: INLINE_CELLS as u8,
                cells,
            },
            Some(c) => {
                let mut v = Vec::with_capacity(INLINE_CELLS + 1 + iter.size_hint().0);
                v.extend(cells);
                v.push(c);
                v.extend(iter);
                Cells::Heap(v)
            }
        }
    }
}

impl From<Vec<Cell>> for Cells {
    fn from(v: Vec<Cell>) -> Self {
        if v.len() <= INLINE_CELLS {
            v.into_iter().collect()
        } else {
            Cells::Heap(v)
        }
    }
}

/// A table with a header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Where it came from, for messages ("analyses/data/bcg.csv", or the spec for inline rows).
    pub source: String,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// The column names for a message: each cut to 40 characters, at most 40 of them.
    pub fn column_list(&self) -> String {
        const SHOWN: usize = 40;
        let mut names: Vec<String> = self
            .headers
            .iter()
            .take(SHOWN)
            .map(|h| crate::diag::excerpt(h, 40))
            .collect();
        if self.headers.len() > SHOWN {
            names.push(format!("and {} more", self.headers.len() - SHOWN));
        }
        names.join(", ")
    }

    /// Index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    /// A diagnostic at a row and column of this table.
    pub fn error(
        &self,
        row: &Row,
        column: Option<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let mut d = Diagnostic::file(&self.source, message);
        d.line = Some(row.line);
        if let Some(c) = column {
            d.column = Some(c + 1);
            d.field = Some(format!("column `{}`", self.headers[c]));
        }
        d
    }
}

/// Reads a CSV or XLSX file's bytes (the kind is decided by the extension).
pub fn parse(source: &str, bytes: &[u8], sheet: Option<&str>) -> Result<Table, Diagnostic> {
    if bytes.len() > MAX_DATA_BYTES {
        return Err(Diagnostic::file(
            source,
            format!(
                "the file is {:.1} MB; data files larger than {} MB are not read",
                bytes.len() as f64 / 1e6,
                MAX_DATA_BYTES / (1024 * 1024)
            ),
        ));
    }
    if let Some(d) = crate::import::refuse_as_table(source, bytes) {
        return Err(d);
    }
    let lower = source.to_lowercase();
    if lower.ends_with(".xlsx")
        || lower.ends_with(".xlsm")
        || lower.ends_with(".xls")
        || lower.ends_with(".ods")
    {
        let (table, header_line) = parse_spreadsheet(source, bytes, sheet)?;
        check_printable(&table, Some(header_line))?;
        Ok(table)
    } else {
        if sheet.is_some() {
            return Err(Diagnostic::file(
                source,
                "`sheet` applies to spreadsheets (.xlsx), not to CSV files",
            ));
        }
        let table = parse_csv(source, bytes)?;
        // Most files hold no byte that can be part of a forbidden character: their million
        // cells are not looked at again.
        if may_hold_forbidden(bytes) {
            check_printable(&table, Some(1))?;
        }
        Ok(table)
    }
}

fn parse_csv(source: &str, bytes: &[u8]) -> Result<Table, Diagnostic> {
    parse_csv_split(source, bytes, PARALLEL_BYTES)
}

/// [`parse_csv`], reading a file of `parallel_from` bytes or more in two halves in parallel.
fn parse_csv_split(source: &str, bytes: &[u8], parallel_from: usize) -> Result<Table, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        return Err(
            Diagnostic::file(source, "the file is not UTF-8 text (is it a CSV file?)").at(line, 1),
        );
    }
    // Excel saves "CSV" with semicolons (and decimal commas) where the comma is the decimal
    // separator; tab-separated files are common too. The header line decides.
    let header_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let delimiter = if header_line.contains(&b',') {
        b','
    } else if header_line.contains(&b';') {
        b';'
    } else if header_line.contains(&b'\t') {
        b'\t'
    } else {
        b','
    };
    let decimal_comma = delimiter == b';';
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .delimiter(delimiter)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(source, &e))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    if headers.iter().all(String::is_empty) {
        return Err(Diagnostic::file(
            source,
            "the file is empty: expected a header row and one row per study",
        )
        .at(1, 1));
    }
    let mut seen = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(j) = seen.insert(h.as_str(), i) {
            return Err(Diagnostic::file(
                source,
                format!(
                    "column `{h}` appears twice in the header (columns {} and {})",
                    j + 1,
                    i + 1
                ),
            )
            .at(1, 1));
        }
    }
    // A row's cells are allocated once each; the record's buffers are reused.
    let lines = bytes.iter().filter(|&&b| b == b'\n').count();
    let mut rows = Vec::with_capacity(lines.min(MAX_CELLS / headers.len().max(1)));
    let body = reader.position().byte() as usize;
    let reading = Reading {
        source,
        width: headers.len(),
        decimal_comma,
    };
    match parallel_split(bytes, body, lines, headers.len(), parallel_from) {
        None => reading.rows(&mut reader, 0, &mut 0, &mut |line, cells| {
            rows.push(Row {
                line,
                cells: cells.collect(),
            });
        })?,
        Some(split) => {
            // Two halves read side by side, the first line of the second half numbered
            // after the lines of the first; the first error in the file is reported.
            let offset = bytes[..split].iter().filter(|&&b| b == b'\n').count();
            let builder = |has_headers| {
                let mut b = csv::ReaderBuilder::new();
                b.has_headers(has_headers)
                    .flexible(!has_headers)
                    .delimiter(delimiter);
                b
            };
            // The second half's cells come back in one vector and are made rows here: memory
            // allocated by a second thread comes from another of the allocator's arenas, which
            // rows freed later would leave unused.
            let (first, second) = std::thread::scope(|s| {
                let second = s.spawn(|| {
                    let mut cells = Vec::with_capacity((lines - offset + 1) * reading.width);
                    let mut spans = Vec::with_capacity(lines - offset + 1);
                    let mut r = builder(false).from_reader(&bytes[split..]);
                    reading
                        .rows(&mut r, offset, &mut 0, &mut |line, row| {
                            let before = cells.len();
                            cells.extend(row);
                            spans.push((line, cells.len() - before));
                        })
                        .map(|()| (cells, spans))
                });
                let mut r = builder(true).from_reader(&bytes[..split]);
                let first = reading.rows(&mut r, 0, &mut 0, &mut |line, cells| {
                    rows.push(Row {
                        line,
                        cells: cells.collect(),
                    });
                });
                (first, second.join().expect("reading rows does not panic"))
            });
            first?;
            let (cells, spans) = second?;
            let mut cells = cells.into_iter();
            for (line, n) in spans {
                rows.push(Row {
                    line,
                    cells: cells.by_ref().take(n).collect(),
                });
            }
        }
    }
    Ok(Table {
        source: source.to_string(),
        headers,
        rows,
    })
}

/// A CSV file from this size on is read in two halves in parallel (a million rows of
/// `study,yi,vi` in half the time).
const PARALLEL_BYTES: usize = 4 << 20;

/// Where a large CSV file's rows are split for reading in parallel: at a line break near the
/// middle of the rows (after `body`, the first row's byte). Only files without quotes (a quoted
/// cell may hold a line break) and whose every row fits [`MAX_CELLS`] are split.
fn parallel_split(
    bytes: &[u8],
    body: usize,
    lines: usize,
    width: usize,
    parallel_from: usize,
) -> Option<usize> {
    if bytes.len() < parallel_from
        || lines.saturating_mul(width.max(1)) > MAX_CELLS
        || std::thread::available_parallelism().map_or(1, usize::from) < 2
        || bytes.contains(&b'"')
    {
        return None;
    }
    let middle = body + (bytes.len().saturating_sub(body)) / 2;
    let at = middle + bytes.get(middle..)?.iter().position(|&b| b == b'\n')? + 1;
    (at < bytes.len()).then_some(at)
}

/// How the rows of one CSV file are read.
struct Reading<'a> {
    source: &'a str,
    /// The header's number of fields.
    width: usize,
    decimal_comma: bool,
}

impl Reading<'_> {
    /// Each row `reader` holds, given to `row` with its line (shifted by `offset`, the lines
    /// before the reader's first byte) and its cells; cells are counted into `cells_read`. A
    /// reader without the header checks each row's number of fields itself.
    fn rows(
        &self,
        reader: &mut csv::Reader<&[u8]>,
        offset: usize,
        cells_read: &mut usize,
        row: &mut impl FnMut(usize, &mut dyn Iterator<Item = Cell>),
    ) -> Result<(), Diagnostic> {
        let mut record = csv::StringRecord::new();
        let shifted = |mut d: Diagnostic| {
            d.line = d.line.map(|l| l + offset);
            d
        };
        while reader
            .read_record(&mut record)
            .map_err(|e| shifted(csv_error(self.source, &e)))?
        {
            let line = record.position().map_or(0, |p| p.line() as usize) + offset;
            if record.len() != self.width && !reader.has_headers() {
                let mut d = Diagnostic::file(
                    self.source,
                    format!(
                        "this row has {} fields but the header has {}",
                        record.len(),
                        self.width
                    ),
                );
                d.line = Some(line);
                return Err(d);
            }
            *cells_read += record.len().max(1);
            if *cells_read > MAX_CELLS {
                let mut d = too_many_cells(self.source, "the file has");
                d.line = Some(line);
                return Err(d);
            }
            if record.iter().all(|c| trim(c).is_empty()) {
                continue;
            }
            row(
                line,
                &mut record.iter().map(|c| {
                    if trim(c).is_empty() {
                        Cell::Empty
                    } else if self.decimal_comma
                        && let Some(number) = decimal_comma_number(c)
                    {
                        Cell::Text(number.into())
                    } else {
                        Cell::Text(c.into())
                    }
                }),
            );
        }
        Ok(())
    }
}

/// Refuses a table whose header or cells hold a character no figure or document can print
/// (see [`crate::diag::forbidden_char`]), naming the line and column of the first.
fn check_printable(t: &Table, header_line: Option<usize>) -> Result<(), Diagnostic> {
    use crate::diag::{forbidden_char, forbidden_char_message};
    for (i, h) in t.headers.iter().enumerate() {
        if let Some(bad) = forbidden_char(h) {
            let mut d = Diagnostic::file(&t.source, forbidden_char_message("the header", bad));
            d.line = header_line;
            d.column = Some(i + 1);
            return Err(d);
        }
    }
    for row in &t.rows {
        for (i, c) in row.cells.iter().enumerate() {
            if let Cell::Text(text) = c
                && let Some(bad) = forbidden_char(text)
            {
                return Err(t.error(row, Some(i), forbidden_char_message("the cell", bad)));
            }
        }
    }
    Ok(())
}

/// False when no character of `bytes` (UTF-8) can be one [`crate::diag::forbidden_char`]
/// refuses: those are control characters other than tab, line feed and carriage return (one
/// byte each) and U+FFFE, U+FFFF (bytes EF BF BE, EF BF BF). Any 0xEF byte answers true.
fn may_hold_forbidden(bytes: &[u8]) -> bool {
    // Branch-free over each block, so the compiler can vectorise the scan.
    bytes.chunks(1 << 12).any(|block| {
        block.iter().fold(false, |bad, &b| {
            bad | (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') | (b == 0xEF)
        })
    })
}

/// "0,25" as "0.25" when the cell is a number written with a decimal comma.
fn decimal_comma_number(cell: &str) -> Option<String> {
    let t = cell.trim();
    if t.matches(',').count() != 1 || t.contains('.') {
        return None;
    }
    let dotted = t.replace(',', ".");
    dotted.parse::<f64>().is_ok().then_some(dotted)
}

fn csv_error(source: &str, e: &csv::Error) -> Diagnostic {
    let line = e.position().map(|p| p.line() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("this row has {len} fields but the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8 text (is it a CSV file?)".to_string(),
        _ => format!("cannot read the CSV: {e}"),
    };
    let mut d = Diagnostic::file(source, message);
    d.line = line;
    d
}

/// A worksheet as a table, and the line (sheet row) of its header.
fn parse_spreadsheet(
    source: &str,
    bytes: &[u8],
    sheet: Option<&str>,
) -> Result<(Table, usize), Diagnostic> {
    use calamine::{Data, Reader, Xlsx};
    super::sheet_limits::check_archive(source, bytes)?;
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| Diagnostic::file(source, format!("cannot read the spreadsheet: {e}")))?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(Diagnostic::file(
                    source,
                    format!(
                        "no worksheet named \"{s}\" (worksheets: {})",
                        names.join(", ")
                    ),
                ));
            }
            s.to_string()
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Diagnostic::file(source, "the workbook has no worksheets"))?,
    };
    super::sheet_limits::check_cells(source, &mut wb, &name)?;
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| Diagnostic::file(source, format!("cannot read worksheet \"{name}\": {e}")))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut iter = range.rows();
    let headers: Vec<String> = match iter.next() {
        Some(h) => h
            .iter()
            .map(|c| cell_of(c).display().trim().to_string())
            .collect(),
        None => {
            return Err(Diagnostic::file(
                source,
                format!("worksheet \"{name}\" is empty"),
            ));
        }
    };
    let mut rows = Vec::new();
    for (i, r) in iter.enumerate() {
        let cells: Vec<Cell> = r.iter().map(cell_of).collect();
        if cells.iter().all(|c| *c == Cell::Empty) {
            continue;
        }
        rows.push(Row {
            line: first_row as usize + i + 2,
            cells: cells.into(),
        });
    }
    fn cell_of(c: &Data) -> Cell {
        match c {
            Data::Empty => Cell::Empty,
            Data::Float(f) => Cell::Number(*f),
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Bool(b) => Cell::Text(b.to_string().into()),
            Data::String(s) if s.trim().is_empty() => Cell::Empty,
            Data::String(s) => Cell::Text(s.as_str().into()),
            other => Cell::Text(other.to_string().into()),
        }
    }
    Ok((
        Table {
            source: format!("{source} [{name}]"),
            headers,
            rows,
        },
        first_row as usize + 1,
    ))
}

/// A table from rows written inline in a spec (`rows:`), with their YAML lines.
pub fn from_inline(
    source: &str,
    rows: &[BTreeMap<String, serde_json::Value>],
    lines: &[usize],
) -> Result<Table, Diagnostic> {
    let mut headers: Vec<String> = Vec::new();
    for r in rows {
        for k in r.keys() {
            if !headers.contains(k) {
                headers.push(k.clone());
            }
        }
    }
    let mut out = Vec::new();
    for (r, &line) in rows.iter().zip(lines) {
        let cells = headers
            .iter()
            .map(|h| match r.get(h) {
                None | Some(serde_json::Value::Null) => Ok(Cell::Empty),
                Some(serde_json::Value::Number(n)) => {
                    Ok(Cell::Number(n.as_f64().unwrap_or(f64::NAN)))
                }
                Some(serde_json::Value::String(s)) => Ok(Cell::Text(s.as_str().into())),
                Some(serde_json::Value::Bool(b)) => Ok(Cell::Text(b.to_string().into())),
                Some(_) => Err(Diagnostic::file(
                    source,
                    format!("`{h}`: a cell must be a number or text"),
                )
                .at(line, 1)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push(Row {
            line,
            cells: cells.into(),
        });
    }
    let table = Table {
        source: source.to_string(),
        headers,
        rows: out,
    };
    check_printable(&table, None)?;
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::Cell;

    /// The same table, or the same first error, whether a CSV file is read in one piece or
    /// in two halves in parallel: line numbers, blank lines, CRLF, rows of the wrong width.
    #[test]
    fn halves_read_as_the_whole() {
        use super::parse_csv_split;
        let mut body = String::from("study,yi,vi\n");
        for i in 0..400 {
            match i % 50 {
                7 => body.push('\n'),
                13 => body.push_str(" , , \r\n"),
                21 => body.push_str(&format!("S{i},0.{i},\r\n")),
                _ => body.push_str(&format!("S{i}, {i}.25 ,0.0{i}\n")),
            }
        }
        let whole = parse_csv_split("t.csv", body.as_bytes(), usize::MAX).unwrap();
        let halves = parse_csv_split("t.csv", body.as_bytes(), 0).unwrap();
        assert_eq!(whole, halves);
        assert!(whole.rows.len() > 350);
        // An error in the second half: the same message and line.
        for bad in ["S390,1\n", "S390,1,2,3\n", " \n"] {
            let text = format!("{body}{bad}S391,1,1\n");
            let one = parse_csv_split("t.csv", text.as_bytes(), usize::MAX).unwrap_err();
            let two = parse_csv_split("t.csv", text.as_bytes(), 0).unwrap_err();
            assert_eq!(
                (one.message.clone(), one.line),
                (two.message, two.line),
                "{bad}"
            );
            assert_eq!(one.line, Some(text.lines().count() - 1), "{bad}");
        }
    }

    /// The byte scan that lets a CSV file skip the per-cell check finds every forbidden
    /// character the per-cell check does.
    #[test]
    fn byte_scan_finds_forbidden_characters() {
        use super::may_hold_forbidden;
        assert!(!may_hold_forbidden(b"study,yi,vi\r\nA\t1,0.5,0.1\n"));
        assert!(!may_hold_forbidden("Müller 2001,1,2\n".as_bytes()));
        for c in (0u32..0x20).chain([0xFFFE, 0xFFFF]) {
            let c = char::from_u32(c).unwrap();
            if crate::diag::forbidden_char(&c.to_string()).is_some() {
                assert!(may_hold_forbidden(format!("a,b{c},c").as_bytes()), "{c:?}");
            }
        }
    }

    /// Rows of up to four cells hold them in themselves, longer rows on the heap: the same
    /// slice either way.
    #[test]
    fn cells_inline_and_on_the_heap() {
        use super::Cells;
        for n in 0..8 {
            let v: Vec<Cell> = (0..n).map(|i| Cell::Number(i as f64)).collect();
            let collected: Cells = v.clone().into_iter().collect();
            assert_eq!(&*collected, &v[..]);
            assert_eq!(matches!(collected, Cells::Heap(_)), n > 4);
            assert_eq!(Cells::from(v.clone()), collected);
        }
    }

    /// The quick trim is `str::trim`.
    #[test]
    fn trim_as_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "ab",
            "a b",
            "\u{a0}a",
            "a\u{a0}",
            "\u{b}x",
            "x\u{c}",
            "é",
            "aé",
            "\u{1f}a\u{1c}",
            "\t1.5\r",
        ] {
            assert_eq!(super::trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn decimals_as_written() {
        let text = |s: &str| Cell::Text(s.into()).decimals();
        assert_eq!(text("1439"), Some(0));
        assert_eq!(text(" 1140.60 "), Some(2));
        assert_eq!(text("6.8169"), Some(4));
        assert_eq!(text("-0.5"), Some(1));
        assert_eq!(text("1.5e-3"), Some(4));
        assert_eq!(text("2.5E2"), Some(0));
        assert_eq!(text("ten"), None);
        assert_eq!(Cell::Empty.decimals(), None);
        assert_eq!(Cell::Number(12.25).decimals(), Some(2));
        assert_eq!(Cell::Number(3.0).decimals(), Some(0));
        assert_eq!(Cell::Number(f64::NAN).decimals(), None);
    }
}

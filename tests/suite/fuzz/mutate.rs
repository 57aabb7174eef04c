//! Deterministic mutations for the fuzzers: byte-level (flips, interesting bytes, inserts,
//! deletions, duplications, splices) and structure-aware (lines, indentation, numbers, YAML and
//! CSV tokens, and the XML parts of a workbook re-zipped).

use std::io::{Cursor, Read, Write};

/// xorshift64*: a seed gives the same inputs on every machine and in every version.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // SplitMix64 of the seed, so that nearby seeds differ.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// What kind of text a mutation works on (it chooses the tokens inserted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Yaml,
    Csv,
    Xml,
}

const YAML_TOKENS: &[&str] = &[
    ": ",
    "- ",
    "\n",
    "\n  ",
    "\n    - ",
    "#",
    "&a ",
    "*a",
    "<<: *a",
    "!!binary ",
    "!!str ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "|",
    ">-",
    "? ",
    "---\n",
    "...\n",
    "~",
    "null",
    "true",
    ".inf",
    "-.inf",
    ".nan",
    "0x7FFFFFFFFFFFFFFF",
    "1e308",
    "-1e308",
    "1e-320",
    "9007199254740993",
    "99999999999999999999999",
    "-0",
    "\t",
    "\u{2028}",
    "\u{2029}",
    "\u{85}",
    "\u{b}",
    "\u{c}",
    "\u{1b}",
    "\u{0}",
    "\u{fffe}",
    "\\u0000",
    "\\x1b",
    "\"\\",
    "%YAML 1.2\n",
    "%TAG ! tag:x,2000:",
    "{{",
    "}}",
    "{%",
    "#{",
    "$",
    "@",
    "\\",
    "/..",
    "../",
    "/etc/passwd",
    "data/",
    ".csv",
    ".xlsx",
    "outcomes",
    "measure",
    "data",
    "sheet",
    "rows",
    "id",
    "title",
    "model",
    "tau2",
    "subgroups",
    "sensitivity",
    "forest",
    "funnel",
    "label",
    "columns",
    "studies",
    "prisma",
    "exclude",
    "risk_of_bias",
    "meta_regression",
    "gosh",
    "influence",
    "summary_of_findings",
    "submission",
    "conversions",
    "baseline",
    "manuscript",
    "OR",
    "RR",
    "RD",
    "MD",
    "SMD",
    "GEN",
    "HR",
    "ZCOR",
    "PETO_OR",
    "REML",
    "DL",
    "PM",
    "EB",
    "SJ",
    "HE",
    "HS",
    "ML",
    "fixed",
    "random",
    "rule",
    "leave_one_out: true",
    "cumulative: {by: year}",
    "egger: true",
    "trim_and_fill: true",
];

const CSV_TOKENS: &[&str] = &[
    ",",
    ";",
    "\t",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "\r",
    ",,",
    "0",
    "-1",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "inf",
    "-inf",
    "NA",
    "",
    " ",
    "1,5",
    "0.5",
    "2147483648",
    "9007199254740993",
    "99999999999999999999999",
    "\u{feff}",
    "\u{0}",
    "\u{1}",
    "\u{1b}",
    "\u{2028}",
    "\u{fffe}",
    "study",
    "year",
    "events_t",
    "total_t",
    "events_c",
    "total_c",
    "yi",
    "vi",
    "sei",
    "mean_t",
    "sd_t",
    "n_t",
    "mean_c",
    "sd_c",
    "n_c",
    "subgroup",
    "allocation",
    "=1+1",
    "#",
    "'",
];

const XML_TOKENS: &[&str] = &[
    "<c r=\"XFD1048576\"><v>1</v></c>",
    "<c r=\"XFE1\"><v>1</v></c>",
    "<c r=\"A1048577\"><v>1</v></c>",
    "<c r=\"A0\"><v>1</v></c>",
    "<c r=\"ZZZZZ9\"><v>1</v></c>",
    "<c r=\"A99999999999\"><v>1</v></c>",
    "<c r=\"\"><v>1</v></c>",
    "<c><v>7</v></c>",
    "<c t=\"s\"><v>99999</v></c>",
    "<c t=\"s\"><v>-1</v></c>",
    "<c t=\"e\"><v>#DIV/0!</v></c>",
    "<c t=\"b\"><v>1</v></c>",
    "<c t=\"d\"><v>2020-01-01</v></c>",
    "<c s=\"9999\"><v>1</v></c>",
    "<row r=\"1048576\">",
    "<row r=\"1048577\">",
    "<row r=\"0\">",
    "</row>",
    "<dimension ref=\"A1:XFD1048576\"/>",
    "<dimension ref=\"A1:XFE2\"/>",
    "<is><t>",
    "</t></is>",
    "<v>",
    "</v>",
    "<v>1e308</v>",
    "<v>NaN</v>",
    "<f>A1</f>",
    "&amp;",
    "&#0;",
    "&#x1b;",
    "&#xFFFE;",
    "&unknown;",
    "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">]>",
    "<![CDATA[",
    "]]>",
    "<?xml version=\"1.0\"?>",
    "<sheet name=\"S2\" sheetId=\"2\" r:id=\"rId9\"/>",
    "<mergeCell ref=\"A1:XFD1048576\"/>",
    "\"",
    "<",
    ">",
    "/>",
    " r=\"",
    " t=\"inlineStr\"",
];

const INTERESTING_BYTES: &[u8] = &[
    0, 0xFF, b'\n', b'\r', b'"', b'\'', b':', b',', b';', b'-', b'#', b'&', b'*', b'\t', b' ',
    b'{', b'[', b'<', b'>', b'\\', 0x80, 0xC3, 0xE2, 0x7F, 0x1B, b'0', b'9', b'.', b'e',
];

const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "1",
    "-1",
    "0.5",
    "2",
    "1e308",
    "-1e308",
    "1e-300",
    "1e-80",
    "5e-324",
    "1e300",
    "9007199254740993",
    "4294967296",
    "99999999999999999999",
    "NaN",
    ".nan",
    ".inf",
    "-.inf",
    "1048576",
    "1048577",
    "16384",
    "16385",
    "5000000",
    "2147483647",
    "100000",
    "0.0000001",
];

fn tokens(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Yaml => YAML_TOKENS,
        Kind::Csv => CSV_TOKENS,
        Kind::Xml => XML_TOKENS,
    }
}

fn line_starts(b: &[u8]) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        b.iter()
            .enumerate()
            .filter(|(_, c)| **c == b'\n')
            .map(|(i, _)| i + 1)
            .filter(|&i| i < b.len()),
    );
    v
}

/// The line `i` of `b` as a byte range (with its newline).
fn line_range(b: &[u8], starts: &[usize], i: usize) -> (usize, usize) {
    let s = starts[i];
    let e = starts.get(i + 1).copied().unwrap_or(b.len());
    (s, e)
}

/// The byte ranges of the numbers in `b` (runs of digits, with a sign, dot and exponent).
fn numbers(b: &[u8]) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let mut s = i;
            if s > 0 && b[s - 1] == b'-' {
                s -= 1;
            }
            let mut e = i;
            while e < b.len() && (b[e].is_ascii_digit() || matches!(b[e], b'.' | b'e' | b'E')) {
                e += 1;
            }
            v.push((s, e));
            i = e;
        } else {
            i += 1;
        }
    }
    v
}

/// One mutation of `b` in place. `other` is another corpus entry to splice from.
pub fn mutate_once(rng: &mut Rng, b: &mut Vec<u8>, kind: Kind, other: &[u8], max_len: usize) {
    let n = b.len();
    match rng.below(16) {
        // Bit flip.
        0 if n > 0 => {
            let i = rng.below(n);
            b[i] ^= 1 << rng.below(8);
        }
        // An interesting byte.
        1 if n > 0 => {
            let i = rng.below(n);
            b[i] = *rng.pick(INTERESTING_BYTES);
        }
        // Insert a token of the language.
        2..=4 => {
            let t = rng.pick(tokens(kind)).as_bytes();
            let i = rng.below(n + 1);
            b.splice(i..i, t.iter().copied());
        }
        // Delete a range.
        5 if n > 0 => {
            let i = rng.below(n);
            let most = if rng.chance(4) { 256 } else { 16 };
            let len = 1 + rng.below(most).min(n - i - 1);
            b.drain(i..(i + len).min(n));
        }
        // Duplicate a range, sometimes many times (long values, many rows).
        6 if n > 0 => {
            let i = rng.below(n);
            let len = 1 + rng.below(64).min(n - i - 1);
            let chunk: Vec<u8> = b[i..(i + len).min(n)].to_vec();
            let times = if rng.chance(8) {
                1 + rng.below(2000)
            } else {
                1
            };
            let at = rng.below(n + 1);
            let rep: Vec<u8> = chunk.repeat(times);
            b.splice(at..at, rep);
        }
        // Splice: a prefix of this input with a suffix of another.
        7 if !other.is_empty() && n > 0 => {
            let i = rng.below(n);
            let j = rng.below(other.len());
            b.truncate(i);
            b.extend_from_slice(&other[j..]);
        }
        // Lines: delete, duplicate (sometimes many times), swap, re-indent.
        8..=10 if n > 0 => {
            let starts = line_starts(b);
            let li = rng.below(starts.len());
            let (s, e) = line_range(b, &starts, li);
            match rng.below(5) {
                0 => {
                    b.drain(s..e);
                }
                1 => {
                    let mut line = b[s..e].to_vec();
                    if line.last() != Some(&b'\n') {
                        line.push(b'\n');
                    }
                    let times = if rng.chance(6) {
                        1 + rng.below(3000)
                    } else {
                        1
                    };
                    b.splice(s..s, line.repeat(times));
                }
                2 => {
                    let lj = rng.below(starts.len());
                    let (s2, e2) = line_range(b, &starts, lj);
                    if e <= s2 || e2 <= s {
                        let (a, bb) = if s < s2 {
                            ((s, e), (s2, e2))
                        } else {
                            ((s2, e2), (s, e))
                        };
                        let first = b[a.0..a.1].to_vec();
                        let second = b[bb.0..bb.1].to_vec();
                        b.splice(bb.0..bb.1, first);
                        b.splice(a.0..a.1, second);
                    }
                }
                3 => {
                    let pad = rng.below(9);
                    b.splice(s..s, std::iter::repeat_n(b' ', pad));
                }
                _ => {
                    let cut = b[s..e].iter().take_while(|c| **c == b' ').count();
                    let cut = rng.below(cut + 1);
                    b.drain(s..s + cut);
                }
            }
        }
        // Replace a number with an extreme one.
        11..=13 => {
            let nums = numbers(b);
            if !nums.is_empty() {
                let (s, e) = *rng.pick(&nums);
                b.splice(s..e, rng.pick(NUMBERS).bytes());
            }
        }
        // Replace a token of the language with another one.
        _ => {
            let ts = tokens(kind);
            let from = rng.pick(ts).as_bytes();
            if !from.is_empty()
                && let Some(i) = b.windows(from.len()).position(|w| w == from)
            {
                let to = rng.pick(ts).as_bytes();
                b.splice(i..i + from.len(), to.iter().copied());
            }
        }
    }
    if b.len() > max_len {
        b.truncate(max_len);
    }
}

/// One to four stacked mutations of `input`.
pub fn mutate(rng: &mut Rng, input: &[u8], kind: Kind, other: &[u8], max_len: usize) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        mutate_once(rng, &mut b, kind, other, max_len);
    }
    b
}

/// The parts of a zip archive (name, bytes), or `None` when it is not one.
pub fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let mut parts = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).ok()?;
        let mut v = Vec::new();
        (&mut f).take(4 << 20).read_to_end(&mut v).ok()?;
        let name = f
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(f.name_raw()).into_owned());
        parts.push((name, v));
    }
    Some(parts)
}

/// A zip archive of `parts`, deflated or stored.
pub fn zip_parts(parts: &[(String, Vec<u8>)], deflate: bool) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(if deflate {
        zip::CompressionMethod::Deflated
    } else {
        zip::CompressionMethod::Stored
    });
    for (name, bytes) in parts {
        if z.start_file(name.as_str(), opts).is_err() || z.write_all(bytes).is_err() {
            continue;
        }
    }
    z.finish().map(|c| c.into_inner()).unwrap_or_default()
}

/// A mutated workbook: mostly one XML part mutated and the archive re-zipped (so the mutation
/// reaches calamine's XML readers), sometimes a part dropped, renamed or repeated, sometimes the
/// zip's bytes themselves.
pub fn mutate_xlsx(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let Some(mut parts) = unzip(input).filter(|p| !p.is_empty()) else {
        return mutate(rng, input, Kind::Xml, other, 1 << 20);
    };
    match rng.below(12) {
        0 => return mutate(rng, input, Kind::Xml, other, 1 << 20),
        1 => {
            let i = rng.below(parts.len());
            parts.remove(i);
        }
        2 => {
            let i = rng.below(parts.len());
            let mut name = parts[i].0.clone().into_bytes();
            mutate_once(rng, &mut name, Kind::Xml, b"", 200);
            parts[i].0 = String::from_utf8_lossy(&name).into_owned();
        }
        3 => {
            // A part borrowed from the other workbook.
            if let Some(o) = unzip(other).filter(|p| !p.is_empty()) {
                let (name, bytes) = o[rng.below(o.len())].clone();
                match parts.iter_mut().find(|p| p.0 == name) {
                    Some(p) => p.1 = bytes,
                    None => parts.push((name, bytes)),
                }
            }
        }
        _ => {
            // Prefer the worksheets and shared strings: that is where cells are.
            let cells: Vec<usize> = (0..parts.len())
                .filter(|&i| {
                    parts[i].0.contains("worksheets/") || parts[i].0.contains("sharedStrings")
                })
                .collect();
            let i = if !cells.is_empty() && !rng.chance(4) {
                *rng.pick(&cells)
            } else {
                rng.below(parts.len())
            };
            parts[i].1 = mutate(rng, &parts[i].1, Kind::Xml, b"", 1 << 20);
        }
    }
    zip_parts(&parts, !rng.chance(4))
}

//! The document tree the Word writer takes: blocks of inline runs. It is what the typst
//! markup of the manuscript means, minus layout (`markup.rs` builds it from the rendered
//! templates), and could equally be built directly (the PRISMA checklist is).

/// Character formatting of a run.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Fmt {
    pub bold: bool,
    pub italic: bool,
    /// Size in points, when not the paragraph's.
    pub size: Option<f64>,
    /// Monospaced (hashes).
    pub mono: bool,
    /// Grey text (`fill: luma(…)`).
    pub grey: bool,
    pub superscript: bool,
    pub subscript: bool,
    pub small_caps: bool,
    pub underline: bool,
}

/// A piece of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String, Fmt),
    /// A reference to a figure or table by label (resolved to "Figure 2").
    Ref(String, Fmt),
    /// A group of citations by bibliography key, formatted by the citation style.
    Cite(Vec<String>, Fmt),
    LineBreak,
}

/// Horizontal alignment of a paragraph or cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
    Justify,
}

/// A table cell: one paragraph of runs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub content: Vec<Inline>,
    /// Columns the cell spans (`table.cell(colspan: n)`); 0 and 1 both mean one.
    pub span: usize,
    /// Rows the cell spans (`table.cell(rowspan: n)`); 0 and 1 both mean one.
    pub rowspan: usize,
    /// The place of a cell above that spans into this row (Word's `vMerge` continuation):
    /// no content of its own.
    pub merged: bool,
}

impl Cell {
    /// Columns the cell takes (at least one).
    pub fn columns(&self) -> usize {
        self.span.max(1)
    }
}

/// A table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Header rows (repeated on each page), each a list of cells.
    pub header: Vec<Vec<Cell>>,
    pub rows: Vec<Vec<Cell>>,
    /// Alignment per column.
    pub align: Vec<Align>,
    /// Text size in the table, points.
    pub size: Option<f64>,
    /// Ruled as a grid (every cell boxed, as `#set table(stroke: …)` draws it); otherwise the
    /// three rules of a journal table (top, under the header, bottom).
    pub grid: bool,
    /// Per column, its share of the width left by the others when the source gives it in
    /// `fr` (`columns: (auto, auto, 1fr, 0.8fr)`); empty when no column does.
    pub fractions: Vec<Option<f64>>,
}

/// A figure's image: an SVG of the document's files, whole or as windows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Path of the SVG among the document's files.
    pub path: String,
    /// Windows [top, bottom] in the figure's points, stacked (one page of a tall forest plot).
    pub windows: Option<Vec<[f64; 2]>>,
    /// Height the figure may take at most, in points (`fitted`'s `max-height`).
    pub max_height: Option<f64>,
}

/// What a numbered figure holds.
#[derive(Debug, Clone, PartialEq)]
pub enum FigureBody {
    Image(Image),
    Table(Table),
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading {
        level: u8,
        numbered: bool,
        /// Listed in a table of contents.
        outlined: bool,
        content: Vec<Inline>,
    },
    Paragraph {
        content: Vec<Inline>,
        align: Align,
        /// Text size in points, when not the body's.
        size: Option<f64>,
        /// Shaded box (notes).
        shaded: bool,
    },
    /// A numbered figure or table with its caption; `kind` "image" or "table".
    Figure {
        kind: FigureKind,
        body: FigureBody,
        caption: Vec<Inline>,
        label: Option<String>,
        /// Filled in by numbering.
        number: usize,
    },
    /// An image outside a numbered figure (the continuation pages of a forest plot).
    Image(Image),
    /// A table outside a numbered figure.
    Table(Table),
    /// The reference list.
    Bibliography {
        title: Option<Vec<Inline>>,
        /// The citation style as the document names it ("vancouver", "vancouver.csl").
        style: String,
        /// The bibliography file the document names.
        path: String,
        /// The formatted entries (filled by citation processing), a tab after the number.
        entries: Vec<Vec<Inline>>,
    },
    /// A table of contents (headings of level 1), written as plain text.
    Outline {
        title: Vec<Inline>,
    },
    PageBreak,
    /// A section break: the pages from here on are landscape (`true`) or portrait
    /// (`#page(flipped: true)[…]` of a forest plot too wide for a portrait page).
    Section {
        landscape: bool,
    },
    /// A title line (the manuscript's title).
    Title(Vec<Inline>),
}

/// The kind of a numbered figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureKind {
    Image,
    Table,
}

/// A whole document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
    /// Headings are numbered ("1.", "1.1.").
    pub heading_numbering: bool,
    /// The word before a figure's number ("Figure", or "Fig." in the journal style).
    pub figure_supplement: String,
    /// Every page landscape unless a section says otherwise (`#set page(flipped: true)`).
    pub landscape: bool,
    /// Page margins (left and right, top and bottom) in points when the source sets them
    /// (`#set page(margin: (x: 1.6cm, y: 1.6cm))`); else the manuscript's.
    pub margins: Option<(f64, f64)>,
    /// The body text size in points when the source's preamble sets it (`#set text(size:
    /// 9pt)`, as the PRISMA checklist does); else Word's 11 pt.
    pub text_size: Option<f64>,
    /// Constructs of the source that the Word file cannot show (named, with where they are).
    pub warnings: Vec<String>,
}

impl Document {
    /// Numbers figures and tables in order, as typst does (one counter per kind).
    pub fn number(&mut self) {
        let (mut f, mut t) = (0, 0);
        for b in &mut self.blocks {
            if let Block::Figure { kind, number, .. } = b {
                *number = match kind {
                    FigureKind::Image => {
                        f += 1;
                        f
                    }
                    FigureKind::Table => {
                        t += 1;
                        t
                    }
                };
            }
        }
    }

    /// "Figure 2" / "Table 1" for a label, if it names a figure.
    pub fn reference(&self, label: &str) -> Option<String> {
        self.blocks.iter().find_map(|b| match b {
            Block::Figure {
                kind,
                label: Some(l),
                number,
                ..
            } if l == label => Some(match kind {
                FigureKind::Image => format!("{} {number}", self.figure_supplement),
                FigureKind::Table => format!("Table {number}"),
            }),
            _ => None,
        })
    }

    /// Every label of a numbered figure or table.
    pub fn labels(&self) -> Vec<&str> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Figure { label: Some(l), .. } => Some(l.as_str()),
                _ => None,
            })
            .collect()
    }

    /// The figures (images) in order: (number, label, SVG path).
    pub fn figures(&self) -> Vec<(usize, Option<&str>, &str)> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Figure {
                    kind: FigureKind::Image,
                    body: FigureBody::Image(img),
                    label,
                    number,
                    ..
                } => Some((*number, label.as_deref(), img.path.as_str())),
                _ => None,
            })
            .collect()
    }

    /// The plain text of the whole document (headings, paragraphs, captions, cells), citations
    /// and references as their keys: for tests and checks.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            match b {
                Block::Heading { content, .. }
                | Block::Paragraph { content, .. }
                | Block::Title(content) => {
                    out.push_str(&plain(content));
                    out.push('\n');
                }
                Block::Figure { caption, body, .. } => {
                    out.push_str(&plain(caption));
                    out.push('\n');
                    if let FigureBody::Table(t) = body {
                        table_text(t, &mut out);
                    }
                }
                Block::Table(t) => table_text(t, &mut out),
                _ => {}
            }
        }
        out
    }
}

fn table_text(t: &Table, out: &mut String) {
    for row in t.header.iter().chain(&t.rows) {
        let cells: Vec<String> = row.iter().map(|c| plain(&c.content)).collect();
        out.push_str(&cells.join("\t"));
        out.push('\n');
    }
}

/// The text of runs (references and citations as `@key`).
pub fn plain(content: &[Inline]) -> String {
    let mut s = String::new();
    for i in content {
        match i {
            Inline::Text(t, _) => s.push_str(t),
            Inline::Ref(l, _) => {
                s.push('@');
                s.push_str(l);
            }
            Inline::Cite(keys, _) => {
                for k in keys {
                    s.push('@');
                    s.push_str(k);
                }
            }
            Inline::LineBreak => s.push('\n'),
        }
    }
    s
}

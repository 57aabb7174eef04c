//! typst markup → [`Document`]: the subset of typst the manuscript templates emit, read with
//! typst's own parser (`typst-syntax`), so the Word file says what the PDF says.
//!
//! Understood: headings (`=`, `#heading(level:, numbering:)[…]`), paragraphs with strong,
//! emphasis, smart quotes, escapes and shorthands; `@label` (figure and table numbers) and
//! `@key` (citations); `#text(size:, fill:, font:, weight:)[…]`, `#strong`, `#emph`,
//! `#block(fill:)[…]`, `#align(center)[…]`, `#page(…)[…]` (its content; `flipped:` makes it a
//! section of its own in that orientation); `#figure(table(…) |
//! fitted("…") | image("…") | sliced(…), caption: […], kind: table) <label>`; `#table(…)` with
//! `table.header`, `table.hline`, `table.cell`, `..kept-rows(((…), …))` and 0pt columns;
//! `#sliced(…)` (a page of a tall forest plot); `#bibliography(…)`; `#outline(…)`;
//! `#pagebreak()`; `#v`, `#h`, `#linebreak()`. `#set` and `#show` rules are layout and are
//! passed over, except `set heading(numbering: …)` and the figure supplement ("Fig.") of the
//! journal style; `#let` defines the templates' helpers. Anything else is left out with a
//! warning that names it — a user's template may use more than the built-in ones.

use typst_syntax::ast::{self, AstNode, Expr};

use super::doc::*;

/// Reads typst markup into a document (numbered, references not yet resolved).
pub fn read(source: &str) -> Document {
    let root = typst_syntax::parse(source);
    let mut w = Walker {
        doc: Document {
            figure_supplement: "Figure".into(),
            ..Default::default()
        },
        para: Vec::new(),
        table_grid: false,
    };
    if let Some(markup) = root.cast::<ast::Markup>() {
        let mut ctx = Ctx::default();
        w.markup(markup, &mut ctx);
    }
    w.flush(&Ctx::default());
    let mut doc = w.doc;
    doc.number();
    doc
}

/// The paragraph settings in effect.
#[derive(Debug, Clone, Copy, Default)]
struct Ctx {
    fmt: Fmt,
    align: Align,
    shaded: bool,
    /// Inside a heading/caption/cell: blocks are not allowed, everything is inline.
    inline_only: bool,
}

struct Walker {
    doc: Document,
    para: Vec<Inline>,
    /// `#set table(stroke: …)` in effect (not `none`): tables are ruled as a grid.
    table_grid: bool,
}

/// Whether a `stroke:` value draws lines (anything but `none` or a zero length).
fn strokes(e: Expr) -> bool {
    !matches!(e, Expr::None(_)) && length_pt(e) != Some(0.0)
}

fn text_of(node: &typst_syntax::SyntaxNode) -> String {
    let t = node.full_text().to_string();
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > 60 {
        format!("{}…", t.chars().take(60).collect::<String>())
    } else {
        t
    }
}

fn call_name(call: ast::FuncCall) -> String {
    match call.callee() {
        Expr::Ident(i) => i.as_str().to_string(),
        Expr::FieldAccess(fa) => match fa.target() {
            Expr::Ident(t) => format!("{}.{}", t.as_str(), fa.field().as_str()),
            _ => fa.field().as_str().to_string(),
        },
        other => text_of(other.to_untyped()),
    }
}

fn named<'a>(call: ast::FuncCall<'a>, name: &str) -> Option<Expr<'a>> {
    call.args().items().find_map(|a| match a {
        ast::Arg::Named(n) if n.name().as_str() == name => Some(n.expr()),
        _ => None,
    })
}

fn positional(call: ast::FuncCall<'_>) -> Vec<Expr<'_>> {
    call.args()
        .items()
        .filter_map(|a| match a {
            ast::Arg::Pos(e) => Some(e),
            _ => None,
        })
        .collect()
}

fn string(e: Expr) -> Option<String> {
    match e {
        Expr::Str(s) => Some(s.get().to_string()),
        _ => None,
    }
}

/// A length in points (pt, mm, cm, in), if the expression is one.
fn length_pt(e: Expr) -> Option<f64> {
    match e {
        Expr::Numeric(n) => {
            let (v, unit) = n.get();
            match unit {
                ast::Unit::Pt => Some(v),
                ast::Unit::Mm => Some(v * 72.0 / 25.4),
                ast::Unit::Cm => Some(v * 72.0 / 2.54),
                ast::Unit::In => Some(v * 72.0),
                _ => None,
            }
        }
        Expr::Int(i) => Some(i.get() as f64),
        Expr::Float(f) => Some(f.get()),
        _ => None,
    }
}

fn number(e: Expr) -> Option<f64> {
    match e {
        Expr::Int(i) => Some(i.get() as f64),
        Expr::Float(f) => Some(f.get()),
        Expr::Unary(u) if matches!(u.op(), ast::UnOp::Neg) => number(u.expr()).map(|v| -v),
        _ => None,
    }
}

fn align_of(e: Expr) -> Option<Align> {
    let name = match e {
        Expr::Ident(i) => i.as_str().to_string(),
        _ => text_of(e.to_untyped()),
    };
    match name.as_str() {
        "left" | "start" => Some(Align::Left),
        "center" | "center + horizon" | "horizon + center" => Some(Align::Center),
        "right" | "end" => Some(Align::Right),
        _ => None,
    }
}

impl Walker {
    fn warn(&mut self, what: String) {
        if !self.doc.warnings.contains(&what) {
            self.doc.warnings.push(what);
        }
    }

    fn push(&mut self, inline: Inline) {
        if let Inline::Text(t, f) = &inline {
            if t.is_empty() {
                return;
            }
            // Merge runs of the same format.
            if let Some(Inline::Text(last, lf)) = self.para.last_mut()
                && lf == f
            {
                last.push_str(t);
                return;
            }
        }
        self.para.push(inline);
    }

    fn space(&mut self, ctx: &Ctx) {
        let ends_with_space = match self.para.last() {
            None => true,
            Some(Inline::Text(t, _)) => t.ends_with(' '),
            Some(Inline::LineBreak) => true,
            _ => false,
        };
        if !ends_with_space {
            self.push(Inline::Text(" ".into(), ctx.fmt));
        }
    }

    /// Ends the current paragraph.
    fn flush(&mut self, ctx: &Ctx) {
        let content = trim(std::mem::take(&mut self.para));
        if !content.is_empty() {
            self.doc.blocks.push(Block::Paragraph {
                content,
                align: ctx.align,
                size: ctx.fmt.size,
                shaded: ctx.shaded,
            });
        }
    }

    fn block(&mut self, b: Block, ctx: &Ctx) {
        self.flush(ctx);
        self.doc.blocks.push(b);
    }

    fn markup(&mut self, m: ast::Markup, ctx: &mut Ctx) {
        for e in m.exprs() {
            self.expr(e, ctx);
        }
    }

    /// The runs of a piece of markup, as a paragraph's content (headings, captions, cells).
    fn inline_markup(&mut self, m: ast::Markup, ctx: &Ctx) -> Vec<Inline> {
        let saved = std::mem::take(&mut self.para);
        let mut inner = Ctx {
            inline_only: true,
            ..*ctx
        };
        self.markup(m, &mut inner);
        trim(std::mem::replace(&mut self.para, saved))
    }

    fn inline_expr(&mut self, e: Expr, ctx: &Ctx) -> Vec<Inline> {
        let saved = std::mem::take(&mut self.para);
        let mut inner = Ctx {
            inline_only: true,
            ..*ctx
        };
        self.expr(e, &mut inner);
        trim(std::mem::replace(&mut self.para, saved))
    }

    fn expr(&mut self, e: Expr, ctx: &mut Ctx) {
        match e {
            Expr::Text(t) => self.push(Inline::Text(t.get().to_string(), ctx.fmt)),
            Expr::Space(s) => {
                // A blank line inside a space is a paragraph break.
                if s.to_untyped().full_text().matches('\n').count() >= 2 {
                    self.parbreak(ctx);
                } else {
                    self.space(ctx);
                }
            }
            Expr::Parbreak(_) => self.parbreak(ctx),
            Expr::Linebreak(_) => self.push(Inline::LineBreak),
            Expr::Escape(x) => self.push(Inline::Text(x.get().to_string(), ctx.fmt)),
            Expr::Shorthand(x) => self.push(Inline::Text(x.get().to_string(), ctx.fmt)),
            Expr::SmartQuote(q) => {
                let opening = match self.para.last() {
                    None | Some(Inline::LineBreak) => true,
                    Some(Inline::Text(t, _)) => t
                        .chars()
                        .last()
                        .is_none_or(|c| c.is_whitespace() || "([{‘“".contains(c)),
                    _ => false,
                };
                let c = match (q.double(), opening) {
                    (true, true) => '“',
                    (true, false) => '”',
                    (false, true) => '‘',
                    (false, false) => '’',
                };
                self.push(Inline::Text(c.to_string(), ctx.fmt));
            }
            Expr::Strong(s) => {
                let mut inner = *ctx;
                inner.fmt.bold = true;
                self.markup(s.body(), &mut inner);
            }
            Expr::Emph(s) => {
                let mut inner = *ctx;
                inner.fmt.italic = true;
                self.markup(s.body(), &mut inner);
            }
            Expr::Raw(r) => {
                let text: Vec<String> = r.lines().map(|l| l.get().to_string()).collect();
                let mut f = ctx.fmt;
                f.mono = true;
                self.push(Inline::Text(text.join(" "), f));
            }
            Expr::Ref(r) => self.push(Inline::Ref(r.target().to_string(), ctx.fmt)),
            Expr::Label(l) => {
                let name = l.get().to_string();
                if let Some(Block::Figure { label, .. }) = self.doc.blocks.last_mut()
                    && label.is_none()
                    && self
                        .para
                        .iter()
                        .all(|i| matches!(i, Inline::Text(t, _) if t.trim().is_empty()))
                {
                    *label = Some(name);
                } else {
                    self.warn(format!(
                        "the label <{name}> is not after a figure or table: it is ignored"
                    ));
                }
            }
            Expr::Heading(h) => {
                let content = self.inline_markup(h.body(), ctx);
                self.block(
                    Block::Heading {
                        level: h.depth().get().min(9) as u8,
                        numbered: self.doc.heading_numbering,
                        outlined: true,
                        content,
                    },
                    ctx,
                );
            }
            Expr::ContentBlock(cb) => self.markup(cb.body(), ctx),
            Expr::FuncCall(call) => self.call(call, ctx),
            Expr::SetRule(set) => self.set_rule(set),
            Expr::ShowRule(show) => {
                let text = show.to_untyped().full_text().to_string();
                if text.contains("figure.where(kind: image)")
                    && let Some(at) = text.find("supplement: [")
                {
                    let rest = &text[at + "supplement: [".len()..];
                    if let Some(end) = rest.find(']') {
                        self.doc.figure_supplement = rest[..end].to_string();
                    }
                }
            }
            Expr::LetBinding(_) | Expr::ModuleImport(_) | Expr::None(_) | Expr::Auto(_) => {}
            Expr::Str(s) => self.push(Inline::Text(s.get().to_string(), ctx.fmt)),
            Expr::Int(_) | Expr::Float(_) => {
                self.push(Inline::Text(text_of(e.to_untyped()), ctx.fmt))
            }
            Expr::Equation(eq) => {
                self.warn(format!(
                    "a formula (`{}`) is written as plain text",
                    text_of(eq.to_untyped())
                ));
                let t = text_of(eq.to_untyped());
                self.push(Inline::Text(
                    t.trim_matches('$').trim().to_string(),
                    ctx.fmt,
                ));
            }
            Expr::CodeBlock(cb) => {
                for inner in cb.body().exprs() {
                    self.expr(inner, ctx);
                }
            }
            other => {
                let text = text_of(other.to_untyped());
                if !text.trim().is_empty() {
                    self.warn(format!(
                        "`{text}` is not understood by the Word writer: it is left out"
                    ));
                }
            }
        }
    }

    /// A paragraph break: a new paragraph, or inside a cell or caption (one paragraph in
    /// Word) a line break, as the PDF starts a new line there (a Summary of Findings table's
    /// footnotes).
    fn parbreak(&mut self, ctx: &Ctx) {
        if !ctx.inline_only {
            self.flush(ctx);
        } else if !matches!(self.para.last(), None | Some(Inline::LineBreak)) {
            self.push(Inline::LineBreak);
        }
    }

    fn set_rule(&mut self, set: ast::SetRule) {
        // The body text size, from the preamble only (before any text): a later `#set text`
        // belongs to a block (the PDF's tables and notes), whose Word styles have their sizes.
        if let Expr::Ident(i) = set.target()
            && i.as_str() == "text"
            && self.doc.blocks.is_empty()
            && self.para.is_empty()
            && self.doc.text_size.is_none()
            && let Some(size) = set_text_size(set)
        {
            self.doc.text_size = Some(size);
        }
        if let Expr::Ident(i) = set.target()
            && i.as_str() == "page"
            && let Some(Expr::Bool(b)) = set.args().items().find_map(|a| match a {
                ast::Arg::Named(n) if n.name().as_str() == "flipped" => Some(n.expr()),
                _ => None,
            })
        {
            self.doc.landscape = b.get();
        }
        if let Expr::Ident(i) = set.target()
            && i.as_str() == "page"
            && let Some(m) = set.args().items().find_map(|a| match a {
                ast::Arg::Named(n) if n.name().as_str() == "margin" => Some(n.expr()),
                _ => None,
            })
        {
            // `margin: 2cm` or `margin: (x: 1.6cm, y: 1.6cm)`.
            let (mut x, mut y) = (length_pt(m), length_pt(m));
            if let Expr::Dict(d) = m {
                for item in d.items() {
                    if let ast::DictItem::Named(n) = item {
                        match n.name().as_str() {
                            "x" => x = length_pt(n.expr()),
                            "y" => y = length_pt(n.expr()),
                            _ => {}
                        }
                    }
                }
            }
            if let (Some(x), Some(y)) = (x, y)
                && (0.0..=200.0).contains(&x)
                && (0.0..=200.0).contains(&y)
            {
                self.doc.margins = Some((x, y));
            }
        }
        if let Expr::Ident(i) = set.target()
            && i.as_str() == "table"
        {
            for a in set.args().items() {
                if let ast::Arg::Named(n) = a
                    && n.name().as_str() == "stroke"
                {
                    self.table_grid = strokes(n.expr());
                }
            }
        }
        if let Expr::Ident(i) = set.target()
            && i.as_str() == "heading"
        {
            for a in set.args().items() {
                if let ast::Arg::Named(n) = a
                    && n.name().as_str() == "numbering"
                {
                    self.doc.heading_numbering = !matches!(n.expr(), Expr::None(_));
                }
            }
        }
    }

    fn call(&mut self, call: ast::FuncCall, ctx: &mut Ctx) {
        let name = call_name(call);
        let body = || {
            call.args().items().filter_map(|a| match a {
                ast::Arg::Pos(Expr::ContentBlock(cb)) => Some(cb.body()),
                _ => None,
            })
        };
        match name.as_str() {
            "text" | "strong" | "emph" | "underline" | "smallcaps" | "super" | "sub"
            | "highlight" => {
                let mut inner = *ctx;
                match name.as_str() {
                    "strong" => inner.fmt.bold = true,
                    "emph" => inner.fmt.italic = true,
                    "underline" => inner.fmt.underline = true,
                    "smallcaps" => inner.fmt.small_caps = true,
                    "super" => inner.fmt.superscript = true,
                    "sub" => inner.fmt.subscript = true,
                    _ => {}
                }
                if let Some(s) = named(call, "size").and_then(length_pt) {
                    inner.fmt.size = Some(s);
                }
                if let Some(Expr::FuncCall(fill)) = named(call, "fill")
                    && call_name(fill) == "luma"
                {
                    inner.fmt.grey = true;
                }
                if let Some(f) = named(call, "font").and_then(string)
                    && f.to_lowercase().contains("mono")
                {
                    inner.fmt.mono = true;
                }
                if let Some(w) = named(call, "weight").and_then(string)
                    && w == "bold"
                {
                    inner.fmt.bold = true;
                }
                for a in call.args().items() {
                    match a {
                        ast::Arg::Pos(Expr::ContentBlock(cb)) => self.markup(cb.body(), &mut inner),
                        ast::Arg::Pos(Expr::Str(s)) => {
                            self.push(Inline::Text(s.get().to_string(), inner.fmt))
                        }
                        _ => {}
                    }
                }
            }
            "page"
                if !ctx.inline_only
                    && let Some(Expr::Bool(flipped)) = named(call, "flipped") =>
            {
                // A page of its own in another orientation: a section of the Word file.
                self.flush(ctx);
                let restore = self.doc.landscape;
                self.doc.blocks.push(Block::Section {
                    landscape: flipped.get(),
                });
                let mut inner = *ctx;
                for m in body() {
                    self.markup(m, &mut inner);
                }
                self.flush(&inner);
                self.doc.blocks.push(Block::Section { landscape: restore });
            }
            "block" | "align" | "page" | "box" | "pad" => {
                let mut inner = *ctx;
                if name == "align"
                    && let Some(a) = positional(call).into_iter().find_map(align_of)
                {
                    inner.align = a;
                }
                if name == "block" && named(call, "fill").is_some() {
                    inner.shaded = true;
                }
                if inner.inline_only {
                    for m in body() {
                        self.markup(m, &mut inner);
                    }
                    return;
                }
                self.flush(ctx);
                for m in body() {
                    self.markup(m, &mut inner);
                }
                // Non-content positional arguments (`align(center, image(…))`).
                for e in positional(call) {
                    if let Expr::FuncCall(c) = e {
                        self.call(c, &mut inner);
                    }
                }
                self.flush(&inner);
            }
            // Vertical space ends the paragraph in typst (a title above its subtitle); Word
            // gets the paragraph break, not the space.
            "v" if !ctx.inline_only => self.flush(ctx),
            "v" | "colbreak" => {}
            "h" => self.space(ctx),
            "linebreak" => self.push(Inline::LineBreak),
            "pagebreak" => {
                let weak = matches!(named(call, "weak"), Some(Expr::Bool(b)) if b.get());
                self.flush(ctx);
                let at_start = self.doc.blocks.is_empty()
                    || matches!(self.doc.blocks.last(), Some(Block::PageBreak));
                if !(weak && at_start) {
                    self.doc.blocks.push(Block::PageBreak);
                }
            }
            "heading" => {
                let level = named(call, "level")
                    .and_then(number)
                    .map_or(1, |v| v.clamp(1.0, 9.0) as u8);
                let numbered = match named(call, "numbering") {
                    Some(Expr::None(_)) => false,
                    Some(_) => true,
                    None => self.doc.heading_numbering,
                };
                let outlined = !matches!(named(call, "outlined"), Some(Expr::Bool(b)) if !b.get());
                let mut content = Vec::new();
                for m in body() {
                    content.extend(self.inline_markup(m, ctx));
                }
                self.block(
                    Block::Heading {
                        level,
                        numbered,
                        outlined,
                        content,
                    },
                    ctx,
                );
            }
            "figure" => self.figure(call, ctx),
            "table" => {
                if let Some(t) = self.table(call, ctx) {
                    self.block(Block::Table(t), ctx);
                }
            }
            "image" | "fitted" | "sliced" => {
                if let Some(img) = self.image(call) {
                    self.block(Block::Image(img), ctx);
                }
            }
            "bibliography" => {
                let path = positional(call)
                    .into_iter()
                    .find_map(string)
                    .unwrap_or_default();
                let title = match named(call, "title") {
                    Some(Expr::ContentBlock(cb)) => Some(self.inline_markup(cb.body(), ctx)),
                    Some(Expr::None(_)) => None,
                    _ => Some(vec![Inline::Text("Bibliography".into(), Fmt::default())]),
                };
                let style = named(call, "style")
                    .and_then(string)
                    .unwrap_or_else(|| "ieee".into());
                self.block(
                    Block::Bibliography {
                        title,
                        style,
                        path,
                        entries: Vec::new(),
                    },
                    ctx,
                );
            }
            "outline" => {
                let title = match named(call, "title") {
                    Some(Expr::ContentBlock(cb)) => self.inline_markup(cb.body(), ctx),
                    _ => vec![Inline::Text("Contents".into(), Fmt::default())],
                };
                self.block(Block::Outline { title }, ctx);
            }
            "link" => {
                let url = positional(call).into_iter().find_map(string);
                let mut any = false;
                for m in body() {
                    any = true;
                    self.markup(m, ctx);
                }
                if !any && let Some(u) = url {
                    self.push(Inline::Text(u, ctx.fmt));
                }
            }
            "place" | "hide" | "layout" | "context" | "counter" | "metadata" | "state" => {
                self.warn(format!(
                    "`#{}` is layout the Word writer does not reproduce: it is left out",
                    text_of(call.to_untyped())
                ));
            }
            _ => {
                self.warn(format!(
                    "`#{}` is not understood by the Word writer: it is left out",
                    text_of(call.to_untyped())
                ));
            }
        }
    }

    fn image(&mut self, call: ast::FuncCall) -> Option<Image> {
        let name = call_name(call);
        let pos = positional(call);
        let path = pos.first().copied().and_then(string)?;
        let max_height = named(call, "max-height").and_then(length_pt);
        let windows = if name == "sliced" {
            // sliced(path, width, height, ((top, bottom), …))
            let Some(Expr::Array(arr)) = pos.get(3).copied() else {
                self.warn(format!("`#{}`: its windows are not a list of (top, bottom) pairs; the whole figure is shown", text_of(call.to_untyped())));
                return Some(Image {
                    path,
                    windows: None,
                    max_height,
                });
            };
            let mut ws = Vec::new();
            for item in arr.items() {
                if let ast::ArrayItem::Pos(Expr::Array(pair)) = item {
                    let v: Vec<f64> = pair
                        .items()
                        .filter_map(|i| match i {
                            ast::ArrayItem::Pos(e) => number(e),
                            _ => None,
                        })
                        .collect();
                    if let [a, b] = v[..] {
                        ws.push([a, b]);
                    }
                }
            }
            Some(ws)
        } else {
            None
        };
        Some(Image {
            path,
            windows,
            max_height,
        })
    }

    /// The table or image a figure holds: `figure(table(…))`, `figure([#image(…)])`, or one
    /// inside layout wrappers the PDF uses (`block(width: 100%)[#set text(…) #table(…)]`,
    /// `box`, `align`, `pad`), looked for a few levels deep.
    fn figure_body(&mut self, e: Expr, ctx: &Ctx, depth: usize) -> Option<FigureBody> {
        if depth > 4 {
            return None;
        }
        match e {
            Expr::FuncCall(c) => match call_name(c).as_str() {
                "table" => self.table(c, ctx).map(FigureBody::Table),
                "image" | "fitted" | "sliced" => self.image(c).map(FigureBody::Image),
                "block" | "box" | "align" | "pad" => positional(c)
                    .into_iter()
                    .find_map(|a| self.figure_body(a, ctx, depth + 1)),
                _ => None,
            },
            Expr::ContentBlock(cb) => {
                // A `#set text(size: …)` before the table in the same block sets the table's
                // text size (the Summary of Findings table's 7.5 pt), as it does in the PDF.
                let mut size = None;
                for x in cb.body().exprs() {
                    if let Expr::SetRule(s) = x {
                        size = set_text_size(s).or(size);
                        continue;
                    }
                    if let Some(mut b) = self.figure_body(x, ctx, depth + 1) {
                        if let FigureBody::Table(t) = &mut b
                            && t.size.is_none()
                        {
                            t.size = size;
                        }
                        return Some(b);
                    }
                }
                None
            }
            _ => None,
        }
    }

    fn figure(&mut self, call: ast::FuncCall, ctx: &Ctx) {
        let kind = match named(call, "kind") {
            Some(Expr::Ident(i)) if i.as_str() == "table" => Some(FigureKind::Table),
            Some(Expr::Ident(i)) if i.as_str() == "image" => Some(FigureKind::Image),
            _ => None,
        };
        let caption = match named(call, "caption") {
            Some(Expr::ContentBlock(cb)) => self.inline_markup(cb.body(), ctx),
            Some(e) => self.inline_expr(e, ctx),
            None => Vec::new(),
        };
        let body = positional(call)
            .into_iter()
            .next()
            .and_then(|e| self.figure_body(e, ctx, 0));
        let Some(body) = body else {
            self.warn(format!(
                "the figure `#{}` holds neither a table nor an image the Word writer understands: it is left out",
                text_of(call.to_untyped())
            ));
            return;
        };
        let kind = kind.unwrap_or(match body {
            FigureBody::Table(_) => FigureKind::Table,
            FigureBody::Image(_) => FigureKind::Image,
        });
        self.block(
            Block::Figure {
                kind,
                body,
                caption,
                label: None,
                number: 0,
            },
            ctx,
        );
    }

    fn cell(&mut self, e: Expr, ctx: &Ctx) -> Option<Cell> {
        match e {
            Expr::ContentBlock(cb) => Some(Cell {
                content: self.inline_markup(cb.body(), ctx),
                span: 1,
                ..Cell::default()
            }),
            Expr::FuncCall(c) => match call_name(c).as_str() {
                "table.hline" | "table.vline" => None,
                "table.cell" => {
                    let mut content = Vec::new();
                    for a in c.args().items() {
                        if let ast::Arg::Pos(p) = a {
                            content.extend(self.inline_expr(p, ctx));
                        }
                    }
                    // At most the table's 1000 columns (a hostile template's span is bounded).
                    let span = named(c, "colspan")
                        .and_then(number)
                        .map_or(1, |v| v.clamp(1.0, 1000.0) as usize);
                    // Rows likewise bounded (the table's rows are bounded by its cells).
                    let rowspan = named(c, "rowspan")
                        .and_then(number)
                        .map_or(1, |v| v.clamp(1.0, 1000.0) as usize);
                    Some(Cell {
                        content,
                        span,
                        rowspan,
                        merged: false,
                    })
                }
                _ => Some(Cell {
                    content: self.inline_expr(e, ctx),
                    span: 1,
                    ..Cell::default()
                }),
            },
            Expr::Str(_) | Expr::Int(_) | Expr::Float(_) => Some(Cell {
                content: self.inline_expr(e, ctx),
                span: 1,
                ..Cell::default()
            }),
            other => {
                self.warn(format!(
                    "the table cell `{}` is not understood by the Word writer: it is left empty",
                    text_of(other.to_untyped())
                ));
                Some(Cell::default())
            }
        }
    }

    fn table(&mut self, call: ast::FuncCall, ctx: &Ctx) -> Option<Table> {
        // Columns: a count or a list of widths; 0pt columns are the templates' invisible
        // helpers (`kept-rows`) and are left out.
        // Columns given in `fr` share the width the others leave, in these proportions.
        let mut fractions: Vec<Option<f64>> = match named(call, "columns") {
            Some(Expr::Array(a)) => a
                .items()
                .filter_map(|i| match i {
                    ast::ArrayItem::Pos(e) if length_pt(e) == Some(0.0) => None,
                    ast::ArrayItem::Pos(Expr::Numeric(n)) => {
                        let (v, unit) = n.get();
                        (unit == ast::Unit::Fr && v > 0.0 && v.is_finite()).then_some(Some(v))
                    }
                    _ => Some(None),
                })
                .collect(),
            _ => Vec::new(),
        };
        if fractions.iter().all(Option::is_none) {
            fractions.clear();
        }
        let (ncols, hidden): (usize, Vec<bool>) = match named(call, "columns") {
            Some(Expr::Int(n)) => (
                n.get().max(1) as usize,
                vec![false; n.get().max(1) as usize],
            ),
            Some(Expr::Array(a)) => {
                let h: Vec<bool> = a
                    .items()
                    .map(|i| match i {
                        ast::ArrayItem::Pos(e) => length_pt(e) == Some(0.0),
                        _ => false,
                    })
                    .collect();
                (h.len().max(1), h)
            }
            _ => (1, vec![false]),
        };
        // Cells in order → rows of `ncols` columns (a cell spanning n columns takes n), the
        // cells that start in a hidden column left out.
        let into_rows = |cells: Vec<Cell>| -> Vec<Vec<Cell>> {
            let mut rows = Vec::new();
            let mut row = Vec::new();
            let mut col = 0;
            // Per column: rows a cell above still covers, and the columns that cell spans.
            let mut covered: Vec<(usize, usize)> = vec![(0, 1); ncols];
            // The places of cells above that span into this row, as typst skips them.
            let skip_covered =
                |row: &mut Vec<Cell>, col: &mut usize, covered: &mut Vec<(usize, usize)>| {
                    while *col < ncols && covered[*col].0 > 0 {
                        let (left, n) = covered[*col];
                        if !hidden.get(*col).copied().unwrap_or(false) {
                            row.push(Cell {
                                span: n,
                                merged: true,
                                ..Cell::default()
                            });
                        }
                        for c in covered.iter_mut().skip(*col).take(n) {
                            c.0 = left - 1;
                        }
                        *col += n.max(1);
                    }
                };
            let mut cells = cells.into_iter().peekable();
            while cells.peek().is_some() {
                skip_covered(&mut row, &mut col, &mut covered);
                if col >= ncols {
                    rows.push(std::mem::take(&mut row));
                    col = 0;
                    continue;
                }
                let Some(c) = cells.next() else { break };
                let n = c.columns().min(ncols - col);
                if c.rowspan > 1 {
                    for k in covered.iter_mut().skip(col).take(n) {
                        *k = (c.rowspan - 1, n);
                    }
                }
                if !hidden.get(col).copied().unwrap_or(false) {
                    row.push(c);
                }
                col += n;
                skip_covered(&mut row, &mut col, &mut covered);
                if col >= ncols {
                    rows.push(std::mem::take(&mut row));
                    col = 0;
                }
            }
            if !row.is_empty() {
                rows.push(row);
            }
            rows
        };
        let align: Vec<Align> = match named(call, "align") {
            Some(Expr::Array(a)) => a
                .items()
                .filter_map(|i| match i {
                    ast::ArrayItem::Pos(e) => Some(align_of(e).unwrap_or_default()),
                    _ => None,
                })
                .collect(),
            Some(e) => vec![align_of(e).unwrap_or_default(); ncols],
            None => vec![Align::Left; ncols],
        };
        let align: Vec<Align> = align
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !hidden.get(*i).copied().unwrap_or(false))
            .map(|(_, a)| a)
            .collect();
        let mut header = Vec::new();
        let mut flat: Vec<Cell> = Vec::new();
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for a in call.args().items() {
            match a {
                ast::Arg::Named(_) => {}
                ast::Arg::Pos(Expr::FuncCall(c)) if call_name(c) == "table.header" => {
                    let cells: Vec<Cell> = positional(c)
                        .into_iter()
                        .filter_map(|e| self.cell(e, ctx))
                        .collect();
                    header = into_rows(cells);
                }
                ast::Arg::Pos(e) => {
                    if let Some(c) = self.cell(e, ctx) {
                        flat.push(c);
                    }
                }
                ast::Arg::Spread(s) => {
                    // `..kept-rows(((…), (…)))`: rows given as arrays of cells.
                    let arrays: Vec<ast::Array> = match s.expr() {
                        Expr::FuncCall(c) => positional(c)
                            .into_iter()
                            .filter_map(|e| match e {
                                Expr::Array(a) => Some(a),
                                _ => None,
                            })
                            .collect(),
                        Expr::Array(a) => vec![a],
                        other => {
                            self.warn(format!(
                                "the table rows `..{}` are not understood by the Word writer: they are left out",
                                text_of(other.to_untyped())
                            ));
                            Vec::new()
                        }
                    };
                    for outer in arrays {
                        for item in outer.items() {
                            match item {
                                ast::ArrayItem::Pos(Expr::Array(row)) => {
                                    let cells: Vec<Cell> = row
                                        .items()
                                        .filter_map(|i| match i {
                                            ast::ArrayItem::Pos(e) => self.cell(e, ctx),
                                            _ => None,
                                        })
                                        .collect();
                                    rows.push(cells);
                                }
                                ast::ArrayItem::Pos(Expr::Parenthesized(p)) => {
                                    // A one-cell row written `([x])`.
                                    if let Some(c) = self.cell(p.expr(), ctx) {
                                        rows.push(vec![c]);
                                    }
                                }
                                ast::ArrayItem::Pos(e) => {
                                    if let Some(c) = self.cell(e, ctx) {
                                        flat.push(c);
                                    }
                                }
                                ast::ArrayItem::Spread(_) => {}
                            }
                        }
                    }
                }
            }
        }
        // Loose cells fill rows of `ncols`; without a `table.header`, typst has no header row.
        let mut all_rows = into_rows(flat);
        all_rows.extend(rows);
        Some(Table {
            header,
            rows: all_rows,
            align,
            size: None,
            grid: named(call, "stroke").map_or(self.table_grid, strokes),
            fractions,
        })
    }
}

/// The size of a `#set text(size: …)` rule, in points (4–72 pt; anything else is ignored).
fn set_text_size(set: ast::SetRule) -> Option<f64> {
    let Expr::Ident(i) = set.target() else {
        return None;
    };
    if i.as_str() != "text" {
        return None;
    }
    set.args()
        .items()
        .find_map(|a| match a {
            ast::Arg::Named(n) if n.name().as_str() == "size" => length_pt(n.expr()),
            _ => None,
        })
        .filter(|s| (4.0..=72.0).contains(s))
}

/// Trims spaces at both ends of a paragraph and collapses runs of spaces.
fn trim(mut content: Vec<Inline>) -> Vec<Inline> {
    // Collapse double spaces across runs.
    let mut prev_space = true;
    for i in content.iter_mut() {
        match i {
            Inline::Text(t, _) => {
                let mut s = String::with_capacity(t.len());
                for c in t.chars() {
                    let space = c == ' ' || c == '\n' || c == '\t';
                    if space {
                        if !prev_space {
                            s.push(' ');
                        }
                        prev_space = true;
                    } else {
                        s.push(c);
                        prev_space = false;
                    }
                }
                *t = s;
            }
            Inline::LineBreak => prev_space = true,
            _ => prev_space = false,
        }
    }
    content.retain(|i| !matches!(i, Inline::Text(t, _) if t.is_empty()));
    // Trailing spaces and line breaks (a cell's last paragraph break) go.
    loop {
        match content.last_mut() {
            Some(Inline::LineBreak) => {
                content.pop();
            }
            Some(Inline::Text(t, _)) if t.trim_end().len() < t.len() || t.is_empty() => {
                let n = t.trim_end().len();
                t.truncate(n);
                if n == 0 {
                    content.pop();
                }
            }
            _ => break,
        }
    }
    // A space before a line break (the text before a blank line) goes too.
    for k in 1..content.len() {
        if matches!(content[k], Inline::LineBreak)
            && let Inline::Text(t, _) = &mut content[k - 1]
        {
            let n = t.trim_end().len();
            t.truncate(n);
        }
    }
    content.retain(|i| !matches!(i, Inline::Text(t, _) if t.is_empty()));
    while matches!(content.first(), Some(Inline::LineBreak)) {
        content.remove(0);
    }
    content
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_headings_and_formatting() {
        let doc = read(
            "#set heading(numbering: \"1.1.\")\n= Results\n Some *bold* and _it_ text,\n joined. Cochran's \"Q\" \\< 5 -- ok.\n\nNext @fig-a and @smith2000 @jones2001.\n",
        );
        assert!(doc.heading_numbering);
        let text = doc.plain_text();
        assert_eq!(
            text,
            "Results\nSome bold and it text, joined. Cochran’s “Q” < 5 – ok.\nNext @fig-a and @smith2000 @jones2001.\n"
        );
    }

    #[test]
    fn tables_with_hidden_columns_and_kept_rows() {
        let doc = read(
            "#figure(\n  table(\n    columns: (auto, auto, 0pt),\n    align: (left, right, left),\n    table.hline(stroke: 0.8pt),\n    table.header([*A*], [*B*], []),\n    ..kept-rows((\n      ([a1], [b1]),\n      ([a2], [b2]),\n    )),\n  ),\n  caption: [Cap.],\n  kind: table,\n) <tab-x>\n",
        );
        let Block::Figure {
            body: FigureBody::Table(t),
            label,
            number,
            ..
        } = &doc.blocks[0]
        else {
            panic!("{:?}", doc.blocks)
        };
        assert_eq!(label.as_deref(), Some("tab-x"));
        assert_eq!(*number, 1);
        assert_eq!(t.header.len(), 1);
        assert_eq!(t.header[0].len(), 2);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.align, vec![Align::Left, Align::Right]);
        assert_eq!(doc.reference("tab-x").as_deref(), Some("Table 1"));
    }

    #[test]
    fn unknown_constructs_are_named() {
        let doc = read("#foo(1)[x]\n");
        assert_eq!(doc.warnings.len(), 1, "{:?}", doc.warnings);
        assert!(doc.warnings[0].contains("#foo(1)[x]"));
    }
}

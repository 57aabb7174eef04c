//! Making the bytes of each stale output: analyses first (all of them, before anything is
//! written), then figures, results, typst sources and PDFs, in parallel.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};

use super::memo::Review;
use super::plan::{Product, Target};
use super::reuse::{Content, Made, Reuse};
use super::{BuildOptions, analysis_failure, show_progress};
use crate::plot;
use crate::project::Failure;
use crate::report::compile;
use crate::report::context::{figure_ref, review_context};
use crate::report::render::Templates;
use crate::spec::{FigureKind, Spec, Style};
use crate::stats::analysis::Analysis;

/// The outputs in the order of the stale targets, and the analyses' caveats.
pub struct Produced {
    /// What was made for each stale target (or that its file is kept, `reuse.rs`).
    pub outputs: Vec<Made>,
    pub warnings: Vec<String>,
}

/// Leave-one-out and cumulative analyses refit the model once per study (O(k²) work): they
/// are run for at most this many studies.
pub const MAX_SENSITIVITY_STUDIES: usize = 5_000;

/// Refuses an outcome whose asked-for analyses would take time out of proportion to a review
/// (see [`MAX_SENSITIVITY_STUDIES`]), naming the setting to change.
pub fn check_work(file: &str, o: &crate::spec::Outcome) -> Result<(), Failure> {
    let k = o.studies.len();
    let s = &o.options.sensitivity;
    let asked = [
        (s.leave_one_out, "leave_one_out"),
        (s.cumulative.is_some(), "cumulative"),
    ];
    for (on, name) in asked {
        if on && k > MAX_SENSITIVITY_STUDIES {
            return Err(Failure::Input(
                crate::diag::Diagnostic::file(
                    file,
                    format!(
                        "outcome `{}`: a {} analysis refits the model once per study; with {k} studies that is too much work (at most {MAX_SENSITIVITY_STUDIES} studies)",
                        o.id,
                        name.replace('_', "-")
                    ),
                )
                .hint(format!("remove `sensitivity: {name}` from this outcome"))
                .into(),
            ));
        }
    }
    Ok(())
}

/// Runs every analysis of a spec.
pub fn analyse_spec(spec: &Spec) -> Result<Vec<Analysis>, Failure> {
    spec.outcomes
        .iter()
        .map(|o| {
            check_work(&spec.file, o)?;
            o.analyse().map_err(|e| analysis_failure(spec, o, e))
        })
        .collect()
}

/// Refuses figure `fi` of a spec when it would be too large to draw (see
/// [`plot::MAX_FIGURE_ROWS`] and [`plot::MAX_FUNNEL_POINTS`]), before anything is drawn.
fn check_figure_size(spec: &Spec, fi: usize) -> Result<(), Failure> {
    let f = &spec.figures[fi];
    let outcomes: Vec<&crate::spec::Outcome> = f
        .outcomes
        .iter()
        .filter_map(|id| spec.outcomes.iter().find(|o| &o.id == id))
        .collect();
    let (size, limit, what) = match f.kind {
        // A GOSH plot is a binned histogram, bounded whatever the number of subsets.
        FigureKind::Prisma | FigureKind::RiskOfBiasSummary | FigureKind::Gosh => return Ok(()),
        FigureKind::RiskOfBias => (
            outcomes.iter().map(|o| o.studies.len() + 6).sum::<usize>(),
            plot::MAX_FIGURE_ROWS,
            "rows",
        ),
        FigureKind::Funnel | FigureKind::Bubble | FigureKind::Baujat => (
            outcomes.iter().map(|o| o.studies.len()).sum::<usize>(),
            plot::MAX_FUNNEL_POINTS,
            "studies",
        ),
        FigureKind::Forest | FigureKind::LeaveOneOut | FigureKind::Cumulative => {
            // A row per study, three per subgroup (header, subtotal, heterogeneity), a few for
            // the total.
            let rows = outcomes
                .iter()
                .map(|o| {
                    let mut groups: Vec<&str> = o
                        .studies
                        .iter()
                        .filter_map(|s| s.subgroup.as_deref())
                        .collect();
                    groups.sort_unstable();
                    groups.dedup();
                    o.studies.len() + 3 * groups.len() + 6
                })
                .sum::<usize>();
            (rows, plot::MAX_FIGURE_ROWS, "rows")
        }
    };
    if size <= limit {
        return Ok(());
    }
    let ids = f
        .outcomes
        .iter()
        .map(|o| format!("`{o}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let name = match f.kind {
        FigureKind::Funnel => "funnel plot",
        FigureKind::Bubble => "bubble plot",
        FigureKind::Baujat => "Baujat plot",
        FigureKind::RiskOfBias => "risk-of-bias plot",
        FigureKind::LeaveOneOut => "leave-one-out plot",
        FigureKind::Cumulative => "cumulative meta-analysis plot",
        _ => "forest plot",
    };
    Err(Failure::Input(
        crate::diag::Diagnostic::file(
            &spec.file,
            format!(
                "the {name} of outcome {ids} would have {size} {what}; figures are drawn with at most {limit} {what}"
            ),
        )
        .hint(match f.kind {
            FigureKind::Funnel => "leave it out with `funnel: {show: false}` on the outcome, or list the figures to draw under `manuscript: {figures: [...]}`".to_string(),
            _ => "list the figures to draw under `manuscript: {figures: [...]}` without this one (`figures: []` draws none); the numbers are all in results.json".to_string(),
        })
        .into(),
    ))
}

/// The SVG of figure `fi` of a spec.
pub fn figure_svg(spec: &Spec, analyses: &[Analysis], fi: usize) -> Result<String, Failure> {
    Ok(figure_plot(spec, analyses, fi)?.to_svg())
}

/// Figure `fi` of a spec, drawn.
pub(crate) fn figure_plot(
    spec: &Spec,
    analyses: &[Analysis],
    fi: usize,
) -> Result<plot::canvas::Figure, Failure> {
    check_figure_size(spec, fi)?;
    let f = &spec.figures[fi];
    let find = |id: &str| {
        spec.outcomes
            .iter()
            .position(|o| o.id == id)
            .expect("figures name existing outcomes")
    };
    let fig = match f.kind {
        FigureKind::Forest if f.subgroup_panels => {
            // Each subgroup as its own meta-analysis (its own τ² and total), stacked A, B, ...
            let mut items = Vec::new();
            for id in &f.outcomes {
                let o = &spec.outcomes[find(id)];
                let mut names: Vec<&str> = Vec::new();
                for s in &o.studies {
                    let g = s.subgroup.as_deref().unwrap_or_default();
                    if !names.contains(&g) {
                        names.push(g);
                    }
                }
                for g in names {
                    let rows: Vec<_> = o
                        .studies
                        .iter()
                        .filter(|s| s.subgroup.as_deref() == Some(g))
                        .cloned()
                        .map(|s| crate::stats::StudyInput {
                            subgroup: None,
                            ..s
                        })
                        .collect();
                    let mut options = o.options.clone();
                    options.sensitivity = Default::default();
                    options.bias = Default::default();
                    options.explore = Default::default();
                    let a = crate::stats::analyse(rows, &options)
                        .map_err(|e| analysis_failure(spec, o, e))?;
                    let title = if f.outcomes.len() > 1 {
                        format!("{}: {g}", o.title)
                    } else {
                        g.to_string()
                    };
                    items.push((a, o, title));
                }
            }
            let refs: Vec<(&Analysis, &crate::spec::Outcome, String)> =
                items.iter().map(|(a, o, t)| (a, *o, t.clone())).collect();
            plot::forest::panels(&refs)
        }
        FigureKind::Forest if f.outcomes.len() > 1 => {
            let items: Vec<(&Analysis, &crate::spec::Outcome, String)> = f
                .outcomes
                .iter()
                .map(|id| {
                    let k = find(id);
                    (
                        &analyses[k],
                        &spec.outcomes[k],
                        spec.outcomes[k].title.clone(),
                    )
                })
                .collect();
            plot::forest::panels(&items)
        }
        FigureKind::RiskOfBias | FigureKind::RiskOfBiasSummary => {
            let rob = match f.outcomes.first() {
                Some(id) => spec.outcomes[find(id)].risk_of_bias.as_ref(),
                None => spec.risk_of_bias.as_ref(),
            }
            .expect("validated: risk-of-bias figures have a table");
            match f.kind {
                FigureKind::RiskOfBias => plot::rob::traffic_light(rob),
                _ => {
                    plot::rob::summary(rob, rob.study_weights(&spec.outcomes, analyses).as_deref())
                }
            }
        }
        FigureKind::Prisma => plot::prisma::prisma(
            spec.prisma
                .as_ref()
                .expect("validated: PRISMA figures have counts"),
        ),
        FigureKind::Forest => {
            let k = find(&f.outcomes[0]);
            plot::forest::forest(&analyses[k], &spec.outcomes[k], None)
        }
        FigureKind::Funnel => {
            let k = find(&f.outcomes[0]);
            plot::funnel::funnel(&analyses[k], &spec.outcomes[k])
        }
        FigureKind::Bubble => {
            let k = find(&f.outcomes[0]);
            plot::bubble::bubble(&analyses[k], &spec.outcomes[k])
        }
        FigureKind::Baujat => plot::baujat::baujat(&analyses[find(&f.outcomes[0])]),
        FigureKind::Gosh => plot::gosh::gosh(&analyses[find(&f.outcomes[0])]),
        FigureKind::LeaveOneOut | FigureKind::Cumulative => {
            let k = find(&f.outcomes[0]);
            let a = &analyses[k];
            let cumulative = f.kind == FigureKind::Cumulative;
            let rows = if cumulative {
                a.sensitivity.cumulative.as_deref()
            } else {
                a.sensitivity.leave_one_out.as_deref()
            };
            plot::forest::sensitivity_forest(
                a,
                &spec.outcomes[k],
                rows.unwrap_or(&[]),
                cumulative,
                None,
            )
        }
    };
    Ok(fig)
}

/// The text width of the templates' page (A4 less the margins of `setup.typ.j2`) and the
/// height `fitted` scales a figure to; a forest plot taller than that runs over pages.
const PAGE_TEXT_WIDTH: f64 = 464.88;
const FIGURE_MAX_HEIGHT: f64 = 595.28;

/// The smallest scale a figure is printed at on a portrait page: its 8 pt text at 6 pt. A
/// wider figure (a forest plot with many columns) goes on a landscape page of its own.
pub const MIN_FIGURE_SCALE: f64 = 0.75;
/// The text width of a landscape page (the same margins) and the height `fitted` scales a
/// figure to there (`max-height: 13cm` in the template).
const LANDSCAPE_TEXT_WIDTH: f64 = 711.5;
const LANDSCAPE_FIGURE_MAX_HEIGHT: f64 = 368.5;

fn style_name(spec: &Spec) -> &'static str {
    match spec.style {
        Style::Plain => "plain",
        Style::Journal => "journal",
    }
}

/// How a figure is set in a document: its drawing, whether on a landscape page, and for a
/// forest plot taller than a page the windows (header, rows, axis) of each page.
struct Setting {
    plot: Arc<plot::canvas::Figure>,
    landscape: bool,
    pages: Option<Vec<Vec<[f64; 2]>>>,
}

/// The setting of figure `fi` when it is a forest plot (`None` for other figures, which are
/// set whole by `fitted`).
fn figure_setting(r: &Review, fi: usize) -> Option<Setting> {
    let f = &r.spec.figures[fi];
    // Only single forest plots (and sensitivity forests) have rows to split.
    let rows_based = match f.kind {
        FigureKind::Forest => !f.subgroup_panels && f.outcomes.len() == 1,
        FigureKind::LeaveOneOut | FigureKind::Cumulative => true,
        FigureKind::Funnel | FigureKind::Prisma => false,
        FigureKind::Bubble | FigureKind::Baujat | FigureKind::Gosh => false,
        FigureKind::RiskOfBias | FigureKind::RiskOfBiasSummary => false,
    };
    if !(rows_based || f.kind == FigureKind::Forest) {
        return None;
    }
    let plot = r.plot(fi).ok()?;
    let landscape = PAGE_TEXT_WIDTH / plot.width < MIN_FIGURE_SCALE;
    let (text_width, max_height) = if landscape {
        (LANDSCAPE_TEXT_WIDTH, LANDSCAPE_FIGURE_MAX_HEIGHT)
    } else {
        (PAGE_TEXT_WIDTH, FIGURE_MAX_HEIGHT)
    };
    let pages = plot
        .bands
        .as_ref()
        .filter(|_| rows_based)
        .and_then(|b| b.pages(plot.width, plot.height, text_width, max_height));
    Some(Setting {
        plot,
        landscape,
        pages,
    })
}

/// The file of page `p` (from 0) of a figure set over pages: `figures/forest-m.svg` →
/// `figures/forest-m-page2.svg` for the second. Made in memory for the PDF only.
fn page_path(path: &str, p: usize) -> String {
    format!(
        "{}-page{}.svg",
        path.strip_suffix(".svg").unwrap_or(path),
        p + 1
    )
}

/// The figure files a review's typst source reads (paths under `prefix`): each figure's SVG,
/// and for a forest plot taller than a page one SVG per page holding only that page's rows.
pub fn document_figures(
    spec: &Spec,
    analyses: &[Analysis],
    prefix: &str,
) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let files = document_figures_of(&Review::new(spec, analyses))?;
    Ok(prefixed(files, prefix))
}

/// `files` with their paths under `prefix`.
pub(crate) fn prefixed(files: Vec<(String, Vec<u8>)>, prefix: &str) -> Vec<(String, Vec<u8>)> {
    if prefix.is_empty() {
        return files;
    }
    files
        .into_iter()
        .map(|(p, b)| (format!("{prefix}{p}"), b))
        .collect()
}

/// [`document_figures`] of a review under no prefix (`Review::figures` holds them).
pub(crate) fn document_figures_of(r: &Review) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    let spec = r.spec;
    let mut files = Vec::new();
    for fi in 0..spec.figures.len() {
        let path = figure_ref(spec, &spec.figures[fi]).path;
        match figure_setting(r, fi) {
            Some(Setting {
                plot,
                pages: Some(pages),
                ..
            }) => {
                for (p, page) in plot::pages::pages(&plot, &pages).iter().enumerate() {
                    files.push((page_path(&path, p), page.to_svg().into_bytes()));
                }
            }
            _ => files.push((path, r.svg(fi)?.as_bytes().to_vec())),
        }
    }
    Ok(files)
}

fn manuscript_context(r: &Review, combined: bool) -> Value {
    let (spec, analyses) = (r.spec, r.analyses);
    let mut ctx = review_context(spec, analyses);
    let o = ctx.as_object_mut().expect("the context is an object");
    o.insert(
        "style".into(),
        json!(if combined {
            "journal"
        } else {
            style_name(spec)
        }),
    );
    o.insert("h1".into(), json!(if combined { "==" } else { "=" }));
    o.insert("h2".into(), json!(if combined { "===" } else { "==" }));
    o.insert(
        "fig_prefix".into(),
        json!(if combined {
            format!("{}/", spec.id)
        } else {
            String::new()
        }),
    );
    // Forest plots too wide for a portrait page: on a landscape page. Too tall for a page: one
    // figure per page (header, its rows, axis), each its own SVG (`document_figures`).
    if let Some(Value::Array(figures)) = o.get_mut("figures") {
        for (fi, fig) in figures.iter_mut().enumerate() {
            let Some(set) = figure_setting(r, fi) else {
                continue;
            };
            let Some(fig) = fig.as_object_mut() else {
                continue;
            };
            if set.landscape {
                fig.insert("landscape".into(), json!(true));
            }
            if let Some(pages) = &set.pages {
                let path = figure_ref(spec, &spec.figures[fi]).path;
                fig.insert(
                    "pages".into(),
                    json!(
                        (0..pages.len())
                            .map(|p| page_path(&path, p))
                            .collect::<Vec<_>>()
                    ),
                );
            }
        }
    }
    ctx
}

/// The typst source of one review's manuscript.
pub fn manuscript_typst(
    spec: &Spec,
    analyses: &[Analysis],
    templates: &Templates,
) -> Result<String, Failure> {
    manuscript_typst_of(&Review::new(spec, analyses), templates)
}

/// [`manuscript_typst`] of a review (`Review::typst` holds it).
pub(crate) fn manuscript_typst_of(r: &Review, templates: &Templates) -> Result<String, Failure> {
    render(
        templates,
        "manuscript.typ.j2",
        &manuscript_context(r, false),
        &r.spec.file,
    )
}

/// The typst source of the combined report.
pub fn report_typst(
    specs: &[Spec],
    analyses: &[Vec<Analysis>],
    templates: &Templates,
) -> Result<String, Failure> {
    let reviews: Vec<Review> = specs
        .iter()
        .zip(analyses)
        .map(|(s, a)| Review::new(s, a))
        .collect();
    report_typst_of(&reviews.iter().collect::<Vec<_>>(), templates)
}

/// [`report_typst`] of every review.
pub(crate) fn report_typst_of(
    reviews: &[&Review],
    templates: &Templates,
) -> Result<String, Failure> {
    let reviews: Vec<Value> = reviews
        .iter()
        .map(|r| manuscript_context(r, true))
        .collect();
    render(
        templates,
        "report.typ.j2",
        &json!({"reviews": reviews, "version": crate::results::VERSION}),
        "combined report",
    )
}

/// Template `name` rendered with `context`; an error names `what` (the spec, or the combined
/// report) and the template's line.
pub(crate) fn render(
    templates: &Templates,
    name: &str,
    context: &Value,
    what: &str,
) -> Result<String, Failure> {
    templates
        .render(name, context)
        .map_err(|e| Failure::Input(crate::diag::Diagnostic::file(what, e).into()))
}

/// The manuscript PDF of one review (nothing is written when the typst does not compile: the
/// message names the line of the generated source and quotes it).
pub fn manuscript_pdf(
    spec: &Spec,
    analyses: &[Analysis],
    templates: &Templates,
) -> Result<Vec<u8>, Failure> {
    let (source, files) = manuscript_pdf_inputs(&Review::new(spec, analyses), templates)?;
    compile_manuscript(spec, &source, files)
}

/// What the manuscript PDF of a review is compiled from: its typst source and the files it
/// reads (figures, bibliography).
fn manuscript_pdf_inputs(
    r: &Review,
    templates: &Templates,
) -> Result<super::reuse::Inputs, Failure> {
    let source = r.typst(templates)?.as_ref().clone();
    let mut files = r.figures()?.as_ref().clone();
    files.push((
        "references.yml".into(),
        templates.references.clone().into_bytes(),
    ));
    Ok((source, files))
}

fn compile_manuscript(
    spec: &Spec,
    source: &str,
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<u8>, Failure> {
    compile::pdf(source, files, &spec.id)
        .map_err(|e| compile_failure(&spec.file, &format!("out/{}/manuscript.typ", spec.id), &e))
}

/// A typst error. Nothing is written: the message locates the error in the generated source
/// (`typst`, the file it would have been written to) and quotes that line.
pub(crate) fn compile_failure(what: &str, typst: &str, e: &str) -> Failure {
    Failure::Input(
        crate::diag::Diagnostic::file(
            what,
            format!("the generated typst ({typst}, not written) does not compile: {e}"),
        )
        .hint("a template override in templates/ is the likely cause; `metareport check` reports the same without writing anything")
        .into(),
    )
}

/// A writer that only counts the bytes written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every note of a review for its authors, as `build` prints them and `notes.txt` keeps them:
/// the analyses' caveats and the characters the shipped fonts cannot draw.
pub fn review_notes(spec: &Spec, analyses: &[Analysis]) -> Vec<String> {
    review_notes_of(&Review::new(spec, analyses))
}

/// [`review_notes`] of a review (`Review::notes` holds them).
pub(crate) fn review_notes_of(r: &Review) -> Vec<String> {
    let (spec, analyses) = (r.spec, r.analyses);
    let mut notes = Vec::new();
    for (o, an) in spec.outcomes.iter().zip(analyses) {
        for w in &an.warnings {
            notes.push(format!("{}: outcome `{}`: {}", spec.file, o.id, w.message));
        }
    }
    notes.extend(super::unprintable::unprintable_text(spec));
    notes.extend(crate::rob::warnings(spec));
    notes.extend(crate::report::summary_of_findings::notes(spec, analyses));
    // Forest plots too tall for a full-resolution PNG.
    for (fi, f) in spec.figures.iter().enumerate() {
        if matches!(
            f.kind,
            FigureKind::Forest | FigureKind::LeaveOneOut | FigureKind::Cumulative
        ) && let Ok(p) = r.plot(fi)
        {
            let svg = figure_ref(spec, f).path;
            let png = format!(
                "out/{}/{}.png",
                spec.id,
                svg.strip_suffix(".svg").unwrap_or(&svg)
            );
            notes.extend(plot::png_note(&png, p.width, p.height));
        }
    }
    notes
}

/// Adds a Word writer's warnings about the output at `path` to the build's notes.
fn note_warnings(notes: &std::sync::Mutex<Vec<String>>, path: &str, warnings: &[String]) {
    notes
        .lock()
        .expect("no worker panics while holding the lock")
        .extend(warnings.iter().map(|w| format!("{path}: {w}")));
}

/// Produces the bytes of every stale target.
pub fn produce(
    specs: &[Spec],
    templates: &Templates,
    stale: &[&Target],
    opts: &BuildOptions,
    reuse: &Reuse,
) -> Result<Produced, Failure> {
    plot::export::new_build();
    // typst's one-time work on the core the analyses leave idle (`compile::warm_up`).
    if opts.jobs > 1
        && stale
            .iter()
            .any(|t| matches!(t.product, Product::Pdf { .. }))
    {
        std::thread::spawn(|| crate::report::compile::warm_up().ok());
    }
    let needs_all = stale.iter().any(|t| {
        matches!(
            t.product,
            Product::ReportPdf | Product::ReportTypst | Product::ReportDocx
        )
    });
    let mut analyses: Vec<Option<Vec<Analysis>>> = vec![None; specs.len()];
    let mut warnings = Vec::new();
    for (si, spec) in specs.iter().enumerate() {
        let needed = needs_all
            || stale.iter().any(|t| match t.product {
                Product::Results { spec }
                | Product::Notes { spec }
                | Product::FigureSvg { spec, .. }
                | Product::FigurePng { spec, .. }
                | Product::Typst { spec }
                | Product::Pdf { spec } => spec == si,
                Product::Docx { spec }
                | Product::SubmissionManuscript { spec }
                | Product::SubmissionFigure { spec, .. }
                | Product::SubmissionChecklistDocx { spec }
                | Product::SubmissionChecklistPdf { spec }
                | Product::SubmissionSupplementary { spec } => spec == si,
                _ => false,
            });
        if needed {
            // Figures too large to draw are refused before any work is done.
            for fi in 0..spec.figures.len() {
                check_figure_size(spec, fi)?;
            }
            analyses[si] = Some(analyse_spec(spec)?);
        }
    }
    // What is shared between outputs is made once per build (`memo.rs`).
    let reviews: Vec<Option<Review>> = specs
        .iter()
        .zip(&analyses)
        .map(|(spec, a)| a.as_deref().map(|a| Review::new(spec, a)))
        .collect();
    for r in reviews.iter().flatten() {
        warnings.extend(r.notes().iter().cloned());
    }
    let review = |si: usize| reviews[si].as_ref().expect("analysed above");
    let get = |si: usize| review(si).analyses;
    // Every review, for the combined report (all are analysed when it is stale).
    let all: Vec<&Review> = if needs_all {
        reviews.iter().flatten().collect()
    } else {
        Vec::new()
    };
    let report_source: OnceLock<Result<Arc<String>, Failure>> = OnceLock::new();
    let report_source = || {
        report_source
            .get_or_init(|| report_typst_of(&all, templates).map(Arc::new))
            .clone()
    };
    // What the Word writer could not carry over, reported with the analyses' caveats.
    let notes: Mutex<Vec<String>> = Mutex::new(Vec::new());

    // Each review's manuscript PDF, made once (`report_pages.rs`): by its own job, or by the
    // combined report's when that comes first; an up-to-date one is read from out/.
    let manuscripts = super::report_pages::Manuscripts::new(specs.len());
    let pdf_stale: Vec<bool> = (0..specs.len())
        .map(|si| {
            stale
                .iter()
                .any(|t| matches!(t.product, Product::Pdf { spec } if spec == si))
        })
        .collect();
    let manuscript = |si: usize| {
        manuscripts.get(si, || {
            use super::report_pages::{compiled, from_out};
            let path = format!("out/{}/manuscript.pdf", specs[si].id);
            if !pdf_stale[si]
                && let Some(m) = reuse.recorded(&path).and_then(|b| from_out(b, None))
            {
                return Ok(m);
            }
            let (source, files) = manuscript_pdf_inputs(review(si), templates)?;
            let c = Content::new("pdf")
                .part(specs[si].id.as_bytes())
                .part(source.as_bytes())
                .files(&files)
                .finish();
            if let Some(m) = reuse
                .kept_bytes(&path, &c)
                .and_then(|b| from_out(b, Some(c.clone())))
            {
                return Ok(m);
            }
            compiled(compile_manuscript(&specs[si], &source, files)?, Some(c))
        })
    };

    // Outputs costly to make: the cheap thing they are made from first, hashed; the file in
    // out/ is kept when that is what it was made from (`reuse.rs`).
    let costly = |t: &Target| -> Result<Option<Made>, Failure> {
        let io = |e: String| Failure::Io(format!("{}: {e}", t.path));
        Ok(Some(match t.product {
            Product::FigurePng { spec, figure } => {
                let svg = review(spec).svg(figure)?;
                let c = Content::new("png").part(svg.as_bytes()).finish();
                reuse.or_make(&t.path, c, || plot::to_png(&svg).map_err(io))?
            }
            Product::Pdf { spec } => {
                let m = manuscript(spec)?;
                let c = m
                    .content
                    .clone()
                    .expect("a stale manuscript has a content key");
                if m.from_out {
                    Made::kept(c)
                } else {
                    Made::with(m.bytes.as_ref().clone(), c)
                }
            }
            Product::ReportPdf => {
                let ms = (0..specs.len())
                    .map(manuscript)
                    .collect::<Result<Vec<_>, _>>()?;
                super::report_pages::report_pdf_made(specs, &ms, templates, reuse, &t.path)?
            }
            Product::Docx { spec } | Product::SubmissionManuscript { spec } => {
                let embed = matches!(t.product, Product::Docx { .. });
                let r = review(spec);
                let (source, files) = (r.typst(templates)?, r.word_files(templates)?);
                let c = Content::new("docx")
                    .part(&[embed as u8])
                    .part(specs[spec].title.as_bytes())
                    .part(source.as_bytes())
                    .files(&files)
                    .finish();
                reuse.or_make(&t.path, c, || -> Result<_, Failure> {
                    // Both Word files of a review read the same document (`memo.rs`).
                    let d = super::submission::docx_of(
                        &specs[spec],
                        r.word(templates)?.as_ref().clone(),
                        &files,
                        embed,
                    )?;
                    if embed {
                        note_warnings(&notes, &t.path, &d.warnings);
                    }
                    Ok(d.bytes)
                })?
            }
            Product::ReportDocx => {
                let (source, files) =
                    super::submission::report_docx_inputs_of(&all, report_source()?, templates)?;
                let c = Content::new("report-docx")
                    .part(source.as_bytes())
                    .files(&files)
                    .finish();
                reuse.or_make(&t.path, c, || -> Result<_, Failure> {
                    let d = super::submission::report_docx_from(&source, &files)?;
                    note_warnings(&notes, &t.path, &d.warnings);
                    Ok(d.bytes)
                })?
            }
            Product::SubmissionFigure {
                spec,
                figure,
                format,
            } => super::submission::figure_file_reusing(review(spec), figure, format, |c| {
                reuse.check(&t.path, c)
            })?,
            Product::SubmissionChecklistDocx { spec }
            | Product::SubmissionChecklistPdf { spec } => {
                let pdf = matches!(t.product, Product::SubmissionChecklistPdf { .. });
                let source = review(spec).checklist(templates)?;
                let c = Content::new(if pdf {
                    "checklist-pdf"
                } else {
                    "checklist-docx"
                })
                .part(specs[spec].id.as_bytes())
                .part(source.markup.as_bytes())
                .finish();
                reuse.or_make(&t.path, c, || {
                    if pdf {
                        super::submission::checklist_pdf_from(&specs[spec], &source)
                    } else {
                        super::submission::checklist_docx_from(&specs[spec], &source.markup)
                    }
                })?
            }
            Product::SubmissionSupplementary { spec } => {
                let (source, files) =
                    super::submission::supplementary_inputs_of(review(spec), templates)?;
                let c = Content::new("supplementary")
                    .part(specs[spec].id.as_bytes())
                    .part(source.as_bytes())
                    .files(&files)
                    .finish();
                reuse.or_make(&t.path, c, || {
                    super::submission::supplementary_from(&specs[spec], &source, files)
                })?
            }
            _ => return Ok(None),
        }))
    };

    let job = |t: &Target| -> Result<Made, Failure> {
        if let Some(made) = costly(t)? {
            return Ok(made);
        }
        Ok(Made::bytes(match t.product {
            Product::Results { spec } => {
                // Measured first, then written into a buffer of exactly that size: the results
                // of a million studies are hundreds of megabytes, and a growing buffer would
                // hold up to twice that.
                let results = crate::results::results_json(&specs[spec], get(spec));
                let mut size = ByteCount(0);
                serde_json::to_writer_pretty(&mut size, &results)
                    .map_err(|e| Failure::Io(e.to_string()))?;
                let mut b = Vec::with_capacity(size.0 + 1);
                serde_json::to_writer_pretty(&mut b, &results)
                    .map_err(|e| Failure::Io(e.to_string()))?;
                b.push(b'\n');
                b
            }
            Product::Notes { spec } => {
                crate::report::notes::file_text(&specs[spec].file, review(spec).notes())
                    .into_bytes()
            }
            Product::FigureSvg { spec, figure } => review(spec).svg(figure)?.as_bytes().to_vec(),
            Product::Bibliography { .. } => templates.references.clone().into_bytes(),
            Product::Typst { spec } => review(spec).typst(templates)?.as_bytes().to_vec(),
            Product::ReportTypst => report_source()?.as_bytes().to_vec(),
            Product::SubmissionReadme { spec } => super::submission::readme(&specs[spec]),
            // The rest are made by `costly` above.
            Product::FigurePng { .. }
            | Product::Pdf { .. }
            | Product::ReportPdf
            | Product::Docx { .. }
            | Product::ReportDocx
            | Product::SubmissionManuscript { .. }
            | Product::SubmissionFigure { .. }
            | Product::SubmissionChecklistDocx { .. }
            | Product::SubmissionChecklistPdf { .. }
            | Product::SubmissionSupplementary { .. } => unreachable!("made by `costly`"),
        }))
    };

    // Slow jobs (PDFs) first, then the rest, over `jobs` threads; the combined report.pdf last: it embeds the manuscripts' pages (and would wait, a
    // worker idle, for any still being compiled) and takes a fraction of one.
    let mut order: Vec<usize> = (0..stale.len()).collect();
    order.sort_by_key(|&i| match stale[i].product {
        Product::Pdf { .. } => 0,
        Product::ReportDocx => 1,
        Product::ReportPdf => 4,
        Product::FigurePng { .. }
        | Product::Docx { .. }
        | Product::SubmissionFigure { .. }
        | Product::SubmissionSupplementary { .. } => 2,
        _ => 3,
    });
    type Slot = Option<Result<Made, Failure>>;
    let results: Mutex<Vec<Slot>> = Mutex::new((0..stale.len()).map(|_| None).collect());
    let next = AtomicUsize::new(0);
    // Jobs being made (a worker without a job helps them while any is).
    let running = AtomicUsize::new(0);
    let bar = show_progress(opts.quiet, stale.len()).then(|| {
        let b = indicatif::ProgressBar::new(stale.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .expect("valid template"),
        );
        b
    });
    let workers = opts.jobs.max(1).min(stale.len());
    // A TIFF figure drawn when workers have run out of jobs uses them too (`export/banded.rs`).
    plot::export::banded::set_spare_workers(opts.jobs.max(1) - workers);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= order.len() {
                        plot::export::banded::worker_spare();
                        // The Word files' pictures of the jobs still running are drawn by
                        // any worker without a job (`report/docx/figures.rs`).
                        while running.load(Ordering::Acquire) > 0 {
                            if !crate::report::docx::figures::help() {
                                std::thread::sleep(std::time::Duration::from_millis(2));
                            }
                        }
                        break;
                    }
                    let i = order[n];
                    running.fetch_add(1, Ordering::AcqRel);
                    let r = job(stale[i]);
                    running.fetch_sub(1, Ordering::AcqRel);
                    if let Some(b) = &bar {
                        b.set_message(stale[i].path.clone());
                        b.inc(1);
                    }
                    results
                        .lock()
                        .expect("no worker panics while holding the lock")[i] = Some(r);
                }
            });
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let mut outputs = Vec::with_capacity(stale.len());
    for r in results.into_inner().expect("workers finished") {
        outputs.push(r.expect("every job ran")?);
    }
    let mut notes = notes.into_inner().expect("workers finished");
    notes.sort();
    warnings.extend(notes);
    Ok(Produced { outputs, warnings })
}

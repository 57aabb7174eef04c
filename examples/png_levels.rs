//! Measures PNG compression settings on a project's figure SVGs: total size and encode time.
use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).expect("out dir");
    let mut svgs = Vec::new();
    for e in walk(std::path::Path::new(&dir)) {
        if e.extension().is_some_and(|x| x == "svg") {
            svgs.push(std::fs::read_to_string(&e).unwrap());
        }
    }
    let mut rasters = Vec::new();
    let t = Instant::now();
    for s in &svgs {
        let i = s.find("width=\"").unwrap() + 7;
        let w: f64 = s[i..].split("pt").next().unwrap().parse().unwrap();
        rasters.push(metareport::plot::export::rasterise(s, w, 300).unwrap());
    }
    println!(
        "{} figures, rasterised in {:?}, {} Mpx",
        svgs.len(),
        t.elapsed(),
        rasters.iter().map(|r| r.0 as u64 * r.1 as u64).sum::<u64>() as f64 / 1e6
    );
    use png::{DeflateCompression as D, Filter as F};
    let settings: Vec<(&str, D, F)> = vec![
        ("fdeflate ultrafast, Up", D::FdeflateUltraFast, F::Up),
        ("fdeflate ultrafast, Paeth", D::FdeflateUltraFast, F::Paeth),
        ("level 1, Up", D::Level(1), F::Up),
        ("level 1, Paeth", D::Level(1), F::Paeth),
        ("level 2, Up", D::Level(2), F::Up),
        ("level 2, Adaptive", D::Level(2), F::Adaptive),
        ("level 3, Up", D::Level(3), F::Up),
        ("level 3, Paeth", D::Level(3), F::Paeth),
        ("level 3, Adaptive", D::Level(3), F::Adaptive),
        ("level 4, Up", D::Level(4), F::Up),
        ("level 4, Adaptive", D::Level(4), F::Adaptive),
        ("level 5, Adaptive", D::Level(5), F::Adaptive),
        ("level 6, Adaptive", D::Level(6), F::Adaptive),
        (
            "tiny-skia encode_png (RGBA, default)",
            D::NoCompression,
            F::NoFilter,
        ),
    ];
    for (name, d, f) in settings {
        let t = Instant::now();
        let mut total = 0;
        for (w, h, rgb) in &rasters {
            let mut out = Vec::new();
            if name.starts_with("tiny") {
                let mut pm = resvg::tiny_skia::Pixmap::new(*w, *h).unwrap();
                for (d, s) in pm.data_mut().chunks_exact_mut(4).zip(rgb.chunks_exact(3)) {
                    d[..3].copy_from_slice(s);
                    d[3] = 255;
                }
                out = pm.encode_png().unwrap();
            } else {
                let mut e = png::Encoder::new(&mut out, *w, *h);
                e.set_color(png::ColorType::Rgb);
                e.set_depth(png::BitDepth::Eight);
                e.set_deflate_compression(d);
                e.set_filter(f);
                let mut wr = e.write_header().unwrap();
                wr.write_image_data(rgb).unwrap();
                wr.finish().unwrap();
            }
            total += out.len();
        }
        println!(
            "| {name} | {:.0} ms | {:.0} KB |",
            t.elapsed().as_secs_f64() * 1000.0,
            total as f64 / 1024.0
        );
    }
}
fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(p).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            v.extend(walk(&p));
        } else {
            v.push(p);
        }
    }
    v.sort();
    v
}

//! Writes the first frames built ahead of time into a built site: `prerender SITE_DIR`
//! (`scripts/prerender`, a Trunk post-build hook). The plain page's frame goes into
//! `index.html`, in place of its empty `<div id="first-frame">`; each demo's first step into
//! `first-frame/NAME.html`, which `static/first-frame.js` fetches when a link opens that demo.
//! Each frame is drawn twice, for the lecture's projector and for a phone; the stylesheet shows
//! the one the screen needs (`app::NARROW`).

use std::path::Path;
use std::process::ExitCode;

use replication_playground::demos::DEMOS;
use replication_playground::share::link;
use replication_playground::ui::browser::FIRST_FRAME;
use replication_playground::ui::first_frame::{FirstFrame, FirstFrameProps};
use replication_playground::ui::page::PictureSizes;

/// Where the plain page's frame goes: the element `index.html` holds for it, empty.
fn placeholder() -> String {
    format!(r#"<div id="{FIRST_FRAME}" inert></div>"#)
}

/// Shown over the plain page's frame while the wasm opens a link or a kept session, which only
/// it can replay (static/first-frame.js decides).
const LOADING: &str = r#"<p class="first-frame-notice" role="status">Loading this session…</p>"#;

/// The picture's width on a phone (Lighthouse's, 412 px wide): a picture drawn top to bottom
/// takes the height its nodes need, whatever height is given.
const PHONE_PICTURE: (f64, f64) = (370.0, 400.0);

/// The pictures' sizes on the lecture's projector (1280×720), measured there in the live page:
/// the plain page's, then each demo's first step's (run A's, and run B's where one runs beside).
/// `e2e/first-frame.test.js` fails, naming the sizes it measured, if the page's layout changes
/// them.
const PROJECTOR_PICTURES: &[(&str, PictureSizes)] = &[
    ("", [Some((895.0, 260.0)), None]),
    ("single-db", [Some((814.0, 534.0)), None]),
    ("add-replicas", [Some((814.0, 534.0)), None]),
    ("async-stale", [Some((814.0, 534.0)), None]),
    ("sync", [Some((814.0, 534.0)), None]),
    ("sync-vs-async", [Some((401.0, 356.0)), Some((401.0, 356.0))]),
    ("sync-linearizable", [Some((814.0, 332.0)), None]),
    ("load-balancing", [Some((814.0, 534.0)), None]),
    ("replica-crash", [Some((814.0, 534.0)), None]),
    ("master-crash", [Some((814.0, 534.0)), None]),
    ("read-your-writes", [Some((814.0, 534.0)), None]),
    ("cqrs", [Some((814.0, 515.0)), None]),
    ("comparison", [Some((401.0, 341.0)), Some((401.0, 326.0))]),
];

fn main() -> ExitCode {
    let Some(site) = std::env::args().nth(1) else {
        eprintln!("usage: prerender SITE_DIR (a built site, with index.html)");
        return ExitCode::FAILURE;
    };
    match write_frames(Path::new(&site)) {
        Ok(count) => {
            println!("prerender: {count} first frames written into {site}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("prerender: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the plain page's frame into `site`'s index.html and each demo's beside it; returns
/// how many frames were written.
fn write_frames(site: &Path) -> Result<usize, String> {
    let index_path = site.join("index.html");
    let index = std::fs::read_to_string(&index_path).map_err(|error| format!("{}: {error}", index_path.display()))?;
    let placeholder = placeholder();
    if !index.contains(&placeholder) {
        return Err(format!("{} has no {placeholder} to fill", index_path.display()));
    }
    let plain = format!(r#"<div id="{FIRST_FRAME}" inert>{LOADING}{}</div>"#, frame("")?);
    std::fs::write(&index_path, index.replacen(&placeholder, &plain, 1))
        .map_err(|error| format!("{}: {error}", index_path.display()))?;
    let demos_dir = site.join("first-frame");
    std::fs::create_dir_all(&demos_dir).map_err(|error| format!("{}: {error}", demos_dir.display()))?;
    for demo in DEMOS {
        let path = demos_dir.join(format!("{}.html", demo.name));
        std::fs::write(&path, frame(demo.name)?).map_err(|error| format!("{}: {error}", path.display()))?;
    }
    Ok(1 + DEMOS.len())
}

/// The plain page's frame (`demo` empty) or a demo's first step's, for both screens.
fn frame(demo: &str) -> Result<String, String> {
    let fragment = if demo.is_empty() { String::new() } else { link::demo(demo, 1) };
    let pictures = PROJECTOR_PICTURES
        .iter()
        .find(|(name, _)| *name == demo)
        .map(|(_, sizes)| *sizes)
        .ok_or_else(|| format!("no picture size for the first frame of {demo:?} (PROJECTOR_PICTURES)"))?;
    let wide = render(&fragment, false, pictures);
    let narrow = render(&fragment, true, [Some(PHONE_PICTURE), pictures[1].map(|_| PHONE_PICTURE)]);
    Ok(format!(r#"<div class="first-frame-wide">{wide}</div><div class="first-frame-narrow">{narrow}</div>"#))
}

/// The page opening `fragment`, as HTML. The frame is a picture of the page, not the page:
/// its test ids are renamed, so tests and benchmarks find only the live page's.
fn render(fragment: &str, portrait: bool, picture_sizes: PictureSizes) -> String {
    let props = FirstFrameProps { fragment: fragment.to_string().into(), portrait, picture_sizes };
    let html = futures::executor::block_on(
        yew::LocalServerRenderer::<FirstFrame>::with_props(props).hydratable(false).render(),
    );
    html.replace(" data-testid=\"", " data-frame-testid=\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_has_its_pictures_sizes() {
        for demo in DEMOS {
            assert!(PROJECTOR_PICTURES.iter().any(|(name, _)| *name == demo.name), "{} has no size", demo.name);
        }
    }

    #[test]
    fn a_frame_draws_the_cluster_under_renamed_test_ids() {
        let html = frame("").expect("the plain page's frame");
        assert!(html.contains(r#"data-frame-testid="node-master""#), "{html}");
        assert!(!html.contains("data-testid="), "a test id was left: tests would find the frame");
        assert!(html.contains("first-frame-wide") && html.contains("first-frame-narrow"));
    }

    #[test]
    fn the_plain_page_goes_in_place_of_its_placeholder() {
        let site = std::env::temp_dir().join(format!("prerender-test-{}", std::process::id()));
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(site.join("index.html"), format!("<body>{}<main></main></body>", placeholder())).unwrap();
        let written = write_frames(&site);
        let index = std::fs::read_to_string(site.join("index.html")).unwrap();
        let demo = std::fs::read_to_string(site.join("first-frame/cqrs.html")).unwrap();
        std::fs::remove_dir_all(&site).unwrap();
        assert_eq!(written, Ok(1 + DEMOS.len()));
        assert!(index.contains(r#"<div id="first-frame" inert><p class="first-frame-notice""#), "{index}");
        assert!(index.contains(r#"</p><div class="first-frame-wide">"#), "{index}");
        assert!(demo.contains(r#"data-name="mongo-1""#), "the CQRS demo's frame draws MongoDB: {demo}");
    }

    #[test]
    fn the_script_and_stylesheet_choosing_a_frame_agree_with_the_page() {
        // static/first-frame.js looks for the session the page keeps under this key; the
        // stylesheet shows the phone's frame where the page draws the picture top to bottom.
        let script = include_str!("../../static/first-frame.js");
        let style = include_str!("../../static/style.css");
        let kept = replication_playground::ui::browser::STORED_KEYS[0];
        assert!(script.contains(&format!("localStorage.getItem('{kept}')")), "first-frame.js does not read {kept}");
        let narrow = replication_playground::ui::app::NARROW;
        assert!(
            style.contains(&format!("@media {narrow} {{\n  #first-frame .first-frame-wide {{ display: none; }}")),
            "style.css does not show the phone's frame at {narrow}"
        );
    }

    #[test]
    fn a_page_without_the_placeholder_is_refused() {
        let site = std::env::temp_dir().join(format!("prerender-refused-{}", std::process::id()));
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(site.join("index.html"), "<body></body>").unwrap();
        let written = write_frames(&site);
        std::fs::remove_dir_all(&site).unwrap();
        assert!(written.is_err_and(|problem| problem.contains("no <div id=\"first-frame\" inert></div>")));
    }
}

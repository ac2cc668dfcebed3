//! The few places the page touches the browser beyond drawing: the address bar, stored
//! sessions, downloads and uploads. Every failure here is reported or harmless, never a panic.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

use super::state::FrameBudget;

const STORED_FRAGMENT: &str = "replication-playground.fragment";
const STORED_LINK: &str = "replication-playground.link";
/// The localStorage keys of the kept session: its fragment, then its link.
pub const STORED_KEYS: [&str; 2] = [STORED_FRAGMENT, STORED_LINK];

pub fn current_fragment() -> String {
    web_sys::window().and_then(|window| window.location().hash().ok()).unwrap_or_default()
}

/// The page's address without its fragment, to which a link's fragment is added.
pub fn page_address() -> String {
    let page = web_sys::window().and_then(|window| window.location().href().ok()).unwrap_or_default();
    page.split('#').next().unwrap_or_default().to_string()
}

/// The time now, to the minute, in UTC: `2026-12-07 02:10 UTC`.
pub fn utc_minute() -> String {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    format!("{} {} UTC", iso.get(..10).unwrap_or_default(), iso.get(11..16).unwrap_or_default())
}

/// Rewrites the fragment without adding a history entry or scrolling.
pub fn replace_fragment(fragment: &str) {
    if let Some(window) = web_sys::window()
        && let Ok(history) = window.history()
    {
        // Failing to update the address bar must not disturb the run, so errors are dropped.
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("#{fragment}")));
    }
}

/// A frame's budget, timed from now by the page's clock. Without one (no
/// `performance`), a single slice of work per frame.
pub fn frame_budget() -> FrameBudget {
    match web_sys::window().and_then(|window| window.performance()) {
        Some(clock) => {
            let start = clock.now();
            FrameBudget::new(move |ms| clock.now() - start < ms)
        }
        None => FrameBudget::slices(1),
    }
}

/// Scrolls a paused demo step into view, as little as it takes (nothing where it is already on
/// screen, as on the stage): the stage where it fits the screen, else the whole step with its
/// title, else its claim, the picture and what it watches, else each of those in turn, the
/// claim last, so on a small phone the claim ends up in view with as much of the picture under
/// it as fits.
pub fn reveal_watched() {
    let Some(window) = web_sys::window() else { return };
    let Some(document) = window.document() else { return };
    let elements = |selector: &str| -> Vec<web_sys::Element> {
        let Ok(found) = document.query_selector_all(selector) else { return Vec::new() };
        (0..found.length()).filter_map(|index| found.item(index)?.dyn_into::<web_sys::Element>().ok()).collect()
    };
    let screen = window.inner_height().ok().and_then(|height| height.as_f64()).unwrap_or(0.0);
    let watched = "[data-testid=\"topology\"], [data-watched]";
    let step = format!("[data-testid=\"demo-claim\"], {watched}");
    // The stage as a whole where it fits the screen (what it clips has no say), else the step.
    for selector in [".stage-grid".to_string(), format!("[data-testid=\"demo-panel\"], {watched}"), step.clone()] {
        let span = elements(&selector)
            .iter()
            .map(|element| element.get_bounding_client_rect())
            // What is not drawn (a hidden panel) has no box and no say.
            .filter(|rect| rect.height() > 0.0)
            .map(|rect| (rect.top(), rect.bottom()))
            .reduce(|(top, bottom), (next_top, next_bottom)| (top.min(next_top), bottom.max(next_bottom)));
        // A little room at the edges for the outlines drawn around what is watched.
        let margin = 16.0;
        if let Some((top, bottom)) = span.filter(|(top, bottom)| bottom - top + 2.0 * margin <= screen) {
            let by = if top < 0.0 {
                top - margin
            } else if bottom > screen {
                bottom + margin - screen
            } else {
                0.0
            };
            window.scroll_by_with_x_and_y(0.0, by);
            return;
        }
    }
    let options = web_sys::ScrollIntoViewOptions::new();
    options.set_block(web_sys::ScrollLogicalPosition::Nearest);
    for element in elements(&step).iter().rev() {
        element.scroll_into_view_with_scroll_into_view_options(&options);
    }
}

/// Whether the visitor's system prefers a dark theme.
pub fn prefers_dark() -> bool {
    web_sys::window()
        .and_then(|window| window.match_media("(prefers-color-scheme: dark)").ok().flatten())
        .is_some_and(|query| query.matches())
}

/// The id of the element holding the first frame built ahead of time (`first_frame.rs`).
pub const FIRST_FRAME: &str = "first-frame";

/// Where the live page is drawn (index.html's `<div id="playground">`, beside the first frame:
/// Yew empties the element it draws in), or the body if the page has no such element.
pub fn page_root() -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    document.get_element_by_id("playground").or_else(|| document.body().map(Into::into))
}

/// The sizes of the pictures (run A's, run B's) the first frame built ahead of time shows on
/// this screen: the live page's pictures stand in the same boxes, so it draws its first frame
/// at these sizes rather than a guess it would correct a frame later.
pub fn first_frame_picture_sizes() -> super::page::PictureSizes {
    let mut sizes = [None, None];
    let Some(pictures) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.query_selector_all(&format!("#{FIRST_FRAME} svg.topology")).ok())
    else {
        return sizes;
    };
    let shown = (0..pictures.length())
        .filter_map(|index| pictures.item(index)?.dyn_into::<web_sys::Element>().ok())
        .map(|picture| picture.get_bounding_client_rect())
        .filter(|rect| rect.width() > 0.0);
    for (size, rect) in sizes.iter_mut().zip(shown) {
        *size = Some((rect.width().round(), rect.height().round()));
    }
    sizes
}

/// Takes the first frame built ahead of time off the page, once the live page stands there,
/// with the marks static/first-frame.js set on `<html>` to show it (the only classes there).
pub fn remove_first_frame() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else { return };
    if let Some(frame) = document.get_element_by_id(FIRST_FRAME) {
        frame.remove();
    }
    if let Some(root) = document.document_element() {
        root.remove_attribute("class").ok();
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Keeps the session for the next visit: the fragment in the address bar, and the link that
/// also holds the moment reached.
pub fn save_session(fragment: &str, link: &str) {
    if let Some(storage) = storage() {
        // Private browsing or a full quota: the session is simply not kept.
        let _ = storage.set_item(STORED_FRAGMENT, fragment);
        let _ = storage.set_item(STORED_LINK, link);
    }
}

/// The stored session's fragment and link, if any.
pub fn stored_session() -> Option<(String, String)> {
    let storage = storage()?;
    Some((storage.get_item(STORED_FRAGMENT).ok()??, storage.get_item(STORED_LINK).ok()??))
}

pub fn forget_session() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(STORED_FRAGMENT);
        let _ = storage.remove_item(STORED_LINK);
    }
}

/// Offers `text` as a file download of the media type `kind`.
pub fn download(file_name: &str, kind: &str, text: &str) -> Result<(), String> {
    let fail = |_| "the browser refused to make the download".to_string();
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window().and_then(|window| window.document()).ok_or("no document")?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a").map_err(fail)?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Reads a chosen file as text and hands the text (or why it could not be read) to `done`.
pub fn read_file(file: web_sys::File, max_bytes: f64, done: impl FnOnce(Result<String, String>) + 'static) {
    if file.size() > max_bytes {
        done(Err(format!(
            "the file is {:.0} KB; session files are at most {:.0} KB",
            file.size() / 1_000.0,
            max_bytes / 1_000.0
        )));
        return;
    }
    let Ok(reader) = web_sys::FileReader::new() else {
        done(Err("the browser cannot read files here".to_string()));
        return;
    };
    let on_load = {
        let reader = reader.clone();
        Closure::once(move || {
            done(
                reader
                    .result()
                    .ok()
                    .and_then(|result| result.as_string())
                    .ok_or_else(|| "the file could not be read as text".to_string()),
            )
        })
    };
    reader.set_onload(Some(on_load.as_ref().unchecked_ref()));
    // The closure must outlive this call; it runs once when the file is read.
    on_load.forget();
    if reader.read_as_text(&file).is_err() {
        reader.set_onload(None);
    }
}

//! Hooks into the browser's clock, keyboard and layout: the model only ever sees commands and
//! elapsed time, these turn browser events into them (and tell the page how wide it draws).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::{Closure, WasmClosure};
use yew::prelude::*;

/// The frame callback, shared so that it can request the next frame itself.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut(f64)>>>>;

/// Calls `on_frame` with the real milliseconds since the previous frame, once per animation
/// frame, for as long as the component lives. Browsers pause animation frames in a hidden tab,
/// so a hidden page does no work; the first frame back reports the whole gap, which the
/// page's state bounds (`MAX_CATCH_UP_MS`).
#[hook]
pub fn use_animation_frame(on_frame: Callback<f64>) {
    use_effect_with((), move |_| {
        let handle: Rc<RefCell<Option<i32>>> = Rc::default();
        let callback: FrameCallback = Rc::default();
        let last = Rc::new(RefCell::new(None::<f64>));
        {
            let handle = handle.clone();
            let again = callback.clone();
            *callback.borrow_mut() = Some(Closure::new(move |timestamp: f64| {
                if let Some(previous) = last.replace(Some(timestamp)) {
                    on_frame.emit(timestamp - previous);
                }
                *handle.borrow_mut() = request_frame(again.borrow().as_ref());
            }));
        }
        *handle.borrow_mut() = request_frame(callback.borrow().as_ref());
        move || {
            if let (Some(window), Some(id)) = (web_sys::window(), handle.borrow_mut().take()) {
                // Nothing useful can be done if cancelling fails; the closure is dropped anyway.
                let _ = window.cancel_animation_frame(id);
            }
            callback.borrow_mut().take();
        }
    });
}

fn request_frame(callback: Option<&Closure<dyn FnMut(f64)>>) -> Option<i32> {
    let window = web_sys::window()?;
    window.request_animation_frame(callback?.as_ref().unchecked_ref()).ok()
}

/// Listens to `event` on the window until the returned cleanup runs. Without a window (or if
/// the browser refuses) the page still works by mouse and links, so failures are not reported.
fn listen_on_window<E>(event: &'static str, handler: impl FnMut(E) + 'static) -> impl FnOnce()
where
    dyn FnMut(E): WasmClosure,
{
    let listener = Closure::wrap(Box::new(handler) as Box<dyn FnMut(E)>);
    let window = web_sys::window();
    if let Some(window) = &window {
        let _ = window.add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
    }
    move || {
        if let Some(window) = window {
            let _ = window.remove_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        }
    }
}

/// Calls `on_key` for every key pressed while focus is not in a text field or select (where
/// keys already mean something), nor Space or a plain key on a button; Escape counts
/// everywhere. With the key's name (`" "`, `"ArrowRight"`, `"?"`); `replaces_scrolling` says
/// which keys must not also scroll the page (those count on a button too: a clicker's keys).
#[hook]
pub fn use_shortcuts(on_key: Callback<String>, replaces_scrolling: Rc<dyn Fn(&str) -> bool>) {
    use_effect_with((), move |_| {
        listen_on_window("keydown", move |event: web_sys::KeyboardEvent| {
            let key = event.key();
            let taken = replaces_scrolling(&key);
            let kept_by_focus = match focused_tag(&event).as_deref() {
                Some("INPUT" | "SELECT" | "TEXTAREA") => true,
                Some("BUTTON" | "SUMMARY") => key == " " || !taken,
                _ => false,
            };
            if event.ctrl_key() || event.meta_key() || event.alt_key() || (key != "Escape" && kept_by_focus) {
                return;
            }
            if taken {
                event.prevent_default();
            }
            on_key.emit(key);
        })
    });
}

/// The tag of the element a key went to (`INPUT`, `BUTTON`, ...).
fn focused_tag(event: &web_sys::KeyboardEvent) -> Option<String> {
    let element = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    Some(element.tag_name())
}

/// Calls `on_change` with the new fragment whenever the visitor follows a link within the page
/// (a demo link, or a fragment typed into the address bar).
#[hook]
pub fn use_fragment_changes(on_change: Callback<String>) {
    use_effect_with((), move |_| {
        listen_on_window("hashchange", move |_: web_sys::Event| on_change.emit(super::browser::current_fragment()))
    });
}

/// Whether the media query (e.g. `(max-width: 640px)`) matches, kept current as the window
/// is resized or turned.
#[hook]
pub fn use_media_query(query: &'static str) -> bool {
    let list = use_memo(query, |query| web_sys::window().and_then(|window| window.match_media(query).ok().flatten()));
    let matches = use_state(|| list.as_ref().as_ref().is_some_and(|list| list.matches()));
    {
        let matches = matches.clone();
        use_effect_with(list, move |list| {
            let list = (**list).clone();
            let listener = list.as_ref().map(|list| {
                let watched = list.clone();
                let listener =
                    Closure::wrap(Box::new(move |_: web_sys::Event| matches.set(watched.matches()))
                        as Box<dyn FnMut(web_sys::Event)>);
                let _ = list.add_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
                listener
            });
            move || {
                if let (Some(list), Some(listener)) = (list, listener) {
                    let _ = list.remove_event_listener_with_callback("change", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    *matches
}

/// The size in CSS pixels of the element `node` refers to, kept current as it changes (the
/// window resized or zoomed, a panel appearing beside it); `fallback` until it is first
/// measured. A drawing laid out in these units keeps its text at its CSS size at any width.
#[hook]
pub fn use_element_size(node: NodeRef, fallback: (f64, f64)) -> (f64, f64) {
    let size = use_state_eq(|| fallback);
    {
        let size = size.clone();
        use_effect_with(node, move |node| {
            let observer = node.cast::<web_sys::Element>().and_then(|element| {
                let callback = Closure::wrap(Box::new(move |entries: js_sys::Array| {
                    let measured = entries.get(0).dyn_into::<web_sys::ResizeObserverEntry>().ok().map(|entry| {
                        let rect = entry.content_rect();
                        (rect.width().round(), rect.height().round())
                    });
                    if let Some(measured) = measured.filter(|(width, _)| *width > 0.0) {
                        size.set(measured);
                    }
                }) as Box<dyn FnMut(js_sys::Array)>);
                let observer = web_sys::ResizeObserver::new(callback.as_ref().unchecked_ref()).ok()?;
                observer.observe(&element);
                Some((observer, callback))
            });
            move || {
                if let Some((observer, _callback)) = observer {
                    observer.disconnect();
                }
            }
        });
    }
    *size
}

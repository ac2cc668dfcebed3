//! The history panel's labels: what each bar says (`w(101, "Bob")`, `r(101) → "Alice"`), in
//! full or shortened to fit, and where each is placed so that no two run into each other.

use super::history::HistoryView;
use super::text_width;
use crate::sim::history::Ending;
use crate::sim::request::{Op, Outcome, RequestRecord};
use crate::sim::{data, order};

/// Longest SQL statement text drawn on a bar.
pub(super) const SQL_LABEL_CHARS: usize = 24;

/// The labels' size in pixels (static/style.css, `.history .op-label`), and in presenter mode
/// (`.history.large .op-label`). They are set in a monospace font, each character 0.6 em wide,
/// so that their width is known here.
pub const LABEL_PX: f64 = 11.0;
pub const LARGE_LABEL_PX: f64 = 14.0;
/// A monospace character's width, in em.
pub(super) const MONOSPACE: f64 = 0.6;
/// Space kept between a label and the next label, or a bar of its row it does not belong to.
pub(super) const LABEL_GAP: f64 = 6.0;

/// Which end of the text is at the point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    Start,
    End,
}

/// A label drawn above its bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub text: String,
    /// Where across the panel, 0 to 1: the bar's start or end.
    pub at: f64,
    pub anchor: Anchor,
    /// Its size in pixels.
    pub label_px: f64,
}

impl Placed {
    /// Where the text spans, in pixels, on a panel `width` pixels wide.
    pub fn extent(&self, width: f64) -> (f64, f64) {
        let x = self.at * width;
        match self.anchor {
            Anchor::Start => (x, x + text_width(&self.text, self.label_px, MONOSPACE)),
            Anchor::End => (x - text_width(&self.text, self.label_px, MONOSPACE), x),
        }
    }
}

/// Each bar's label, `label_px` high, on a panel `width` pixels wide, or `None` where none fits: the longest of
/// its texts that fits above its row, starting at the bar's start and running at most to the
/// next bar of the row, else ending at the bar's end and starting after the row's bar before,
/// clear of the labels already placed. Rows are apart, so labels of two rows never meet; the
/// full text is on hover and focus.
pub fn place_labels(view: &HistoryView, width: f64, label_px: f64) -> Vec<Option<Placed>> {
    let mut placed = vec![None; view.bars.len()];
    let in_rows = order::ordered(
        view.bars.iter().enumerate().map(|(i, bar)| (((bar.lane as u64) << 32) | bar.row as u64, i as u64)),
    );
    // Bars are in the order they were called, so each row's are too.
    for row in in_rows.chunk_by(|&a, &b| (view.bars[a].lane, view.bars[a].row) == (view.bars[b].lane, view.bars[b].row))
    {
        let mut taken: Vec<(f64, f64)> = Vec::new();
        for (position, &index) in row.iter().enumerate() {
            let bar = &view.bars[index];
            let room_after = row.get(position + 1).map_or(width, |&next| view.bars[next].from * width - LABEL_GAP);
            let room_before =
                position.checked_sub(1).map_or(0.0, |before| view.bars[row[before]].to * width + LABEL_GAP);
            let fits = |(left, right): (f64, f64)| {
                left >= 0.0
                    && right <= width
                    && taken.iter().all(|&(start, end)| right + LABEL_GAP <= start || end + LABEL_GAP <= left)
            };
            let choice = bar.texts().into_iter().find_map(|text| {
                [(Anchor::Start, bar.from), (Anchor::End, bar.to)].into_iter().find_map(|(anchor, at)| {
                    let label = Placed { text: text.clone(), at, anchor, label_px };
                    let (left, right) = label.extent(width);
                    let in_room = match anchor {
                        Anchor::Start => right <= room_after,
                        Anchor::End => left >= room_before,
                    };
                    (in_room && fits((left, right))).then_some(label)
                })
            });
            if let Some(label) = &choice {
                taken.push(label.extent(width));
            }
            placed[index] = choice;
        }
    }
    placed
}

/// `w(101, "Bob")`, `r(101) → "Alice"`, `r(101) → none`, `r(101) → ?`, `sql(UPDATE users…)`.
pub fn label(record: &RequestRecord) -> String {
    match (&record.op, &record.outcome) {
        (Op::Write { key, name }, _) => format!("w({key}, \"{name}\")"),
        (Op::Read { key }, Some(Outcome::Read { row: Some(row), .. })) => {
            format!("r({key}) → \"{}\"", data::user_name(row))
        }
        (Op::Read { key }, Some(Outcome::Read { row: None, .. })) => format!("r({key}) → none"),
        (Op::Read { key }, _) => format!("r({key}) → ?"),
        (Op::Sql { text, .. }, _) => {
            let short: String = text.chars().take(SQL_LABEL_CHARS).collect();
            let cut = if text.chars().count() > SQL_LABEL_CHARS { "…" } else { "" };
            format!("sql({short}{cut})")
        }
    }
}

/// The label cut to its operation and the name: `w "Bob"`, `r → "Alice"`, `r → none`.
pub(super) fn value_label(record: &RequestRecord) -> Option<String> {
    match (&record.op, &record.outcome) {
        (Op::Write { name, .. }, _) => Some(format!("w \"{name}\"")),
        (Op::Read { .. }, Some(Outcome::Read { row: Some(row), .. })) => {
            Some(format!("r → \"{}\"", data::user_name(row)))
        }
        (Op::Read { .. }, Some(Outcome::Read { row: None, .. })) => Some("r → none".to_string()),
        _ => None,
    }
}

/// The label cut to its operation and user: `w(101)`, `r(101)`, `sql`.
pub(super) fn short_label(record: &RequestRecord) -> String {
    match &record.op {
        Op::Write { key, .. } => format!("w({key})"),
        Op::Read { key } => format!("r({key})"),
        Op::Sql { .. } => "sql".to_string(),
    }
}

/// The label with the row version it wrote or read, which tells apart two writes of one name:
/// `r(103) → "Barbara" (version 4)`.
pub(super) fn versioned(record: &RequestRecord) -> String {
    let version = match &record.outcome {
        Some(Outcome::Logged { version, .. }) => Some(*version),
        Some(Outcome::Read { row: Some(row), .. }) => Some(row.version),
        _ => None,
    };
    match version {
        Some(version) => format!("{} (version {version})", label(record)),
        None => label(record),
    }
}

/// Who, when and where: `client 2 · called 0:00.402 · answered 0:00.404 (2.0 ms) · pg-3 (replica 2)`.
pub(super) fn detail(record: &RequestRecord) -> String {
    let answered = match (record.completed_at, Ending::of(record)) {
        (Some(at), Ending::Ok) => format!("answered {} ({})", at.as_clock(), at - record.issued_at),
        (Some(at), Ending::Info) => {
            format!("failed {} after the master logged it: it may or may not survive", at.as_clock())
        }
        (Some(at), _) => format!("failed {}: {}", at.as_clock(), record.failure().unwrap_or_default()),
        (None, _) => "no answer yet".to_string(),
    };
    let node = record.served_where().map(|node| format!(" · {node}")).unwrap_or_default();
    format!(
        "client {} · {} · called {} · {answered}{node}",
        record.client + 1,
        versioned(record),
        record.issued_at.as_clock()
    )
}

//! The report a student hands in: the settings in words, the link that reopens the run, the
//! counters, the lecture's tables filled in when two runs ran side by side, the history's
//! verdicts, the time and the seed. Built once (`report`), written as Markdown for the download
//! and drawn as the page's printout (`PrintReport`, shown only by the print stylesheet), so
//! paper and file say the same.

use std::rc::Rc;

use yew::prelude::*;

use super::compare::{self, Measured};
use super::state::{DemoAt, Replay};
use super::view::{self, HistoryView};
use crate::sim::Simulation;
use crate::sim::config::Config;
use crate::sim::settings::{self, Setting};

/// The settings a report always lists, changed or not: the experiment's shape.
const BASICS: [&str; 7] = ["mode", "replicas", "lag", "read_side", "rate", "reads", "clients"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub title: String,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub heading: &'static str,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Text(String),
    List(Vec<String>),
    Table { caption: Option<String>, head: Vec<String>, rows: Vec<Vec<String>> },
}

/// What a report is made from.
pub struct Made<'a> {
    pub sim: &'a Simulation,
    /// The run beside, if any: the setting it changes, its value there, the run, and what the
    /// two measured.
    pub beside: Option<(&'static Setting, &'a str, &'a Simulation, &'a Measured)>,
    /// The address that reopens this run at this moment, or why there is none.
    pub link: Result<String, String>,
    /// The wall-clock time it was made, as the browser tells it.
    pub made_at: String,
    pub replay: Option<Replay>,
    pub demo: Option<DemoAt>,
    /// The history panel's view of this run (its verdicts).
    pub history: &'a HistoryView,
}

pub fn report(made: &Made) -> Report {
    let sim = made.sim;
    let mut about = vec![Block::Text(format!(
        "Made {}, at {} of simulated time. Seed {}: the same seed and commands give the same run.",
        made.made_at,
        sim.now().as_clock(),
        sim.config().seed
    ))];
    about.push(Block::Text(match &made.link {
        Ok(link) => format!("Reopen this run at this moment: {link}"),
        Err(why) => format!("No link reopens this run: {why}"),
    }));
    if let Some(demo) = made.demo {
        about.push(Block::Text(format!(
            "Made during the lecture demo \"{}\", step {} of {} ({}).",
            demo.demo.title,
            demo.step,
            demo.demo.steps.len(),
            demo.step().title
        )));
    }
    if let Some(replay) = made.replay {
        about.push(Block::Text(format!(
            "Made while the run was still replaying to {}: every figure below is from {}, where the replay had got to.",
            replay.target.as_clock(),
            sim.now().as_clock()
        )));
    }
    Report {
        title: "Replication Playground: lab report".to_string(),
        sections: vec![
            Section { heading: "The run", blocks: about },
            Section { heading: "Settings", blocks: settings_blocks(made) },
            Section { heading: "Counters", blocks: vec![counters_table(made)] },
            Section { heading: "Side by side", blocks: side_by_side(made) },
            Section { heading: "History: the checker's verdicts", blocks: verdicts(made.history) },
        ],
    }
}

fn settings_blocks(made: &Made) -> Vec<Block> {
    let config = made.sim.config();
    let defaults = Config::default();
    let mut shown: Vec<&Setting> = BASICS.iter().filter_map(|key| settings::find(key)).collect();
    shown.extend(
        settings::changed(config, &defaults).filter(|setting| !BASICS.contains(&setting.key) && setting.key != "seed"),
    );
    let mut rows: Vec<Vec<String>> = shown
        .iter()
        .map(|setting| {
            let (value, default) = ((setting.get)(config), (setting.get)(&defaults));
            let note = if value == default { "default".to_string() } else { format!("changed (default {default})") };
            vec![setting.label.to_string(), setting.key.to_string(), value, note]
        })
        .collect();
    if let Some((setting, value, ..)) = made.beside {
        rows.push(vec![
            format!("{}, in run B", setting.label),
            setting.key.to_string(),
            value.to_string(),
            "the one setting run B changes".to_string(),
        ]);
    }
    vec![
        Block::Text(format!("Replication {}: {}.", config.mode, config.mode.in_a_line())),
        Block::Table { caption: None, head: strings(&["Setting", "Link key", "Value", "Note"]), rows },
    ]
}

fn counters_table(made: &Made) -> Block {
    let a = view::counters(made.sim.stats());
    match made.beside {
        None => Block::Table {
            caption: None,
            head: strings(&["Counter", "Value", "Note"]),
            rows: a
                .into_iter()
                .map(|counter| vec![counter.label.to_string(), counter.value.to_string(), counter.note])
                .collect(),
        },
        Some((setting, value, other, _)) => {
            let (a_title, b_title) = view::run_titles(made.sim, setting, value);
            let b = view::counters(other.stats());
            Block::Table {
                caption: None,
                head: vec!["Counter".to_string(), a_title, b_title],
                rows: a
                    .into_iter()
                    .zip(b)
                    .map(|(a, b)| {
                        vec![
                            a.label.to_string(),
                            format!("{} ({})", a.value, a.note),
                            format!("{} ({})", b.value, b.note),
                        ]
                    })
                    .collect(),
            }
        }
    }
}

fn side_by_side(made: &Made) -> Vec<Block> {
    let Some((setting, value, _, measured)) = made.beside else {
        return vec![Block::Text(
            "No second run ran beside this one, so the lecture's tables are not filled in. To fill them in, run the same experiment side by side (\"Side by side: the same run with\", for example mode = sync beside async, or replicas = 0 beside replicas) and download the report again."
                .to_string(),
        )];
    };
    let sim = made.sim;
    let (a_title, b_title) = view::run_titles(sim, setting, value);
    let mut blocks = vec![Block::Text(format!(
        "Run A and run B have the same seed and the same commands; only {} differs ({a_title}, {b_title}).",
        setting.key
    ))];
    match &measured.lecture {
        Some(lecture) => blocks.push(Block::Table {
            caption: Some(lecture.caption.clone()),
            head: vec!["Feature".to_string(), "The lecture says".to_string(), a_title.clone(), b_title.clone()],
            rows: (lecture.rows.iter())
                .map(|row| vec![row.feature.to_string(), row.lecture_says.to_string(), row.a.clone(), row.b.clone()])
                .collect(),
        }),
        None => blocks.push(Block::Text(
            "This comparison is not one of the lecture's tables (those compare a single database with replicas, or sync with async replication); the measurements follow."
                .to_string(),
        )),
    }
    blocks.push(Block::Table {
        caption: Some("Measured".to_string()),
        head: vec!["Measured".to_string(), a_title, b_title],
        rows: (measured.rows.iter())
            .map(|row| vec![row.label.to_string(), compare::shown(row.a), compare::shown(row.b)])
            .collect(),
    });
    blocks
}

fn verdicts(history: &HistoryView) -> Vec<Block> {
    vec![
        Block::Text(format!("{} {}", history.scope, history.start)),
        Block::List(
            history.verdicts.iter().map(|line| format!("{}: {}. {}", line.name, line.answer, line.words)).collect(),
        ),
    ]
}

fn strings(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|text| text.to_string()).collect()
}

impl Report {
    /// The report as a Markdown file, `report.md`.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title);
        for section in &self.sections {
            out.push_str(&format!("\n## {}\n", section.heading));
            for block in &section.blocks {
                out.push('\n');
                match block {
                    Block::Text(text) => out.push_str(&format!("{}\n", one_line(text))),
                    Block::List(items) => {
                        items.iter().for_each(|item| out.push_str(&format!("- {}\n", one_line(item))))
                    }
                    Block::Table { caption, head, rows } => {
                        if let Some(caption) = caption {
                            out.push_str(&format!("**{}**\n\n", one_line(caption)));
                        }
                        let line = |cells: &[String]| {
                            let cells: Vec<String> =
                                cells.iter().map(|cell| one_line(cell).replace('|', "\\|")).collect();
                            format!("| {} |\n", cells.join(" | "))
                        };
                        out.push_str(&line(head));
                        out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                        rows.iter().for_each(|row| out.push_str(&line(row)));
                    }
                }
            }
        }
        out
    }
}

/// A text on one line, as Markdown's paragraphs and table cells need it.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Properties, PartialEq)]
pub struct PrintReportProps {
    pub report: Rc<Report>,
}

/// The report as the page prints it: hidden on screen, the only thing on paper.
#[component]
pub fn PrintReport(props: &PrintReportProps) -> Html {
    let report = &props.report;
    html! {
        <article class="print-report" data-testid="print-report" aria-hidden="true">
            <h1>{ report.title.clone() }</h1>
            { for report.sections.iter().map(|section| html! {
                <section>
                    <h2>{ section.heading }</h2>
                    { for section.blocks.iter().map(block) }
                </section>
            }) }
        </article>
    }
}

fn block(block: &Block) -> Html {
    match block {
        Block::Text(text) => html! { <p>{ text.clone() }</p> },
        Block::List(items) => html! { <ul>{ for items.iter().map(|item| html! { <li>{ item.clone() }</li> }) }</ul> },
        Block::Table { caption, head, rows } => html! {
            <table>
                if let Some(caption) = caption { <caption>{ caption.clone() }</caption> }
                <thead><tr>{ for head.iter().map(|cell| html! { <th scope="col">{ cell.clone() }</th> }) }</tr></thead>
                <tbody>
                    { for rows.iter().map(|row| html! { <tr>{ for row.iter().map(|cell| html! { <td>{ cell.clone() }</td> }) }</tr> }) }
                </tbody>
            </table>
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Command;
    use crate::sim::config::Mode;
    use crate::sim::time::Time;

    fn run(config: Config) -> Simulation {
        let mut sim = Simulation::new(config).unwrap();
        sim.run_until(Time::from_millis(500));
        sim.apply(Command::WriteRandom { client: 0 }).unwrap();
        sim.run_until(Time::from_millis(520));
        sim.apply(Command::ReadLastWritten { client: 0 }).unwrap();
        sim.run_until(Time::from_millis(5_000));
        sim
    }

    fn markdown(
        sim: &Simulation,
        beside: Option<(&'static Setting, &str, &Simulation)>,
        replay: Option<Replay>,
    ) -> String {
        let history = view::history(sim, &view::Judgements::default());
        let measured = beside.map(|(_, _, other)| compare::measure(sim, other));
        let made = Made {
            sim,
            beside: beside
                .zip(measured.as_ref())
                .map(|((setting, value, other), measured)| (setting, value, other, measured)),
            link: Ok("https://example.org/playground/#replicas=2".to_string()),
            made_at: "2026-12-07 02:10 UTC".to_string(),
            replay,
            demo: None,
            history: &history,
        };
        report(&made).to_markdown()
    }

    #[test]
    fn a_plain_runs_report_gives_its_settings_link_counters_and_verdicts_and_says_no_comparison_ran() {
        let sim = run(Config { replicas: 2, lag_ms: 2_000, ..Config::default() });
        let text = markdown(&sim, None, None);
        for expected in [
            "# Replication Playground: lab report",
            "Made 2026-12-07 02:10 UTC, at 0:05.000 of simulated time. Seed 1",
            "Reopen this run at this moment: https://example.org/playground/#replicas=2",
            "Replication async: the master answers once the write is on its own disk",
            "| Lag (ms) | lag | 2000 | changed (default 1000) |",
            "| Stale reads | 1 | older than the master's data |",
            "No second run ran beside this one",
            "- Linearizable: ",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        assert!(!text.contains("replaying"), "{text}");
    }

    #[test]
    fn a_comparisons_report_fills_in_the_lectures_table_with_both_runs() {
        let a = run(Config { replicas: 2, ..Config::default() });
        let b = run(Config { replicas: 2, mode: Mode::Sync, ..Config::default() });
        let mode = settings::find("mode").unwrap();
        let text = markdown(&a, Some((mode, "sync", &b)), None);
        for expected in [
            "only mode differs (A: mode = async, B: mode = sync)",
            "| Feature | The lecture says | A: mode = async | B: mode = sync |",
            "| Counter | A: mode = async | B: mode = sync |",
            "| Stale reads | 1 (older than the master's data) | 0 (older than the master's data) |",
            "| Replication, in run B | mode | sync | the one setting run B changes |",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }

    #[test]
    fn a_report_made_mid_replay_or_without_a_link_says_so() {
        let sim = run(Config::default());
        let replay = Replay { target: Time::from_millis(60_000), from: Time::ZERO, resume: false };
        let text = markdown(&sim, None, Some(replay));
        assert!(text.contains("still replaying to 1:00.000: every figure below is from 0:05.000"), "{text}");
        let history = view::history(&sim, &view::Judgements::default());
        let made = Made {
            sim: &sim,
            beside: None,
            link: Err("too long".to_string()),
            made_at: String::new(),
            replay: None,
            demo: None,
            history: &history,
        };
        assert!(report(&made).to_markdown().contains("No link reopens this run: too long"));
    }

    #[test]
    fn table_cells_keep_to_one_line_and_escape_the_pipe() {
        let report = Report {
            title: "t".into(),
            sections: vec![Section {
                heading: "s",
                blocks: vec![Block::Table {
                    caption: None,
                    head: strings(&["a"]),
                    rows: vec![vec!["x | y\nz".into()]],
                }],
            }],
        };
        assert!(report.to_markdown().contains("| x \\| y z |"));
    }
}

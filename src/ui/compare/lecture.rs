//! The lecture's tables, filled in from two runs side by side: "Master-Slave vs. Single DB" and
//! the replication table (sync vs. async). A table names the stretch of each run it measured,
//! and its rows are figures of that one stretch, so they add up: the answers per second are
//! the writes and the reads per second, and what was sent is answered, failed or still waiting.

use crate::sim::Simulation;
use crate::sim::events::EventKind;
use crate::sim::ids::NodeId;
use crate::sim::metrics::{BUCKET, Bucket, Latency, WRITE_SAMPLES};
use crate::sim::time::Time;
use crate::sim::words::plural;

/// One of the lecture's tables, filled in from the two runs.
#[derive(Clone, Debug, PartialEq)]
pub struct LectureTable {
    pub caption: String,
    pub rows: Vec<LectureRow>,
}

/// One row of a lecture's table: what the lecture says, and what each run showed.
#[derive(Clone, Debug, PartialEq)]
pub struct LectureRow {
    pub feature: &'static str,
    pub lecture_says: &'static str,
    pub a: String,
    pub b: String,
}

/// The lecture's table these two runs fill in, if any: "Master-Slave vs. Single DB" when one
/// is a single database and the other has replicas; its replication table (synchronous vs.
/// asynchronous) when both have replicas and only one's master waits for them.
pub fn lecture_table(a: &Simulation, b: &Simulation) -> Option<LectureTable> {
    let single = |sim: &Simulation| sim.replica_ids().is_empty();
    let waits = |sim: &Simulation| sim.config().mode.level().is_some();
    if single(a) != single(b) {
        Some(master_slave_vs_single(a, b))
    } else if !single(a) && waits(a) != waits(b) {
        Some(sync_vs_async(a, b))
    } else {
        None
    }
}

fn row<T>(
    (a, b): (&T, &T),
    feature: &'static str,
    lecture_says: &'static str,
    measure: &dyn Fn(&T) -> String,
) -> LectureRow {
    LectureRow { feature, lecture_says, a: measure(a), b: measure(b) }
}

/// The run's first second is left out: its first requests are still on their way, so what
/// was sent runs ahead of what was answered.
const WARM_UP: Time = Time::from_millis(1_000);
/// Answers already on their way when the master crashed still arrive for this long.
const SETTLE: Time = Time::from_millis(500);

/// What a run did over a stretch of whole metrics buckets, added up.
struct Stretch {
    from: Time,
    until: Time,
    sent: u64,
    reads: u64,
    writes: u64,
    failed: u64,
    stale: u64,
    /// Reads each PostgreSQL machine served, by node id.
    served: Vec<u64>,
}

impl Stretch {
    /// The buckets' sums; none without a bucket.
    fn of<'a>(buckets: impl Iterator<Item = &'a Bucket>) -> Option<Stretch> {
        let mut stretch: Option<Stretch> = None;
        for bucket in buckets {
            let sums = stretch.get_or_insert_with(|| Stretch {
                from: bucket.start,
                until: bucket.start,
                sent: 0,
                reads: 0,
                writes: 0,
                failed: 0,
                stale: 0,
                served: Vec::new(),
            });
            sums.until = bucket.start + BUCKET;
            sums.sent += bucket.issued;
            sums.reads += bucket.reads;
            sums.writes += bucket.writes;
            sums.failed += bucket.failed;
            sums.stale += bucket.stale_reads;
            if sums.served.len() < bucket.nodes.len() {
                sums.served.resize(bucket.nodes.len(), 0);
            }
            for (served, node) in sums.served.iter_mut().zip(&bucket.nodes) {
                *served += node.reads;
            }
        }
        stretch
    }

    fn per_second(&self, count: u64) -> f64 {
        count as f64 * 1_000_000.0 / (self.until - self.from).as_micros() as f64
    }

    /// `1.0–3.0 s`.
    fn span(&self) -> String {
        format!("{}–{}", number(self.from), seconds(self.until))
    }
}

/// One run's column of "Master-Slave vs. Single DB": the stretch from 1 s on up to its
/// master's first crash (the whole run if it did not crash), and the stretch after the crash.
struct Column<'a> {
    sim: &'a Simulation,
    crashed: Option<Time>,
    before: Option<Stretch>,
    after: Option<Stretch>,
}

impl Column<'_> {
    fn of(sim: &Simulation) -> Column<'_> {
        let crashed = sim
            .events()
            .find(|event| matches!(&event.kind, EventKind::Crashed { node, .. } if node.ends_with("(master)")))
            .map(|event| event.at);
        let warm = || sim.metrics().buckets().filter(|bucket| bucket.start >= WARM_UP);
        let before = Stretch::of(warm().filter(|bucket| crashed.is_none_or(|at| bucket.start + BUCKET <= at)));
        let after = crashed.and_then(|at| Stretch::of(warm().filter(|bucket| bucket.start >= at + SETTLE)));
        Column { sim, crashed, before, after }
    }

    /// What the column measured, for the caption: `over 1.0–3.0 s, before its master crashed
    /// at 3.0 s`; `whose` is "its" or "each".
    fn measured(&self, whose: &str) -> String {
        let crash = |at: Time| format!("before {whose} master crashed at {}", seconds(at));
        match (&self.before, self.crashed) {
            (None, None) => format!("from {} on: nothing yet", seconds(WARM_UP)),
            (None, Some(at)) => format!("from {} on: nothing {}", seconds(WARM_UP), crash(at)),
            (Some(stretch), None) => format!("over {}", stretch.span()),
            (Some(stretch), Some(at)) => format!("over {}, {}", stretch.span(), crash(at)),
        }
    }

    /// `measure` of the stretch before the crash, or that there is none.
    fn before(&self, measure: impl Fn(&Stretch) -> String) -> String {
        self.before.as_ref().map_or_else(|| "nothing measured yet".to_string(), measure)
    }
}

/// "Master-Slave vs. Single DB", each run measured over one stretch before its master crashed
/// (if it did), and after.
fn master_slave_vs_single(a: &Simulation, b: &Simulation) -> LectureTable {
    let (a, b) = (Column::of(a), Column::of(b));
    let measured = match (a.measured("each"), b.measured("each")) {
        (a_words, b_words) if a_words == b_words => format!("in both runs {a_words}"),
        _ => format!("in A {}; in B {}", a.measured("its"), b.measured("its")),
    };
    let scalability = |column: &Column| column.before(scalability);
    let reliability = |column: &Column| match (column.crashed, &column.after) {
        (None, _) => "the master did not crash".to_string(),
        (Some(at), None) => {
            format!("the master crashed at {}; from {} on: nothing measured yet", seconds(at), seconds(at + SETTLE))
        }
        (Some(at), Some(after)) => format!(
            "the master crashed at {}; over {}: {} requests/s answered",
            seconds(at),
            after.span(),
            rate(after.per_second(after.reads + after.writes))
        ),
    };
    let writes = |column: &Column| {
        column.before(|stretch| {
            format!("{} writes/s acknowledged, all by the master", rate(stretch.per_second(stretch.writes)))
        })
    };
    let reads = |column: &Column| column.before(|stretch| read_spread(column.sim, stretch));
    let consistency = |column: &Column| column.before(|stretch| stale_reads(column.sim, stretch));
    let runs = (&a, &b);
    LectureTable {
        caption: format!("The lecture's table: Master-Slave vs. Single DB, measured {measured}"),
        rows: vec![
            row(
                runs,
                "Scalability",
                "lecture: single DB limited; master-slave scales with the number of slaves",
                &scalability,
            ),
            row(
                runs,
                "Reliability",
                "lecture: single DB one point of failure; master-slave multiple replicas for reads",
                &reliability,
            ),
            row(
                runs,
                "Write load handling",
                "lecture: single DB full capacity; master-slave centralized in the master",
                &writes,
            ),
            row(
                runs,
                "Read load handling",
                "lecture: single DB bottlenecked; master-slave distributed across the slaves",
                &reads,
            ),
            row(
                runs,
                "Data consistency",
                "lecture's summary: replication ensures data consistency, depending on sync type",
                &consistency,
            ),
        ],
    }
}

/// Whether the run answered what was sent: `kept up: 1,000 requests/s sent, 1,000 answered`,
/// or how far short it fell and where the rest went.
fn scalability(stretch: &Stretch) -> String {
    if stretch.sent == 0 {
        return "no request was sent".to_string();
    }
    let (sent, answered) = (stretch.per_second(stretch.sent), stretch.per_second(stretch.reads + stretch.writes));
    // Arrivals are random and answers trail them by a round trip: within 5% is keeping up.
    let kept_up = answered >= 0.95 * sent;
    let failed = format!("; {}/s failed", rate(stretch.per_second(stretch.failed)));
    let (sent, answered) = (rate(sent), rate(answered));
    match (kept_up, stretch.failed) {
        (true, 0) => format!("kept up: {sent} requests/s sent, {answered} answered"),
        (true, _) => format!("{sent} requests/s sent, {answered} answered{failed}"),
        (false, 0) => format!("{sent} requests/s sent, only {answered} answered; the rest still wait"),
        (false, _) => format!("{sent} requests/s sent, only {answered} answered{failed}"),
    }
}

/// The reads answered, and who served them: `450 reads/s answered, all by the one server`, or
/// `900 reads/s answered, served by pg-2 50%, pg-3 50%` (the replicas, and any other machine
/// that served some). Shares, as a machine serves a read a trip before its client has the
/// answer: at the stretch's ends the counts differ by the answers on their way.
fn read_spread(sim: &Simulation, stretch: &Stretch) -> String {
    let answered = format!("{} reads/s answered", rate(stretch.per_second(stretch.reads)));
    let replicas = sim.replica_ids();
    let total: u64 = stretch.served.iter().sum();
    if replicas.is_empty() {
        return format!("{answered}, all by the one server");
    }
    if total == 0 {
        return answered;
    }
    let served = |index: usize| stretch.served.get(index).copied().unwrap_or(0);
    let machines = (0..stretch.served.len().max(replicas.iter().map(|id| id.0 + 1).max().unwrap_or(0)))
        .map(NodeId)
        .filter(|id| served(id.0) > 0 || replicas.contains(id));
    let shares: Vec<String> = machines
        .map(|id| {
            let role = if id == sim.master_id() { " (master)" } else { "" };
            format!("{}{role} {:.0}%", id.machine(), 100.0 * served(id.0) as f64 / total as f64)
        })
        .collect();
    format!("{answered}, served by {}", shares.join(", "))
}

/// `2,428 of 4,539 reads stale (53%), mode = async`.
fn stale_reads(sim: &Simulation, stretch: &Stretch) -> String {
    if stretch.reads == 0 {
        return "no read answered".to_string();
    }
    let how = match sim.replica_ids().is_empty() {
        true => "every read on the one server".to_string(),
        false => format!("mode = {}", sim.config().mode),
    };
    format!(
        "{} of {} {} stale ({:.0}%), {how}",
        grouped(stretch.stale),
        grouped(stretch.reads),
        if stretch.reads == 1 { "read" } else { "reads" },
        100.0 * stretch.stale as f64 / stretch.reads as f64
    )
}

/// The lecture's replication table: what waiting for the replicas bought (no stale read) and
/// cost (slower writes, and writes held up by a crashed replica).
fn sync_vs_async(a: &Simulation, b: &Simulation) -> LectureTable {
    let stale = |sim: &Simulation| {
        let stats = sim.stats();
        match stats.reads_completed {
            0 => "no read answered yet".to_string(),
            reads => format!(
                "{} of {} ({:.0}%)",
                stats.stale_reads,
                plural(reads, "read", "reads"),
                100.0 * stats.stale_reads as f64 / reads as f64
            ),
        }
    };
    let latency = |quantile: fn(Latency) -> Time| {
        move |sim: &Simulation| match sim.metrics().recent_write_latency() {
            Some(latency) => format!("{:.0} ms", quantile(latency).as_millis_f64()),
            None => "no write acknowledged yet".to_string(),
        }
    };
    let runs = (a, b);
    LectureTable {
        caption: format!(
            "The lecture's sync vs. async table, measured (stale reads: the whole run; write latencies: each run's latest {WRITE_SAMPLES} writes)"
        ),
        rows: vec![
            row(runs, "Risk of stale reads", "lecture: async risks stale reads", &stale),
            row(
                runs,
                "Write latency p50 (median)",
                "lecture: async is faster, the master does not wait",
                &latency(|latency| latency.p50),
            ),
            row(
                runs,
                "Write latency p99 (99% within)",
                "lecture: sync waits for the slaves to confirm",
                &latency(|latency| latency.p99),
            ),
            row(
                runs,
                "A replica crashes",
                "lecture: sync waits for the slave to confirm; a crashed one cannot",
                &after_replica_crash,
            ),
        ],
    }
}

/// What the latest crash of a replica did to writes: how many were acknowledged since, and how
/// many wait now (and for whom).
fn after_replica_crash(sim: &Simulation) -> String {
    let crash = sim.events().rev().find_map(|event| match &event.kind {
        EventKind::Crashed { node, .. } if !node.ends_with("(master)") => Some((node, event.at)),
        _ => None,
    });
    let Some((node, crashed_at)) = crash else {
        return "no replica crashed".to_string();
    };
    let back = sim.events().find_map(|event| match &event.kind {
        EventKind::Restarted { node: restarted } if restarted == node && event.at > crashed_at => {
            Some(format!(", back at {}", seconds(event.at)))
        }
        _ => None,
    });
    // Counted in whole metrics buckets, from the first that starts at or after the crash (at
    // most a minute back).
    let oldest_kept = sim.metrics().buckets().next().map_or(Time::ZERO, |bucket| bucket.start);
    let from = Time(crashed_at.as_micros().div_ceil(BUCKET.as_micros()) * BUCKET.as_micros()).max(oldest_kept);
    let since = if from == crashed_at { "since then".to_string() } else { format!("from {} on", seconds(from)) };
    let acknowledged = plural(sim.metrics().writes_from(from), "write", "writes");
    let waiting = match sim.waiting_for() {
        Some((count, missing)) if !missing.is_empty() => {
            let names: Vec<String> = missing.into_iter().map(|id| id.machine()).collect();
            format!("{count} waiting for {}", names.join(", "))
        }
        Some((count, _)) => format!("{count} waiting"),
        None => "none waiting".to_string(),
    };
    format!(
        "{node} crashed at {}{}; {since}: {acknowledged} acknowledged, {waiting}",
        seconds(crashed_at),
        back.unwrap_or_default()
    )
}

/// A moment of the run in seconds, `3.0`, `3.25`: to the hundredth, as a metrics bucket
/// starts, when the tenth is not exact.
fn number(at: Time) -> String {
    let value = at.as_millis_f64() / 1_000.0;
    if at.as_micros() % 100_000 == 0 { format!("{value:.1}") } else { format!("{value:.2}") }
}

/// `3.0 s`, `3.25 s`.
fn seconds(at: Time) -> String {
    format!("{} s", number(at))
}

/// `82,343`: a count with its thousands apart, as the class reads it aloud.
fn grouped(count: u64) -> String {
    let digits = count.to_string();
    let mut words = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            words.push(',');
        }
        words.push(digit);
    }
    words
}

/// A rate per second: whole from 10 up (`2,037`), else to the tenth (`0.5`), so a few
/// failures over a stretch do not read as none.
fn rate(per_second: f64) -> String {
    match per_second {
        _ if per_second.round() >= 10.0 || per_second.fract() == 0.0 => grouped(per_second.round() as u64),
        _ if per_second < 0.05 => "under 0.1".to_string(),
        _ => format!("{per_second:.1}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::{Config, Mode, Policy};
    use crate::sim::recording::Recording;
    use crate::sim::{Command, NodeRef};

    /// Two replicas 1 s away, 40 requests/s from 4 clients, 8 in 10 reads, run for `ms` with
    /// `script`.
    fn run(mode: Mode, script: &[(u64, Command)], ms: u64) -> Simulation {
        let config =
            Config { replicas: 2, mode, rate: 40, reads_percent: 80, hot_keys: 20, clients: 4, ..Config::default() };
        let script = script.iter().map(|(at, command)| (Time::from_millis(*at), command.clone())).collect();
        let (mut recording, mut sim) = Recording::new(config, script).expect("valid settings");
        recording.advance(&mut sim, Time::from_millis(ms));
        sim
    }

    fn crash(at: u64) -> (u64, Command) {
        (at, Command::Crash(NodeRef::Replica(2)))
    }

    /// Each row's feature, run A's value and run B's.
    fn measured(table: &LectureTable) -> Vec<(&str, &str, &str)> {
        table.rows.iter().map(|row| (row.feature, row.a.as_str(), row.b.as_str())).collect()
    }

    #[test]
    fn once_the_crashed_replica_is_back_the_writes_that_waited_for_it_make_syncs_p99() {
        let script = [crash(3_000), (5_000, Command::Restart(NodeRef::Replica(2)))];
        let (a, b) = (run(Mode::Async, &script, 8_000), run(Mode::Sync, &script, 8_000));
        let table = lecture_table(&a, &b).expect("the replication table");
        let rows = measured(&table);
        assert_eq!(rows[1], ("Write latency p50 (median)", "101 ms", "1102 ms"));
        assert_eq!(rows[2], ("Write latency p99 (99% within)", "101 ms", "3968 ms"));
        assert_eq!(
            rows[3].2,
            "pg-3 (replica 2) crashed at 3.0 s, back at 5.0 s; since then: 39 writes acknowledged, 10 waiting for pg-2, pg-3"
        );
    }

    #[test]
    fn async_beside_sync_fills_in_the_lectures_replication_table() {
        let (a, b) = (run(Mode::Async, &[crash(3_000)], 6_000), run(Mode::Sync, &[crash(3_000)], 6_000));
        let table = lecture_table(&a, &b).expect("one master waits for its replicas, the other does not");
        assert!(table.caption.contains("sync vs. async"), "{}", table.caption);
        assert_eq!(
            measured(&table),
            [
                ("Risk of stale reads", "61 of 182 reads (34%)", "0 of 182 reads (0%)"),
                ("Write latency p50 (median)", "101 ms", "1102 ms"),
                ("Write latency p99 (99% within)", "101 ms", "1102 ms"),
                (
                    "A replica crashes",
                    "pg-3 (replica 2) crashed at 3.0 s; since then: 23 writes acknowledged, none waiting",
                    "pg-3 (replica 2) crashed at 3.0 s; since then: 1 write acknowledged, 33 waiting for pg-3"
                ),
            ]
        );
    }

    #[test]
    fn writes_after_a_crash_are_counted_from_the_next_whole_bucket() {
        let (a, b) = (run(Mode::Async, &[crash(3_100)], 6_000), run(Mode::Sync, &[crash(3_100)], 6_000));
        let table = lecture_table(&a, &b).expect("the replication table");
        let (_, a, b) = measured(&table)[3];
        assert!(a.starts_with("pg-3 (replica 2) crashed at 3.1 s; from 3.25 s on: "), "{a}");
        assert!(b.starts_with("pg-3 (replica 2) crashed at 3.1 s; from 3.25 s on: 0 writes acknowledged, "), "{b}");
    }

    #[test]
    fn before_any_write_or_crash_the_table_says_so() {
        let (a, b) = (run(Mode::Async, &[], 50), run(Mode::Sync, &[], 50));
        let table = lecture_table(&a, &b).expect("the replication table");
        let [stale, p50, p99, crash] = &table.rows[..] else { panic!("four rows") };
        assert_eq!(
            (stale.a.as_str(), p50.b.as_str(), p99.a.as_str()),
            ("no read answered yet", "no write acknowledged yet", "no write acknowledged yet")
        );
        assert_eq!((crash.a.as_str(), crash.b.as_str()), ("no replica crashed", "no replica crashed"));
    }

    #[test]
    fn a_comparison_gets_the_lecture_table_it_fills_in_and_no_other() {
        let with = |change: fn(&mut Config)| {
            let mut config = Config { rate: 100, ..Config::default() };
            change(&mut config);
            Simulation::new(config).expect("valid settings")
        };
        let caption = |a: &Simulation, b: &Simulation| lecture_table(a, b).map(|table| table.caption);
        let async_run = with(|_| {});
        assert!(caption(&with(|c| c.replicas = 0), &async_run).is_some_and(|caption| caption.contains("Single DB")));
        assert!(
            caption(&async_run, &with(|c| c.mode = Mode::On)).is_some_and(|caption| caption.contains("sync vs. async"))
        );
        assert_eq!(caption(&async_run, &with(|c| c.policy = Policy::Random)), None, "neither waits");
        assert_eq!(caption(&with(|c| c.mode = Mode::Sync), &with(|c| c.mode = Mode::RemoteApply)), None, "both wait");
        let (single_async, single_sync) = (with(|c| c.replicas = 0), with(|c| (c.replicas, c.mode) = (0, Mode::Sync)));
        assert_eq!(caption(&single_async, &single_sync), None, "no replica to wait for");
    }

    /// A run of the comparison demo's settings (the single database, or with `replicas`) with
    /// its script, for `ms`.
    fn comparison_demo(replicas: usize, ms: u64) -> Simulation {
        let step = &crate::demos::find("comparison").expect("the demo").steps[0];
        let config = Config { replicas, ..(step.config)() };
        let (mut recording, mut sim) = Recording::new(config, (step.script)()).expect("valid settings");
        recording.advance(&mut sim, Time::from_millis(ms));
        sim
    }

    /// A run of the default settings, whose traffic starts at 2 s at 2,000 requests/s, for 11 s.
    fn rate_raised_at_2_s(replicas: usize) -> Simulation {
        let raised = Config { replicas, rate: 2_000, ..Config::default() };
        let script = vec![(Time::from_millis(2_000), Command::Configure(Box::new(raised)))];
        let (mut recording, mut sim) =
            Recording::new(Config { replicas, ..Config::default() }, script).expect("valid settings");
        recording.advance(&mut sim, Time::from_millis(11_000));
        sim
    }

    /// The rates a cell gives, in order: `1,250 reads/s answered; 3/s failed` gives 1250 and 3.
    fn rates(cell: &str) -> Vec<f64> {
        let number = |before: &str| {
            let before = before.trim_end_matches(|c: char| c.is_ascii_alphabetic()).trim_end();
            let start = before.rfind(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.')).map_or(0, |at| at + 1);
            before[start..].replace(',', "").parse::<f64>().unwrap_or_else(|_| panic!("a rate in {cell:?}"))
        };
        cell.match_indices("/s").map(|(at, _)| number(&cell[..at])).collect()
    }

    /// The numbers a cell gives, in order: `1,200 requests/s sent, only 1,000 answered; 200/s
    /// failed` gives 1200, 1000 and 200.
    fn numbers(cell: &str) -> Vec<f64> {
        let figure = |word: &str| {
            let word = word.trim_start_matches('(').trim_end_matches([',', ';', ':', ')', '%']);
            word.trim_end_matches("/s").replace(',', "").parse::<f64>().ok()
        };
        cell.split_whitespace().filter_map(figure).collect()
    }

    /// The rows' cells of one run: `a` or `b`.
    fn cells(table: &LectureTable, run: fn(&LectureRow) -> &String) -> Vec<&str> {
        table.rows.iter().map(|row| run(row).as_str()).collect()
    }

    /// The answers per second are the writes and the reads per second, and what was sent is
    /// answered or failed (or said to be waiting), within the rounding of the figures shown.
    fn assert_rows_add_up(cells: &[&str]) {
        let [scalability, _, writes, reads, consistency] = cells else { panic!("five rows: {cells:?}") };
        let (sent, answered) = (numbers(scalability)[0], numbers(scalability)[1]);
        let failed = numbers(scalability).get(2).copied().unwrap_or(0.0);
        let (writes, reads) = (rates(writes)[0], rates(reads)[0]);
        assert!((answered - (writes + reads)).abs() <= 1.5, "{scalability} is {writes} writes/s and {reads} reads/s");
        if !scalability.contains("still wait") {
            assert!(answered + failed >= 0.95 * sent, "{scalability}: sent is answered or failed");
        }
        assert!(scalability.starts_with("kept up") == (failed == 0.0 && answered >= 0.95 * sent), "{scalability}");
        assert!(consistency.contains(" of ") && consistency.contains("reads stale"), "{consistency}");
    }

    #[test]
    fn a_run_that_answers_all_it_is_sent_kept_up_though_its_rate_rose_mid_run() {
        let (single, replicas) = (rate_raised_at_2_s(0), rate_raised_at_2_s(2));
        let table = lecture_table(&single, &replicas).expect("the Master-Slave vs. Single DB table");
        assert!(table.caption.ends_with("measured in both runs over 1.0–11.0 s"), "{}", table.caption);
        let (a, b) = (cells(&table, |row| &row.a), cells(&table, |row| &row.b));
        assert_eq!(replicas.stats().reads_failed + replicas.stats().writes_failed, 0, "nothing failed in B");
        assert!(b[0].starts_with("kept up: "), "{}", b[0]);
        assert!(a[0].contains(" requests/s sent, only ") && a[0].contains("/s failed"), "{}", a[0]);
        assert_rows_add_up(&a);
        assert_rows_add_up(&b);
    }

    #[test]
    fn without_a_crash_no_figure_is_said_to_be_before_one() {
        let (single, replicas) = (rate_raised_at_2_s(0), rate_raised_at_2_s(2));
        let table = lecture_table(&single, &replicas).expect("the Master-Slave vs. Single DB table");
        let texts = table.rows.iter().flat_map(|row| [&row.a, &row.b]).chain([&table.caption]);
        for text in texts.filter(|text| *text != "the master did not crash") {
            assert!(!text.contains("crash"), "{text}");
        }
    }

    #[test]
    fn the_comparison_demos_table_measures_one_stretch_before_the_crash_and_one_after() {
        let (single, replicas) = (comparison_demo(0, 5_000), comparison_demo(3, 5_000));
        let table = lecture_table(&single, &replicas).expect("the Master-Slave vs. Single DB table");
        assert!(
            table.caption.ends_with("measured in both runs over 1.0–3.0 s, before each master crashed at 3.0 s"),
            "{}",
            table.caption
        );
        let (a, b) = (cells(&table, |row| &row.a), cells(&table, |row| &row.b));
        assert_rows_add_up(&a);
        assert_rows_add_up(&b);
        assert!(
            a[0].contains(" requests/s sent, only ") && a[0].contains("/s failed"),
            "the single DB is limited: {}",
            a[0]
        );
        assert!(b[0].starts_with("kept up: "), "the replicas keep up: {}", b[0]);
        assert_eq!(a[1], "the master crashed at 3.0 s; over 3.5–5.0 s: 0 requests/s answered");
        assert!(
            b[1].starts_with("the master crashed at 3.0 s; over 3.5–5.0 s: ") && rates(b[1])[0] > 800.0,
            "{}",
            b[1]
        );
        assert!(a[3].ends_with(" reads/s answered, all by the one server"), "{}", a[3]);
        assert!(b[3].ends_with(" reads/s answered, served by pg-2 33%, pg-3 33%, pg-4 33%"), "{}", b[3]);
    }

    #[test]
    fn the_table_says_how_many_reads_were_stale_where_the_lectures_summary_says_consistent() {
        let (single, replicas) = (comparison_demo(0, 5_000), comparison_demo(3, 5_000));
        let table = lecture_table(&single, &replicas).expect("the Master-Slave vs. Single DB table");
        let consistency = table.rows.iter().find(|row| row.feature == "Data consistency").expect("a consistency row");
        assert!(
            consistency.lecture_says.contains("replication ensures data consistency"),
            "{}",
            consistency.lecture_says
        );
        let stretch = |sim: &Simulation| {
            let buckets =
                sim.metrics().buckets().filter(|bucket| (4..12).contains(&(bucket.start.as_micros() / 250_000)));
            buckets.fold((0, 0), |(stale, reads), bucket| (stale + bucket.stale_reads, reads + bucket.reads))
        };
        let (stale, reads) = stretch(&replicas);
        assert!(stale > 0, "the replicas lag: some reads are stale");
        let percent = (100.0 * stale as f64 / reads as f64).round();
        assert_eq!(
            consistency.b,
            format!("{} of {} reads stale ({percent}%), mode = async", grouped(stale), grouped(reads))
        );
        let (_, reads) = stretch(&single);
        assert_eq!(consistency.a, format!("0 of {} reads stale (0%), every read on the one server", grouped(reads)));
    }

    #[test]
    fn counts_and_rates_read_as_the_class_says_them() {
        assert_eq!([0, 999, 1_000, 82_343, 1_234_567].map(grouped), ["0", "999", "1,000", "82,343", "1,234,567"]);
        assert_eq!([0.0, 0.02, 0.5, 2.0, 9.96, 2_036.6].map(rate), ["0", "under 0.1", "0.5", "2", "10", "2,037"]);
    }
}

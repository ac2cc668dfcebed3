//! The words the page uses, each told in a sentence or two for a second-year student: shown in
//! the help (`?`), under the keyboard shortcuts.

/// `(term, explanation)`, alphabetically. A term's part in parentheses says more about it; its
/// part before them is what the page writes (several, apart by " / "), and names the entry's
/// test id (`glossary_id`).
pub const GLOSSARY: [(&str, &str); 32] = [
    (
        "Acknowledged",
        "The client has been told that its write succeeded. Under asynchronous replication that happens before any replica has the write.",
    ),
    (
        "Asynchronous replication",
        "The master acknowledges a write once it is in its own log, and sends it to the replicas afterwards: fast, but a replica can answer with old data, and a failover can lose writes. It is PostgreSQL's default: replicas are asynchronous unless synchronous_standby_names names them.",
    ),
    (
        "CDC (change data capture)",
        "Reading a database's committed changes from its log and passing them on to another system. Here cdc-1 reads the master's logical replication slot and writes the changes into MongoDB, as Debezium does (usually through Kafka).",
    ),
    (
        "Consistency token",
        "A position a write returns (here its commit's LSN) that the client sends along with its next read: the machine serving that read waits until it has applied that far, so the client reads its own writes. Causal reads (MaxScale's causal_reads) work this way.",
    ),
    (
        "CQRS (command query responsibility segregation)",
        "Writes (commands) and reads (queries) are served by different models, often different databases. Here PostgreSQL takes the writes and MongoDB serves the reads from a read model.",
    ),
    (
        "Diverged",
        "A node holds writes that the current master never had, as an old master does after a failover. PostgreSQL will not let it follow the new master until it is rewound (pg_rewind) or rebuilt.",
    ),
    (
        "Failover",
        "Making a replica the new master when the master is down, so that writes can go on. A failover manager (Patroni, repmgr) does it after a timeout, or you do it by hand; under asynchronous replication the writes the promoted replica had not received are lost.",
    ),
    (
        "Linearizable",
        "The strongest usual consistency guarantee: every operation seems to take effect at one moment between its call and its answer, as if there were a single copy of the data. Once any client has read a write, no later read anywhere returns older data.",
    ),
    (
        "Lost writes",
        "Writes the master acknowledged that are gone after a failover, because the replica promoted to master had not received them yet.",
    ),
    (
        "LSN (log sequence number)",
        "A position in the master's write-ahead log: in PostgreSQL a byte offset, here simply the entry's number. A machine's LSN says how much of the log it has applied: a replica at LSN 10 while the master is at 12 is 2 behind.",
    ),
    (
        "Master",
        "The one database that takes the writes and logs them for the replicas. PostgreSQL's documentation calls it the primary.",
    ),
    (
        "Monotonic reads",
        "A client's reads never go back in time: once it has seen a value, a later read does not return an older one. Reading from two replicas with different lags can break it; keeping a client on one replica keeps it.",
    ),
    (
        "Oplog",
        "MongoDB's operation log: the primary records each write in it, and the secondaries copy and apply it, as PostgreSQL replicas replay the WAL.",
    ),
    (
        "p50 / p99",
        "Latency percentiles: half the requests were answered faster than p50, and 99 in 100 faster than p99. The p99 is what the unluckiest users wait.",
    ),
    (
        "pg_rewind",
        "A PostgreSQL tool that takes a diverged node back to where its timeline forked off the new master's, throwing away the writes the new master never had, so that it can follow. It needs the new master's WAL from that fork on.",
    ),
    (
        "Primary / secondary (MongoDB)",
        "A MongoDB replica set's member that takes the writes, and the members that copy its oplog and may serve reads: MongoDB's words for master and replica.",
    ),
    (
        "Promote",
        "Turn a replica into the master (PostgreSQL's pg_ctl promote): it stops following, starts a new timeline and accepts writes.",
    ),
    (
        "Quorum",
        "Which replicas a synchronous write waits for, as PostgreSQL's synchronous_standby_names: FIRST k waits for the first k connected standbys in the list's order, ANY k for any k of them.",
    ),
    (
        "Read model",
        "A copy of the data kept for reading, fed by the changes on the write side: here MongoDB documents that the CDC connector writes. Reads from it can lag the writes.",
    ),
    (
        "Read preference",
        "MongoDB's rule for which members may serve a read: primary, primaryPreferred, secondary, secondaryPreferred or nearest. Here the same rule also chooses between the master and its replicas.",
    ),
    (
        "Read-your-writes",
        "A client always sees its own earlier writes: after saving a change, its next read does not return the old value, even from a replica that is behind. Causal reads or a consistency token give it.",
    ),
    (
        "Rebuild",
        "Making a replica again from a fresh copy of the master (a new base backup, pg_basebackup), for a replica that can no longer catch up from the master's WAL.",
    ),
    (
        "Replica (slave, standby)",
        "A copy of the master that replays its log and serves reads. The lecture calls it a slave, PostgreSQL a standby, MongoDB a secondary.",
    ),
    (
        "Replica set (MongoDB)",
        "A group of MongoDB servers holding the same data: one primary takes the writes, the secondaries copy its oplog, and if the primary fails the members elect a new one.",
    ),
    (
        "Replication lag",
        "How far a replica is behind the master: in time, how long ago the master logged the oldest entry the replica has not applied; in entries, how many it has not applied (\"2 behind\").",
    ),
    (
        "Replication slot",
        "The master's record of how far one consumer (a replica, or a CDC connector through a logical slot) has got: the master keeps every bit of WAL it still needs, however long it is away. A consumer that stays away makes the master's WAL grow, up to max_slot_wal_keep_size.",
    ),
    (
        "Semi-sync (MySQL)",
        "MySQL's semi-synchronous replication: the master waits until enough replicas have received a write (not applied it), and after rpl_semi_sync_master_timeout without them it falls back to asynchronous.",
    ),
    (
        "Sequentially consistent",
        "Weaker than linearizable: one order of all the operations explains every read and keeps each client's own order, but it may disagree with real time, so a read may miss a write that finished before it began.",
    ),
    (
        "Stale read",
        "A read that returns an older value than one already acknowledged, because the replica that answered has not applied the newer write yet.",
    ),
    (
        "Synchronous replication",
        "The master acknowledges a write only once replicas have confirmed it; PostgreSQL's synchronous_commit says how far: remote_write (received), on (flushed to disk) or remote_apply (applied, so reads there see it). Writes take longer, and stop while too few of those replicas answer.",
    ),
    (
        "Timeline",
        "PostgreSQL numbers each history of its WAL, and a promotion starts a new timeline: a node with writes past the fork has diverged. (The page's Timeline slider is something else: it moves through this run's time.)",
    ),
    (
        "WAL (write-ahead log)",
        "PostgreSQL's log of every change, written before the tables change so that a crash can be recovered from it; replicas replay it to stay copies of the master. The master removes old WAL unless wal_keep (PostgreSQL's wal_keep_size) or a replication slot still needs it.",
    ),
];

/// The words of `term` the page writes: its part before any parentheses, split at " / ".
fn written(term: &str) -> impl Iterator<Item = &str> {
    term.split(" (").next().unwrap_or(term).split(" / ")
}

/// An entry's test id: `glossary-lsn`, `glossary-read-your-writes`, `glossary-p50-p99`.
pub fn glossary_id(term: &str) -> String {
    let words: Vec<String> = written(term)
        .flat_map(|words| words.split(|c: char| !c.is_ascii_alphanumeric()))
        .filter(|word| !word.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("glossary-{}", words.join("-"))
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::sim::demos::DEMOS;
    use crate::sim::settings::SETTINGS;

    /// The string literals of a Rust source outside its tests (a comment's words are not the
    /// page's; the page's sources hold no raw strings and no `'"'`).
    fn literals(source: &str) -> String {
        let code = source.split("#[cfg(test)]").next().unwrap_or(source);
        let (mut found, mut chars) = (String::new(), code.chars().peekable());
        while let Some(c) = chars.next() {
            match c {
                '/' if chars.peek() == Some(&'/') => {
                    chars.by_ref().find(|&c| c == '\n');
                }
                '"' => {
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => found.extend(chars.next()),
                            '"' => break,
                            c => found.push(c),
                        }
                    }
                    found.push('\n');
                }
                _ => {}
            }
        }
        found
    }

    fn page_sources(dir: &Path, texts: &mut String) {
        for entry in fs::read_dir(dir).expect("src/ui") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                page_sources(&path, texts);
            } else if path.extension().is_some_and(|extension| extension == "rs") && !path.ends_with("glossary.rs") {
                texts.push_str(&literals(&fs::read_to_string(&path).expect("a source file")));
            }
        }
    }

    /// What the page writes: its components' words, every demo's, and every setting's.
    fn page_texts() -> String {
        let mut texts = String::new();
        page_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui"), &mut texts);
        for step in DEMOS.iter().flat_map(|demo| demo.steps) {
            texts.extend([step.title, step.narration, step.aside, step.claim].map(|text| format!("\n{text}")));
        }
        for setting in SETTINGS {
            texts.extend([setting.label, setting.help].map(|text| format!("\n{text}")));
        }
        texts
    }

    /// Case, hyphens and underscores aside: "Read-your-writes" is the verdict's "Read your writes".
    fn plain(text: &str) -> String {
        text.to_lowercase().replace(['-', '_'], " ")
    }

    #[test]
    fn every_term_is_one_the_page_uses() {
        let texts = plain(&page_texts());
        let unused: Vec<&str> = GLOSSARY
            .iter()
            .flat_map(|(term, _)| written(term))
            .filter(|words| !texts.contains(&plain(words)))
            .collect();
        assert_eq!(unused, Vec::<&str>::new(), "terms the page does not use");
        assert!(!texts.contains("split brain"), "a word the page does not use is not found");
    }

    #[test]
    fn the_terms_stand_alphabetically_each_with_its_own_test_id() {
        let sorted = GLOSSARY.windows(2).all(|pair| pair[0].0.to_lowercase() <= pair[1].0.to_lowercase());
        assert!(sorted, "alphabetical order");
        let mut ids: Vec<String> = GLOSSARY.iter().map(|(term, _)| glossary_id(term)).collect();
        assert_eq!(glossary_id("LSN (log sequence number)"), "glossary-lsn");
        assert_eq!(glossary_id("Read-your-writes"), "glossary-read-your-writes");
        assert_eq!(glossary_id("p50 / p99"), "glossary-p50-p99");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), GLOSSARY.len(), "no two entries share a test id");
    }

    #[test]
    fn each_explanation_is_one_or_two_sentences() {
        for (term, explanation) in GLOSSARY {
            // A sentence ends with a full stop before a space or at the end ("e.g." is not used).
            let sentences = explanation.matches(". ").count() + usize::from(explanation.ends_with('.'));
            assert!((1..=2).contains(&sentences), "{term}: {sentences} sentences");
        }
    }
}

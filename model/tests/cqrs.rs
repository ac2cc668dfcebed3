//! The lecture's CQRS picture: writes to the PostgreSQL master, a change-data-capture connector
//! streaming its logical slot into a MongoDB read model, reads from MongoDB. What a class should
//! see happen: the read model catches up about a poll later, a read before then is stale, a
//! stopped connector makes the master keep WAL until the slot is lost, a crash redelivers and the
//! sink skips what it had, a failover on PostgreSQL 15 forces a new snapshot with a gap, a
//! commit waits for the connector only when it is a named synchronous standby.

mod common;

use common::{advance, base, read, reconfigure, returned_name, with, write};
use replication_model::config::{Config, Mode, Quorum, ReadPref, ReadSide};
use replication_model::data::Lsn;
use replication_model::events::EventKind;
use replication_model::ids::NodeId;
use replication_model::request::Outcome;
use replication_model::time::Time;
use replication_model::{Command, NodeRef, Simulation};

fn cqrs() -> Config {
    Config { read_side: ReadSide::MongoDb, ..base() }
}

/// The source LSN of user `key`'s document on `mongo-{number}`, if it has one.
fn document_lsn(sim: &Simulation, number: usize, key: u64) -> Option<Lsn> {
    let member = sim.mongo_member(NodeId::mongo(number)).expect("a member");
    member.user(key).map(|document| document.lsn)
}

fn document_name(sim: &Simulation, number: usize, key: u64) -> Option<String> {
    let member = sim.mongo_member(NodeId::mongo(number)).expect("a member");
    let row = member.user(key)?.row.clone()?;
    Some(replication_model::data::user_name(&row).to_string())
}

fn redelivered(sim: &Simulation) -> u64 {
    sim.mongo_members().map(|(_, member)| member.redelivered()).sum()
}

fn snapshots(sim: &Simulation) -> Vec<Option<(usize, Lsn)>> {
    let events = sim.events().filter_map(|event| match event.kind {
        EventKind::ReadModelSnapshot { gap_from, .. } => Some(gap_from),
        _ => None,
    });
    events.collect()
}

/// The master's committed users against a member's documents: equal when it has caught up.
fn read_model_matches_master(sim: &Simulation, number: usize) -> bool {
    (100..110).all(|key| {
        let master = sim.committed().user(key).map(|row| replication_model::data::user_name(row).to_string());
        master == document_name(sim, number, key)
    })
}

#[test]
fn the_connector_starts_with_a_snapshot_of_the_master_on_every_member() {
    let mut sim = with(cqrs());
    advance(&mut sim, 10);
    assert_eq!(snapshots(&sim), [None], "one snapshot, with no earlier read model to leave a gap");
    assert_eq!(document_name(&sim, 1, 102).as_deref(), Some("Bob"));
    assert_eq!(document_lsn(&sim, 1, 102), Some(0), "a snapshot's document reflects the commit of its row");
    assert_eq!(document_name(&sim, 2, 102), None, "the secondary copies the oplog 200 ms later");
    advance(&mut sim, 300);
    assert_eq!(document_name(&sim, 2, 102).as_deref(), Some("Bob"));
    let slots = sim.master().logical_slots();
    assert_eq!(slots.iter().map(|slot| slot.name()).collect::<Vec<_>>(), ["cdc"]);
}

#[test]
fn the_read_model_catches_up_about_a_poll_later_and_reads_before_then_are_stale() {
    let mut sim = with(Config { read_pref: ReadPref::Secondary, ..cqrs() });
    advance(&mut sim, 2_000);
    write(&mut sim, 101, "Ann");
    advance(&mut sim, 10);
    let lsn = sim.committed_lsn();
    let stale = read(&mut sim, 101);
    assert!(stale.is_stale(), "the write is committed on the master and not yet in MongoDB: {stale:?}");
    assert_eq!(returned_name(&stale), None);
    advance(&mut sim, 1_000);
    assert_eq!(document_lsn(&sim, 1, 101), Some(lsn), "the primary has it after the connector's next poll");
    advance(&mut sim, 300);
    assert_eq!(document_lsn(&sim, 2, 101), Some(lsn), "the secondary copies it from the oplog");
    let fresh = read(&mut sim, 101);
    assert!(!fresh.is_stale());
    assert_eq!(returned_name(&fresh).as_deref(), Some("Ann"));
    assert_eq!(fresh.served_where().as_deref(), Some("mongo-2 (read model)"));
}

#[test]
fn the_poll_interval_is_the_read_models_lag() {
    let caught_up_after = |poll_ms: u64| {
        let mut sim = with(Config { cdc_poll_ms: poll_ms, ..cqrs() });
        advance(&mut sim, 5 * poll_ms + 7);
        write(&mut sim, 101, "Ann");
        let start = sim.now();
        while document_lsn(&sim, 1, 101).is_none() {
            assert!(sim.step());
        }
        sim.now() - start
    };
    let (fast, slow) = (caught_up_after(100), caught_up_after(3_000));
    assert!(fast < Time::from_millis(110), "{fast:?}");
    assert!(slow > Time::from_millis(2_000) && slow < Time::from_millis(3_010), "{slow:?}");
}

#[test]
fn a_batch_holds_at_most_cdc_batch_changes_so_a_burst_drains_a_batch_a_poll() {
    let mut sim = with(Config { cdc_batch: 2, ..cqrs() });
    advance(&mut sim, 1_500);
    for key in 110..116 {
        write(&mut sim, key, "Ann");
    }
    advance(&mut sim, 1_000);
    let have = |sim: &Simulation| (110..116).filter(|key| document_lsn(sim, 1, *key).is_some()).count();
    assert_eq!(have(&sim), 2, "one poll, one batch of two");
    advance(&mut sim, 2_000);
    assert_eq!(have(&sim), 6);
}

#[test]
fn a_crashed_connector_resumes_from_the_slot_and_the_sink_skips_what_it_had() {
    let mut sim = with(cqrs());
    advance(&mut sim, 1_500);
    write(&mut sim, 101, "Ann");
    write(&mut sim, 102, "Bea");
    // The batch goes at 2 s; MongoDB acknowledges it at once; the connector would confirm it to
    // the master at its next poll, at 3 s.
    sim.run_until(Time::from_millis(2_100));
    assert!(document_lsn(&sim, 1, 102).is_some());
    let confirmed = sim.master().logical_slots()[0].confirmed_flush();
    assert!(confirmed < sim.committed_lsn(), "MongoDB has them, the slot has not heard");
    sim.apply(Command::CrashReadSide(NodeId::CONNECTOR)).unwrap();
    advance(&mut sim, 500);
    sim.apply(Command::RestartReadSide(NodeId::CONNECTOR)).unwrap();
    advance(&mut sim, 2_500);
    assert_eq!(redelivered(&sim), 2, "both changes came again, and were skipped");
    let told = sim.events().any(|event| matches!(event.kind, EventKind::Redelivered { count: 2, .. }));
    assert!(told, "the event log counts them");
    assert!(read_model_matches_master(&sim, 1));
    assert_eq!(snapshots(&sim).len(), 1, "it resumed: no new snapshot");
    assert_eq!(sim.master().logical_slots()[0].confirmed_flush(), sim.committed_lsn());
}

#[test]
fn a_stopped_connector_makes_the_master_keep_wal_until_the_slot_is_lost_then_a_new_snapshot() {
    let mut sim = with(Config { wal_keep: 10, max_slot_wal_keep: 50, ..cqrs() });
    advance(&mut sim, 1_500);
    sim.apply(Command::CrashReadSide(NodeId::CONNECTOR)).unwrap();
    for key in 0..40 {
        write(&mut sim, 200 + key, "Ann");
        advance(&mut sim, 1);
    }
    advance(&mut sim, 10);
    assert_eq!(sim.logical_retained(), [("cdc", Some(30))], "40 entries held, 10 of them kept anyway");
    for key in 40..70 {
        write(&mut sim, 200 + key, "Ann");
        advance(&mut sim, 1);
    }
    assert_eq!(sim.logical_retained(), [("cdc", None)], "past 50 entries the slot is lost");
    sim.apply(Command::RestartReadSide(NodeId::CONNECTOR)).unwrap();
    advance(&mut sim, 2_500);
    let gaps = snapshots(&sim);
    assert_eq!(gaps.len(), 2);
    assert_eq!(gaps[1], Some((1, 0)), "the old read model had only the first snapshot");
    assert_eq!(document_name(&sim, 1, 269).as_deref(), Some("Ann"), "the new snapshot has every write");
    assert_eq!(sim.logical_retained(), [("cdc", Some(0))]);
}

#[test]
fn a_commit_waits_for_the_connector_only_when_it_is_a_named_synchronous_standby() {
    let write_latency = |standbys: &[&str]| {
        let config = Config {
            mode: Mode::On,
            quorum: Quorum::First(1),
            standbys: standbys.iter().map(|name| name.to_string()).collect(),
            lag_ms: 5,
            ..cqrs()
        };
        let mut sim = with(config);
        advance(&mut sim, 1_300);
        write(&mut sim, 101, "Ann");
        advance(&mut sim, 3_000);
        let record = sim.recent().last().expect("the write").clone();
        record.completed_at.expect("acknowledged") - record.issued_at
    };
    let standby = write_latency(&["pg-2"]);
    let connector = write_latency(&["cdc-1"]);
    assert!(standby < Time::from_millis(20), "{standby:?}");
    // Written to MongoDB at the 2 s poll, confirmed at the 3 s one.
    assert!(connector > Time::from_millis(1_500) && connector < Time::from_millis(1_800), "{connector:?}");
}

#[test]
fn a_failover_on_postgresql_15_loses_the_slot_and_forces_a_snapshot_with_a_gap() {
    let mut sim = with(Config { replicas: 1, lag_ms: 5, ..cqrs() });
    advance(&mut sim, 1_500);
    write(&mut sim, 101, "Ann");
    advance(&mut sim, 2_000);
    sim.apply(Command::Promote(Some(NodeRef::Replica(1)))).unwrap();
    write(&mut sim, 102, "Bea");
    advance(&mut sim, 2_500);
    let gaps = snapshots(&sim);
    assert_eq!(gaps.len(), 2, "{gaps:?}");
    assert!(gaps[1].is_some(), "the page shows where the old read model had got to");
    assert!(read_model_matches_master(&sim, 1));
}

#[test]
fn with_postgresql_17s_failover_slots_the_connector_resumes_on_the_promoted_standby() {
    let mut sim = with(Config { replicas: 1, lag_ms: 5, failover_slots: true, ..cqrs() });
    advance(&mut sim, 1_500);
    write(&mut sim, 101, "Ann");
    advance(&mut sim, 2_000);
    sim.apply(Command::Promote(Some(NodeRef::Replica(1)))).unwrap();
    write(&mut sim, 102, "Bea");
    advance(&mut sim, 2_500);
    assert_eq!(snapshots(&sim).len(), 1, "no new snapshot");
    assert_eq!(document_name(&sim, 1, 102).as_deref(), Some("Bea"));
    assert!(read_model_matches_master(&sim, 1));
    // The read model follows the new master's timeline: not behind, and a token is met there.
    assert_eq!(sim.read_model_missing(NodeId::mongo(2)), 0);
    reconfigure(&mut sim, |c| c.causal_reads = true);
    write(&mut sim, 103, "Cy");
    advance(&mut sim, 10);
    let record = read(&mut sim, 103);
    assert_eq!(returned_name(&record).as_deref(), Some("Cy"));
    assert!(record.served_where().expect("served").ends_with("(read model)"), "{record:?}");
}

#[test]
fn a_consistency_token_makes_a_read_wait_for_the_read_model_or_go_to_the_master() {
    let mut sim = with(Config { causal_reads: true, ..cqrs() });
    advance(&mut sim, 1_500);
    write(&mut sim, 101, "Ann");
    advance(&mut sim, 10);
    let record = read(&mut sim, 101);
    assert_eq!(returned_name(&record).as_deref(), Some("Ann"), "it waited for the read model");
    assert!(!record.ryw_violation);
    reconfigure(&mut sim, |c| c.causal_timeout_ms = 100);
    write(&mut sim, 101, "Bea");
    advance(&mut sim, 10);
    let record = read(&mut sim, 101);
    assert_eq!(returned_name(&record).as_deref(), Some("Bea"));
    assert_eq!(record.served_where().as_deref(), Some("pg-1 (master)"), "past the timeout, from the master");
}

#[test]
fn a_set_of_two_cannot_elect_with_one_down_and_a_set_of_three_can() {
    let run = |members: u64| {
        let mut sim = with(Config { mongo_members: members, ..cqrs() });
        advance(&mut sim, 1_500);
        sim.apply(Command::CrashReadSide(NodeId::mongo(1))).unwrap();
        write(&mut sim, 101, "Ann");
        advance(&mut sim, 5_000);
        assert_eq!(document_name(&sim, 2, 101), None, "no primary takes the connector's writes");
        assert!(!read(&mut sim, 102).is_stale(), "a secondary still serves reads");
        advance(&mut sim, 7_000);
        let elected =
            sim.events().any(|event| matches!(&event.kind, EventKind::MongoElected { node, .. } if node == "mongo-2"));
        (elected, document_name(&sim, 2, 101))
    };
    assert_eq!(run(2), (false, None), "two of two must vote: the survivor stays a secondary");
    assert_eq!(run(3), (true, Some("Ann".to_string())), "two of three elect mongo-2, and the writes go on");
}

#[test]
fn turning_the_read_side_off_drops_the_slot_and_reads_go_to_the_standbys() {
    let mut sim = with(cqrs());
    advance(&mut sim, 1_500);
    reconfigure(&mut sim, |c| c.read_side = ReadSide::Standbys);
    assert!(sim.master().logical_slots().is_empty());
    assert!(sim.connector().is_none());
    let record = read(&mut sim, 102);
    assert!(record.served_where().expect("served").starts_with("pg-"));
    reconfigure(&mut sim, |c| c.read_side = ReadSide::MongoDb);
    advance(&mut sim, 100);
    assert_eq!(snapshots(&sim).len(), 2, "on again: a new slot and a new snapshot");
}

#[test]
fn the_read_side_refuses_what_it_does_not_have() {
    let mut sim = with(base());
    let refusal = sim.apply(Command::CrashReadSide(NodeId::CONNECTOR)).unwrap_err();
    assert!(refusal.0.contains("there is no cdc-1"), "{refusal:?}");
    let mut sim = with(cqrs());
    let refusal = sim.apply(Command::RestartReadSide(NodeId::mongo(1))).unwrap_err();
    assert!(refusal.0.contains("mongo-1 is already up"), "{refusal:?}");
    let refusal = sim.apply(Command::CrashReadSide(NodeId::mongo(3))).unwrap_err();
    assert!(refusal.0.contains("there is no mongo-3"), "{refusal:?}");
}

#[test]
fn a_read_side_run_is_deterministic() {
    let run = || {
        let mut sim = with(Config { rate: 200, jitter_ms: 5, clients: 3, ..cqrs() });
        advance(&mut sim, 3_000);
        sim.apply(Command::CrashReadSide(NodeId::CONNECTOR)).unwrap();
        advance(&mut sim, 1_000);
        sim.apply(Command::RestartReadSide(NodeId::CONNECTOR)).unwrap();
        advance(&mut sim, 3_000);
        sim.fingerprint()
    };
    assert_eq!(run(), run());
}

#[test]
fn the_console_cannot_read_the_connectors_slot_while_it_streams_but_can_peek_once_it_is_down() {
    let peek = |sim: &mut Simulation| {
        let text = "SELECT data FROM pg_logical_slot_peek_changes('cdc', NULL, NULL)".to_string();
        sim.apply(Command::Sql { client: 0, text }).unwrap();
        advance(sim, 50);
        sim.sql_requests().last().expect("an answer").outcome.clone()
    };
    let mut sim = with(cqrs());
    advance(&mut sim, 1_500);
    match peek(&mut sim) {
        Some(Outcome::Failed { reason }) => {
            assert_eq!(reason, "replication slot \"cdc\" is active for the walsender serving cdc-1")
        }
        other => panic!("{other:?}"),
    }
    sim.apply(Command::CrashReadSide(NodeId::CONNECTOR)).unwrap();
    write(&mut sim, 101, "Ann");
    match peek(&mut sim) {
        Some(Outcome::Rows { result, .. }) => assert_eq!(result.rows.len(), 3, "BEGIN, the INSERT, COMMIT: {result:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_console_asks_mongodb_in_sql_or_as_find_and_shows_the_find_it_ran() {
    let run = |sim: &mut Simulation, text: &str| {
        sim.apply(Command::Sql { client: 0, text: text.into() }).unwrap();
        advance(sim, 50);
        sim.sql_requests().last().expect("an answer").clone()
    };
    let mut sim = with(Config { read_pref: ReadPref::Primary, ..cqrs() });
    advance(&mut sim, 100);
    for text in ["SELECT * FROM users WHERE id = 102", "db.users.find({ _id: 102 })"] {
        let record = run(&mut sim, text);
        assert_eq!(record.served_where().as_deref(), Some("mongo-1 (read model)"), "{text}");
        match record.outcome {
            Some(Outcome::Rows { result, mongo_query, .. }) => {
                assert_eq!(result.rows.len(), 1, "{text}");
                assert_eq!(mongo_query.as_deref(), Some("db.users.find({ _id: 102 })"), "{text}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    let record = run(&mut sim, "SELECT name FROM users WHERE id >= 104 ORDER BY id DESC LIMIT 2");
    match record.outcome {
        Some(Outcome::Rows { mongo_query, .. }) => assert_eq!(
            mongo_query.as_deref(),
            Some("db.users.find({ _id: { $gte: 104 } }, { name: 1, _id: 0 }).sort({ _id: -1 }).limit(2)")
        ),
        other => panic!("{other:?}"),
    }
    let named = run(&mut sim, "db.users.find({ name: 'Bob, Jr.' })");
    assert_eq!(named.failure(), None, "a comma inside quotes is part of the text");
    let bad = run(&mut sim, "db.users.find({ _id: 10x })");
    assert_eq!(
        bad.failure(),
        Some(
            "10x is not a number, a 'text', true, false or null (the console's find compares for equality), in db.users.find({ _id: 10x })"
        )
    );
    let mut standbys = with(base());
    let refused = run(&mut standbys, "db.users.find({ _id: 102 })");
    assert_eq!(refused.failure(), Some("find() asks MongoDB, and reads go to the standbys: set Reads from to mongodb"));
}

#[test]
fn a_shorter_poll_interval_takes_effect_at_once() {
    let mut sim = with(Config { cdc_poll_ms: 60_000, ..cqrs() });
    advance(&mut sim, 100);
    write(&mut sim, 101, "Ann");
    advance(&mut sim, 1_000);
    assert_eq!(document_lsn(&sim, 1, 101), None, "the next poll is a minute away");
    reconfigure(&mut sim, |c| c.cdc_poll_ms = 100);
    advance(&mut sim, 150);
    assert_eq!(document_lsn(&sim, 1, 101), Some(1));
}

#[test]
fn the_historys_verdicts_judge_reads_from_mongodb_as_they_judge_the_standbys() {
    use replication_model::checker::Verdict;
    let mut sim = with(cqrs());
    advance(&mut sim, 100);
    write(&mut sim, 101, "Ann");
    advance(&mut sim, 10);
    let stale = read(&mut sim, 101);
    assert!(stale.is_stale() && stale.ryw_violation);
    let verdicts = sim.history(usize::MAX).verdicts();
    assert!(matches!(verdicts.linearizable, Verdict::No { .. }), "{:?}", verdicts.linearizable);
    assert!(matches!(verdicts.read_your_writes, Verdict::No { .. }), "the client missed its own write");
    advance(&mut sim, 2_000);
    let fresh = read(&mut sim, 101);
    assert!(!fresh.is_stale());
    assert!(matches!(sim.history(usize::MAX).verdicts().monotonic_reads, Verdict::Yes), "newer, never older");
}

#[test]
fn a_name_with_a_capital_outside_ascii_is_folded_as_postgresql_folds_it_on_mongodb_too() {
    // PostgreSQL lowercases only the ASCII letters of an unquoted name: ÄRZTE is the table Ärzte,
    // on the master and on the read model both, and the find MongoDB runs names it so.
    let run = |sim: &mut Simulation, text: &str| {
        sim.apply(Command::Sql { client: 0, text: text.into() }).unwrap();
        advance(sim, 5_000);
        sim.sql_requests().last().expect("an answer").clone()
    };
    let mut sim = with(Config { read_pref: ReadPref::Primary, ..cqrs() });
    advance(&mut sim, 100);
    let created =
        run(&mut sim, "CREATE TABLE Ärzte (id INT PRIMARY KEY, name TEXT); INSERT INTO ÄRZTE VALUES (1, 'Ann')");
    assert_eq!(created.failure(), None);
    let record = run(&mut sim, "SELECT * FROM ÄRZTE");
    match record.outcome {
        Some(Outcome::Rows { result, mongo_query, .. }) => {
            assert_eq!(result.rows.len(), 1);
            assert_eq!(mongo_query.as_deref(), Some("db.Ärzte.find({})"));
        }
        other => panic!("{other:?}"),
    }
}

//! The read side as the picture and the cards show it (`read_side` mongodb): the connector and
//! the MongoDB members, each with what a class should watch: how far it has got, and how far
//! behind the master's committed data it is.

use crate::sim::data::USERS;
use crate::sim::ids::NodeId;
use crate::sim::words::plural;
use crate::sim::{Command, Connector, Simulation};

/// A machine of the read side in the picture.
#[derive(Clone, Debug, PartialEq)]
pub struct MachineView {
    pub id: NodeId,
    /// `cdc-1`, `mongo-1`, ...
    pub machine: String,
    /// `connector`, `primary`, `secondary`.
    pub role: &'static str,
    pub up: bool,
    /// The connector: the slot position it has confirmed; a member: the source LSN it reflects.
    pub lsn: u64,
    /// `streaming`, `3 to write`, `up to date`, `2 behind`, `down`.
    pub detail: String,
    /// Behind the master's committed data (a member), or holding back changes (the connector).
    pub behind: bool,
    pub reads_served: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReadSideView {
    pub connector: MachineView,
    /// In order of their number.
    pub members: Vec<MachineView>,
}

pub fn read_side(sim: &Simulation) -> Option<ReadSideView> {
    let connector = sim.connector()?;
    let (_, written, confirmed) = connector.positions();
    let (detail, behind) = match (connector.is_up(), connector.streaming(), connector.buffered()) {
        (false, ..) => ("down".to_string(), false),
        (true, false, _) => ("no session".to_string(), true),
        (true, true, 0) if written > confirmed => ("confirming".to_string(), false),
        (true, true, 0) => ("streaming".to_string(), false),
        (true, true, buffered) => (format!("{buffered} to write"), true),
    };
    let connector = MachineView {
        id: NodeId::CONNECTOR,
        machine: NodeId::CONNECTOR.machine(),
        role: "connector",
        up: connector.is_up(),
        lsn: confirmed,
        detail,
        behind,
        reads_served: 0,
    };
    let members = sim
        .mongo_members()
        .map(|(id, member)| {
            let (_, applied) = member.applied();
            let (detail, behind) = match (member.is_up(), sim.read_model_missing(id)) {
                (false, _) => ("down".to_string(), false),
                (true, 0) => ("up to date".to_string(), false),
                (true, missing) => (format!("{missing} behind"), true),
            };
            MachineView {
                id,
                machine: id.machine(),
                role: if member.is_primary() { "primary" } else { "secondary" },
                up: member.is_up(),
                lsn: applied,
                detail,
                behind,
                reads_served: member.reads_served(),
            }
        })
        .collect();
    Some(ReadSideView { connector, members })
}

/// A card of the read side: what a machine has done, its failure to inflict, and for a
/// member its documents.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadSideCard {
    pub view: MachineView,
    /// What it has done, a line each.
    pub lines: Vec<String>,
    pub documents: Vec<String>,
    /// Crash it, or restart it.
    pub action: Command,
}

/// The most documents a card lists.
const DOCUMENTS_SHOWN: usize = 20;

/// The read side's cards: the connector's, then each member's.
pub fn read_side_cards(sim: &Simulation) -> Vec<ReadSideCard> {
    let (Some(shown), Some(connector)) = (read_side(sim), sim.connector()) else { return Vec::new() };
    let action = |view: &MachineView| {
        if view.up { Command::CrashReadSide(view.id) } else { Command::RestartReadSide(view.id) }
    };
    let (received, written, confirmed) = connector.positions();
    let slot = sim.master().logical_slots().iter().find(|slot| slot.name() == Connector::SLOT);
    let slot_line = match slot {
        Some(slot) => match slot.restart() {
            Some(restart) => format!(
                "slot cdc on {}: confirmed_flush_lsn {}, restart_lsn {restart}",
                sim.master_id().machine(),
                slot.confirmed_flush()
            ),
            None => {
                format!("slot cdc on {} is lost (wal_status lost): a new snapshot is needed", sim.master_id().machine())
            }
        },
        None => format!("no slot on {}: the connector makes one and snapshots", sim.master_id().machine()),
    };
    let redelivered: u64 = sim.mongo_members().map(|(_, member)| member.redelivered()).sum();
    let mut cards = vec![ReadSideCard {
        lines: vec![
            slot_line,
            format!("received LSN {received} · MongoDB has LSN {written} · confirmed LSN {confirmed}"),
            format!(
                "{} written to MongoDB; {} again after a restart (skipped by the sink)",
                plural(connector.delivered(), "change", "changes"),
                redelivered
            ),
        ],
        documents: Vec::new(),
        action: action(&shown.connector),
        view: shown.connector.clone(),
    }];
    for view in &shown.members {
        let Some(member) = sim.mongo_member(view.id) else { continue };
        let all = documents(sim, view.id);
        let mut lines = vec![format!(
            "{}; reflects source LSN {}",
            plural(all.len() as u64, "document in users", "documents in users"),
            view.lsn
        )];
        if all.len() > DOCUMENTS_SHOWN {
            lines.push(format!("the first {DOCUMENTS_SHOWN} shown"));
        }
        lines.push(plural(member.reads_served(), "read served", "reads served"));
        cards.push(ReadSideCard {
            lines,
            documents: all.into_iter().take(DOCUMENTS_SHOWN).collect(),
            action: action(view),
            view: view.clone(),
        });
    }
    cards
}

/// A member's `users` documents as mongosh prints them, by `_id`.
pub fn documents(sim: &Simulation, id: NodeId) -> Vec<String> {
    let Some(member) = sim.mongo_member(id) else { return Vec::new() };
    let Some(table) = sim.committed().table(USERS) else { return Vec::new() };
    member.documents(USERS).map(|(key, document)| document.text(key, &table.schema)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use super::*;
    use crate::sim::config::{Config, ReadSide};

    fn cqrs() -> Config {
        Config { read_side: ReadSide::MongoDb, ..Config::default() }
    }

    #[test]
    fn the_read_side_shows_the_connector_and_each_member_with_how_far_behind_it_is() {
        assert_eq!(read_side(&run(Config::default(), &[], 100)), None, "standbys: no read side");
        let write = [(1_500, Command::Write { client: 0, key: 101, name: "Ann".into() })];
        let shown = read_side(&run(cqrs(), &write, 1_700)).expect("a read side");
        assert_eq!(shown.connector.machine, "cdc-1");
        assert_eq!(shown.connector.detail, "1 to write", "received, written at the next poll");
        let members: Vec<(&str, &str, &str)> =
            shown.members.iter().map(|member| (member.machine.as_str(), member.role, member.detail.as_str())).collect();
        assert_eq!(members, [("mongo-1", "primary", "1 behind"), ("mongo-2", "secondary", "1 behind")]);
        let later = read_side(&run(cqrs(), &write, 3_500)).expect("a read side");
        assert_eq!(later.connector.lsn, 1, "confirmed to the master");
        assert!(later.members.iter().all(|member| member.detail == "up to date" && member.lsn == 1));
    }

    #[test]
    fn a_members_documents_read_as_mongosh_prints_them() {
        let write = [(1_500, Command::Write { client: 0, key: 101, name: "Ann".into() })];
        let sim = run(cqrs(), &write, 3_500);
        let documents = documents(&sim, NodeId::mongo(1));
        assert_eq!(documents[0], "{ _id: 101, name: 'Ann', changes: 1, source: { lsn: 1 } }");
        assert_eq!(documents[1], "{ _id: 102, name: 'Bob', changes: 1, source: { lsn: 0 } }");
    }
}

//! The read side as a whole (`read_side` mongodb): the connector and the MongoDB members made
//! the first time it is on, started, stopped and counted as the settings say, and what the rest
//! of the simulation reads of them.

use super::connector::Connector;
use super::mongo::MongoMember;
use super::node::Status;
use super::{Cluster, Ctx};
use crate::Refusal;
use crate::config::ReadSide;
use crate::events::EventKind;
use crate::ids::NodeId;

impl Cluster {
    /// Brings the read side to what the settings ask: on with `mongo_members` members, or off
    /// (its machines taken out, and the connector's slot dropped, as decommissioning a
    /// connector should: a slot nobody reads keeps the master's WAL for ever).
    pub(crate) fn set_read_side(&mut self, cx: &mut Ctx) {
        let on = cx.config.read_side == ReadSide::MongoDb;
        let wanted = if on { cx.config.mongo_members as usize } else { 0 };
        if on && self.machines.connector().is_none() {
            let incarnation = self.new_incarnation();
            // Made out, and started below as a connector turned on again is.
            let mut connector = Connector::new(incarnation, cx.now);
            connector.status = Status::Removed;
            self.machines.add_connector(connector);
            cx.network.connect(NodeId::CONNECTOR, cx.config);
        }
        let made = self.machines.members().count();
        for number in made + 1..=wanted {
            let incarnation = self.new_incarnation();
            // Made out, and started below as a member the set grows back to is.
            self.machines.add_member(MongoMember::new(incarnation, Status::Removed));
            cx.network.connect(NodeId::mongo(number), cx.config);
        }
        let members: Vec<(NodeId, bool)> =
            self.machines.members().map(|(id, member)| (id, member.is_removed())).collect();
        for (number, (id, removed)) in (1..).zip(members) {
            if number > wanted && !removed {
                self.stop_member(id, Status::Removed, cx);
            } else if number <= wanted && removed {
                self.start_member(id, cx);
            }
        }
        match self.machines.connector().map(Connector::is_removed) {
            Some(true) if on => self.start_connector(cx),
            Some(false) if !on => {
                self.stop_connector(Status::Removed, cx);
                self.machines[self.master].logical_slots.retain(|slot| slot.name != Connector::SLOT);
                self.master_log.forget(NodeId::CONNECTOR);
                self.commit_ready(cx);
            }
            _ => {}
        }
    }

    /// Crashes a machine of the read side.
    pub(crate) fn crash_read_side(&mut self, id: NodeId, cx: &mut Ctx) -> Result<(), Refusal> {
        self.read_side_up(id, true)?;
        if id == NodeId::CONNECTOR {
            self.stop_connector(Status::Down, cx);
        } else {
            self.stop_member(id, Status::Down, cx);
        }
        cx.note(EventKind::Crashed { node: id.machine(), reason: "stopped by hand".to_string() });
        Ok(())
    }

    /// Restarts a crashed machine of the read side.
    pub(crate) fn restart_read_side(&mut self, id: NodeId, cx: &mut Ctx) -> Result<(), Refusal> {
        self.read_side_up(id, false)?;
        if id == NodeId::CONNECTOR {
            self.start_connector(cx);
        } else {
            self.start_member(id, cx);
        }
        cx.note(EventKind::Restarted { node: id.machine() });
        Ok(())
    }

    /// Refuses unless `id` is a machine of the read side now, up when `up` (else down).
    fn read_side_up(&self, id: NodeId, up: bool) -> Result<(), Refusal> {
        let state = if id == NodeId::CONNECTOR {
            self.machines.connector().filter(|connector| !connector.is_removed()).map(Connector::is_up)
        } else {
            self.machines.member(id).filter(|member| !member.is_removed()).map(MongoMember::is_up)
        };
        match state {
            None => Err(Refusal::new(format!("there is no {} (is the read side mongodb?)", id.machine()))),
            Some(is_up) if is_up != up => {
                Err(Refusal::new(format!("{} is already {}", id.machine(), if is_up { "up" } else { "down" })))
            }
            Some(_) => Ok(()),
        }
    }

    /// How many of the master's committed log entries a MongoDB member's read model lacks (on
    /// another timeline: those after the fork).
    pub fn read_model_missing(&self, id: NodeId) -> u64 {
        let Some(member) = self.machines.member(id) else { return 0 };
        let (timeline, applied) = member.applied();
        let shared = self.timelines.fork_point(self.master_log.timeline, timeline).min(applied);
        self.master_log.committed_lsn.saturating_sub(shared)
    }
}

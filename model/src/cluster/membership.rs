//! Replicas added (each a copy of the master, as after a base backup) and removed (the
//! highest-numbered first).

use super::machine::Machine;
use super::{Cluster, Ctx};
use crate::cluster::node::{Node, Status};
use crate::ids::NodeRef;

impl Cluster {
    /// Adds replicas (each a copy of the master, as after a base backup) or removes the
    /// highest-numbered ones.
    pub fn set_replica_count(&mut self, count: usize, cx: &mut Ctx) {
        let mut current = self.replicas().len();
        while current > count {
            let (id, _) = *self.replicas().last().expect("more replicas than wanted");
            let label = self.label(id);
            self.end_process(id, Status::Removed, &format!("{label} was removed"), cx);
            self.master_log.forget(id);
            current -= 1;
        }
        let master = self.master;
        for number in current + 1..=count {
            let (data, lsn) = (self.machines[master].data.clone(), self.machines[master].positions.applied);
            let incarnation = self.new_incarnation();
            let node = Node::new(NodeRef::Replica(number), incarnation, data, lsn, self.master_log.timeline, cx.config);
            let id = self.machines.reuse_or_add(Machine::Postgres(node));
            cx.network.connect(id, cx.config);
            self.master_log.report(id, self.machines[id].positions);
        }
    }
}

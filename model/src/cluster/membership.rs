//! Replicas added (each a copy of the master, as after a base backup) and removed (the
//! highest-numbered first).

use super::{Cluster, Ctx};
use crate::cluster::node::{Node, Status};
use crate::ids::{NodeId, NodeRef};

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
            let (data, lsn) = (self.nodes[master.0].data.clone(), self.nodes[master.0].positions.applied);
            let incarnation = self.new_incarnation();
            let node = Node::new(NodeRef::Replica(number), incarnation, data, lsn, self.master_log.timeline, cx.config);
            let id = match self.nodes.iter().position(|node| node.status == Status::Removed) {
                Some(index) => {
                    self.nodes[index] = node;
                    NodeId(index)
                }
                None => {
                    self.nodes.push(node);
                    NodeId(self.nodes.len() - 1)
                }
            };
            cx.network.connect(id, cx.config);
            self.master_log.report(id, self.nodes[id.0].positions);
        }
    }
}

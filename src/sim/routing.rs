//! Which node serves a read.

use super::network::NodeId;

/// Reads go to the replicas in turn; with no replicas, the master serves them.
#[derive(Debug, Default)]
pub struct RoundRobin {
    served: usize,
}

impl RoundRobin {
    pub fn next(&mut self, replicas: usize) -> NodeId {
        if replicas == 0 {
            return NodeId::Master;
        }
        let index = self.served % replicas;
        self.served += 1;
        NodeId::Replica(index)
    }
}

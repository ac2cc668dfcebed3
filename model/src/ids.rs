//! The identities every other concept names: machines (by their stable name, and by their
//! role now), clients and requests. Plain values
//! with no behaviour of their own, so that nodes, requests and messages can all name them
//! without depending on each other.

/// A node's stable identity. Its role (master or replica number) can change by failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub usize);

impl NodeId {
    /// The machine's name, which stays with it whatever role it has: `pg-1`, `pg-2`, ...
    /// (every machine runs PostgreSQL; replicas are shown MongoDB-style, as the lecture draws).
    pub fn machine(self) -> String {
        format!("pg-{}", self.0 + 1)
    }
}

/// A simulated client, 0-based; shown as `client 1`, `client 2`, ...
pub type ClientId = usize;

/// A request, numbered in the order clients sent them.
pub type RequestId = u64;

/// A node as people name it: the master, or a replica by its number (1-based).
/// Ordered as the page lists them: the master, then the replicas by number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeRef {
    Master,
    Replica(usize),
}

impl NodeRef {
    /// The role in words, as people read it: `master`, `replica 1`.
    pub fn in_words(self) -> String {
        match self {
            NodeRef::Master => "master".to_string(),
            NodeRef::Replica(number) => format!("replica {number}"),
        }
    }
}

impl std::fmt::Display for NodeRef {
    /// `master`, `replica-1`, ...: the name links, commands and test ids use.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeRef::Master => f.write_str("master"),
            NodeRef::Replica(number) => write!(f, "replica-{number}"),
        }
    }
}

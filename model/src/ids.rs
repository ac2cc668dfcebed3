//! The identities every other concept names: machines (by their stable name, and by their
//! role now), clients and requests. Plain values
//! with no behaviour of their own, so that nodes, requests and messages can all name them
//! without depending on each other.

/// A machine's stable identity. A PostgreSQL server's role (master or replica number) can
/// change by failover; the read side's machines (the connector, the MongoDB members) have ids
/// of their own, from [`READ_SIDE`] on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub usize);

/// The first id of the read side: the PostgreSQL servers (a master and at most eight
/// replicas, a removed one's id reused) have the ids below it.
pub const READ_SIDE: usize = crate::config::MAX_REPLICAS + 1;

impl NodeId {
    /// The change-data-capture connector, `cdc-1`.
    pub const CONNECTOR: NodeId = NodeId(READ_SIDE);

    /// The MongoDB member `mongo-{number}` (from 1).
    pub fn mongo(number: usize) -> NodeId {
        NodeId(READ_SIDE + number)
    }

    /// Whether it is a PostgreSQL server (not a machine of the read side).
    pub fn is_postgres(self) -> bool {
        self.0 < READ_SIDE
    }

    /// The machine's name, which stays with it whatever role it has: `pg-1`, `pg-2`, ...;
    /// `cdc-1`; `mongo-1`, `mongo-2`, ...
    pub fn machine(self) -> String {
        match self.0 {
            id if id < READ_SIDE => format!("pg-{}", id + 1),
            READ_SIDE => "cdc-1".to_string(),
            id => format!("mongo-{}", id - READ_SIDE),
        }
    }

    /// The machine named `name`, if a run can have one by that name.
    pub fn named(name: &str) -> Option<NodeId> {
        let number = |prefix: &str| name.strip_prefix(prefix)?.parse::<usize>().ok().filter(|&n| n >= 1);
        if name == "cdc-1" {
            return Some(NodeId::CONNECTOR);
        }
        if let Some(number) = number("pg-").filter(|&n| n <= READ_SIDE) {
            return Some(NodeId(number - 1));
        }
        number("mongo-").filter(|&n| n <= crate::config::MAX_MONGO_MEMBERS).map(NodeId::mongo)
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

//! Browser tests: components rendered by Yew in headless Chromium, and the model's
//! determinism checked in 32-bit wasm against the native fingerprint.
#![cfg(target_arch = "wasm32")]

#[path = "../model/tests/common/mod.rs"]
mod common;

use std::time::Duration;

use replication_playground::sim::Command;
use replication_playground::sim::request::Stats;
use replication_playground::ui::App;
use replication_playground::ui::state::Action;
use replication_playground::ui::stats::{StatsPanel, StatsPanelProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn mount_point() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

fn find(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid=\"{id}\"]")).unwrap()
}

fn by_test_id(root: &Element, id: &str) -> Element {
    find(root, id).unwrap_or_else(|| panic!("no element {id}"))
}

fn text(root: &Element, id: &str) -> String {
    by_test_id(root, id).text_content().unwrap_or_default()
}

/// How long a test waits for what it expects before it fails.
const PATIENCE: Duration = Duration::from_secs(3);
const POLL: Duration = Duration::from_millis(5);

/// Waits until `holds` does, looking every few milliseconds: a render or a model tick lands
/// when the browser gets to it, so a test waits for what it expects, not for a guessed time.
async fn until(what: &str, holds: impl Fn() -> bool) {
    let polls = PATIENCE.as_millis() / POLL.as_millis();
    for _ in 0..polls {
        if holds() {
            return;
        }
        yew::platform::time::sleep(POLL).await;
    }
    assert!(holds(), "waited {PATIENCE:?} for {what}");
}

/// Waits until the element `id` is there and reads `expected`.
async fn until_text(root: &Element, id: &str, expected: &str) {
    until(&format!("{id} to read {expected:?}"), || {
        find(root, id).and_then(|element| element.text_content()).as_deref() == Some(expected)
    })
    .await;
}

/// Waits until the element `id` has the attribute `name` at `expected`.
async fn until_attribute(root: &Element, id: &str, name: &str, expected: &str) {
    until(&format!("{id} to have {name}={expected:?}"), || {
        find(root, id).and_then(|element| element.get_attribute(name)).as_deref() == Some(expected)
    })
    .await;
}

#[wasm_bindgen_test]
fn scripted_run_has_the_native_fingerprint() {
    assert_eq!(common::scripted_run(7).fingerprint(), common::SCRIPTED_RUN_FINGERPRINT);
}

#[wasm_bindgen_test]
async fn stats_panel_shows_the_counters() {
    let root = mount_point();
    let stats = Stats {
        writes_issued: 5,
        writes_acked: 4,
        reads_issued: 9,
        reads_completed: 7,
        stale_reads: 3,
        ryw_violations: 2,
        monotonic_violations: 1,
        lost_writes: 1,
        ..Stats::default()
    };
    yew::Renderer::<StatsPanel>::with_root_and_props(root.clone(), StatsPanelProps { stats, caption: None }).render();
    until_text(&root, "stat-writes", "4").await;
    assert_eq!(text(&root, "stat-reads"), "7");
    assert_eq!(text(&root, "stat-stale-reads"), "3");
    assert_eq!(text(&root, "stat-ryw-violations"), "2");
    assert_eq!(text(&root, "stat-monotonic-violations"), "1");
    assert_eq!(text(&root, "stat-lost-writes"), "1");
    let text = root.text_content().unwrap();
    assert!(
        text.contains("2 in flight") && text.contains("1 waiting"),
        "reads in flight and writes waiting apart: {text}"
    );
}

fn attribute(root: &Element, id: &str, name: &str) -> String {
    by_test_id(root, id).get_attribute(name).unwrap_or_default()
}

fn click(root: &Element, id: &str) {
    by_test_id(root, id).unchecked_into::<HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn app_write_then_read_under_async_is_stale_and_a_crash_shows() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    // The defaults: two replicas, async, 1000 ms lag, at real-time speed.
    until("the second replica", || find(&root, "node-replica-2").is_some()).await;
    click(&root, "write");
    until_text(&root, "stat-writes", "1").await;
    assert_eq!(attribute(&root, "node-master", "data-applied-lsn"), "1");
    assert_eq!(attribute(&root, "node-replica-1", "data-applied-lsn"), "0");
    assert_eq!(attribute(&root, "node-replica-1", "data-state"), "up");

    click(&root, "read");
    until_text(&root, "stat-reads", "1").await;
    assert_eq!(text(&root, "stat-stale-reads"), "1");
    assert!(root.query_selector("li.stale").unwrap().is_some(), "the stale read stands out in the log");
    let served: u32 = ["node-replica-1", "node-replica-2"]
        .iter()
        .map(|id| attribute(&root, id, "data-reads").parse::<u32>().unwrap())
        .sum();
    assert_eq!(served, 1);

    click(&root, "crash-replica-1");
    until_attribute(&root, "node-replica-1", "data-state", "down").await;
    assert!(text(&root, "event-log").contains("pg-2 (replica 1) crashed"));
}

mod components {
    use std::cell::RefCell;
    use std::rc::Rc;

    use replication_playground::sim::config::Config;
    use replication_playground::sim::data::user_values;
    use replication_playground::sim::request::{Op, Outcome, RequestRecord};
    use replication_playground::sim::time::Time;
    use replication_playground::sim::{Command, NodeRef, NodeState, Simulation};
    use replication_playground::ui::charts::{Chart, ChartProps};
    use replication_playground::ui::node_card::{NodeCard, NodeCardProps};
    use replication_playground::ui::request_log::{RequestLog, RequestLogProps};
    use replication_playground::ui::state::Action;
    use replication_playground::ui::topology::{Topology, TopologyProps};
    use replication_playground::ui::view::{
        self, Dot, DotKind, MachinesView, NodeAction, NodeView, Place, ReplicationView, Series,
    };
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::Element;
    use yew::Callback;

    use super::{click, find, mount_point, text, until, until_text};

    fn view(machine: &str, name: NodeRef, state: NodeState, load: u64) -> NodeView {
        NodeView {
            machine: machine.into(),
            colour: "machine-2",
            name,
            role: match name {
                NodeRef::Master => "master".into(),
                NodeRef::Replica(number) => format!("replica {number}"),
            },
            state,
            applied_lsn: 3,
            reads_served: 2,
            load,
            lag: Time::from_millis(500),
            missing: 0,
            link_cut: false,
            synchronous: name == NodeRef::Replica(1),
            streaming: name != NodeRef::Master,
            held_for_slots: 0,
        }
    }

    #[wasm_bindgen_test]
    async fn topology_draws_nodes_with_their_state_and_messages_on_their_way() {
        let root = mount_point();
        let actions: Rc<RefCell<Vec<Option<NodeRef>>>> = Rc::default();
        let seen = actions.clone();
        let props = TopologyProps {
            unmeasured: None,
            machines: Rc::new(MachinesView {
                master: view("pg-3", NodeRef::Master, NodeState::Up, 0),
                replicas: vec![
                    view("pg-2", NodeRef::Replica(1), NodeState::Down, 0),
                    view("pg-1", NodeRef::Replica(2), NodeState::Overloaded, 150),
                ],
                replication: ReplicationView {
                    summary: "sync (remote_apply): a write is acknowledged once the first replica up has applied it"
                        .into(),
                    waiting: "1 write waiting for pg-2".into(),
                    reads: "reads: at the master".into(),
                },
                queue_limit: 200,
                read_side: None,
                in_words: "Clients send writes to the master (pg-3) and reads to 2 replicas".into(),
            }),
            portrait: false,
            large: false,
            compact: false,
            fill_height: false,
            test_ids: true,
            actions: yew::Html::default(),
            dots: vec![
                Dot {
                    from: Place::Clients,
                    to: Place::Node(NodeRef::Master),
                    progress: 0.5,
                    kind: DotKind::Write,
                    lsn: None,
                },
                Dot {
                    from: Place::Node(NodeRef::Master),
                    to: Place::Node(NodeRef::Replica(2)),
                    progress: 0.25,
                    kind: DotKind::Replicate,
                    lsn: Some(3),
                },
            ],
            drawn_one_in: 1,
            selected: None,
            on_action: Callback::from(move |action| {
                if let Action::Select(node) = action {
                    seen.borrow_mut().push(node);
                }
            }),
        };
        yew::Renderer::<Topology>::with_root_and_props(root.clone(), props).render();
        until("the picture", || find(&root, "node-replica-2").is_some()).await;
        assert_eq!(
            root.query_selector_all("circle.dot.write").unwrap().length(),
            2,
            "one on the wire, one in the legend"
        );
        let entry = root.query_selector("svg.topology-messages g.dot.entry.replicate").unwrap().unwrap();
        assert_eq!(entry.text_content().as_deref(), Some("3"), "a log entry carries its LSN");
        // On its way from the clients to the master, between their boxes, drawn over the links.
        let write = root.query_selector("svg.topology-messages circle.dot.write").unwrap().unwrap();
        let (clients, master) = (
            root.query_selector("svg.topology .clients rect").unwrap().unwrap().get_bounding_client_rect(),
            find(&root, "node-master").unwrap().query_selector(".body").unwrap().unwrap().get_bounding_client_rect(),
        );
        let dot = write.get_bounding_client_rect();
        let middle = dot.left() + dot.width() / 2.0;
        assert!(
            clients.right() < middle && middle < master.left(),
            "{} < {middle} < {}",
            clients.right(),
            master.left()
        );
        assert!(root.query_selector("g.node-shape.down").unwrap().is_some());
        let overloaded = root.query_selector("g.node-shape.overloaded").unwrap().unwrap();
        let load_bar = overloaded.query_selector("rect.meter.load").unwrap().unwrap();
        assert_eq!(
            load_bar.get_attribute("width").as_deref(),
            Some("142.5"),
            "150 of 200 queued: three quarters of the box"
        );
        // Machines by name, roles beside them; the sync link drawn as such; whom the master waits for.
        assert_eq!(overloaded.get_attribute("data-name").as_deref(), Some("pg-1"));
        assert_eq!(overloaded.get_attribute("data-testid").as_deref(), Some("node-replica-2"));
        assert!(overloaded.text_content().unwrap().contains("replica 2"));
        assert!(root.query_selector("[data-testid=\"link-replica-1\"].sync").unwrap().is_some());
        assert!(root.query_selector("[data-testid=\"link-replica-2\"].async").unwrap().is_some());
        assert_eq!(super::text(&root, "master-waiting"), "1 write waiting for pg-2");
        assert_eq!(super::text(&root, "read-routing"), "reads: at the master");

        dispatch_click(&overloaded);
        until("replica 2 selected", || *actions.borrow() == [Some(NodeRef::Replica(2))]).await;
    }

    #[wasm_bindgen_test]
    async fn the_read_side_is_drawn_by_name_with_reads_to_mongodb_and_its_cards_crash_a_machine() {
        use replication_playground::sim::config::ReadSide;
        use replication_playground::sim::ids::NodeId;
        use replication_playground::ui::read_side_card::{ReadSideCardProps, ReadSideMachineCard};
        let mut sim = Simulation::new(Config { read_side: ReadSide::MongoDb, ..Config::default() }).unwrap();
        sim.apply(Command::Write { client: 0, key: 101, name: "Ann".into() }).unwrap();
        sim.run_until(Time::from_millis(2_500));
        let root = mount_point();
        let props = TopologyProps {
            unmeasured: None,
            machines: Rc::new(view::machines(&sim)),
            dots: view::messages(&sim).dots,
            drawn_one_in: 1,
            selected: None,
            portrait: false,
            large: false,
            compact: false,
            fill_height: false,
            test_ids: true,
            actions: yew::Html::default(),
            on_action: Callback::noop(),
        };
        yew::Renderer::<Topology>::with_root_and_props(root.clone(), props).render();
        until("the read side", || find(&root, "node-mongo-2").is_some()).await;
        for (id, name) in [("node-cdc-1", "cdc-1"), ("node-mongo-1", "mongo-1"), ("node-mongo-2", "mongo-2")] {
            assert_eq!(find(&root, id).unwrap().get_attribute("data-name").as_deref(), Some(name));
        }
        assert!(find(&root, "node-mongo-1").unwrap().text_content().unwrap().contains("primary"));
        assert_eq!(root.query_selector_all("path.read-link").unwrap().length(), 2, "reads go to the two members only");
        assert!(super::text(&root, "read-routing").starts_with("reads: from MongoDB"));

        let cards = view::read_side_cards(&sim);
        assert_eq!(cards.len(), 3, "the connector's and two members'");
        let card_root = mount_point();
        let clicked: Rc<RefCell<Vec<Command>>> = Rc::default();
        let seen = clicked.clone();
        let props = ReadSideCardProps {
            card: cards[0].clone(),
            on_action: Callback::from(move |action| {
                if let Action::Command(command) = action {
                    seen.borrow_mut().push(command);
                }
            }),
        };
        yew::Renderer::<ReadSideMachineCard>::with_root_and_props(card_root.clone(), props).render();
        until("the connector's card", || find(&card_root, "crash-cdc-1").is_some()).await;
        assert!(super::text(&card_root, "card-cdc-1").contains("slot cdc on pg-1"));
        click(&card_root, "crash-cdc-1");
        until("the crash asked", || *clicked.borrow() == [Command::CrashReadSide(NodeId::CONNECTOR)]).await;
    }

    /// `click()` exists only on HTML elements; an SVG element gets a bubbling click event, which
    /// is what Yew's delegated listeners see.
    fn dispatch_click(element: &Element) {
        let init = web_sys::MouseEventInit::new();
        init.set_bubbles(true);
        let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
        element.dispatch_event(&event).unwrap();
    }

    #[wasm_bindgen_test]
    async fn chart_draws_each_series_and_reads_out_the_latest_values() {
        let root = mount_point();
        let props = ChartProps {
            title: "Latency".into(),
            test_id: "chart".into(),
            unit: " ms".into(),
            bucket_seconds: 0.25,
            series: vec![
                Series { name: "p50".into(), class: "p50", values: Rc::new(vec![1.0, 2.0, 3.0]) },
                Series { name: "p99".into(), class: "p99", values: Rc::new(vec![5.0, 8.0, 13.0]) },
            ],
            reference: Some((100.0, "users notice")),
        };
        yew::Renderer::<Chart>::with_root_and_props(root.clone(), props).render();
        until("both series drawn", || root.query_selector_all("polyline.series").unwrap().length() == 2).await;
        assert!(text(&root, "chart").contains("now: p50 3 ms · p99 13 ms · 100 ms: users notice"));
        // The chart scales to the level, not only to its lines: 100 ms stands near the top.
        let level = root.query_selector("[data-testid=\"chart-reference\"]").unwrap().expect("the level is drawn");
        let y: f64 = level.get_attribute("y1").unwrap().parse().unwrap();
        assert!(y < 30.0, "100 ms at y = {y} of 110");
    }

    fn read(id: u64, version: u64, master_version: u64) -> RequestRecord {
        let mut record = RequestRecord::new(id, 0, Op::Read { key: 101 }, Time::ZERO);
        record.served_by = Some(NodeRef::Replica(1));
        let row = |version| {
            Some(Rc::new(replication_playground::sim::data::Row {
                values: user_values(101, &format!("v{version}")),
                version,
                lsn: version,
                write: version,
            }))
        };
        record.outcome = Some(Outcome::Read {
            row: row(version),
            master_row: row(master_version),
            stale: version < master_version,
            node_lag: Time::from_millis(200),
        });
        record.completed_at = Some(Time::from_millis(3));
        record
    }

    fn on_commands(seen: Rc<RefCell<Vec<Command>>>) -> Callback<Action> {
        Callback::from(move |action| {
            if let Action::Command(command) = action {
                seen.borrow_mut().push(command);
            }
        })
    }

    /// Which actions a node offers is the view model's rule (tested natively); the card draws
    /// each as a button with its test id and tooltip, which sends its command.
    #[wasm_bindgen_test]
    async fn a_node_card_draws_the_actions_it_is_given_and_sends_their_commands() {
        let seen: Rc<RefCell<Vec<Command>>> = Rc::default();
        let replica = NodeRef::Replica(2);
        let mut sim = Simulation::new(Config { lag_ms: 1_000, ..Config::default() }).unwrap();
        sim.apply(Command::WriteRandom { client: 0 }).unwrap();
        sim.run_until(Time::from_millis(200));
        sim.apply(Command::Crash(NodeRef::Master)).unwrap();
        sim.apply(Command::Promote(Some(replica))).unwrap();
        let diverged = view::card(&sim, sim.resolve(replica).unwrap());

        let root = mount_point();
        let props = NodeCardProps { card: diverged, on_action: on_commands(seen.clone()) };
        yew::Renderer::<NodeCard>::with_root_and_props(root.clone(), props).render();
        until("the rewind button", || find(&root, "rewind-replica-2").is_some()).await;
        let rewind = find(&root, "rewind-replica-2").unwrap();
        assert_eq!(rewind.text_content().as_deref(), Some("Rewind"));
        assert!(rewind.get_attribute("title").is_some_and(|help| help.starts_with("pg_rewind")));
        click(&root, "rewind-replica-2");
        click(&root, "rebuild-replica-2");
        until("both commands sent", || seen.borrow().len() == 2).await;
        assert_eq!(*seen.borrow(), [Command::Rewind(replica), Command::Rebuild(replica)]);

        let root = mount_point();
        let cancel = NodeAction {
            command: Command::CancelWaits,
            label: "Cancel waiting commits",
            test_id: "cancel-waits".into(),
            help: None,
        };
        let master = view::CardView {
            actions: vec![cancel],
            retention: Some("keeps 20 log entries of WAL past wal_keep for pg-2's replication slot".into()),
            ..view::card(&sim, sim.master_id())
        };
        let props = NodeCardProps { card: master, on_action: on_commands(seen.clone()) };
        yew::Renderer::<NodeCard>::with_root_and_props(root.clone(), props).render();
        until_text(&root, "retained-wal", "keeps 20 log entries of WAL past wal_keep for pg-2's replication slot")
            .await;
        assert!(find(&root, "crash-master").is_none(), "only the actions given");
        click(&root, "cancel-waits");
        until("the cancel sent", || seen.borrow().last() == Some(&Command::CancelWaits)).await;
    }

    #[wasm_bindgen_test]
    async fn request_log_filters_to_the_problems() {
        let root = mount_point();
        let requests = vec![read(3, 2, 2), read(2, 1, 2), read(1, 2, 2)];
        yew::Renderer::<RequestLog>::with_root_and_props(root.clone(), RequestLogProps { requests }).render();
        let rows = |root: &Element| root.query_selector_all("[data-testid=\"request-log\"] li").unwrap().length();
        until("three requests", || rows(&root) == 3).await;
        assert!(text(&root, "request-log").contains(
            "v1 (version 1), stale: the master has v2 (version 2); replica 1 was missing its last 200.0 ms of writes"
        ));
        click(&root, "log-filter");
        until("only the stale read", || rows(&root) == 1).await;
        assert!(text(&root, "request-log").contains("#2 client 1 read user 101"));
    }
}

#[wasm_bindgen_test]
fn a_panic_shows_the_panel_with_the_message_and_the_session() {
    let window = web_sys::window().unwrap();
    window.location().set_hash("replicas=3&seed=42").unwrap();
    let sql = Command::Sql { client: 0, text: "SELECT * FROM users".into() };
    replication_playground::ui::crash::note_action(&Action::Command(sql));
    replication_playground::ui::crash::show_panel("panicked at model/src/simulation.rs:1:1:\nan invariant broke");
    let document = window.document().unwrap();
    let panel = by_test_id(&document.document_element().unwrap(), "crash-panel");
    let report: web_sys::HtmlTextAreaElement = by_test_id(&panel, "crash-report").dyn_into().unwrap();
    let report = report.value();
    assert!(
        report.starts_with(
            "What happened: panicked at model/src/simulation.rs:1:1:\nan invariant broke\nLast input: client 1 runs SQL: SELECT * FROM users\nSeed: 42\n"
        ),
        "{report}"
    );
    assert!(report.contains("#replicas=3&seed=42"), "{report}");
    for button in ["crash-copy", "crash-reload", "crash-reset"] {
        by_test_id(&panel, button);
    }
    panel.remove();
    window.location().set_hash("").unwrap();
}

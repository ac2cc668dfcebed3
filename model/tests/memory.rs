//! Memory stays bounded over a long run under load: every history the model keeps is bounded,
//! and so what one copy of the run holds does not grow; the recording keeps at most
//! `MAX_CHECKPOINTS` such copies (recording.rs's tests check that count). Counts the bytes live
//! on the heap (through a counting allocator) each simulated minute of a simulation at 2,000
//! requests/s over 8 replicas, advanced 16 ms at a time as the page's frames do, and what one
//! copy of it holds.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use replication_model::Simulation;
use replication_model::config::{Config, Mode};
use replication_model::recording::MAX_CHECKPOINTS;
use replication_model::time::Time;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MINUTES: u64 = 12;

#[test]
fn live_memory_stops_growing_under_steady_load_and_a_copy_of_the_run_stays_the_same_size() {
    let config = Config { replicas: 8, mode: Mode::Async, lag_ms: 200, rate: 2_000, clients: 8, ..Config::default() };
    let mut sim = Simulation::new(config).expect("valid config");
    let frame = Time::from_millis(16);
    let mut live_by_minute = Vec::new();
    let mut copy_by_minute = Vec::new();
    for minute in 1..=MINUTES {
        while sim.now() < Time::from_millis(minute * 60_000) {
            let until = sim.now() + frame;
            sim.run_until(until);
        }
        live_by_minute.push(LIVE.load(Ordering::Relaxed));
        let before = LIVE.load(Ordering::Relaxed);
        let copy = sim.clone();
        copy_by_minute.push(LIVE.load(Ordering::Relaxed) - before);
        drop(copy);
    }
    println!("live bytes each simulated minute: {live_by_minute:?}");
    println!("bytes a copy of the run (a checkpoint) holds: {copy_by_minute:?}");
    // About 120,000 requests a minute: leaking even 10 bytes each would grow the later peak by
    // 6 MB.
    let early = live_by_minute[2..7].iter().max().expect("minutes");
    let late = live_by_minute[7..].iter().max().expect("minutes");
    assert!(late <= &(early + early / 5), "the live heap's peak grew from {early} to {late} bytes: {live_by_minute:?}");
    // The recording keeps at most MAX_CHECKPOINTS copies, so its memory is bounded as long as
    // a copy does not grow with the run (closed metrics buckets are shared, not copied).
    let (early, late) = (copy_by_minute[2], copy_by_minute[MINUTES as usize - 1]);
    assert!(late <= early + early / 5, "a copy of the run grew from {early} to {late} bytes: {copy_by_minute:?}");
    assert!(MAX_CHECKPOINTS * late < 64 << 20, "{MAX_CHECKPOINTS} copies of {late} bytes");
}

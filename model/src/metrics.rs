//! Measurements over time in fixed buckets of simulated time, with bounded memory: a window of
//! the most recent buckets is kept and older ones are dropped.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::time::Time;

/// A response slower than this, in ms, is one a user notices: the usual limit (0.1 s) for a
/// reply that feels instant. The latency chart draws it; the single-database demo measures by it.
pub const NOTICEABLE_MS: f64 = 100.0;

/// The width of one bucket.
pub const BUCKET: Time = Time::from_millis(250);
/// How many buckets are kept: one minute.
pub const WINDOW: usize = 240;
/// Latencies sampled per bucket for its percentiles; more are counted but not sampled.
const LATENCY_SAMPLES: usize = 1_024;
/// How many of the latest acknowledged writes `recent_write_latency` is taken over.
pub const WRITE_SAMPLES: usize = 1_000;

/// One node's state when a bucket closed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeSample {
    /// Requests queued or in service.
    pub queue_depth: u64,
    /// Log entries behind the master.
    pub lag_lsn: u64,
    /// Time behind the master.
    pub lag: Time,
    /// Reads it served during the bucket.
    pub reads: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    pub start: Time,
    /// Requests the clients sent in it: the load offered, whether or not it was served.
    pub issued: u64,
    pub reads: u64,
    pub writes: u64,
    pub stale_reads: u64,
    pub failed: u64,
    /// The latencies of the requests completed in it, when any completed; worked out when the
    /// bucket closes, so a closed bucket keeps two numbers, not its samples (the recording's
    /// checkpoints copy every bucket) and drawing a chart sorts nothing.
    pub latency: Option<Latency>,
    /// Indexed by node id; filled when the bucket closes.
    pub nodes: Vec<NodeSample>,
}

/// A bucket's median and 99th percentile latency (of its first `LATENCY_SAMPLES` requests).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Latency {
    pub p50: Time,
    pub p99: Time,
}

impl Latency {
    fn of(mut samples: Vec<u64>) -> Option<Latency> {
        samples.sort_unstable();
        let last = samples.len().checked_sub(1)?;
        let quantile = |q: f64| Time(samples[((last as f64) * q).round() as usize]);
        Some(Latency { p50: quantile(0.5), p99: quantile(0.99) })
    }
}

impl Bucket {
    /// Completed requests per second of simulated time.
    pub fn throughput(&self) -> f64 {
        (self.reads + self.writes) as f64 * 1_000_000.0 / BUCKET.as_micros() as f64
    }

    /// Requests sent per second of simulated time: the load the system was offered.
    pub fn offered(&self) -> f64 {
        self.issued as f64 * 1_000_000.0 / BUCKET.as_micros() as f64
    }

    /// Share of completed reads that were stale, 0..=1.
    pub fn stale_rate(&self) -> f64 {
        if self.reads == 0 { 0.0 } else { self.stale_reads as f64 / self.reads as f64 }
    }
}

/// A completed request, as the metrics count it.
pub enum Completion {
    Read { stale: bool, latency: Time },
    Write { latency: Time },
    Failed,
}

#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// Shared, not copied, by copies of the run (the recording's checkpoints): a closed bucket
    /// never changes.
    closed: VecDeque<Rc<Bucket>>,
    open: Bucket,
    /// The open bucket's latency samples, in µs.
    open_latencies: Vec<u64>,
    /// Reads each node has served in the open bucket, by node id.
    node_reads: Vec<u64>,
    /// The latencies of the latest `WRITE_SAMPLES` acknowledged writes, in µs, oldest first:
    /// what waiting for replicas costs a writer shows here, where a bucket's percentiles mix
    /// writes with the reads (usually most requests) that never wait for a replica.
    write_latencies: VecDeque<u64>,
}

impl Metrics {
    /// Closed buckets, oldest first.
    pub fn buckets(&self) -> impl DoubleEndedIterator<Item = &Bucket> {
        self.closed.iter().map(|bucket| &**bucket)
    }

    /// The closed buckets of the last simulated second, newest first.
    fn last_second(&self) -> impl Iterator<Item = &Bucket> {
        self.buckets().rev().take((1_000_000 / BUCKET.as_micros()) as usize)
    }

    /// Completed requests per second over the last simulated second.
    pub fn recent_throughput(&self) -> f64 {
        let buckets: Vec<_> = self.last_second().collect();
        buckets.iter().map(|bucket| bucket.throughput()).sum::<f64>() / buckets.len().max(1) as f64
    }

    /// The highest p99 latency, in ms, of the last simulated second's buckets.
    pub fn recent_p99_ms(&self) -> f64 {
        self.last_second()
            .filter_map(|bucket| bucket.latency)
            .map(|latency| latency.p99.as_millis_f64())
            .fold(0.0, f64::max)
    }

    /// The median and 99th percentile latency of the latest `WRITE_SAMPLES` acknowledged
    /// writes; none before the first.
    pub fn recent_write_latency(&self) -> Option<Latency> {
        Latency::of(self.write_latencies.iter().copied().collect())
    }

    /// Writes acknowledged in the kept buckets that start at or after `from`, the open one
    /// included: every write acknowledged since `from`, when that is a bucket's start within
    /// the window.
    pub fn writes_from(&self, from: Time) -> u64 {
        self.buckets().chain([&self.open]).filter(|bucket| bucket.start >= from).map(|bucket| bucket.writes).sum()
    }

    /// Requests that failed in the last simulated second.
    pub fn recent_failures(&self) -> u64 {
        self.last_second().map(|bucket| bucket.failed).sum()
    }

    /// When the open bucket ends.
    pub fn open_until(&self) -> Time {
        self.open.start + BUCKET
    }

    /// Before a jump to `to` longer than the whole window, drops every bucket and moves the
    /// open one to where the last window before `to` starts: the buckets in between would all
    /// be dropped again anyway.
    pub fn skip_to(&mut self, to: Time) {
        let window = Time(BUCKET.as_micros() * WINDOW as u64);
        if to >= self.open_until() + window {
            let start = to - window;
            self.closed.clear();
            self.node_reads.clear();
            self.open_latencies.clear();
            self.open =
                Bucket { start: Time(start.as_micros() - start.as_micros() % BUCKET.as_micros()), ..Bucket::default() };
        }
    }

    pub fn record_issued(&mut self) {
        self.open.issued += 1;
    }

    pub fn record(&mut self, completion: Completion) {
        let latency = match completion {
            Completion::Read { stale, latency } => {
                self.open.reads += 1;
                self.open.stale_reads += u64::from(stale);
                latency
            }
            Completion::Write { latency } => {
                self.open.writes += 1;
                if self.write_latencies.len() == WRITE_SAMPLES {
                    self.write_latencies.pop_front();
                }
                self.write_latencies.push_back(latency.as_micros());
                latency
            }
            Completion::Failed => {
                self.open.failed += 1;
                return;
            }
        };
        if self.open_latencies.len() < LATENCY_SAMPLES {
            self.open_latencies.push(latency.as_micros());
        }
    }

    pub fn record_node_read(&mut self, node: usize) {
        if self.node_reads.len() <= node {
            self.node_reads.resize(node + 1, 0);
        }
        self.node_reads[node] += 1;
    }

    /// Closes the open bucket with the nodes' state and starts the next one.
    pub fn close(&mut self, mut nodes: Vec<NodeSample>) {
        for (sample, reads) in nodes.iter_mut().zip(&self.node_reads) {
            sample.reads = *reads;
        }
        self.node_reads.clear();
        let next = Bucket { start: self.open_until(), ..Bucket::default() };
        let mut bucket = std::mem::replace(&mut self.open, next);
        bucket.nodes = nodes;
        bucket.latency = Latency::of(std::mem::take(&mut self.open_latencies));
        if self.closed.len() == WINDOW {
            self.closed.pop_front();
        }
        self.closed.push_back(Rc::new(bucket));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_bucket_keeps_its_median_and_99th_percentile() {
        let mut metrics = Metrics::default();
        for ms in (1..=100).rev() {
            metrics.record(Completion::Write { latency: Time::from_millis(ms) });
        }
        metrics.close(Vec::new());
        metrics.close(Vec::new());
        let buckets: Vec<&Bucket> = metrics.buckets().collect();
        let latency = buckets[0].latency.expect("100 requests completed");
        assert_eq!((latency.p50, latency.p99), (Time::from_millis(51), Time::from_millis(99)));
        assert_eq!(buckets[1].latency, None, "nothing completed in the second");
        assert_eq!(metrics.recent_p99_ms(), 99.0);
    }

    #[test]
    fn a_bucket_counts_the_requests_sent_in_it_served_or_not() {
        let mut metrics = Metrics::default();
        for _ in 0..5 {
            metrics.record_issued();
        }
        metrics.record(Completion::Write { latency: Time::from_millis(3) });
        metrics.record(Completion::Failed);
        metrics.close(Vec::new());
        let bucket = metrics.buckets().next().unwrap();
        assert_eq!((bucket.issued, bucket.writes, bucket.failed), (5, 1, 1));
        assert_eq!(bucket.offered(), 5.0 * 1_000_000.0 / BUCKET.as_micros() as f64);
    }

    #[test]
    fn write_latency_is_taken_over_the_latest_writes_alone() {
        let mut metrics = Metrics::default();
        assert_eq!(metrics.recent_write_latency(), None, "no write acknowledged yet");
        // Older writes that leave the window, then reads that never count.
        for _ in 0..WRITE_SAMPLES {
            metrics.record(Completion::Write { latency: Time::from_millis(5_000) });
        }
        for ms in 1..=WRITE_SAMPLES as u64 {
            metrics.record(Completion::Write { latency: Time::from_millis(ms) });
            metrics.record(Completion::Read { stale: false, latency: Time::from_millis(10_000) });
        }
        let latency = metrics.recent_write_latency().expect("writes were acknowledged");
        assert_eq!((latency.p50, latency.p99), (Time::from_millis(501), Time::from_millis(990)));
    }

    #[test]
    fn writes_from_a_moment_count_its_bucket_on_the_open_one_included() {
        let mut metrics = Metrics::default();
        let write = || Completion::Write { latency: Time::from_millis(1) };
        metrics.record(write());
        metrics.close(Vec::new());
        metrics.record(write());
        metrics.record(write());
        metrics.close(Vec::new());
        metrics.record(write());
        assert_eq!(metrics.writes_from(Time::ZERO), 4);
        assert_eq!(metrics.writes_from(BUCKET), 3, "the first bucket's write is before");
        assert_eq!(metrics.writes_from(BUCKET + BUCKET), 1, "the open bucket's");
    }
}

//! A fixed-size latency histogram in the HDR style: exact below 1 µs, ~1.6% buckets
//! above. Recording is an index computation and one increment, so every read can be timed.

/// Values below this many nanoseconds get one bucket per nanosecond.
const LINEAR: u64 = 1 << LINEAR_BITS;
const LINEAR_BITS: u32 = 10;
/// Each power of two at or above `LINEAR` is split into `2^SUB_BITS` buckets.
const SUB_BITS: u32 = 6;
/// Values at or above `2^MAX_BITS` ns (about 18 minutes) are clamped into the last bucket.
const MAX_BITS: u32 = 40;
const BUCKETS: usize = LINEAR as usize + ((MAX_BITS - LINEAR_BITS) << SUB_BITS) as usize;

/// Counts of nanosecond values, plus the exact maximum.
#[derive(Clone)]
pub(crate) struct Histogram {
    counts: Box<[u64]>,
    total: u64,
    max: u64,
}

impl Histogram {
    pub(crate) fn new() -> Self {
        Self {
            counts: vec![0; BUCKETS].into_boxed_slice(),
            total: 0,
            max: 0,
        }
    }

    #[inline]
    pub(crate) fn record(&mut self, nanos: u64) {
        self.counts[bucket(nanos)] += 1;
        self.total += 1;
        self.max = self.max.max(nanos);
    }

    pub(crate) fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(other.counts.iter()) {
            *mine += theirs;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    pub(crate) fn count(&self) -> u64 {
        self.total
    }

    pub(crate) fn max(&self) -> u64 {
        self.max
    }

    /// The smallest recorded bucket bound at or below which a fraction `quantile` of
    /// the values lie: exact below 1 µs, at most one bucket width (~1.6%) high above,
    /// and never above the true maximum. 0 when empty.
    pub(crate) fn percentile(&self, quantile: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((quantile * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (index, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return bucket_high(index).min(self.max);
            }
        }
        self.max
    }
}

#[inline]
fn bucket(nanos: u64) -> usize {
    if nanos < LINEAR {
        return nanos as usize;
    }
    let nanos = nanos.min((1 << MAX_BITS) - 1);
    let exponent = 63 - nanos.leading_zeros(); // LINEAR_BITS..MAX_BITS
    let sub = (nanos >> (exponent - SUB_BITS)) - (1 << SUB_BITS);
    LINEAR as usize + (((exponent - LINEAR_BITS) << SUB_BITS) as usize) + sub as usize
}

/// The largest value that lands in bucket `index`.
fn bucket_high(index: usize) -> u64 {
    if index < LINEAR as usize {
        return index as u64;
    }
    let above = (index - LINEAR as usize) as u64;
    let exponent = (above >> SUB_BITS) as u32 + LINEAR_BITS;
    let sub = above & ((1 << SUB_BITS) - 1);
    (((1 << SUB_BITS) + sub + 1) << (exponent - SUB_BITS)) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_below_one_microsecond() {
        let mut h = Histogram::new();
        for v in 1..=1000 {
            h.record(v);
        }
        assert_eq!(h.count(), 1000);
        assert_eq!(h.percentile(0.5), 500);
        assert_eq!(h.percentile(0.99), 990);
        assert_eq!(h.percentile(0.999), 999);
        assert_eq!(h.percentile(1.0), 1000);
        assert_eq!(h.max(), 1000);
    }

    #[test]
    fn buckets_cover_every_value_in_order_and_within_bounds() {
        let mut previous = 0;
        for v in (0..100_000u64).chain([(1 << 20) + 12_345, (1 << 39) + 7, u64::MAX]) {
            let index = bucket(v);
            assert!(index >= previous, "buckets must be monotonic at {v}");
            assert!(index < BUCKETS);
            previous = index;
            let clamped = v.min((1 << MAX_BITS) - 1);
            let high = bucket_high(index);
            assert!(high >= clamped, "{v}: bucket high {high} below value");
            // Relative error at most one sub-bucket: 1/64 of the value.
            assert!(
                high - clamped <= clamped / 64,
                "{v}: bucket high {high} too coarse"
            );
            if index > 0 {
                assert!(
                    bucket_high(index - 1) < clamped,
                    "{v}: earlier bucket overlaps"
                );
            }
        }
    }

    #[test]
    fn percentile_is_capped_by_the_true_maximum() {
        let mut h = Histogram::new();
        h.record(1_000_001);
        assert_eq!(h.percentile(0.5), 1_000_001);
        assert_eq!(h.max(), 1_000_001);
    }

    #[test]
    fn merge_adds_counts_and_keeps_the_larger_maximum() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        for _ in 0..90 {
            a.record(10);
        }
        for _ in 0..10 {
            b.record(5_000);
        }
        a.merge(&b);
        assert_eq!(a.count(), 100);
        assert_eq!(a.percentile(0.5), 10);
        assert_eq!(a.percentile(0.9), 10);
        assert!((5_000..=5_000 + 5_000 / 64).contains(&a.percentile(0.95)));
        assert_eq!(a.max(), 5_000);
    }

    #[test]
    fn empty_histogram_reports_zero() {
        let h = Histogram::new();
        assert_eq!(h.percentile(0.99), 0);
        assert_eq!(h.max(), 0);
    }
}

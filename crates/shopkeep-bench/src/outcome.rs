//! What one scenario run measured: one JSON line per run in the results file.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// `shopkeep`, `prosody` or `ejabberd`.
    pub system: String,
    pub scenario: String,
    pub round: u32,
    /// The sizes the run was asked for (connections, pairs, rate, seconds…).
    pub params: BTreeMap<String, f64>,
    /// What it measured; names carry their unit.
    pub metrics: BTreeMap<String, f64>,
}

impl Outcome {
    pub fn new(system: &str, scenario: &str) -> Self {
        Self {
            system: system.into(),
            scenario: scenario.into(),
            ..Self::default()
        }
    }

    pub fn param(&mut self, name: &str, value: impl Into<f64>) -> &mut Self {
        self.params.insert(name.into(), value.into());
        self
    }

    pub fn metric(&mut self, name: &str, value: impl Into<f64>) -> &mut Self {
        self.metrics.insert(name.into(), value.into());
        self
    }

    pub fn get(&self, name: &str) -> f64 {
        self.metrics.get(name).copied().unwrap_or(f64::NAN)
    }

    /// p50, p99 and p99.9 of a latency histogram (µs), in milliseconds.
    pub fn latencies(&mut self, prefix: &str, histogram: &Histogram<u64>) -> &mut Self {
        for (name, quantile) in [("p50", 0.5), ("p99", 0.99), ("p999", 0.999)] {
            let ms = if histogram.is_empty() {
                f64::NAN
            } else {
                histogram.value_at_quantile(quantile) as f64 / 1000.0
            };
            self.metric(&format!("{prefix}_{name}_ms"), ms);
        }
        self.metric(&format!("{prefix}_max_ms"), histogram.max() as f64 / 1000.0)
    }
}

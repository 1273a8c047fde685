//! What a server process tree costs, read from `/proc`: CPU seconds from
//! `stat` (utime + stime) and memory from `smaps_rollup` (Rss, Pss), summed
//! over the process and its descendants (ejabberd runs beam under a script).

use std::collections::HashMap;
use std::fs;

/// Clock ticks per second for `/proc/*/stat`; Linux reports `USER_HZ`, which is
/// 100 on every architecture the kernel ABI fixes it for.
const TICKS_PER_SECOND: f64 = 100.0;

/// A sample of one process tree.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    pub cpu_seconds: f64,
    pub rss_bytes: u64,
    pub pss_bytes: u64,
}

/// `pid` and every process descending from it.
pub fn tree(pid: u32) -> Vec<u32> {
    let mut parents: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(entries) = fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(child) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            if let Some(parent) =
                stat_fields(child).and_then(|f| f.get(1).and_then(|p| p.parse().ok()))
            {
                parents.entry(parent).or_default().push(child);
            }
        }
    }
    let mut found = vec![pid];
    let mut next = 0;
    while next < found.len() {
        if let Some(children) = parents.get(&found[next]) {
            found.extend(children);
        }
        next += 1;
    }
    found
}

/// The fields of `/proc/PID/stat` after the command name: state is [0], ppid [1],
/// utime [11], stime [12].
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    Some(after_name.split_whitespace().map(str::to_owned).collect())
}

fn cpu_seconds(pid: u32) -> f64 {
    let Some(fields) = stat_fields(pid) else {
        return 0.0;
    };
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    ticks as f64 / TICKS_PER_SECOND
}

fn memory(pid: u32) -> (u64, u64) {
    let Ok(rollup) = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")) else {
        return (0, 0);
    };
    let kib = |key: &str| {
        rollup
            .lines()
            .find(|line| line.starts_with(key))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
            * 1024
    };
    (kib("Rss:"), kib("Pss:"))
}

/// CPU and memory of `pid`'s tree now.
pub fn sample(pid: u32) -> Sample {
    tree(pid).into_iter().fold(Sample::default(), |sum, pid| {
        let (rss, pss) = memory(pid);
        Sample {
            cpu_seconds: sum.cpu_seconds + cpu_seconds(pid),
            rss_bytes: sum.rss_bytes + rss,
            pss_bytes: sum.pss_bytes + pss,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_memory_and_is_its_own_tree_root() {
        let me = std::process::id();
        assert_eq!(tree(me)[0], me);
        let now = sample(me);
        assert!(now.rss_bytes > 0);
        assert!(now.pss_bytes > 0);
    }
}

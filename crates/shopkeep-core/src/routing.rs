//! Routing and the queue: which operator gets which waiting chat, and where
//! each visitor stands in line. Pure decisions over a snapshot; the server
//! feeds it presence and open chats and applies what it returns.
//!
//! Guarantees (property-tested below):
//! - no operator is given more chats than their maximum;
//! - no chat is assigned twice, and only to an operator who may take it;
//! - within a department the oldest waiting chat is served first;
//! - a chat waits only while every eligible operator is full (or routing is manual).

use std::collections::{BTreeMap, HashMap};

use crate::Millis;
use crate::department::RoutingStrategy;
use crate::ids::{ConversationId, DepartmentId, StaffId};

/// An online operator and how loaded they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorLoad {
    pub id: StaffId,
    /// Departments they are a member of.
    pub departments: Vec<DepartmentId>,
    /// Most chats they hold at once.
    pub max_chats: u32,
    /// Chats they hold now.
    pub active: u32,
    /// When they were last given a chat (round robin); 0 for never.
    pub last_assigned: Millis,
}

impl OperatorLoad {
    fn has_room(&self) -> bool {
        self.active < self.max_chats
    }

    /// Whether this operator may be given a chat of `department`: chats
    /// without a department go to anyone, others to the department's members.
    pub fn serves(&self, department: Option<DepartmentId>) -> bool {
        department.is_none_or(|d| self.departments.contains(&d))
    }
}

/// A chat nobody holds yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitingChat {
    pub id: ConversationId,
    pub department: Option<DepartmentId>,
    pub since: Millis,
}

/// One decision: give `conversation` to `operator`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub conversation: ConversationId,
    pub operator: StaffId,
}

/// Assigns waiting chats, oldest first, to operators with room, following each
/// department's strategy (`strategy_of(None)` is the site's own). `now` is
/// recorded as the operators' `last_assigned`. Operators passed in must be
/// online; `operators` is updated to the load after the assignments.
pub fn assign(
    waiting: &[WaitingChat],
    operators: &mut [OperatorLoad],
    strategy_of: impl Fn(Option<DepartmentId>) -> RoutingStrategy,
    now: Millis,
) -> Vec<Assignment> {
    let mut queue: Vec<&WaitingChat> = waiting.iter().collect();
    queue.sort_by_key(|chat| (chat.since, chat.id));
    let mut assignments = Vec::new();
    // Each assignment is stamped strictly later than every earlier one, so
    // round robin moves on even when one pass assigns several chats.
    let mut clock = operators
        .iter()
        .map(|op| op.last_assigned)
        .max()
        .unwrap_or(0)
        .max(now - 1);
    for chat in queue {
        let strategy = strategy_of(chat.department);
        if strategy == RoutingStrategy::Manual {
            continue;
        }
        let candidates = operators
            .iter_mut()
            .filter(|op| op.has_room() && op.serves(chat.department));
        let chosen = match strategy {
            RoutingStrategy::LeastBusy => {
                candidates.min_by_key(|op| (op.active, op.last_assigned, op.id))
            }
            RoutingStrategy::RoundRobin => {
                candidates.min_by_key(|op| (op.last_assigned, op.active, op.id))
            }
            RoutingStrategy::Manual => None,
        };
        if let Some(operator) = chosen {
            operator.active += 1;
            clock += 1;
            operator.last_assigned = clock;
            assignments.push(Assignment {
                conversation: chat.id,
                operator: operator.id,
            });
        }
    }
    assignments
}

/// Where a waiting chat stands: 1 is next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuePlace {
    pub conversation: ConversationId,
    pub position: u32,
    /// Estimated time until an operator takes it; `None` when nobody who could
    /// take it is online (an operator who may hold no chats counts as nobody).
    pub wait_ms: Option<u64>,
}

/// The line of each department: chats still waiting after [`assign`], in the
/// order they will be served, with an estimated wait. `service_ms` is how long
/// a chat of that department usually lasts.
pub fn queue_places(
    waiting: &[WaitingChat],
    operators: &[OperatorLoad],
    service_ms: impl Fn(Option<DepartmentId>) -> u64,
) -> Vec<QueuePlace> {
    let mut lines: BTreeMap<Option<DepartmentId>, Vec<&WaitingChat>> = BTreeMap::new();
    for chat in waiting {
        lines.entry(chat.department).or_default().push(chat);
    }
    let mut places = Vec::with_capacity(waiting.len());
    for (department, mut line) in lines {
        line.sort_by_key(|chat| (chat.since, chat.id));
        let servers = operators
            .iter()
            .filter(|op| op.serves(department))
            .map(|op| op.max_chats)
            .sum::<u32>();
        let service = service_ms(department);
        for (index, chat) in line.into_iter().enumerate() {
            let position = index as u32 + 1;
            places.push(QueuePlace {
                conversation: chat.id,
                position,
                wait_ms: estimate_wait(position, servers, service),
            });
        }
    }
    places
}

/// Expected wait for the chat at `position` when `slots` chats can be held at
/// once and each lasts `service_ms`: slots free up evenly over one service time.
pub fn estimate_wait(position: u32, slots: u32, service_ms: u64) -> Option<u64> {
    if slots == 0 {
        return None;
    }
    Some(u64::from(position) * service_ms / u64::from(slots))
}

/// A running average of how long chats last, per department.
#[derive(Clone, Debug, Default)]
pub struct ServiceTimes {
    averages: HashMap<Option<DepartmentId>, u64>,
}

impl ServiceTimes {
    /// Five minutes until the first chat of a department has been measured.
    pub const DEFAULT_MS: u64 = 5 * 60 * 1000;

    /// Records a finished chat that lasted `ms` (exponential average, weight 1/8).
    pub fn record(&mut self, department: Option<DepartmentId>, ms: u64) {
        let ms = ms.min(4 * 60 * 60 * 1000);
        let average = self.averages.entry(department).or_insert(ms);
        *average = (*average * 7 + ms) / 8;
    }

    pub fn of(&self, department: Option<DepartmentId>) -> u64 {
        self.averages
            .get(&department)
            .copied()
            .unwrap_or(Self::DEFAULT_MS)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use proptest::prelude::*;

    use super::*;

    fn operator(max: u32, active: u32, departments: Vec<DepartmentId>) -> OperatorLoad {
        OperatorLoad {
            id: StaffId::new(),
            departments,
            max_chats: max,
            active,
            last_assigned: 0,
        }
    }

    fn chat(since: Millis, department: Option<DepartmentId>) -> WaitingChat {
        WaitingChat {
            id: ConversationId::new(),
            department,
            since,
        }
    }

    fn least_busy(_: Option<DepartmentId>) -> RoutingStrategy {
        RoutingStrategy::LeastBusy
    }

    #[test]
    fn least_busy_picks_the_operator_with_fewest_chats() {
        let mut ops = vec![operator(3, 2, vec![]), operator(3, 0, vec![])];
        let idle = ops[1].id;
        let a = chat(1, None);
        let got = assign(&[a], &mut ops, least_busy, 10);
        assert_eq!(
            got,
            vec![Assignment {
                conversation: a.id,
                operator: idle
            }]
        );
    }

    #[test]
    fn round_robin_takes_turns() {
        let mut ops = vec![operator(5, 0, vec![]), operator(5, 0, vec![])];
        ops[0].last_assigned = 5;
        let (first, second) = (ops[1].id, ops[0].id);
        let chats = [chat(1, None), chat(2, None), chat(3, None)];
        let got: Vec<StaffId> = assign(&chats, &mut ops, |_| RoutingStrategy::RoundRobin, 10)
            .into_iter()
            .map(|a| a.operator)
            .collect();
        assert_eq!(got, vec![first, second, first]);
    }

    #[test]
    fn manual_departments_are_never_assigned() {
        let sales = DepartmentId::new();
        let mut ops = vec![operator(3, 0, vec![sales])];
        let manual = |d: Option<DepartmentId>| {
            if d == Some(sales) {
                RoutingStrategy::Manual
            } else {
                RoutingStrategy::LeastBusy
            }
        };
        let waiting = [chat(1, Some(sales)), chat(2, None)];
        let got = assign(&waiting, &mut ops, manual, 10);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].conversation, waiting[1].id);
    }

    #[test]
    fn department_chats_go_only_to_members() {
        let sales = DepartmentId::new();
        let mut ops = vec![operator(3, 0, vec![])];
        let got = assign(&[chat(1, Some(sales))], &mut ops, least_busy, 10);
        assert!(got.is_empty());
        assert_eq!(ops[0].active, 0);
    }

    #[test]
    fn three_visitors_one_operator_of_max_one_queue_at_one_and_two() {
        let mut ops = vec![operator(1, 0, vec![])];
        let waiting = [chat(1, None), chat(2, None), chat(3, None)];
        let got = assign(&waiting, &mut ops, least_busy, 10);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].conversation, waiting[0].id);
        let rest = &waiting[1..];
        let places = queue_places(rest, &ops, |_| 60_000);
        assert_eq!(places[0].conversation, waiting[1].id);
        assert_eq!(places[0].position, 1);
        assert_eq!(places[0].wait_ms, Some(60_000));
        assert_eq!(places[1].position, 2);
        assert_eq!(places[1].wait_ms, Some(120_000));
        // The first chat closes: its slot goes to the oldest waiting at once.
        ops[0].active = 0;
        let got = assign(rest, &mut ops, least_busy, 20);
        assert_eq!(got[0].conversation, waiting[1].id);
    }

    #[test]
    fn nobody_to_serve_means_no_estimate() {
        let places = queue_places(&[chat(1, Some(DepartmentId::new()))], &[], |_| 1000);
        assert_eq!(places[0].wait_ms, None);
        assert_eq!(estimate_wait(3, 0, 1000), None);
    }

    #[test]
    fn an_operator_who_may_hold_no_chats_is_no_slot() {
        let waiting = [chat(1, None), chat(2, None)];
        let places = queue_places(&waiting, &[operator(0, 0, vec![])], |_| 60_000);
        assert_eq!(places[0].wait_ms, None);
        assert_eq!(places[1].wait_ms, None);

        // Beside one with two slots, only those two count.
        let ops = [operator(0, 0, vec![]), operator(2, 0, vec![])];
        let places = queue_places(&waiting, &ops, |_| 60_000);
        assert_eq!(places[0].wait_ms, Some(30_000));
        assert_eq!(places[1].wait_ms, Some(60_000));
    }

    #[test]
    fn service_times_start_at_the_default_and_follow_measurements() {
        let mut times = ServiceTimes::default();
        assert_eq!(times.of(None), ServiceTimes::DEFAULT_MS);
        times.record(None, 80_000);
        assert_eq!(times.of(None), 80_000);
        times.record(None, 0);
        assert_eq!(times.of(None), 70_000);
    }

    /// The departments, online operators, waiting chats and one strategy code
    /// for the site's own queue and each department (see [`strategy_from`]).
    type Scenario = (
        Vec<DepartmentId>,
        Vec<OperatorLoad>,
        Vec<WaitingChat>,
        Vec<u8>,
    );

    fn scenario() -> impl Strategy<Value = Scenario> {
        let departments: Vec<DepartmentId> = (0..3).map(|_| DepartmentId::new()).collect();
        let listed = departments.clone();
        let pick = departments.clone();
        let ops = prop::collection::vec(
            (
                0u32..4,
                0u32..5,
                prop::collection::vec(0usize..3, 0..3),
                0i64..50,
            ),
            0..6,
        )
        .prop_map(move |rows| {
            rows.into_iter()
                .map(|(max, active, deps, last)| OperatorLoad {
                    id: StaffId::new(),
                    departments: deps.into_iter().map(|i| departments[i]).collect(),
                    max_chats: max,
                    active: active.min(max),
                    last_assigned: last,
                })
                .collect::<Vec<_>>()
        });
        let chats = prop::collection::vec((0i64..100, prop::option::of(0usize..3)), 0..20)
            .prop_map(move |rows| {
                rows.into_iter()
                    .map(|(since, dep)| WaitingChat {
                        id: ConversationId::new(),
                        department: dep.map(|i| pick[i]),
                        since,
                    })
                    .collect::<Vec<_>>()
            });
        (Just(listed), ops, chats, prop::collection::vec(0u8..3, 4))
    }

    /// `codes[0]` is the site's own queue, `codes[i + 1]` that of `departments[i]`.
    fn strategy_from(
        codes: &[u8],
        departments: &[DepartmentId],
        department: Option<DepartmentId>,
    ) -> RoutingStrategy {
        let index = department.map_or(0, |d| {
            departments
                .iter()
                .position(|listed| *listed == d)
                .expect("a department of the scenario")
                + 1
        });
        match codes[index] {
            0 => RoutingStrategy::LeastBusy,
            1 => RoutingStrategy::RoundRobin,
            _ => RoutingStrategy::Manual,
        }
    }

    proptest! {
        #[test]
        fn routing_keeps_every_guarantee((departments, ops, chats, codes) in scenario()) {
            let mut after = ops.clone();
            let strategy = |d: Option<DepartmentId>| strategy_from(&codes, &departments, d);
            let got = assign(&chats, &mut after, strategy, 1000);

            // No chat twice; only waiting chats.
            let assigned: HashSet<ConversationId> = got.iter().map(|a| a.conversation).collect();
            prop_assert_eq!(assigned.len(), got.len());
            for a in &got {
                let chat = chats.iter().find(|c| c.id == a.conversation).unwrap();
                let op = ops.iter().find(|o| o.id == a.operator).unwrap();
                prop_assert!(op.serves(chat.department), "assigned outside the department");
                prop_assert!(strategy(chat.department) != RoutingStrategy::Manual);
            }
            // Nobody above their maximum, and loads add up.
            for (before, now) in ops.iter().zip(&after) {
                let given = got.iter().filter(|a| a.operator == before.id).count() as u32;
                prop_assert_eq!(now.active, before.active + given);
                prop_assert!(now.active <= now.max_chats);
            }
            for chat in chats.iter().filter(|c| !assigned.contains(&c.id)) {
                // A chat left waiting had nobody with room, or routing is manual…
                let free = after.iter().any(|o| o.active < o.max_chats && o.serves(chat.department));
                prop_assert!(!free || strategy(chat.department) == RoutingStrategy::Manual);
                // …and no younger chat of its department was served before it.
                let younger_served = got.iter().any(|a| {
                    let other = chats.iter().find(|c| c.id == a.conversation).unwrap();
                    other.department == chat.department && (other.since, other.id) > (chat.since, chat.id)
                });
                prop_assert!(!younger_served, "a younger chat jumped the queue");
            }
        }

        #[test]
        fn queue_positions_count_from_one_per_department((_departments, ops, chats, _codes) in scenario()) {
            let places = queue_places(&chats, &ops, |_| 60_000);
            prop_assert_eq!(places.len(), chats.len());
            // Per department: (position, (since, id)) of each place.
            type Line = Vec<(u32, (Millis, ConversationId))>;
            let mut by_department: HashMap<Option<DepartmentId>, Line> = HashMap::new();
            for place in &places {
                let chat = chats.iter().find(|c| c.id == place.conversation).unwrap();
                by_department
                    .entry(chat.department)
                    .or_default()
                    .push((place.position, (chat.since, chat.id)));
            }
            for line in by_department.values_mut() {
                line.sort_by_key(|(position, _)| *position);
                let positions: Vec<u32> = line.iter().map(|(position, _)| *position).collect();
                let expected: Vec<u32> = (1..=line.len() as u32).collect();
                prop_assert_eq!(positions, expected);
                // Earlier in line means waiting longer (ties by id).
                prop_assert!(
                    line.windows(2).all(|pair| pair[0].1 < pair[1].1),
                    "a later position waits longer than an earlier one"
                );
            }
        }
    }
}

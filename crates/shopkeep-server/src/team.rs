//! The cached team directory: every department and every member of staff's
//! role and maximum load, so access checks and routing never wait on the store.
//! [`reload`] re-reads it after any department or staff change.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use shopkeep_core::access::{Scope, Viewer};
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::department::Department;
use shopkeep_core::ids::{DepartmentId, SiteId, StaffId};
use shopkeep_core::protocol::agent::ServerFrame;
use shopkeep_core::protocol::shared::{AgentRef, ConversationSummary};
use shopkeep_core::staff::{Role, TeamMember};
use shopkeep_store::{Staff, StoreError};

use crate::hub::{Audience, to_frame};
use crate::state::AppState;

/// A member of staff as the directory keeps them.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: StaffId,
    pub name: String,
    pub role: Role,
    pub max_chats: u32,
    pub photo: Option<String>,
}

impl Member {
    pub fn as_ref(&self) -> AgentRef {
        AgentRef {
            id: self.id,
            name: self.name.clone(),
        }
    }
}

#[derive(Default)]
struct Directory {
    departments: Vec<Department>,
    staff: HashMap<StaffId, Member>,
    /// Chats each member holds, as the dispatcher last counted them.
    loads: HashMap<StaffId, u32>,
}

#[derive(Default)]
pub struct TeamDirectory {
    inner: RwLock<Directory>,
    /// Bumped by every [`TeamDirectory::replace`], so a console can keep its
    /// access until the directory changes.
    version: AtomicU64,
}

impl TeamDirectory {
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Directory> {
        self.inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Directory> {
        self.inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Replaces everything the directory knows.
    pub fn replace(&self, departments: Vec<Department>, staff: &[Staff]) {
        let staff = staff
            .iter()
            .map(|s| {
                (
                    s.id,
                    Member {
                        id: s.id,
                        name: s.name.clone(),
                        role: s.role,
                        max_chats: s.max_chats,
                        photo: crate::api::photos::photo_path(s),
                    },
                )
            })
            .collect();
        {
            let mut inner = self.write();
            inner.departments = departments;
            inner.staff = staff;
        }
        self.version.fetch_add(1, Ordering::Release);
    }

    /// Changes whenever departments or staff are replaced.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// Access of `staff`: the role from the record given, departments from the cache.
    pub fn viewer(&self, staff: &Staff) -> Viewer {
        Viewer {
            id: staff.id,
            role: staff.role,
            departments: self.departments_of(staff.id),
        }
    }

    /// Access of a member of staff as the directory knows them now (role
    /// changes included); `None` for someone unknown (deleted).
    pub fn viewer_by_id(&self, id: StaffId) -> Option<Viewer> {
        let inner = self.read();
        let member = inner.staff.get(&id)?;
        Some(Viewer {
            id,
            role: member.role,
            departments: member_departments(&inner.departments, id),
        })
    }

    pub fn departments(&self) -> Vec<Department> {
        self.read().departments.clone()
    }

    pub fn department(&self, id: DepartmentId) -> Option<Department> {
        self.read().departments.iter().find(|d| d.id == id).cloned()
    }

    pub fn site_departments(&self, site: SiteId) -> Vec<Department> {
        self.read()
            .departments
            .iter()
            .filter(|d| d.site_id == site)
            .cloned()
            .collect()
    }

    pub fn departments_of(&self, staff: StaffId) -> Vec<DepartmentId> {
        member_departments(&self.read().departments, staff)
    }

    pub fn member(&self, id: StaffId) -> Option<Member> {
        self.read().staff.get(&id).cloned()
    }

    /// Records the chats each member holds; true when anything changed.
    pub fn set_loads(&self, loads: HashMap<StaffId, u32>) -> bool {
        let mut inner = self.write();
        let changed = inner.loads != loads;
        inner.loads = loads;
        changed
    }

    /// The team list with effective presence from the hub.
    pub fn team(&self, hub: &crate::hub::Hub) -> Vec<TeamMember> {
        let inner = self.read();
        let mut members: Vec<TeamMember> = inner
            .staff
            .values()
            .map(|m| TeamMember {
                id: m.id,
                name: m.name.clone(),
                role: m.role,
                status: hub.effective_status(m.id),
                departments: member_departments(&inner.departments, m.id),
                max_chats: m.max_chats,
                active_chats: inner.loads.get(&m.id).copied().unwrap_or(0),
                photo: m.photo.clone(),
            })
            .collect();
        members.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        members
    }
}

fn member_departments(departments: &[Department], staff: StaffId) -> Vec<DepartmentId> {
    departments
        .iter()
        .filter(|d| d.has_member(staff))
        .map(|d| d.id)
        .collect()
}

/// The parts of a conversation access depends on, owned so it can travel
/// with a frame on the staff feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedScope {
    pub status: ConversationStatus,
    pub department: Option<DepartmentId>,
    pub assignee: Option<StaffId>,
    pub participants: Vec<StaffId>,
}

impl OwnedScope {
    pub fn as_scope(&self) -> Scope<'_> {
        Scope {
            status: self.status,
            department: self.department,
            assignee: self.assignee,
            participants: &self.participants,
        }
    }
}

/// Scope of a conversation for access checks (participants as staff ids).
pub fn scope(summary: &ConversationSummary) -> OwnedScope {
    OwnedScope {
        status: summary.status,
        department: summary.department.as_ref().map(|d| d.id),
        assignee: summary.assignee.as_ref().map(|a| a.id),
        participants: summary.participants.iter().map(|p| p.id).collect(),
    }
}

/// Re-reads departments and staff from the store, broadcasts `departments` and
/// `team` frames to consoles and asks routing to run again. Called after every
/// department or staff change.
pub async fn reload(state: &AppState) -> Result<(), StoreError> {
    let departments = state.store.list_departments(None).await?;
    let staff = state.store.list_staff().await?;
    state.team.replace(departments, &staff);
    state.hub.to_staff_audience(
        Audience::Everyone,
        to_frame(&ServerFrame::Departments {
            departments: state.team.departments(),
        }),
    );
    state.hub.team_changed();
    state.dispatch.kick();
    Ok(())
}

/// Sends the `team` list to every console when presence or loads change, at
/// most a few times a second.
pub fn spawn_broadcaster(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            state.hub.team_change().await;
            // Gather a burst (a reload, several tabs closing) into one frame.
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let members = state.team.team(&state.hub);
            state
                .hub
                .to_staff_audience(Audience::Everyone, to_frame(&ServerFrame::Team { members }));
            // Presence changed: routing looks again, and offers to someone gone end.
            crate::transfers::cancel_unreachable(&state);
            state.dispatch.kick();
        }
    })
}

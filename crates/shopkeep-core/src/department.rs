//! Departments: the teams of a site (Sales, Support, Delivery), how their chats
//! are handed out, and which pages route to them.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

use crate::email::EmailAddress;
use crate::ids::{DepartmentId, SiteId, StaffId};

/// Most departments a site may have.
pub const MAX_DEPARTMENTS: usize = 50;
/// Most page patterns one department routes by.
pub const MAX_PAGE_PATTERNS: usize = 20;
const MAX_NAME_CHARS: usize = 60;
const MAX_PATTERN_CHARS: usize = 200;

/// How a department's waiting chats reach its operators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RoutingStrategy {
    /// To the online member with the fewest active chats, below their maximum.
    #[default]
    LeastBusy,
    /// To the online member who was given a chat longest ago, below their maximum.
    RoundRobin,
    /// Nobody is assigned; operators pick chats from the queue.
    Manual,
}

impl RoutingStrategy {
    pub fn as_str(self) -> &'static str {
        match self {
            RoutingStrategy::LeastBusy => "least_busy",
            RoutingStrategy::RoundRobin => "round_robin",
            RoutingStrategy::Manual => "manual",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "least_busy" => Some(RoutingStrategy::LeastBusy),
            "round_robin" => Some(RoutingStrategy::RoundRobin),
            "manual" => Some(RoutingStrategy::Manual),
            _ => None,
        }
    }
}

/// A department as it is created or edited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct DepartmentDraft {
    pub name: String,
    pub routing: RoutingStrategy,
    /// Offered in the widget's department choice (when the site lets visitors choose).
    pub public: bool,
    /// Chats started on a page whose URL contains one of these go here (first
    /// department in order wins), unless the visitor chose another.
    pub pages: Vec<String>,
    /// Offline messages for this department go here instead of the site's address.
    pub notify_address: Option<String>,
    /// Staff in the department.
    pub members: Vec<StaffId>,
}

/// `POST /api/v1/departments` (admin).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewDepartment {
    pub site_id: SiteId,
    #[serde(flatten)]
    pub draft: DepartmentDraft,
}

/// A stored department.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Department {
    pub id: DepartmentId,
    pub site_id: SiteId,
    /// Order in lists and in page routing.
    pub position: u32,
    #[serde(flatten)]
    pub draft: DepartmentDraft,
}

/// A department as a conversation or a visitor sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DepartmentRef {
    pub id: DepartmentId,
    pub name: String,
}

impl Department {
    pub fn as_ref(&self) -> DepartmentRef {
        DepartmentRef {
            id: self.id,
            name: self.draft.name.clone(),
        }
    }

    pub fn has_member(&self, staff: StaffId) -> bool {
        self.draft.members.contains(&staff)
    }
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DepartmentError {
    #[error("a department needs a name of 1 to {MAX_NAME_CHARS} characters")]
    InvalidName,
    #[error("at most {MAX_PAGE_PATTERNS} page patterns of 1 to {MAX_PATTERN_CHARS} characters")]
    InvalidPages,
    #[error("the notify address is not a valid email address")]
    InvalidNotifyAddress,
    #[error("a member is listed twice")]
    DuplicateMember,
}

impl DepartmentDraft {
    /// The draft with whitespace trimmed and empty patterns dropped, if valid.
    pub fn validated(mut self) -> Result<Self, DepartmentError> {
        self.name = self.name.trim().to_owned();
        let name_chars = self.name.chars().count();
        if name_chars == 0 || name_chars > MAX_NAME_CHARS || self.name.chars().any(char::is_control)
        {
            return Err(DepartmentError::InvalidName);
        }
        self.pages = self
            .pages
            .iter()
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect();
        if self.pages.len() > MAX_PAGE_PATTERNS
            || self
                .pages
                .iter()
                .any(|p| p.chars().count() > MAX_PATTERN_CHARS || p.chars().any(char::is_control))
        {
            return Err(DepartmentError::InvalidPages);
        }
        self.notify_address = match self.notify_address.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(
                EmailAddress::parse(raw)
                    .map_err(|_| DepartmentError::InvalidNotifyAddress)?
                    .as_str()
                    .to_owned(),
            ),
        };
        let mut members = self.members.clone();
        members.sort();
        members.dedup();
        if members.len() != self.members.len() {
            return Err(DepartmentError::DuplicateMember);
        }
        Ok(self)
    }
}

/// The department a chat started on `url` goes to: the first (by position)
/// whose page patterns the URL contains, compared case-insensitively.
pub fn department_for_page<'a>(departments: &'a [Department], url: &str) -> Option<&'a Department> {
    let url = url.to_lowercase();
    let mut ordered: Vec<&Department> = departments.iter().collect();
    ordered.sort_by_key(|d| d.position);
    ordered.into_iter().find(|department| {
        department
            .draft
            .pages
            .iter()
            .any(|pattern| url.contains(&pattern.to_lowercase()))
    })
}

/// A department the widget offers the visitor, with whether anyone in it can chat now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DepartmentChoice {
    pub id: DepartmentId,
    pub name: String,
    pub online: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(name: &str) -> DepartmentDraft {
        DepartmentDraft {
            name: name.into(),
            routing: RoutingStrategy::LeastBusy,
            public: true,
            pages: vec![],
            notify_address: None,
            members: vec![],
        }
    }

    fn department(position: u32, pages: &[&str]) -> Department {
        let mut d = draft("D");
        d.pages = pages.iter().map(|p| (*p).to_owned()).collect();
        Department {
            id: DepartmentId::new(),
            site_id: SiteId::new(),
            position,
            draft: d,
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(draft("  Sales ").validated().unwrap().name, "Sales");
        assert_eq!(draft("  ").validated(), Err(DepartmentError::InvalidName));
        assert_eq!(
            draft(&"x".repeat(61)).validated(),
            Err(DepartmentError::InvalidName)
        );
        assert_eq!(draft("a\nb").validated(), Err(DepartmentError::InvalidName));
    }

    #[test]
    fn notify_address_and_members_are_checked() {
        let mut bad = draft("Sales");
        bad.notify_address = Some("sales@shop.example\r\nBcc: x@y.z".into());
        assert_eq!(bad.validated(), Err(DepartmentError::InvalidNotifyAddress));
        let mut twice = draft("Sales");
        let anna = StaffId::new();
        twice.members = vec![anna, anna];
        assert_eq!(twice.validated(), Err(DepartmentError::DuplicateMember));
        let mut blank = draft("Sales");
        blank.notify_address = Some("  ".into());
        assert_eq!(blank.validated().unwrap().notify_address, None);
    }

    #[test]
    fn the_first_department_by_position_whose_pattern_matches_wins() {
        let delivery = department(2, &["/delivery"]);
        let sales = department(1, &["/cart", "/DELIVERY/express"]);
        let all = [delivery.clone(), sales.clone()];
        let found = |url: &str| department_for_page(&all, url).map(|d| d.id);
        assert_eq!(
            found("https://shop.example/delivery/express"),
            Some(sales.id)
        );
        assert_eq!(found("https://shop.example/delivery/"), Some(delivery.id));
        assert_eq!(found("https://shop.example/Cart?x=1"), Some(sales.id));
        assert_eq!(found("https://shop.example/"), None);
    }
}

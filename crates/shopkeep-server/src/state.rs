//! Everything a handler needs, cloned cheaply into each request.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use shopkeep_core::ids::SiteId;
use shopkeep_store::Store;

use crate::auth::password::Hasher;
use crate::dispatch::Dispatcher;
use crate::hub::Hub;
use crate::mail::Mailer;
use crate::origin::PublicOrigin;
use crate::settings::ServerSettings;
use crate::team::TeamDirectory;
use crate::tracking::geo::GeoIp;
use crate::tracking::live::Tracker;
use crate::transfers::Transfers;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub settings: Arc<ServerSettings>,
    pub hasher: Hasher,
    pub limiters: Arc<Limiters>,
    pub public: Arc<PublicOrigin>,
    pub sockets: Arc<SocketCounter>,
    pub tracker: Arc<Tracker>,
    /// The country database, when one is configured.
    pub geo: Option<Arc<GeoIp>>,
    pub mailer: Arc<Mailer>,
    /// Departments and staff, cached for access checks and routing.
    pub team: Arc<TeamDirectory>,
    /// The routing task's handle: kick it when a chat waits or a slot frees.
    pub dispatch: Arc<Dispatcher>,
    /// Transfers offered and not yet answered.
    pub transfers: Arc<Transfers>,
}

/// Rate limiters keyed by client address.
pub struct Limiters {
    pub logins: DefaultKeyedRateLimiter<IpAddr>,
    pub new_visitors: DefaultKeyedRateLimiter<IpAddr>,
    /// Offline-form messages, so one address cannot fill the shop's mailbox.
    pub offline_messages: DefaultKeyedRateLimiter<IpAddr>,
    /// Offline-form messages per site, whatever their addresses.
    pub offline_messages_per_site: DefaultKeyedRateLimiter<SiteId>,
    /// Transcript mails, so one address cannot mail strangers through us.
    pub transcripts: DefaultKeyedRateLimiter<IpAddr>,
}

fn per_minute(count: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(count.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl Limiters {
    pub fn new(settings: &ServerSettings) -> Self {
        Self {
            logins: RateLimiter::keyed(per_minute(settings.limits.logins_per_minute)),
            new_visitors: RateLimiter::keyed(per_minute(settings.limits.new_visitors_per_minute)),
            offline_messages: RateLimiter::keyed(per_minute(
                settings.limits.offline_messages_per_ip_per_minute,
            )),
            transcripts: RateLimiter::keyed(per_minute(
                settings.limits.transcripts_per_ip_per_minute,
            )),
            offline_messages_per_site: RateLimiter::keyed(Quota::per_hour(
                NonZeroU32::new(settings.limits.offline_messages_per_site_per_hour.max(1))
                    .unwrap_or(NonZeroU32::MIN),
            )),
        }
    }

    /// Forgets idle keys so the maps do not grow with every address ever seen.
    pub fn forget_idle(&self) {
        self.logins.retain_recent();
        self.new_visitors.retain_recent();
        self.offline_messages.retain_recent();
        self.transcripts.retain_recent();
        self.offline_messages_per_site.retain_recent();
    }
}

/// Open sockets per client address, so one address cannot hold every file descriptor.
pub struct SocketCounter {
    open: std::sync::Mutex<std::collections::HashMap<IpAddr, u32>>,
    max_per_ip: u32,
}

/// One counted socket; dropping it frees the slot.
pub struct SocketSlot {
    counter: Arc<SocketCounter>,
    ip: IpAddr,
}

impl SocketCounter {
    pub fn new(max_per_ip: u32) -> Arc<Self> {
        Arc::new(Self {
            open: Default::default(),
            max_per_ip,
        })
    }

    pub fn acquire(self: &Arc<Self>, ip: IpAddr) -> Option<SocketSlot> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(ip).or_default();
        if *count >= self.max_per_ip {
            return None;
        }
        *count += 1;
        Some(SocketSlot {
            counter: self.clone(),
            ip,
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self
            .counter
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

//! "Now", kept in the application state so that tests can fix it.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Default)]
pub struct Clock {
    fixed: Arc<RwLock<Option<DateTime<Utc>>>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock standing at `at` until moved.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock {
            fixed: Arc::new(RwLock::new(Some(at))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let fixed = *self.fixed.read().unwrap_or_else(|e| e.into_inner());
        fixed.unwrap_or_else(Utc::now)
    }

    /// Moves a fixed clock (tests); a system clock becomes fixed at now + `by`.
    pub fn advance(&self, by: Duration) {
        let mut fixed = self.fixed.write().unwrap_or_else(|e| e.into_inner());
        *fixed = Some(fixed.unwrap_or_else(Utc::now) + by);
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.fixed.write().unwrap_or_else(|e| e.into_inner()) = Some(at);
    }
}

//! The entry ledger's check-and-apply, over plain types in memory: a batch of operations on
//! entries (creates, edits, deletes, rejections, voids), each checked against every rule
//! (`rules::check`) and the state the earlier operations left, and applied when it passes.
//!
//! The database layer (`db::ledger`) locks and loads the inputs (`Inputs`): the entries the batch
//! names, the live entries near its sessions, the assistants' week totals, the client-month
//! sheets, assignments, decisions, suspensions and the policy. It then applies each operation
//! here (`Ledger::apply`) and stores what `Ledger::finish` returns: the entries in their final
//! state, the sheets whose figures changed, and one event per applied operation (its change row
//! and audit record). A refused operation changes nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use mobile_api::{EntryStatus, ErrorCode, MonthState};
use serde_json::json;
use uuid::Uuid;

use super::decision::Figures;
use super::policy::{Policy, PolicyBook};
use super::rules::{
    self, Accepted, Assigned, Context, Finding, MonthUse, Neighbour, Proposed, Refusal, Suspended,
};
use super::time::{IsoWeek, Month, day_parts, month_parts, session_days, week_parts};

/// An entry write, already parsed and checked for shape.
#[derive(Debug, Clone)]
pub struct Write {
    pub id: Uuid,
    pub client_id: Uuid,
    pub assistant_id: Uuid,
    pub purpose: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub place: String,
    pub note: Option<String>,
    pub trips: Vec<TripRow>,
    /// None creates; Some(v) edits version v.
    pub base_version: Option<i32>,
    pub device_time: Option<DateTime<Utc>>,
    /// A coordinator's correction of a closed month (SPEC §5 amendments).
    pub amendment: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TripRow {
    pub mode: String,
    pub from: String,
    pub to: String,
    pub distance_m: i32,
    pub cost_cents: i64,
}

/// Who writes.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: Uuid,
    pub coordinator: bool,
}

impl Actor {
    /// The service itself (scheduled work); recorded with the nil user id.
    pub fn service() -> Actor {
        Actor {
            user_id: Uuid::nil(),
            coordinator: true,
        }
    }
}

/// One operation on an entry.
#[derive(Debug, Clone)]
pub enum Op {
    /// Create (`base_version` None) or edit an entry.
    Save(Write),
    /// Take an entry out of the count.
    Retire(Retire),
    /// A coordinator's verdict on a late entry.
    Review(Review),
    /// Check a counted or flagged entry again after a fact about it changed (see
    /// `Ledger::recheck`, which checks many together in the order of their sessions).
    Recheck(Uuid),
    /// A coordinator's verdict on a flagged entry.
    Resolve(Resolve),
}

impl Op {
    /// The entry it is about.
    pub fn id(&self) -> Uuid {
        match self {
            Op::Save(w) => w.id,
            Op::Retire(r) => r.id,
            Op::Review(r) => r.id,
            Op::Recheck(id) => *id,
            Op::Resolve(r) => r.id,
        }
    }
}

/// A coordinator's verdict on a flagged entry: keeping it excuses the rule it broke for this
/// entry (never the allowance or the transport cap) and counts it again, after every other rule
/// is checked again; voiding takes it out for good (`rejected`). Either way with the reason.
#[derive(Debug, Clone)]
pub struct Resolve {
    pub id: Uuid,
    pub keep: bool,
    pub reason: String,
}

/// Why an entry is flagged, as stored (a JSON object): the rule it now breaks, with the
/// refusal's details, and, once a coordinator kept it, who did, when and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Flag {
    pub code: ErrorCode,
    pub details: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<Kept>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Kept {
    pub reason: String,
    pub by: Uuid,
    pub at: DateTime<Utc>,
}

impl Flag {
    /// The stored text's flag; text that is not one reads as none.
    pub fn read(text: Option<&str>) -> Option<Flag> {
        serde_json::from_str(text?).ok()
    }

    pub fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A coordinator's verdict on a late entry (`pending_review`): approving checks every rule again
/// as a coordinator's write, so it still cannot overspend the allowance, and makes it count;
/// rejecting keeps it, marked `rejected`. Either way the entry keeps the reason.
#[derive(Debug, Clone)]
pub struct Review {
    pub id: Uuid,
    pub approve: bool,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct Retire {
    pub id: Uuid,
    pub kind: RetireKind,
    /// Only this assistant's entry (an assistant's delete); others are `NotFound`.
    pub only_assistant: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub enum RetireKind {
    /// The author or staff deletes an entry seen at `base_version`; locked months refuse.
    Delete { base_version: i32 },
    /// A coordinator rejects a late entry (the caller records the review and its audit).
    Reject,
    /// A coordinator voids an entry of a closed month (an amendment), with the reason.
    Void { reason: String },
}

/// An entry as it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: Uuid,
    pub client_id: Uuid,
    pub assistant_id: Uuid,
    pub purpose: String,
    /// Unix seconds, on whole minutes.
    pub start_utc: i64,
    /// The phone's offset from UTC at the start, in seconds.
    pub start_offset: i32,
    pub end_utc: i64,
    pub end_offset: i32,
    pub minutes: i32,
    pub place: String,
    pub note: Option<String>,
    pub status: EntryStatus,
    pub version: i32,
    pub late: bool,
    pub review_reason: Option<String>,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub created_by: Uuid,
    pub device_time: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The warnings found when it was saved, as stored: a JSON list of `{code, details}`.
    pub warnings: Option<String>,
    /// `addition` (a coordinator's entry in a closed month) or `void` (voided there).
    pub amendment: Option<String>,
    /// Why it is flagged, or was and was kept (`Flag`, as stored).
    pub flag: Option<String>,
}

/// A trip of an entry, as it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Trip {
    pub entry_id: Uuid,
    pub position: i32,
    pub mode: String,
    pub from_place: String,
    pub to_place: String,
    pub distance_m: i32,
    pub cost_cents: i64,
}

/// A client-month sheet's figures: what the month's active entries use, and its version.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sheet {
    pub state: MonthState,
    pub used_minutes: i64,
    pub transport_used_cents: i64,
    pub version: i32,
}

/// A live entry's interval, for overlaps and weekly totals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Slot {
    pub client_id: Uuid,
    pub assistant_id: Uuid,
    pub start: i64,
    pub end: i64,
}

impl Slot {
    pub fn of(e: &Entry) -> Slot {
        Slot {
            client_id: e.client_id,
            assistant_id: e.assistant_id,
            start: e.start_utc,
            end: e.end_utc,
        }
    }
}

/// What the rules read of a client: their age and disability group (free fares).
#[derive(Debug, Clone, Copy)]
pub struct ClientFacts {
    pub birth_date: NaiveDate,
    pub disability_group: Option<i32>,
}

/// An assistant's assignment to a client.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub assistant_id: Uuid,
    pub client_id: Uuid,
    pub assigned: Assigned,
}

/// What a batch reads, loaded under its locks.
pub struct Inputs {
    pub now: DateTime<Utc>,
    pub policy: Arc<PolicyBook>,
    /// No stored session is longer than this many seconds.
    pub longest: i64,
    /// The entries the batch names, with their trips.
    pub named: Vec<(Entry, Vec<Trip>)>,
    /// The live entries that can overlap the batch's sessions.
    pub live: Vec<(Uuid, Slot)>,
    /// Each saving assistant's live minutes in each ISO week its sessions touch.
    pub weeks: HashMap<(Uuid, IsoWeek), i64>,
    /// Every client-month the batch can touch.
    pub sheets: HashMap<(Uuid, Month), Sheet>,
    /// The clients that exist, of those the batch names, with what their rules read of them.
    pub clients: HashMap<Uuid, ClientFacts>,
    pub assignments: Vec<Assignment>,
    /// Every version of every decision of each client, by valid_from, series and version.
    pub decisions: HashMap<Uuid, Vec<Figures>>,
    pub suspensions: HashMap<Uuid, Vec<Suspended>>,
    /// The client-months split between decision versions (`decision::month_segments`), whose
    /// allowance is checked per part: for them, the active minutes on each day (`day_use`).
    pub split: HashSet<(Uuid, Month)>,
    pub day_use: HashMap<(Uuid, NaiveDate), i64>,
}

/// Why an operation was not applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// A rule refused it (SPEC §4).
    Refused(Refusal),
    /// The entry changed since `base_version`; here it is as it stands.
    Stale(Box<(Entry, Vec<Trip>)>),
    /// The entry does not exist (or is another client's or assistant's).
    NotFound,
    /// An entry with this id exists already and this was a create; here it is as it stands.
    Exists(Box<(Entry, Vec<Trip>)>),
    /// The inputs do not hold what the operation needs (a month not loaded, no policy in
    /// force): the loader's fault, not the caller's.
    Broken(String),
}

/// An applied operation's entry in its new state, with the warnings found on a save.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub entry: Entry,
    pub trips: Vec<Trip>,
    pub warnings: Vec<Finding>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Created,
    Updated,
    Deleted,
    Rejected,
    Voided,
    /// A recheck found it breaks a rule now: out of the count.
    Flagged,
    /// A recheck found it meets the rules again (the fact was undone): counted again.
    Unflagged,
    /// A coordinator kept a flagged entry: counted again.
    Kept,
    /// A coordinator voided a flagged entry.
    Dismissed,
}

/// An applied operation, in order: what to record of it (a change row, audit records).
#[derive(Debug, Clone)]
pub struct Event {
    pub action: Action,
    pub actor: Actor,
    pub before: Option<(Entry, Vec<Trip>)>,
    pub entry: Entry,
    pub trips: Vec<Trip>,
    /// The review that led to it, with the entry's status and version before the review.
    pub review: Option<(bool, EntryStatus, i32)>,
}

/// An entry the batch wrote, in its final state.
#[derive(Debug, Clone)]
pub struct Written {
    pub entry: Entry,
    pub trips: Vec<Trip>,
    /// It did not exist before the batch.
    pub created: bool,
    /// Its trips were replaced.
    pub trips_changed: bool,
}

/// What a batch leaves to store.
pub struct Outcome {
    /// By id.
    pub written: Vec<Written>,
    /// The sheets whose figures or version changed, by client and month.
    pub sheets: Vec<((Uuid, Month), Sheet)>,
    pub events: Vec<Event>,
}

/// The working state of a batch.
pub struct Ledger {
    now: DateTime<Utc>,
    policy: Arc<PolicyBook>,
    policies: HashMap<NaiveDate, Policy>,
    longest: i64,
    named: HashMap<Uuid, (Entry, Vec<Trip>)>,
    slots: HashMap<Uuid, Slot>,
    /// The slots by client and by assistant, each ordered by start: (owner, start, id).
    by_client: BTreeSet<(Uuid, i64, Uuid)>,
    by_assistant: BTreeSet<(Uuid, i64, Uuid)>,
    weeks: HashMap<(Uuid, IsoWeek), i64>,
    sheets: HashMap<(Uuid, Month), Sheet>,
    dirty: BTreeSet<(Uuid, Month)>,
    clients: HashMap<Uuid, ClientFacts>,
    assignments: Vec<Assignment>,
    decisions: HashMap<Uuid, Vec<Figures>>,
    suspensions: HashMap<Uuid, Vec<Suspended>>,
    split: HashSet<(Uuid, Month)>,
    day_use: HashMap<(Uuid, NaiveDate), i64>,
    written: BTreeMap<Uuid, Written>,
    events: Vec<Event>,
}

pub fn instant(ts: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(ts, 0).unwrap_or_default()
}

/// The months of an entry's interval, with its minutes in each.
pub fn parts_of(e: &Entry) -> Vec<(Month, i64)> {
    month_parts(instant(e.start_utc), instant(e.end_utc))
}

/// The minutes an entry counts in each month: its parts if it is active, none otherwise.
pub fn counted(e: &Entry) -> Vec<(Month, i64)> {
    if rules::is_counted(e.status) {
        parts_of(e)
    } else {
        Vec::new()
    }
}

/// The month an entry's trips are charged to: the month of its first day.
pub fn trip_month(e: &Entry) -> Month {
    Month::of(rules::day_of(instant(e.start_utc)))
}

pub fn cents(t: &[Trip]) -> i64 {
    t.iter().map(|t| t.cost_cents).sum()
}

fn add_weeks(weeks: &mut HashMap<(Uuid, IsoWeek), i64>, s: &Slot, sign: i64) {
    for (w, m) in week_parts(instant(s.start), instant(s.end)) {
        *weeks.entry((s.assistant_id, w)).or_insert(0) += sign * m;
    }
}

/// The months of an interval, or none when it is empty or inverted.
fn months_of(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Month> {
    if end <= start {
        return Vec::new();
    }
    month_parts(start, end)
        .into_iter()
        .map(|(m, _)| m)
        .collect()
}

impl Ledger {
    pub fn new(inputs: Inputs) -> Ledger {
        let mut ledger = Ledger {
            now: inputs.now,
            policy: inputs.policy,
            policies: HashMap::new(),
            longest: inputs.longest,
            named: inputs
                .named
                .into_iter()
                .map(|(e, t)| (e.id, (e, t)))
                .collect(),
            slots: HashMap::new(),
            by_client: BTreeSet::new(),
            by_assistant: BTreeSet::new(),
            weeks: inputs.weeks,
            sheets: inputs.sheets,
            dirty: BTreeSet::new(),
            clients: inputs.clients,
            assignments: inputs.assignments,
            decisions: inputs.decisions,
            suspensions: inputs.suspensions,
            split: inputs.split,
            day_use: inputs.day_use,
            written: BTreeMap::new(),
            events: Vec::new(),
        };
        for (id, s) in inputs.live {
            ledger.put_slot(id, s);
        }
        ledger
    }

    /// Checks `op` by `actor` against every rule and the state so far, and applies it if it
    /// passes; a refused operation changes nothing.
    pub fn apply(&mut self, actor: Actor, op: &Op) -> Result<Done, Fault> {
        match op {
            Op::Save(w) => self.save(actor, w, false),
            Op::Retire(r) => self.retire(actor, r),
            Op::Review(r) => self.review(actor, r),
            Op::Recheck(id) => {
                self.recheck(actor, &[*id], false)?;
                let (entry, trips) = self.named.get(id).cloned().ok_or(Fault::NotFound)?;
                Ok(Done {
                    entry,
                    trips,
                    warnings: Vec::new(),
                })
            }
            Op::Resolve(r) => self.resolve(actor, r),
        }
    }

    /// An entry as the batch sees it now.
    pub fn entry(&self, id: Uuid) -> Option<&(Entry, Vec<Trip>)> {
        self.named.get(&id)
    }

    /// A sheet as the batch sees it now.
    pub fn sheet(&self, client_id: Uuid, month: Month) -> Option<&Sheet> {
        self.sheets.get(&(client_id, month))
    }

    /// An assistant's live minutes in an ISO week, as the batch sees them now.
    pub fn week_minutes(&self, assistant_id: Uuid, week: IsoWeek) -> i64 {
        self.weeks.get(&(assistant_id, week)).copied().unwrap_or(0)
    }

    /// What to store.
    pub fn finish(self) -> Outcome {
        let Ledger {
            written,
            sheets,
            dirty,
            events,
            ..
        } = self;
        let sheets = dirty
            .into_iter()
            .filter_map(|k| Some((k, *sheets.get(&k)?)))
            .collect();
        Outcome {
            written: written.into_values().collect(),
            sheets,
            events,
        }
    }

    fn policy_on(&mut self, day: NaiveDate) -> Result<&Policy, Fault> {
        if !self.policies.contains_key(&day) {
            let p = self.policy.at(day).map_err(Fault::Broken)?;
            self.policies.insert(day, p);
        }
        Ok(&self.policies[&day])
    }

    fn put_slot(&mut self, id: Uuid, s: Slot) {
        self.take_slot(id);
        self.by_client.insert((s.client_id, s.start, id));
        self.by_assistant.insert((s.assistant_id, s.start, id));
        self.slots.insert(id, s);
    }

    fn take_slot(&mut self, id: Uuid) {
        if let Some(s) = self.slots.remove(&id) {
            self.by_client.remove(&(s.client_id, s.start, id));
            self.by_assistant.remove(&(s.assistant_id, s.start, id));
        }
    }

    /// The first live entry of `owner` in `index` (its client's or its assistant's) overlapping
    /// `[start, end)`, other than `except`, by start. Only the entries that start less than the
    /// longest session before `start` can reach it.
    fn neighbour(
        &self,
        index: &BTreeSet<(Uuid, i64, Uuid)>,
        owner: Uuid,
        (start, end): (i64, i64),
        except: Uuid,
    ) -> Option<Neighbour> {
        // An empty or inverted interval overlaps nothing (the rules refuse it first).
        if end <= start {
            return None;
        }
        let from = (owner, start - self.longest - 60, Uuid::nil());
        index
            .range(from..(owner, end, Uuid::nil()))
            .filter_map(|(_, _, id)| Some((*id, self.slots.get(id)?)))
            .find(|(id, s)| *id != except && s.start < end && s.end > start)
            .map(|(id, s)| Neighbour {
                id,
                start: instant(s.start),
                end: instant(s.end),
            })
    }

    /// The sheet of a month the operation touches, which the loader must have locked.
    fn sheet_of(&self, client_id: Uuid, month: Month) -> Result<&Sheet, Fault> {
        self.sheets
            .get(&(client_id, month))
            .ok_or_else(|| Fault::Broken(format!("month {month} of client {client_id} not loaded")))
    }

    /// Adds `sign` × the entry's counted minutes and trip costs to its months' sheets (and to
    /// its days, in months split between versions).
    fn count(&mut self, e: &Entry, trip_cents: i64, sign: i64) {
        if rules::is_counted(e.status) && !self.split.is_empty() {
            for (day, minutes) in day_parts(instant(e.start_utc), instant(e.end_utc)) {
                if self.split.contains(&(e.client_id, Month::of(day))) {
                    *self.day_use.entry((e.client_id, day)).or_default() += sign * minutes;
                }
            }
        }
        let start_month = trip_month(e);
        for (month, minutes) in counted(e) {
            if let Some(s) = self.sheets.get_mut(&(e.client_id, month)) {
                s.used_minutes += sign * minutes;
                if month == start_month {
                    s.transport_used_cents += sign * trip_cents;
                }
            }
        }
    }

    /// The active minutes on each day of a split client-month, less `own` (the entry's earlier
    /// version, when it counted); empty for a month not split.
    fn by_day(&self, client_id: Uuid, month: Month, own: Option<&Entry>) -> Vec<(NaiveDate, i64)> {
        if !self.split.contains(&(client_id, month)) {
            return Vec::new();
        }
        let own: Vec<(NaiveDate, i64)> = match own {
            Some(o) if rules::is_counted(o.status) => {
                day_parts(instant(o.start_utc), instant(o.end_utc))
            }
            _ => Vec::new(),
        };
        month
            .first_day()
            .iter_days()
            .take_while(|d| *d <= month.last_day())
            .filter_map(|d| {
                let used = self.day_use.get(&(client_id, d)).copied().unwrap_or(0)
                    - own
                        .iter()
                        .filter(|(o, _)| *o == d)
                        .map(|(_, m)| m)
                        .sum::<i64>();
                (used != 0).then_some((d, used))
            })
            .collect()
    }

    /// Bumps the versions of the client's `months` once each (an entry changed there).
    fn touch(&mut self, client_id: Uuid, months: &[Month]) {
        let months: BTreeSet<Month> = months.iter().copied().collect();
        for m in months {
            if let Some(s) = self.sheets.get_mut(&(client_id, m)) {
                s.version += 1;
                self.dirty.insert((client_id, m));
            }
        }
    }

    /// Records the entry's new state: in the working set, for writing, and as an event.
    fn keep(&mut self, event: Event, trips_changed: bool) {
        let e = &event.entry;
        // The week totals count every live entry of the weeks they hold, loaded near the batch
        // or not; an entry's earlier version leaves them when it was live.
        if let Some((o, _)) = &event.before {
            self.take_slot(o.id);
            if rules::is_live(o.status) {
                add_weeks(&mut self.weeks, &Slot::of(o), -1);
            }
        }
        if rules::is_live(e.status) {
            let s = Slot::of(e);
            add_weeks(&mut self.weeks, &s, 1);
            self.put_slot(e.id, s);
        }
        let earlier = self.written.get(&e.id);
        let created = earlier.map_or(event.before.is_none(), |w| w.created);
        let trips_changed = trips_changed || earlier.is_some_and(|w| w.trips_changed);
        self.named.insert(e.id, (e.clone(), event.trips.clone()));
        self.written.insert(
            e.id,
            Written {
                entry: e.clone(),
                trips: event.trips.clone(),
                created,
                trips_changed,
            },
        );
        self.events.push(event);
    }

    /// Checks and applies a session's write; `review` when a coordinator approves a late entry
    /// (allowed in a month the client has confirmed meanwhile).
    fn save(&mut self, actor: Actor, w: &Write, review: bool) -> Result<Done, Fault> {
        let (start, end) = (w.start.to_utc(), w.end.to_utc());
        // Creating with the id of another assistant's entry: the rules answer first, as for a
        // fresh id, so that an id tells its existence only to a write that would be accepted.
        let mut taken = None;
        let before = match (self.named.get(&w.id), w.base_version) {
            (Some(found), None) if !actor.coordinator && found.0.assistant_id != w.assistant_id => {
                taken = Some(found.clone());
                None
            }
            (Some(found), None) => return Err(Fault::Exists(Box::new(found.clone()))),
            (None, Some(_)) => return Err(Fault::NotFound),
            (Some((e, _)), Some(_))
                if matches!(e.status, EntryStatus::Deleted | EntryStatus::Rejected)
                    || e.client_id != w.client_id
                    || e.assistant_id != w.assistant_id =>
            {
                return Err(Fault::NotFound);
            }
            (Some(found), Some(v)) if found.0.version != v => {
                return Err(Fault::Stale(Box::new(found.clone())));
            }
            (Some(found), Some(_)) => Some(found.clone()),
            (None, None) => None,
        };
        // A client that does not exist gets the answer a client not assigned gets.
        if before.is_none() && !self.clients.contains_key(&w.client_id) {
            return Err(Fault::Refused(Refusal {
                code: ErrorCode::NotAssigned,
                details: json!({}),
            }));
        }
        let old = before.as_ref().map(|(e, _)| e);
        let mut months = months_of(start, end);
        if end > start
            && let Some(o) = old
        {
            months.extend(parts_of(o).into_iter().map(|(m, _)| m));
        }
        months.sort();
        months.dedup();

        // What the other entries use: the sheets' counters without this entry's earlier version.
        let old_parts = old.map(counted).unwrap_or_default();
        let old_cents = match &before {
            Some((o, t)) if rules::is_counted(o.status) => Some((trip_month(o), cents(t))),
            _ => None,
        };
        let mut month_use = Vec::with_capacity(months.len());
        for month in &months {
            let s = self.sheet_of(w.client_id, *month)?;
            let own: i64 = old_parts
                .iter()
                .filter(|(m, _)| m == month)
                .map(|(_, x)| *x)
                .sum();
            let own_cents = match old_cents {
                Some((m, c)) if m == *month => c,
                _ => 0,
            };
            let state = s.state;
            let used_minutes = s.used_minutes - own;
            let transport_used_cents = s.transport_used_cents - own_cents;
            month_use.push(MonthUse {
                month: *month,
                state,
                used_minutes,
                transport_used_cents,
                by_day: self.by_day(w.client_id, *month, old),
            });
        }

        let (first_day, _) = session_days(start, end);
        let span = (start.timestamp(), end.timestamp());
        let assigned: Vec<Assigned> = self
            .assignments
            .iter()
            .filter(|a| a.assistant_id == w.assistant_id && a.client_id == w.client_id)
            .map(|a| a.assigned.clone())
            .collect();
        let client_overlap = self.neighbour(&self.by_client, w.client_id, span, w.id);
        let assistant_overlap = self.neighbour(&self.by_assistant, w.assistant_id, span, w.id);
        let weeks: Vec<(IsoWeek, i64)> = if end > start {
            let own = match old {
                Some(o) if rules::is_live(o.status) => {
                    week_parts(instant(o.start_utc), instant(o.end_utc))
                }
                _ => Vec::new(),
            };
            week_parts(start, end)
                .into_iter()
                .map(|(wk, _)| {
                    let mine: i64 = own.iter().filter(|(k, _)| *k == wk).map(|(_, m)| *m).sum();
                    (wk, self.week_minutes(w.assistant_id, wk) - mine)
                })
                .collect()
        } else {
            Vec::new()
        };
        let trip_cents: i64 = w.trips.iter().map(|t| t.cost_cents).sum();
        let public_fare_cents: i64 = w
            .trips
            .iter()
            .filter(|t| t.mode == "public_transport")
            .map(|t| t.cost_cents)
            .sum();
        let now = self.now;
        let decisions = self
            .decisions
            .get(&w.client_id)
            .cloned()
            .unwrap_or_default();
        let suspensions = self
            .suspensions
            .get(&w.client_id)
            .cloned()
            .unwrap_or_default();
        let facts = self.clients.get(&w.client_id).copied();
        let policy = self.policy_on(first_day)?;
        let rides_free = rides_free(facts, first_day, policy);
        let eligible = eligible(facts, first_day, policy);
        let ctx = Context {
            now,
            policy,
            assignments: &assigned,
            decisions: &decisions,
            suspensions: &suspensions,
            months: &month_use,
            client_overlap,
            assistant_overlap,
            week_minutes: &weeks,
            by_coordinator: actor.coordinator,
            device_time: w.device_time,
            amendment: w.amendment,
            rides_free,
            eligible,
            review,
            recheck: false,
            // A session a coordinator kept after a flag stays excused from that rule.
            excused: old
                .and_then(|o| Flag::read(o.flag.as_deref()))
                .filter(|f| f.kept.is_some())
                .map(|f| f.code),
        };
        let proposed = Proposed {
            start,
            end,
            purpose: w.purpose.clone(),
            trip_cents,
            public_fare_cents,
        };
        let Accepted {
            minutes,
            late,
            warnings,
            ..
        } = rules::check(&proposed, &ctx).map_err(Fault::Refused)?;
        if let Some(found) = taken {
            return Err(Fault::Exists(Box::new(found)));
        }
        // An edit after the deadline that changes neither the time nor the money (a note, a
        // place, a trip's description) leaves a counted entry counted: nothing for a coordinator
        // to review.
        let stands = matches!(&before, Some((o, t)) if o.status == EntryStatus::Active
            && (o.start_utc, o.end_utc) == span
            && cents(t) == trip_cents);
        let late = late && !stands;
        let warnings: Vec<_> = warnings
            .into_iter()
            .filter(|f| late || f.code != "late_entry")
            .collect();

        let stored_warnings = (!warnings.is_empty()).then(|| {
            json!(
                warnings
                    .iter()
                    .map(|f| json!({"code": f.code, "details": f.details}))
                    .collect::<Vec<_>>()
            )
            .to_string()
        });
        let entry = Entry {
            id: w.id,
            client_id: w.client_id,
            assistant_id: w.assistant_id,
            purpose: w.purpose.clone(),
            start_utc: span.0,
            start_offset: w.start.offset().local_minus_utc(),
            end_utc: span.1,
            end_offset: w.end.offset().local_minus_utc(),
            minutes: minutes as i32,
            place: w.place.clone(),
            note: w.note.clone(),
            status: if late {
                EntryStatus::PendingReview
            } else {
                EntryStatus::Active
            },
            version: old.map_or(1, |o| o.version + 1),
            late,
            review_reason: None,
            reviewed_by: None,
            reviewed_at: None,
            created_by: old.map_or(actor.user_id, |o| o.created_by),
            device_time: w.device_time,
            received_at: now,
            created_at: old.map_or(now, |o| o.created_at),
            updated_at: now,
            warnings: stored_warnings,
            amendment: if w.amendment {
                Some("addition".into())
            } else {
                old.and_then(|o| o.amendment.clone())
            },
            // An edit that passes every rule ends a flag; a kept one stays on record.
            flag: old
                .and_then(|o| o.flag.clone())
                .filter(|f| Flag::read(Some(f)).is_some_and(|f| f.kept.is_some())),
        };
        let trips: Vec<Trip> = w
            .trips
            .iter()
            .enumerate()
            .map(|(i, t)| Trip {
                entry_id: w.id,
                position: i as i32,
                mode: t.mode.clone(),
                from_place: t.from.clone(),
                to_place: t.to.clone(),
                distance_m: t.distance_m,
                cost_cents: t.cost_cents,
            })
            .collect();
        if let Some((o, t)) = &before {
            self.count(o, cents(t), -1);
        }
        self.count(&entry, trip_cents, 1);
        self.touch(w.client_id, &months);
        let action = if before.is_some() {
            Action::Updated
        } else {
            Action::Created
        };
        let trips_changed = before.is_some();
        self.keep(
            Event {
                action,
                actor,
                before,
                entry: entry.clone(),
                trips: trips.clone(),
                review: None,
            },
            trips_changed,
        );
        Ok(Done {
            entry,
            trips,
            warnings,
        })
    }

    fn retire(&mut self, actor: Actor, r: &Retire) -> Result<Done, Fault> {
        let found = self.named.get(&r.id).filter(|(e, _)| match &r.kind {
            RetireKind::Delete { .. } => e.status != EntryStatus::Deleted,
            RetireKind::Reject => e.status == EntryStatus::PendingReview,
            RetireKind::Void { .. } => rules::is_live(e.status),
        });
        let Some((old, old_trips)) = found.cloned() else {
            return Err(Fault::NotFound);
        };
        if r.only_assistant.is_some_and(|a| a != old.assistant_id) {
            return Err(Fault::NotFound);
        }
        if let RetireKind::Delete { base_version } = r.kind
            && old.version != base_version
        {
            return Err(Fault::Stale(Box::new((old, old_trips))));
        }
        let mut months: Vec<Month> = parts_of(&old).into_iter().map(|(m, _)| m).collect();
        months.sort();
        months.dedup();
        for month in &months {
            let state = self.sheet_of(old.client_id, *month)?.state;
            let refused = match r.kind {
                RetireKind::Void { .. } => {
                    (state != MonthState::Closed).then_some(ErrorCode::MonthState)
                }
                // A late entry may be rejected in a month the client confirmed meanwhile.
                RetireKind::Reject if state == MonthState::Confirmed => None,
                _ => rules::is_locked(state).then_some(ErrorCode::MonthLocked),
            };
            if let Some(code) = refused {
                return Err(Fault::Refused(Refusal {
                    code,
                    details: json!({ "month": month.to_string(), "state": state }),
                }));
            }
        }
        self.count(&old, cents(&old_trips), -1);
        let mut gone = old.clone();
        let action = match &r.kind {
            RetireKind::Delete { .. } => {
                gone.status = EntryStatus::Deleted;
                Action::Deleted
            }
            RetireKind::Reject => {
                gone.status = EntryStatus::Rejected;
                Action::Rejected
            }
            RetireKind::Void { reason } => {
                gone.status = EntryStatus::Voided;
                gone.amendment = Some("void".into());
                gone.review_reason = Some(reason.clone());
                gone.reviewed_by = Some(actor.user_id);
                gone.reviewed_at = Some(self.now);
                Action::Voided
            }
        };
        gone.version += 1;
        gone.updated_at = self.now;
        self.touch(old.client_id, &months);
        self.keep(
            Event {
                action,
                actor,
                before: Some((old, old_trips.clone())),
                entry: gone.clone(),
                trips: old_trips.clone(),
                review: None,
            },
            false,
        );
        Ok(Done {
            entry: gone,
            trips: old_trips,
            warnings: Vec::new(),
        })
    }
}

impl Ledger {
    fn review(&mut self, actor: Actor, r: &Review) -> Result<Done, Fault> {
        let Some((e, t)) = self
            .named
            .get(&r.id)
            .filter(|(e, _)| e.status == EntryStatus::PendingReview)
            .cloned()
        else {
            return Err(Fault::NotFound);
        };
        let mut done = if r.approve {
            let offset = |secs: i32| {
                FixedOffset::east_opt(secs).unwrap_or_else(|| chrono::Offset::fix(&Utc))
            };
            let write = Write {
                id: e.id,
                client_id: e.client_id,
                assistant_id: e.assistant_id,
                purpose: e.purpose.clone(),
                start: instant(e.start_utc).with_timezone(&offset(e.start_offset)),
                end: instant(e.end_utc).with_timezone(&offset(e.end_offset)),
                place: e.place.clone(),
                note: e.note.clone(),
                trips: t
                    .iter()
                    .map(|t| TripRow {
                        mode: t.mode.clone(),
                        from: t.from_place.clone(),
                        to: t.to_place.clone(),
                        distance_m: t.distance_m,
                        cost_cents: t.cost_cents,
                    })
                    .collect(),
                base_version: Some(e.version),
                device_time: e.device_time,
                amendment: false,
            };
            let by = Actor {
                coordinator: true,
                ..actor
            };
            self.save(by, &write, true)?
        } else {
            let reject = Retire {
                id: e.id,
                kind: RetireKind::Reject,
                only_assistant: None,
            };
            self.retire(actor, &reject)?
        };
        done.entry.review_reason = Some(r.reason.clone());
        done.entry.reviewed_by = Some(actor.user_id);
        done.entry.reviewed_at = Some(self.now);
        // The verdict is part of the change just kept.
        if let Some(kept) = self.named.get_mut(&e.id) {
            kept.0 = done.entry.clone();
        }
        if let Some(w) = self.written.get_mut(&e.id) {
            w.entry = done.entry.clone();
        }
        if let Some(last) = self.events.last_mut() {
            last.entry = done.entry.clone();
            last.review = Some((r.approve, e.status, e.version));
        }
        Ok(done)
    }
}

/// Facts recorded after the fact: flagged entries.
impl Ledger {
    /// Checks the named entries again, after a fact about them changed (a suspension, an
    /// amended decision, a policy row with a past date), as the rules that fact decides say.
    ///
    /// Only counted and flagged entries are checked, of months not yet closed unless `closed`
    /// (a fact about one client: a flag or its undoing in a closed month changes what was paid,
    /// and the next close carries the difference as a correction; a policy row with a past date
    /// does not reach back into closed months). They all leave their months' count first and come back in
    /// the order of their sessions, each checked against what the earlier ones that still count
    /// use, so that each counts while it fits beside them. An entry that
    /// breaks a rule is `flagged` with that rule and stays out of the count; a flagged entry
    /// that meets the rules again (the fact was undone) counts again. Returns the entries that
    /// changed.
    pub fn recheck(
        &mut self,
        actor: Actor,
        ids: &[Uuid],
        closed: bool,
    ) -> Result<Vec<Done>, Fault> {
        let mut todo: Vec<(Entry, Vec<Trip>)> = Vec::new();
        for id in ids {
            let Some((e, t)) = self.named.get(id) else {
                continue;
            };
            if !matches!(e.status, EntryStatus::Active | EntryStatus::Flagged) {
                continue;
            }
            let mut open = true;
            for (month, _) in parts_of(e) {
                open &= closed || self.sheet_of(e.client_id, month)?.state != MonthState::Closed;
            }
            if open && !todo.iter().any(|(x, _)| x.id == *id) {
                todo.push((e.clone(), t.clone()));
            }
        }
        todo.sort_by_key(|(e, _)| (e.start_utc, e.id));
        for (e, t) in &todo {
            if rules::is_counted(e.status) {
                self.count(e, cents(t), -1);
            }
        }
        let mut changed = Vec::new();
        for (old, trips) in todo {
            let flag = Flag::read(old.flag.as_deref());
            let excused = flag.as_ref().filter(|f| f.kept.is_some()).map(|f| f.code);
            let verdict = self.check_stored(&old, &trips, excused)?;
            let mut entry = old.clone();
            let action = match verdict {
                Ok(()) => {
                    entry.status = EntryStatus::Active;
                    self.count(&entry, cents(&trips), 1);
                    if old.status == EntryStatus::Active {
                        continue;
                    }
                    entry.flag = None;
                    Action::Unflagged
                }
                Err(refusal) => {
                    let same = flag.as_ref().is_some_and(|f| f.code == refusal.code);
                    if old.status == EntryStatus::Flagged && same {
                        continue;
                    }
                    entry.status = EntryStatus::Flagged;
                    let flag = Flag {
                        code: refusal.code,
                        details: refusal.details,
                        kept: None,
                    };
                    entry.flag = Some(flag.text());
                    Action::Flagged
                }
            };
            entry.version += 1;
            entry.updated_at = self.now;
            let months: Vec<Month> = parts_of(&old).into_iter().map(|(m, _)| m).collect();
            self.touch(old.client_id, &months);
            self.keep(
                Event {
                    action,
                    actor,
                    before: Some((old, trips.clone())),
                    entry: entry.clone(),
                    trips: trips.clone(),
                    review: None,
                },
                false,
            );
            changed.push(Done {
                entry,
                trips,
                warnings: Vec::new(),
            });
        }
        Ok(changed)
    }

    /// A coordinator keeps or voids a flagged entry (see `Resolve`).
    fn resolve(&mut self, actor: Actor, r: &Resolve) -> Result<Done, Fault> {
        let Some((old, trips)) = self
            .named
            .get(&r.id)
            .filter(|(e, _)| e.status == EntryStatus::Flagged)
            .cloned()
        else {
            return Err(Fault::NotFound);
        };
        // In a closed month too: what the coordinator decides changes what was paid, and the
        // next close carries the difference.
        let months: Vec<Month> = parts_of(&old).into_iter().map(|(m, _)| m).collect();
        let mut entry = old.clone();
        let action = if r.keep {
            let mut flag = Flag::read(old.flag.as_deref()).ok_or_else(|| {
                Fault::Broken(format!("entry {} is flagged without a reason", old.id))
            })?;
            self.check_stored(&old, &trips, Some(flag.code))?
                .map_err(Fault::Refused)?;
            flag.kept = Some(Kept {
                reason: r.reason.clone(),
                by: actor.user_id,
                at: self.now,
            });
            entry.status = EntryStatus::Active;
            entry.flag = Some(flag.text());
            self.count(&entry, cents(&trips), 1);
            Action::Kept
        } else {
            entry.status = EntryStatus::Rejected;
            Action::Dismissed
        };
        entry.review_reason = Some(r.reason.clone());
        entry.reviewed_by = Some(actor.user_id);
        entry.reviewed_at = Some(self.now);
        entry.version += 1;
        entry.updated_at = self.now;
        self.touch(old.client_id, &months);
        self.keep(
            Event {
                action,
                actor,
                before: Some((old, trips.clone())),
                entry: entry.clone(),
                trips: trips.clone(),
                review: None,
            },
            false,
        );
        Ok(Done {
            entry,
            trips,
            warnings: Vec::new(),
        })
    }

    /// Checks a stored entry, out of the count, against the rules a later fact can change,
    /// with what the sheets count now; `excused` is the rule a coordinator excused for it.
    fn check_stored(
        &mut self,
        e: &Entry,
        trips: &[Trip],
        excused: Option<ErrorCode>,
    ) -> Result<Result<(), Refusal>, Fault> {
        let (start, end) = (instant(e.start_utc), instant(e.end_utc));
        let mut months: Vec<Month> = parts_of(e).into_iter().map(|(m, _)| m).collect();
        months.dedup();
        let start_month = trip_month(e);
        let mut month_use = Vec::with_capacity(months.len());
        for month in &months {
            let s = self.sheet_of(e.client_id, *month)?;
            let (state, used_minutes) = (s.state, s.used_minutes);
            let transport_used_cents = if *month == start_month {
                s.transport_used_cents
            } else {
                0
            };
            month_use.push(MonthUse {
                month: *month,
                state,
                used_minutes,
                transport_used_cents,
                by_day: self.by_day(e.client_id, *month, None),
            });
        }
        let assigned: Vec<Assigned> = self
            .assignments
            .iter()
            .filter(|a| a.assistant_id == e.assistant_id && a.client_id == e.client_id)
            .map(|a| a.assigned.clone())
            .collect();
        let decisions = self
            .decisions
            .get(&e.client_id)
            .cloned()
            .unwrap_or_default();
        let suspensions = self
            .suspensions
            .get(&e.client_id)
            .cloned()
            .unwrap_or_default();
        let facts = self.clients.get(&e.client_id).copied();
        let (first_day, _) = session_days(start, end);
        let now = self.now;
        let policy = self.policy_on(first_day)?;
        let ctx = Context {
            now,
            policy,
            assignments: &assigned,
            decisions: &decisions,
            suspensions: &suspensions,
            months: &month_use,
            client_overlap: None,
            assistant_overlap: None,
            week_minutes: &[],
            by_coordinator: true,
            device_time: None,
            amendment: false,
            rides_free: rides_free(facts, first_day, policy),
            eligible: eligible(facts, first_day, policy),
            review: false,
            recheck: true,
            excused,
        };
        let proposed = Proposed {
            start,
            end,
            purpose: e.purpose.clone(),
            trip_cents: cents(trips),
            public_fare_cents: trips
                .iter()
                .filter(|t| t.mode == "public_transport")
                .map(|t| t.cost_cents)
                .sum(),
        };
        Ok(rules::check(&proposed, &ctx).map(|_| ()))
    }
}

/// Whether the client may have the assistant service on `day`: a child, or an adult with a
/// disability group the policy names (a client the batch does not know is not refused here).
fn eligible(facts: Option<ClientFacts>, day: NaiveDate, policy: &Policy) -> bool {
    facts.is_none_or(|c| {
        super::time::age_on(c.birth_date, day) < policy.adult_age
            || c.disability_group
                .is_some_and(|g| policy.adult_assistant_groups.contains(&i64::from(g)))
    })
}

/// Whether the client rides public transport free by law on `day`: a child, or a disability
/// group the policy names.
fn rides_free(facts: Option<ClientFacts>, day: NaiveDate, policy: &Policy) -> bool {
    facts.is_some_and(|c| {
        let child = super::time::age_on(c.birth_date, day) < policy.adult_age;
        (child && policy.free_fare_children)
            || c.disability_group
                .is_some_and(|g| policy.free_fare_groups.contains(&i64::from(g)))
    })
}

/// An ISO week's bounds, Monday's and the next Monday's Riga midnights, in Unix seconds.
pub fn week_span((year, week): IsoWeek) -> Option<(i64, i64)> {
    let monday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon)?;
    let next = monday + Duration::days(7);
    Some((
        super::time::riga_midnight(monday).timestamp(),
        super::time::riga_midnight(next).timestamp(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::seed;
    use mobile_api::Service;
    use proptest::prelude::*;

    const ALLOWANCE: i64 = 600;
    const TRANSPORT_CAP: i64 = 2_000;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn now() -> DateTime<Utc> {
        "2026-11-20T12:00:00Z".parse().unwrap()
    }

    fn client(i: usize) -> Uuid {
        Uuid::from_u128(0xC0 + i as u128)
    }

    fn assistant(i: usize) -> Uuid {
        Uuid::from_u128(0xA0 + i as u128)
    }

    fn entry_id(i: usize) -> Uuid {
        Uuid::from_u128(0xE0 + i as u128)
    }

    const ASSISTANT: Actor = Actor {
        user_id: Uuid::from_u128(0x11),
        coordinator: false,
    };
    const COORDINATOR: Actor = Actor {
        user_id: Uuid::from_u128(0x22),
        coordinator: true,
    };

    fn months() -> [Month; 3] {
        [
            Month::of(day("2026-10-01")),
            Month::of(day("2026-11-01")),
            Month::of(day("2026-12-01")),
        ]
    }

    fn purpose() -> String {
        PolicyBook::new(seed())
            .at(day("2026-11-01"))
            .unwrap()
            .purposes_of(Service::Assistant)[0]
            .clone()
    }

    /// Two clients, each assigned both assistants, with a decision of 10 hours and 20 euro of
    /// transport a month; empty sheets for October to December (all open).
    fn ledger() -> Ledger {
        let decision = |c: usize| Figures {
            id: Uuid::from_u128(0xD0 + c as u128),
            series_id: Uuid::from_u128(0xD0 + c as u128),
            version: 1,
            effective_from: day("2026-01-01"),
            valid_from: day("2026-01-01"),
            valid_to: day("2026-12-31"),
            monthly_minutes: ALLOWANCE,
            purposes: None,
            service: Service::Assistant,
            transport_allowed: true,
            transport_cap_cents: TRANSPORT_CAP,
        };
        let mut assignments = Vec::new();
        let mut sheets = HashMap::new();
        for c in 0..2 {
            for a in 0..2 {
                assignments.push(Assignment {
                    assistant_id: assistant(a),
                    client_id: client(c),
                    assigned: Assigned {
                        from: day("2026-01-01"),
                        to: None,
                        service: Service::Assistant,
                    },
                });
            }
            for m in months() {
                let sheet = Sheet {
                    state: MonthState::Open,
                    used_minutes: 0,
                    transport_used_cents: 0,
                    version: 1,
                };
                sheets.insert((client(c), m), sheet);
            }
        }
        Ledger::new(Inputs {
            now: now(),
            policy: Arc::new(PolicyBook::new(seed())),
            longest: 960 * 60,
            named: Vec::new(),
            live: Vec::new(),
            weeks: HashMap::new(),
            sheets,
            clients: (0..2)
                .map(|i| {
                    let facts = ClientFacts {
                        birth_date: NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or_default(),
                        disability_group: Some(1),
                    };
                    (client(i), facts)
                })
                .collect(),
            assignments,
            decisions: (0..2).map(|c| (client(c), vec![decision(c)])).collect(),
            suspensions: HashMap::new(),
            split: HashSet::new(),
            day_use: HashMap::new(),
        })
    }

    /// A session at `start` (Riga winter time) of `minutes`.
    fn write(id: usize, c: usize, a: usize, start: &str, minutes: i64, cents: i64) -> Write {
        let start: DateTime<FixedOffset> = format!("{start}+02:00").parse().unwrap();
        Write {
            id: entry_id(id),
            client_id: client(c),
            assistant_id: assistant(a),
            purpose: purpose(),
            start,
            end: start + Duration::minutes(minutes),
            place: "Rīga".into(),
            note: None,
            trips: (cents > 0)
                .then(|| TripRow {
                    mode: "bus".into(),
                    from: "A".into(),
                    to: "B".into(),
                    distance_m: 1000,
                    cost_cents: cents,
                })
                .into_iter()
                .collect(),
            base_version: None,
            device_time: None,
            amendment: false,
        }
    }

    fn sheet(l: &Ledger, c: usize, month: &str) -> Sheet {
        *l.sheet(client(c), Month::of(day(month))).unwrap()
    }

    fn code(r: Result<Done, Fault>) -> ErrorCode {
        match r {
            Err(Fault::Refused(r)) => r.code,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_session_counts_in_its_month_and_an_edit_moves_it() {
        let mut l = ledger();
        let w = write(0, 0, 0, "2026-11-02T09:00:00", 120, 300);
        let done = l.apply(ASSISTANT, &Op::Save(w.clone())).unwrap();
        assert_eq!((done.entry.version, done.entry.minutes), (1, 120));
        assert_eq!(done.entry.status, EntryStatus::Active);
        let nov = sheet(&l, 0, "2026-11-01");
        assert_eq!((nov.used_minutes, nov.transport_used_cents), (120, 300));

        let mut edit = write(0, 0, 0, "2026-11-03T09:00:00", 60, 0);
        edit.base_version = Some(1);
        let done = l.apply(ASSISTANT, &Op::Save(edit)).unwrap();
        assert_eq!(done.entry.version, 2);
        let nov = sheet(&l, 0, "2026-11-01");
        assert_eq!((nov.used_minutes, nov.transport_used_cents), (60, 0));
        let out = l.finish();
        assert_eq!(out.events.len(), 2);
        assert_eq!(out.written.len(), 1);
        assert!(out.written[0].created, "created in this batch");
    }

    #[test]
    fn a_session_over_midnight_at_month_end_counts_in_both_months() {
        let mut l = ledger();
        // 23:00 on 31 October to 01:00 on 1 November, Riga time; October is late by now.
        let w = write(0, 0, 0, "2026-10-31T23:00:00", 120, 0);
        let done = l.apply(COORDINATOR, &Op::Save(w)).unwrap();
        assert_eq!(done.entry.status, EntryStatus::Active);
        assert_eq!(sheet(&l, 0, "2026-10-01").used_minutes, 60);
        assert_eq!(sheet(&l, 0, "2026-11-01").used_minutes, 60);
    }

    #[test]
    fn a_late_entry_waits_for_review_and_does_not_count() {
        let mut l = ledger();
        let w = write(0, 0, 0, "2026-10-10T09:00:00", 60, 0);
        let done = l.apply(ASSISTANT, &Op::Save(w)).unwrap();
        assert_eq!(done.entry.status, EntryStatus::PendingReview);
        assert!(done.entry.late);
        assert_eq!(sheet(&l, 0, "2026-10-01").used_minutes, 0);
        // A rejection keeps it with the reason; a second verdict finds nothing to review.
        let reject = Op::Review(Review {
            id: entry_id(0),
            approve: false,
            reason: "no such visit".into(),
        });
        let done = l.apply(COORDINATOR, &reject).unwrap();
        assert_eq!(done.entry.status, EntryStatus::Rejected);
        assert_eq!(done.entry.review_reason.as_deref(), Some("no such visit"));
        assert_eq!(l.apply(COORDINATOR, &reject), Err(Fault::NotFound));
        // An approval counts it, and still cannot overspend the allowance.
        let w = write(1, 0, 0, "2026-10-12T08:00:00", 540, 0);
        l.apply(ASSISTANT, &Op::Save(w)).unwrap();
        let w = write(2, 0, 0, "2026-10-13T08:00:00", 120, 0);
        l.apply(ASSISTANT, &Op::Save(w)).unwrap();
        let approve = |i: usize| {
            Op::Review(Review {
                id: entry_id(i),
                approve: true,
                reason: "confirmed by phone".into(),
            })
        };
        let done = l.apply(COORDINATOR, &approve(1)).unwrap();
        assert_eq!(done.entry.status, EntryStatus::Active);
        assert_eq!(done.entry.reviewed_by, Some(COORDINATOR.user_id));
        assert_eq!(sheet(&l, 0, "2026-10-01").used_minutes, 540);
        assert_eq!(
            code(l.apply(COORDINATOR, &approve(2))),
            ErrorCode::OverAllowance
        );
        let out = l.finish();
        let verdicts: Vec<_> = out.events.iter().filter_map(|e| e.review).collect();
        assert_eq!(
            verdicts,
            [
                (false, EntryStatus::PendingReview, 1),
                (true, EntryStatus::PendingReview, 1)
            ]
        );
    }

    #[test]
    fn the_allowance_and_the_transport_cap_hold() {
        let mut l = ledger();
        let w = write(0, 0, 0, "2026-11-02T08:00:00", 540, 1_500);
        l.apply(ASSISTANT, &Op::Save(w)).unwrap();
        let over = write(1, 0, 1, "2026-11-03T08:00:00", 120, 0);
        assert_eq!(
            code(l.apply(ASSISTANT, &Op::Save(over))),
            ErrorCode::OverAllowance
        );
        let trip = write(2, 0, 1, "2026-11-04T08:00:00", 30, 600);
        assert_eq!(
            code(l.apply(COORDINATOR, &Op::Save(trip))),
            ErrorCode::TransportCap
        );
        let fits = write(3, 0, 1, "2026-11-05T08:00:00", 60, 500);
        l.apply(ASSISTANT, &Op::Save(fits)).unwrap();
        let nov = sheet(&l, 0, "2026-11-01");
        assert_eq!((nov.used_minutes, nov.transport_used_cents), (600, 2_000));
    }

    #[test]
    fn a_later_fact_flags_what_no_longer_fits_and_undoing_it_counts_it_again() {
        let mut l = ledger();
        for (i, (day, minutes)) in [("02", 240), ("03", 240), ("04", 120)].iter().enumerate() {
            let w = write(i, 0, 0, &format!("2026-11-{day}T08:00:00"), *minutes, 0);
            l.apply(ASSISTANT, &Op::Save(w)).unwrap();
        }
        let ids: Vec<Uuid> = (0..3).map(entry_id).collect();
        let status = |l: &Ledger, i: usize| l.entry(entry_id(i)).unwrap().0.status;
        // The volume is cut to 400 minutes: in the order of the sessions, each counts while it
        // fits beside the earlier ones; the second no longer does, the short third still does.
        l.decisions.get_mut(&client(0)).unwrap()[0].monthly_minutes = 400;
        let changed = l.recheck(COORDINATOR, &ids, false).unwrap();
        assert_eq!(changed.len(), 1);
        assert_eq!(status(&l, 1), EntryStatus::Flagged);
        let flag = Flag::read(l.entry(entry_id(1)).unwrap().0.flag.as_deref()).unwrap();
        assert_eq!(flag.code, ErrorCode::OverAllowance);
        assert_eq!(
            (status(&l, 0), status(&l, 2)),
            (EntryStatus::Active, EntryStatus::Active)
        );
        assert_eq!(sheet(&l, 0, "2026-11-01").used_minutes, 360);
        // Checking again changes nothing; a flagged entry cannot be kept over the allowance.
        assert!(l.recheck(COORDINATOR, &ids, false).unwrap().is_empty());
        let keep = Resolve {
            id: entry_id(1),
            keep: true,
            reason: "x".into(),
        };
        assert_eq!(
            code(l.apply(COORDINATOR, &Op::Resolve(keep))),
            ErrorCode::OverAllowance
        );
        // The cut is undone: it counts again, by itself.
        l.decisions.get_mut(&client(0)).unwrap()[0].monthly_minutes = ALLOWANCE;
        assert_eq!(l.recheck(COORDINATOR, &ids, false).unwrap().len(), 1);
        assert_eq!(status(&l, 1), EntryStatus::Active);
        assert_eq!(l.entry(entry_id(1)).unwrap().0.flag, None);
        assert_eq!(sheet(&l, 0, "2026-11-01").used_minutes, 600);
        let actions: Vec<Action> = l.finish().events.iter().map(|e| e.action).collect();
        assert_eq!(actions[3..], [Action::Flagged, Action::Unflagged]);
    }

    #[test]
    fn a_suspension_flags_its_days_and_a_kept_session_stays_excused() {
        let mut l = ledger();
        for (i, day) in ["10", "12"].iter().enumerate() {
            let w = write(i, 0, 0, &format!("2026-11-{day}T08:00:00"), 120, 0);
            l.apply(ASSISTANT, &Op::Save(w)).unwrap();
        }
        let ids: Vec<Uuid> = (0..2).map(entry_id).collect();
        l.suspensions.insert(
            client(0),
            vec![Suspended {
                from: day("2026-11-10"),
                to: day("2026-11-11"),
                reason: "Stacionārs".into(),
            }],
        );
        l.recheck(COORDINATOR, &ids, false).unwrap();
        let status = |l: &Ledger, i: usize| l.entry(entry_id(i)).unwrap().0.status;
        assert_eq!(
            (status(&l, 0), status(&l, 1)),
            (EntryStatus::Flagged, EntryStatus::Active)
        );
        assert_eq!(sheet(&l, 0, "2026-11-01").used_minutes, 120);
        let keep = Resolve {
            id: entry_id(0),
            keep: true,
            reason: "Pavadīja uz slimnīcu".into(),
        };
        l.apply(COORDINATOR, &Op::Resolve(keep)).unwrap();
        assert_eq!(status(&l, 0), EntryStatus::Active);
        assert_eq!(sheet(&l, 0, "2026-11-01").used_minutes, 240);
        // A longer stay: the kept session stays kept, the other one is flagged now.
        l.suspensions.get_mut(&client(0)).unwrap()[0].to = day("2026-11-12");
        l.recheck(COORDINATOR, &ids, false).unwrap();
        assert_eq!(
            (status(&l, 0), status(&l, 1)),
            (EntryStatus::Active, EntryStatus::Flagged)
        );
        assert_eq!(sheet(&l, 0, "2026-11-01").used_minutes, 120);
        // Voided, it stays out, and is no longer flagged to decide.
        let void = Resolve {
            id: entry_id(1),
            keep: false,
            reason: "Slimnīcā".into(),
        };
        l.apply(COORDINATOR, &Op::Resolve(void)).unwrap();
        assert_eq!(status(&l, 1), EntryStatus::Rejected);
        let again = Resolve {
            id: entry_id(1),
            keep: true,
            reason: "x".into(),
        };
        assert!(matches!(
            l.apply(COORDINATOR, &Op::Resolve(again)),
            Err(Fault::NotFound)
        ));
    }

    #[test]
    fn overlaps_are_refused_for_the_client_and_the_assistant() {
        let mut l = ledger();
        l.apply(
            ASSISTANT,
            &Op::Save(write(0, 0, 0, "2026-11-02T09:00:00", 60, 0)),
        )
        .unwrap();
        let same_client = write(1, 0, 1, "2026-11-02T09:30:00", 60, 0);
        assert_eq!(
            code(l.apply(ASSISTANT, &Op::Save(same_client))),
            ErrorCode::OverlapClient
        );
        let same_assistant = write(2, 1, 0, "2026-11-02T09:59:00", 60, 0);
        assert_eq!(
            code(l.apply(ASSISTANT, &Op::Save(same_assistant))),
            ErrorCode::OverlapAssistant
        );
        // Back to back is not an overlap.
        l.apply(
            ASSISTANT,
            &Op::Save(write(3, 1, 0, "2026-11-02T10:00:00", 60, 0)),
        )
        .unwrap();
    }

    #[test]
    fn locked_months_refuse_deletes_and_closed_ones_take_voids() {
        let mut l = ledger();
        l.apply(
            ASSISTANT,
            &Op::Save(write(0, 0, 0, "2026-11-02T09:00:00", 60, 0)),
        )
        .unwrap();
        let nov = (client(0), Month::of(day("2026-11-01")));
        l.sheets.get_mut(&nov).unwrap().state = MonthState::Confirmed;
        let delete = Op::Retire(Retire {
            id: entry_id(0),
            kind: RetireKind::Delete { base_version: 1 },
            only_assistant: Some(assistant(0)),
        });
        assert_eq!(code(l.apply(ASSISTANT, &delete)), ErrorCode::MonthLocked);
        let void = Op::Retire(Retire {
            id: entry_id(0),
            kind: RetireKind::Void {
                reason: "not provided".into(),
            },
            only_assistant: None,
        });
        assert_eq!(code(l.apply(COORDINATOR, &void)), ErrorCode::MonthState);
        l.sheets.get_mut(&nov).unwrap().state = MonthState::Closed;
        let done = l.apply(COORDINATOR, &void).unwrap();
        assert_eq!(done.entry.status, EntryStatus::Voided);
        assert_eq!(done.entry.amendment.as_deref(), Some("void"));
        assert_eq!(sheet(&l, 0, "2026-11-01").used_minutes, 0);
    }

    #[test]
    fn another_assistants_entry_is_not_found_and_a_stale_version_is_shown() {
        let mut l = ledger();
        l.apply(
            ASSISTANT,
            &Op::Save(write(0, 0, 0, "2026-11-02T09:00:00", 60, 0)),
        )
        .unwrap();
        let theirs = Op::Retire(Retire {
            id: entry_id(0),
            kind: RetireKind::Delete { base_version: 1 },
            only_assistant: Some(assistant(1)),
        });
        assert_eq!(l.apply(ASSISTANT, &theirs), Err(Fault::NotFound));
        let stale = Op::Retire(Retire {
            id: entry_id(0),
            kind: RetireKind::Delete { base_version: 7 },
            only_assistant: None,
        });
        match l.apply(COORDINATOR, &stale) {
            Err(Fault::Stale(current)) => assert_eq!(current.0.version, 1),
            other => panic!("expected stale, got {other:?}"),
        }
        let again = write(0, 0, 0, "2026-11-05T09:00:00", 60, 0);
        assert!(matches!(
            l.apply(ASSISTANT, &Op::Save(again)),
            Err(Fault::Exists(_))
        ));
    }

    /// An operation as the property test draws it.
    #[derive(Debug, Clone)]
    enum Drawn {
        Save {
            id: usize,
            client: usize,
            assistant: usize,
            /// Minutes after 2026-10-25 00:00 Riga time, on quarter hours.
            at: i64,
            minutes: i64,
            cents: i64,
            /// 0 creates, 1 edits the current version, 2 names a wrong one.
            base: u8,
        },
        Delete {
            id: usize,
            stale: bool,
            own: bool,
        },
        Review {
            id: usize,
            approve: bool,
        },
        Close {
            client: usize,
            month: usize,
            state: u8,
        },
        Void {
            id: usize,
        },
    }

    fn drawn() -> impl Strategy<Value = (bool, Drawn)> {
        let save = (
            0..6usize,
            0..2usize,
            0..2usize,
            0..(26 * 24 * 4i64),
            1..(12 * 4i64),
            prop_oneof![Just(0i64), 1..900i64],
            0..3u8,
        )
            .prop_map(|(id, client, assistant, q, len, cents, base)| Drawn::Save {
                id,
                client,
                assistant,
                at: q * 15,
                minutes: len * 15,
                cents,
                base,
            });
        let op = prop_oneof![
            6 => save,
            2 => (0..6usize, any::<bool>(), any::<bool>())
                .prop_map(|(id, stale, own)| Drawn::Delete { id, stale, own }),
            1 => (0..6usize, any::<bool>()).prop_map(|(id, approve)| Drawn::Review { id, approve }),
            1 => (0..2usize, 0..3usize, 0..4u8)
                .prop_map(|(client, month, state)| Drawn::Close { client, month, state }),
            1 => (0..6usize).prop_map(|id| Drawn::Void { id }),
        ];
        (any::<bool>(), op)
    }

    /// The state a refused operation must leave as it found it.
    type View = (
        HashMap<Uuid, (Entry, Vec<Trip>)>,
        HashMap<(Uuid, Month), Sheet>,
        HashMap<(Uuid, IsoWeek), i64>,
        HashMap<Uuid, Slot>,
        usize,
    );

    fn view(l: &Ledger) -> View {
        (
            l.named.clone(),
            l.sheets.clone(),
            l.weeks.clone(),
            l.slots.clone(),
            l.events.len(),
        )
    }

    fn to_op(l: &Ledger, d: &Drawn) -> Option<Op> {
        let current = |id: usize| l.entry(entry_id(id)).map_or(1, |(e, _)| e.version);
        Some(match d {
            Drawn::Save {
                id,
                client,
                assistant,
                at,
                minutes,
                cents,
                base,
            } => {
                let start = "2026-10-25T00:00:00+03:00"
                    .parse::<DateTime<FixedOffset>>()
                    .unwrap()
                    + Duration::minutes(*at);
                let start = start.with_timezone(&FixedOffset::east_opt(7200).unwrap());
                let mut w = write(*id, *client, *assistant, "2026-01-01T00:00:00", 0, *cents);
                w.start = start;
                w.end = start + Duration::minutes(*minutes);
                w.base_version = match base {
                    0 => None,
                    1 => Some(current(*id)),
                    _ => Some(current(*id) + 5),
                };
                Op::Save(w)
            }
            Drawn::Delete { id, stale, own } => Op::Retire(Retire {
                id: entry_id(*id),
                kind: RetireKind::Delete {
                    base_version: current(*id) + if *stale { 3 } else { 0 },
                },
                only_assistant: own.then(|| assistant(0)),
            }),
            Drawn::Review { id, approve } => Op::Review(Review {
                id: entry_id(*id),
                approve: *approve,
                reason: "checked".into(),
            }),
            Drawn::Void { id } => Op::Retire(Retire {
                id: entry_id(*id),
                kind: RetireKind::Void {
                    reason: "correction".into(),
                },
                only_assistant: None,
            }),
            Drawn::Close { .. } => return None,
        })
    }

    /// Every invariant of the ledger's state, recomputed from its entries.
    fn check_invariants(l: &Ledger) -> Result<(), TestCaseError> {
        let entries: Vec<&Entry> = l.named.values().map(|(e, _)| e).collect();
        // The sheets hold exactly what their active entries use.
        for ((c, m), s) in &l.sheets {
            let minutes: i64 = entries
                .iter()
                .filter(|e| e.client_id == *c)
                .flat_map(|e| counted(e))
                .filter(|(month, _)| month == m)
                .map(|(_, x)| x)
                .sum();
            let cents: i64 = l
                .named
                .values()
                .filter(|(e, _)| {
                    e.client_id == *c && rules::is_counted(e.status) && trip_month(e) == *m
                })
                .map(|(_, t)| super::cents(t))
                .sum();
            prop_assert_eq!(s.used_minutes, minutes, "minutes of {} {}", c, m);
            prop_assert_eq!(s.transport_used_cents, cents, "cents of {} {}", c, m);
            prop_assert!(s.used_minutes <= ALLOWANCE, "over the allowance");
            prop_assert!(s.transport_used_cents <= TRANSPORT_CAP, "over the cap");
        }
        // No two live entries of a client, or of an assistant, overlap.
        let live: Vec<&&Entry> = entries
            .iter()
            .filter(|e| rules::is_live(e.status))
            .collect();
        for (i, a) in live.iter().enumerate() {
            for b in &live[i + 1..] {
                let overlap = a.start_utc < b.end_utc && b.start_utc < a.end_utc;
                prop_assert!(
                    !(overlap && (a.client_id == b.client_id || a.assistant_id == b.assistant_id)),
                    "{} and {} overlap",
                    a.id,
                    b.id
                );
            }
        }
        // The slots are the live entries; the week totals their minutes.
        prop_assert_eq!(l.slots.len(), live.len());
        let mut weeks: HashMap<(Uuid, IsoWeek), i64> = HashMap::new();
        for e in &live {
            prop_assert_eq!(l.slots.get(&e.id), Some(&Slot::of(e)));
            add_weeks(&mut weeks, &Slot::of(e), 1);
        }
        for (k, m) in &l.weeks {
            prop_assert_eq!(weeks.get(k).copied().unwrap_or(0), *m, "week {:?}", k);
        }
        for (k, m) in &weeks {
            prop_assert_eq!(l.weeks.get(k).copied().unwrap_or(0), *m, "week {:?}", k);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Any sequence of operations, by assistants and coordinators, in months that open, lock
        /// and close: a refused operation changes nothing, an applied one moves its entry's
        /// version by one, and the sheets, slots and week totals always equal what the entries
        /// add up to, within the allowance and the transport cap, with no overlaps.
        #[test]
        fn the_ledger_keeps_its_books(ops in prop::collection::vec(drawn(), 1..40)) {
            let mut l = ledger();
            let mut applied = 0;
            let mut versions: HashMap<(Uuid, Month), i32> = HashMap::new();
            for (by_coordinator, d) in &ops {
                if let Drawn::Close { client: c, month, state } = d {
                    let states = [
                        MonthState::Open,
                        MonthState::Submitted,
                        MonthState::Confirmed,
                        MonthState::Closed,
                    ];
                    let key = (client(*c), months()[*month]);
                    l.sheets.get_mut(&key).unwrap().state = states[*state as usize];
                    continue;
                }
                let op = to_op(&l, d).unwrap();
                let actor = if *by_coordinator { COORDINATOR } else { ASSISTANT };
                let before = view(&l);
                let old = l.entry(op.id()).map(|(e, _)| e.version);
                match l.apply(actor, &op) {
                    Ok(done) => {
                        applied += 1;
                        prop_assert_eq!(done.entry.version, old.map_or(1, |v| v + 1));
                        prop_assert_eq!(&l.entry(op.id()).unwrap().0, &done.entry);
                        prop_assert_eq!(l.events.len(), before.4 + 1);
                    }
                    Err(Fault::Broken(why)) => prop_assert!(false, "broken: {}", why),
                    Err(_) => prop_assert!(view(&l) == before, "a refusal changed the state"),
                }
                check_invariants(&l)?;
                for (k, s) in &l.sheets {
                    let seen = versions.entry(*k).or_insert(s.version);
                    prop_assert!(s.version >= *seen, "a sheet's version went back");
                    *seen = s.version;
                }
            }
            let out = l.finish();
            prop_assert_eq!(out.events.len(), applied);
            let ids: BTreeSet<Uuid> = out.events.iter().map(|e| e.entry.id).collect();
            prop_assert_eq!(out.written.len(), ids.len());
        }
    }
}

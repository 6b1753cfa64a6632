//! The month's life cycle (SPEC §5), per client and month:
//! `open` → `submitted` → `confirmed` | `disputed` → … → `approved` → `closed`, with `reopen`.

pub use mobile_api::MonthState;
use uuid::Uuid;

/// A step someone takes on a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The assistant hands the record in (or the deadline passes).
    Submit,
    /// The client or representative confirms what they saw.
    Confirm,
    /// The client or representative disputes some entries.
    Dispute,
    /// A coordinator approves; without the client's confirmation only with a reason.
    Approve { with_reason: bool },
    /// A coordinator reopens (with a reason).
    Reopen,
    /// Statements are generated and sent.
    Close,
}

/// Why a step is not possible now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The month is confirmed, approved or closed: its entries may not change.
    Locked,
    /// The step does not fit the state (e.g. confirming a month that is still open).
    WrongState,
    /// Approving an unconfirmed month needs a written reason.
    ReasonRequired,
}

/// The state after `step`, or why not. A step that changes nothing (submitting twice) returns the
/// same state.
pub fn next(state: MonthState, step: Step) -> Result<MonthState, Refused> {
    use MonthState::*;
    use Refused::*;
    match (state, step) {
        (Open, Step::Submit) => Ok(Submitted),
        (Submitted, Step::Submit) => Ok(Submitted),
        // The assistant hands in the corrected month: the client sees it again.
        (Disputed, Step::Submit) => Ok(Submitted),
        (Confirmed | Approved | Closed, Step::Submit | Step::Confirm | Step::Dispute) => {
            Err(Locked)
        }
        (Submitted | Disputed, Step::Confirm) => Ok(Confirmed),
        (Submitted | Disputed, Step::Dispute) => Ok(Disputed),
        (Open, Step::Confirm | Step::Dispute) => Err(WrongState),
        (Confirmed, Step::Approve { .. }) => Ok(Approved),
        (Open | Submitted | Disputed, Step::Approve { with_reason: true }) => Ok(Approved),
        (Open | Submitted | Disputed, Step::Approve { with_reason: false }) => Err(ReasonRequired),
        (Submitted | Confirmed | Disputed | Approved, Step::Reopen) => Ok(Open),
        (Approved, Step::Close) => Ok(Closed),
        _ => Err(WrongState),
    }
}

/// Whether entries of a month in `state` are locked for assistants (SPEC §5: after the client's
/// confirmation).
pub fn locked(state: MonthState) -> bool {
    matches!(
        state,
        MonthState::Confirmed | MonthState::Approved | MonthState::Closed
    )
}

/// How what a client confirms differs from the month's live entries, each (id, version).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mismatch {
    /// Live entries the client did not see.
    pub missing: Vec<Uuid>,
    /// Entries the client saw that are not live in the month (or seen twice).
    pub unexpected: Vec<Uuid>,
    /// (id, version now, version seen) of entries changed since the client saw them.
    pub changed: Vec<(Uuid, i32, i32)>,
}

/// A client confirms exactly the entries and versions they saw: `None` when `seen` is the
/// month's live entries, each at its current version; what differs otherwise.
pub fn mismatch(live: &[(Uuid, i32)], seen: &[(Uuid, i32)]) -> Option<Mismatch> {
    let m = Mismatch {
        missing: live
            .iter()
            .filter(|(id, _)| !seen.iter().any(|(s, _)| s == id))
            .map(|(id, _)| *id)
            .collect(),
        unexpected: seen
            .iter()
            .enumerate()
            .filter(|(i, (id, _))| {
                !live.iter().any(|(l, _)| l == id) || seen[..*i].iter().any(|(s, _)| s == id)
            })
            .map(|(_, (id, _))| *id)
            .collect(),
        changed: live
            .iter()
            .filter_map(|(id, now)| {
                let (_, v) = seen.iter().find(|(s, _)| s == id)?;
                (v != now).then_some((*id, *now, *v))
            })
            .collect(),
    };
    (m != Mismatch::default()).then_some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use MonthState::*;

    #[test]
    fn the_life_cycle_allows_only_its_own_steps() {
        assert_eq!(next(Open, Step::Submit), Ok(Submitted));
        assert_eq!(next(Submitted, Step::Dispute), Ok(Disputed));
        assert_eq!(next(Disputed, Step::Confirm), Ok(Confirmed));
        assert_eq!(next(Disputed, Step::Submit), Ok(Submitted));
        assert_eq!(
            next(Confirmed, Step::Approve { with_reason: false }),
            Ok(Approved)
        );
        assert_eq!(next(Approved, Step::Close), Ok(Closed));
        assert_eq!(next(Open, Step::Confirm), Err(Refused::WrongState));
        assert_eq!(
            next(Submitted, Step::Approve { with_reason: false }),
            Err(Refused::ReasonRequired)
        );
        assert_eq!(
            next(Submitted, Step::Approve { with_reason: true }),
            Ok(Approved)
        );
        assert_eq!(next(Confirmed, Step::Dispute), Err(Refused::Locked));
        assert_eq!(next(Closed, Step::Reopen), Err(Refused::WrongState));
        assert_eq!(next(Approved, Step::Reopen), Ok(Open));
    }

    #[test]
    fn every_state_answers_every_step_and_only_closing_leaves_approved_for_closed() {
        let steps = [
            Step::Submit,
            Step::Confirm,
            Step::Dispute,
            Step::Approve { with_reason: false },
            Step::Approve { with_reason: true },
            Step::Reopen,
            Step::Close,
        ];
        for &state in MonthState::ALL {
            for step in steps {
                match next(state, step) {
                    Ok(Closed) => assert_eq!((state, step), (Approved, Step::Close)),
                    Ok(Approved) => assert!(matches!(step, Step::Approve { .. })),
                    // Nothing moves a locked month but approval, reopening and closing.
                    Ok(after) if locked(state) => {
                        assert!(matches!(step, Step::Reopen), "{state} {step:?} -> {after}")
                    }
                    Err(Refused::Locked) => assert!(locked(state)),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn a_confirmation_must_name_every_live_entry_at_its_version() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let live = [(a, 1), (b, 3)];
        assert_eq!(mismatch(&live, &[(b, 3), (a, 1)]), None);
        assert_eq!(mismatch(&[], &[]), None);
        let m = mismatch(&live, &[(a, 1), (c, 1)]).unwrap();
        assert_eq!((m.missing, m.unexpected), (vec![b], vec![c]));
        let m = mismatch(&live, &[(a, 1), (b, 2)]).unwrap();
        assert_eq!(m.changed, [(b, 3, 2)]);
        let m = mismatch(&live, &[(a, 1), (b, 3), (a, 1)]).unwrap();
        assert_eq!(m.unexpected, [a], "seen twice");
    }
}

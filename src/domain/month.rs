//! The month's life cycle (SPEC §5), per client and month:
//! `open` → `submitted` → `confirmed` | `disputed` → … → `approved` → `closed`, with `reopen`.

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
pub fn next(state: &str, step: Step) -> Result<&'static str, Refused> {
    use Refused::*;
    match (state, step) {
        ("open", Step::Submit) => Ok("submitted"),
        ("submitted", Step::Submit) => Ok("submitted"),
        ("disputed", Step::Submit) => Ok("disputed"),
        ("confirmed" | "approved" | "closed", Step::Submit | Step::Confirm | Step::Dispute) => {
            Err(Locked)
        }
        ("submitted" | "disputed", Step::Confirm) => Ok("confirmed"),
        ("submitted" | "disputed", Step::Dispute) => Ok("disputed"),
        ("open", Step::Confirm | Step::Dispute) => Err(WrongState),
        ("confirmed", Step::Approve { .. }) => Ok("approved"),
        ("open" | "submitted" | "disputed", Step::Approve { with_reason: true }) => Ok("approved"),
        ("open" | "submitted" | "disputed", Step::Approve { with_reason: false }) => {
            Err(ReasonRequired)
        }
        ("submitted" | "confirmed" | "disputed" | "approved", Step::Reopen) => Ok("open"),
        ("approved", Step::Close) => Ok("closed"),
        _ => Err(WrongState),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_life_cycle_allows_only_its_own_steps() {
        assert_eq!(next("open", Step::Submit), Ok("submitted"));
        assert_eq!(next("submitted", Step::Dispute), Ok("disputed"));
        assert_eq!(next("disputed", Step::Confirm), Ok("confirmed"));
        assert_eq!(
            next("confirmed", Step::Approve { with_reason: false }),
            Ok("approved")
        );
        assert_eq!(next("approved", Step::Close), Ok("closed"));
        assert_eq!(next("open", Step::Confirm), Err(Refused::WrongState));
        assert_eq!(
            next("submitted", Step::Approve { with_reason: false }),
            Err(Refused::ReasonRequired)
        );
        assert_eq!(
            next("submitted", Step::Approve { with_reason: true }),
            Ok("approved")
        );
        assert_eq!(next("confirmed", Step::Dispute), Err(Refused::Locked));
        assert_eq!(next("closed", Step::Reopen), Err(Refused::WrongState));
        assert_eq!(next("approved", Step::Reopen), Ok("open"));
    }
}

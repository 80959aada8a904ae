"""The workflow table against one written out here by hand, for every state × capacity × action.

The expected table is not read from the code: a row added to (or lost from) `TRANSITIONS` or `EDITS`
makes a case below fail.
"""

import itertools

import pytest

from evaluation.reviews.models import Review, ReviewState
from evaluation.reviews.workflow import Action, Capacity, WorkflowError, apply, permitted

D, S, P, X = "draft", "submitted", "proposed", "decided"
# (state, capacity) -> {action: next state, or "stay" for a change that does not move the review}
EXPECTED = {
    (D, "member"): {"save": "stay", "submit": S},
    (D, "cell"): {"mark_not_classified": P, "enter_on_behalf": S},
    (S, "cell"): {"propose": "stay", "return": D, "forward": P, "mark_not_classified": P},
    (P, "committee"): {"conditions": "stay", "send_back": S, "decide": X},
    (X, "committee"): {"reopen": P, "rerate": X},
    (D, "collective"): {"save": "stay", "submit": S},
    (S, "rating"): {"conditions": "stay", "return": D, "decide": X},
    (X, "rating"): {"reopen": S, "rerate": X},
    **{(state, "archive"): {"import": X} for state in (D, S, P, X)},
    # A leader's quarter: the person registers, saves and submits; the committee scores, returns, decides, reopens.
    (D, "quarter_author"): {"save": "stay", "register": "stay", "submit": S},
    (S, "quarter_assessor"): {"score": "stay", "return": D, "decide": X},
    (X, "quarter_assessor"): {"reopen": S},
}
CASES = list(itertools.product(ReviewState, Capacity, Action))


@pytest.mark.parametrize("state,capacity,action", CASES)
def test_the_table_allows_exactly_what_is_written_here(state, capacity, action):
    outcome = EXPECTED.get((state.value, capacity.value), {}).get(action.value)
    assert (action in permitted(state, capacity)) == (outcome is not None)
    review = Review(state=state, events=[])
    if outcome in (None, "stay"):
        with pytest.raises(WorkflowError):
            apply(review, None, capacity, action, reason="lý do")
        assert review.state is state and review.events == []
    else:
        event = apply(review, None, capacity, action, reason="lý do")
        assert review.state is ReviewState(outcome)
        assert (event.from_state, event.to_state, event.action) == (state, ReviewState(outcome), action.value)


def test_a_review_not_started_is_treated_as_a_draft():
    assert permitted(None, Capacity.MEMBER) == {Action.SAVE, Action.SUBMIT}
    assert permitted(None, Capacity.CELL) == {Action.MARK_NOT_CLASSIFIED, Action.ENTER_ON_BEHALF}


@pytest.mark.parametrize("action", [Action.RETURN, Action.SEND_BACK, Action.REOPEN, Action.MARK_NOT_CLASSIFIED])
def test_actions_that_undo_or_exempt_need_a_reason(action):
    state, capacity = next(
        (ReviewState(s), Capacity(c))
        for (s, c), actions in EXPECTED.items()
        if actions.get(action.value) not in (None, "stay")
    )
    review = Review(state=state, events=[])
    with pytest.raises(WorkflowError, match="lý do"):
        apply(review, None, capacity, action, reason="   ")
    assert review.state is state

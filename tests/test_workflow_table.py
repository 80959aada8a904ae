"""Walk the transition table: every (state, capacity, action) either moves as written or is refused."""

import itertools

import pytest

from evaluation.reviews.models import Review, ReviewState
from evaluation.reviews.workflow import TRANSITIONS, Action, Capacity, WorkflowError, allowed_actions, apply

COMBINATIONS = list(
    itertools.product(ReviewState, Capacity, [a for a in Action if a not in (Action.CREATE, Action.PROPOSE)])
)


@pytest.mark.parametrize("state,capacity,action", COMBINATIONS)
def test_transition_follows_the_table(state, capacity, action):
    review = Review(state=state, events=[])
    expected = TRANSITIONS.get((state, capacity, action))
    if expected is None:
        with pytest.raises(WorkflowError):
            apply(review, None, capacity, action, reason="lý do")
        assert review.state is state and review.events == []
    else:
        event = apply(review, None, capacity, action, reason="lý do")
        assert review.state is expected
        assert (event.from_state, event.to_state, event.action) == (state, expected, action.value)


@pytest.mark.parametrize("action", [Action.RETURN, Action.SEND_BACK, Action.REOPEN, Action.MARK_NOT_CLASSIFIED])
def test_actions_that_undo_or_exempt_need_a_reason(action):
    state, capacity = next((s, c) for (s, c, a) in TRANSITIONS if a is action)
    review = Review(state=state, events=[])
    with pytest.raises(WorkflowError, match="lý do"):
        apply(review, None, capacity, action, reason="   ")
    assert review.state is state


def test_only_the_committee_moves_a_decided_review():
    assert allowed_actions(ReviewState.DECIDED, Capacity.MEMBER) == set()
    assert allowed_actions(ReviewState.DECIDED, Capacity.CELL) == set()
    assert allowed_actions(ReviewState.DECIDED, Capacity.COMMITTEE) == {Action.REOPEN}

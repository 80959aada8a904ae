"""Imports every model so that Alembic and the app see the whole schema."""

from .auth.models import RoleGrant, User  # noqa: F401
from .journal import JournalEntry  # noqa: F401
from .members.models import Member, MembershipChange  # noqa: F401
from .notices.models import Notice  # noqa: F401
from .org.models import Organization  # noqa: F401
from .periods.models import Period, PeriodEvent  # noqa: F401
from .reports.models import Target  # noqa: F401
from .reviews.confirmations import FiguresConfirmation  # noqa: F401
from .reviews.models import Commitment, QuotaException, Review, ReviewEvent  # noqa: F401
from .reviews.publication import Publication  # noqa: F401
from .reviews.quarter_models import QuarterEvent, QuarterReview, QuarterRound  # noqa: F401
from .reviews.tallies import KeptTally, SubtreeSize  # noqa: F401
from .stamps import ResultsStamp  # noqa: F401

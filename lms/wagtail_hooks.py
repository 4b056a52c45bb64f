"""What the learning layer adds to curriculum pages (content/ knows nothing of people)."""

from django.template.loader import render_to_string
from wagtail import hooks

from content.models import LEARNER_STATUS_HOOK

from .access import scope_for, today
from .learning_forms import QUICK_DATE_FIELD, QuickRecordForm
from .learning_views import annotate_status
from .models import LearningRecord


@hooks.register(LEARNER_STATUS_HOOK)
def learner_status(request, page):
    """A care coordinator's status for this item and a one-step form to record it.

    One query beyond the user's scope, which the page's navigation needs anyway.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    scope = scope_for(user)
    if not scope.is_care_coordinator:
        if scope.is_supporter or scope.is_pcn_manager:
            return render_to_string(
                "lms/learning/item_status.html", {"supporter": True}, request=request
            )
        return ""
    record = LearningRecord.objects.filter(person_id=scope.person_id, item=page).first()
    initial = {}
    if record is not None:
        record.item = page  # already loaded: expiry needs its refresher period
        annotate_status([record], today())
        date_field = QUICK_DATE_FIELD.get(record.stage)
        initial = {"stage": record.stage, "on": getattr(record, date_field) if date_field else None}
    form = QuickRecordForm(initial=initial, auto_id="quick-%s")
    return render_to_string(
        "lms/learning/item_status.html",
        {"record": record, "item": page, "quick_form": form},
        request=request,
    )

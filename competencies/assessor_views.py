"""External assessors: one request reviewed through a single-use link, without an account.

The link shows exactly one request (person's name, competency, self-assessment and the
request's evidence) and takes one decision. It never signs anyone in. Once used,
expired, replaced or closed it shows a page that says so and nothing else (410); an
unknown token is 404. Responses are not cached, indexed or sent on as a Referer.
"""

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt

from lms.form_rendering import add_validation_errors
from lms.models import EvidenceFile, LearningRecord

from . import services
from .models import EvidenceKind

SIGN_OFF, RETURN = "sign_off", "return"
UNUSABLE_STATUS = {"used": 410, "revoked": 410, "expired": 410, "closed": 410, "unknown": 404}


def _private(response):
    """The token is in the address: keep the page out of caches, indexes and Referers."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _unusable(request, state):
    return _private(render(request, "competencies/assessor/link_unusable.html",
                           {"state": state}, status=UNUSABLE_STATUS[state]))


def _usable_link(token):
    """(link, state): the link for a token and whether it may be used now."""
    link = services.assessor_link_for_token(token)
    if link is None:
        return None, "unknown"
    return link, link.state(timezone.now())


class AssessorDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(SIGN_OFF, "Sign it off at a level"), (RETURN, "Return it with feedback")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to sign it off or return it"},
    )
    level = forms.TypedChoiceField(
        label="Level",
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        help_text="Only if you sign it off: the level you have seen them work at.",
    )
    comment = forms.CharField(
        label="Your comments or feedback",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="If you sign it off, say what you saw that supports the level. If you "
        "return it, say what is missing or what to do next.",
        error_messages={"required": "Enter your comments or feedback"},
    )
    assessor_name = forms.CharField(
        label="Your full name", max_length=150,
        error_messages={"required": "Enter your full name"},
    )
    assessor_role = forms.CharField(
        label="Your role", max_length=150, required=False,
        help_text="For example, GP partner at Oak Tree Surgery.",
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        # Numbered, so "level 2" in the self-assessment and the evidence reads across.
        self.fields["level"].choices = [
            (number, f"Level {number}: {label}") for number, label in framework.level_choices
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == SIGN_OFF and not cleaned.get("level"):
            self.add_error("level", "Choose the level you are signing it off at")
        return cleaned

    def field_for_error(self, name):
        # The service names the comment "feedback" when returning a request.
        return "comment" if name == "feedback" else name


def request_evidence(sign_off_request):
    """The request's evidence, each with its learning record (item and dates) where it has one.

    Only the records of the request's own person are looked up, in one query.
    """
    evidence = list(sign_off_request.evidence.order_by("added_at", "pk"))
    record_type = ContentType.objects.get_for_model(LearningRecord)
    record_ids = [
        e.object_id for e in evidence
        if e.kind == EvidenceKind.LEARNING_RECORD and e.content_type_id == record_type.pk
    ]
    records = {}
    if record_ids:
        records = LearningRecord.objects.select_related("item").filter(
            pk__in=record_ids, person_id=sign_off_request.person_id
        ).in_bulk()
    for item in evidence:
        item.learning_record = (
            records.get(item.object_id) if item.content_type_id == record_type.pk else None
        )
        item.is_file = item.kind == EvidenceKind.FILE and item.object_id is not None
    return evidence


@login_not_required
# Not CSRF-protected, on purpose. CSRF stops a page borrowing a visitor's cookies; this
# view trusts no cookie or session (the decision is recorded with actor=None), only the
# secret token in the address, which a forging page cannot know. And with
# `Referrer-Policy: no-referrer` browsers send `Origin: null` on the POST, which
# Django's CSRF check would refuse.
@csrf_exempt
def assessor_link(request, token):
    """Review one sign-off request through an emailed link, then decide once."""
    link, state = _usable_link(token)
    if state != "usable":
        return _unusable(request, state)
    sign_off_request = link.request
    framework = sign_off_request.competency.framework
    form = AssessorDecisionForm(
        request.POST if request.method == "POST" else None, framework=framework,
        initial={"assessor_name": sign_off_request.assessor_name,
                 "assessor_role": sign_off_request.assessor_role},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assessor_link_decide(
                link=link, decision=data["decision"],
                level=data["level"] if data["decision"] == SIGN_OFF else None,
                comment=data["comment"], assessor_name=data["assessor_name"],
                assessor_role=data["assessor_role"],
            )
        except ValidationError as error:
            # Someone else decided first, or the link ran out while the form was open.
            link, state = _usable_link(token)
            if state != "usable":
                return _unusable(request, state)
            add_validation_errors(form, error)
        else:
            return _private(render(request, "competencies/assessor/link_done.html",
                                   {"decision": data["decision"]}))
    self_assessment = sign_off_request.self_assessment
    return _private(render(request, "competencies/assessor/link_review.html", {
        "form": form,
        "sign_off_request": sign_off_request,
        "person": sign_off_request.person,
        "competency": sign_off_request.competency,
        "framework": framework,
        "self_assessment": self_assessment,
        "self_assessment_label": framework.level_label(self_assessment.level)
        if self_assessment else "",
        "evidence": request_evidence(sign_off_request),
        "token": token,
        "expires_at": link.expires_at,
    }))


@login_not_required
def assessor_link_file(request, token, evidence_id):
    """A file in the request's evidence, while the link is usable; nothing else."""
    link, state = _usable_link(token)
    if state != "usable":
        return _unusable(request, state)
    sign_off_request = link.request
    evidence = sign_off_request.evidence.filter(
        pk=evidence_id, kind=EvidenceKind.FILE,
        content_type=ContentType.objects.get_for_model(EvidenceFile),
    ).first()
    if evidence is None:
        raise Http404
    file = EvidenceFile.objects.filter(
        pk=evidence.object_id, owner_id=sign_off_request.person_id
    ).first()
    if file is None:
        raise Http404
    response = FileResponse(file.file.open("rb"), as_attachment=True,
                            filename=file.original_name, content_type=file.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)

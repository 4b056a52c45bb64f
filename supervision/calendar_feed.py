"""iCalendar for network sessions: the .ics attached to invitation emails and each person's
secret, revocable calendar feed (their sessions and their next supervision dates).

Only the SHA-256 digest of a feed's token is stored (lms.tokens); whoever has the address
can read the feed, so a person can regenerate it (the old address stops working) or revoke it.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from lms.audit import audit_record
from lms.tokens import new_link_token, token_digest

from .models import (
    CalendarFeed,
    NetworkSession,
    SessionInvitation,
    SessionType,
    SupervisionSession,
)

PRODUCT_ID = "-//NHS England//Coordinate//EN"
#: How far back the feed reaches: recent sessions stay in the calendar for reference.
FEED_DAYS_BACK = 90


def site_url(path: str = "") -> str:
    return settings.SITE_URL.rstrip("/") + path


def _uid_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "coordinate.invalid"


def session_uid(session) -> str:
    """The same for a session in every email and feed, so calendars update one event."""
    return f"network-session-{session.pk}@{_uid_host()}"


def _sequence(session) -> int:
    """Grows with every change of the session's details (minutes since it was created)."""
    return max(0, int((session.updated_at - session.created_at).total_seconds() // 60))


def session_event(session, *, rsvp_label: str = "") -> Event:
    """One VEVENT for a network session; cancelled sessions carry STATUS:CANCELLED."""
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", session.updated_at.astimezone(datetime.UTC))
    event.add("sequence", _sequence(session))
    event.add("dtstart", session.starts_at.astimezone(datetime.UTC))
    event.add("dtend", session.ends_at.astimezone(datetime.UTC))
    cancelled = session.cancelled_at is not None
    event.add("summary", f"Cancelled: {session.title}" if cancelled else session.title)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    location = ", ".join(part for part in (session.venue, session.online_link) if part)
    if location:
        event.add("location", location)
    url = site_url(reverse("network_sessions:detail", args=[session.pk]))
    event.add("url", url)
    lines = [session.get_kind_display(), f"Organised by {session.pcn.name}"]
    if session.online_link:
        lines.append(f"Join online: {session.online_link}")
    if rsvp_label:
        lines.append(f"Your reply: {rsvp_label}")
    if cancelled and session.cancelled_reason:
        lines.append(f"Cancelled: {session.cancelled_reason}")
    if session.description:
        lines += ["", session.description]
    lines += ["", f"Reply and details: {url}"]
    event.add("description", "\n".join(lines))
    return event


def _calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # PUBLISH: the event goes into the calendar; replies are made on the session page.
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def session_ics(session) -> bytes:
    """An .ics file holding one session, for an email attachment."""
    calendar = _calendar()
    calendar.add_component(session_event(session))
    return calendar.to_ical()


def _supervision_event(person, session_type: str, day: datetime.date, now) -> Event:
    event = Event()
    event.add("uid", f"next-supervision-{person.pk}-{session_type}@{_uid_host()}")
    event.add("dtstamp", now.astimezone(datetime.UTC))
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    label = SessionType(session_type).label
    event.add("summary", f"{label} due")
    event.add("description", f"Your next {label.lower()} session is planned for this day.")
    event.add("transp", "TRANSPARENT")
    return event


def next_supervision_dates(person_id: int) -> dict[str, datetime.date]:
    """The next session date of each type, from the latest current session of that type."""
    rows = (
        SupervisionSession.objects.current()
        .filter(care_coordinator_id=person_id)
        .order_by("session_type", "-held_on", "-pk")
        .values_list("session_type", "next_session_on")
    )
    latest = {}
    for session_type, next_on in rows:
        latest.setdefault(session_type, next_on)
    return {kind: day for kind, day in latest.items() if day is not None}


def person_feed(person, now) -> bytes:
    """A person's calendar: sessions they are invited to or facilitate from 90 days ago, and
    their next supervision dates. Three queries however many sessions."""
    since = now - datetime.timedelta(days=FEED_DAYS_BACK)
    invitations = {
        invitation.session_id: invitation
        for invitation in SessionInvitation.objects.filter(
            person=person, session__ends_at__gte=since
        )
    }
    sessions = (
        NetworkSession.objects.filter(
            Q(pk__in=invitations.keys()) | Q(facilitator=person), ends_at__gte=since
        )
        .select_related("pcn")
        .order_by("starts_at", "pk")
    )
    calendar = _calendar("Coordinate: sessions and supervision")
    for session in sessions:
        invitation = invitations.get(session.pk)
        calendar.add_component(
            session_event(session, rsvp_label=invitation.get_rsvp_display() if invitation else "")
        )
    for session_type, day in next_supervision_dates(person.pk).items():
        calendar.add_component(_supervision_event(person, session_type, day, now))
    return calendar.to_ical()


# --- the secret address ------------------------------------------------------------------------


def live_feed(person):
    """The person's feed that still works, if any."""
    return CalendarFeed.objects.filter(person=person, revoked_at__isnull=True).first()


@transaction.atomic
def calendar_feed_create(*, actor, person, now=None) -> tuple[CalendarFeed, str]:
    """A new secret address for the person's feed; any earlier one stops working."""
    now = now or timezone.now()
    revoked = CalendarFeed.objects.select_for_update().filter(
        person=person, revoked_at__isnull=True
    )
    revoked_ids = list(revoked.values_list("pk", flat=True))
    revoked.update(revoked_at=now)
    token, digest = new_link_token()
    feed = CalendarFeed.objects.create(person=person, token_digest=digest, created_at=now)
    audit_record(
        actor=actor, action="calendar_feed.create", obj=feed,
        after={"person": person.pk, "revoked": revoked_ids},
    )
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, actor, person, now=None) -> int:
    """Stop the person's feed address working; returns how many were revoked."""
    now = now or timezone.now()
    feeds = list(
        CalendarFeed.objects.select_for_update().filter(person=person, revoked_at__isnull=True)
    )
    for feed in feeds:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="calendar_feed.revoke", obj=feed,
                     after={"revoked_at": now})
    return len(feeds)


def feed_for_token(token: str):
    """The live feed of a person who has not left, for this token; None otherwise."""
    if not token or len(token) > 200:
        return None
    return (
        CalendarFeed.objects.select_related("person__user")
        .filter(
            token_digest=token_digest(token),
            revoked_at__isnull=True,
            person__left_on__isnull=True,
            person__user__is_active=True,
        )
        .first()
    )


def feed_url(token: str) -> str:
    return site_url(reverse("network_sessions:calendar_feed", args=[token]))

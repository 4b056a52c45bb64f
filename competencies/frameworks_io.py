"""A framework as a file: export to JSON or CSV, and import it back, all or nothing.

Both formats are read into one plain structure (the JSON shape), validated as a whole,
and only then written in one transaction: a file with any error writes nothing.

JSON: {"format_version": 1, "framework": {...}, "domains": [{..., "competencies": [...]}]}
CSV: one row per competency (CSV_COLUMNS). A CSV carries no scale or rule for "met": they
are taken from the framework with that code when it exists, otherwise the defaults.
Row numbers in messages count the header as row 1, as a spreadsheet shows them.
"""

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from content.models import LearningItemPage
from lms.audit import audit_record

from .models import (
    Competency,
    Domain,
    EvidenceLink,
    Framework,
    FrameworkStatus,
    SelfAssessment,
    SignOff,
    SignOffRequest,
    default_scale,
)

FORMAT_VERSION = 1
FRAMEWORK_KEYS = (
    "code", "name", "version", "description", "status", "scale", "signoffs_required",
    "evidence_kinds_required",
)
DOMAIN_KEYS = ("code", "name", "description", "competencies")
COMPETENCY_KEYS = ("code", "title", "descriptor", "target_level", "target_by", "learning_items")
CSV_COLUMNS = (
    "framework_code", "framework_name", "framework_version", "domain_code", "domain_name",
    "competency_code", "title", "descriptor", "target_level", "target_by", "learning_items",
)
CSV_REQUIRED = (
    "framework_code", "framework_name", "framework_version", "domain_code", "domain_name",
    "competency_code", "title", "descriptor",
)
IN_USE_MESSAGE = "This framework is in use: import it as a new version (a new code and version)."
# Spreadsheet formula prefixes; export guards cells as lms.report_views.csv_safe does.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FrameworkImportError(Exception):
    """The file cannot be imported; `messages` says every reason, in file order."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


@dataclass
class ImportResult:
    framework: Framework
    created: bool
    counts: dict = field(default_factory=dict)


# --- Export --------------------------------------------------------------------------------


def framework_data(framework: Framework) -> dict:
    """The framework, its domains and competencies as the JSON export shape."""
    competencies = defaultdict(list)
    queryset = (
        Competency.objects.filter(framework=framework)
        .order_by("domain__sort_order", "sort_order", "pk")
        .prefetch_related("learning_items")
    )
    for competency in queryset:
        competencies[competency.domain_id].append({
            "code": competency.code,
            "title": competency.title,
            "descriptor": competency.descriptor,
            "target_level": competency.target_level,
            "target_by": competency.target_by,
            "learning_items": sorted(item.code for item in competency.learning_items.all()),
        })
    return {
        "format_version": FORMAT_VERSION,
        "framework": {key: getattr(framework, key) for key in FRAMEWORK_KEYS},
        "domains": [
            {
                "code": domain.code,
                "name": domain.name,
                "description": domain.description,
                "competencies": competencies[domain.pk],
            }
            for domain in framework.domains.order_by("sort_order", "pk")
        ],
    }


def framework_export_json(framework: Framework) -> str:
    return json.dumps(framework_data(framework), indent=2, ensure_ascii=False) + "\n"


def _csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def framework_export_csv(framework: Framework) -> str:
    data = framework_data(framework)
    fw = data["framework"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for domain in data["domains"]:
        for comp in domain["competencies"]:
            writer.writerow([_csv_safe(cell) for cell in (
                fw["code"], fw["name"], fw["version"], domain["code"], domain["name"],
                comp["code"], comp["title"], comp["descriptor"], comp["target_level"],
                comp["target_by"], ";".join(comp["learning_items"]),
            )])
    return out.getvalue()


# --- Reading files into the JSON shape ------------------------------------------------------


def _unguard(text: str) -> str:
    """Undo the export's formula guard so a round trip keeps the text exactly."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def parse_json(text: str) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FrameworkImportError(
            [f"This is not a JSON file we can read (line {error.lineno}: {error.msg})."]
        ) from None
    if not isinstance(data, dict):
        raise FrameworkImportError(["The JSON file must hold one object with a framework."])
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FrameworkImportError(["The file has no format_version: export it again."])
    if version > FORMAT_VERSION:
        raise FrameworkImportError([
            f"This file was made by a newer version of Coordinate (format version {version}); "
            f"this version reads format version {FORMAT_VERSION}. Export it again from a "
            "matching version, or update Coordinate."
        ])
    if version < 1:
        raise FrameworkImportError([f"Format version {version} is not one we know."])
    return data


def parse_csv(text: str) -> dict:
    """Rows to the JSON shape; the scale and rules come from the framework with that code."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [name.strip() for name in (reader.fieldnames or [])]
    errors = []
    unknown = [name for name in columns if name not in CSV_COLUMNS]
    if unknown:
        errors.append(f"Unknown columns: {', '.join(unknown)}. The columns are: "
                      f"{', '.join(CSV_COLUMNS)}.")
    missing = [name for name in CSV_REQUIRED if name not in columns]
    if missing:
        errors.append(f"Missing required columns: {', '.join(missing)}.")
    if errors:
        raise FrameworkImportError(errors)
    reader.fieldnames = columns
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            errors.append(f"Row {number} has more cells than there are columns.")
            continue
        cleaned = {key: _unguard((value or "").strip()) for key, value in row.items()}
        if any(cleaned.values()):
            rows.append((number, cleaned))
    if not rows and not errors:
        errors.append("The file has no competencies.")
    if errors:
        raise FrameworkImportError(errors)

    first = rows[0][1]
    for key in ("framework_code", "framework_name", "framework_version"):
        others = sorted({row[key] for _, row in rows} - {first[key]})
        if others:
            errors.append(f"Every row must have the same {key}: found {first[key]!r} and "
                          f"{', '.join(repr(value) for value in others)}.")
    existing = Framework.objects.filter(code=first["framework_code"]).first()
    framework = {
        "code": first["framework_code"],
        "name": first["framework_name"],
        "version": first["framework_version"],
        "description": existing.description if existing else "",
        "status": existing.status if existing else FrameworkStatus.ACTIVE,
        "scale": existing.scale if existing else default_scale(),
        "signoffs_required": existing.signoffs_required if existing else 1,
        "evidence_kinds_required": existing.evidence_kinds_required if existing else 1,
    }
    existing_domains = (
        {d.code: d.description for d in existing.domains.all()} if existing else {}
    )
    domains = {}
    for number, row in rows:
        code = row["domain_code"]
        domain = domains.get(code)
        if domain is None:
            domain = domains[code] = {
                "code": code, "name": row["domain_name"],
                "description": existing_domains.get(code, ""), "competencies": [],
                "_row": number,
            }
        elif domain["name"] != row["domain_name"]:
            errors.append(f"Row {number}: domain {code!r} is named {row['domain_name']!r} here "
                          f"but {domain['name']!r} in row {domain['_row']}.")
        items = [code for code in row.get("learning_items", "").split(";") if code.strip()]
        domain["competencies"].append({
            "code": row["competency_code"],
            "title": row["title"],
            "descriptor": row["descriptor"],
            "target_level": row.get("target_level", ""),
            "target_by": row.get("target_by", ""),
            "learning_items": [code.strip() for code in items],
            "_row": number,
        })
    if errors:
        raise FrameworkImportError(errors)
    return {"format_version": FORMAT_VERSION, "framework": framework,
            "domains": list(domains.values())}


def parse_file(name: str, content: bytes) -> dict:
    """Read an uploaded .csv or .json file."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FrameworkImportError(["Save the file as UTF-8 and try again."]) from None
    lowered = name.lower()
    if lowered.endswith(".json"):
        return parse_json(text)
    if lowered.endswith(".csv"):
        return parse_csv(text)
    raise FrameworkImportError(["Choose a .csv or .json file."])


# --- Validation -----------------------------------------------------------------------------


def _where(entry: dict, fallback: str) -> str:
    return f"Row {entry['_row']}" if "_row" in entry else fallback


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def _check_text(errors, where, model, name, value, *, required=True, label=None):
    label = label or name.replace("_", " ")
    if not isinstance(value, str):
        errors.append(f"{where}: {label} must be text.")
        return
    if required and not value.strip():
        errors.append(f"{where}: enter the {label}.")
        return
    limit = _max_length(model, name)
    if limit and len(value) > limit:
        errors.append(f"{where}: the {label} is longer than {limit} characters.")


def _check_code(errors, where, model, value, label):
    _check_text(errors, where, model, "code", value, label=label)
    if isinstance(value, str) and value.strip():
        try:
            validate_slug(value)
        except ValidationError:
            errors.append(f"{where}: {label} {value!r} may contain only letters, numbers, "
                          "hyphens and underscores.")


def _unknown_keys(errors, where, entry, allowed):
    unknown = sorted(key for key in entry if key not in allowed and not key.startswith("_"))
    if unknown:
        errors.append(f"{where}: unknown fields {', '.join(unknown)}.")


def _level(value, scale):
    """The level number for a number or a level name, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, str):
        names = [str(level).strip().lower() for level in scale]
        name = value.strip().lower()
        return names.index(name) + 1 if name in names else None
    else:
        return None
    return number if 1 <= number <= len(scale) else None


def _validate_framework(errors, fw):
    if not isinstance(fw, dict):
        errors.append("The file has no framework.")
        return False
    _unknown_keys(errors, "Framework", fw, FRAMEWORK_KEYS)
    _check_code(errors, "Framework", Framework, fw.get("code"), "framework code")
    _check_text(errors, "Framework", Framework, "name", fw.get("name"), label="framework name")
    _check_text(errors, "Framework", Framework, "version", fw.get("version"),
                label="framework version")
    fw.setdefault("description", "")
    fw.setdefault("status", FrameworkStatus.ACTIVE)
    fw.setdefault("scale", default_scale())
    fw.setdefault("signoffs_required", 1)
    fw.setdefault("evidence_kinds_required", 1)
    if not isinstance(fw["description"], str):
        errors.append("Framework: the description must be text.")
    if fw["status"] not in FrameworkStatus.values:
        errors.append(f"Framework: status {fw['status']!r} is not one of "
                      f"{', '.join(FrameworkStatus.values)}.")
    scale = fw["scale"]
    scale_ok = (isinstance(scale, list) and len(scale) >= 2
                and all(isinstance(level, str) and level.strip() for level in scale))
    if not scale_ok:
        errors.append("Framework: the scale must list at least two level names, lowest first.")
    for key, low, high in (("signoffs_required", 1, 5), ("evidence_kinds_required", 0, 5)):
        value = fw[key]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.append(f"Framework: {key} must be a whole number from {low} to {high}.")
    return scale_ok


def _validate_competencies(errors, data, scale):
    seen = {}
    wanted_items = set()
    for d_index, domain in enumerate(data["domains"], start=1):
        for c_index, comp in enumerate(domain.get("competencies") or [], start=1):
            where = _where(comp, f"Domain {d_index}, competency {c_index}")
            if not isinstance(comp, dict):
                errors.append(f"{where}: a competency must be an object.")
                continue
            _unknown_keys(errors, where, comp, COMPETENCY_KEYS)
            _check_code(errors, where, Competency, comp.get("code"), "competency code")
            _check_text(errors, where, Competency, "title", comp.get("title"))
            descriptor = comp.get("descriptor")
            if not isinstance(descriptor, str) or not descriptor.strip():
                errors.append(f"{where}: enter the descriptor.")
            comp.setdefault("target_by", "")
            _check_text(errors, where, Competency, "target_by", comp["target_by"],
                        required=False, label="target by")
            raw_level = comp.get("target_level", "")
            if raw_level in ("", None):
                comp["target_level"] = min(3, len(scale)) if scale else 1
            elif scale:
                level = _level(raw_level, scale)
                if level is None:
                    errors.append(
                        f"{where}: target level {raw_level!r} is not on the scale (a number "
                        f"from 1 to {len(scale)} or one of: {', '.join(scale)})."
                    )
                else:
                    comp["target_level"] = level
            items = comp.get("learning_items") or []
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                errors.append(f"{where}: learning_items must be a list of item codes.")
                comp["learning_items"] = []
            else:
                wanted_items.update(items)
            code = comp.get("code")
            if isinstance(code, str) and code:
                if code in seen:
                    first_where, first_comp = seen[code]
                    if "_row" in comp:
                        errors.append(f"Rows {first_comp['_row']} and {comp['_row']} have the "
                                      f"same competency code {code!r}.")
                    else:
                        errors.append(f"{first_where} and {where.lower()} have the same "
                                      f"competency code {code!r}.")
                else:
                    seen[code] = (where, comp)
    return wanted_items


def _validate_items(errors, data, wanted_items):
    known = set(LearningItemPage.objects.filter(code__in=wanted_items)
                .values_list("code", flat=True))
    unknown_all = []
    for d_index, domain in enumerate(data["domains"], start=1):
        for c_index, comp in enumerate(domain.get("competencies") or [], start=1):
            if not isinstance(comp, dict):
                continue
            unknown = [code for code in comp.get("learning_items", []) if code not in known]
            if unknown:
                where = _where(comp, f"Domain {d_index}, competency {c_index}")
                errors.append(f"{where}: unknown learning item codes: {', '.join(unknown)}.")
                unknown_all.extend(unknown)
    return unknown_all


def _validate_against_database(errors, data):
    fw = data["framework"]
    existing = Framework.objects.filter(code=fw["code"]).first()
    clash = Framework.objects.filter(name=fw["name"], version=fw["version"])
    if existing:
        clash = clash.exclude(pk=existing.pk)
    clash = clash.first()
    if clash:
        errors.append(f"Framework: {clash} already exists with the code {clash.code!r}. Give "
                      "this one another version, or use that code to update it.")
    if existing is None:
        return None
    if SignOff.objects.filter(competency__framework=existing).exists():
        errors.append(IN_USE_MESSAGE)
        return existing
    kept = {comp.get("code") for domain in data["domains"]
            for comp in domain.get("competencies") or [] if isinstance(comp, dict)}
    removed = Competency.objects.filter(framework=existing).exclude(code__in=kept)
    for competency in removed:
        used = (
            SelfAssessment.objects.filter(competency=competency).exists()
            or EvidenceLink.objects.filter(competency=competency).exists()
            or SignOffRequest.objects.filter(competency=competency).exists()
        )
        if used:
            errors.append(f"Competency {competency.code!r} is not in the file but people have "
                          "records against it: keep it in the file, or import the file as a "
                          "new version.")
    return existing


def framework_validate(data: dict) -> list[str]:
    """Every reason the parsed file cannot be imported; empty when it can."""
    errors = []
    if not isinstance(data, dict):
        return ["The file has no framework."]
    _unknown_keys(errors, "File", data, ("format_version", "framework", "domains"))
    scale_ok = _validate_framework(errors, data.get("framework"))
    domains = data.get("domains")
    if not isinstance(domains, list) or not domains:
        errors.append("The file has no domains.")
        return errors
    codes = {}
    for index, domain in enumerate(domains, start=1):
        where = _where(domain, f"Domain {index}") if isinstance(domain, dict) else ""
        if not isinstance(domain, dict):
            errors.append(f"Domain {index}: a domain must be an object.")
            continue
        _unknown_keys(errors, where, domain, DOMAIN_KEYS)
        _check_code(errors, where, Domain, domain.get("code"), "domain code")
        _check_text(errors, where, Domain, "name", domain.get("name"), label="domain name")
        domain.setdefault("description", "")
        code = domain.get("code")
        if code in codes and "_row" not in domain:
            errors.append(f"Domains {codes[code]} and {index} have the same code {code!r}.")
        codes.setdefault(code, index)
        if not isinstance(domain.get("competencies", []), list):
            errors.append(f"{where}: competencies must be a list.")
            domain["competencies"] = []
    domains[:] = [d for d in domains if isinstance(d, dict)]
    scale = data["framework"]["scale"] if scale_ok else None
    wanted_items = _validate_competencies(errors, data, scale)
    _validate_items(errors, data, wanted_items)
    fw = data.get("framework")
    if isinstance(fw, dict) and all(isinstance(fw.get(k), str) for k in ("code", "name",
                                                                        "version")):
        _validate_against_database(errors, data)
    return errors


# --- Writing --------------------------------------------------------------------------------


def framework_write(data: dict, framework: Framework | None = None) -> tuple[Framework, dict]:
    """Make the framework match validated data: update by code, add, then remove the rest.

    Callers validate first and hold a transaction.
    """
    fw = data["framework"]
    counts = defaultdict(int)
    if framework is None:
        framework = Framework(code=fw["code"])
        counts["frameworks created"] += 1
    for key in FRAMEWORK_KEYS:
        setattr(framework, key, fw[key])
    framework.full_clean()
    framework.save()
    items = {page.code: page for page in LearningItemPage.objects.filter(code__in={
        code for d in data["domains"] for c in d["competencies"] for code in c["learning_items"]
    })}
    domains = {d.code: d for d in framework.domains.all()}
    competencies = {c.code: c for c in Competency.objects.filter(framework=framework)}
    kept_domains, kept_competencies = set(), set()
    for d_order, d_data in enumerate(data["domains"]):
        domain = domains.get(d_data["code"])
        if domain is None:
            domain = Domain(framework=framework, code=d_data["code"])
            counts["domains created"] += 1
        domain.name, domain.description = d_data["name"], d_data["description"]
        domain.sort_order = d_order
        domain.save()
        kept_domains.add(domain.pk)
        for c_order, c_data in enumerate(d_data["competencies"]):
            competency = competencies.get(c_data["code"])
            if competency is None:
                competency = Competency(framework=framework, code=c_data["code"])
                counts["competencies created"] += 1
            competency.domain = domain
            for key in ("title", "descriptor", "target_level", "target_by"):
                setattr(competency, key, c_data[key])
            competency.sort_order = c_order
            competency.save()
            competency.learning_items.set([items[code] for code in c_data["learning_items"]])
            kept_competencies.add(competency.pk)
    removed = Competency.objects.filter(framework=framework).exclude(pk__in=kept_competencies)
    counts["competencies removed"] += removed.count()
    for competency in removed:
        competency.learning_items.clear()
    removed.delete()
    counts["domains removed"] += framework.domains.exclude(pk__in=kept_domains).delete()[0]
    return framework, dict(counts)


def _strip_positions(data: dict) -> dict:
    """The data without the row numbers kept for messages."""
    clean = json.loads(json.dumps(data, default=str))
    for domain in clean["domains"]:
        domain.pop("_row", None)
        for comp in domain["competencies"]:
            comp.pop("_row", None)
    return clean


@transaction.atomic
def framework_import(*, actor, data: dict) -> ImportResult:
    """Create or update a framework from a parsed file; refuse it whole if anything is wrong.

    A framework with sign-offs is never changed: import it as a new version instead.
    """
    errors = framework_validate(data)
    if errors:
        raise FrameworkImportError(errors)
    existing = (Framework.objects.select_for_update()
                .filter(code=data["framework"]["code"]).first())
    # Checked again under the lock: a sign-off may have been made since validation.
    if existing and SignOff.objects.filter(competency__framework=existing).exists():
        raise FrameworkImportError([IN_USE_MESSAGE])
    before = framework_data(existing) if existing else None
    framework, counts = framework_write(_strip_positions(data), existing)
    audit_record(actor=actor, action="framework.import", obj=framework,
                 before=before, after=framework_data(framework))
    return ImportResult(framework=framework, created=existing is None, counts=counts)


def framework_import_file(*, actor, name: str, content: bytes) -> ImportResult:
    """Parse, validate and import an uploaded .csv or .json file."""
    return framework_import(actor=actor, data=parse_file(name, content))


# --- Seeding --------------------------------------------------------------------------------
#
# Seeding rule (there is no field to remember what the seed wrote, so it compares content):
# a framework missing is created whole. One that exists is filled in (missing domains,
# competencies and learning item links added) only while everything in it is exactly what
# the seed would write, in the seed's order; any other difference means an editor changed
# it, and the seed leaves the whole framework alone. The seed never changes or removes a
# row. Caveat: a seeded competency an editor deleted, with nothing else changed, comes back:
# retire the framework, or change it, instead.

EDITOR_MODEL_PERMISSIONS = tuple(
    f"{action}_{model}" for model in ("framework", "domain", "competency")
    for action in ("add", "change", "view")
)


def _subsequence(codes, order) -> bool:
    """True if every code is in `order`, in the same relative order."""
    remaining = iter(order)
    return all(code in remaining for code in codes)


def _seed_owned(current: dict, wanted: dict) -> bool:
    """True while the framework holds nothing but (part of) what the seed would write."""
    if current["framework"] != wanted["framework"]:
        return False
    wanted_domains = {domain["code"]: domain for domain in wanted["domains"]}
    if not _subsequence([d["code"] for d in current["domains"]], list(wanted_domains)):
        return False
    for domain in current["domains"]:
        seed_domain = wanted_domains[domain["code"]]
        if (domain["name"], domain["description"]) != (
            seed_domain["name"], seed_domain["description"]
        ):
            return False
        seeded = {comp["code"]: comp for comp in seed_domain["competencies"]}
        if not _subsequence([c["code"] for c in domain["competencies"]], list(seeded)):
            return False
        for comp in domain["competencies"]:
            seed_comp = seeded[comp["code"]]
            if any(comp[key] != seed_comp[key]
                   for key in ("title", "descriptor", "target_level", "target_by")):
                return False
            if not set(comp["learning_items"]) <= set(seed_comp["learning_items"]):
                return False
    return True


def _seed_wanted(entry: dict, known_items: set, notes: list) -> dict:
    """The seed entry as import data, without links to items not in the curriculum (noted)."""
    wanted = json.loads(json.dumps({"format_version": FORMAT_VERSION, **entry}))
    for domain in wanted["domains"]:
        for comp in domain["competencies"]:
            missing = [code for code in comp["learning_items"] if code not in known_items]
            if missing:
                notes.append(f"{wanted['framework']['code']} / {comp['code']}: no learning "
                             f"item {', '.join(missing)} (run seed_curriculum first)")
            comp["learning_items"] = [c for c in comp["learning_items"] if c in known_items]
    return wanted


def editor_permissions_setup():
    """Curriculum editors may add, change and view frameworks, domains and competencies."""
    from content.services import EDITORS_GROUP  # the group lms.services keeps editors in

    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="wagtailadmin",
                                   codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="competencies",
                                   codename__in=EDITOR_MODEL_PERMISSIONS),
    )
    return group


@transaction.atomic
def frameworks_seed(frameworks=None) -> tuple[Counter, list[str]]:
    """Create the seeded frameworks; never change one an editor has changed.

    Returns the count of each outcome and notes (links skipped for missing items).
    """
    from .framework_data import FRAMEWORKS

    outcomes, notes = Counter(), []
    known_items = set(LearningItemPage.objects.values_list("code", flat=True))
    for entry in FRAMEWORKS if frameworks is None else frameworks:
        wanted = _seed_wanted(entry, known_items, notes)
        existing = Framework.objects.filter(code=wanted["framework"]["code"]).first()
        if existing is None:
            errors = framework_validate(wanted)
            if errors:
                raise FrameworkImportError(errors)
            framework, _ = framework_write(wanted)
            outcome = "created"
        else:
            current = framework_data(existing)
            if current == wanted:
                outcomes["unchanged"] += 1
                continue
            if not _seed_owned(current, wanted):
                outcomes["kept (changed by an editor)"] += 1
                continue
            framework, _ = framework_write(wanted, existing)
            outcome = "updated (added what was missing)"
        outcomes[outcome] += 1
        audit_record(actor=None, action=f"framework.seed.{outcome.split()[0]}", obj=framework,
                     after=framework_data(framework))
    editor_permissions_setup()
    return outcomes, notes

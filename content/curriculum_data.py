"""The care coordinator curriculum as `seed_curriculum` writes it (text drawn from the seeds).

Induction weeks and refresher periods are defaults a PCN can change in the editor.
Each item's `code` is permanent: learning records and competencies refer to it.
"""

import datetime

from .models import DeliveryMode as D
from .models import Evidence as E
from .models import Kind as K

PCI = "Personalised Care Institute"
PCI_URL = "https://www.personalisedcareinstitute.org.uk/"
ELFH = "e-Learning for Healthcare (e-LfH)"
ELFH_URL = "https://www.e-lfh.org.uk/"
EMPLOYER = "Your employer (Core Skills Training Framework)"
PCN = "Your PCN"

INDEX = {
    "title": "Curriculum",
    "slug": "curriculum",
    "intro": (
        "What a care coordinator learns: the Personalised Care Institute's core curriculum, "
        "e-learning, the Care Certificate, statutory and mandatory training, local induction "
        "and ongoing development. Every learning record points at an item here."
    ),
    "body": [
        {
            "type": "inset_text",
            "value": {
                "body": (
                    "<p>Care coordinators require a strong foundation in enabling and "
                    "communication skills as set out in the core Curriculum for Personalised "
                    "Care. PCNs should make sure that this training comes only from providers "
                    "assured by the Personalised Care Institute.</p>"
                )
            },
        }
    ],
}

FRAMEWORK_VERSIONS = [
    {
        "code": "care-certificate-2015",
        "name": "Care Certificate",
        "version": "2015",
        "effective_from": datetime.date(2015, 4, 1),
        "effective_to": datetime.date(2025, 7, 31),
        "description": (
            "The 15 standards developed by Skills for Care, Health Education England and "
            "Skills for Health. Superseded by the 2025 standards; records made against them "
            "keep this version."
        ),
    },
    {
        "code": "care-certificate-2025",
        "name": "Care Certificate",
        "version": "2025",
        "effective_from": datetime.date(2025, 3, 1),
        "effective_to": None,
        "description": (
            "Skills for Care updated the standards in March 2025 to 16: a new standard on "
            "awareness of learning disability and autism; standard 4 became 'Equality, "
            "diversity, inclusion and human rights' and standard 9 'Awareness of mental "
            "health and dementia'."
        ),
    },
]


def _item(code, title, kind, summary, **fields):
    return {"code": code, "title": title, "kind": kind, "summary": summary, **fields}


# --- Personalised Care Institute -------------------------------------------------------------

PCI_AREAS = [
    ("values", "Values in personalised care",
     "The values behind personalised care: putting people and their families at the centre of "
     "decisions, seeing them as experts in their own lives, and focusing on what matters to "
     "the person."),
    ("capabilities", "Capabilities in personalised care",
     "Knowledge of the core concepts and principles of personalised care, shared decision "
     "making, patient activation, health behaviour change, self-efficacy, motivation and "
     "assets-based approaches."),
    ("communication", "Core communication and relationship-building skills",
     "Building trusting relationships and listening closely to what matters to people, using "
     "simple, health-literate communication techniques such as teach-back."),
    ("engage", "Capabilities to engage people",
     "Shared agenda setting and collaborative goal setting, so that people take an active part "
     "in conversations about their health and care."),
    ("motivate", "Capabilities to motivate, enable and support people",
     "Structuring conversations with a coaching approach, supporting behaviour change and "
     "self-management, and shared follow-up planning."),
]

PCI_ELEARNING = [
    ("core-skills", "Core skills in personalised care",
     "The Personalised Care Institute's introduction to personalised care, suitable as part of "
     "a care coordinator's induction."),
    ("pcsp", "Personalised care and support planning",
     "How to bring together a person's identified care and support needs and explore options "
     "to meet them in a single personalised care and support plan, based on what matters to "
     "the person."),
    ("behaviour-change", "Supporting behaviour change",
     "How to help people change health-related behaviours, building their knowledge, skills "
     "and confidence."),
    ("health-literacy", "Health literacy skills",
     "Simple, health-literate communication, such as teach-back, so that people understand "
     "the information they are given and can act on it."),
]

PCI_SECTION = {
    "slug": "personalised-care-institute",
    "title": "Personalised Care Institute training",
    "intro": (
        "The Personalised Care Institute (PCI) sets the core curriculum and training standards "
        "in personalised care. Care coordinators complete a 2-day accredited health coaching "
        "skills course and PCI e-learning."
    ),
    "body": [
        {
            "type": "warning_callout",
            "value": {
                "title": "Use PCI-assured providers only",
                "heading_level": 2,
                "body": (
                    "<p>PCNs should make sure that training for care coordinators is provided "
                    "only by providers the Personalised Care Institute has assured. The Network "
                    "Contract DES requires each care coordinator to be enrolled in, undertaking "
                    "or qualified from this training.</p>"
                ),
            },
        }
    ],
    "items": [
        *[
            _item(
                f"pci-area-{code}", title, K.PCI_CURRICULUM_AREA, summary,
                provider=PCI, pci_assured=True,
            )
            for code, title, summary in PCI_AREAS
        ],
        *[
            _item(
                f"pci-elearning-{code}", title, K.PCI_ELEARNING, summary,
                provider=PCI, pci_assured=True, external_url=PCI_URL,
                delivery_mode=D.E_LEARNING, induction_week=8, evidence_expected=[E.CERTIFICATE],
            )
            for code, title, summary in PCI_ELEARNING
        ],
        _item(
            "pci-health-coaching-course", "Health coaching skills (2-day accredited course)",
            K.PCI_COURSE,
            "The Personalised Care Institute's 2-day accredited health coaching skills course: "
            "the foundation in enabling and communication skills that the core Curriculum for "
            "Personalised Care sets out for care coordinators.",
            provider="A PCI-assured training provider", pci_assured=True, external_url=PCI_URL,
            delivery_mode=D.FACE_TO_FACE, estimated_hours=14, induction_week=26,
            evidence_expected=[E.CERTIFICATE, E.ATTENDANCE],
            learning_outcomes="\n".join([
                "Set a shared agenda for a conversation",
                "Set goals collaboratively with the person",
                "Plan shared follow-up",
                "Use simple health-literate communication techniques such as teach-back",
                "Structure conversations using a coaching approach",
            ]),
            body=[{
                "type": "action_link",
                "value": {
                    "text": "Health Education England guidance on health coaching",
                    "external_url": "https://www.hee.nhs.uk/our-work/health-coaching",
                    "new_window": False,
                },
            }],
            covers=[(f"pci-area-{code}", "") for code, _, _ in PCI_AREAS],
        ),
    ],
}

# --- Universal Model of Personalised Care ----------------------------------------------------

UNIVERSAL_MODEL_SECTION = {
    "slug": "universal-model",
    "title": "Universal Model of Personalised Care",
    "intro": (
        "Care coordinators should be familiar with the six components of the Universal Model of "
        "Personalised Care, with a specific focus on shared decision making, personalised care "
        "and support planning, supported self-management and personal health budgets."
    ),
    "items": [
        _item("um-shared-decision-making", "Shared decision making", K.UNIVERSAL_MODEL,
              "Supporting people to use decision aids before a shared decision-making "
              "conversation, and raising awareness across the PCN of shared decision making and "
              "decision support tools.", provider="NHS England"),
        _item("um-personalised-care-support-planning", "Personalised care and support planning",
              K.UNIVERSAL_MODEL,
              "Bringing together all of a person's identified care and support needs and "
              "exploring options to meet them within a single personalised care and support "
              "plan, based on what matters to the person.", provider="NHS England"),
        _item("um-enabling-choice", "Enabling choice, including legal rights to choice",
              K.UNIVERSAL_MODEL,
              "Making sure that people have good quality written or verbal information to help "
              "them make choices about their care, including their legal rights to choice.",
              provider="NHS England"),
        _item("um-social-prescribing", "Social prescribing and community-based support",
              K.UNIVERSAL_MODEL,
              "Working with social prescribing link workers, who address the wider "
              "determinants of health such as poor housing, debt, stress and loneliness and "
              "connect people to local community groups and agencies.", provider="NHS England"),
        _item("um-supported-self-management", "Supported self-management", K.UNIVERSAL_MODEL,
              "Helping people understand their level of knowledge, skills and confidence "
              "(their activation level) and access self-management education courses, peer "
              "support or interventions that support their health and wellbeing.",
              provider="NHS England"),
        _item("um-personal-health-budgets", "Personal health budgets and integrated personal "
              "budgets", K.UNIVERSAL_MODEL,
              "Exploring with people whether a personal health budget (or an integrated personal "
              "budget) is appropriate, and helping them to access one.", provider="NHS England"),
    ],
}

# --- e-Learning for Healthcare ---------------------------------------------------------------

ELFH_COURSES = [
    ("care-certificate", "Care Certificate programme",
     "Learning materials to support the knowledge, skills and behaviours for all 15 standards "
     "of the Care Certificate, including frailty, infection prevention and control, and mental "
     "health, dementia and learning disability. Review sections on their own or the programme "
     "as a whole.", "https://www.e-lfh.org.uk/programmes/care-certificate/", 12),
    ("person-centred-approaches", "Person Centred Approaches",
     "Enables staff to behave in a person-centred way, based on the person-centred approaches "
     "framework, which sets out core, transferable behaviours, knowledge and skills.",
     ELFH_URL, None),
    ("community-centred-approaches", "Community Centred Approaches to Health Improvement",
     "Community-centred approaches to improving health and wellbeing.", ELFH_URL, None),
    ("nhs-e-referral-service", "NHS e-Referral Service",
     "A better understanding of the NHS e-Referral Service (e-RS) and the functions available "
     "to NHS and healthcare staff.", ELFH_URL, None),
    ("effective-referrals", "Effective Referrals to Other Clinical Teams",
     "What to think about before referring to other clinical teams, and how to make effective "
     "referrals.", ELFH_URL, None),
    ("information-standard", "Information Standard",
     "An introduction to what the Information Standard is, why it is important and why it "
     "might be relevant to your role.", ELFH_URL, None),
    ("physical-activity-and-health", "Physical Activity and Health",
     "Prepares healthcare professionals to champion the benefits of physical activity with "
     "their patients, helping to prevent and manage common physical and mental health "
     "conditions. Includes a section on promoting physical health in primary care.",
     ELFH_URL, None),
    ("making-every-contact-count", "Making Every Contact Count",
     "An understanding of public health and the factors that affect a person's health and "
     "wellbeing, and how asking questions and listening effectively is a vital role for us "
     "all.", ELFH_URL, None),
    ("mental-health-social-prescribing",
     "Supporting people with their mental health through social prescribing",
     "How social prescribing can support people with their mental health, alongside the "
     "other personalised care roles.", ELFH_URL, None),
]

ELFH_COVERS = {
    "care-certificate": [
        *[(f"cc2015-{n:02d}", "") for n in range(1, 16)],
        ("cstf-infection-prevention-control",
         "its infection prevention and control section; check your employer accepts it"),
    ],
    "mental-health-social-prescribing": [("um-social-prescribing", "")],
}

ELFH_SECTION = {
    "slug": "e-learning-for-healthcare",
    "title": "e-Learning for Healthcare courses",
    "intro": (
        "Free e-learning from e-Learning for Healthcare (e-LfH) that supports the Universal "
        "Model of Personalised Care and the work of a care coordinator. The learning happens on "
        "e-LfH: record your completion and certificate here."
    ),
    "body": [
        {
            "type": "inset_text",
            "value": {
                "body": (
                    "<p>Register on e-LfH with your NHS email address. The list is not "
                    "exhaustive and programmes are updated regularly: use e-LfH's full "
                    "catalogue or search to find more.</p>"
                )
            },
        }
    ],
    "items": [
        _item(
            f"elfh-{code}", title, K.ELFH_COURSE, summary,
            provider=ELFH, external_url=url, delivery_mode=D.E_LEARNING,
            induction_week=week, evidence_expected=[E.CERTIFICATE],
            covers=ELFH_COVERS.get(code, []),
        )
        for code, title, summary, url, week in ELFH_COURSES
    ],
}

# --- Care Certificate ------------------------------------------------------------------------

CC_SUMMARIES = {
    "Understand your role": "Your responsibilities, working in the ways agreed with your "
    "employer, and working in partnership with others.",
    "Your personal development": "Agreeing a personal development plan and developing your "
    "knowledge, skills and understanding.",
    "Duty of care": "What duty of care means for safe practice, and handling dilemmas, "
    "comments and complaints, incidents, errors and near misses.",
    "Equality and diversity": "Why equality and inclusion matter, the law that protects them, "
    "and working in an inclusive way.",
    "Equality, diversity, inclusion and human rights": "Equality, inclusion and human rights, "
    "protected characteristics, bias and discrimination, and how to recognise and challenge "
    "discrimination.",
    "Work in a person-centred way": "Person-centred values in everyday work, and supporting "
    "people's wellbeing, choice and independence.",
    "Communication": "Effective communication, meeting people's communication and language "
    "needs, and confidentiality.",
    "Privacy and dignity": "Respecting people's privacy and dignity, and supporting their "
    "right to make choices.",
    "Fluids and nutrition": "Why good hydration and nutrition matter, and supporting people to "
    "eat and drink well.",
    "Awareness of mental health, dementia and learning disability": "Understanding the needs "
    "and experiences of people with mental health conditions, dementia or learning "
    "disabilities.",
    "Awareness of mental health and dementia": "Understanding the needs and experiences of "
    "people with mental health conditions or dementia.",
    "Safeguarding adults": "Recognising signs of abuse and neglect of adults and knowing how "
    "to report concerns.",
    "Safeguarding children": "Recognising when a child may be at risk of harm and knowing how "
    "to report concerns.",
    "Basic life support": "Recognising a medical emergency and giving basic life support.",
    "Health and safety": "Your own and others' health and safety at work, including risk "
    "assessment and what to do in an emergency.",
    "Handling information": "Recording, storing and sharing information securely and "
    "accurately.",
    "Infection prevention and control": "Preventing the spread of infection, including hand "
    "hygiene and personal protective equipment.",
    "Awareness of learning disability and autism": "Understanding the needs and experiences of "
    "autistic people and people with a learning disability, and making reasonable "
    "adjustments.",
}

CC_2015 = [
    "Understand your role", "Your personal development", "Duty of care",
    "Equality and diversity", "Work in a person-centred way", "Communication",
    "Privacy and dignity", "Fluids and nutrition",
    "Awareness of mental health, dementia and learning disability", "Safeguarding adults",
    "Safeguarding children", "Basic life support", "Health and safety", "Handling information",
    "Infection prevention and control",
]
CC_2025 = [
    *CC_2015[:3], "Equality, diversity, inclusion and human rights", *CC_2015[4:8],
    "Awareness of mental health and dementia", *CC_2015[9:],
    "Awareness of learning disability and autism",
]


def _care_certificate_section(version, titles, *, current):
    return {
        "slug": f"care-certificate-{version}",
        "title": f"Care Certificate standards ({version})",
        "intro": (
            f"The {len(titles)} Care Certificate standards of {version}. The Care Certificate "
            "is an induction framework, not a qualification, usually completed in the first "
            "12 weeks."
            + ("" if current else " Kept for records made against this version: new starters "
               "use the 2025 standards.")
        ),
        "items": [
            _item(
                f"cc{version}-{number:02d}", f"Standard {number}: {title}", K.CARE_CERTIFICATE,
                CC_SUMMARIES[title],
                provider="Skills for Care (assessed in your workplace)",
                delivery_mode=D.WORKPLACE, framework=f"care-certificate-{version}",
                standard_number=number, induction_week=12 if current else None,
                evidence_expected=[E.OBSERVATION, E.CERTIFICATE],
            )
            for number, title in enumerate(titles, start=1)
        ],
    }


# --- Statutory and mandatory -----------------------------------------------------------------

CSTF = [
    ("information-governance", "Information governance and data security", 12,
     "Handling personal and confidential information lawfully and securely, and keeping data "
     "safe."),
    ("equality-diversity-human-rights", "Equality, diversity and human rights", 36,
     "Treating everyone fairly, respecting diversity and upholding human rights at work."),
    ("health-safety-welfare", "Health, safety and welfare", 36,
     "Keeping yourself, colleagues and patients safe at work, and reporting hazards."),
    ("conflict-resolution", "Conflict resolution", 36,
     "Recognising and calming conflict, and keeping yourself and others safe."),
    ("fire-safety", "Fire safety", 24,
     "Preventing fires, and what to do if a fire breaks out where you work."),
    ("infection-prevention-control", "Infection prevention and control", 36,
     "Preventing and controlling the spread of infection, including hand hygiene."),
    ("moving-handling", "Moving and handling", 36,
     "Moving and handling loads safely to prevent injury."),
    ("safeguarding-adults", "Safeguarding adults", 36,
     "Recognising abuse and neglect of adults at risk and following safeguarding procedures, "
     "including concerns about abuse, domestic violence and mental health."),
    ("safeguarding-children", "Safeguarding children", 36,
     "Recognising when a child may be at risk of harm and following safeguarding procedures."),
    ("resuscitation", "Resuscitation (level 1)", 36,
     "Recognising a cardiac arrest, calling for help and starting basic life support."),
    ("preventing-radicalisation", "Preventing radicalisation", 36,
     "Recognising people who may be at risk of radicalisation and knowing how to raise a "
     "concern."),
]

STATUTORY_SECTION = {
    "slug": "statutory-and-mandatory",
    "title": "Statutory and mandatory training",
    "intro": (
        "The Core Skills Training Framework subjects most NHS employers follow, the Oliver "
        "McGowan training, and the statutory and mandatory subjects named for care "
        "coordinators. Complete them in your first 4 weeks and refresh them when they expire."
    ),
    "body": [
        {
            "type": "inset_text",
            "value": {
                "body": (
                    "<p>Refresher periods differ between employers (fire safety and infection "
                    "control are yearly in some). The periods here are defaults: your PCN may "
                    "set its own.</p>"
                )
            },
        }
    ],
    "items": [
        *[
            _item(
                f"cstf-{code}", title, K.STATUTORY_MANDATORY, summary,
                provider=EMPLOYER, delivery_mode=D.E_LEARNING, refresher_months=months,
                induction_week=4, evidence_expected=[E.CERTIFICATE],
            )
            for code, title, months, summary in CSTF
        ],
        _item(
            "oliver-mcgowan-training",
            "The Oliver McGowan Mandatory Training on Learning Disability and Autism",
            K.STATUTORY_MANDATORY,
            "Training for health and care staff in supporting autistic people and people with a "
            "learning disability, so that they get the right care and reasonable adjustments.",
            provider="NHS England", delivery_mode=D.E_LEARNING, induction_week=4,
            evidence_expected=[E.CERTIFICATE],
        ),
        _item(
            "statutory-governance", "Information governance, accountability and clinical "
            "governance", K.STATUTORY_MANDATORY,
            "The principles of information governance, accountability and clinical governance "
            "as they apply to a care coordinator's work.",
            provider=EMPLOYER, delivery_mode=D.E_LEARNING, induction_week=4,
            evidence_expected=[E.CERTIFICATE],
        ),
        _item(
            "statutory-record-keeping", "Accurate record keeping", K.STATUTORY_MANDATORY,
            "Keeping accurate and relevant records of the care and support needs agreed with "
            "each person.", provider=PCN, delivery_mode=D.WORKPLACE, induction_week=4,
            evidence_expected=[E.OBSERVATION],
        ),
        _item(
            "statutory-sharing-with-carers", "Sharing information with carers",
            K.STATUTORY_MANDATORY,
            "Identifying when it is appropriate to share information with carers.",
            provider=PCN, delivery_mode=D.WORKPLACE, induction_week=4,
            evidence_expected=[E.ATTENDANCE],
        ),
        _item(
            "statutory-consent-capacity-safeguarding", "Consent, capacity and safeguarding",
            K.STATUTORY_MANDATORY,
            "The professional and legal aspects of consent, mental capacity and safeguarding.",
            provider=EMPLOYER, delivery_mode=D.E_LEARNING, induction_week=4,
            evidence_expected=[E.CERTIFICATE],
        ),
    ],
}

# --- Local induction and cohort-specific -----------------------------------------------------

LOCAL_INDUCTION_SECTION = {
    "slug": "local-induction",
    "title": "Local induction",
    "intro": (
        "Induction to your PCN and its practices, the health and care landscape, the systems "
        "you will use and the multidisciplinary team you will work in."
    ),
    "items": [
        _item("local-pcn-induction", "Local induction to the PCN and the health and care "
              "landscape", K.LOCAL_INDUCTION,
              "How your PCN and its core network practices work, who your first point of "
              "contact and GP supervisor are, and how local health and care services fit "
              "together.", provider=PCN, delivery_mode=D.WORKPLACE, induction_week=1,
              evidence_expected=[E.ATTENDANCE]),
        _item("local-health-systems", "Electronic health systems and patient data",
              K.LOCAL_INDUCTION,
              "Using the practices' electronic health systems and patient data to identify "
              "vulnerable or complex patients for your caseload, and recording your work.",
              provider=PCN, delivery_mode=D.WORKPLACE, induction_week=1,
              evidence_expected=[E.OBSERVATION]),
        _item("local-mdt-induction", "Induction to MDT working and the range of roles",
              K.LOCAL_INDUCTION,
              "How multidisciplinary team (MDT) meetings work in your PCN, the roles around "
              "you (GPs, pharmacists, nurses, social prescribing link workers, health and "
              "wellbeing coaches) and how you support the coordination of MDTs.",
              provider=PCN, delivery_mode=D.WORKPLACE, induction_week=2,
              evidence_expected=[E.ATTENDANCE]),
        _item("local-pcsp-sdm", "Personalised care and support planning and shared decision "
              "making", K.LOCAL_INDUCTION,
              "Putting personalised care and support plans and shared decision making into "
              "practice in your PCN, using the local tools and templates.",
              provider=PCN, delivery_mode=D.WORKPLACE, induction_week=8,
              evidence_expected=[E.OBSERVATION],
              covers=[("um-shared-decision-making", "local practice"),
                      ("um-personalised-care-support-planning", "local practice")]),
        _item("local-difficult-conversations", "Communicating with and supporting patients, "
              "including difficult conversations", K.LOCAL_INDUCTION,
              "How to communicate with and support patients, including difficult "
              "conversations, with empathy and sensitivity.",
              provider=PCN, delivery_mode=D.FACE_TO_FACE, induction_week=12,
              evidence_expected=[E.ATTENDANCE]),
        _item("local-health-inequalities", "Health inequalities", K.LOCAL_INDUCTION,
              "Identifying health inequalities and supporting patients to overcome barriers to "
              "accessing and taking up health services.",
              provider=PCN, delivery_mode=D.FACE_TO_FACE, induction_week=12,
              evidence_expected=[E.ATTENDANCE]),
    ],
}

COHORT_SECTION = {
    "slug": "cohort-specific",
    "title": "Cohort-specific training",
    "intro": (
        "Training for the groups of patients your PCN asks you to work with, chosen from "
        "population health intelligence and local priorities."
    ),
    "items": [
        _item("cohort-diabetes", "Diabetes", K.COHORT_SPECIFIC,
              "Supporting people living with diabetes to manage their condition, prepare for "
              "reviews and access education courses.", provider=PCN,
              evidence_expected=[E.ATTENDANCE]),
        _item("cohort-learning-disabilities", "Learning disabilities", K.COHORT_SPECIFIC,
              "Supporting people with learning disabilities and their carers to navigate "
              "health and care services.", provider=PCN, evidence_expected=[E.ATTENDANCE]),
        _item("cohort-frailty", "Frailty", K.COHORT_SPECIFIC,
              "Proactively identifying and supporting frail and elderly people who struggle to "
              "coordinate their care with all the relevant services on their own.",
              provider=PCN, evidence_expected=[E.ATTENDANCE]),
        _item("cohort-severe-mental-illness", "Severe mental illness", K.COHORT_SPECIFIC,
              "Advocating for and supporting people with severe mental illness to access the "
              "care and support they need.", provider=PCN, evidence_expected=[E.ATTENDANCE]),
    ],
}

ONGOING_SECTION = {
    "slug": "ongoing-development",
    "title": "Ongoing development",
    "intro": (
        "Ways a care coordinator keeps learning after induction, alongside peer networks, "
        "webinars and reflective practice."
    ),
    "items": [
        _item("ongoing-refresher-sessions", "Refresher sessions", K.ONGOING_DEVELOPMENT,
              "Sessions that refresh and build on earlier training, such as care coordinator "
              "network webinars and support sessions every 2 to 4 weeks.",
              delivery_mode=D.VIRTUAL_CLASSROOM, evidence_expected=[E.ATTENDANCE]),
        _item("ongoing-buddying", "Buddying with peers", K.ONGOING_DEVELOPMENT,
              "Pairing with another care coordinator to share learning, caseload experience "
              "and support.", delivery_mode=D.WORKPLACE, evidence_expected=[E.ATTENDANCE]),
        _item("ongoing-health-coaching-support", "One-to-one support from a practitioner with "
              "health coaching experience", K.ONGOING_DEVELOPMENT,
              "Regular one-to-one support from a practitioner experienced in health coaching, "
              "such as a health and wellbeing coach, to put coaching skills into practice.",
              delivery_mode=D.WORKPLACE, evidence_expected=[E.ATTENDANCE]),
        _item("ongoing-action-learning-sets", "Action learning sets", K.ONGOING_DEVELOPMENT,
              "A small group of peers who meet regularly to work through real problems from "
              "practice and reflect on what they learn.", delivery_mode=D.FACE_TO_FACE,
              evidence_expected=[E.ATTENDANCE]),
        _item("ongoing-elearning", "E-learning to revisit or deepen training",
              K.ONGOING_DEVELOPMENT,
              "Going back to e-learning, such as e-LfH and PCI modules, to revisit or deepen "
              "earlier training.", provider=ELFH, external_url=ELFH_URL,
              delivery_mode=D.E_LEARNING, evidence_expected=[E.CERTIFICATE]),
        _item("ongoing-supervision", "Supervision", K.ONGOING_DEVELOPMENT,
              "Clinical supervision with a GP, where patient-related concerns and safeguarding "
              "are discussed, and line management supervision.",
              delivery_mode=D.WORKPLACE, evidence_expected=[E.ATTENDANCE]),
    ],
}

SECTIONS = [
    PCI_SECTION,
    UNIVERSAL_MODEL_SECTION,
    _care_certificate_section("2025", CC_2025, current=True),
    STATUTORY_SECTION,
    ELFH_SECTION,
    LOCAL_INDUCTION_SECTION,
    COHORT_SECTION,
    ONGOING_SECTION,
    _care_certificate_section("2015", CC_2015, current=False),
]

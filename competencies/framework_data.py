"""The competency frameworks `seed_frameworks` creates, in the import/export (JSON) shape.

Text is drawn from the seeds: the Network Contract DES 2024/25 (seed 003), the
NHSE/HEE/BCU care coordination checklist (seed 004), the PCI core curriculum (seed 001)
and the Care Certificate standards (content.curriculum_data, one source for both).
Targets and dates are defaults a PCN can change in the admin.
Codes are permanent: records refer to them.
"""

from content.curriculum_data import CC_2015, CC_2025, CC_SUMMARIES

from .models import FrameworkStatus, default_scale

COMPETENT = 3  # "Competent" on the default scale
BY_INDUCTION = "By the end of induction"
BY_MONTH_6 = "By month 6"
BY_MONTH_12 = "By month 12"
BY_WEEK_12 = "By the end of week 12"


def _framework(code, name, version, description, *, status=FrameworkStatus.ACTIVE,
               signoffs_required=1, evidence_kinds_required=1):
    return {
        "code": code, "name": name, "version": version, "description": description,
        "status": status, "scale": default_scale(), "signoffs_required": signoffs_required,
        "evidence_kinds_required": evidence_kinds_required,
    }


def _competency(code, title, descriptor, items, target_by, target_level=COMPETENT):
    return {
        "code": code, "title": title, "descriptor": descriptor, "target_level": target_level,
        "target_by": target_by, "learning_items": sorted(items),
    }


# --- Network Contract DES 2024/25: care coordinator responsibilities (seed 003) -------------

DES = {
    "framework": _framework(
        "des-care-coordinator-2024-25",
        "Care coordinator responsibilities — Network Contract DES", "2024/25",
        "The key responsibilities (section 2) and wider responsibilities (section 3) a PCN "
        "must make sure each care coordinator has under the Network Contract DES 2024/25. "
        "Met when signed off at the target level with two different kinds of evidence.",
        evidence_kinds_required=2,
    ),
    "domains": [
        {
            "code": "key-responsibilities",
            "name": "Key responsibilities",
            "description": "Section 2 of the care coordinator minimum requirements: the key "
            "responsibilities in delivering health services.",
            "competencies": [
                _competency(
                    "des-2a-population-health", "2(a) Proactively identify a cohort",
                    "Utilise population health intelligence to proactively identify and work "
                    "with a cohort of patients to deliver personalised care.",
                    ["local-health-systems", "local-health-inequalities"], BY_MONTH_6,
                ),
                _competency(
                    "des-2b-decision-aids", "2(b) Decision aids before shared decision making",
                    "Support patients to utilise decision aids in preparation for a shared "
                    "decision-making conversation.",
                    ["um-shared-decision-making", "local-pcsp-sdm"], BY_INDUCTION,
                ),
                _competency(
                    "des-2c-pcsp", "2(c) A single personalised care and support plan",
                    "Holistically bring together all of a person's identified care and "
                    "support needs, and explore options to meet these within a single "
                    "personalised care and support plan (PCSP), in line with PCSP best "
                    "practice, based on what matters to the person.",
                    ["pci-elearning-pcsp", "um-personalised-care-support-planning",
                     "local-pcsp-sdm"], BY_INDUCTION,
                ),
                _competency(
                    "des-2d-manage-needs", "2(d) Help people manage their needs",
                    "Help people to manage their needs through answering queries, making and "
                    "managing appointments, and ensuring that people have good quality written "
                    "or verbal information to help them make choices about their care.",
                    ["um-enabling-choice", "pci-elearning-health-literacy",
                     "elfh-information-standard"], BY_INDUCTION,
                ),
                _competency(
                    "des-2e-training-employment-benefits",
                    "2(e) Training, employment and benefits",
                    "Support people to take up training and employment, and to access "
                    "appropriate benefits where eligible.",
                    ["um-social-prescribing", "elfh-community-centred-approaches"], BY_MONTH_6,
                ),
                _competency(
                    "des-2f-activation", "2(f) Understanding activation",
                    "Support people to understand their level of knowledge, skills and "
                    "confidence (their \"Activation\" level) when engaging with their health "
                    "and wellbeing, including through the use of the Patient Activation "
                    "Measure.",
                    ["pci-area-capabilities", "pci-elearning-behaviour-change",
                     "pci-health-coaching-course", "um-supported-self-management"], BY_MONTH_6,
                ),
                _competency(
                    "des-2g-self-management", "2(g) Self-management and peer support",
                    "Assist people to access self-management education courses, peer support "
                    "or interventions that support them in their health and wellbeing and "
                    "increase their activation level.",
                    ["um-supported-self-management", "pci-area-motivate"], BY_MONTH_6,
                ),
                _competency(
                    "des-2h-personal-health-budgets", "2(h) Personal health budgets",
                    "Explore and assist people to access personal health budgets where "
                    "appropriate.",
                    ["um-personal-health-budgets"], BY_MONTH_6,
                ),
                _competency(
                    "des-2i-coordination-navigation", "2(i) Coordination, navigation and MDTs",
                    "Provide coordination and navigation for people and their carers across "
                    "health and care services, working closely with social prescribing link "
                    "workers, health and wellbeing coaches, and other primary care "
                    "professionals; and support the coordination and delivery of MDTs within "
                    "the PCN.",
                    ["elfh-nhs-e-referral-service", "elfh-effective-referrals",
                     "um-social-prescribing", "elfh-mental-health-social-prescribing",
                     "local-mdt-induction"], BY_INDUCTION,
                ),
            ],
        },
        {
            "code": "wider-responsibilities",
            "name": "Wider responsibilities",
            "description": "Section 3 of the care coordinator minimum requirements: the key "
            "wider responsibilities of care coordinators.",
            "competencies": [
                _competency(
                    "des-3a-caseload", "3(a) Caseload management with GPs",
                    "Work with the GPs and other primary care professionals within the PCN to "
                    "identify and manage a caseload of patients, and where required and as "
                    "appropriate, refer people back to other health professionals within the "
                    "PCN.",
                    ["local-pcn-induction", "local-mdt-induction", "elfh-effective-referrals"],
                    BY_MONTH_6,
                ),
                _competency(
                    "des-3b-sdm-awareness", "3(b) Raise awareness of shared decision making",
                    "Raise awareness within the PCN of shared decision making and decision "
                    "support tools.",
                    ["um-shared-decision-making", "local-pcsp-sdm"], BY_MONTH_6,
                ),
                _competency(
                    "des-3c-sdm-identify", "3(c) Identify who may benefit from shared decision "
                    "making",
                    "Raise awareness of how to identify patients who may benefit from shared "
                    "decision making and support PCN staff and patients to be more prepared "
                    "to have shared decision-making conversations.",
                    ["um-shared-decision-making", "local-pcsp-sdm"], BY_MONTH_6,
                ),
            ],
        },
    ],
}

# --- Care coordinator checklist (NHSE/HEE/BCU 2021, seed 004) -------------------------------

PERSONALISED = ["pci-area-values", "pci-elearning-core-skills", "pci-health-coaching-course"]
RELATIONSHIPS = ["local-mdt-induction", "um-social-prescribing"]
LEARNING = ["ongoing-action-learning-sets", "ongoing-refresher-sessions", "ongoing-supervision"]
COMMUNICATION = ["pci-area-communication", "pci-elearning-health-literacy",
                 "local-difficult-conversations"]

CHECKLIST = {
    "framework": _framework(
        "care-coordinator-checklist-2021", "Care coordinator checklist", "2021",
        "Key elements of the care coordinator role, from 'Care coordination in primary care' "
        "(NHS England and NHS Improvement with Health Education England and Birmingham City "
        "University, August 2021).",
    ),
    "domains": [
        {
            "code": "personalised-care",
            "name": "Personalised care",
            "description": "\u201cPutting people and their families at the centre of decisions "
            "and considering them experts, working alongside professionals to achieve the best "
            "outcomes.\u201d",
            "competencies": [
                _competency("checklist-several-discussions", "Several discussions",
                            "Understanding that effective personalised care requires several "
                            "discussions.", PERSONALISED, BY_INDUCTION),
                _competency("checklist-what-matters", "What matters to the person",
                            "Taking into account what matters to an individual and their "
                            "expressed needs.", PERSONALISED, BY_INDUCTION),
                _competency("checklist-more-control", "More control for the patient",
                            "Enabling a patient to have more control in managing their own "
                            "health and wellbeing.",
                            [*PERSONALISED, "um-supported-self-management"], BY_MONTH_6),
            ],
        },
        {
            "code": "relationships",
            "name": "Relationships",
            "description": "\u201cIf effective coordination is to occur, participants must be "
            "connected by relationships of shared goals and mutual respect.\u201d",
            "competencies": [
                _competency("checklist-mdt-relationships", "Relationships with MDTs",
                            "Building relationships with MDTs to become a key part of the "
                            "conversation.", RELATIONSHIPS, BY_MONTH_6),
                _competency("checklist-hwbc-splw", "Working with coaches and link workers",
                            "Working with health and wellbeing coaches and social prescribing "
                            "link workers to make sure patients get the best care.",
                            RELATIONSHIPS, BY_MONTH_6),
                _competency("checklist-patient-trust", "Relationships of trust with patients",
                            "Building relationships with patients so they trust in the "
                            "coordination of their health journey.",
                            ["pci-area-communication", "pci-health-coaching-course"],
                            BY_MONTH_6),
                _competency("checklist-proactive-plan", "A proactive plan of care",
                            "Developing a proactive plan of care jointly created and managed by "
                            "the patient/family and healthcare team.",
                            ["pci-elearning-pcsp", "um-personalised-care-support-planning"],
                            BY_MONTH_6),
                _competency("checklist-clinical-leads", "Relationships with clinical leads",
                            "Establishing relationships with GPs, pharmacists and other clinical "
                            "leads who will have an impact on patients' care.",
                            ["local-pcn-induction", "local-mdt-induction"], BY_MONTH_6),
            ],
        },
        {
            "code": "continuous-learning",
            "name": "Continuous learning",
            "description": "\u201cThe ability to demonstrate reflective practice, based on the "
            "best available evidence, and to assess and continually improve the services "
            "delivered as an individual provider and as a member of a multidisciplinary "
            "team.\u201d",
            "competencies": [
                _competency("checklist-practice-based-learning", "Practice-based learning",
                            "Participating in practice-based learning and improvement "
                            "activities that involve investigation and evaluation of patient "
                            "experiences, evidence and resources.", LEARNING, BY_MONTH_12),
                _competency("checklist-into-practice", "Putting learning into practice",
                            "Putting new techniques and information/knowledge into practical "
                            "use.", [*LEARNING, "ongoing-health-coaching-support"], BY_MONTH_12),
                _competency("checklist-interdisciplinary-training",
                            "Interdisciplinary training",
                            "Regularly engaging in interdisciplinary staff training provided by "
                            "the PCN.", ["ongoing-refresher-sessions", "local-mdt-induction"],
                            BY_MONTH_12),
            ],
        },
        {
            "code": "communication",
            "name": "Communication",
            "description": "\u201cThe ability to quickly establish rapport with patients and "
            "their family members in an empathetic and sensitive manner.\u201d",
            "competencies": [
                _competency("checklist-patient-story", "Telling the patient's story",
                            "Being able to communicate your patient's story clearly and "
                            "concisely to multiple stakeholders.", COMMUNICATION, BY_MONTH_6),
                _competency("checklist-reduce-repetition", "Reducing repetition",
                            "Using accurate and clear communication to reduce the repetition of "
                            "the same information to different people.",
                            [*COMMUNICATION, "local-health-systems"], BY_MONTH_6),
                _competency("checklist-resolve-concerns", "Resolving concerns",
                            "Identifying a patient's concern or issue and taking steps to "
                            "correct it.", COMMUNICATION, BY_MONTH_6),
                _competency("checklist-integrating-care", "Integrating care",
                            "Integrating care from the separate providers participating in a "
                            "particular person's care into a cohesive and functioning whole, "
                            "capable of addressing the person's needs.",
                            ["elfh-effective-referrals", "elfh-nhs-e-referral-service",
                             "local-mdt-induction"], BY_MONTH_12),
            ],
        },
    ],
}

# --- PCI core curriculum (seed 001) ---------------------------------------------------------

COACHING = "pci-health-coaching-course"


def _knowledge(code, topic, items):
    return _competency(
        f"pci-knowledge-{code}", f"Knowledge of {topic}",
        f"Knows and can explain the core concepts and principles of {topic}, and uses them "
        "in conversations with people about their health and care.",
        items, BY_INDUCTION,
    )


PCI = {
    "framework": _framework(
        "pci-core-curriculum", "PCI core curriculum", "2020",
        "The Personalised Care Institute's core curriculum for personalised care: the five "
        "capability areas, with the skills and knowledge named for care coordinators.",
    ),
    "domains": [
        {
            "code": "values",
            "name": "Values in personalised care",
            "description": "Putting people and their families at the centre of decisions, "
            "seeing them as experts in their own lives, and focusing on what matters to them.",
            "competencies": [
                _knowledge("personalised-care", "personalised care",
                           ["pci-area-values", "pci-elearning-core-skills"]),
            ],
        },
        {
            "code": "capabilities",
            "name": "Capabilities in personalised care",
            "description": "Knowledge of the core concepts and principles of personalised "
            "care.",
            "competencies": [
                _knowledge("shared-decision-making", "shared decision making",
                           ["pci-area-capabilities", "um-shared-decision-making"]),
                _knowledge("patient-activation", "patient activation",
                           ["pci-area-capabilities", "um-supported-self-management"]),
                _knowledge("behaviour-change", "health behaviour change",
                           ["pci-area-capabilities", "pci-elearning-behaviour-change"]),
                _knowledge("self-efficacy", "self-efficacy",
                           ["pci-area-capabilities", "pci-elearning-behaviour-change"]),
                _knowledge("motivation", "motivation",
                           ["pci-area-capabilities", "pci-elearning-behaviour-change"]),
                _knowledge("assets-based-approaches", "assets-based approaches",
                           ["pci-area-capabilities", "elfh-community-centred-approaches"]),
            ],
        },
        {
            "code": "communication",
            "name": "Core communication and relationship-building skills",
            "description": "Building trusting relationships and listening closely to what "
            "matters to people, using simple, health-literate communication.",
            "competencies": [
                _competency("pci-teach-back", "Teach-back",
                            "Uses simple health-literate communication techniques such as "
                            "teach-back to check that people understand the information they "
                            "are given.",
                            ["pci-area-communication", "pci-elearning-health-literacy", COACHING],
                            BY_MONTH_6),
            ],
        },
        {
            "code": "engage",
            "name": "Capabilities to engage people",
            "description": "Helping people take an active part in conversations about their "
            "health and care.",
            "competencies": [
                _competency("pci-shared-agenda-setting", "Shared agenda setting",
                            "Sets a shared agenda with the person at the start of a "
                            "conversation, so that it covers what matters to them.",
                            ["pci-area-engage", COACHING], BY_MONTH_6),
                _competency("pci-collaborative-goal-setting", "Collaborative goal setting",
                            "Sets goals collaboratively with the person, based on what matters "
                            "to them.", ["pci-area-engage", COACHING], BY_MONTH_6),
            ],
        },
        {
            "code": "motivate",
            "name": "Capabilities to motivate, enable and support people",
            "description": "Structuring conversations with a coaching approach and supporting "
            "behaviour change and self-management.",
            "competencies": [
                _competency("pci-coaching-approach", "A coaching approach",
                            "Structures conversations using a coaching approach.",
                            ["pci-area-motivate", COACHING], BY_MONTH_6),
                _competency("pci-shared-follow-up-planning", "Shared follow-up planning",
                            "Plans follow-up together with the person, agreeing what happens "
                            "next and who does it.", ["pci-area-motivate", COACHING],
                            BY_MONTH_6),
            ],
        },
    ],
}

# --- Care Certificate 2015 and 2025 ---------------------------------------------------------


def _care_certificate(version, titles, *, status, description):
    return {
        "framework": _framework(
            f"care-certificate-{version}", "Care Certificate", version, description,
            status=status, evidence_kinds_required=2,
        ),
        "domains": [{
            "code": "standards",
            "name": "Standards",
            "description": "Assessed in the workplace: an observation and the learning behind "
            "it (two kinds of evidence) before sign-off.",
            "competencies": [
                _competency(
                    f"cc{version}-{number:02d}", f"Standard {number}: {title}",
                    CC_SUMMARIES[title], [f"cc{version}-{number:02d}"], BY_WEEK_12,
                )
                for number, title in enumerate(titles, start=1)
            ],
        }],
    }


CARE_CERTIFICATE_2015 = _care_certificate(
    "2015", CC_2015, status=FrameworkStatus.RETIRED,
    description="The 15 standards of 2015. Superseded by the 2025 standards; records made "
    "against them keep this version.",
)
CARE_CERTIFICATE_2025 = _care_certificate(
    "2025", CC_2025, status=FrameworkStatus.ACTIVE,
    description="The 16 standards of March 2025: a new standard on awareness of learning "
    "disability and autism; standard 4 became 'Equality, diversity, inclusion and human "
    "rights' and standard 9 'Awareness of mental health and dementia'.",
)

FRAMEWORKS = [DES, CHECKLIST, PCI, CARE_CERTIFICATE_2015, CARE_CERTIFICATE_2025]

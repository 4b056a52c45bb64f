"""Names and free text for the national-scale dataset (`scale.py`).

Plain constants, so the generator reads as domain steps. No text here may trip the
patient-identifier guard (supervision/identifier_guard.py): no digits next to "born", no
postcodes, no "Mr Smith"; tests/benchmark/test_seed_scale.py checks every string.
"""

GIVEN_NAMES = (
    "Aaliyah", "Abdul", "Adam", "Aisha", "Alex", "Alice", "Amara", "Amelia", "Amira", "Andrew",
    "Anika", "Ann", "Arjun", "Ava", "Ben", "Bethan", "Bilal", "Caitlin", "Callum", "Carys",
    "Charlotte", "Chidi", "Chloe", "Ciara", "Connor", "Daisy", "Daniel", "David", "Deepa", "Dev",
    "Dylan", "Eleanor", "Elif", "Ella", "Emeka", "Emily", "Erin", "Ewan", "Fatima", "Fiona",
    "Freya", "Gareth", "Grace", "Hamid", "Hannah", "Harpreet", "Harry", "Hassan", "Holly",
    "Imran", "Isaac", "Isla", "Jack", "Jade", "James", "Jasmine", "Jo", "Joanna", "Kate",
    "Kemi", "Kiran", "Laura", "Leah", "Liam", "Lily", "Lucy", "Maya", "Megan", "Mei", "Michael",
    "Mohammed", "Naomi", "Nathan", "Niamh", "Nikhil", "Nina", "Noah", "Olivia", "Omar", "Owen",
    "Priya", "Rachel", "Rhys", "Rosa", "Ruth", "Ryan", "Saanvi", "Sam", "Sana", "Sarah", "Sean",
    "Shreya", "Sophie", "Tariq", "Thomas", "Tom", "Usha", "Wei", "Yusuf", "Zara", "Zoe",
)

FAMILY_NAMES = (
    "Adeyemi", "Ahmed", "Ali", "Allen", "Anderson", "Atkinson", "Bailey", "Baker", "Begum",
    "Bell", "Bennett", "Brown", "Campbell", "Carter", "Chan", "Chaudhry", "Clarke", "Collins",
    "Cooper", "Cox", "Davies", "Dawson", "Desai", "Edwards", "Evans", "Fletcher", "Foster",
    "Gallagher", "Ghosh", "Gill", "Graham", "Green", "Griffiths", "Hall", "Harris", "Hill",
    "Hughes", "Hussain", "Iqbal", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kaur",
    "Kelly", "Khan", "King", "Kowalski", "Lee", "Lewis", "Li", "Lloyd", "Mahmood", "Marshall",
    "Martin", "Mason", "McCarthy", "Mensah", "Miller", "Mistry", "Mitchell", "Moore", "Morgan",
    "Morris", "Murphy", "Murray", "Nguyen", "Nowak", "Obi", "O'Brien", "Okafor", "Owen",
    "Parker", "Patel", "Phillips", "Powell", "Price", "Rahman", "Reid", "Richards", "Roberts",
    "Robinson", "Rogers", "Scott", "Shah", "Sharma", "Simpson", "Singh", "Smith", "Stevens",
    "Taylor", "Thomas", "Thompson", "Turner", "Walker", "Walsh", "Ward", "Watson", "White",
    "Williams", "Wilson", "Wong", "Wood", "Wright", "Yilmaz", "Young",
)

#: Two lists whose pairs name ICBs ("NHS Ashcombe and Brookvale Integrated Care Board").
ICB_PLACES = (
    "Ashcombe", "Barrowfield", "Brookvale", "Calderside", "Carrick", "Dalemoor", "Deanshire",
    "Eastmarsh", "Elmstead", "Fenwold", "Glenford", "Greyhaven", "Harrowdale", "Hollinshire",
    "Kestrel Vale", "Kingsmere", "Lakeby", "Longmarsh", "Marlowe", "Medwyn", "Northcliffe",
    "Oakhampton", "Pennock", "Redmarsh", "Riversmeet", "Saltmoor", "Sedgeworth", "Southwold Vale",
    "Thornbury", "Upper Avon", "Wexcombe", "Wyreford",
)
ICB_PLACES_SECOND = (
    "the Coast", "the Downs", "the Fens", "the Forest", "the Marches", "the Moors", "the Peaks",
    "the Valleys", "the Wolds", "North Downs", "South Vale", "West Weald", "East Moor",
    "Hillsborough", "Lowmoor", "Sandwell Vale", "Stourmouth", "Teesbridge", "Tamarside",
    "Wensley",
)

TOWNS = (
    "Abbotsford", "Alder Green", "Ambleworth", "Ashby Cross", "Aylsham Vale", "Barton Mill",
    "Beacon Hill", "Bellingford", "Birchwood", "Blackwater", "Bramley", "Bridgeford",
    "Broadmead", "Brookfield", "Burnside", "Castlegate", "Cedar Park", "Chapelfield",
    "Cheriton", "Church Langley", "Clayton", "Cliffe", "Colwell", "Copperfield", "Cranbourne",
    "Crossways", "Dale End", "Danesbury", "Dovecote", "Easton", "Elmbridge", "Fairfield",
    "Fallowfield", "Fernhill", "Fieldhouse", "Fosse Way", "Gatehouse", "Glebe", "Goldthorpe",
    "Greenacres", "Hallam", "Hamble", "Harbour", "Hartwell", "Hawthorn", "Heathfield",
    "Highcliffe", "Holmwood", "Hopton", "Ivybridge", "Kenwood", "Kingsley", "Lakeside",
    "Langford", "Larkhill", "Lindley", "Longbridge", "Lowfield", "Maple Cross", "Marshgate",
    "Meadowbank", "Middlemoor", "Millbrook", "Moorgate", "Netherfield", "Newbold", "Northgate",
    "Oakdale", "Old Town", "Orchard Park", "Parkside", "Pinewood", "Priory", "Quarry Bank",
    "Queensway", "Radford", "Ravenscroft", "Redhill", "Ridgeway", "Riverside", "Rookwood",
    "Rosehill", "Saltash Cross", "Sandford", "Seacroft", "Sheldon", "Silverdale", "Southgate",
    "Springfield", "Stanmore", "Stonebridge", "Summerhill", "Sutton Vale", "Thornhill",
    "Three Rivers", "Tollgate", "Trinity", "Underwood", "Upton", "Valley Road", "Waterside",
    "Wellbrook", "Westbury", "Whitecross", "Willowbrook", "Windmill Hill", "Woodside",
    "Wrenfield", "Yew Tree",
)
PCN_SUFFIXES = (
    "Central", "North", "South", "East", "West", "Villages", "Health", "Network", "Coast",
    "Valley", "Rural", "Community", "Care", "Together",
)
PRACTICE_KINDS = (
    "Surgery", "Medical Centre", "Health Centre", "Medical Practice", "Family Practice",
    "Group Practice",
)
STREETS = (
    "Abbey Road", "Albert Street", "Beech Grove", "Bridge Street", "Castle Lane", "Chapel Road",
    "Church Street", "College Road", "Cross Lane", "Elm Road", "Green Lane", "High Street",
    "Hill Top", "King Street", "Lime Tree", "Manor Road", "Market Place", "Mill Lane",
    "New Road", "Oak Tree", "Orchard Way", "Park Road", "Priory Road", "Quay Street",
    "Queen Street", "Riverside", "School Lane", "Station Road", "The Avenue", "The Green",
    "Victoria Road", "Water Lane", "Well Street", "West End", "Willow Way", "Wood Lane",
)

#: (job title, Agenda for Change band) of the people around care coordinators.
PCN_MANAGER = ("PCN manager", "8a")
GP_TITLES = ("GP partner", "Salaried GP", "GP partner, clinical director")
SAFEGUARDING_GP = ("GP partner, safeguarding lead", "n/a")
FIRST_POINT_OF_CONTACT = ("Practice manager", "7")
TEAM_LEAD = ("Care coordination team lead", "6")
CARE_COORDINATOR = "Care coordinator"
ICB_VIEWER = ("Primary care workforce lead", "8b")

# --- learning records -----------------------------------------------------------------------

NOT_REQUIRED_REASONS = (
    "Covered by training in my previous role; certificate seen by my line manager.",
    "Not part of my role in this PCN.",
)
IMPORTED_FROM = "ESR (Electronic Staff Record) transfer from a previous NHS employer"

# --- supervision ----------------------------------------------------------------------------

CLINICAL_TOPICS = (
    "Reviewed my caseload of housebound patients and how to close cases well when goals are met.",
    "Personalised care and support planning for people living with frailty.",
    "Working with carers and keeping boundaries when a family calls every day.",
    "Supporting people with long-term conditions to set their own goals.",
    "A complex hospital discharge and what went well in joint working with social prescribing.",
    "Using the patient activation measure to tailor support.",
    "When to escalate a concern to the duty GP and how to document it.",
    "Managing a growing caseload: prioritising and saying no well.",
    "Health inequalities in our population and who we are not reaching.",
    "Reflection on a difficult conversation about what matters most to someone.",
    "Preparing people for their annual long-term condition reviews.",
    "Shared decision making: offering options without steering.",
)
LINE_TOPICS = (
    "Annual leave, rota and protected training time.",
    "Objectives for the year and progress against them.",
    "Workload, wellbeing and the referral tracker.",
    "Appraisal preparation and development plan review.",
    "Settling into a new practice base and who to ask for what.",
    "Team meeting actions and the joint caseload meeting schedule.",
)
SESSION_NOTES = (
    "Agreed to hand over to the community nursing team rather than keep cases open.",
    "Ready to lead the care planning conversation at the next huddle.",
    "Good progress; revisit in a month.",
    "Discussed sources of support for my own wellbeing.",
)
CONFIRMATION_COMMENTS = ("", "", "", "A fair summary. Thank you.", "Agreed.")
ACTIONS = (
    "Write a short checklist for closing a case",
    "Draft a care and support plan template for the frailty huddle",
    "Share the frailty pathway slides",
    "Book the health coaching refresher",
    "Read the carers' support guidance",
    "Try the goal-setting approach with three people",
    "Shadow the social prescribing link worker for a morning",
    "Update the local services directory",
)
WITHDRAWN_REASON = "Recorded twice: the other record is the right one."

# --- reflections ----------------------------------------------------------------------------

REFLECTION_TITLES = (
    "A first care planning conversation",
    "Supporting a carer under strain",
    "What I learned from a missed referral",
    "Working with the frailty team",
    "A joint visit with the social prescriber",
    "Keeping boundaries with a frequent caller",
    "Shared decision making in practice",
    "My first month as a care coordinator",
    "Handling a safeguarding worry well",
    "A hospital discharge that went smoothly",
    "Motivational interviewing: what worked",
    "Reaching people who do not attend",
)
REFLECTION_TEXTS = {
    "description": "I supported someone to plan their care after a change in their health.",
    "feelings": "I felt unsure at first, then more confident as the conversation went on.",
    "evaluation": "Listening first worked well; I rushed the summary at the end.",
    "analysis": "Giving time up front built trust and saved time later.",
    "conclusion": "I could have checked their understanding sooner.",
    "action_plan": "Next time I will agree the goals together before suggesting any support.",
    "what": "A conversation about what matters most, with a family member present.",
    "so_what": "I learned to make space for the person's own voice as well as the family's.",
    "now_what": "I will ask to speak with the person alone for part of the conversation.",
    "body": "Today reminded me why care coordination matters: small steps, agreed together.",
}
SHARED_COMMENTS = (
    "Thank you for sharing this; a thoughtful reflection. Let us pick it up at supervision.",
    "Good learning here. Well done for noticing it.",
)
AUTHOR_REPLIES = ("Thanks, I will bring it to our next session.",)

# --- peer-network and MDT sessions -----------------------------------------------------------

NETWORK_TITLES = {
    "joint_caseload": "Joint caseload meeting with SPLWs and HWBCs",
    "mdt": "MDT meeting",
    "peer_network": "Care coordinator peer network",
    "action_learning": "Action learning set",
    "refresher": "Refresher: shared decision making conversations",
    "webinar": "Care coordinator network webinar",
}
NETWORK_THEMES = (
    "Frailty caseload, using the PCSP template, looking after yourself",
    "Loneliness referrals, weight management, who leads on shared patients",
    "Hospital discharges, carers' assessments",
    "Health inequalities, reaching people who do not attend",
)
NETWORK_NOTES = (
    "Shared approaches and agreed to bring one anonymised case each next time.",
    "Agreed who leads for patients shared between care coordination and social prescribing.",
)
OTHER_ATTENDEES = (
    "Social prescribing link worker and health and wellbeing coach from the PCN team"
)
CANCELLED_REASON = "The facilitator is unavailable; it will be arranged again."

# --- competencies ---------------------------------------------------------------------------

SELF_ASSESSMENT_NARRATIVES = (
    "I have done this with several people on my caseload and discussed it in supervision.",
    "I do this routinely now and can explain my approach to new colleagues.",
    "I have started doing this with support from my supervisor.",
    "I can show this through my care plans and the feedback I have had.",
)
OBSERVATION_NOTES = (
    "Observed in a care planning conversation: clear, kind and person-led.",
    "Observed at the MDT: presented the person's goals concisely.",
    "Observed on a joint visit: checked understanding and agreed next steps.",
)
SIGN_OFF_COMMENTS = (
    "Seen in practice and in the evidence; meets the level.",
    "Consistently demonstrated over the last few months.",
    "Good evidence from supervision and observation.",
)
RETURN_FEEDBACK = (
    "Please add an observation from practice before I sign this off.",
    "The evidence is thin: link a recent care plan or reflection and ask again.",
)

# --- compliance registers ---------------------------------------------------------------------

PARTNERS = (
    ("Men's Shed", "A workshop where people meet, make and mend things together."),
    ("Age UK", "Befriending calls and visits, benefits advice and a lunch club."),
    ("Walking for Health", "Free weekly group walks led by trained volunteers."),
    ("Community Kitchen", "Cook-and-eat sessions teaching healthy meals on a budget."),
    ("Good Neighbours", "Volunteer drivers, shopping help and friendly visits."),
    ("Carers' Café", "A monthly café for unpaid carers: peer support and a break."),
    ("Citizens Advice", "Advice on benefits, debt, housing and employment."),
    ("Mind", "Wellbeing groups and talking support for mental health."),
    ("Food Bank", "Emergency food parcels and signposting."),
    ("Library Reading Friends", "Reading groups that bring people together."),
    ("Community Choir", "A friendly choir for all abilities."),
    ("Parkrun Volunteers", "Weekly timed walks and runs with volunteering roles."),
)
CHECK_OUTCOMES = (
    "Safeguarding policy seen; named lead; volunteers DBS-checked.",
    "Safeguarding adults policy and training records seen.",
    "Policy reviewed; lone-working procedure seen.",
)
ARCHIVED_REASON = "The organisation has closed its local service."
HOW_TO_REFER = (
    "Ask reception to book a care coordinator appointment, or send a task to the care "
    "coordinator team in the clinical system."
)
DIRECTORY_ABOUT = (
    "I help people with long-term conditions plan their care and find support in the "
    "community."
)
AWARENESS_NOTE = "Told with a link to the \u201cMeet your care coordinators\u201d page."


def all_texts():
    """Every string above, for the identifier-guard test."""
    strings = []
    for name, value in globals().items():
        if name.startswith("__"):
            continue
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, tuple | list):
            for entry in value:
                strings.extend(entry if isinstance(entry, tuple) else [entry])
        elif isinstance(value, dict):
            strings.extend(value.values())
    return [s for s in strings if isinstance(s, str)]

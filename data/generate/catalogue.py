"""What the demo company looks like: scale profiles, regions, divisions, names, metrics and the shares
the generator draws with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

EMAIL_DOMAIN = "ladder.example"


# --- scale --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    employees: int
    divisions: int
    departments_per_division: int


PROFILES: dict[str, Profile] = {
    "tiny": Profile(employees=150, divisions=5, departments_per_division=2),
    "small": Profile(employees=2_000, divisions=6, departments_per_division=4),
    "medium": Profile(employees=20_000, divisions=7, departments_per_division=14),
    "large": Profile(employees=100_000, divisions=7, departments_per_division=40),
    "xl": Profile(employees=1_000_000, divisions=7, departments_per_division=180),
}

MIN_TEAM_SIZE = 6
MEAN_TEAM_SIZE = 8.5  # lead included; the multinomial spread gives 6-11 people
DISTRIBUTED_SHARE = 0.15
INACTIVE_SHARE = 0.03
RATED_SHARE = 0.95


# --- what the company looks like ------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    id: int
    code: str
    name: str
    share: float  # of teams
    work_mode_mix: tuple[float, float, float]  # office, hybrid, remote


REGIONS = (
    Region(1, "NA", "North America", 0.32, (0.25, 0.45, 0.30)),
    Region(2, "LATAM", "Latin America", 0.09, (0.30, 0.35, 0.35)),
    Region(3, "UKI", "UK & Ireland", 0.14, (0.25, 0.55, 0.20)),
    Region(4, "DACH", "DACH", 0.13, (0.40, 0.45, 0.15)),
    Region(5, "NORDICS", "Nordics", 0.07, (0.20, 0.55, 0.25)),
    Region(6, "IN", "India", 0.15, (0.55, 0.35, 0.10)),
    Region(7, "APAC", "APAC", 0.10, (0.45, 0.40, 0.15)),
)
HEADQUARTERS_REGION = 1
# Members working outside their team's region mostly do so remotely.
DISTRIBUTED_WORK_MODE_MIX = (0.10, 0.25, 0.65)


@dataclass(frozen=True)
class Division:
    name: str
    share: float  # of departments
    departments: tuple[tuple[str, str], ...]  # (department theme, job family), in order of founding
    team_goals: tuple[str, ...]  # goal titles that fit the division's work
    individual_goals: tuple[str, ...]


ENGINEERING, SALES, PRODUCT, CUSTOMER_SUCCESS, CORPORATE, MARKETING, OPERATIONS = (
    "Engineering", "Sales", "Product & Design", "Customer Success", "Corporate Functions", "Marketing", "Operations"
)  # fmt: skip
# The first five are always present, so every profile has a People department for the HR viewers.
DIVISIONS = (
    Division(
        ENGINEERING, 0.34,
        (
            ("Platform", "Software Engineering"), ("Payments", "Software Engineering"),
            ("Mobile", "Software Engineering"), ("Data", "Data & Analytics"),
            ("Infrastructure", "Site Reliability"), ("Security", "Security"),
            ("Search", "Software Engineering"), ("Identity", "Software Engineering"),
            ("Developer Experience", "Software Engineering"), ("Reliability", "Site Reliability"),
            ("Integrations", "Software Engineering"), ("Billing", "Software Engineering"),
            ("Messaging", "Software Engineering"), ("Machine Learning", "Data & Analytics"),
            ("Web", "Software Engineering"), ("Checkout", "Software Engineering"),
        ),
        (
            "Migrate services to the new platform", "Reduce page load time", "Automate the release pipeline",
            "Improve search relevance", "Roll out single sign-on", "Reduce on-call load", "Retire legacy billing",
            "Publish the public API", "Cut p95 latency in half", "Harden the CI pipeline",
        ),
        (
            "Ship the API v2 endpoints", "Improve test coverage of my services", "Improve the on-call runbooks",
            "Deliver my part of the migration", "Fix the top crash reports", "Write the design doc for the new service",
        ),
    ),
    Division(
        SALES, 0.18,
        (
            ("Enterprise Sales", "Sales"), ("Mid-Market Sales", "Sales"), ("SMB Sales", "Sales"),
            ("Partnerships", "Sales"), ("Sales Operations", "Business Operations"),
            ("Solutions Engineering", "Sales Engineering"), ("Channel Sales", "Sales"),
            ("Public Sector Sales", "Sales"),
        ),
        (
            "Close the top enterprise accounts", "Grow the qualified pipeline", "Launch the partner portal",
            "Expand into the public sector", "Improve forecast accuracy", "Shorten the sales cycle",
        ),
        (
            "Close five new accounts", "Build a pipeline of 20 qualified leads",
            "Run business reviews with my accounts",
            "Clean up my CRM data", "Win back two churned customers", "Land the first deal in my new territory",
        ),
    ),
    Division(
        PRODUCT, 0.12,
        (
            ("Product Management", "Product Management"), ("Design", "Design"), ("User Research", "Research"),
            ("Product Analytics", "Data & Analytics"), ("Product Operations", "Product Management"),
            ("Content Design", "Design"),
        ),
        (
            "Ship the new onboarding flow", "Redesign the mobile checkout", "Launch usage-based pricing",
            "Introduce self-service analytics", "Localise the product", "Run the discovery sprint for the next bet",
        ),
        (
            "Own the checkout redesign", "Run customer interviews", "Prototype the new dashboard",
            "Build the pricing experiment", "Publish the quarterly analysis", "Write the launch spec",
        ),
    ),
    Division(
        CUSTOMER_SUCCESS, 0.14,
        (
            ("Support", "Customer Support"), ("Onboarding", "Customer Success"),
            ("Account Management", "Customer Success"), ("Customer Education", "Customer Success"),
            ("Renewals", "Sales"), ("Professional Services", "Consulting"),
        ),
        (
            "Cut the support backlog", "Improve the renewal rate", "Launch the customer community",
            "Scale onboarding for enterprise", "Raise first-contact resolution", "Refresh the help centre",
        ),
        (
            "Resolve escalated tickets faster", "Onboard two new customers", "Write the integration guide",
            "Run health checks with my accounts", "Cut my review turnaround", "Lead the renewal of my top accounts",
        ),
    ),
    Division(
        CORPORATE, 0.08,
        (
            ("People", "People"), ("Finance", "Finance"), ("Legal", "Legal"), ("Strategy", "Business Operations"),
            ("Internal Audit", "Finance"), ("Workplace", "Operations"),
        ),
        (
            "Standardise hiring interviews", "Close the books in five days", "Consolidate vendor contracts",
            "Roll out the new performance process", "Refresh the contract templates", "Launch the wellbeing programme",
        ),
        (
            "Support the annual audit", "Deliver the vendor evaluation", "Automate the weekly report",
            "Run the quarterly engagement survey", "Review the expense policy", "Coordinate the hiring plan",
        ),
    ),
    Division(
        MARKETING, 0.08,
        (
            ("Brand", "Marketing"), ("Growth Marketing", "Marketing"), ("Product Marketing", "Marketing"),
            ("Communications", "Marketing"), ("Events", "Marketing"), ("Demand Generation", "Marketing"),
        ),
        (
            "Run the seasonal campaign", "Relaunch the website", "Grow organic traffic",
            "Launch the customer stories programme", "Raise brand awareness in new markets", "Improve lead quality",
        ),
        (
            "Launch the email nurture sequence", "Coordinate the launch event", "Publish four customer stories",
            "Optimise paid search spend", "Write the launch messaging", "Grow newsletter subscribers",
        ),
    ),
    Division(
        OPERATIONS, 0.06,
        (
            ("Supply Chain", "Operations"), ("Procurement", "Operations"), ("IT", "IT"),
            ("Business Operations", "Business Operations"), ("Logistics", "Operations"), ("Facilities", "Operations"),
        ),
        (
            "Consolidate warehouses", "Cut procurement cycle time", "Roll out the new laptop fleet",
            "Improve delivery times", "Automate invoice matching", "Reduce office energy use",
        ),
        (
            "Renegotiate the logistics contract", "Migrate the asset inventory", "Improve ticket triage",
            "Plan the office move", "Automate the weekly report", "Deliver the vendor evaluation",
        ),
    ),
)
HR_DEPARTMENT_THEME = "People"
HR_VIEWERS = 3

WOMEN_FIRST_NAMES = (
    "Emma", "Olivia", "Sofia", "Mia", "Ava", "Isabella", "Amelia", "Charlotte", "Hannah", "Lena", "Anna",
    "Laura", "Julia", "Sara", "Ingrid", "Freya", "Astrid", "Maja", "Elin", "Aoife", "Siobhan", "Chloe",
    "Grace", "Lucy", "Priya", "Ananya", "Aisha", "Fatima", "Meera", "Kavya", "Mei", "Yuki", "Sakura",
    "Maria", "Camila", "Valentina", "Lucia", "Gabriela", "Fernanda", "Daniela", "Sophie", "Claire",
    "Emily", "Sarah", "Rachel", "Nicole", "Olga", "Zoe", "Leila", "Nadia", "Amara", "Chiara", "Elena",
    "Ines", "Noor", "Tara",
)
MEN_FIRST_NAMES = (
    "Liam", "Noah", "James", "Lucas", "Mateo", "Leon", "Felix", "Jonas", "Lukas", "Paul", "Erik", "Lars",
    "Mikael", "Oskar", "Sean", "Conor", "Oliver", "Jack", "Harry", "George", "Arjun", "Rohan", "Vikram",
    "Rahul", "Aditya", "Karan", "Wei", "Hiroshi", "Kenji", "Diego", "Santiago", "Carlos", "Miguel",
    "Rafael", "Pedro", "Thomas", "Daniel", "Michael", "David", "Ethan", "Samuel", "Omar", "Ahmed",
    "Youssef", "Ivan", "Marco", "Luca", "Tobias", "Nikolai", "Kwame", "Tariq", "Hugo", "Emil", "Anders",
    "Ravi", "Sanjay",
)
NEUTRAL_FIRST_NAMES = (
    "Alex", "Sam", "Robin", "Jordan", "Taylor", "Kim", "Charlie", "Morgan", "Riley", "Jamie", "Avery",
    "Quinn", "Sasha", "Noa", "Ari", "Kai",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Garcia", "Martinez", "Rodriguez", "Lopez", "Gonzalez", "Silva",
    "Santos", "Oliveira", "Pereira", "Costa", "Fernandes", "Murphy", "Kelly", "O'Brien", "Walsh", "Byrne",
    "Taylor", "Davies", "Evans", "Wilson", "Thompson", "Wright", "Muller", "Schmidt", "Schneider", "Fischer",
    "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Huber", "Gruber", "Keller", "Andersson", "Johansson",
    "Nilsson", "Hansen", "Larsen", "Virtanen", "Korhonen", "Berg", "Lindqvist", "Sharma", "Patel", "Gupta",
    "Singh", "Kumar", "Reddy", "Iyer", "Nair", "Menon", "Das", "Rao", "Chen", "Wang", "Li", "Zhang", "Liu",
    "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Lee", "Nguyen", "Tran", "Wong", "Tan", "Lim", "Ng", "Novak",
    "Kowalski", "Rossi", "Bianchi", "Dubois", "Moreau", "Khan", "Ali", "Haddad", "Okafor", "Mensah", "Cohen",
    "Levy", "van Dijk", "de Vries", "Jansen",
)
GENDERS = ("woman", "man", "non-binary", "undisclosed")
GENDER_SHARES = (0.44, 0.50, 0.02, 0.04)
AGE_BANDS = ("<25", "25-34", "35-44", "45-54", "55+")
# Age band shares by seniority: juniors are younger, executives older.
AGE_BAND_SHARES_BY_LEVELS = (
    ((1, 2), (0.30, 0.50, 0.14, 0.05, 0.01)),
    ((3, 4), (0.05, 0.45, 0.32, 0.13, 0.05)),
    ((5, 6), (0.00, 0.20, 0.42, 0.27, 0.11)),
    ((7, 8), (0.00, 0.05, 0.35, 0.40, 0.20)),
)
MEMBER_LEVEL_SHARES = (0.12, 0.28, 0.33, 0.19, 0.08)  # levels 1-5
COMPANY_FOUNDED = date(2009, 3, 1)

OBJECTIVE_TITLES = (
    "Grow annual recurring revenue by 30%", "Win the mid-market segment", "Delight customers at every touchpoint",
    "Build a platform that scales tenfold", "Expand into three new markets", "Make every team data-driven",
    "Be the best place to grow a career", "Run a lean, efficient operation", "Ship faster with higher quality",
    "Become the most trusted brand in our category", "Reach net-zero operations",
    "Make security a competitive advantage", "Double partner-sourced revenue",
    "Launch the next-generation product line",
)
DEPARTMENT_GOAL_TITLES = (
    "Grow self-serve revenue", "Cut time to value for new customers", "Raise service reliability to 99.95%",
    "Modernise the core platform", "Improve customer retention", "Reduce cost to serve",
    "Strengthen the hiring pipeline", "Launch in two new regions", "Improve product quality",
    "Increase pipeline coverage", "Build a partner ecosystem", "Automate manual workflows",
    "Improve employee engagement", "Harden our security posture", "Speed up delivery",
    "Improve forecast accuracy", "Expand the enterprise footprint", "Scale customer onboarding",
    "Raise net promoter score", "Reduce operational incidents",
)
DEVELOPMENT_GOAL_TITLES = (
    "Complete a cloud certification", "Mentor a new joiner", "Improve public speaking", "Lead a cross-team project",
    "Learn a new programming language", "Build people-management skills", "Deepen product discovery skills",
    "Complete the leadership programme", "Present at an industry conference", "Improve negotiation skills",
    "Learn advanced SQL", "Shadow a customer-facing team", "Grow stakeholder management skills",
    "Get certified in data privacy",
)


@dataclass(frozen=True)
class Metric:
    """A kind of key result: start drawn from [start_low, start_high], target moved by change_low-high."""

    name: str
    direction: str
    start_low: float
    start_high: float
    change_low: float
    change_high: float
    relative: bool  # change is a fraction of the start value, else in the metric's own unit
    decimals: int
    ceiling: float | None = None  # percentages cannot pass 100
    divisions: tuple[str, ...] = ()  # the divisions whose goals use it; () for all


BUSINESS_METRICS = (
    Metric("Weekly active users", "increase", 2_000, 80_000, 0.10, 0.40, True, 0,
           divisions=(ENGINEERING, PRODUCT, MARKETING)),
    Metric("Monthly recurring revenue ($k)", "increase", 200, 5_000, 0.08, 0.30, True, 0,
           divisions=(SALES, CUSTOMER_SUCCESS, PRODUCT)),
    Metric("Qualified pipeline ($k)", "increase", 500, 8_000, 0.10, 0.40, True, 0, divisions=(SALES, MARKETING)),
    Metric("Net promoter score", "increase", 15, 45, 4, 15, False, 0, divisions=(CUSTOMER_SUCCESS, PRODUCT)),
    Metric("Tickets resolved within SLA (%)", "increase", 70, 90, 3, 9, False, 1, ceiling=100,
           divisions=(CUSTOMER_SUCCESS, OPERATIONS)),
    Metric("Deployments per week", "increase", 5, 40, 0.20, 0.80, True, 0, divisions=(ENGINEERING,)),
    Metric("Test coverage (%)", "increase", 50, 75, 5, 15, False, 1, ceiling=100, divisions=(ENGINEERING,)),
    Metric("Features shipped", "increase", 0, 0, 2, 10, False, 0, divisions=(ENGINEERING, PRODUCT)),
    Metric("Customer meetings held", "increase", 0, 0, 10, 40, False, 0, divisions=(SALES, CUSTOMER_SUCCESS, PRODUCT)),
    Metric("Trial-to-paid conversion (%)", "increase", 8, 20, 1, 5, False, 1, ceiling=100,
           divisions=(PRODUCT, MARKETING)),
    Metric("Employee engagement score", "increase", 60, 75, 3, 8, False, 0, ceiling=100,
           divisions=(CORPORATE, OPERATIONS)),
    Metric("Deals closed", "increase", 0, 0, 3, 15, False, 0, divisions=(SALES,)),
    Metric("Marketing-qualified leads", "increase", 300, 3_000, 0.10, 0.40, True, 0, divisions=(MARKETING,)),
    Metric("Invoices matched automatically (%)", "increase", 40, 70, 10, 25, False, 1, ceiling=100,
           divisions=(CORPORATE, OPERATIONS)),
    Metric("Milestones delivered", "increase", 0, 0, 3, 8, False, 0),
    Metric("p95 API latency (ms)", "decrease", 250, 900, 0.15, 0.45, True, 0, divisions=(ENGINEERING,)),
    Metric("Open critical bugs", "decrease", 15, 80, 0.30, 0.70, True, 0, divisions=(ENGINEERING,)),
    Metric("Customer churn rate (%)", "decrease", 2, 7, 0.5, 2, False, 1, divisions=(CUSTOMER_SUCCESS, SALES)),
    Metric("Cloud cost per customer ($)", "decrease", 20, 80, 0.10, 0.30, True, 2, divisions=(OPERATIONS,)),
    Metric("Time to hire (days)", "decrease", 35, 70, 5, 20, False, 0, divisions=(CORPORATE,)),
    Metric("Days to close the books", "decrease", 8, 15, 2, 5, False, 0, divisions=(CORPORATE,)),
    Metric("Median onboarding time (days)", "decrease", 10, 40, 0.20, 0.50, True, 0, divisions=(CUSTOMER_SUCCESS,)),
    Metric("Supplier lead time (days)", "decrease", 10, 45, 0.15, 0.40, True, 0, divisions=(OPERATIONS,)),
    Metric("Cost per lead ($)", "decrease", 40, 200, 0.10, 0.30, True, 0, divisions=(MARKETING,)),
)  # fmt: skip
DEVELOPMENT_METRICS = (
    Metric("Learning milestones completed", "increase", 0, 0, 3, 8, False, 0),
    Metric("Courses completed", "increase", 0, 0, 2, 6, False, 0),
    Metric("Mentoring sessions held", "increase", 0, 0, 4, 12, False, 0),
    Metric("Practice talks given", "increase", 0, 0, 2, 5, False, 0),
    Metric("Certification modules passed", "increase", 0, 0, 3, 8, False, 0),
)

# Roles in the manager chain; the order is also the order of employee ids.
CEO, DIVISION_HEAD, DEPARTMENT_HEAD, TEAM_LEAD, MEMBER = range(5)
LEVEL_COMPANY, LEVEL_DEPARTMENT, LEVEL_TEAM, LEVEL_INDIVIDUAL = range(4)
GOAL_LEVEL_NAMES = ("company", "department", "team", "individual")

# Check-in cadence a manager keeps with every report.
WEEKLY, BIWEEKLY, MONTHLY, LAPSING = range(4)
CADENCE_SHARES = (0.30, 0.30, 0.25, 0.15)
CADENCE_GAP_DAYS = (7, 14, 28, 14)  # whole weeks, so a series keeps its weekday
CADENCE_HELD_SHARE = (0.70, 0.85, 0.92, 0.85)  # the rest were cancelled
RESCHEDULED_SHARE = 0.25  # moved a day or two from the usual slot
CHECKIN_KIND_SHARES = (0.80, 0.12, 0.08)  # 1:1, goal review, development

GUIDELINE_SHARES = (0.05, 0.15, 0.50, 0.20, 0.10)  # ratings 1-5
POTENTIAL_SHARES = (0.25, 0.55, 0.20)  # potential 1-3
LENIENT_RATER_SHARE = 0.08
SEVERE_RATER_SHARE = 0.08
RATER_SHIFT = 0.7
RATING_INFLATION = 0.15  # every rater rounds up a little before calibration
CALIBRATION_NOISE = 0.15  # committee judgement beyond correcting raters
# Proximity bias planted in the current cycle: remote workers' latent score is pulled down by
# this much, which puts their top-rating share at about 0.65x office workers'.
REMOTE_PENALTY = 0.36


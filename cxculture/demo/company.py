"""The demo company: a realistic organisation to explore the product with, built idempotently."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from cxculture.demo import surveys as demo_surveys
from cxculture.demo.plans import seed_demo_plan, seed_past_plan
from cxculture.demo.training import seed_demo_training, seed_past_training
from cxculture.extensions import db
from cxculture.models import User, utcnow
from cxculture.services.accounts import find_user_by_email
from cxculture.services.org import ensure_department
from cxculture.services.training import load_modules

DEFAULT_PASSWORD = "cxdemo"  # noqa: S105 - the demo's documented password
DEMO_DOMAIN = "demo.test"

# Department path -> how many people work directly in it (heads included).
DEPARTMENTS: dict[str, int] = {
    "Operations": 3,
    "Operations/Contact Center": 30,
    "Operations/Social Media Care": 10,
    "Operations/Logistics": 17,
    "Commercial": 3,
    "Commercial/Sales": 16,
    "Commercial/Marketing": 10,
    "Finance": 10,
    "IT": 14,
    "People & Culture": 7,
}


@dataclass(frozen=True)
class DemoPerson:
    """One person of the demo company; ``role`` is set for the accounts printed after seeding."""

    name: str
    department: str
    locale: str
    email: str = ""
    heads: tuple[str, ...] = ()
    is_hr_admin: bool = False
    role: str = ""

    @property
    def login(self) -> str:
        """The email address: given for the named logins, derived from the name otherwise."""
        if self.email:
            return self.email
        first, last = self.name.split(" ", 1)
        return f"{_ascii_slug(first)}.{_ascii_slug(last)}@{DEMO_DOMAIN}"


CONTACT_CENTER = "Operations/Contact Center"
DEMO_LOGINS = (
    DemoPerson(
        "Helena Prates",
        "People & Culture",
        "pt_BR",
        "hr@demo.test",
        is_hr_admin=True,
        role="HR admin",
    ),
    DemoPerson(
        "Carlos Méndez",
        CONTACT_CENTER,
        "es",
        "head.contact@demo.test",
        heads=(CONTACT_CENTER,),
        role="head of Contact Center",
    ),
    DemoPerson("Ana Souza", CONTACT_CENTER, "pt_BR", "ana@demo.test", role="employee"),
    DemoPerson(
        "Olivia Bennett",
        "Operations",
        "en",
        "head.operations@demo.test",
        heads=("Operations",),
        role="head of Operations and the departments below it",
    ),
    DemoPerson(
        "Rafael Azevedo",
        "Commercial",
        "pt_BR",
        "head.commercial@demo.test",
        heads=("Commercial",),
        role="head of Commercial and the departments below it",
    ),
)
OTHER_HEADS = (
    DemoPerson(
        "Lucía Romero",
        "Operations/Social Media Care",
        "es",
        heads=("Operations/Social Media Care",),
    ),
    DemoPerson("João Ferreira", "Operations/Logistics", "pt_BR", heads=("Operations/Logistics",)),
    DemoPerson("Daniel Carter", "Commercial/Sales", "en", heads=("Commercial/Sales",)),
    DemoPerson("Marina Castro", "Commercial/Marketing", "pt_BR", heads=("Commercial/Marketing",)),
    DemoPerson("Paulo Ribeiro", "Finance", "pt_BR", heads=("Finance",)),
    DemoPerson("Sofía Herrera", "IT", "es", heads=("IT",)),
    DemoPerson(
        "Beatriz Lima", "People & Culture", "pt_BR", heads=("People & Culture",), is_hr_admin=True
    ),
)

FIRST_NAMES = {
    "pt_BR": [
        "Mariana",
        "Lucas",
        "Gabriela",
        "Pedro",
        "Juliana",
        "Thiago",
        "Camila",
        "Rodrigo",
        "Fernanda",
        "Bruno",
        "Larissa",
        "Gustavo",
        "Patrícia",
        "Felipe",
        "Renata",
        "André",
        "Tatiana",
        "Vinícius",
        "Aline",
        "Matheus",
        "Inês",
        "Tiago",
        "Joana",
        "Rui",
    ],
    "es": [
        "Alejandro",
        "Valentina",
        "Javier",
        "Camila",
        "Diego",
        "Isabel",
        "Andrés",
        "Paula",
        "Sergio",
        "Carmen",
        "Mateo",
        "Elena",
        "Pablo",
        "Natalia",
        "Martín",
        "Daniela",
        "Jorge",
        "Laura",
        "Gonzalo",
        "Ximena",
    ],
    "en": [
        "Emily",
        "James",
        "Sophie",
        "Michael",
        "Grace",
        "Thomas",
        "Hannah",
        "Samuel",
        "Chloe",
        "Benjamin",
        "Megan",
        "Nathan",
    ],
}
LAST_NAMES = {
    "pt_BR": [
        "Silva",
        "Santos",
        "Oliveira",
        "Pereira",
        "Costa",
        "Rodrigues",
        "Almeida",
        "Nascimento",
        "Carvalho",
        "Gomes",
        "Martins",
        "Araújo",
        "Barbosa",
        "Rocha",
        "Teixeira",
        "Moreira",
        "Cardoso",
        "Correia",
        "Fonseca",
        "Monteiro",
    ],
    "es": [
        "García",
        "Martínez",
        "López",
        "González",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Díaz",
        "Torres",
        "Ramírez",
        "Flores",
        "Vargas",
        "Morales",
        "Ortega",
        "Jiménez",
        "Ruiz",
    ],
    "en": [
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Taylor",
        "Wilson",
        "Evans",
        "Walker",
        "Wright",
        "Hughes",
        "Clarke",
        "Turner",
    ],
}
# The demo company is mostly Brazilian and Iberian, with an English-speaking minority.
LOCALE_WEIGHTS = {"pt_BR": 0.5, "es": 0.35, "en": 0.15}


def _ascii_slug(text: str) -> str:
    table = str.maketrans("áàâãäéèêëíìîïóòôõöúùûüçñ", "aaaaaeeeeiiiiooooouuuucn")
    return "".join(ch for ch in text.lower().translate(table) if ch.isalnum())


def _staff(seats: list[str]) -> list[DemoPerson]:
    """One person per seat (a department path), the same people on every run."""
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data, no secret
    locales, weights = zip(*LOCALE_WEIGHTS.items(), strict=True)
    taken = {person.name for person in DEMO_LOGINS + OTHER_HEADS}
    staff: list[DemoPerson] = []
    for path in seats:
        while True:
            locale = rng.choices(locales, weights)[0]
            name = f"{rng.choice(FIRST_NAMES[locale])} {rng.choice(LAST_NAMES[locale])}"
            if name not in taken:
                break
        taken.add(name)
        staff.append(DemoPerson(name, path, locale))
    return staff


def demo_people() -> list[DemoPerson]:
    """Everyone in the demo company, in a stable order."""
    named = list(DEMO_LOGINS + OTHER_HEADS)
    seats = [path for path, size in DEPARTMENTS.items() for _ in range(size)]
    for person in named:
        seats.remove(person.department)
    return named + _staff(seats)


@dataclass(frozen=True)
class SeedReport:
    """What a seeding run did."""

    departments: int
    people_created: int
    people_total: int
    responses_created: int


def existing_demo_logins() -> list[DemoPerson]:
    """The named demo accounts that exist in this database."""
    emails = [person.login for person in DEMO_LOGINS]
    found = set(db.session.execute(select(User.email).where(User.email.in_(emails))).scalars())
    return [person for person in DEMO_LOGINS if person.login in found]


def is_database_empty() -> bool:
    """True when nobody has an account yet (a fresh installation)."""
    return db.session.execute(select(func.count(User.id))).scalar_one() == 0


def seed_history(hr: User) -> int:
    """The demo's five months, in the order they happened: the first wave; training and a
    focus plan; the second wave, which the trained teams answer higher on what they learnt; the
    third wave, open now; today's training and plan. How many responses were stored."""
    now = utcnow()
    _first, stored = demo_surveys.seed_first_wave(hr, now)
    trained = seed_past_training(now)
    seed_past_plan(now)
    _second, second_stored = demo_surveys.seed_second_wave(hr, now, trained)
    _third, third_stored = demo_surveys.seed_open_wave(hr, now)
    seed_demo_training(now)
    seed_demo_plan(now)
    return stored + second_stored + third_stored


def seed_demo(password: str = DEFAULT_PASSWORD) -> SeedReport:
    """Create the demo company; running it again adds only what is missing."""
    departments = {path: ensure_department(path) for path in DEPARTMENTS}
    # One hash for the whole demo keeps seeding fast; real accounts each get their own.
    password_hash = generate_password_hash(password)
    created = 0
    for number, person in enumerate(demo_people(), start=1):
        user = find_user_by_email(person.login)
        if user is None:
            user = User(
                email=person.login,
                name=person.name,
                employee_number=f"DEMO-{number:04d}",
                department=departments[person.department],
                locale=person.locale,
                is_hr_admin=person.is_hr_admin,
                password_hash=password_hash,
            )
            db.session.add(user)
            created += 1
        for path in person.heads:
            if departments[path] not in user.headed_departments:
                user.headed_departments.append(departments[path])
    db.session.commit()
    total = db.session.execute(select(func.count(User.id))).scalar_one()
    load_modules()
    hr = find_user_by_email(DEMO_LOGINS[0].login)
    stored = seed_history(hr) if hr is not None and not demo_surveys.is_seeded() else 0
    return SeedReport(
        departments=len(departments),
        people_created=created,
        people_total=total,
        responses_created=stored,
    )

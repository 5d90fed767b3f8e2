"""The Nettungen method as data: its six steps, the coordination group's mandate and
checklist, and the assessment questions of step 5, in bokmål, nynorsk and English.

Taken from the method's own texts (the team's seeds: "Metoden i korte trekk" and "Etablering av
en tverretatlig koordineringsgruppe"). Keys are stable: a workspace stores them, so a key never
changes meaning; wording may be improved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.vocab import DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Text:
    key: str
    nb: str
    nn: str
    en: str

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return {"nb": self.nb, "nn": self.nn, "en": self.en}.get(lang, self.nb)


@dataclass(frozen=True)
class Step:
    number: int
    title: Text
    summary: Text


STEPS: tuple[Step, ...] = (
    Step(
        1,
        Text("anchoring", "Forankring", "Forankring", "Anchoring"),
        Text(
            "anchoring",
            "Forankring i ledelsen med skriftlig avtale. Sett av tid og ressurser knyttet til "
            "stilling, ikke person. Lag rutiner for tilbakemelding til ledelsen og for "
            "møtereferater, og informer alle involverte om arbeidet og kartleggingen.",
            "Forankring i leiinga med skriftleg avtale. Set av tid og ressursar knytte til "
            "stilling, ikkje person. Lag rutinar for tilbakemelding til leiinga og for "
            "møtereferat, og informer alle involverte om arbeidet og kartlegginga.",
            "Anchor the work in leadership with a written agreement. Set aside time and "
            "resources tied to positions, not persons. Agree routines for reporting to the "
            "leadership and for minutes, and tell everyone involved about the work and the "
            "mapping.",
        ),
    ),
    Step(
        2,
        Text(
            "cooperation",
            "Tverretatlig samarbeid",
            "Tverretatleg samarbeid",
            "Cross-agency cooperation",
        ),
        Text(
            "cooperation",
            "Etabler en koordineringsgruppe (eller bruk en som finnes) med et konkret mandat "
            "der ansvar og myndighet står i forhold til hverandre.",
            "Etabler ei koordineringsgruppe (eller bruk ei som finst) med eit konkret mandat "
            "der ansvar og mynde står i forhold til kvarandre.",
            "Set up a coordination group (or use one that exists) with a concrete mandate in "
            "which responsibility and authority match.",
        ),
    ),
    Step(
        3,
        Text("platform", "Felles plattform", "Felles plattform", "Shared platform"),
        Text(
            "platform",
            "Bli kjent med hverandre, kartlegg likheter, ulikheter, ressurser og styrker, og "
            "finn felles verdier, holdninger og prinsipper for samhandlingen.",
            "Bli kjende med kvarandre, kartlegg likskapar, skilnader, ressursar og styrkar, og "
            "finn felles verdiar, haldningar og prinsipp for samhandlinga.",
            "Get to know each other, map similarities, differences, resources and strengths, "
            "and agree shared values, attitudes and principles for working together.",
        ),
    ),
    Step(
        4,
        Text(
            "mapping",
            "Kartlegging av tilbud og ressurser",
            "Kartlegging av tilbod og ressursar",
            "Mapping offers and resources",
        ),
        Text(
            "mapping",
            "Kartlegg alle tilbud og ressurser på alle tre nivåer i pyramiden med det felles "
            "begrepsapparatet. Én registreringsansvarlig per etat, én publiseringsansvarlig "
            "per gruppe, og en fremdriftsplan for kartleggingen.",
            "Kartlegg alle tilbod og ressursar på alle tre nivå i pyramiden med det felles "
            "omgrepsapparatet. Éin registreringsansvarleg per etat, éin "
            "publiseringsansvarleg per gruppe, og ein framdriftsplan for kartlegginga.",
            "Map every offer and resource on all three levels of the pyramid with the common "
            "concept set. One registrar per agency, one publisher per group, and a progress "
            "plan for the mapping.",
        ),
    ),
    Step(
        5,
        Text(
            "assessment",
            "Vurdering av tilbud og ressurser",
            "Vurdering av tilbod og ressursar",
            "Assessing offers and resources",
        ),
        Text(
            "assessment",
            "Vurder mangler og overlapping, hvilke tilbud som kan samkjøres med andre etater, "
            "og hvordan ressursene brukes. Juster arbeidsplaner og prioriteringer.",
            "Vurder manglar og overlapping, kva tilbod som kan samkøyrast med andre etatar, "
            "og korleis ressursane blir brukte. Juster arbeidsplanar og prioriteringar.",
            "Assess gaps and overlaps, which offers agencies could run together, and how "
            "resources are used. Adjust work plans and priorities.",
        ),
    ),
    Step(
        6,
        Text("continuation", "Videreføring", "Vidareføring", "Continuation"),
        Text(
            "continuation",
            "Lag rutiner som holder trinn 1–5 og tilbudsdatabasen levende: oppdatering, "
            "årshjul og ny runde i spiralen.",
            "Lag rutinar som held steg 1–5 og tilbodsdatabasen levande: oppdatering, årshjul "
            "og ny runde i spiralen.",
            "Make routines that keep steps 1–5 and the offer database alive: updates, the "
            "yearly cycle and a new round of the spiral.",
        ),
    ),
)
STEP_NUMBERS = tuple(s.number for s in STEPS)

# "Å koordinere og utvikle det forebyggende arbeidet rettet mot barn, unge og deres familier"
MANDATE = Text(
    "mandate",
    "Å koordinere og utvikle det forebyggende arbeidet rettet mot barn, unge og deres familier.",
    "Å koordinere og utvikle det førebyggjande arbeidet retta mot born, unge og familiane deira.",
    "To coordinate and develop the preventive work for children, youth and their families.",
)

# What the mandate means in Nettungen: the coordination group shall ...
MANDATE_DUTIES: tuple[Text, ...] = (
    Text(
        "overview-plans",
        "Ha oversikt over satsingsområder, planer og prosjekter",
        "Ha oversikt over satsingsområde, planar og prosjekt",
        "Keep an overview of focus areas, plans and projects",
    ),
    Text(
        "overview-resources",
        "Ha oversikt over økonomiske og faglige ressurser og sørge for at de blir brukt best mulig",
        "Ha oversikt over økonomiske og faglege ressursar og sørgje for at dei blir brukte "
        "best mogleg",
        "Keep an overview of economic and professional resources and see that they are used "
        "as well as possible",
    ),
    Text(
        "keep-mapping",
        "Ha ansvar for å oppdatere kartleggingen, med konkrete rutiner for det",
        "Ha ansvar for å oppdatere kartlegginga, med konkrete rutinar for det",
        "Be responsible for keeping the mapping up to date, with concrete routines",
    ),
    Text(
        "assess-whole",
        "Vurdere helheten i de forebyggende tilbudene og planene for barn og unge",
        "Vurdere heilskapen i dei førebyggjande tilboda og planane for born og unge",
        "Assess the preventive offers and plans for children and youth as a whole",
    ),
    Text(
        "mental-health-plan",
        "Påse at kommunen har en godkjent plan for barn og unges psykiske helse",
        "Sjå til at kommunen har ein godkjend plan for psykisk helse hos born og unge",
        "See that the municipality has an approved plan for children's and youth's mental health",
    ),
    Text(
        "plans-together",
        "Se planene i sammenheng med annet planarbeid",
        "Sjå planane i samanheng med anna planarbeid",
        "See the plans together with other planning",
    ),
    Text(
        "hearings",
        "Ha høringsansvar for planer som omfatter barn og unge",
        "Ha høyringsansvar for planar som gjeld born og unge",
        "Answer hearings on plans that concern children and youth",
    ),
    Text(
        "specify-evaluate",
        "Kreve tiltakskonkretisering for nye tilbud som drives for offentlige midler, og "
        "sørge for at de blir evaluert",
        "Krevje tiltakskonkretisering for nye tilbod som blir drivne for offentlege midlar, "
        "og sørgje for at dei blir evaluerte",
        "Demand a written specification of new publicly funded offers, and see that they are "
        "evaluated",
    ),
)

# The short checklist for the group's mandate.
MANDATE_CHECKLIST: tuple[Text, ...] = (
    Text("write", "Utarbeid et mandat", "Utarbeid eit mandat", "Write a mandate"),
    Text(
        "concretise",
        "Konkretiser mandatet og tilpass det til egen virkelighet",
        "Konkretiser mandatet og tilpass det til eigen røyndom",
        "Make the mandate concrete and fit it to your own situation",
    ),
    Text(
        "elements",
        "Påse at elementene som er understreket for Nettungen-modellen er med",
        "Sjå til at elementa som er understreka for Nettungen-modellen er med",
        "See that the elements stressed by the Nettungen model are included",
    ),
    Text(
        "discuss",
        "Diskuter mandatet slik at dere har en felles forståelse",
        "Diskuter mandatet slik at de har ei felles forståing",
        "Discuss the mandate until you share an understanding of it",
    ),
    Text(
        "one-at-a-time",
        "Ta fatt på én oppgave av gangen med en realistisk fremdriftsplan for hver",
        "Ta fatt på éi oppgåve om gongen med ein realistisk framdriftsplan for kvar",
        "Take one task at a time, with a realistic progress plan for each",
    ),
)


@dataclass(frozen=True)
class QuestionGroup:
    key: str
    title: Text
    questions: tuple[Text, ...]


ASSESSMENT: tuple[QuestionGroup, ...] = (
    QuestionGroup(
        "offers",
        Text(
            "offers",
            "Vurder tilbudene: de skal",
            "Vurder tilboda: dei skal",
            "Assess the offers: they should",
        ),
        (
            Text(
                "local",
                "kunne gis i lokalmiljøet",
                "kunne bli gitt i nærmiljøet",
                "be given locally, close to where people live",
            ),
            Text(
                "cross-agency",
                "være et tverretatlig ansvar",
                "vere eit tverretatleg ansvar",
                "be a cross-agency responsibility",
            ),
            Text(
                "levels",
                "til sammen dekke ulike nivåer, så behov dekkes og kontinuiteten for det "
                "enkelte barn sikres",
                "til saman dekkje ulike nivå, så behov blir dekte og kontinuiteten for kvart "
                "barn blir sikra",
                "together cover every level, so needs are met and each child's continuity is "
                "secured",
            ),
            Text(
                "early",
                "gi mulighet for tidlig innsats",
                "gi høve til tidleg innsats",
                "allow early intervention",
            ),
            Text(
                "coherent",
                "gi mulighet for sammenhengende innsats",
                "gi høve til samanhengande innsats",
                "allow coherent, continuous effort",
            ),
            Text(
                "independence",
                "gi mulighet for selvstøttende innsats og selvstendighet",
                "gi høve til sjølvstøttande innsats og sjølvstende",
                "build self-support and independence",
            ),
        ),
    ),
    QuestionGroup(
        "emphasis",
        Text("emphasis", "Legg også vekt på", "Legg også vekt på", "Also give weight to"),
        (
            Text(
                "functional",
                "at tilbudene henger sammen i en funksjonell helhet",
                "at tilboda heng saman i ein funksjonell heilskap",
                "offers fitting together into a functional whole",
            ),
            Text(
                "users-heard",
                "at brukerne kommer til orde",
                "at brukarane kjem til orde",
                "users being heard",
            ),
            Text(
                "reciprocity",
                "større gjensidighet mellom bruker og hjelpeapparat",
                "større gjensidigheit mellom brukar og hjelpeapparat",
                "more reciprocity between users and services",
            ),
        ),
    ),
    QuestionGroup(
        "group",
        Text(
            "group", "Vurder gruppens arbeid", "Vurder arbeidet i gruppa", "Assess the group's work"
        ),
        (
            Text(
                "short",
                "Når kommer vi til kort?",
                "Når kjem vi til kort?",
                "Where do we fall short?",
            ),
            Text(
                "cooperation-works",
                "Fungerer det tverretatlige samarbeidet til beste for barn, unge og familier?",
                "Fungerer det tverretatlege samarbeidet til beste for born, unge og familiar?",
                "Does the cross-agency cooperation work for the good of children, youth and "
                "families?",
            ),
            Text(
                "purpose",
                "Fungerer tilbudene etter hensikten?",
                "Fungerer tilboda etter føremålet?",
                "Do the offers work as intended?",
            ),
            Text(
                "preparedness",
                "Har kommunen beredskapsplaner på viktige områder?",
                "Har kommunen beredskapsplanar på viktige område?",
                "Does the municipality have contingency plans in important areas?",
            ),
            Text(
                "resources",
                "Hvordan blir ressurser og kompetanse brukt?",
                "Korleis blir ressursar og kompetanse brukte?",
                "How are resources and competence used?",
            ),
            Text(
                "inclusion",
                "Hvordan inkluderes barn, familier og brukergrupper?",
                "Korleis blir born, familiar og brukargrupper inkluderte?",
                "How are children, families and user groups included?",
            ),
        ),
    ),
)
QUESTION_KEYS = frozenset(f"{g.key}.{q.key}" for g in ASSESSMENT for q in g.questions)


def mandate_texts() -> Mapping[str, Text]:
    """Every mandate item of the method by its stored key (``duty.x``, ``checklist.y``)."""
    items = {f"duty.{t.key}": t for t in MANDATE_DUTIES}
    items.update({f"checklist.{t.key}": t for t in MANDATE_CHECKLIST})
    return items

"""The common concept set (*felles begrepsapparat*): controlled vocabularies with stable codes.

Codes never change meaning once published: feeds, indexes and reports keep them for years.
Labels are bokmål (``nb``), nynorsk (``nn``) and English (``en``). The publisher exposes these as
SKOS concept schemes and HSDS taxonomies; the registry validates offers against them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

LANGUAGES = ("nb", "nn", "en")
DEFAULT_LANGUAGE = "nb"


@dataclass(frozen=True)
class Concept:
    code: str
    labels: Mapping[str, str]
    # An external notation where the concept comes from another system (ICD-10, ISO 639-3).
    notation: str | None = None

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return self.labels.get(lang) or self.labels[DEFAULT_LANGUAGE]


@dataclass(frozen=True)
class Vocabulary:
    id: str
    title: Mapping[str, str]
    concepts: tuple[Concept, ...]
    source: str | None = None
    _by_code: dict[str, Concept] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code = {c.code: c for c in self.concepts}
        if len(by_code) != len(self.concepts):
            raise ValueError(f"vocabulary {self.id} repeats a code")
        object.__setattr__(self, "_by_code", by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def __len__(self) -> int:
        return len(self.concepts)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.concepts)

    def get(self, code: str) -> Concept:
        return self._by_code[code]


def _c(code: str, nb: str, nn: str, en: str, notation: str | None = None) -> Concept:
    return Concept(code, {"nb": nb, "nn": nn, "en": en}, notation)


def _title(nb: str, nn: str, en: str) -> dict[str, str]:
    return {"nb": nb, "nn": nn, "en": en}


PYRAMID_LEVELS = Vocabulary(
    "pyramid-level",
    _title("Nivå i pyramiden", "Nivå i pyramiden", "Pyramid level"),
    (
        _c("1", "Tilbud til alle", "Tilbod til alle", "Offers for all children and youth"),
        _c(
            "2",
            "Tilbud til de som trenger mer støtte",
            "Tilbod til dei som treng meir støtte",
            "Offers for those who need more support",
        ),
        _c("3", "Hjelpetilbud", "Hjelpetilbod", "Help and treatment offers"),
    ),
)

OFFER_CATEGORIES = Vocabulary(
    "offer-category",
    _title("Kategori", "Kategori", "Category"),
    (
        _c("public", "Offentlig tilbud", "Offentleg tilbod", "Public offer"),
        _c(
            "voluntary_club",
            "Tilbud fra frivillige lag",
            "Tilbod frå frivillige lag",
            "Offer by a voluntary club",
        ),
        _c(
            "voluntary_association",
            "Tilbud fra frivillige foreninger",
            "Tilbod frå frivillige foreiningar",
            "Offer by a voluntary association",
        ),
        _c(
            "parent_support",
            "Foreldrestøttende arbeid",
            "Foreldrestøttande arbeid",
            "Parent-support work",
        ),
        _c("group", "Gruppe", "Gruppe", "Group"),
        _c("guidance", "Veiledningstilbud", "Rettleiingstilbod", "Guidance"),
    ),
)

RISK_GROUPS = Vocabulary(
    "risk-group",
    _title("Risikogrupper", "Risikogrupper", "Risk groups"),
    (
        _c(
            "child_welfare",
            "Barn i barne- og familievern",
            "Born i barne- og familievern",
            "Children in child and family welfare",
        ),
        _c(
            "parent_chronic_illness",
            "Barn av foreldre med kronisk sykdom/funksjonshemming",
            "Born av foreldre med kronisk sjukdom/funksjonshemming",
            "Children of parents with chronic illness or disability",
        ),
        _c(
            "parent_mental_illness",
            "Barn av psykisk syke foreldre",
            "Born av psykisk sjuke foreldre",
            "Children of parents with mental illness",
        ),
        _c(
            "parent_substance_abuse",
            "Barn av foreldre med rusmisbruk",
            "Born av foreldre med rusmisbruk",
            "Children of parents with substance abuse",
        ),
        _c(
            "parent_in_prison",
            "Barn med foreldre i fengsel",
            "Born med foreldre i fengsel",
            "Children with parents in prison",
        ),
        _c(
            "parent_violent_milieu",
            "Barn med foreldre i voldelige miljøer",
            "Born med foreldre i valdelege miljø",
            "Children with parents in violent milieus",
        ),
        _c(
            "violent_milieu",
            "Barn i voldelige miljøer",
            "Born i valdelege miljø",
            "Children in violent milieus",
        ),
        _c(
            "trauma",
            "Barn utsatt for traume (tap, ulykke o.l.)",
            "Born utsette for traume (tap, ulukke o.l.)",
            "Children exposed to trauma (loss, accident)",
        ),
        _c(
            "parental_breakup",
            "Barn som opplever samlivsbrudd",
            "Born som opplever samlivsbrot",
            "Children experiencing parental break-up",
        ),
        _c(
            "under_assessment",
            "Barn under utredning",
            "Born under utgreiing",
            "Children under assessment",
        ),
        _c(
            "bullying",
            "Barn utsatt for eller som utøver mobbing",
            "Born utsette for eller som utøver mobbing",
            "Children exposed to or practising bullying",
        ),
        _c(
            "peer_difficulties",
            "Barn med vansker med jevnaldrende",
            "Born med vanskar med jamaldrande",
            "Children with peer difficulties",
        ),
        _c(
            "school_absence",
            "Barn med skolefravær",
            "Born med skulefråvær",
            "Children with school absence",
        ),
        _c(
            "learning_difficulties",
            "Barn med lærevansker",
            "Born med lærevanskar",
            "Children with learning difficulties",
        ),
    ),
)

AUDIENCES = Vocabulary(
    "audience",
    _title("Målgruppe", "Målgruppe", "Target audience"),
    (
        _c(
            "expectant_parents",
            "Gravide og vordende foreldre",
            "Gravide og vordande foreldre",
            "Expectant parents",
        ),
        _c("children", "Barn", "Born", "Children"),
        _c("youth", "Ungdom", "Ungdom", "Youth"),
        _c("parents", "Foreldre", "Foreldre", "Parents"),
        _c("families", "Familier", "Familiar", "Families"),
        _c("professionals", "Fagpersoner", "Fagpersonar", "Professionals"),
    ),
)

ORGANISATION_KINDS = Vocabulary(
    "organisation-kind",
    _title("Type organisasjon", "Type organisasjon", "Kind of organisation"),
    (
        _c("municipality", "Kommune", "Kommune", "Municipality"),
        _c("county", "Fylke", "Fylke", "County"),
        _c("region", "Region", "Region", "Region"),
        _c("state", "Stat", "Stat", "State"),
        _c(
            "voluntary",
            "Frittstående organisasjon",
            "Frittståande organisasjon",
            "Voluntary or private organisation",
        ),
    ),
)

# ICD-10 blocks (WHO; the Norwegian edition is kept by Helsedirektoratet, finnkode.no) for the
# mental-health and developmental conditions that offers for children and youth most often
# address. The block is the notation; codes are ours and stable.
DIAGNOSIS_GROUPS = Vocabulary(
    "diagnosis-group",
    _title("Diagnosegrupper", "Diagnosegrupper", "Diagnosis groups"),
    (
        _c(
            "adhd",
            "ADHD / hyperkinetiske forstyrrelser",
            "ADHD / hyperkinetiske forstyrringar",
            "ADHD / hyperkinetic disorders",
            "F90",
        ),
        _c(
            "autism",
            "Autismespekterforstyrrelser",
            "Autismespekterforstyrringar",
            "Autism spectrum disorders",
            "F84",
        ),
        _c("anxiety", "Angstlidelser", "Angstlidingar", "Anxiety disorders", "F40-F41"),
        _c("depression", "Depresjon", "Depresjon", "Depression", "F32-F33"),
        _c(
            "stress_trauma",
            "Reaksjoner på alvorlig belastning, PTSD",
            "Reaksjonar på alvorleg belastning, PTSD",
            "Reactions to severe stress, PTSD",
            "F43",
        ),
        _c("eating_disorders", "Spiseforstyrrelser", "Eteforstyrringar", "Eating disorders", "F50"),
        _c(
            "conduct_disorders",
            "Atferdsforstyrrelser",
            "Åtferdsforstyrringar",
            "Conduct disorders",
            "F91",
        ),
        _c(
            "tic_disorders",
            "Tics og Tourettes syndrom",
            "Tics og Tourettes syndrom",
            "Tic disorders and Tourette syndrome",
            "F95",
        ),
        _c(
            "language_learning",
            "Spesifikke utviklingsforstyrrelser i tale, språk og skoleferdigheter",
            "Spesifikke utviklingsforstyrringar i tale, språk og skuledugleik",
            "Specific developmental disorders of speech, language and scholastic skills",
            "F80-F81",
        ),
        _c(
            "intellectual_disability",
            "Psykisk utviklingshemming",
            "Psykisk utviklingshemming",
            "Intellectual disability",
            "F70-F79",
        ),
        _c(
            "substance_use",
            "Ruslidelser",
            "Ruslidingar",
            "Mental and behavioural disorders due to substance use",
            "F10-F19",
        ),
        _c(
            "attachment",
            "Tilknytningsforstyrrelser",
            "Tilknytingsforstyrringar",
            "Attachment disorders",
            "F94.1-F94.2",
        ),
    ),
    source="ICD-10, WHO; norsk utgave Helsedirektoratet (finnkode.no)",
)

ACCESS = Vocabulary(
    "access",
    _title("Hvordan få tilbudet", "Korleis få tilbodet", "How to get the offer"),
    (
        _c("open", "Åpent for alle", "Ope for alle", "Open to all"),
        _c("self_referral", "Ta kontakt selv", "Ta kontakt sjølv", "Self-referral"),
        _c("referral", "Krever henvisning", "Krev tilvising", "Referral needed"),
    ),
)

MEASURE_STATUSES = Vocabulary(
    "measure-status",
    _title("Status for tiltaket", "Status for tiltaket", "Status of the measure"),
    (
        _c("pilot", "Pilot", "Pilot", "Pilot"),
        _c("project", "Prosjekt", "Prosjekt", "Project"),
        _c("permanent", "Fast drift", "Fast drift", "Normal operation"),
    ),
)

# ISO 639-3 codes: the EU language authority (CPSV-AP-NO) and HSDS both accept them.
OFFER_LANGUAGES = Vocabulary(
    "language",
    _title("Språk", "Språk", "Language"),
    (
        _c("nob", "Norsk (bokmål)", "Norsk (bokmål)", "Norwegian (Bokmål)"),
        _c("nno", "Norsk (nynorsk)", "Norsk (nynorsk)", "Norwegian (Nynorsk)"),
        _c("sme", "Nordsamisk", "Nordsamisk", "Northern Sami"),
        _c("sma", "Sørsamisk", "Sørsamisk", "Southern Sami"),
        _c("smj", "Lulesamisk", "Lulesamisk", "Lule Sami"),
        _c("nsl", "Norsk tegnspråk", "Norsk teiknspråk", "Norwegian Sign Language"),
        _c("eng", "Engelsk", "Engelsk", "English"),
        _c("ara", "Arabisk", "Arabisk", "Arabic"),
        _c("som", "Somali", "Somali", "Somali"),
        _c("tir", "Tigrinja", "Tigrinja", "Tigrinya"),
        _c("prs", "Dari", "Dari", "Dari"),
        _c("fas", "Persisk", "Persisk", "Persian"),
        _c("urd", "Urdu", "Urdu", "Urdu"),
        _c("pol", "Polsk", "Polsk", "Polish"),
        _c("lit", "Litauisk", "Litauisk", "Lithuanian"),
        _c("ukr", "Ukrainsk", "Ukrainsk", "Ukrainian"),
        _c("rus", "Russisk", "Russisk", "Russian"),
        _c("tur", "Tyrkisk", "Tyrkisk", "Turkish"),
        _c("kur", "Kurdisk", "Kurdisk", "Kurdish"),
        _c("spa", "Spansk", "Spansk", "Spanish"),
        _c("fra", "Fransk", "Fransk", "French"),
        _c("deu", "Tysk", "Tysk", "German"),
        _c("swe", "Svensk", "Svensk", "Swedish"),
        _c("tha", "Thai", "Thai", "Thai"),
        _c("vie", "Vietnamesisk", "Vietnamesisk", "Vietnamese"),
    ),
)

MEMBERSHIP_STATUSES = Vocabulary(
    "membership-status",
    _title("Medlemskap", "Medlemskap", "Membership"),
    (
        _c("active", "Aktivt medlem", "Aktivt medlem", "Active member"),
        _c("suspended", "Midlertidig stengt", "Mellombels stengt", "Suspended"),
        _c("ended", "Avsluttet", "Avslutta", "Ended"),
    ),
)

ROLES = Vocabulary(
    "role",
    _title("Rolle", "Rolle", "Role"),
    (
        _c("admin", "Administrator", "Administrator", "Administrator"),
        _c("registrar", "Registreringsansvarlig", "Registreringsansvarleg", "Registrar"),
        _c("publisher", "Publiseringsansvarlig", "Publiseringsansvarleg", "Publisher"),
        _c("reader", "Leser", "Lesar", "Reader"),
    ),
)

OFFER_STATUSES = Vocabulary(
    "offer-status",
    _title("Status", "Status", "Status"),
    (
        _c("draft", "Utkast", "Utkast", "Draft"),
        _c(
            "submitted",
            "Sendt til kvalitetssjekk",
            "Sendt til kvalitetssjekk",
            "Submitted for review",
        ),
        _c("published", "Publisert", "Publisert", "Published"),
        _c("withdrawn", "Trukket tilbake", "Trekt tilbake", "Withdrawn"),
    ),
)

# The days of the week of an offer's timetable (shared.timetable), Monday first as in Norway.
# Codes as in the search API's ``open_on``; not a concept scheme of its own, so not in ALL.
WEEKDAYS = Vocabulary(
    "weekday",
    _title("Ukedag", "Vekedag", "Day of the week"),
    (
        _c("mon", "mandag", "måndag", "Monday"),
        _c("tue", "tirsdag", "tysdag", "Tuesday"),
        _c("wed", "onsdag", "onsdag", "Wednesday"),
        _c("thu", "torsdag", "torsdag", "Thursday"),
        _c("fri", "fredag", "fredag", "Friday"),
        _c("sat", "lørdag", "laurdag", "Saturday"),
        _c("sun", "søndag", "sundag", "Sunday"),
    ),
)

# Why a published offer has no phone, e-mail, web address or place with opening hours. A code,
# not free text: free text here was published with no check for personal data and could not be
# redacted (versions from before the codes may still hold text; see
# shared.publication.redaction).
NO_CONTACT_REASONS = Vocabulary(
    "no-contact-reason",
    _title(
        "Hvorfor det ikke er noen kontaktvei",
        "Kvifor det ikkje er nokon kontaktveg",
        "Why there is no way to get in touch",
    ),
    (
        _c(
            "anonymous_drop_in",
            "Anonymt lavterskeltilbud: bare møt opp",
            "Anonymt lågterskeltilbod: berre møt opp",
            "Anonymous low-threshold service: just turn up",
        ),
        _c(
            "outreach",
            "Oppsøkende tjeneste: vi tar kontakt med dem det gjelder",
            "Oppsøkjande teneste: vi tek kontakt med dei det gjeld",
            "Outreach service: we contact those it is for",
        ),
        _c(
            "referral_only",
            "Bare etter henvisning, for eksempel fra fastlege, helsestasjon eller barnevern",
            "Berre etter tilvising, til dømes frå fastlege, helsestasjon eller barnevern",
            "By referral only, for instance from a GP, the child health centre or child welfare",
        ),
        _c(
            "by_decision",
            "Tildeles etter vedtak: søk gjennom kommunens tjenestekontor",
            "Blir tildelt etter vedtak: søk gjennom tenestekontoret i kommunen",
            "Granted by a decision: apply through the municipality's service office",
        ),
        _c(
            "via_school",
            "Gis gjennom skolen eller barnehagen: spør der",
            "Blir gitt gjennom skulen eller barnehagen: spør der",
            "Given through the school or kindergarten: ask there",
        ),
        _c(
            "protected",
            "Skjermet tilbud av hensyn til brukernes sikkerhet",
            "Skjerma tilbod av omsyn til tryggleiken til brukarane",
            "Protected service, for the safety of those who use it",
        ),
    ),
)

ALL: tuple[Vocabulary, ...] = (
    PYRAMID_LEVELS,
    OFFER_CATEGORIES,
    RISK_GROUPS,
    AUDIENCES,
    ORGANISATION_KINDS,
    DIAGNOSIS_GROUPS,
    ACCESS,
    MEASURE_STATUSES,
    OFFER_LANGUAGES,
    MEMBERSHIP_STATUSES,
    ROLES,
    OFFER_STATUSES,
    NO_CONTACT_REASONS,
)
BY_ID: dict[str, Vocabulary] = {v.id: v for v in ALL}

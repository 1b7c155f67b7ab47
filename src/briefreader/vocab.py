"""The controlled vocabularies of brief format version 1, in one place.

The loader validates against these, the renderers label with them and the
legend screens list them, so a term is defined exactly once.
"""

from __future__ import annotations

from .records import Record, record

FORMAT_VERSION = 1

BRIEF_TYPES = ("assessment", "update", "warning", "estimate", "memo", "digest", "fact-check")
BRIEF_STATUSES = ("draft", "final", "superseded", "withdrawn")
AUTHOR_ROLES = ("author", "editor", "contributor")

CLAIM_KINDS = ("fact", "reported", "assessment", "assumption")
CLAIM_KIND_MEANING = {
    "fact": "verified information",
    "reported": "as conveyed by a source, not verified",
    "assessment": "an analytic judgment",
    "assumption": "taken as true for the analysis, not shown",
}
CONFIDENCE_LEVELS = ("low", "moderate", "high")
STANCES = ("endorsed", "reported", "disputed")
CITATION_RELATIONS = ("supports", "contradicts", "mentions")
LOCATOR_KINDS = ("page", "paragraph", "section", "timestamp")
AUTHOR_ATTRIBUTION = "author"  # attributed_to's default: the brief's own author


@record
class Likelihood(Record):
    """One band of the likelihood scale: its term, range in percent and synonym."""

    term: str
    low: int
    high: int
    synonym: str  # the second-row term of the ICD 203 table

    @property
    def band(self) -> str:
        return f"{self.low}-{self.high}%"


# ICD 203, "Expressions of Likelihood or Probability": two rows of terms that
# mean the same band.  The first row is canonical here.
LIKELIHOODS = (
    Likelihood("almost-no-chance", 1, 5, "remote"),
    Likelihood("very-unlikely", 5, 20, "highly-improbable"),
    Likelihood("unlikely", 20, 45, "improbable"),
    Likelihood("roughly-even-chance", 45, 55, "roughly-even-odds"),
    Likelihood("likely", 55, 80, "probable"),
    Likelihood("very-likely", 80, 95, "highly-probable"),
    Likelihood("almost-certain", 95, 99, "nearly-certain"),
)
LIKELIHOOD_BY_TERM = {item.term: item for item in LIKELIHOODS}
LIKELIHOOD_SYNONYMS = {item.synonym: item.term for item in LIKELIHOODS}

# NATO Admiralty code (STANAG 2511, AJP-2.1): source reliability and
# information credibility, graded separately and shown together as "B2".
SOURCE_RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
INFORMATION_CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}

# CSL 1.0.2 item types.
SOURCE_TYPES = (
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "classic", "collection", "dataset", "document", "entry",
    "entry-dictionary", "entry-encyclopedia", "event", "figure", "graphic", "hearing",
    "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical",
    "personal_communication", "post", "post-weblog", "regulation", "report", "review",
    "review-book", "software", "song", "speech", "standard", "thesis", "treaty", "webpage",
)

ENTITY_TYPES = (
    "person", "organization", "country", "place", "facility", "military-unit",
    "weapon-system", "event", "agreement", "other",
)
RELATED_RELS = (
    "see-also", "references", "supersedes", "superseded-by", "updates", "updated-by",
    "part-of", "has-part", "responds-to", "supports", "contradicts",
)
RELATED_TARGET_KINDS = ("brief", "source", "url")

# Traffic Light Protocol 2.0.
TLP_LEVELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
TLP_MEANING = {
    "CLEAR": "disclosure is not limited",
    "GREEN": "limited disclosure, within the community",
    "AMBER": "limited disclosure, to the recipient's organisation and its clients",
    "AMBER+STRICT": "limited disclosure, to the recipient's organisation only",
    "RED": "for the eyes and ears of individual recipients only",
}
UNMARKED = "UNMARKED"

"""The words of the portfolio outputs (page and summary), in the portfolio's
language: one table, so that the page and the summary say the same thing.
Labels agencies use (house style): fr « Points de friction », « Opportunités »."""

from __future__ import annotations

from jmap.render.locale import french_spacing

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "portfolio": "Journey portfolio",
        "maps_count": "{n} maps",
        "map_count": "1 map",
        "hierarchy": "Maps",
        "hierarchy_intro": "The master journeys first, each followed by the maps that detail it.",
        "map": "Map",
        "owner": "Owner",
        "stages": "Stages",
        "touchpoints": "Touchpoints",
        "lowest": "Lowest moment",
        "pain_points": "Pain points",
        "opportunities": "Opportunities",
        "reviewed": "Reviewed",
        "not_reviewed": "never",
        "stale": "review overdue",
        "due": "next review by {date}",
        "page": "Page",
        "diagram": "Diagram",
        "summary": "Summary",
        "details": "details {stage} of {map}",
        "invalid": "not rendered: the map has errors",
        "personas": "Personas",
        "personas_intro": "Each shared persona, the maps that follow them and their emotion along each.",
        "appears_in": "in {n} maps",
        "appears_in_one": "in 1 map",
        "no_map": "in no map",
        "emotion_along": "{persona} in {map}: emotion from {first} to {last}, lowest {low} at {moment}",
        "channels": "Channels × maps",
        "channels_intro": "Touchpoints of each shared channel in each map.",
        "channel": "Channel",
        "online": "online",
        "offline": "offline",
        "backlog": "Opportunity backlog",
        "backlog_intro": "Every opportunity of the portfolio, the pain points it addresses and their map; in progress first, then by impact and effort.",
        "opportunity": "Opportunity",
        "impact": "Impact",
        "effort": "Effort",
        "status": "Status",
        "addresses": "Addresses",
        "no_opportunities": "No opportunity yet.",
        "unaddressed": "Serious pain points no opportunity addresses",
        "low": "low",
        "medium": "medium",
        "high": "high",
        "critical": "critical",
        "idea": "idea",
        "planned": "planned",
        "in-progress": "in progress",
        "done": "done",
        "unknown_pain_point": "(pain point not found)",
        "review_every": "Every map is reviewed at least every {every}.",
    },
    "fr": {
        "portfolio": "Portefeuille de parcours",
        "maps_count": "{n} cartes",
        "map_count": "1 carte",
        "hierarchy": "Cartes",
        "hierarchy_intro": "Les parcours d’ensemble d’abord, chacun suivi des cartes qui le détaillent.",
        "map": "Carte",
        "owner": "Responsable",
        "stages": "Étapes",
        "touchpoints": "Points de contact",
        "lowest": "Moment le plus bas",
        "pain_points": "Points de friction",
        "opportunities": "Opportunités",
        "reviewed": "Revue",
        "not_reviewed": "jamais",
        "stale": "revue en retard",
        "due": "prochaine revue avant le {date}",
        "page": "Page",
        "diagram": "Diagramme",
        "summary": "Synthèse",
        "details": "détaille {stage} de {map}",
        "invalid": "non rendue : la carte a des erreurs",
        "personas": "Personas",
        "personas_intro": "Chaque persona partagé, les cartes qui le suivent et son émotion le long de chacune.",
        "appears_in": "dans {n} cartes",
        "appears_in_one": "dans 1 carte",
        "no_map": "dans aucune carte",
        "emotion_along": "{persona} dans {map} : émotion de {first} à {last}, au plus bas {low} à «\u202f{moment}\u202f»",
        "channels": "Canaux × cartes",
        "channels_intro": "Points de contact de chaque canal partagé dans chaque carte.",
        "channel": "Canal",
        "online": "en ligne",
        "offline": "hors ligne",
        "backlog": "Opportunités",
        "backlog_intro": "Toutes les opportunités du portefeuille, les points de friction qu’elles traitent et leur carte ; en cours d’abord, puis par impact et effort.",
        "opportunity": "Opportunité",
        "impact": "Impact",
        "effort": "Effort",
        "status": "Statut",
        "addresses": "Traite",
        "no_opportunities": "Aucune opportunité pour l’instant.",
        "unaddressed": "Points de friction graves qu’aucune opportunité ne traite",
        "low": "faible",
        "medium": "moyen",
        "high": "élevé",
        "critical": "critique",
        "idea": "idée",
        "planned": "prévue",
        "in-progress": "en cours",
        "done": "faite",
        "unknown_pain_point": "(point de friction introuvable)",
        "review_every": "Chaque carte est revue au moins tous les {every}.",
    },
}

#: Plural forms where they differ from the singular (French agreement:
#: « 2 points de friction élevés », « 2 opportunités prévues »).
PLURALS: dict[str, dict[str, str]] = {
    "en": {},
    "fr": {
        "low": "faibles",
        "medium": "moyens",
        "high": "élevés",
        "critical": "critiques",
        "idea": "idées",
        "planned": "prévues",
        "done": "faites",
    },
}


def counted(n: int, key: str, lang: str) -> str:
    """``2 élevés``: a count and its word, agreeing with it."""
    word = PLURALS.get(lang, {}).get(key) if n > 1 else None
    return f"{n}\u00a0{word or words(lang)[key]}"


#: Review periods as people say them.
_EVERY = {
    "en": {"y": ("year", "years"), "mo": ("month", "months"), "w": ("week", "weeks"), "d": ("day", "days")},
    "fr": {"y": ("an", "ans"), "mo": ("mois", "mois"), "w": ("semaine", "semaines"), "d": ("jour", "jours")},
}


def words(lang: str) -> dict[str, str]:
    """The portfolio labels of ``lang`` with French spacing applied; English otherwise."""
    table = LABELS.get(lang, LABELS["en"])
    return {k: french_spacing(v, lang) for k, v in table.items()}


def say_every(text: str, lang: str) -> str:
    """``6mo`` → "6 mois"/"6 months"; ``1y`` → "an"/"year" (tous les ans, every year)."""
    import re

    match = re.fullmatch(r"([0-9]+)(y|mo|w|d)", text)
    table = _EVERY.get(lang, _EVERY["en"])
    if not match:
        return text
    count, unit = int(match.group(1)), match.group(2)
    singular, plural = table[unit]
    if count == 1:
        return plural if lang == "fr" and unit != "mo" else singular
    return f"{count}\u00a0{plural}"


def score_text(score: int) -> str:
    """``+2``, ``0``, ``−1`` (a real minus sign)."""
    return f"+{score}" if score > 0 else ("0" if score == 0 else f"\u2212{-score}")

"""The evidence check: is a note descriptive evidence, or the observer's judgement?

Observation "focuses as much as possible on the visible evidence in the classroom, not on the personal
attributes of the teacher and not on the observer's normative stance" (Elmore). A note is evaluative
when, outside quoted speech, it uses words of
- judgement ("great", "well-managed"),
- inference about inner states ("engaged", "seemed bored", "understood"): not seen, inferred,
- prescription, plain or soft ("should", "I would suggest", "next time"),
- deficit ("lacks", "failed to");
and a note naming a person ("Ms Santos", 王老师) is flagged for the observer to rewrite.

Words, not substrings: notes are tokenized and lemmatized with simplemma (en, es), segmented with jieba
(zh); Haitian Creole is matched on accent-folded words. So "Buenas preguntas" meets "bueno", 相差 is not 差
and 有效数字 is not 有效. Curly apostrophes and quotes are normalised, hyphenated forms split ("off-task").
**Quoted speech and text written in the room are evidence**: they are exempt, and returned as quotes.
The language is detected when not given (py3langid, its model shipped in the package); a language the
check has no lexicon for is answered "unchecked", never checked as English. Lexicons are per language
and a tenant can add its own terms. Pure functions: no database, nothing downloaded at run time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from typing import Any

import jieba
import simplemma
from simplemma.strategies import DEFAULT_DICTIONARY_FACTORY


class Kind(StrEnum):
    judgement = "judgement"
    inference = "inference"
    prescription = "prescription"
    deficit = "deficit"
    name = "name"


SUGGESTIONS = {
    Kind.judgement: "Write what you saw and heard instead: who did what, what was said, what students produced.",
    Kind.inference: "An inner state is inferred, not seen: write what students did or said that made you think so.",
    Kind.prescription: "Record what happened; keep recommendations for the debrief's next level of work.",
    Kind.deficit: "Describe what was present (or what students did instead), not what was missing.",
    Kind.name: "Leave people's names out of the evidence: write 'the teacher', 'a student at table 2'.",
}

SUPPORTED = ("en", "es", "ht", "zh")
# Detection chooses among these; a note found to be in one the check does not support is "unchecked".
DETECTABLE = (*SUPPORTED, "fr", "pt", "de", "it", "nl", "pl", "vi", "ar", "ru", "ja", "ko", "so", "sw", "tl")
LEMMATIZED = {"en", "es"}  # simplemma's dictionaries; ht and zh match on word forms

# A term is a phrase of words; a word matches a note's word by form or by lemma, unless it starts with
# "=" (form only: "=engaged" and "=engaging" do not reach "the teacher engages students" through the
# lemma "engage"; without parsing, "the teacher engaged students in" is still flagged).
LEXICONS: dict[str, dict[Kind, tuple[str, ...]]] = {
    "en": {
        Kind.judgement: (
            "great", "good", "excellent", "poor", "bad", "wonderful", "terrible", "amazing", "awesome", "nice",
            "effective", "ineffective", "=engaging", "boring", "strong", "weak", "impressive", "disappointing",
            "well managed", "managed well", "disorganized", "disorganised", "chaotic", "lazy", "best", "worst",
            "better", "worse", "perfect", "awful", "outstanding", "mediocre", "fantastic", "superb", "brilliant",
            "lovely", "beautiful", "appropriate", "inappropriate", "successful", "unsuccessful", "rigorous",
            "meaningful", "went well", "did well", "very well", "too much", "too long", "too slow", "too fast",
            "messy", "sloppy", "exemplary", "high quality", "low level",
            "well done", "well organized", "well organised", "well structured", "well run", "smoothly",
            "struggling teacher", "great job", "good job", "excellent job",
            "passive", "compliant", "solid", "=rushed", "dragged on", "drags on", "dynamic", "energetic", "lively",
            "dull",
            "thoughtful", "creative", "strict", "harsh", "caring", "skilled", "skillful", "skilful", "talented",
            "productive", "unproductive", "purposeful", "respectful", "disrespectful", "rude", "unruly",
            "disruptive", "well behaved", "badly behaved", "poorly", "teacher centred", "teacher centered",
            "student centred", "student centered", "too easy", "too hard", "too difficult", "confusing",
            "unclear", "clearly", "rapport", "well paced", "slow paced", "nice to see", "would be nice",
            "like to see", "i wish"),
        Kind.inference: (
            "=engaged", "=disengaged", "=engagement", "on task", "off task", "bored", "confused", "=understood",
            "understand the", "=interested", "=uninterested", "=excited", "enjoy", "=enjoyed", "happy", "unhappy",
            "frustrated", "motivated", "unmotivated", "focused", "unfocused", "attentive", "distracted", "anxious",
            "nervous", "proud", "curious", "comfortable", "uncomfortable", "=struggling", "=struggled", "seem",
            "appear to", "=knew", "wanted to", "eager", "enthusiastic", "invested", "confident", "lost",
            "got it", "grasp", "=grasped", "realize", "=realized", "realise", "=realised", "felt", "feel",
            "love", "paying attention", "pay attention", "paid attention", "=mastered", "mastery", "=learned",
            "tuned out", "zoned out", "tired", "sleepy", "upset", "scared", "afraid", "worried", "relaxed",
            "willing", "reluctant", "resistant", "=enjoying", "care about", "=cares", "familiar with", "at ease",
            "obviously", "evidently", "apparently"),
        Kind.prescription: (
            "should", "shouldn't", "should not", "must", "mustn't", "needs to", "need to", "ought to",
            "would be better", "could improve", "it would help", "i would suggest", "i'd suggest", "i suggest",
            "we suggest", "i recommend", "i would recommend", "my suggestion", "might want to", "may want to",
            "could try", "might try", "could consider", "might consider", "would benefit", "next time",
            "it would be good", "it might help", "it may help", "would have been better", "try to", "make sure",
            "would have been", "could use", "might use", "could have", "should have"),
        Kind.deficit: (
            "lacks", "lacking", "lack of", "failed to", "fails to", "fail to", "unable to", "didn't bother",
            "did not bother", "no attempt", "unprepared", "missed opportunity", "missed chance", "not a single",
            "never once", "no effort", "not enough", "insufficient"),
    },
    "es": {
        Kind.judgement: (
            "bueno", "buena", "buenas", "buenos", "excelente", "malo", "mala", "pobre", "maravilloso", "terrible",
            "efectivo", "eficaz", "ineficaz", "desorganizado", "desorganizada", "mejor", "peor", "genial",
            "fantástico", "estupendo", "increíble", "perfecto", "perfecta", "horrible", "caótico", "caótica",
            "flojo", "floja", "bien hecho", "muy bien", "bien organizado", "bien organizada", "bien manejado",
            "impresionante", "pésimo", "aburrida clase", "demasiado lento", "demasiado rápido", "desastre",
            "interesante", "adecuado", "inadecuado", "exitoso", "exitosa",
            "pasivo", "pasivos", "pasiva", "pasivas", "sólido", "sólida", "apresurado", "apresurada", "dinámico",
            "dinámica", "desordenado", "desordenada", "respetuoso", "irrespetuoso", "productivo", "improductivo",
            "creativo", "creativa", "estricto", "estricta", "centrada en el docente", "centrado en el docente",
            "centrada en el maestro", "centrada en la maestra", "centrada en el profesor", "poca participación",
            "=decayó", "=decae", "muy lento", "muy lenta", "claramente"),
        Kind.inference: (
            "aburrido", "aburridos", "aburrida", "aburridas", "motivado", "motivados", "interesado", "interesados",
            "entusiasmado", "entusiasmados", "confundido", "confundidos", "comprometido", "comprometidos",
            "concentrado", "concentrados", "distraído", "distraídos", "=entendieron", "=entendió",
            "=comprendieron", "=comprendió", "=parecía", "=parecían", "=parece", "=parecen", "disfrutar",
            "=disfrutaron", "contento", "contentos", "feliz", "felices", "atento", "atentos", "en la tarea",
            "fuera de la tarea", "nervioso", "nerviosos", "perdido", "perdidos", "frustrado", "frustrados",
            "seguro de sí", "querían", "=sabían", "involucrados", "involucrado",
            "=quiere", "=quieren", "=quería", "=ama", "=aman", "prestar atención", "=dominaban", "=dominaron",
            "=dominan", "obviamente", "evidentemente", "se notaba", "se nota", "cansado", "cansados",
            "preocupado", "preocupados", "tranquilo", "tranquilos", "a gusto", "cómodo", "cómodos", "incómodo",
            "incómodos", "dispuesto", "dispuestos", "reacio", "reacios", "=conocían", "=aprendieron"),
        Kind.prescription: (
            "=debería", "=deberían", "=debe", "=deben", "=debió", "=deberia", "=deberian", "tiene que",
            "tienen que", "hay que", "=necesita", "=necesitan", "sugiero", "sugeriría", "recomiendo",
            "recomendaría", "podría intentar", "sería mejor", "convendría", "la próxima vez", "sería bueno",
            "le sugiero", "intentar que", "asegurarse de",
            "=podría", "=podrían", "habría sido", "hubiera sido", "sería ideal"),
        Kind.deficit: (
            "=falta", "=faltó", "falta de", "carece", "carecen", "no logra", "no logró", "no lograron",
            "fracasó", "fracaso", "ningún intento", "sin ningún", "ni un solo", "no se esforzó",
            "insuficiente"),
    },
    "ht": {
        Kind.judgement: (
            "bon", "bel", "ekselan", "move", "pa bon", "enteresan", "raz", "tre byen", "byen fet", "pafe", "terib",
            "pi bon", "pi mal", "mal fet", "bagay", "dezòdone", "dezoganize", "fantastik", "siperb", "kokenn",
            "trè bon", "trè mal", "bon travay", "efikas", "pa efikas", "twò dousman", "twò vit", "twò long",
            "pasif", "solid", "prese", "twòp", "santre sou pwofesè", "dinamik", "kreyatif", "sevè", "respektye",
            "vin lou", "li te klè", "li klè", "evidamman"),
        Kind.inference: (
            "anwiye", "konfonn", "konfize", "enterese", "kontan", "konprann", "motive", "distre", "angaje",
            "sanble", "santi", "pran plezi", "renmen leson", "nève", "pèdi", "fatige", "pa okipe", "satisfe", "fyè",
            "te vle", "te konnen",
            "renmen", "pa t ap swiv", "pa te swiv", "pa swiv", "atantif", "metrize", "enkyete", "alèz",
            "malalèz", "konnen byen"),
        Kind.prescription: (
            "ta dwe", "dwe", "fok", "fòk", "bezwen", "ta bon", "ta pi bon", "mwen sijere", "sijere",
            "pwochen fwa", "ta ka eseye", "ta sipoze", "rekòmande", "ta dwe eseye",
            "ta bèl", "ta ideyal", "ta pi byen"),
        Kind.deficit: ("manke", "pa rive", "pa janm", "pa gen okenn", "pa fè okenn efò", "echwe", "pa ase"),
    },
    "zh": {
        Kind.judgement: (
            "很好", "非常好", "好", "优秀", "出色", "差", "糟糕", "无聊", "有效", "无效", "混乱", "精彩", "棒",
            "完美", "不错", "太好了", "成功", "低效", "高效", "死板", "乱", "一般般", "生动", "枯燥", "很差",
            "到位", "优质", "失败的", "好课", "太慢", "太快", "很棒", "生动有趣", "有趣", "很差劲",
            "被动", "扎实", "仓促", "拖沓", "融洽", "关系融洽", "以教师为中心", "过于", "生硬", "沉闷", "严格", "热情",
            "耐心", "有序", "井然有序", "清晰", "理想"),
        Kind.inference: (
            "投入", "专注", "认真", "积极", "兴奋", "开心", "高兴", "困惑", "迷惑", "明白", "理解", "懂", "懂了",
            "似乎", "好像", "看起来", "喜欢", "感兴趣", "走神", "分心", "紧张", "无精打采", "自信", "享受",
            "想要", "觉得",
            "爱", "显然", "明显", "专心", "不专心", "掌握", "熟悉", "跟不上", "看得出", "听懂", "吃力", "疲惫",
            "放松", "害怕", "担心", "愿意", "不愿意", "注意力"),
        Kind.prescription: (
            "应该", "必须", "需要", "应当", "最好", "建议", "不妨", "可以尝试", "下次", "应", "要注意", "务必",
            "如果能", "就更好", "为什么不", "不如"),
        Kind.deficit: ("缺乏", "没有能力", "未能", "做不到", "缺少", "不够", "失败", "没能"),
    },
}
# Phrases in which a term is no judgement: a strong acid, good morning, which price is better.
EXCEPTIONS: dict[str, tuple[str, ...]] = {
    "en": ("strong acid", "strong base", "strong magnet", "strong wind", "good morning", "good afternoon",
           "good night", "good bye", "which is better", "which one is better", "which is best", "best fit",
           "better buy", "best buy", "nice to meet", "lost and found", "lost tooth", "feel the", "on task card",
           "task card", "solid shape", "solid shapes", "solid figure", "solid figures", "solid state", "a solid",
           "solids", "passive voice", "passive transport"),
    "es": ("buenos días", "buenas tardes", "buenas noches", "cuál es mejor", "falta de ortografía",
           "estado sólido", "cuerpo sólido", "cuerpos sólidos", "figura sólida", "figuras sólidas", "voz pasiva",
           "faltan minutos", "cuál es el mejor"),
    "ht": ("bon jou", "bonjou", "bonswa", "kiyès ki pi bon", "kilès ki pi bon", "fòm solid", "eta solid"),
    "zh": ("你好", "好的", "好了", "好吗", "哪个更好", "只好", "好像素", "好几", "准备好", "做好", "写好", "排好",
           "放好", "坐好", "分好", "画好", "的差", "最喜欢的"),
}
COMPARATIVES = {"en": ("better", "best", "worse", "worst"), "es": ("mejor", "peor"), "ht": ("pi bon", "pi mal"),
                "zh": ("更好",)}
# A note that opens with these is advice, however it goes on: "Consider using...", "Why not let...".
# Only at the opening, where a descriptive note has its subject: "students consider two strategies" is
# evidence.
OPENINGS = {"en": ("consider", "try", "remember to", "avoid", "allow", "encourage", "include", "incorporate",
                   "why not", "what if", "perhaps", "maybe"),
            "es": ("considere", "considerar", "intente", "intentar", "procure", "evite", "evitar", "por qué no",
                   "quizás", "quizá", "tal vez", "incluir", "incorporar"),
            "ht": ("eseye", "konsidere", "evite", "poukisa pa", "petèt", "sonje"),
            "zh": ("可以", "不如", "为什么不", "为什么不让", "何不", "试着", "尝试", "或许", "也许")}
# Openings that are advice only before a gerund: "Consider using..." is, "Consider the triangle:" is a task.
BEFORE_GERUND = {"consider", "try"}
WHICH = {"en": ("which", "whether"), "es": ("cual", "que"), "ht": ("kiyes", "kiles", "ki"), "zh": ("哪个", "哪")}
# A failure of things is no deficit of people: "the projector failed to start".
THINGS = {"projector", "computer", "laptop", "printer", "internet", "wifi", "smartboard", "board", "camera",
          "screen", "speaker", "video", "app", "link", "timer", "microphone", "tablet", "device", "light",
          "proyector", "computadora", "pizarra", "pwojektè", "odinatè", "投影仪", "电脑"}

TITLE = (r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Mister|Sir|Madam|Mme|Mlle|Sra|Sr|Srta|Señora|Señor|Señorita|Maestra|Maestro|"
         r"Profesora|Profesor|Profe|Don|Doña|Madanm|Madan|Mesye|Msye|Manzè|Mèt|Miss|Coach|Teacher)")
NAME_RE = re.compile(rf"\b{TITLE}\.?\s+[A-ZÀ-Ý][\w'-]+")
ZH_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏"
               "吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
               "覃武戴莫孔向汤")
ZH_NAME_RE = re.compile(rf"[{ZH_SURNAMES}](?:老师|同学|先生|女士|校长|主任)")

# Bare names ("Maria asks", "asks Jamal to explain", 小明回答). Latin script: a capitalised word (not ALL
# CAPS) inside a sentence that is not a common word of the note's language, or a proper noun of the
# language's dictionary (simplemma's, case-sensitive: "Maria", "Kevin" are entries of their own), or, at a
# sentence's start, a word the dictionary either lists as a proper noun or does not know at all. Haitian
# Creole has no dictionary: inside a sentence every capitalised word counts; at its start, only a proper
# noun of the English, French or Spanish dictionary. Chinese: jieba's part-of-speech tagger's person
# names (nr), kept when they start with a common surname or 小/阿 (小明, 李华, 阿强).
NAME_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
SENTENCE_START = frozenset(".!?:;\"'«»(¿¡-…[•*/")  # on normalised text: one kind of quote and dash
NAME_DICTIONARIES = {"en": ("en",), "es": ("es",), "ht": ("en", "fr", "es")}
# Capitalised words that are no person: days, months, languages and peoples, school subjects, the
# classroom's tools and brands, eponyms of mathematics and science, places, feasts, titles (folded).
NOT_NAMES = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december lendi madi mekredi jedi vandredi samdi dimanch janvye fevriye mas avril
me jen jiye out septanm oktob novanm desanm
english spanish french creole kreyol haitian ayisyen chinese mandarin cantonese arabic portuguese vietnamese
somali swahili tagalog korean japanese russian german italian latin greek roman arabic hindi urdu bengali
american african european asian mexican dominican latino latina hispanic angle franse panyol espanyol
ingles espanol frances
math maths mathematics science history geography art music pe ela esl ell sped stem steam algebra geometry
calculus biology chemistry physics literacy reading writing phonics
venn pythagorean pythagoras cartesian fibonacci celsius fahrenheit euclid euclidean newton pascal kelvin
google desmos kahoot zoom chromebook chromebooks ipad ipads smartboard promethean powerpoint excel seesaw
padlet nearpod quizlet flipgrid canva youtube lego legos cuisenaire unifix geoboard geoboards zearn ixl
dreambox khan academy wi fi wifi internet ok okay
earth mars moon africa america americas asia europe haiti ayiti mexico canada china usa caribbean atlantic
pacific
christmas thanksgiving halloween easter
north south east west front
mr mrs ms miss mx dr mister sir madam mme mlle sra sr srta senora senor senorita maestra maestro profesora
profesor profe don dona madanm madan mesye msye manze met coach teacher
""".split())
# Short Haitian Creole words that a French or English dictionary also lists as a proper noun
HT_COMMON = frozenset("bon van de nan li sa pa ou yon kat sou tit twa plis se men le si ki kote konsa".split())
ZH_NOT_NAMES = frozenset({"金字塔"})
QUOTES = re.compile(r"\"([^\"]+)\"|«([^»]+)»|「([^」]+)」|『([^』]+)』|(?<![\w])'([^']+?)'(?![\w])")
# curly and modifier apostrophes, curly double quotes, and the hyphen and dash family
NORMALISE = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "\u00b4": "'", "\u201c": '"',
                           "\u201d": '"', "\u201e": '"', "\u2010": "-", "\u2011": "-", "\u2013": "-",
                           "\u2014": "-"})


@dataclass(frozen=True)
class Flag:
    term: str
    kind: Kind
    suggestion: str


@dataclass(frozen=True)
class Verdict:
    descriptive: bool
    flags: tuple[Flag, ...] = field(default_factory=tuple)
    verdict: str = "descriptive"  # descriptive | evaluative | identifying (names only) | unchecked
    language: str = "en"
    quotes: tuple[str, ...] = ()

    @property
    def words(self) -> list[str]:
        return [f.term for f in self.flags]


def fold(text: str) -> str:
    """Lower case without accents, so "debería" and "deberia" match the same term."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Curly quotes and apostrophes straight, dashes one hyphen, full-width forms folded (NFKC)."""
    return unicodedata.normalize("NFKC", text).translate(NORMALISE)


def split_quotes(text: str) -> tuple[str, tuple[str, ...]]:
    """The note without its quoted speech (blanked out), and the quotes: verbatim evidence."""
    quotes: list[str] = []

    def blank(match: re.Match[str]) -> str:
        quotes.append(next(g for g in match.groups() if g is not None).strip())
        return " . "  # a boundary: a phrase never spans a quote

    return QUOTES.sub(blank, text), tuple(q for q in quotes if q)


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(DETECTABLE))
    return identifier


def detect_language(text: str) -> str:
    """The note's language among DETECTABLE (py3langid); Han script alone is Chinese."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum("\u4e00" <= c <= "\u9fff" for c in letters) / len(letters) > 0.3:
        return "zh"
    return str(_identifier().classify(text)[0])


@dataclass(frozen=True)
class Token:
    form: str  # folded
    lemma: str  # folded


def tokens(text: str, language: str) -> list[Token]:
    if language == "zh":
        return [Token(fold(w), fold(w)) for w in jieba.lcut(text) if w.strip()]
    text = re.sub(r"(?<=\w)-(?=\w)", " ", text)  # off-task, well-managed
    words = list(simplemma.simple_tokenizer(text))
    if language in LEMMATIZED:
        return [Token(fold(w), fold(simplemma.lemmatize(w, lang=language))) for w in words]
    return [Token(fold(w), fold(w)) for w in words]


@dataclass(frozen=True)
class Term:
    text: str
    kind: Kind
    words: tuple[tuple[str, str | None], ...]  # (form, lemma or None for form only)


@cache
def _term(text: str, kind: Kind, language: str) -> Term:
    exact = text.startswith("=")
    if language == "zh":  # a term is matched against runs of segmented words (see _matches)
        return Term(fold(text.lstrip("=")), kind, ((fold(text.lstrip("=")), None),))
    words = tokens(text.lstrip("="), language)
    return Term(fold(text.lstrip("=")), kind, tuple((w.form, None if exact else w.lemma) for w in words))


def lexicon_for(language: str, extra: Mapping[str, Iterable[str]] | None = None) -> dict[Kind, tuple[str, ...]]:
    """The shipped lexicon of a language, with a tenant's own terms added."""
    merged = {kind: tuple(terms) for kind, terms in LEXICONS[language].items()}
    for kind_name, terms in (extra or {}).items():
        kind = Kind(kind_name)
        merged[kind] = tuple(dict.fromkeys([*merged.get(kind, ()), *terms]))
    return merged


def _span(seq: Sequence[Token], at: int, term: Term) -> int:
    """How many of the note's words from `at` the term covers (0: no match).

    Chinese is matched on runs of whole segmented words: 很好 matches "很" + "好" or "很好", never the
    inside of a word (差 is not in 相差, 有效 not in 有效数字)."""
    if len(term.words) == 1 and term.words[0][1] is None and not term.words[0][0].isascii():
        target, run = term.words[0][0], ""
        for n in range(at, min(at + 4, len(seq))):
            run += seq[n].form
            if run == target:
                return n - at + 1
            if not target.startswith(run):
                return 0
        return 0
    return len(term.words) if _matches(seq, at, term) else 0


def _matches(seq: Sequence[Token], at: int, term: Term) -> bool:
    if at + len(term.words) > len(seq):
        return False
    return all(seq[at + i].form == form or (lemma is not None and seq[at + i].lemma == lemma)
               for i, (form, lemma) in enumerate(term.words))


def _excepted(seq: Sequence[Token], start: int, end: int, exceptions: Sequence[Term]) -> bool:
    """Whether the span [start, end) lies inside an exception phrase."""
    for exc in exceptions:
        for at in range(max(0, start - 4), start + 1):
            size = _span(seq, at, exc)
            if size and at + size >= end:
                return True
    return False


def _comparing_options(seq: Sequence[Token], start: int, size: int, term: Term, language: str) -> bool:
    """ "which strategy is best", "cuál es mejor": comparing options is the task, not a judgement."""
    words = " ".join(t.form for t in seq[start:start + size])
    return term.kind is Kind.judgement and words in COMPARATIVES.get(language, ()) and any(
        t.form in WHICH.get(language, ()) for t in seq[max(0, start - 4):start])


def _about_things(seq: Sequence[Token], start: int, kind: Kind) -> bool:
    return kind is Kind.deficit and any(t.form in THINGS or t.lemma in THINGS for t in seq[max(0, start - 3):start])


@dataclass(frozen=True)
class _Where:
    """Where each word form, lemma and first character occurs in a note: a term is tried only there."""

    forms: dict[str, list[int]]
    lemmas: dict[str, list[int]]
    firsts: dict[str, list[int]]

    def by_kind(self, kind: str) -> dict[str, list[int]]:
        """The positions by the kind of key _first_word_keys gives: form, lemma or char."""
        return self.forms if kind == "form" else self.lemmas if kind == "lemma" else self.firsts


def _positions(seq: Sequence[Token]) -> _Where:
    forms: dict[str, list[int]] = {}
    lemmas: dict[str, list[int]] = {}
    firsts: dict[str, list[int]] = {}
    for n, t in enumerate(seq):
        forms.setdefault(t.form, []).append(n)
        lemmas.setdefault(t.lemma, []).append(n)
        if t.form:
            firsts.setdefault(t.form[0], []).append(n)
    return _Where(forms, lemmas, firsts)


def _candidates(where: _Where, term: Term) -> set[int]:
    """The note's positions where the term could start (Chinese: runs of words starting with its character)."""
    found: set[int] = set()
    for kind, word in _first_word_keys(term):
        found.update(where.by_kind(kind).get(word, ()))
    return found


def _dictionary(language: str) -> Mapping[str, str]:
    """simplemma's own dictionary of a language (shared with its lemmatizer: loaded once), case-sensitive."""
    return DEFAULT_DICTIONARY_FACTORY.get_dictionary(language)  # type: ignore[no-any-return]


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip()
    return not before or before[-1] in SENTENCE_START


def bare_name(word: str, language: str, start: bool) -> bool:
    """Whether a capitalised word is likely a person's name (see NAME_WORD above for the rule)."""
    if "'" in word:  # Teacher's, That's; O'Neil
        head, _, tail = word.partition("'")
        word = head if len(head) >= 2 else tail
    if len(word) < 2 or not word[0].isupper() or word.isupper() or fold(word) in NOT_NAMES:
        return False
    if language == "ht":
        if not start:
            return True
        return fold(word) not in HT_COMMON and any(_dictionary(d).get(word) == word for d in NAME_DICTIONARIES["ht"])
    dictionary = _dictionary(language)
    entry, lower = dictionary.get(word), dictionary.get(word.lower())
    proper = entry == word
    common = lower is not None and lower[:1].islower()
    if start:  # "Students", "The": known words; "Maria", "Carlos": proper nouns; "Jamal": unknown
        return proper or (entry is None and lower is None)
    return proper or not common


def _bare_names(text: str, language: str, taken: Sequence[tuple[int, int]]) -> list[tuple[int, str]]:
    if language == "zh":
        if not any(c in ZH_SURNAMES or c in "小阿" for c in text):
            return []
        # imported on the first Chinese note only: the tagger's tables are about 50 MB (M1 idle memory)
        import jieba.posseg as pseg

        found, at = [], 0
        for word, flag in pseg.cut(text):
            if (flag.startswith("nr") and 2 <= len(word) <= 3 and (word[0] in ZH_SURNAMES or word[0] in "小阿")
                    and word not in ZH_NOT_NAMES and not any(a <= at < b for a, b in taken)):
                found.append((at, word))
            at += len(word)
        return found
    if language not in NAME_DICTIONARIES:
        return []
    return [(m.start(), m.group(0)) for m in NAME_WORD.finditer(text)
            if not any(a <= m.start() < b for a, b in taken)
            and bare_name(m.group(0), language, _sentence_start(text, m.start()))]


def _names(text: str, language: str | None = None) -> list[tuple[int, Flag]]:
    """Names with a title ("Ms Santos", 王老师) in any language; bare names in en, es, ht and zh."""
    titled = [*NAME_RE.finditer(text), *ZH_NAME_RE.finditer(text)]
    found = [(m.start(), m.group(0)) for m in titled]
    if language is not None:
        found += _bare_names(text, language, [m.span() for m in titled])
    return [(at, Flag(term, Kind.name, SUGGESTIONS[Kind.name])) for at, term in found]


ExtraKey = tuple[tuple[str, tuple[str, ...]], ...]


def _extra_key(extra: Mapping[str, Iterable[str]] | None) -> ExtraKey:
    return tuple(sorted((str(kind), tuple(terms)) for kind, terms in (extra or {}).items()))


@dataclass(frozen=True)
class _Lexicon:
    """A language's lexicon compiled: terms in matching order, exceptions, openings, and where to look:
    the terms by the first word they need, so a note meets only the terms its own words can start."""

    terms: tuple[Term, ...]
    exceptions: tuple[Term, ...]
    openings: tuple[Term, ...]
    by_first_word: dict[tuple[str, str], tuple[int, ...]]


def _first_word_keys(term: Term) -> list[tuple[str, str]]:
    """What _candidates looks a term up by: its first form and lemma, or for Chinese its first character."""
    form, lemma = term.words[0]
    if len(term.words) == 1 and lemma is None and not form.isascii():
        return [("char", form[0])]
    return [("form", form)] + ([("lemma", lemma)] if lemma is not None else [])


@lru_cache(maxsize=64)
def _compiled(language: str, extra: ExtraKey) -> _Lexicon:
    """Built once per lexicon, not per note."""
    lexicon = lexicon_for(language, dict(extra))
    # longest first, and a form-only term before a lemma one: "engaged" is an inference before the lemma
    # "engage" could make it the judgement "engaging"
    terms = tuple(t for t in sorted((_term(t, k, language) for k, ts in lexicon.items() for t in ts),
                                    key=lambda t: (-len(t.words), any(lemma is not None for _, lemma in t.words)))
                  if t.words)
    index: dict[tuple[str, str], list[int]] = {}
    for n, term in enumerate(terms):
        for key in _first_word_keys(term):
            index.setdefault(key, []).append(n)
    exceptions = tuple(_term(e, Kind.judgement, language) for e in EXCEPTIONS.get(language, ()))
    openings = tuple(_term(f"={o}", Kind.prescription, language) for o in OPENINGS.get(language, ()))
    return _Lexicon(terms, exceptions, openings, {k: tuple(v) for k, v in index.items()})


def _terms_for(where: _Where, lexicon: _Lexicon) -> list[Term]:
    """The terms this note's words could start, in matching order: the cost follows the note, not the
    size of the lexicon."""
    index = lexicon.by_first_word
    found: set[int] = set()
    for kind in ("form", "lemma", "char"):
        for word in where.by_kind(kind):
            found.update(index.get((kind, word), ()))
    return [lexicon.terms[n] for n in sorted(found)]


def _opening(seq: Sequence[Token], openings: Sequence[Term]) -> int:
    """Where the note's first word is, if the note opens with advice (-1 otherwise)."""
    first = next((n for n, t in enumerate(seq) if any(c.isalnum() for c in t.form)), None)
    if first is None:
        return -1
    if not any(_span(seq, first, o) for o in openings):
        return -1
    if seq[first].form in BEFORE_GERUND and not (first + 1 < len(seq) and seq[first + 1].form.endswith("ing")):
        return -1
    return first


def _evaluative_flags(text: str, language: str, extra: ExtraKey) -> list[Flag]:
    seq = tokens(text, language)
    lexicon = _compiled(language, extra)
    exceptions = lexicon.exceptions
    joiner = "" if language == "zh" else " "
    taken: set[int] = set()
    found: list[tuple[int, Flag]] = []
    if (at := _opening(seq, lexicon.openings)) >= 0:
        taken.add(at)
        found.append((at, Flag(seq[at].form, Kind.prescription, SUGGESTIONS[Kind.prescription])))
    where = _positions(seq)
    for term in _terms_for(where, lexicon):  # "should not" is one flag, not "should" and a leftover
        for at in sorted(_candidates(where, term)):
            size = _span(seq, at, term)
            span = set(range(at, at + size))
            if not size or span & taken:
                continue
            if (_excepted(seq, at, at + size, exceptions) or _about_things(seq, at, term.kind)
                    or _comparing_options(seq, at, size, term, language)):
                continue
            taken |= span
            # the note's own words, so the observer sees what to rewrite ("buenas", not "bueno")
            words = joiner.join(t.form for t in seq[at:at + size])
            found.append((at, Flag(words, term.kind, SUGGESTIONS[term.kind])))
    return [f for _, f in sorted(found, key=lambda pf: pf[0])]


def check(note: str, language: str | None = None,
          extra: Mapping[str, Mapping[str, Iterable[str]]] | Mapping[str, Iterable[str]] | None = None) -> Verdict:
    """The verdict on one note; flags are listed in the order they appear.

    `extra` is a tenant's own terms, either for this language ({kind: terms}) or for every language
    ({language: {kind: terms}}).
    """
    if isinstance(extra, Mapping) and extra and not all(k in Kind.__members__ for k in extra):
        # per language: the key holds every language's terms, since the note's may still be detected
        key = tuple(sorted((str(lang), _extra_key(terms)) for lang, terms in extra.items()
                           if isinstance(terms, Mapping)))
        return _check(note, language, (), key)
    return _check(note, language, _extra_key(extra), ())  # type: ignore[arg-type]


# Autosave sends a record's whole set of notes every few seconds, most of them unchanged since the last
# save: a verdict is a pure function of the note, its language and the lexicon, so it is kept.
@lru_cache(maxsize=4096)
def _check(note: str, language: str | None, one: ExtraKey,
           per_language: tuple[tuple[str, ExtraKey], ...]) -> Verdict:
    text = normalise(note)
    lang = language or detect_language(text)
    outside, quotes = split_quotes(text)
    names = [f for _, f in sorted(_names(text, lang), key=lambda pf: pf[0])]
    if lang not in LEXICONS:
        return Verdict(False, tuple(names), "unchecked", lang, quotes)
    flags = _evaluative_flags(outside, lang, one or dict(per_language).get(lang, ()))
    every = tuple(flags + names)
    verdict = "evaluative" if flags else "identifying" if names else "descriptive"
    return Verdict(not every, every, verdict, lang, quotes)


def descriptive_share(verdicts: Iterable[Verdict]) -> float | None:
    """An observer's calibration figure: the share of their notes that are descriptive."""
    all_verdicts = list(verdicts)
    if not all_verdicts:
        return None
    return sum(v.descriptive for v in all_verdicts) / len(all_verdicts)

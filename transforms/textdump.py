"""Plain-text dumps: a line classifier for the visible text of a page dumped one block a line.

A crawler's text dump keeps everything a browser shows: menus, teaser lists, sidebars, footers, the comment
thread. The boilerplate stage (transforms/boilerplate.py) calls :func:`classify` for records whose input
format is text or Markdown and whose text looks like such a dump (:func:`looks_like_dump`: enough lines, many
of them short); clean article files (a few paragraphs, the odd subhead) are left to the ordinary patterns.

The classifier follows jusText (Pomikálek 2011, "Removing boilerplate and duplicate content from web
corpora"), on lines instead of HTML blocks:

1. *features* per line: characters, stopword density (small hand-written function-word lists for en, de, fr,
   es, nl, it, pt; the document's language is the list with the most hits), sentence ending. Hard-wrapped text
   (a line continuing the previous one: starting in lower case, or the previous one ending in a comma or "and")
   is judged as one block;
2. *initial class*: lines already matched by a boilerplate pattern are ``bad``; shorter than ``short_chars``
   -> ``short``; stopword density at least ``stopwords_high`` and longer than ``long_chars`` -> ``good``;
   density at least ``stopwords_low`` -> ``neargood``; else ``bad``. Scripts without spaces (CJK, Thai) and
   texts in none of the languages are judged by length alone. A text without any good line (an article of
   short paragraphs) takes runs of two or more neargood lines as good;
3. *context*: a headline-like line (four words or more, no sentence ending) right before good text (at most
   ``heading_chars`` characters and two short lines, say a by-line and a date, between) is ``neargood``; a bad line with good text on
   both sides (a list line inside the article) is ``good``; a neargood line is ``bad`` only between bad lines
   (ignoring other neargood lines); a run of short lines between good lines is ``good`` (not when it has more
   than ``inner_run_lines`` lines, few of them sentences, and the good text on one side is small: under
   ``inner_run_block_chars`` characters and under ``tail_min_share`` of the other side's, as for an archive
   list between a sidebar blurb and the article), between bad lines (the document's start and end count as
   bad) ``bad``, and between good and bad good only when a neargood
   line is on its bad side and the line is one of the ``edge_lines`` lines next to the good text (a heading,
   by-line or date at the article's edge; further out such a run is a teaser list or a sidebar). A bad
   line made good between good lines counts as good context for the short lines around it (a list); a short
   line ending like a sentence (. ! ?, four words or more) right after kept text stays (the article's last
   line, "She could not be reached for comment.");
   *after the article*: blocks of good text split by more than ``tail_gap_lines`` lines without good text,
   one of them removed by a pattern (a share bar, a "Related" header), are compared with the largest block,
   and a later one with less than ``tail_min_share`` of its characters goes (an author blurb, teasers);
4. *comment thread*: after the article (at least ``comments_min_words`` words of good text above it, in lines of
   ``short_chars`` or more: a teaser list kept between paragraphs is not the article), a
   comments header ("Comments", "37 comments", "12 responses to ...", "Leave a reply", "Kommentare")
   followed within 25 lines by a comment signature (or, for a header with a count or an invitation, by good
   text; "45 users responded in ..." is one with a count), or three signatures within 20 lines ("by Ann on
   May 2, 2012 at 9:01 pm. Reply #", "Ann says:", "Ann said,",
   "Ann - October 26, 2012", "Jun 03, 05 - 08:05 am", "http://ann.example/ Ann Lee"; not three "Posted by Ann at ..." of one poster: a blog's
   own posts; not three bare times with only short lines between them: a timetable) start the thread: it and everything after it goes as
   ``comments`` (signatures that close each comment, "... Reply #", take the first comment's body above them
   too). Not with ``extract.include_comments: true``;
5. a blog's archive list, four or more month lines in a row ("August 2012", "July 2012 (5)"), is ``short_run``
   before the classes are made, and bad context as lines removed by a pattern are;
6. ``Original url: ...`` / ``Source: https://...`` lines anywhere are ``metadata`` (the extract stage takes
   them at the top and bottom of the file only);
7. left out of the judging, as no context either way: a pager (four or more page numbers in a row, each one
   more than the one before, with its arrows and "Next"), removed as ``navigation``; and a line repeating the
   line right above it (two words or more: a gallery's slide title under every slide), which goes with the
   first copy's reason, or as ``duplicate`` when that one is kept.

The dump's own header: in a dump the menu comes first, so the by-line and date a page shows above its
article are not among the first lines the extract stage scans. :func:`dump_metadata` looks for them in the
``header_lines`` non-empty lines above the first good line (and takes ``Original url:`` lines anywhere); the
extract stage uses what it finds for fields its own header scan left empty. The lines stay in the text: they
are part of the page's article block. As the menu's bad context would drop them with the short lines around
them, a by-line or date line among those ``header_lines`` lines keeps itself, the lines below it down to the
article, up to three more by-line, date or label lines ("Published", "Updated") right above it and at most two
headline-like lines above those (the article's header); by-lines are read as the extract stage reads them,
after "Posted by", "Written By:", "By:" are made "By" (and a trailing "|" or "(Diary)" dropped); by-line and date lines
between a kept deck and the article's first good line stay too.

Reasons of removed lines: ``short_run`` (short lines judged by their context: menus, teaser runs, sidebars,
footers; the reason the ``short_runs`` pass gives them too), ``comments`` (the thread), ``metadata`` (url
lines), ``navigation`` (pagers), ``duplicate`` (repeated lines) and ``low_content`` (the one reason added here: a longer line judged bad, mostly for few function
words: lists of names or headlines run together, archive links, keyword lines, blurbs among them).

Linear in the number of lines; regex and str work only.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

# Common function words (hand-written, lower case). Only their density matters, not completeness.
STOPWORDS: Dict[str, frozenset] = {
    "en": frozenset("""a about above after again against all also am an and any are as at be because been before
        being below between both but by can could did do does doing down during each few for from further had has
        have having he her here hers herself him himself his how i if in into is it its itself just me more most
        my myself no nor not now of off on once only or other our ours ourselves out over own same she should so
        some such than that the their theirs them themselves then there these they this those through to too
        under until up very was we were what when where which while who whom why will with would you your yours
        yourself yourselves said says one two many much may might must shall still even well yet since though
        although however every who's it's that's there's i'm i've don't didn't isn't wasn't can't won't""".split()),
    "de": frozenset("""aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei bin
        bis bist da damit dann das dass daß dein deine dem den denn der des dessen deshalb die dies diese dieser
        dieses doch dort du durch ein eine einem einen einer eines er es etwas euch euer für gegen gewesen hab
        habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre im in indem ins ist jede jedem
        jeden jeder jedes jetzt kann kein keine können könnte machen man manche mehr mein meine mit muss musste
        nach nicht nichts noch nun nur ob oder ohne sehr sein seine sich sie sind so solche soll sollte sondern
        sonst über um und uns unser unter viel vom von vor war waren warum was weil welche wenn wer werde werden
        wie wieder will wir wird wirst wo wollen würde würden zu zum zur zwar zwischen schon sowie seit bereits""".split()),
    "fr": frozenset("""a à ai aie aient ainsi alors au aucun aussi autre aux avait avant avec avez avoir c ça car ce
        cela celle celui ces cet cette ceux chaque comme comment d dans de des donc dont du elle elles en encore
        est et été être eu fait faire il ils j je l la le les leur leurs lui m ma mais me même mes moi mon n ne
        ni nos notre nous on ont ou où par pas peu peut plus pour pourquoi qu quand que quel quelle quelles quels
        qui s sa sans se selon ses si son sont sous sur ta te tes toi ton tous tout toute toutes très tu un une
        vos votre vous y été était étaient depuis entre lors après déjà aussi""".split()),
    "es": frozenset("""a al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante
        e el él ella ellas ellos en entre era es esa esas ese eso esos esta está están estas este esto estos fue
        fueron ha había han hasta hay la las le les lo los más me mi muy nada ni no nos nosotros o os otra otras
        otro otros para pero poco por porque que qué quien se sea según ser si sí sido sin sobre son su sus también
        tanto te tiene tienen todo todos tu tus un una uno unos y ya yo además cuando donde aunque hacia""".split()),
    "nl": frozenset("""aan al alles als altijd andere ben bij daar dan dat de der deze die dit doch doen door dus
        een eens en er ge geen geweest haar had heb hebben heeft hem het hier hij hoe hun iemand iets ik in is ja
        je kan kon kunnen maar me meer men met mij mijn moet na naar niet niets nog nu of om omdat onder ons ook
        op over reeds te tegen toch toen tot u uit uw van veel voor want waren was wat we wel werd wezen wie wij
        wil worden wordt zal ze zei zelf zich zij zijn zo zonder zou volgens""".split()),
    "it": frozenset("""a ad al alla alle allo anche ancora avere aveva c che chi ci come con contro cui da dai dal
        dalla dalle degli dei del della delle dello di dopo dove e è ed era erano essere gli ha hanno i il in io
        la le lei li lo loro lui ma mi mio molto ne negli nei nel nella nelle nello noi non nostro o per perché
        più poi quale quando quanto quella quelle quelli quello questa queste questi questo se sei si sia sono
        su sua sue sui sul sulla suo suoi tra tutti tutto un una uno vi essere stato stata secondo""".split()),
    "pt": frozenset("""a ao aos as à às com como da das de dela dele do dos e é ela elas ele eles em entre era essa
        esse esta está estão este eu foi foram há isso já lhe mais mas me mesmo meu muito na não nas nem no nos
        nós o os ou para pela pelas pelo pelos por quando que quem se sem ser seu seus sua suas também te tem ter
        um uma umas uns você segundo ainda""".split()),
}

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.U)
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
                       r"\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]")
_SENTENCE_END = re.compile(r"[.!?:;…。！？]['\"”’»)\]]*$")
_SHORT_SENTENCE = re.compile(r"[.!?…。！？]['\"”’»)\]]*$")  # not ":" or ";" (a label, "Source:")

# Comment-thread headers: the whole line.
_COMMENT_HEADER = re.compile(
    r"^(?:[{(\[]\s*)?(?:\d+|one|no)?\s*(?:user\s+|reader\s+)?(?:comments?|responses?|replies|reactions?|"
    r"reader feedback|discussion|kommentare?|leserkommentare|commentaires?|réactions?|comentarios?|commenti|"
    r"reacties|reacciones)\s*(?:\(\d+\))?\s*[:.…»›>]*\s*[})\]]?$"
    r"|^(?:\d+|one)\s+(?:comments?|responses?|replies|thoughts)\s+(?:to|on|for)\b.{0,120}$"
    r"|^(?:\d+|one)\s+(?:users?|readers?|people)\s+(?:responded|commented|replied)\b.{0,120}$"
    r"|^(?:leave|post|add|write|submit)\s+(?:a|your)\s+(?:comment|reply|response)\b.{0,40}$"
    r"|^(?:view|show|read|see)\s+(?:all\s+)?\d*\s*comments\b.{0,40}$",
    re.I)
_BARE_HEADER = re.compile(r"^\W*\w+\W*$")  # a single word ("Comments", "Discussion"): a menu item as often
# Comment signatures (before or after each comment).
_COMMENT_SIGNATURE = re.compile(
    r"^by\s+.{1,60}?\s+(?:on|at|\|)\s+.{0,40}\d.{0,40}$"                          # by Ann on May 2, 2012 at 9 pm
    r"|^.{1,60}\s+(?:says|said|wrote|writes)\s*(?:\.{3}|:|,)\s*$"                    # Ann says: / Ann said,
    # a time at the end ("3 May 2021 at 9:15 pm"; seconds only before am/pm: "2:26:17" is a race result)
    r"|^.{0,60}(?<![\d:.])\d{1,2}:\d\d(?::\d\d(?=\s*[ap]\.?m))?\s*(?:[ap]\.?m\.?)?\s*(?:[a-z]{2,4}\b)?\s*"
    r"(?:said|wrote)?[.:]?\s*(?:reply|#)*\s*$"
    r"|^.{1,60}\s[-–—|@]\s+(?:[a-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}\.?\s+[a-z]{3,9}\.?\s+\d{4}|"
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4})\b.{0,30}$"                                  # Ann - October 26, 2012
    r"|^(?:reply|report( abuse)?|permalink|quote|like|flag)(?:\s*[|·•]\s*\w+)*\s*$"
    r"|\breply\s*#?\s*$"
    r"|^(?:from|posted by|submitted by|comment by)\s*:\s*.{1,60}$"
    r"|^https?://\S+(?:\s+[^\W\d_][^\s\d()]*){1,4}$",                                    # http://ann.example Ann Lee
    re.I)
_CONTINUES = re.compile(r"(?:[,(\-–—]|\b(?:and|or|of|the|a|to|in|und|oder|der|die|das|et|ou|de|la|le|y|o|el|en|"
                        r"e|di|il|het|een|van))$", re.I)
# cheap pre-check: every signature has a digit, a colon, an ellipsis or one of these words
_SIG_HINT = re.compile(r"[\d:#]|\.\.\.|reply|report|permalink|quote|like|flag|said,|says,|wrote,|writes,", re.I)
_URL_LINE = re.compile(r"^(?:original(?:ly published at)?\s*(?:url|link|source)?|source url|source|url|link|"
                       r"quelle|fuente|fonte|lien)\s*:\s*<?https?://\S+>?$", re.I)


def _settings(cfg: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """Defaults (the same as ``boilerplate.plain_text`` in configs/default.yaml) updated with ``cfg``."""
    d = {"enabled": True, "min_lines": 10, "min_short_share": 0.3, "min_short_run": 6, "short_chars": 85,
         "long_chars": 150, "stopwords_low": 0.25, "stopwords_high": 0.30, "heading_chars": 200,
         "comments_min_words": 60, "edge_lines": 1, "header_lines": 6, "tail_gap_lines": 8,
         "tail_min_share": 0.5, "inner_run_lines": 40,
         "inner_run_block_chars": 700, "keep_comments": False}
    d.update(cfg or {})
    return d


def looks_like_dump(lines: Sequence[str], cfg: Optional[Dict[str, Any]] = None) -> bool:
    """Enough non-empty lines (``min_lines``), and at least ``min_short_share`` of them short (under
    ``short_chars`` characters, no sentence ending) or a run of ``min_short_run`` such lines (a menu)."""
    c = _settings(cfg)
    ls = [ln.strip() for ln in lines if ln.strip()]
    if len(ls) < c["min_lines"]:
        return False
    short = run = longest = 0
    for s in ls:
        if len(s) < c["short_chars"] and not _SENTENCE_END.search(s):
            short += 1
            run += 1
            longest = max(longest, run)
        else:
            run = 0
    return short >= c["min_short_share"] * len(ls) or longest >= c["min_short_run"]


_LANG_OF: Dict[str, List[str]] = {}
for _lang, _words in STOPWORDS.items():
    for _w in _words:
        _LANG_OF.setdefault(_w, []).append(_lang)


def _language(lines: Sequence[str]) -> Optional[frozenset]:
    """The stopword list with the most hits in (the first 3000 words of) the lines; None when no list
    covers a tenth of the words (another language or script)."""
    hits = {k: 0 for k in STOPWORDS}
    n = 0
    for s in lines:
        ws = _WORD.findall(s.lower())
        n += len(ws)
        for w in ws:
            for k in _LANG_OF.get(w, ()):
                hits[k] += 1
        if n > 3000:
            break
    best = max(hits, key=lambda k: hits[k])
    return STOPWORDS[best] if n and hits[best] >= 0.1 * n else None


def _block_class(t: str, sw: Optional[frozenset], c: Dict[str, Any]) -> str:
    """Initial class of a line (or hard-wrapped block): short, good, neargood or bad."""
    ln = len(t)
    if not t.isascii() and len(_UNSPACED.findall(t)) > 0.3 * ln:
        ln = ln * 3  # CJK, Thai: a character carries about three Latin characters' worth of text
        return "short" if ln < c["short_chars"] else "good" if ln > c["long_chars"] else "neargood"
    if ln < c["short_chars"]:
        return "short"
    if sw is None:
        return "good" if ln > c["long_chars"] else "neargood"
    words = _WORD.findall(t.lower())
    dens = sum(1 for w in words if w in sw) / max(1, len(words))
    if dens >= c["stopwords_high"]:
        return "good" if ln > c["long_chars"] else "neargood"
    return "neargood" if dens >= c["stopwords_low"] else "bad"


def classify(lines: Sequence[str], fixed: Sequence[Optional[str]],
             cfg: Optional[Dict[str, Any]] = None) -> List[Optional[str]]:
    """Reasons for the lines of a dump: ``fixed`` holds reasons already given (kept as they are, and counted
    as bad context); returns a reason for every line (None = keep). A line repeating the line right above it
    (:func:`_repeated_copies`) and a pager (:func:`_pager_lines`) are left out of the judging (they are no
    context either way); a pager goes as ``navigation``, a copy shares the first copy's fate: removed with its
    reason, or, when that is kept, removed as ``duplicate``."""
    c = _settings(cfg)
    texts = [ln.strip() for ln in lines]
    fixed = _archive_runs(texts, fixed)
    pager = _pager_lines(texts, fixed)
    copies = _repeated_copies(texts, fixed) - pager
    if not copies and not pager:
        return _classify(texts, fixed, c)
    fixed = [("navigation" if i in pager else r) for i, r in enumerate(fixed)]
    rest = [i for i in range(len(texts)) if i not in copies and i not in pager]
    got = _classify([texts[i] for i in rest], [fixed[i] for i in rest], c)
    out: List[Optional[str]] = list(fixed)
    for i, r in zip(rest, got):
        out[i] = r
    for i in sorted(copies):
        out[i] = out[i - 1] or "duplicate"
    return out


def _classify(texts: Sequence[str], fixed: Sequence[Optional[str]], c: Dict[str, Any]) -> List[Optional[str]]:
    n = len(texts)
    final = _line_classes(texts, fixed, c)[1]
    # reasons
    out: List[Optional[str]] = list(fixed)
    for i in range(n):
        if out[i] is not None:
            continue
        if "://" in texts[i] and _URL_LINE.match(texts[i]):
            out[i] = "metadata"
        elif final[i] == "bad":
            out[i] = "short_run" if len(texts[i]) < c["short_chars"] else "low_content"
    if not c["keep_comments"]:
        start = _comment_start(texts, final, c)
        if start is not None:
            for i in range(start, n):
                if fixed[i] is None:
                    out[i] = "comments"
    return out


_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
           r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember|janvier|"
           r"février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|abril|"
           r"mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)")
_ARCHIVE_LINE = re.compile(r"^(?:" + _MONTHS + r"\.?\s+\d{4}|\d{4}\s*[-/]\s*\d{1,2})\s*(?:\(\d+\))?$", re.I)


def _archive_runs(texts: Sequence[str], fixed: Sequence[Optional[str]]) -> List[Optional[str]]:
    """``fixed`` with runs of four or more month lines ("August 2012", "July 2012 (5)"; a blog's archive
    list) given the reason ``short_run``: they count as bad context, as lines removed by a pattern do."""
    out = list(fixed)
    n, i = len(texts), 0
    while i < n:
        j = i
        while j < n and (not texts[j] or (len(texts[j]) <= 30 and _ARCHIVE_LINE.match(texts[j]))):
            j += 1
        if sum(1 for k in range(i, j) if texts[k]) >= 4:
            for k in range(i, j):
                if texts[k] and out[k] is None:
                    out[k] = "short_run"
        i = max(j, i + 1)
    return out


_PAGE_NUMBER = re.compile(r"^[0-9]{1,4}$")
_PAGER_STEP = re.compile(r"^(?:[«»‹›<>|]{1,3}|first|last|next|prev(?:ious)?|…|\.\.\.)$", re.I)


def _pager_lines(texts: Sequence[str], fixed: Sequence[Optional[str]]) -> set:
    """The lines (no reason yet) of pagers: "1", "2", ..., "12", four or more page numbers in a row, each one
    more than the one before, with the arrows, "Next", "…" among and right around them. A numbered list whose
    items are on lines of their own ("1", "Heat the oven", "2", ...) is no pager."""
    out: set = set()
    n, i = len(texts), 0
    while i < n:
        j, last, count = i, None, 0
        while j < n:
            t = texts[j]
            if _PAGE_NUMBER.match(t) and (last is None or int(t) == last + 1):
                last, count = int(t), count + 1
            elif not _PAGER_STEP.match(t) or (last is None and j > i + 1):
                break
            j += 1
        if count >= 4:
            out.update(k for k in range(i, j) if fixed[k] is None)
        i = max(j, i + 1)
    return out


_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")


def has_two_words(s: str) -> bool:
    """Two words of letters or more ("}", "0" or "12" twice is code or a table, not a repeated line)."""
    return len(_LETTER_WORD.findall(s)) >= 2


def _repeated_copies(texts: Sequence[str], fixed: Sequence[Optional[str]]) -> set:
    """Lines (no reason yet) that repeat the line right above them, case aside, and have two words or more:
    a gallery's slide titles, "Advertise | AdChoices" twice, an image's alt text over its caption ("}" or "0"
    twice is code or a table)."""
    return {i for i in range(1, len(texts)) if fixed[i] is None and texts[i]
            and texts[i].lower() == texts[i - 1].lower() and has_two_words(texts[i])}


def _neighbours(cls: Sequence[str]) -> Tuple[List[str], List[str], List[str], List[str]]:
    """Class of the nearest good/bad line before and after each line, ignoring short and neargood lines
    (``prev_gb``, ``next_gb``) or only short lines (``prev_any``, ``next_any``); the edges count as bad."""
    n = len(cls)
    prev_gb, prev_any, next_gb, next_any = ["bad"] * n, ["bad"] * n, ["bad"] * n, ["bad"] * n
    gb = anyk = "bad"
    for i in range(n):
        prev_gb[i], prev_any[i] = gb, anyk
        if cls[i] in ("good", "bad"):
            gb = anyk = cls[i]
        elif cls[i] == "neargood":
            anyk = "neargood"
    gb = anyk = "bad"
    for i in range(n - 1, -1, -1):
        next_gb[i], next_any[i] = gb, anyk
        if cls[i] in ("good", "bad"):
            gb = anyk = cls[i]
        elif cls[i] == "neargood":
            anyk = "neargood"
    return prev_gb, prev_any, next_gb, next_any


def _line_classes(texts: Sequence[str], fixed: Sequence[Optional[str]],
                  c: Dict[str, Any]) -> Tuple[List[str], List[str]]:
    """(initial, final) class of every line: good, neargood, short or bad (final: good or bad)."""
    n = len(texts)
    sw = _language([t for t, f in zip(texts, fixed) if f is None])
    ends = [bool(t) and _SENTENCE_END.search(t) is not None for t in texts]
    # hard-wrapped text: lines continuing the previous one are judged together (as one block)
    block_of = list(range(n))
    for i in range(1, n):
        prev, t = texts[i - 1], texts[i]
        if fixed[i] is None and fixed[i - 1] is None and t and prev and not ends[i - 1] and (
                t[0].islower() or _CONTINUES.search(prev)):
            block_of[i] = block_of[i - 1]
    parts: Dict[int, List[str]] = {}
    for i in range(n):
        if fixed[i] is None and texts[i]:
            parts.setdefault(block_of[i], []).append(texts[i])
    block_cls = {b: _block_class(" ".join(p), sw, c) for b, p in parts.items()}
    cls: List[str] = ["bad" if fixed[i] is not None or not texts[i] else block_cls[block_of[i]] for i in range(n)]
    # no good line at all (an article of short paragraphs): runs of two or more near-good lines are good text
    i = 0 if "good" not in cls else n
    while i < n:
        j = i
        while j < n and cls[j] == "neargood":
            j += 1
        if j - i >= 2:
            for k in range(i, j):
                cls[k] = "good"
        i = max(j, i + 1)
    # headline-like short lines right before good text
    for i in range(n):
        t = texts[i]
        if fixed[i] is not None or not t or (ends[i] and not t.endswith(":")) or len(t.split()) < 4 or not (
                cls[i] == "short" or (cls[i] == "bad" and len(t) <= c["long_chars"] and len(t.split()) <= 20)):
            continue
        dist = shorts = 0
        for j in range(i + 1, n):
            if cls[j] == "good":
                cls[i] = "neargood"
                break
            dist += len(texts[j])
            shorts += cls[j] == "short"
            if dist > c["heading_chars"] or shorts > 2 or (cls[j] == "bad" and fixed[j] is not None):
                break
    final = list(cls)

    # nearest good/bad line before and after each line, ignoring short (and, for *_gb, neargood) lines;
    # the document's edges count as bad. Precomputed so that the passes below stay linear.
    prev_gb, prev_any, next_gb, next_any = _neighbours(cls)

    def neighbour(i: int, step: int, ignore_near: bool) -> str:
        if step < 0:
            return prev_gb[i] if ignore_near else prev_any[i]
        return next_gb[i] if ignore_near else next_any[i]

    # a low-density line inside the article (a list, a recipe line): good on both sides. It is good context
    # for the passes below too (the short lines of an ingredient list around it are the article's)
    # (a hard-wrapped block is judged by the lines around the whole block: its own lines are not its context)
    block_first: Dict[int, int] = {}
    block_last: Dict[int, int] = {}
    for i in range(n):
        block_first.setdefault(block_of[i], i)
        block_last[block_of[i]] = i
    rescued = [i for i in range(n) if cls[i] == "bad" and fixed[i] is None and texts[i] and
               neighbour(block_first[block_of[i]], -1, True) == "good" and
               neighbour(block_last[block_of[i]], 1, True) == "good"]
    for i in rescued:
        final[i] = cls[i] = "good"
    if rescued:
        prev_gb, prev_any, next_gb, next_any = _neighbours(cls)
    for i in range(n):
        if cls[i] == "neargood":
            final[i] = "bad" if neighbour(i, -1, True) == "bad" and neighbour(i, 1, True) == "bad" else "good"
    # index of the nearest good line before / after
    prev_good, next_good = [-n - 1] * n, [2 * n + 1] * n
    last = -n - 1
    for i in range(n):
        prev_good[i] = last
        if cls[i] == "good":
            last = i
    last = 2 * n + 1
    for i in range(n - 1, -1, -1):
        next_good[i] = last
        if cls[i] == "good":
            last = i
    # a long run of short lines with few sentences (an archive list, a site map) between a small block of good
    # text (a sidebar blurb) and the article is not the article's (a table inside the article has article
    # text on both sides)
    long_run = [False] * n
    if c["inner_run_lines"] > 0:
        good_upto = [0] * (n + 1)  # characters of good lines among the first i lines
        for i in range(n):
            good_upto[i + 1] = good_upto[i] + (len(texts[i]) if cls[i] == "good" else 0)
        i = 0
        while i < n:
            j = i
            while j < n and cls[j] == "short":
                j += 1
            if j - i > c["inner_run_lines"] and \
                    sum(1 for k in range(i, j) if _SHORT_SENTENCE.search(texts[k])) < 0.3 * (j - i):
                before, after = good_upto[i], good_upto[n] - good_upto[j]
                small, big = min(before, after), max(before, after)
                if small < c["inner_run_block_chars"] and small < c["tail_min_share"] * big:
                    for k in range(i, j):
                        long_run[k] = True
            i = max(j, i + 1)
    for i in range(n):
        if cls[i] != "short":
            continue
        p, q = neighbour(i, -1, True), neighbour(i, 1, True)
        if p == "good" and q == "good":
            final[i] = "bad" if long_run[i] else "good"
        elif p == "bad" and q == "bad":
            final[i] = "bad"
        elif (p == "bad" and neighbour(i, -1, False) == "neargood" and next_good[i] - i <= c["edge_lines"]) or \
                (q == "bad" and neighbour(i, 1, False) == "neargood" and i - prev_good[i] <= c["edge_lines"]):
            final[i] = "good"
        else:
            final[i] = "bad"
    # a short sentence right after kept text (the article's last line: "He could not be reached for comment.")
    last = None  # the previous non-empty line
    for i in range(n):
        if not texts[i]:
            continue
        t = texts[i]
        if final[i] == "bad" and cls[i] == "short" and fixed[i] is None and last is not None and \
                final[last] == "good" and _SHORT_SENTENCE.search(t) and len(t.split()) >= 4:
            final[i] = "good"
        last = i
    _drop_tail_blocks(texts, fixed, cls, final, c)
    _article_header(texts, fixed, cls, final, c)
    return cls, final


_HEADER_LABEL = re.compile(r"^(?:published|updated|last updated|posted|posted on|posted by|written by|by|on|"
                           r"date|veröffentlicht|aktualisiert|publié le|mis à jour|publicado)\s*:?$|^[-|•·/]$", re.I)
_HEADLINE_END = re.compile(r"[.,;:]['\"”’»)\]]*$")


def _is_header_line(t: str) -> bool:
    """A by-line or a date line (the parsers of :func:`_header_line`), at most 160 characters."""
    h = _header_line(t) if t and len(t) <= 160 else {}
    return "authors" in h or "published" in h


def _article_header(texts: Sequence[str], fixed: Sequence[Optional[str]], cls: Sequence[str],
                    final: List[str], c: Dict[str, Any]) -> None:
    """The article's own header: in a dump the headline, by-line and date come right after the menu (bad
    context), so the short-line rules drop them. Among the ``header_lines`` non-empty lines above the first
    kept good line, a by-line or date line (the topmost one found) is kept with every line below it down to the
    article (lines removed by a pattern, a share bar, stay removed), and so are up to three by-line, date or
    label lines ("Published") right above it and at most two headline-like lines above those (three words or more, at most ``long_chars`` characters, not ending in . , ; :). By-line and
    date lines between that first line and the article's first good line (under a kept deck) are kept too."""
    n = len(texts)
    first = next((i for i in range(n) if final[i] == "good"), None)
    if first is None:
        return
    above = [j for j in range(first - 1, -1, -1) if texts[j]][:c["header_lines"]]
    hdr = [j for j in above if fixed[j] is None and _is_header_line(texts[j])]
    if hdr:
        top = hdr[-1]
        for j in range(top, first):
            if fixed[j] is None and texts[j]:
                final[j] = "good"
        k, taken, labels = top - 1, 0, 0
        while k >= 0 and taken < 2:
            t = texts[k]
            if not t:
                k -= 1
                continue
            if fixed[k] is None and final[k] != "good" and labels < 3 and not taken and (
                    _HEADER_LABEL.match(t) or _is_header_line(t)):
                final[k] = "good"  # more of the header above it: "By Ann Lee", "Published", "Updated"
                labels += 1
                k -= 1
                continue
            if fixed[k] is not None or final[k] == "good" or len(t.split()) < 3 or len(t) > c["long_chars"] or \
                    _HEADLINE_END.search(t):
                break
            final[k] = "good"
            taken += 1
            k -= 1
    body = next((i for i in range(first, n) if cls[i] == "good"), first)
    for j in range(first + 1, min(body, first + 2 * c["header_lines"])):
        if final[j] == "bad" and fixed[j] is None and cls[j] == "short" and _is_header_line(texts[j]):
            final[j] = "good"


def _drop_tail_blocks(texts: Sequence[str], fixed: Sequence[Optional[str]], cls: Sequence[str],
                      final: List[str], c: Dict[str, Any]) -> None:
    """After the article: blocks of good text are split where more than ``tail_gap_lines`` lines without good
    text, at least one of them removed by a pattern (a share bar, a "Related" header, a tags line), lie between
    them; a block after the largest one (by characters) with less than ``tail_min_share`` of its text is not
    the article's (an author blurb, teasers, the footer) and goes, with the lines leading up to it."""
    goods = [i for i in range(len(texts)) if cls[i] == "good" and final[i] == "good"]
    if len(goods) < 2:
        return
    blocks = [[goods[0], goods[0], len(texts[goods[0]])]]  # first, last, characters
    for a, b in zip(goods, goods[1:]):
        if b - a - 1 > c["tail_gap_lines"] and any(fixed[j] is not None for j in range(a + 1, b)):
            blocks.append([b, b, 0])
        blocks[-1][1] = b
        blocks[-1][2] += len(texts[b])
    main = max(range(len(blocks)), key=lambda k: blocks[k][2])
    for k in range(main + 1, len(blocks)):
        if blocks[k][2] < c["tail_min_share"] * blocks[main][2]:
            for j in range(blocks[k - 1][1] + 1, blocks[k][1] + 1):
                final[j] = "bad"


def _comment_start(texts: Sequence[str], final: Sequence[str], c: Dict[str, Any]) -> Optional[int]:
    """Index of the line where the comment thread starts, or None."""
    words = 0
    n = len(texts)
    sig = [bool(t) and len(t) <= 160 and _SIG_HINT.search(t) is not None
           and _COMMENT_SIGNATURE.search(t) is not None for t in texts]
    sig_upto = [0] * (n + 1)  # signatures among the first i lines
    for i in range(n):
        sig_upto[i + 1] = sig_upto[i] + sig[i]
    for i in range(n):
        t = texts[i]
        if words >= c["comments_min_words"] and t and len(t) <= 160:
            if _COMMENT_HEADER.match(t):
                # a thread follows: comment signatures within the next lines, or (after a header with a count,
                # "37 comments", or an invitation, "Leave a reply") good text
                strong = any(ch.isdigit() for ch in t) or not _BARE_HEADER.match(t)
                if sig_upto[min(n, i + 25)] - sig_upto[i + 1] >= 1 or (
                        strong and any(final[j] == "good" for j in range(i + 1, min(n, i + 25)))):
                    return i
            elif sig[i] and sig_upto[min(n, i + 20)] - sig_upto[i] >= 3 and not _one_poster(texts, sig, i) \
                    and not _timetable(texts, sig, i, c):
                return _thread_top(texts, final, sig, i)
        if final[i] == "good" and len(t) >= c["short_chars"]:
            words += len(t.split())
    return None


_POSTED_BY = re.compile(r"\bby\s+(\w[^\d@|,:]{1,40}?)\s*(?:\bon\b|\bat\b|@|\||,|-|–|$)", re.I)


def _one_poster(texts: Sequence[str], sig: Sequence[bool], first_sig: int) -> bool:
    """The first three signatures from ``first_sig`` name one and the same poster ("Posted by Ann at 12:42 PM"
    under each post): a blog's own posts, not a comment thread."""
    names = []
    for j in range(first_sig, min(len(texts), first_sig + 20)):
        if sig[j]:
            m = _POSTED_BY.search(texts[j])
            if not m:
                return False
            names.append(m.group(1).strip().lower())
            if len(names) == 3:
                return len(set(names)) == 1
    return False


_BARE_TIME = re.compile(r"^\d{1,2}:\d\d\s*(?:[ap]\.?m\.?)?$", re.I)


def _timetable(texts: Sequence[str], sig: Sequence[bool], first_sig: int, c: Dict[str, Any]) -> bool:
    """The first three signatures from ``first_sig`` are bare clock times ("7:00 AM") with only short lines
    between them ("Breakfast & team meeting"): a timetable, not a comment thread."""
    found = 0
    for j in range(first_sig, min(len(texts), first_sig + 20)):
        if sig[j]:
            if not _BARE_TIME.match(texts[j]):
                return False
            found += 1
            if found == 3:
                return True
        elif len(texts[j]) >= c["short_chars"]:
            return False
    return False


def _thread_top(texts: Sequence[str], final: Sequence[str], sig: Sequence[bool], first_sig: int) -> int:
    """Signatures that close each comment ("... Reply #", "... | Reply"): the first comment's body is above
    the first signature; it is as long as the gap to the second signature (at most 4 lines)."""
    if not re.search(r"(?:reply|#)\s*$", texts[first_sig], re.I):
        return first_sig
    nxt = next((j for j in range(first_sig + 1, len(texts)) if sig[j]), None)
    gap = min(4, (nxt - first_sig - 1) if nxt is not None else 1)
    k = first_sig
    while gap > 0 and k > 0 and final[k - 1] == "good":
        k -= 1
        gap -= 1
    return k


_BY_ON = re.compile(r"\s+(?:on|at|am|le|el|il|den)\s+(?=\S*\d|[A-Z])")
# by-line prefixes a page shows that the extract stage's by-line parser does not take ("Posted by Ann on ...",
# "Written By: Ann", "By: Ann (Diary) |"): made "By Ann ..." first
_BY_PREFIX = re.compile(r"^(?:(?:blog\s+)?(?:post|article|story|entry)\s+)?(?:written|submitted|posted|contributed|"
                        r"filed)\s+by\s*:?\s+|^by\s*:\s*", re.I)
_BY_TRIM = re.compile(r"\s*\((?:[^()]{1,30})\)|\s*[|•·,]\s*$")


def _header_line(t: str) -> Dict[str, Any]:
    """Metadata on one header line: a by-line ("By Ann Lee", "By Ann Lee | May 2, 2012", "by Ann on May 2,
    2012 10:15 AM", "Posted by Ann on ...", "Written By: Ann"), a date line or a url line (the extract stage's
    parsers)."""
    from transforms.extract import _split_byline_parts, parse_byline, parse_date_line, parse_url_line
    if len(t) > 160:
        return {}
    if _BY_PREFIX.match(t):
        t = _BY_TRIM.sub("", _BY_PREFIX.sub("By ", t, count=1)).rstrip(" .") or t
    u = parse_url_line(t)
    if u is not None:
        return {"url": u}
    parts = _split_byline_parts(t)
    if parts and len(parts) == 1 and _BY_ON.search(parts[0]):
        head, tail = _BY_ON.split(parts[0], 1)
        if parse_byline(head) and parse_date_line(tail):
            return {"authors": parse_byline(head), "published": parse_date_line(tail)}
    if parts and parse_byline(parts[0]):
        dates = [parse_date_line(p) for p in parts[1:]]
        if all(dates):
            out: Dict[str, Any] = {"authors": parse_byline(parts[0])}
            if dates:
                out["published"] = dates[0]
            return out
    d = parse_date_line(t)
    return {"published": d} if d else {}


def dump_metadata(lines: Sequence[str], cfg: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """A dump's own authors, published date and url -> {field: value} (only what was found; {} for a text
    that does not look like a dump). By-line and date lines are looked for among the ``header_lines``
    non-empty lines above the first good line (the nearest wins); url lines count anywhere. (No title: the
    lines above a by-line are as often a subtitle, a caption or a credit as the headline.)"""
    c = _settings(cfg)
    texts = [ln.strip() for ln in lines]
    if not c["enabled"] or not looks_like_dump(texts, c):
        return {}
    meta: Dict[str, Any] = {}
    for t in texts:
        if "://" in t and _URL_LINE.match(t):
            meta.update(_header_line(t))
            break
    sw = _language([t for t in texts if t])
    first = next((i for i, t in enumerate(texts) if t and _block_class(t, sw, c) == "good"), None)
    if first is None:
        return meta
    above = [i for i in range(first - 1, -1, -1) if texts[i]][:c["header_lines"]]
    for i in above:  # nearest first
        for k, v in _header_line(texts[i]).items():
            if k != "url":
                meta.setdefault(k, v)
    return meta

#!/usr/bin/env python3
"""Build the compressed and deliberately broken files of the newsbeam sample corpus.

Deterministic and re-runnable: `python examples/make_corpus_binaries.py` (any Python 3.9+, stdlib only)
rewrites exactly the same bytes every time (gzip headers carry no file name and mtime 0).

Writes (paths relative to examples/):
  html/dailyglobe-toronto-premiere.html.gz                 gzip-compressed HTML page (en)
  text/gazettebruxelloise-exposition-horizons.txt.gz       gzip-compressed text dump (fr)
  jsonl/archive.jsonl.gz                                   gzip-compressed JSONL, 2 records (en html, es text)
  broken/truncated.html.gz                                 gzip stream cut in the middle   -> reject: unreadable
  broken/binary.html                                       pseudo-random bytes with NULs  -> reject: binary
  broken/empty.txt                                         0 bytes                        -> reject: empty
  broken/blank.md                                          whitespace only                -> reject: empty

All article text is fictional and was written for this project.
"""
import gzip
import hashlib
import io
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(rel, data):
    path = os.path.join(HERE, "corpus", rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
    print(f"wrote {rel} ({len(data)} bytes)")


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as fh:
        fh.write(data)
    return buf.getvalue()


def pseudo_random(n, seed=b"newsbeam-binary"):
    out = b""
    block = seed
    while len(out) < n:
        block = hashlib.sha256(block).digest()
        out += block
    # make sure there are NUL bytes whatever the hash gives
    out = bytearray(out[:n])
    for i in range(0, n, 97):
        out[i] = 0
    return bytes(out)


TRUNCATED_SOURCE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>City council approves new harbour budget | The Daily Globe Online</title></head>
<body><article><h1>City council approves new harbour budget</h1>
<p>The city council of Gdansk approved a revised budget for the harbour district on Thursday after a debate that lasted
more than six hours, with councillors arguing over the cost of new quay walls and a ferry terminal.</p>
<p>The plan foresees investments of about 90 million euros over four years. Opposition councillors said the estimate was
too optimistic and asked for an independent review of the ferry terminal design before construction begins.</p>
<p>Mayor Wiktoria Zielonka-Brandt said the harbour district would become a place where people live and work, not only a
place where ships load and unload, and promised public consultations on the detailed designs in the spring.</p>
</article></body></html>
"""

# ---- document payloads (generated once from the corpus sources; edit here) ----
GZ_HTML = r'''<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Icelandic director's lighthouse drama wins standing ovation in Toronto | The Daily Globe Online</title>
<meta name="description" content="The Last Keeper of Hornbjarg premieres at the festival.">
<meta property="og:type" content="article">
<meta property="og:title" content="Icelandic director&#x27;s lighthouse drama wins standing ovation in Toronto">
<meta property="og:description" content="The Last Keeper of Hornbjarg premieres at the festival.">
<meta property="og:site_name" content="The Daily Globe Online">
<meta property="og:url" content="https://www.dailyglobe-online.com/culture/2025/09/icelandic-director-premiere-toronto">
<meta property="og:image" content="https://www.dailyglobe-online.com/media/icelandic-director-premiere-toronto-1200.jpg">
<meta name="author" content="Priya Castellanos">
<meta property="article:published_time" content="2025-09-07T22:50:00+00:00">
<meta property="article:section" content="Culture">
<link rel="canonical" href="https://www.dailyglobe-online.com/culture/2025/09/icelandic-director-premiere-toronto">
<link rel="stylesheet" href="https://www.dailyglobe-online.com/static/css/site.4f2a9c.css">
<script async src="https://www.dailyglobe-online.com/static/js/analytics.js"></script>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({"pageType": "article", "section": "Culture"});</script>
<style>.cookie-bar{position:fixed;bottom:0} .sr-only{display:none}</style>
</head>
<body class="article-page">
<div class="browser-warning" role="alert">Internet Explorer 11 is not supported. For the best experience please use a modern browser.</div>
<div class="cookie-bar" id="cookie-consent"><p>We use cookies to improve your experience and to show you personalised advertising. By continuing to browse you agree to our use of cookies.</p><button>Accept all</button> <button>Manage preferences</button></div>
<header class="masthead">
<a class="logo" href="https://www.dailyglobe-online.com/">The Daily Globe Online</a>
<nav class="primary-nav" aria-label="Sections"><ul><li><a href="https://www.dailyglobe-online.com/home/">Home</a></li><li><a href="https://www.dailyglobe-online.com/world/">World</a></li><li><a href="https://www.dailyglobe-online.com/politics/">Politics</a></li><li><a href="https://www.dailyglobe-online.com/business/">Business</a></li><li><a href="https://www.dailyglobe-online.com/science/">Science</a></li><li><a href="https://www.dailyglobe-online.com/sport/">Sport</a></li><li><a href="https://www.dailyglobe-online.com/culture/">Culture</a></li><li><a href="https://www.dailyglobe-online.com/opinion/">Opinion</a></li></ul></nav>
<div class="account"><a href="/login">Log in</a> <a class="btn" href="/subscribe">Subscribe</a></div>
</header>
<main id="content">
<div class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/culture/">Culture</a></div>
<article class="story" itemscope itemtype="https://schema.org/NewsArticle">
<header class="story-header">
<p class="kicker">Culture</p>
<h1 itemprop="headline">Icelandic director's lighthouse drama wins standing ovation in Toronto</h1>
<p class="standfirst">The Last Keeper of Hornbjarg premieres at the festival.</p>
<div class="byline">By <a rel="author" href="https://www.dailyglobe-online.com/authors/icelandic-di">Priya Castellanos</a> &middot; <time datetime="2025-09-07T22:50:00Z">7 September 2025</time></div>
</header>
<figure class="lead-image"><img src="https://www.dailyglobe-online.com/media/icelandic-director-premiere-toronto-800.jpg" alt="Hrafnhildur Jónsdóttir on the red carpet." width="800" height="450"><figcaption>Hrafnhildur Jónsdóttir on the red carpet. <span class="credit">Photo: Lena Barkow / Festival Pictures</span></figcaption></figure>
<div class="story-body" itemprop="articleBody">
<p><span class="dateline">TORONTO</span> — The Icelandic director Hrafnhildur Jónsdóttir drew a standing ovation at the Toronto International Film Festival on Sunday with the world premiere of her second feature, a quiet drama about a lighthouse keeper's daughter who returns to the Westfjords after her father's death.</p>
<p>The film, titled The Last Keeper of Hornbjarg, was shot over two winters on the remote northern coast of Iceland with a crew of eleven. Jónsdóttir told the audience that several scenes had to be filmed in a single take because storms cut off access to the location for days at a time.</p>
<aside class="support-box"><p class="support-title">Support independent journalism. Donate today</p><p>Our reporting is free to read for everyone. If you value it, please consider a monthly contribution.</p><a class="btn" href="https://www.dailyglobe-online.com/support">Donate today</a></aside>
<p>Critics at the festival praised the performance of newcomer Ásdís Kristmundsdóttir in the lead role and the sparse score by the Danish composer Mikkel Holstebro. Several distributors were reported to be bidding for North American rights after the screening.</p>
<p>Jónsdóttir's debut, a documentary about fishing families in the Faroe Islands, won a jury prize in Gothenburg three years ago. She said she hoped the new film would open in Icelandic cinemas before Christmas.</p>
<div class="newsletter-signup"><h3>Sign up for our newsletter</h3><p>Get the day's top stories in your inbox every morning. You can unsubscribe at any time.</p><form action="/newsletter"><input type="email" placeholder="you@example.com"><button>Subscribe</button></form></div>
</div>
<div class="share-tools"><span>Share this article</span> <a href="https://www.facebook.com/sharer/sharer.php?u=https://www.dailyglobe-online.com/culture/2025/09/icelandic-director-premiere-toronto">Share on Facebook</a> <a href="https://x.com/intent/post?url=https://www.dailyglobe-online.com/culture/2025/09/icelandic-director-premiere-toronto">Share on X</a> <a href="mailto:?subject=Icelandic director&#x27;s lighthouse drama wins standing ovation in Toronto">Email this story</a></div>
<p class="tags">Tags: Culture, Film, Festivals</p>
</article>
<aside class="most-viewed"><h2>Most Viewed</h2><ol><li><a href="https://www.dailyglobe-online.com/1/story-1">Five things to know before the markets open</a></li><li><a href="https://www.dailyglobe-online.com/2/story-2">Opinion: Why our cities need more trees</a></li><li><a href="https://www.dailyglobe-online.com/3/story-3">Transfer window: the deals that could still happen</a></li><li><a href="https://www.dailyglobe-online.com/4/story-4">Recipe of the week: lentil soup with smoked paprika</a></li><li><a href="https://www.dailyglobe-online.com/5/story-5">Quiz: how well did you follow the news this week?</a></li></ol></aside>
<section class="comments" id="comments"><h2>Comments (2)</h2>
<div class="comment"><p class="comment-author">harbourwatcher</p><p class="comment-time">2 hours ago</p><p>About time somebody reported on this properly.</p><a href="#reply">Reply</a></div><div class="comment"><p class="comment-author">J. Mallory</p><p class="comment-time">1 hour ago</p><p>I disagree with the premise. Read the statement before you comment.</p><a href="#reply">Reply</a></div>
</section>
</main>
<footer class="site-footer">
<p>&copy; 2025 The Daily Globe Online. All rights reserved.</p>
<ul><li><a href="/legal/0">Privacy policy</a></li><li><a href="/legal/1">Terms of use</a></li><li><a href="/legal/2">Cookie settings</a></li><li><a href="/legal/3">Contact us</a></li><li><a href="/legal/4">Advertise with us</a></li></ul>
</footer>
</body>
</html>
'''

GZ_TXT = r'''« Horizons du Nord » : les paysagistes flamands à l'honneur à Bruxelles
By Sophie Deschamps
Published: 2025-01-30
Original url: https://www.gazettebruxelloise.be/news/2025/01/exposition-horizons-du-nord-paysagistes-flamands
Partager cet article
Partager sur Facebook
Le musée d'art ancien de Bruxelles a inauguré jeudi une exposition consacrée aux peintres flamands du paysage, qui réunit plus de quatre-vingts tableaux prêtés par des collections de Belgique, des Pays-Bas et d'Espagne.
Intitulée « Horizons du Nord », l'exposition retrace l'évolution de la peinture de paysage entre 1550 et 1650, des vues panoramiques peuplées de minuscules personnages jusqu'aux ciels d'orage des maîtres du XVIIe siècle. Plusieurs œuvres n'avaient jamais été montrées au public belge.
Soutenez le journalisme indépendant. Faites un don
Nos articles sont accessibles à tous gratuitement. Votre soutien nous permet de continuer.
La commissaire de l'exposition, Hélène Vandersmissen, explique avoir voulu montrer comment les artistes ont transformé un simple décor en sujet à part entière. Une salle est consacrée aux dessins préparatoires, prêtés par un cabinet d'arts graphiques de Madrid.
L'exposition est ouverte jusqu'au 25 mai. Le musée prévoit des visites guidées en français, en néerlandais et en anglais, ainsi que des ateliers pour les enfants le mercredi après-midi.
Photo: Musée / D. Verhaegen
Mots-clés: Culture, Expositions, Bruxelles
Les plus lus
Cinq questions sur la réforme des retraites
Tribune : repenser nos centres-villes
La recette de la semaine : soupe de lentilles
Ligue 1 : les notes du week-end
Quiz : avez-vous suivi l'actualité ?
Inscrivez-vous à notre newsletter
© 2025 La Gazette Bruxelloise. Tous droits réservés.
Mentions légales | Politique de confidentialité | Gestion des cookies | Nous contacter
'''

ARCHIVE_JSONL = r'''{"id": "archive-0001", "url": "https://www.dailyglobe-online.com/science/2025/10/young-planet-caught-growing-atacama", "title": "Astronomers catch a young giant planet still growing", "published": "2025-10-02", "html": "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Astronomers catch a young giant planet still growing | The Daily Globe Online</title>\n<meta name=\"description\" content=\"Observations from Chile&#x27;s Atacama Desert show gas falling onto the planet.\">\n<meta property=\"og:type\" content=\"article\">\n<meta property=\"og:title\" content=\"Astronomers catch a young giant planet still growing\">\n<meta property=\"og:description\" content=\"Observations from Chile&#x27;s Atacama Desert show gas falling onto the planet.\">\n<meta property=\"og:site_name\" content=\"The Daily Globe Online\">\n<meta property=\"og:url\" content=\"https://www.dailyglobe-online.com/science/2025/10/young-planet-caught-growing-atacama\">\n<meta property=\"og:image\" content=\"https://www.dailyglobe-online.com/media/young-planet-caught-growing-atacama-1200.jpg\">\n<meta name=\"author\" content=\"Hannah Whitcombe\">\n<meta property=\"article:published_time\" content=\"2025-10-02T16:00:00+00:00\">\n<meta property=\"article:section\" content=\"Science\">\n<link rel=\"canonical\" href=\"https://www.dailyglobe-online.com/science/2025/10/young-planet-caught-growing-atacama\">\n<link rel=\"stylesheet\" href=\"https://www.dailyglobe-online.com/static/css/site.4f2a9c.css\">\n<script async src=\"https://www.dailyglobe-online.com/static/js/analytics.js\"></script>\n<script>window.dataLayer = window.dataLayer || []; dataLayer.push({\"pageType\": \"article\", \"section\": \"Science\"});</script>\n<style>.cookie-bar{position:fixed;bottom:0} .sr-only{display:none}</style>\n</head>\n<body class=\"article-page\">\n<div class=\"browser-warning\" role=\"alert\">Internet Explorer 11 is not supported. For the best experience please use a modern browser.</div>\n<div class=\"cookie-bar\" id=\"cookie-consent\"><p>We use cookies to improve your experience and to show you personalised advertising. By continuing to browse you agree to our use of cookies.</p><button>Accept all</button> <button>Manage preferences</button></div>\n<header class=\"masthead\">\n<a class=\"logo\" href=\"https://www.dailyglobe-online.com/\">The Daily Globe Online</a>\n<nav class=\"primary-nav\" aria-label=\"Sections\"><ul><li><a href=\"https://www.dailyglobe-online.com/home/\">Home</a></li><li><a href=\"https://www.dailyglobe-online.com/world/\">World</a></li><li><a href=\"https://www.dailyglobe-online.com/politics/\">Politics</a></li><li><a href=\"https://www.dailyglobe-online.com/business/\">Business</a></li><li><a href=\"https://www.dailyglobe-online.com/science/\">Science</a></li><li><a href=\"https://www.dailyglobe-online.com/sport/\">Sport</a></li><li><a href=\"https://www.dailyglobe-online.com/culture/\">Culture</a></li><li><a href=\"https://www.dailyglobe-online.com/opinion/\">Opinion</a></li></ul></nav>\n<div class=\"account\"><a href=\"/login\">Log in</a> <a class=\"btn\" href=\"/subscribe\">Subscribe</a></div>\n</header>\n<main id=\"content\">\n<div class=\"breadcrumbs\"><a href=\"/\">Home</a> &rsaquo; <a href=\"/science/\">Science</a></div>\n<article class=\"story\" itemscope itemtype=\"https://schema.org/NewsArticle\">\n<header class=\"story-header\">\n<p class=\"kicker\">Science</p>\n<h1 itemprop=\"headline\">Astronomers catch a young giant planet still growing</h1>\n<p class=\"standfirst\">Observations from Chile's Atacama Desert show gas falling onto the planet.</p>\n<div class=\"byline\">By <a rel=\"author\" href=\"https://www.dailyglobe-online.com/authors/young-planet\">Hannah Whitcombe</a> &middot; <time datetime=\"2025-10-02T16:00:00Z\">2 October 2025</time></div>\n</header>\n<figure class=\"lead-image\"><img src=\"https://www.dailyglobe-online.com/media/young-planet-caught-growing-atacama-800.jpg\" alt=\"Telescope domes in the Atacama Desert.\" width=\"800\" height=\"450\"><figcaption>Telescope domes in the Atacama Desert. <span class=\"credit\">Photo: Rodrigo Saavedra / Sky Survey</span></figcaption></figure>\n<div class=\"story-body\" itemprop=\"articleBody\">\n<p>Astronomers using telescopes in Chile's Atacama Desert have found a young planet still gathering material from the disc of gas and dust around its star, offering a rare glimpse of how giant planets form, an international team reported on Thursday.</p>\n<p>The planet, roughly five times the mass of Jupiter, orbits a star about 400 light years away in the constellation Lupus. The team detected a faint glow of hot hydrogen at the planet's position, which they interpret as gas falling onto it from the surrounding disc.</p>\n<aside class=\"support-box\"><p class=\"support-title\">Support independent journalism. Donate today</p><p>Our reporting is free to read for everyone. If you value it, please consider a monthly contribution.</p><a class=\"btn\" href=\"https://www.dailyglobe-online.com/support\">Donate today</a></aside>\n<p>\"We are watching a planet that is still growing,\" said lead author Dr. Camila Irarrázaval, an astronomer at a university in Santiago. She said the observations took three nights spread over two years, and the signal only became clear after the team combined all the data.</p>\n<p>The researchers plan follow-up observations to measure how quickly the planet is gaining mass. Only a handful of such forming planets have been confirmed so far.</p>\n<div class=\"newsletter-signup\"><h3>Sign up for our newsletter</h3><p>Get the day's top stories in your inbox every morning. You can unsubscribe at any time.</p><form action=\"/newsletter\"><input type=\"email\" placeholder=\"you@example.com\"><button>Subscribe</button></form></div>\n</div>\n<div class=\"share-tools\"><span>Share this article</span> <a href=\"https://www.facebook.com/sharer/sharer.php?u=https://www.dailyglobe-online.com/science/2025/10/young-planet-caught-growing-atacama\">Share on Facebook</a> <a href=\"https://x.com/intent/post?url=https://www.dailyglobe-online.com/science/2025/10/young-planet-caught-growing-atacama\">Share on X</a> <a href=\"mailto:?subject=Astronomers catch a young giant planet still growing\">Email this story</a></div>\n<p class=\"tags\">Tags: Science, Astronomy, Space</p>\n</article>\n<aside class=\"most-viewed\"><h2>Most Viewed</h2><ol><li><a href=\"https://www.dailyglobe-online.com/1/story-1\">Five things to know before the markets open</a></li><li><a href=\"https://www.dailyglobe-online.com/2/story-2\">Opinion: Why our cities need more trees</a></li><li><a href=\"https://www.dailyglobe-online.com/3/story-3\">Transfer window: the deals that could still happen</a></li><li><a href=\"https://www.dailyglobe-online.com/4/story-4\">Recipe of the week: lentil soup with smoked paprika</a></li><li><a href=\"https://www.dailyglobe-online.com/5/story-5\">Quiz: how well did you follow the news this week?</a></li></ol></aside>\n<section class=\"comments\" id=\"comments\"><h2>Comments (2)</h2>\n<div class=\"comment\"><p class=\"comment-author\">harbourwatcher</p><p class=\"comment-time\">2 hours ago</p><p>About time somebody reported on this properly.</p><a href=\"#reply\">Reply</a></div><div class=\"comment\"><p class=\"comment-author\">J. Mallory</p><p class=\"comment-time\">1 hour ago</p><p>I disagree with the premise. Read the statement before you comment.</p><a href=\"#reply\">Reply</a></div>\n</section>\n</main>\n<footer class=\"site-footer\">\n<p>&copy; 2025 The Daily Globe Online. All rights reserved.</p>\n<ul><li><a href=\"/legal/0\">Privacy policy</a></li><li><a href=\"/legal/1\">Terms of use</a></li><li><a href=\"/legal/2\">Cookie settings</a></li><li><a href=\"/legal/3\">Contact us</a></li><li><a href=\"/legal/4\">Advertise with us</a></li></ul>\n</footer>\n</body>\n</html>\n"}
{"id": "archive-0002", "url": "https://www.culturasur.com.ar/news/2025/05/feria-del-libro-cierra-con-record", "title": "La Feria del Libro de Buenos Aires cerró con más de un millón de visitantes", "published": "2025-05-12T09:00:00Z", "text": "BUENOS AIRES — La Feria Internacional del Libro de Buenos Aires cerró su edición número 49 con más de 1,1 millones de visitantes, una cifra similar a la del año anterior, según informaron los organizadores el domingo.\n\nDurante tres semanas, el predio de Palermo recibió a más de 1.500 expositores y a autores de una treintena de países. La ciudad invitada de este año fue Lisboa, que presentó un pabellón dedicado a la poesía portuguesa contemporánea y a la historia de sus librerías.\n\nLos editores independientes destacaron un aumento de las ventas de libros infantiles y de novela gráfica, mientras que las grandes editoriales advirtieron sobre el impacto del precio del papel. La presidenta de la fundación organizadora, Silvina Arrieta, dijo que la feria sigue siendo \"el gran encuentro de lectores de la región\".\n\nLa próxima edición, que celebrará medio siglo del evento, se realizará entre finales de abril y mediados de mayo del año próximo."}
'''


def main():
    write("html/dailyglobe-toronto-premiere.html.gz", gz(GZ_HTML.encode("utf-8")))
    write("text/gazettebruxelloise-exposition-horizons.txt.gz", gz(GZ_TXT.encode("utf-8")))
    write("jsonl/archive.jsonl.gz", gz(ARCHIVE_JSONL.encode("utf-8")))
    full = gz(TRUNCATED_SOURCE.encode("utf-8"))
    write("broken/truncated.html.gz", full[: len(full) // 2])
    write("broken/binary.html", pseudo_random(4096))
    write("broken/empty.txt", b"")
    write("broken/blank.md", b"   \n\n\t\n  \r\n")


if __name__ == "__main__":
    main()

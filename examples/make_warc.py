#!/usr/bin/env python3
"""Build examples/warc/crawl.warc.gz for the newsbeam sample corpus with warcio's WARCWriter.

Run from anywhere with the project venv: `.venv/bin/python examples/make_warc.py`. Deterministic: record
ids and dates are fixed, so the output is byte-identical on every run.

Record order in the file (the pipeline must emit one document per HTML response record only):
  1. response  text/html   Rhine low-water wire story (en)      -> document  warc/crawl.warc.gz#1
  2. response  text/html   Peru earthquake (fr)                 -> document  warc/crawl.warc.gz#2
  3. response  text/html   Lisbon satellite startup (en)        -> document  warc/crawl.warc.gz#3
  4. request   GET of the image below                           -> skipped (not a response)
  5. response  image/png   a small PNG                          -> skipped (not HTML)
The three HTML responses come first, so "#N" is the same whether N counts HTML responses or all records.

All article text is fictional and was written for this project.
"""
import io
import os
import struct
import zlib

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "warc", "crawl.warc.gz")

# (url, HTML page) of the three HTML responses
WARC_PAGES = [
    ('https://www.continentalbusinessdaily.com/markets/2025/08/drought-rhine-freight-kaub',
     r'''<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Drought on the Rhine: freight shipping nearly stops at Kaub | Continental Business Daily</title>
<meta name="description" content="Wire report.">
<meta property="og:type" content="article">
<meta property="og:title" content="Drought on the Rhine: freight shipping nearly stops at Kaub">
<meta property="og:description" content="Wire report.">
<meta property="og:site_name" content="Continental Business Daily">
<meta property="og:url" content="https://www.continentalbusinessdaily.com/markets/2025/08/drought-rhine-freight-kaub">
<meta property="og:image" content="https://www.continentalbusinessdaily.com/media/drought-rhine-freight-kaub-1200.jpg">
<meta name="author" content="Maren Kessler, Continental Wire Service">
<meta property="article:published_time" content="2025-08-12T12:15:00+00:00">
<meta property="article:section" content="Markets">
<link rel="canonical" href="https://www.continentalbusinessdaily.com/markets/2025/08/drought-rhine-freight-kaub">
<link rel="stylesheet" href="https://www.continentalbusinessdaily.com/static/css/site.4f2a9c.css">
<script async src="https://www.continentalbusinessdaily.com/static/js/analytics.js"></script>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({"pageType": "article", "section": "Markets"});</script>
<style>.cookie-bar{position:fixed;bottom:0} .sr-only{display:none}</style>
</head>
<body>
<div id="gdpr-overlay" class="modal"><div class="modal-inner">We use cookies to improve your experience and to show you personalised advertising. By continuing to browse you agree to our use of cookies. <a href="#" class="accept">Accept all</a></div></div>
<div class="top-bar"><span class="date-today">August 12, 2025</span> <a href="/epaper">E-Paper</a> <a href="/login">Log in</a></div>
<div class="header"><div class="logo"><a href="/"><img src="/img/logo.svg" alt="Continental Business Daily"></a></div>
<div class="menu"><ul><li><a href="https://www.continentalbusinessdaily.com/home/">Home</a></li><li><a href="https://www.continentalbusinessdaily.com/world/">World</a></li><li><a href="https://www.continentalbusinessdaily.com/politics/">Politics</a></li><li><a href="https://www.continentalbusinessdaily.com/business/">Business</a></li><li><a href="https://www.continentalbusinessdaily.com/science/">Science</a></li><li><a href="https://www.continentalbusinessdaily.com/sport/">Sport</a></li><li><a href="https://www.continentalbusinessdaily.com/culture/">Culture</a></li><li><a href="https://www.continentalbusinessdaily.com/opinion/">Opinion</a></li></ul></div></div>
<div class="ad-slot leaderboard">Advertisement</div>
<div class="container">
<div class="col-main">
<div class="story">
<h1 class="headline">Drought on the Rhine: freight shipping nearly stops at Kaub</h1>
<div class="meta"><span class="author">By Maren Kessler, Continental Wire Service</span> | <span class="pubdate">August 12, 2025</span></div>
<div class="share-top"><a class="fb" href="https://www.facebook.com/sharer/sharer.php?u=https://www.continentalbusinessdaily.com/markets/2025/08/drought-rhine-freight-kaub">Share on Facebook</a> <a class="tw" href="https://x.com/intent/post?url=https://www.continentalbusinessdaily.com/markets/2025/08/drought-rhine-freight-kaub">Share on X</a></div>
<div class="photo"><img src="/images/drought-rhine-freight-kaub.jpg" alt=""><p class="caption">Low water exposes the riverbed near Bingen. (Photo: Till Osterkamp / CWS)</p></div>
<div class="story-text">
<p><span class="dateline">KAUB, Germany</span> — Cargo shipping on one of the busiest stretches of the Rhine came to a near standstill on Tuesday after the water level at the Kaub gauge fell to 31 centimetres, the lowest reading recorded in August since measurements began, the federal waterways agency said.</p>
<p>Barge operators said most vessels could carry no more than a quarter of their usual load, and several convoys heading from Rotterdam towards Basel dropped anchor near Koblenz to wait for rain. Tank barges supplying fuel depots in southern Germany were among the first to stop, according to the inland shipping association.</p>
<p>The shallow section between Bingen and St. Goar has long been the main bottleneck for freight on the river. At levels below 40 centimetres, many operators add surcharges that can double the price of moving a tonne of coal, grain or chemicals, and some shippers switch to rail, where capacity is already tight.</p>
<div class="inline-related"><h4>Related stories</h4><ul><li><a href="https://www.continentalbusinessdaily.com/news/1">Five things to know before the markets open</a></li><li><a href="https://www.continentalbusinessdaily.com/news/2">Opinion: Why our cities need more trees</a></li><li><a href="https://www.continentalbusinessdaily.com/news/3">Transfer window: the deals that could still happen</a></li></ul></div>
<p>Forecasters at the national weather service said no significant rainfall was expected in the Alps or the Black Forest before the end of next week. A hydrologist at the agency, Dr. Ruth Pfaffenberger, said the level could fall by another five to eight centimetres in that time if temperatures stayed above 30 degrees.</p>
<p>Chemical producers along the river said they had built up stocks in July and could keep plants running for several weeks. A spokesman for one of the largest sites near Ludwigshafen said the company had chartered extra trains and smaller, shallow-draught vessels to bring in raw materials.</p>
<p>Economists warned that a prolonged period of low water could weigh on industrial output in the third quarter. In 2018, a similar drought on the Rhine was blamed for a measurable dip in German production, and shipping companies have since ordered barges designed to sail with less water under the keel.</p>
<p>The waterways agency said it would continue dredging at two critical points near Oestrich and would publish forecasts for the Kaub gauge twice a day until the situation eased. It also asked skippers to report any groundings immediately so that the affected stretch could be marked for other vessels.</p>
</div>
<div class="donation-appeal"><strong>Support independent journalism. Donate today</strong> <span>Our reporting is free to read for everyone. If you value it, please consider a monthly contribution.</span></div>
<div class="newsletter-box"><p>Sign up for our newsletter</p><input type="email"><button>OK</button></div>
<div class="story-tags">Tags: <a href="/tag/markets">Markets</a> <a href="/tag/shipping">Shipping</a> <a href="/tag/germany">Germany</a></div>
</div>
</div>
<div class="col-side">
<div class="widget picks"><h3>Editor's Picks</h3><ul><li><a href="https://www.continentalbusinessdaily.com/picks/1"><img src="/thumbs/1.jpg" alt=""><span>Transfer window: the deals that could still happen</span></a></li><li><a href="https://www.continentalbusinessdaily.com/picks/2"><img src="/thumbs/2.jpg" alt=""><span>Recipe of the week: lentil soup with smoked paprika</span></a></li><li><a href="https://www.continentalbusinessdaily.com/picks/3"><img src="/thumbs/3.jpg" alt=""><span>Quiz: how well did you follow the news this week?</span></a></li></ul></div>
<div class="ad-slot mpu">Advertisement</div>
</div>
</div>
<div class="footer"><p>&copy; 2025 Continental Business Daily &mdash; All rights reserved. Privacy policy | Terms of use | Cookie settings | Contact us | Advertise with us</p></div>
<script src="/js/bundle.min.js"></script>
</body>
</html>
'''),
    ('https://www.mondeactu.fr/international/2025/06/seisme-perou-arequipa',
     r'''<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pérou : un séisme de magnitude 6,1 fait au moins trois morts près d'Arequipa | Monde Actu</title>
<meta name="description" content="La vallée du Colca est la plus touchée.">
<meta property="og:type" content="article">
<meta property="og:title" content="Pérou : un séisme de magnitude 6,1 fait au moins trois morts près d&#x27;Arequipa">
<meta property="og:description" content="La vallée du Colca est la plus touchée.">
<meta property="og:site_name" content="Monde Actu">
<meta property="og:url" content="https://www.mondeactu.fr/international/2025/06/seisme-perou-arequipa">
<meta property="og:image" content="https://www.mondeactu.fr/media/seisme-perou-arequipa-1200.jpg">
<meta name="author" content="Camille Ferrand">
<meta property="article:published_time" content="2025-06-11T05:30:00+00:00">
<meta property="article:section" content="International">
<link rel="canonical" href="https://www.mondeactu.fr/international/2025/06/seisme-perou-arequipa">
<link rel="stylesheet" href="https://www.mondeactu.fr/static/css/site.4f2a9c.css">
<script async src="https://www.mondeactu.fr/static/js/analytics.js"></script>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({"pageType": "article", "section": "International"});</script>
<style>.cookie-bar{position:fixed;bottom:0} .sr-only{display:none}</style>
</head>
<body class="article-page">
<div class="browser-warning" role="alert">Internet Explorer 11 n'est plus pris en charge. Pour une meilleure expérience, utilisez un navigateur récent.</div>
<div class="cookie-bar" id="cookie-consent"><p>Nous utilisons des cookies pour améliorer votre expérience et vous proposer des publicités adaptées. En poursuivant votre navigation, vous acceptez leur utilisation.</p><button>Tout accepter</button> <button>Paramétrer</button></div>
<header class="masthead">
<a class="logo" href="https://www.mondeactu.fr/">Monde Actu</a>
<nav class="primary-nav" aria-label="Sections"><ul><li><a href="https://www.mondeactu.fr/accueil/">Accueil</a></li><li><a href="https://www.mondeactu.fr/france/">France</a></li><li><a href="https://www.mondeactu.fr/international/">International</a></li><li><a href="https://www.mondeactu.fr/politique/">Politique</a></li><li><a href="https://www.mondeactu.fr/économie/">Économie</a></li><li><a href="https://www.mondeactu.fr/sport/">Sport</a></li><li><a href="https://www.mondeactu.fr/culture/">Culture</a></li><li><a href="https://www.mondeactu.fr/régions/">Régions</a></li></ul></nav>
<div class="account"><a href="/login">Se connecter</a> <a class="btn" href="/subscribe">S'abonner</a></div>
</header>
<main id="content">
<div class="breadcrumbs"><a href="/">Accueil</a> &rsaquo; <a href="/international/">International</a></div>
<article class="story" itemscope itemtype="https://schema.org/NewsArticle">
<header class="story-header">
<p class="kicker">International</p>
<h1 itemprop="headline">Pérou : un séisme de magnitude 6,1 fait au moins trois morts près d'Arequipa</h1>
<p class="standfirst">La vallée du Colca est la plus touchée.</p>
<div class="byline">Par <a rel="author" href="https://www.mondeactu.fr/authors/seisme-perou">Camille Ferrand</a> &middot; <time datetime="2025-06-11T05:30:00Z">11 juin 2025</time></div>
</header>
<figure class="lead-image"><img src="https://www.mondeactu.fr/media/seisme-perou-arequipa-800.jpg" alt="Une maison en adobe effondrée dans la vallée du Colca." width="800" height="450"><figcaption>Une maison en adobe effondrée dans la vallée du Colca. <span class="credit">Photo: Marco Huamán / Andes Press</span></figcaption></figure>
<div class="story-body" itemprop="articleBody">
<p><span class="dateline">LIMA</span> — Un séisme de magnitude 6,1 a frappé mardi le sud du Pérou, faisant au moins trois morts et une quarantaine de blessés dans la région d'Arequipa, selon la protection civile péruvienne.</p>
<p>La secousse, survenue en début d'après-midi à une quarantaine de kilomètres de profondeur, a été ressentie dans toute la ville d'Arequipa, deuxième agglomération du pays, où des habitants sont sortis précipitamment des immeubles. L'épicentre a été localisé à environ 60 kilomètres au nord-ouest de la ville.</p>
<aside class="support-box"><p class="support-title">Soutenez le journalisme indépendant. Faites un don</p><p>Nos articles sont accessibles à tous gratuitement. Votre soutien nous permet de continuer.</p><a class="btn" href="https://www.mondeactu.fr/support">Faites un don</a></aside>
<p>Les dégâts les plus importants concernent la vallée du Colca, destination touristique connue pour ses canyons, où des maisons en adobe se sont effondrées et où un glissement de terrain a coupé la route menant à Chivay pendant plusieurs heures.</p>
<p>Les écoles de quatre provinces sont restées fermées mercredi pour permettre des inspections. L'institut géophysique a enregistré plus de trente répliques au cours de la nuit.</p>
<div class="newsletter-signup"><h3>Inscrivez-vous à notre newsletter</h3><p>Recevez chaque matin l'essentiel de l'actualité. Désinscription possible à tout moment.</p><form action="/newsletter"><input type="email" placeholder="you@example.com"><button>S'abonner</button></form></div>
</div>
<div class="share-tools"><span>Partager cet article</span> <a href="https://www.facebook.com/sharer/sharer.php?u=https://www.mondeactu.fr/international/2025/06/seisme-perou-arequipa">Partager sur Facebook</a> <a href="https://x.com/intent/post?url=https://www.mondeactu.fr/international/2025/06/seisme-perou-arequipa">Partager sur X</a> <a href="mailto:?subject=Pérou : un séisme de magnitude 6,1 fait au moins trois morts près d&#x27;Arequipa">Envoyer par e-mail</a></div>
<p class="tags">Mots-clés: International, Amérique latine, Séismes</p>
</article>
<aside class="most-viewed"><h2>Les plus lus</h2><ol><li><a href="https://www.mondeactu.fr/1/story-1">Cinq questions sur la réforme des retraites</a></li><li><a href="https://www.mondeactu.fr/2/story-2">Tribune : repenser nos centres-villes</a></li><li><a href="https://www.mondeactu.fr/3/story-3">La recette de la semaine : soupe de lentilles</a></li><li><a href="https://www.mondeactu.fr/4/story-4">Ligue 1 : les notes du week-end</a></li><li><a href="https://www.mondeactu.fr/5/story-5">Quiz : avez-vous suivi l'actualité ?</a></li></ol></aside>
<section class="comments" id="comments"><h2>Commentaires (2)</h2>
<div class="comment"><p class="comment-author">Breizh35</p><p class="comment-time">il y a 2 heures</p><p>Quelle abstention, c'est inquiétant.</p><a href="#reply">Reply</a></div><div class="comment"><p class="comment-author">Anne-Laure</p><p class="comment-time">il y a 1 heure</p><p>Bravo à la nouvelle élue.</p><a href="#reply">Reply</a></div>
</section>
</main>
<footer class="site-footer">
<p>&copy; 2025 Monde Actu. Tous droits réservés.</p>
<ul><li><a href="/legal/0">Mentions légales</a></li><li><a href="/legal/1">Politique de confidentialité</a></li><li><a href="/legal/2">Gestion des cookies</a></li><li><a href="/legal/3">Nous contacter</a></li></ul>
</footer>
</body>
</html>
'''),
    ('https://www.iberiatechreport.com/space/2025/03/lisbon-startup-first-satellite',
     r'''<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lisbon startup puts Portugal's first home-built commercial satellite in orbit | Iberia Tech Report</title>
<meta name="description" content="A shoebox-sized spacecraft to watch the Atlantic.">
<meta property="og:type" content="article">
<meta property="og:title" content="Lisbon startup puts Portugal&#x27;s first home-built commercial satellite in orbit">
<meta property="og:description" content="A shoebox-sized spacecraft to watch the Atlantic.">
<meta property="og:site_name" content="Iberia Tech Report">
<meta property="og:url" content="https://www.iberiatechreport.com/space/2025/03/lisbon-startup-first-satellite">
<meta property="og:image" content="https://www.iberiatechreport.com/media/lisbon-startup-first-satellite-1200.jpg">
<meta name="author" content="Rui Tavares Lindholm">
<meta property="article:published_time" content="2025-03-18T18:05:00+00:00">
<meta property="article:section" content="Space">
<link rel="canonical" href="https://www.iberiatechreport.com/space/2025/03/lisbon-startup-first-satellite">
<link rel="stylesheet" href="https://www.iberiatechreport.com/static/css/site.4f2a9c.css">
<script async src="https://www.iberiatechreport.com/static/js/analytics.js"></script>
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({"pageType": "article", "section": "Space"});</script>
<style>.cookie-bar{position:fixed;bottom:0} .sr-only{display:none}</style>
</head>
<body>
<div id="gdpr-overlay" class="modal"><div class="modal-inner">We use cookies to improve your experience and to show you personalised advertising. By continuing to browse you agree to our use of cookies. <a href="#" class="accept">Accept all</a></div></div>
<div class="top-bar"><span class="date-today">March 18, 2025</span> <a href="/epaper">E-Paper</a> <a href="/login">Log in</a></div>
<div class="header"><div class="logo"><a href="/"><img src="/img/logo.svg" alt="Iberia Tech Report"></a></div>
<div class="menu"><ul><li><a href="https://www.iberiatechreport.com/home/">Home</a></li><li><a href="https://www.iberiatechreport.com/world/">World</a></li><li><a href="https://www.iberiatechreport.com/politics/">Politics</a></li><li><a href="https://www.iberiatechreport.com/business/">Business</a></li><li><a href="https://www.iberiatechreport.com/science/">Science</a></li><li><a href="https://www.iberiatechreport.com/sport/">Sport</a></li><li><a href="https://www.iberiatechreport.com/culture/">Culture</a></li><li><a href="https://www.iberiatechreport.com/opinion/">Opinion</a></li></ul></div></div>
<div class="ad-slot leaderboard">Advertisement</div>
<div class="container">
<div class="col-main">
<div class="story">
<h1 class="headline">Lisbon startup puts Portugal's first home-built commercial satellite in orbit</h1>
<div class="meta"><span class="author">By Rui Tavares Lindholm</span> | <span class="pubdate">March 18, 2025</span></div>
<div class="share-top"><a class="fb" href="https://www.facebook.com/sharer/sharer.php?u=https://www.iberiatechreport.com/space/2025/03/lisbon-startup-first-satellite">Share on Facebook</a> <a class="tw" href="https://x.com/intent/post?url=https://www.iberiatechreport.com/space/2025/03/lisbon-startup-first-satellite">Share on X</a></div>
<div class="photo"><img src="/images/lisbon-startup-first-satellite.jpg" alt=""><p class="caption">Engineers with the satellite before shipment. (Photo: Iberia Tech Report)</p></div>
<div class="story-text">
<p><span class="dateline">LISBON</span> — A Lisbon-based startup launched its first Earth-observation satellite on Tuesday, becoming the first Portuguese company to put a spacecraft of its own design into orbit, the firm said.</p>
<p>The satellite, about the size of a shoebox, was carried into space on a rideshare mission together with more than 40 other small payloads. It will monitor sea surface temperature and algae blooms off the Atlantic coast and around the Azores, chief executive Duarte Figueiredo Sá said.</p>
<p>The company, founded five years ago by engineers from a university in Lisbon, employs 35 people and raised 12 million euros from investors last year. Ground controllers in Portugal made first contact with the satellite about two hours after launch.</p>
<div class="inline-related"><h4>Related stories</h4><ul><li><a href="https://www.iberiatechreport.com/news/1">Five things to know before the markets open</a></li><li><a href="https://www.iberiatechreport.com/news/2">Opinion: Why our cities need more trees</a></li><li><a href="https://www.iberiatechreport.com/news/3">Transfer window: the deals that could still happen</a></li></ul></div>
<p>Figueiredo Sá said the firm planned to launch three more satellites by the end of next year and to sell data to fisheries, aquaculture farms and port authorities.</p>
</div>
<div class="donation-appeal"><strong>Support independent journalism. Donate today</strong> <span>Our reporting is free to read for everyone. If you value it, please consider a monthly contribution.</span></div>
<div class="newsletter-box"><p>Sign up for our newsletter</p><input type="email"><button>OK</button></div>
<div class="story-tags">Tags: <a href="/tag/space">Space</a> <a href="/tag/startups">Startups</a> <a href="/tag/portugal">Portugal</a></div>
</div>
</div>
<div class="col-side">
<div class="widget picks"><h3>Editor's Picks</h3><ul><li><a href="https://www.iberiatechreport.com/picks/1"><img src="/thumbs/1.jpg" alt=""><span>Transfer window: the deals that could still happen</span></a></li><li><a href="https://www.iberiatechreport.com/picks/2"><img src="/thumbs/2.jpg" alt=""><span>Recipe of the week: lentil soup with smoked paprika</span></a></li><li><a href="https://www.iberiatechreport.com/picks/3"><img src="/thumbs/3.jpg" alt=""><span>Quiz: how well did you follow the news this week?</span></a></li></ul></div>
<div class="ad-slot mpu">Advertisement</div>
</div>
</div>
<div class="footer"><p>&copy; 2025 Iberia Tech Report &mdash; All rights reserved. Privacy policy | Terms of use | Cookie settings | Contact us | Advertise with us</p></div>
<script src="/js/bundle.min.js"></script>
</body>
</html>
'''),
]


def tiny_png(width=4, height=4):
    """A valid 4x4 RGB PNG built with the standard library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"".join(bytes([(x * 60) % 256, (y * 60) % 256, 128]) for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def main():
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    n = 0

    def headers(date):
        nonlocal n
        n += 1
        return {"WARC-Date": date, "WARC-Record-ID": f"<urn:uuid:6e657773-6265-616d-0000-{n:012d}>"}

    for i, (url, page) in enumerate(WARC_PAGES):
        payload = page.encode("utf-8")
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                           ("Content-Length", str(len(payload))),
                                           ("Server", "nginx")], protocol="HTTP/1.1")
        rec = writer.create_warc_record(url, "response", payload=io.BytesIO(payload), length=len(payload),
                                        http_headers=http, warc_headers_dict=headers(f"2025-08-13T0{i}:15:00Z"))
        writer.write_record(rec)

    img_url = "https://www.iberiatechreport.com/media/lisbon-startup-first-satellite-thumb.png"
    req_http = StatusAndHeaders("GET /media/lisbon-startup-first-satellite-thumb.png HTTP/1.1",
                                [("Host", "www.iberiatechreport.com"), ("User-Agent", "newsbeam-example-crawler/0.1"),
                                 ("Accept", "image/png,image/*;q=0.8")], is_http_request=True)
    writer.write_record(writer.create_warc_record(img_url, "request", payload=io.BytesIO(b""), length=0,
                                                  http_headers=req_http, warc_headers_dict=headers("2025-08-13T03:15:00Z")))
    png = tiny_png()
    png_http = StatusAndHeaders("200 OK", [("Content-Type", "image/png"), ("Content-Length", str(len(png)))], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(img_url, "response", payload=io.BytesIO(png), length=len(png),
                                                  http_headers=png_http, warc_headers_dict=headers("2025-08-13T03:15:01Z")))

    tmp = OUT + ".tmp"
    with open(tmp, "wb") as fh:
        fh.write(buf.getvalue())
    os.replace(tmp, OUT)
    print(f"wrote {os.path.relpath(OUT, HERE)} ({len(buf.getvalue())} bytes, {n} records)")


if __name__ == "__main__":
    main()

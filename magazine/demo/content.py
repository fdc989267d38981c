"""The demo magazine as plain data: sections, tags, authors and articles, written in French.

Every sentence here was written for the demo from the facts in MAGAZINE.md. Quotations from other
newspapers are paraphrases with attribution, never verbatim quotes. Internal links are written
``[[article:<slug>]]`` and resolved to the article's URL by the loader.

Dates: pieces about dated facts (Dreamforce 2025, the 13th ECTFF, the 2019 archive) keep their
own; the others are dated relative to the day the demo is loaded (``ago``: days before, hour,
minute), and what they say about the forums ahead is written ``[[nbf_days]]``, ``[[ectff_date]]``
… and filled in from the demo calendar (magazine.demo.calendar), so that it is always true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
CREDIT = "Relation Client Magazine / illustration"

# The headline offer is weekly and under 3 €; longer plans are shown with their weekly price.
PLANS = [
    {
        "stripe_price_id": "price_demo_hebdo",
        "name": "Hebdo",
        "amount": 249,
        "interval": "week",
        "interval_count": 1,
        "trial_days": 0,
        "display_order": 1,
        "active": True,
    },
    {
        "stripe_price_id": "price_demo_mensuel",
        "name": "Mensuel",
        "amount": 990,
        "interval": "month",
        "interval_count": 1,
        "trial_days": 7,
        "display_order": 2,
        "active": True,
    },
    {
        "stripe_price_id": "price_demo_annuel",
        "name": "Annuel",
        "amount": 11900,
        "interval": "year",
        "interval_count": 1,
        "trial_days": 0,
        "display_order": 3,
        "active": True,
    },
]

EDITOR_EMAIL = "editeur@kiosque.local"
EDITOR_PASSWORD = "kiosque-demo-2025"  # noqa: S105 - a documented demo password, printed on purpose
EDITOR_FIRST_NAME = "Camille"
EDITOR_LAST_NAME = "Éditrice"

# One account per role, all with the editor's password (the contract in README.md, "Try it").
DEMO_PASSWORD = EDITOR_PASSWORD
MARKETER_EMAIL = "marketing@kiosque.local"
EVENTS_STAFF_EMAIL = "evenements@kiosque.local"
SUBSCRIBER_EMAIL = "abonne@kiosque.local"
COMPANY_READER_EMAIL = "lectrice@acme-relation.fr"
READER_EMAIL = "lecteur@kiosque.local"
WEEKLY_PLAN = "price_demo_hebdo"
LICENCE_NAME = "Acme Relation"
LICENCE_DOMAIN = "acme-relation.fr"
LICENCE_SEATS = 25
# Without the Stripe simulator no card is charged: the subscriber's access is offered instead.
DEMO_ACCESS_REASON = "Compte de démonstration (abonné hebdo)"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str


PEOPLE: dict[str, DemoPerson] = {
    "editor": DemoPerson(EDITOR_EMAIL, EDITOR_FIRST_NAME, EDITOR_LAST_NAME),
    "marketer": DemoPerson(MARKETER_EMAIL, "Louise", "Marchal"),
    "events": DemoPerson(EVENTS_STAFF_EMAIL, "Romain", "Giraud"),
    "subscriber": DemoPerson(SUBSCRIBER_EMAIL, "Claire", "Dubois"),
    "company_reader": DemoPerson(COMPANY_READER_EMAIL, "Nadia", "Kessler"),
    "reader": DemoPerson(READER_EMAIL, "Paul", "Lefèvre"),
}


@dataclass(frozen=True)
class DemoRubrique:
    slug: str
    name: str
    description: str
    position: int


@dataclass(frozen=True)
class DemoTag:
    slug: str
    name: str


@dataclass(frozen=True)
class DemoAuthor:
    slug: str
    name: str
    role: str
    bio: str
    palette: str


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    lead: str
    body: str
    rubrique: str
    authors: tuple[str, ...]
    published_at: datetime | None
    access: str
    seo_description: str
    hero_word: str
    hero_alt: str
    hero_caption: str
    palette: str
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    featured: bool = False
    status: str = "published"
    seo_title: str = ""
    # Days before the load, hour and minute (Paris); overrides published_at.
    ago: tuple[int, int, int] | None = None


def paris(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


# Earlier demo loads used these slugs (with a year that has since passed).
RENAMED_SLUGS = {
    "new-biz-forum-2026-la-feclaz": "new-biz-forum-la-feclaz",
    "brouillon-programme-du-new-biz-forum-2026": "brouillon-programme-du-new-biz-forum",
}

RUBRIQUES: tuple[DemoRubrique, ...] = (
    DemoRubrique(
        "actualites",
        "Actualités",
        "Les informations du jour sur les centres de contact, le CRM et l'expérience client.",
        1,
    ),
    DemoRubrique(
        "analyses",
        "Analyses",
        "Décryptages et enquêtes de la rédaction sur les transformations du secteur.",
        2,
    ),
    DemoRubrique(
        "marche-et-deals",
        "Marché & deals",
        "Rachats, levées de fonds, nominations : les mouvements du marché de la relation client.",
        3,
    ),
    DemoRubrique(
        "evenements",
        "Événements",
        "Forums, master classes et soirées-débats de la communauté de la relation client.",
        4,
    ),
    DemoRubrique(
        "portraits-et-interviews",
        "Portraits & interviews",
        "Celles et ceux qui font la relation client, en entretien.",
        5,
    ),
    DemoRubrique(
        "archives",
        "Archives",
        "Les articles des années précédentes, toujours en ligne.",
        6,
    ),
)

TAGS: tuple[DemoTag, ...] = (
    DemoTag("ia", "IA"),
    DemoTag("crm", "CRM"),
    DemoTag("centres-de-contact", "Centres de contact"),
    DemoTag("bpo", "BPO"),
    DemoTag("salesforce", "Salesforce"),
    DemoTag("experience-client", "Expérience client"),
    DemoTag("omnicanal", "Omnicanal"),
    DemoTag("agents-vocaux", "Agents vocaux"),
    DemoTag("fusions-acquisitions", "Fusions & acquisitions"),
    DemoTag("emploi", "Emploi"),
)

NEWSROOM = "la-redaction"

AUTHORS: tuple[DemoAuthor, ...] = (
    DemoAuthor(
        NEWSROOM,
        "La rédaction",
        "Rédaction de Relation Client Magazine",
        "Les articles signés « La rédaction » sont écrits collectivement par l'équipe du "
        "magazine, à partir de ses propres informations et de la veille de la presse.",
        "ocean",
    ),
    DemoAuthor(
        "helene-carpentier",
        "Hélène Carpentier",
        "Rédactrice en chef",
        "Hélène Carpentier suit depuis quinze ans les centres de contact et l'externalisation. "
        "Elle dirige la rédaction et anime les soirées-débats du magazine.",
        "sunset",
    ),
    DemoAuthor(
        "marc-dufresne",
        "Marc Dufresne",
        "Journaliste, marché & deals",
        "Marc Dufresne couvre les rachats, les levées de fonds et les nominations dans le BPO et "
        "les éditeurs de logiciels de relation client.",
        "forest",
    ),
    DemoAuthor(
        "ines-benali",
        "Inès Benali",
        "Journaliste, expérience client et IA",
        "Inès Benali s'intéresse à l'automatisation du service client, aux agents "
        "conversationnels et à la façon dont les marques mesurent la satisfaction.",
        "night",
    ),
)


ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        slug="dreamforce-2025-agents-ia-et-chaussettes-a-18-dollars",
        title="Dreamforce 2025 : des agents IA, des chaussettes à 18 dollars et une polémique",
        lead=(
            "Pour la 25e édition de sa conférence annuelle à San Francisco, Salesforce a vendu "
            "ses agents d'intelligence artificielle avec l'enthousiasme habituel. Mais la semaine "
            "a surtout été marquée par les propos de son patron sur la Garde nationale."
        ),
        body="""
<p>Il y avait, comme chaque automne, des files d'attente interminables devant les salles de
conférence, des keynotes millimétrées et une boutique de produits dérivés prise d'assaut. Au rayon
des curiosités, des chaussettes pour tout-petits ornées du logo de l'éditeur, affichées à 18
dollars la paire. Le symbole d'une conférence qui, pour son quart de siècle, a voulu rester une
fête autant qu'un salon professionnel.</p>
<h2>Les agents, encore et toujours</h2>
<p>Sur scène, le message n'a guère varié depuis un an : l'avenir du CRM passerait par des agents
d'IA capables de traiter seuls une part croissante des demandes des clients, du suivi de commande
à la qualification d'un prospect. Salesforce a multiplié les démonstrations et les témoignages de
grands comptes pour convaincre que ces agents sont sortis du stade de l'expérimentation.</p>
<p>Dans les allées, les directions de la relation client venues d'Europe se montraient plus
prudentes. Beaucoup attendent des preuves chiffrées sur la qualité des réponses et sur le coût
réel de ces licences, facturées selon des modèles encore mouvants.</p>
<h2>Une sortie qui a éclipsé les annonces</h2>
<p>La conférence a pourtant été rattrapée par l'actualité politique. Le PDG de Salesforce a tenu
des propos jugés provocateurs sur l'envoi de la Garde nationale dans les rues de San Francisco,
la ville même qui accueille l'événement depuis ses débuts. Face aux réactions, y compris parmi
ses propres salariés et ses clients, il a fini par présenter des excuses.</p>
<blockquote><p>Le quotidien new-yorkais, qui a consacré pas moins de quatre articles à Salesforce
au cours de la semaine, décrit en substance une entreprise dont le discours technologique a été
recouvert par la controverse, écrit le New York Times.</p></blockquote>
<p>Le calendrier est d'autant plus délicat que l'éditeur a annoncé la suppression de 4 000 postes
dans son support client, remplacés en partie par ces mêmes agents qu'il vend à ses clients. Nous
y revenons dans <a href="[[article:salesforce-supprime-4000-postes-dans-son-support-client]]">notre
article consacré à ces suppressions d'emplois</a>.</p>
<h2>Et les clients finaux ?</h2>
<p>Reste une question que Dreamforce n'a pas tranchée : les consommateurs veulent-ils vraiment
parler à des machines ? Une enquête de HubSpot citée par la presse américaine indique que 53 % des
clients n'aiment pas, voire détestent, l'IA dans le service client. Un chiffre que nous analysons
<a href="[[article:53-pour-cent-des-clients-rejettent-l-ia-dans-le-service-client]]">dans une
analyse dédiée</a>.</p>
""",
        rubrique="actualites",
        authors=(NEWSROOM,),
        published_at=paris(2025, 10, 23, 11, 0),
        access="free",
        featured=True,
        tags=("salesforce", "ia", "crm"),
        related=(
            "salesforce-supprime-4000-postes-dans-son-support-client",
            "53-pour-cent-des-clients-rejettent-l-ia-dans-le-service-client",
            "agents-ia-ce-que-l-automatisation-change-pour-les-centres-de-contact",
            "archives-dreamforce-2019-moscone-center",
        ),
        seo_description=(
            "Dreamforce 2025 : Salesforce mise sur les agents IA, vend des chaussettes à 18 "
            "dollars et s'excuse après une sortie de son PDG sur la Garde nationale."
        ),
        hero_word="Dreamforce",
        hero_alt="Illustration bleue aux formes géométriques avec le mot Dreamforce",
        hero_caption="La 25e édition de Dreamforce s'est tenue à San Francisco.",
        palette="ocean",
    ),
    DemoArticle(
        slug="salesforce-supprime-4000-postes-dans-son-support-client",
        title="Salesforce supprime 4 000 postes dans son support client",
        lead=(
            "L'éditeur californien réduit fortement ses équipes de support et confie une part "
            "des demandes à ses propres agents d'IA. Un signal fort pour tout le secteur."
        ),
        body="""
<p>Le chiffre a fait le tour des directions de la relation client : 4 000 emplois supprimés dans
le support client de Salesforce. L'éditeur justifie ce choix par les gains de productivité
obtenus grâce à l'automatisation, qui prendrait désormais en charge une partie significative des
échanges avec ses clients.</p>
<h2>Le cordonnier et ses chaussures</h2>
<p>Pour Salesforce, la démonstration est aussi commerciale : montrer que ses agents fonctionnent
sur ses propres clients revient à en faire la meilleure des vitrines. Les équipes restantes se
concentreraient sur les dossiers les plus complexes et sur les comptes stratégiques.</p>
<blockquote><p>La presse économique américaine voit dans cette annonce un test grandeur nature :
si le niveau de service tient, d'autres grands groupes suivront ; s'il se dégrade, l'argument de
l'IA en sortira affaibli, résume en substance un grand quotidien financier
britannique.</p></blockquote>
<h2>Quelles conséquences pour les centres de contact ?</h2>
<p>Pour les prestataires de BPO, la nouvelle est ambivalente. Elle confirme que les volumes de
contacts simples vont baisser, mais elle ouvre aussi un marché : celui de la supervision des
agents, de la reprise des conversations qui échouent et de l'entraînement des modèles.</p>
<p>Les conseillers, eux, voient leur métier se déplacer vers des tâches plus qualifiées, à
condition que les entreprises investissent dans la formation. Un point sur lequel les syndicats
du secteur entendent rester vigilants.</p>
<p>À lire également : <a
href="[[article:agents-ia-ce-que-l-automatisation-change-pour-les-centres-de-contact]]">
ce que l'automatisation change vraiment pour les centres de contact</a>.</p>
""",
        rubrique="actualites",
        authors=("marc-dufresne",),
        published_at=paris(2025, 10, 21, 8, 30),
        access="registered",
        tags=("salesforce", "emploi", "ia", "centres-de-contact"),
        related=(
            "dreamforce-2025-agents-ia-et-chaussettes-a-18-dollars",
            "agents-ia-ce-que-l-automatisation-change-pour-les-centres-de-contact",
        ),
        seo_description=(
            "Salesforce supprime 4 000 postes dans son support client et confie une partie des "
            "demandes à ses agents d'IA. Quelles suites pour les centres de contact ?"
        ),
        hero_word="Support",
        hero_alt="Illustration rouge sombre aux formes géométriques avec le mot Support",
        hero_caption="Les équipes de support sont les premières concernées par l'automatisation.",
        palette="ember",
    ),
    DemoArticle(
        slug="53-pour-cent-des-clients-rejettent-l-ia-dans-le-service-client",
        title="53 % des clients rejettent l'IA dans le service client : ce que dit l'enquête",
        lead=(
            "Une enquête de HubSpot, largement reprise par la presse, montre qu'une majorité "
            "de consommateurs n'aiment pas ou détestent être servis par une IA. Décryptage d'un "
            "chiffre qui dérange au moment où les éditeurs accélèrent."
        ),
        body="""
<p>Un peu plus d'un client sur deux : selon l'enquête de HubSpot, 53 % des personnes interrogées
disent ne pas aimer, voire détester, l'intelligence artificielle dans le service client. Le
chiffre est tombé en pleine semaine de Dreamforce, au moment où Salesforce vantait ses agents
autonomes.</p>
<h2>Un rejet qui vise surtout les impasses</h2>
<p>À y regarder de près, ce n'est pas tant la technologie qui est rejetée que l'expérience
qu'elle produit trop souvent : des réponses à côté de la question, l'impossibilité de joindre un
humain, l'obligation de tout répéter quand on y parvient enfin. Les clients jugent l'outil à la
qualité de la sortie de secours.</p>
<blockquote><p>Les consommateurs ne sont pas hostiles à l'automatisation par principe, mais ils
sanctionnent les parcours dont ils ne peuvent pas sortir, observe en substance un quotidien
économique français en commentant l'étude.</p></blockquote>
<h2>Trois enseignements pour les directions de la relation client</h2>
<ul>
<li><strong>Toujours offrir une issue humaine</strong>, visible et rapide, sans obliger le client
à « battre » le robot.</li>
<li><strong>Transmettre le contexte</strong> au conseiller qui reprend la conversation, pour ne
pas faire répéter le client.</li>
<li><strong>Mesurer la satisfaction par canal</strong>, et pas seulement le taux de résolution
automatique, qui flatte les tableaux de bord.</li>
</ul>
<h2>Un argument pour les centres de contact</h2>
<p>Pour les prestataires, l'enquête tombe à point : elle rappelle que la valeur se déplace vers la
qualité de l'escalade et la compétence des conseillers. Une partie du marché pourrait en faire un
argument commercial, à rebours du discours du tout-automatique entendu
<a href="[[article:dreamforce-2025-agents-ia-et-chaussettes-a-18-dollars]]">à San
Francisco</a>.</p>
""",
        rubrique="analyses",
        authors=("ines-benali",),
        published_at=paris(2025, 10, 24, 7, 45),
        access="subscribers",
        featured=True,
        tags=("ia", "experience-client", "centres-de-contact"),
        related=(
            "dreamforce-2025-agents-ia-et-chaussettes-a-18-dollars",
            "agents-ia-ce-que-l-automatisation-change-pour-les-centres-de-contact",
        ),
        seo_description=(
            "Selon une enquête de HubSpot, 53 % des clients n'aiment pas l'IA dans le service "
            "client. Ce que ce chiffre dit des parcours automatisés."
        ),
        hero_word="53 %",
        hero_alt="Illustration violette avec le nombre 53 % en grands caractères",
        hero_caption="Plus d'un client sur deux se dit hostile à l'IA dans le service client.",
        palette="night",
    ),
    DemoArticle(
        slug="ectff-13e-edition-master-classes",
        title="ECTFF : une 13e édition placée sous le signe des master classes",
        lead=(
            "Pendant que San Francisco vivait au rythme de Dreamforce, Paris accueillait la "
            "13e édition de l'ECTFF, le forum de l'expérience client. Trois master classes ont "
            "rythmé la journée."
        ),
        body="""
<p>La même semaine, à quelques milliers de kilomètres de la Moscone Center, le forum de
l'expérience client ECTFF réunissait à Paris directions de la relation client, prestataires et
éditeurs pour sa 13e édition. Le format a fait ses preuves : peu de grands discours, beaucoup de
retours d'expérience.</p>
<h2>Trois master classes, trois univers</h2>
<p>Anne-Fleur Saraux, de Wengo, a ouvert le bal avec une session consacrée à la relation client
d'une plateforme de mise en relation avec des experts, où la confiance se joue dès le premier
échange. Amélia Newsom-Davis a ensuite partagé le point de vue d'Orange, un opérateur dont les
volumes de contacts imposent une organisation industrielle sans perdre le lien avec chaque
abonné.</p>
<p>Gary Anssens, pour Alltricks, filiale de Decathlon, a clos la série avec l'expérience d'un
e-commerçant spécialisé, pour qui le conseil technique avant l'achat fait partie intégrante du
service.</p>
<h2>Un fil rouge : l'humain augmenté</h2>
<p>D'une session à l'autre, un même constat est revenu dans les échanges avec la salle :
l'automatisation n'a de sens que si elle libère du temps pour les conversations qui comptent.
Un discours plus nuancé que celui entendu outre-Atlantique.</p>
<blockquote><p>Les grands rendez-vous européens de la relation client se distinguent par une
approche plus pragmatique de l'IA que les conférences des éditeurs américains, relève en
substance la presse spécialisée.</p></blockquote>
<p>Rendez-vous l'an prochain pour la 14e édition, avec, promettent les organisateurs, encore
plus de temps pour les échanges avec la salle.</p>
""",
        rubrique="evenements",
        authors=("helene-carpentier",),
        published_at=paris(2025, 10, 22, 18, 0),
        access="registered",
        featured=True,
        tags=("experience-client", "centres-de-contact"),
        related=("ectff-prochaine-edition-inscriptions-ouvertes", "new-biz-forum-la-feclaz"),
        seo_description=(
            "La 13e édition de l'ECTFF, forum de l'expérience client, avec les master classes "
            "de Wengo, Orange et Alltricks (Decathlon)."
        ),
        hero_word="ECTFF",
        hero_alt="Illustration orangée aux formes géométriques avec le sigle ECTFF",
        hero_caption="La 13e édition de l'ECTFF s'est tenue à Paris.",
        palette="sunset",
    ),
    DemoArticle(
        slug="soiree-debat-omnicanal-au-terrass-hotel",
        title="Omnicanal : soixante professionnels en débat au Terrass'Hôtel",
        lead=(
            "Une soixantaine de participants se sont retrouvés sur les hauteurs de Paris pour "
            "une soirée-débat consacrée aux stratégies omnicanales, avec Kamel Saci (Léonie "
            "Bakery) et Paul Roll (ex-Club Med, Accor)."
        ),
        body="""
<p>Le cadre se prêtait aux confidences : une salle du Terrass'Hôtel, la vue sur les toits de
Paris et une soixantaine de professionnels de la relation client venus parler d'omnicanal sans
langue de bois. Le magazine organisait là l'une de ses soirées-débats.</p>
<h2>De la boulangerie au groupe hôtelier</h2>
<p>L'intérêt de la soirée tenait au contraste entre les intervenants. Kamel Saci, pour Léonie
Bakery, a décrit les enjeux d'une enseigne de proximité, où le client passe du comptoir à la
commande en ligne sans se soucier des canaux. Paul Roll, passé par le Club Med et par Accor, a
apporté le regard des grands groupes du tourisme, où un séjour mobilise une dizaine de points de
contact.</p>
<h2>Une promesse difficile à tenir</h2>
<p>Tous les participants se sont accordés sur un point : l'omnicanal est d'abord une affaire de
données partagées entre les équipes. Sans historique commun, chaque canal redevient un silo, et
le client le sent immédiatement.</p>
<blockquote><p>Les clients ne pensent pas en canaux, ils pensent en situations, rappelle en
substance un éditorialiste de la presse quotidienne dans une chronique consacrée au commerce
physique.</p></blockquote>
<p>Le débat s'est prolongé tard autour d'un buffet. Les abonnés trouveront bientôt dans notre
analyse les chiffres et les méthodes évoqués ce soir-là.</p>
""",
        rubrique="evenements",
        authors=("helene-carpentier", "ines-benali"),
        published_at=None,
        ago=(19, 12, 0),
        access="free",
        tags=("omnicanal", "experience-client"),
        related=(
            "omnicanal-pourquoi-la-promesse-reste-difficile-a-tenir",
            "ectff-13e-edition-master-classes",
        ),
        seo_description=(
            "Soirée-débat sur l'omnicanal au Terrass'Hôtel : une soixantaine de participants, "
            "Kamel Saci (Léonie Bakery) et Paul Roll (ex-Club Med, Accor)."
        ),
        hero_word="Omnicanal",
        hero_alt="Illustration verte aux formes géométriques avec le mot Omnicanal",
        hero_caption="Une soixantaine de participants ont assisté au débat.",
        palette="forest",
    ),
    DemoArticle(
        slug="omnicanal-pourquoi-la-promesse-reste-difficile-a-tenir",
        title="Omnicanal : pourquoi la promesse reste si difficile à tenir",
        lead=(
            "Depuis dix ans, toutes les marques se disent omnicanales. Dans les faits, très peu "
            "offrent un parcours sans couture. Notre analyse des obstacles et des leviers."
        ),
        body="""
<p>Le mot est devenu un passage obligé des plaquettes commerciales. Pourtant, demandez à un client
de raconter son dernier échange avec une grande marque, et vous entendrez souvent la même
histoire : un chat qui ne sait rien de l'appel passé la veille, un e-mail resté sans réponse, un
conseiller en magasin qui n'a pas accès à la commande en ligne.</p>
<h2>Le vrai obstacle : les données</h2>
<p>La difficulté n'est pas technologique au sens strict. Les CRM du marché savent agréger les
interactions. Le frein est organisationnel : chaque canal a son budget, ses indicateurs et
parfois son prestataire. Réunir ces données suppose de toucher aux périmètres des équipes.</p>
<blockquote><p>Les entreprises ont empilé les canaux plus vite qu'elles n'ont su les relier, note
en substance la presse économique, qui y voit la principale source de frustration des
clients.</p></blockquote>
<h2>Ce qui marche</h2>
<ul>
<li>Un identifiant client unique, partagé par tous les outils.</li>
<li>Des indicateurs de satisfaction communs à tous les canaux.</li>
<li>Des conseillers formés à reprendre une conversation commencée ailleurs.</li>
</ul>
<p>Ces principes étaient au cœur de <a href="[[article:soiree-debat-omnicanal-au-terrass-hotel]]">la
soirée-débat du Terrass'Hôtel</a>, où enseignes de proximité et grands groupes ont confronté leurs
pratiques.</p>
""",
        rubrique="analyses",
        authors=("ines-benali",),
        published_at=None,
        ago=(17, 7, 30),
        access="subscribers",
        tags=("omnicanal", "crm", "experience-client"),
        related=("soiree-debat-omnicanal-au-terrass-hotel",),
        seo_description=(
            "Toutes les marques se disent omnicanales, peu y parviennent. Les obstacles "
            "organisationnels et les leviers qui fonctionnent."
        ),
        hero_word="Parcours",
        hero_alt="Illustration gris ardoise aux formes géométriques avec le mot Parcours",
        hero_caption="Relier les canaux reste le principal défi des marques.",
        palette="slate",
    ),
    DemoArticle(
        slug="didier-manzari-quitte-konecta",
        title="Didier Manzari quitte Konecta",
        lead=(
            "Figure connue du secteur des centres de contact, Didier Manzari quitte Konecta. "
            "Un départ qui intervient dans un marché du BPO en pleine recomposition."
        ),
        body="""
<p>Selon nos informations, Didier Manzari quitte Konecta, l'un des grands acteurs internationaux
de l'externalisation de la relation client. Son départ ne s'accompagne pour l'heure d'aucune
annonce sur sa succession ni sur ses projets.</p>
<h2>Un secteur en mouvement</h2>
<p>Ce départ s'inscrit dans une période agitée pour le BPO. Les grands prestataires doivent
réinventer leur modèle face à l'automatisation des contacts simples, tout en absorbant la
pression sur les prix exercée par leurs clients donneurs d'ordre.</p>
<blockquote><p>Les dirigeants du BPO changent plus souvent de fauteuil à mesure que le secteur se
consolide, constate en substance un quotidien économique espagnol qui suit de près les
prestataires ibériques.</p></blockquote>
<h2>La suite</h2>
<p>Nous reviendrons sur les conséquences de ce départ pour les équipes françaises du groupe. Le
mouvement s'ajoute aux <a href="[[article:vocalcom-dans-le-viseur-des-repreneurs]]">projets de
reprise autour de Vocalcom</a>, autre sujet qui agite le marché.</p>
""",
        rubrique="marche-et-deals",
        authors=("marc-dufresne",),
        published_at=None,
        ago=(11, 9, 15),
        access="subscribers",
        tags=("bpo", "centres-de-contact"),
        related=(
            "vocalcom-dans-le-viseur-des-repreneurs",
            "bpo-la-consolidation-s-accelere",
        ),
        seo_description=(
            "Didier Manzari quitte Konecta, l'un des grands acteurs de l'externalisation de la "
            "relation client, dans un marché du BPO en recomposition."
        ),
        hero_word="Konecta",
        hero_alt="Illustration vert sombre aux formes géométriques avec le mot Konecta",
        hero_caption="Le secteur du BPO traverse une période de recomposition.",
        palette="forest",
    ),
    DemoArticle(
        slug="vocalcom-dans-le-viseur-des-repreneurs",
        title="Vocalcom dans le viseur des repreneurs",
        lead=(
            "Plusieurs projets de reprise circulent autour de Vocalcom, éditeur historique de "
            "solutions pour centres de contact. Le point sur un dossier suivi de près."
        ),
        body="""
<p>Le nom de Vocalcom revient avec insistance dans les conversations du secteur. Plusieurs
projets de reprise de l'éditeur de logiciels pour centres de contact seraient à l'étude, sans
qu'aucun n'ait, à ce stade, été officialisé.</p>
<h2>Un actif convoité</h2>
<p>L'intérêt n'a rien de surprenant. Vocalcom dispose d'une base installée de clients dans de
nombreux pays et d'une connaissance fine des métiers de la relation client. Pour un acteur du
cloud ou de l'IA conversationnelle, c'est une porte d'entrée vers des comptes déjà équipés.</p>
<blockquote><p>Les éditeurs historiques de la téléphonie de centre de contact sont devenus des
cibles naturelles pour les acteurs de l'IA, qui cherchent des clients plus que des technologies,
analyse en substance la presse spécialisée.</p></blockquote>
<h2>Ce que nous surveillons</h2>
<p>La forme de l'opération, reprise totale ou adossement, et le sort des équipes de recherche et
développement seront déterminants pour les clients. Nous publierons les détails dès qu'un accord
sera signé. Lire aussi notre <a
href="[[article:agents-ia-ce-que-l-automatisation-change-pour-les-centres-de-contact]]">enquête
sur ce que l'automatisation change pour les centres de contact</a>.</p>
""",
        rubrique="marche-et-deals",
        authors=("marc-dufresne",),
        published_at=None,
        ago=(14, 10, 0),
        access="subscribers",
        tags=("fusions-acquisitions", "centres-de-contact"),
        related=("bpo-la-consolidation-s-accelere", "didier-manzari-quitte-konecta"),
        seo_description=(
            "Plusieurs projets de reprise circulent autour de Vocalcom, éditeur de solutions "
            "pour centres de contact. Le point sur le dossier."
        ),
        hero_word="Vocalcom",
        hero_alt="Illustration ardoise aux formes géométriques avec le mot Vocalcom",
        hero_caption="Plusieurs repreneurs s'intéressent à l'éditeur.",
        palette="slate",
    ),
    DemoArticle(
        slug="volubile-ai-arr-en-hausse-de-250-pour-cent",
        title="Volubile.ai : un ARR en hausse de 250 % en trois mois",
        lead=(
            "La jeune pousse française des agents vocaux d'IA affiche une croissance "
            "spectaculaire de son revenu annuel récurrent. Les centres de contact s'équipent."
        ),
        body="""
<p>Trois mois pour multiplier son revenu annuel récurrent par 3,5 : Volubile.ai, spécialiste des
agents vocaux dopés à l'intelligence artificielle, annonce une progression de 250 % de son ARR
sur la période. Une trajectoire rare, même dans l'univers des start-up de l'IA.</p>
<h2>La voix, nouveau terrain de l'automatisation</h2>
<p>Après les chatbots, c'est au tour du téléphone, canal encore majoritaire dans de nombreux
secteurs, d'être gagné par l'automatisation. Les agents vocaux prennent en charge la prise de
rendez-vous, le suivi de dossier ou la qualification des appels avant transfert à un
conseiller.</p>
<blockquote><p>Les agents vocaux ont franchi un seuil de naturel qui rend leur usage acceptable
pour des demandes simples, estime en substance la presse technologique, tout en soulignant que
l'acceptation des clients reste à prouver.</p></blockquote>
<h2>Une croissance à confirmer</h2>
<p>Reste à savoir si la croissance tiendra dans la durée, quand les projets pilotes devront se
transformer en déploiements à grande échelle. L'accueil des clients finaux sera déterminant, comme
le rappelle <a
href="[[article:53-pour-cent-des-clients-rejettent-l-ia-dans-le-service-client]]">l'enquête
de HubSpot</a> sur l'IA dans le service client.</p>
""",
        rubrique="marche-et-deals",
        authors=("ines-benali",),
        published_at=None,
        ago=(8, 9, 0),
        access="registered",
        tags=("agents-vocaux", "ia"),
        related=(
            "53-pour-cent-des-clients-rejettent-l-ia-dans-le-service-client",
            "agents-ia-ce-que-l-automatisation-change-pour-les-centres-de-contact",
        ),
        seo_description=(
            "Volubile.ai, spécialiste des agents vocaux d'IA, annonce un ARR en hausse de 250 % "
            "en trois mois."
        ),
        hero_word="Volubile.ai",
        hero_alt="Illustration bleu nuit aux formes géométriques avec le nom Volubile.ai",
        hero_caption="Les agents vocaux gagnent les centres de contact.",
        palette="night",
    ),
    DemoArticle(
        slug="comete-un-deal-majeur-attendu",
        title="Comete s'apprête à annoncer un deal majeur",
        lead=(
            "Selon plusieurs sources, Comete devrait annoncer prochainement une opération "
            "d'envergure. Le marché bruisse de rumeurs sur sa nature."
        ),
        body="""
<p>L'annonce est attendue dans les prochains jours. Comete s'apprêterait à dévoiler une opération
majeure, dont ni le montant ni la nature exacte, acquisition, partenariat ou levée de fonds,
n'ont encore filtré.</p>
<h2>Un marché qui se consolide</h2>
<p>Le calendrier n'est pas anodin. Depuis plusieurs mois, les mouvements se multiplient dans la
relation client : départs de dirigeants, projets de reprise, start-up en hypercroissance. Chaque
acteur cherche la taille critique pour investir dans l'IA.</p>
<blockquote><p>Les opérations de croissance externe devraient se multiplier dans les mois qui
viennent dans les services aux entreprises, anticipe en substance la presse financière.</p>
</blockquote>
<h2>À suivre</h2>
<p>Nous publierons le détail de l'opération dès son annonce officielle. En attendant, retrouvez
notre <a href="[[article:bpo-la-consolidation-s-accelere]]">analyse de la consolidation du
secteur</a>.</p>
""",
        rubrique="marche-et-deals",
        authors=("marc-dufresne",),
        published_at=None,
        ago=(1, 8, 0),
        access="free",
        tags=("fusions-acquisitions", "bpo"),
        related=("bpo-la-consolidation-s-accelere", "vocalcom-dans-le-viseur-des-repreneurs"),
        seo_description=(
            "Comete devrait annoncer prochainement un deal majeur. Ce que l'on sait et ce que "
            "l'opération dit du marché de la relation client."
        ),
        hero_word="Comete",
        hero_alt="Illustration rouge et orangée aux formes géométriques avec le mot Comete",
        hero_caption="Le marché attend l'annonce de Comete.",
        palette="ember",
    ),
    DemoArticle(
        slug="bpo-la-consolidation-s-accelere",
        title="BPO : la consolidation du marché s'accélère",
        lead=(
            "Départs de dirigeants, projets de reprise, deals attendus : le marché de "
            "l'externalisation de la relation client se recompose à grande vitesse. Analyse."
        ),
        body="""
<p>Il suffit de relire l'actualité des dernières semaines pour mesurer l'ampleur du mouvement. Le
départ de Didier Manzari de Konecta, les projets de reprise autour de Vocalcom, l'annonce
attendue de Comete : le secteur de la relation client vit une séquence de recomposition.</p>
<h2>Trois forces à l'œuvre</h2>
<p>La première est technologique : l'IA réduit les volumes de contacts simples, qui faisaient
vivre une partie des plateaux. La deuxième est financière : les fonds d'investissement, très
présents au capital des prestataires, cherchent des sorties. La troisième est commerciale : les
donneurs d'ordre réduisent le nombre de leurs fournisseurs.</p>
<blockquote><p>L'externalisation de la relation client entre dans une phase où seuls les acteurs
capables d'investir massivement dans l'automatisation resteront indépendants, juge en substance
un analyste cité par la presse économique.</p></blockquote>
<h2>Les gagnants probables</h2>
<p>Les acteurs spécialisés, sur un secteur ou sur une langue, conservent de solides atouts. Les
jeunes pousses de l'IA, comme <a
href="[[article:volubile-ai-arr-en-hausse-de-250-pour-cent]]">Volubile.ai</a>,
deviennent quant à elles des partenaires, voire des cibles, pour les prestataires
historiques.</p>
<p>Ces questions seront au programme du <a href="[[article:new-biz-forum-la-feclaz]]">New Biz
Forum</a>, [[nbf_days]] à La Féclaz.</p>
""",
        rubrique="analyses",
        authors=("marc-dufresne", "helene-carpentier"),
        published_at=None,
        ago=(5, 7, 0),
        access="subscribers",
        featured=True,
        tags=("bpo", "fusions-acquisitions", "centres-de-contact"),
        related=(
            "didier-manzari-quitte-konecta",
            "vocalcom-dans-le-viseur-des-repreneurs",
            "comete-un-deal-majeur-attendu",
        ),
        seo_description=(
            "Konecta, Vocalcom, Comete : le marché de l'externalisation de la relation client "
            "se consolide. Les forces à l'œuvre et les gagnants probables."
        ),
        hero_word="Consolidation",
        hero_alt="Illustration vert profond aux formes géométriques avec le mot Consolidation",
        hero_caption="Le marché du BPO se recompose.",
        palette="forest",
    ),
    DemoArticle(
        slug="agents-ia-ce-que-l-automatisation-change-pour-les-centres-de-contact",
        title="Agents IA : ce que l'automatisation change vraiment pour les centres de contact",
        lead=(
            "Entre les promesses des éditeurs et la méfiance des clients, les centres de contact "
            "cherchent la bonne place pour les agents d'IA. Notre enquête."
        ),
        body="""
<p>Les annonces de Dreamforce, les suppressions de postes chez Salesforce et l'enquête de HubSpot
dessinent un paysage contrasté. D'un côté, des agents d'IA de plus en plus capables ; de l'autre,
des clients qui n'en veulent pas toujours et des équipes inquiètes pour leur avenir.</p>
<h2>Ce qui s'automatise déjà</h2>
<p>Les demandes répétitives, suivi de livraison, modification d'adresse, réinitialisation d'un
mot de passe, basculent rapidement vers l'automatisation. Les gains sont réels sur ces
flux, à condition que le client puisse joindre un conseiller quand la machine échoue.</p>
<h2>Ce qui résiste</h2>
<p>Les réclamations, les situations de fragilité et les ventes complexes restent l'affaire des
conseillers. C'est même là que se concentre désormais la valeur des centres de contact, et leur
argument face aux éditeurs qui promettent le tout-automatique.</p>
<blockquote><p>Les entreprises qui réussissent leur virage vers l'IA sont celles qui ont
redéfini le rôle de leurs conseillers avant d'acheter des licences, résume en substance un
quotidien d'affaires new-yorkais.</p></blockquote>
<h2>Le chantier des compétences</h2>
<p>Superviser des agents, corriger leurs réponses, reprendre une conversation mal engagée : les
métiers changent. Les prestataires qui investissent dans la formation prennent une longueur
d'avance. Lire aussi <a
href="[[article:salesforce-supprime-4000-postes-dans-son-support-client]]">les
suppressions de postes chez Salesforce</a>.</p>
""",
        rubrique="analyses",
        authors=("ines-benali",),
        published_at=paris(2025, 10, 30, 7, 0),
        access="subscribers",
        tags=("ia", "centres-de-contact", "emploi"),
        related=(
            "salesforce-supprime-4000-postes-dans-son-support-client",
            "53-pour-cent-des-clients-rejettent-l-ia-dans-le-service-client",
            "dreamforce-2025-agents-ia-et-chaussettes-a-18-dollars",
        ),
        seo_description=(
            "Agents IA et centres de contact : ce qui s'automatise, ce qui résiste et comment "
            "les métiers de conseiller évoluent."
        ),
        hero_word="Agents IA",
        hero_alt="Illustration bleue aux formes géométriques avec les mots Agents IA",
        hero_caption="Les agents d'IA redessinent le travail des conseillers.",
        palette="ocean",
    ),
    DemoArticle(
        slug="new-biz-forum-la-feclaz",
        title="New Biz Forum [[nbf_year]] : rendez-vous [[nbf_days]] à La Féclaz",
        lead=(
            "Le magazine organise la prochaine édition du New Biz Forum [[nbf_days]] à la "
            "station de La Féclaz, en Savoie, sur le site où le Chalet de l'Aurore accueillit "
            "les premières colonies de vacances dans les années 1950. Les inscriptions sont "
            "ouvertes."
        ),
        body="""
<p>Changer d'air pour changer de regard : c'est le pari de la prochaine édition du New Biz Forum,
organisée par Relation Client Magazine [[nbf_days]] à La Féclaz, station de moyenne montagne du
massif des Bauges, en Savoie.</p>
<h2>Un lieu chargé d'histoire</h2>
<p>Le choix du site ne doit rien au hasard. C'est à La Féclaz que le Chalet de l'Aurore a
accueilli, dans les années 1950, les premières colonies de vacances de la station. L'esprit
collectif de ces séjours, où l'on apprenait autant des autres que des moniteurs, est celui que
nous voulons retrouver entre dirigeants de la relation client.</p>
<blockquote><p>Les stations de moyenne montagne misent de plus en plus sur le tourisme d'affaires
hors saison pour faire vivre leurs équipements, observe en substance la presse régionale alpine.</p>
</blockquote>
<h2>Au programme</h2>
<ul>
<li>Des rendez-vous d'affaires préprogrammés entre donneurs d'ordre et prestataires.</li>
<li>Des ateliers sur l'IA, l'omnicanal et la consolidation du marché.</li>
<li>Des temps informels en plein air, loin des salles de conférence.</li>
</ul>
<p>Les inscriptions sont ouvertes <a href="[[nbf_url]]">sur la page du forum</a>, avec un tarif
préférentiel pour les abonnés du magazine. Hélène Carpentier, rédactrice en chef, présente le
projet <a href="[[article:helene-carpentier-un-forum-en-altitude]]">dans un entretien</a>.</p>
""",
        rubrique="evenements",
        authors=(NEWSROOM,),
        published_at=None,
        ago=(15, 10, 0),
        access="free",
        featured=True,
        tags=("experience-client", "bpo"),
        related=("helene-carpentier-un-forum-en-altitude", "ectff-13e-edition-master-classes"),
        seo_description=(
            "Le New Biz Forum [[nbf_year]] se tiendra [[nbf_days]] à La Féclaz (Savoie), là où "
            "le Chalet de l'Aurore accueillit les premières colonies de vacances."
        ),
        hero_word="New Biz Forum",
        hero_alt="Illustration bleu ciel évoquant la montagne avec les mots New Biz Forum",
        hero_caption="La station de La Féclaz, dans le massif des Bauges, accueillera le forum.",
        palette="alpine",
    ),
    DemoArticle(
        slug="helene-carpentier-un-forum-en-altitude",
        title="Hélène Carpentier : « Un forum en altitude pour parler affaires autrement »",
        lead=(
            "La rédactrice en chef de Relation Client Magazine explique pourquoi le New Biz "
            "Forum s'installe à La Féclaz en [[nbf_month]], et ce que les participants y "
            "trouveront."
        ),
        body="""
<p><strong>Pourquoi organiser un forum d'affaires dans une station de ski ?</strong></p>
<p>Parce que les salons parisiens se ressemblent tous. On y court d'un stand à l'autre sans jamais
prendre le temps d'une vraie conversation. En montagne, hors saison, on partage les repas, les
marches, les soirées. Les rencontres y sont plus franches.</p>
<h2>Le choix de La Féclaz</h2>
<p><strong>Pourquoi ce lieu en particulier ?</strong></p>
<p>Pour son histoire. Le Chalet de l'Aurore y a accueilli les premières colonies de vacances
dans les années 1950. Cette idée d'un séjour collectif où chacun apprend des autres nous a
semblé coller à ce que nous voulons faire.</p>
<h2>Le programme</h2>
<p><strong>Qui attendez-vous ?</strong></p>
<p>Des directions de la relation client, des prestataires, des éditeurs et quelques jeunes pousses
de l'IA. Nous limitons volontairement le nombre de places pour que chacun puisse rencontrer
tout le monde.</p>
<blockquote><p>Le format des rencontres d'affaires en petit comité gagne du terrain face aux
grands salons, dont les visiteurs se lassent, relève en substance la presse
économique.</p></blockquote>
<p>Tous les détails pratiques sont dans <a href="[[article:new-biz-forum-la-feclaz]]">notre
annonce du New Biz Forum [[nbf_year]]</a>.</p>
""",
        rubrique="portraits-et-interviews",
        authors=("ines-benali",),
        published_at=None,
        ago=(15, 10, 30),
        access="registered",
        tags=("experience-client",),
        related=("new-biz-forum-la-feclaz",),
        seo_description=(
            "Entretien avec Hélène Carpentier, rédactrice en chef, sur le New Biz Forum "
            "[[nbf_year]] à La Féclaz (Savoie)."
        ),
        hero_word="Entretien",
        hero_alt="Illustration orangée aux formes géométriques avec le mot Entretien",
        hero_caption="Hélène Carpentier, rédactrice en chef de Relation Client Magazine.",
        palette="sunset",
    ),
    DemoArticle(
        slug="ectff-prochaine-edition-inscriptions-ouvertes",
        title="ECTFF : la [[ectff_edition]] édition ouvre ses inscriptions",
        lead=(
            "Le forum de l'expérience client revient à Paris le [[ectff_date]]. Master classes "
            "en petit comité, table ronde et retours d'expérience : les inscriptions sont "
            "ouvertes, et gratuites."
        ),
        body="""
<p>Le forum de l'expérience client tiendra sa [[ectff_edition]] édition le [[ectff_date]] à
l'Espace Grande Arche, à Paris La Défense. La formule ne change pas : une plénière pour ouvrir la
journée, des master classes de quarante places et beaucoup de temps pour les échanges.</p>
<h2>Des master classes en petit comité</h2>
<p>Trois master classes sont annoncées : l'escalade vers un conseiller sans faire répéter le
client, les agents vocaux qui savent passer la main, et l'achat de prestations de centre de
contact au résultat plutôt qu'à la minute. Chacune se réserve à part, dans la limite des places
de la salle.</p>
<h2>Le commerce de proximité à l'honneur</h2>
<p>L'après-midi, une table ronde confrontera enseignes de quartier et grands groupes sur une
question simple : comment rester proche de ses clients quand on ne les voit plus au
comptoir ?</p>
<blockquote><p>Les forums professionnels qui privilégient les formats courts et interactifs
attirent davantage de décideurs que les grands salons d'exposants, relève en substance la presse
spécialisée.</p></blockquote>
<p>Le programme complet et les inscriptions sont <a href="[[ectff_url]]">sur la page du
forum</a>. Pour mémoire, notre compte rendu de la
<a href="[[article:ectff-13e-edition-master-classes]]">13e édition</a>.</p>
""",
        rubrique="evenements",
        authors=("helene-carpentier",),
        published_at=None,
        ago=(3, 10, 0),
        access="free",
        featured=True,
        tags=("experience-client", "centres-de-contact"),
        related=("ectff-13e-edition-master-classes", "new-biz-forum-la-feclaz"),
        seo_description=(
            "La [[ectff_edition]] édition de l'ECTFF, forum de l'expérience client, se tient à "
            "Paris le [[ectff_date]] : master classes et table ronde."
        ),
        hero_word="ECTFF",
        hero_alt="Illustration orangée aux formes géométriques avec le sigle ECTFF",
        hero_caption="Le forum se tiendra à l'Espace Grande Arche, à Paris La Défense.",
        palette="sunset",
    ),
    DemoArticle(
        slug="archives-dreamforce-2019-moscone-center",
        title="Dreamforce 2019 : 170 000 participants au Moscone Center",
        lead=(
            "Pendant trois jours, Salesforce a transformé le quartier du Moscone Center, à San "
            "Francisco, en capitale mondiale du CRM. Barack Obama, Tim Cook et Emilia Clarke "
            "figuraient à l'affiche."
        ),
        body="""
<p>Les chiffres donnent le vertige : 170 000 participants sur place, 13 millions de personnes
devant leur écran et 2 700 sessions réparties sur trois jours. Dreamforce, lancé en 2003, est
devenu en quelques années bien plus qu'une conférence d'éditeur.</p>
<h2>Des têtes d'affiche hors norme</h2>
<p>Salesforce avait vu grand pour cette édition. L'ancien président américain Barack Obama, le
patron d'Apple Tim Cook et l'actrice Emilia Clarke, révélée par une série à succès, se sont
succédé sur scène, aux côtés des dirigeants de l'éditeur.</p>
<h2>150 000 entreprises clientes</h2>
<p>Derrière le spectacle, une réalité commerciale : Salesforce revendique environ 150 000
entreprises clientes dans le monde. En Belgique, deux tiers des sociétés du BEL20, l'indice phare
de la Bourse de Bruxelles, utilisent ses solutions.</p>
<blockquote><p>La conférence de San Francisco tient désormais autant du festival que du salon
professionnel, souligne en substance la presse belge, qui note la forte présence des entreprises
du royaume.</p></blockquote>
<p>Six ans plus tard, l'édition 2025 aura été celle des agents d'IA et d'une polémique : lire
<a href="[[article:dreamforce-2025-agents-ia-et-chaussettes-a-18-dollars]]">notre compte rendu de
Dreamforce 2025</a>.</p>
""",
        rubrique="archives",
        authors=("helene-carpentier",),
        published_at=paris(2019, 11, 22, 10, 30),
        access="free",
        tags=("salesforce", "crm"),
        related=("dreamforce-2025-agents-ia-et-chaussettes-a-18-dollars",),
        seo_description=(
            "Dreamforce 2019 au Moscone Center : 170 000 participants, 13 millions de "
            "spectateurs en ligne, 2 700 sessions, Barack Obama, Tim Cook et Emilia Clarke."
        ),
        hero_word="2019",
        hero_alt="Illustration sépia aux formes géométriques avec l'année 2019",
        hero_caption="Dreamforce 2019 s'est tenu au Moscone Center de San Francisco.",
        palette="archive",
    ),
    DemoArticle(
        slug="brouillon-programme-du-new-biz-forum",
        title="Le programme complet du New Biz Forum [[nbf_year]]",
        lead="Ateliers, rendez-vous d'affaires et intervenants : le programme détaillé du forum.",
        body="""
<p>Programme en cours de finalisation avec les intervenants. À compléter avant publication.</p>
<h2>Jour 1</h2>
<p>Accueil des participants à La Féclaz, rendez-vous d'affaires.</p>
<h2>Jour 2</h2>
<p>Ateliers et soirée de clôture.</p>
""",
        rubrique="evenements",
        authors=(NEWSROOM,),
        published_at=None,
        access="registered",
        status="draft",
        tags=("experience-client",),
        related=("new-biz-forum-la-feclaz",),
        seo_description=(
            "Le programme détaillé du New Biz Forum [[nbf_year]] à La Féclaz (Savoie)."
        ),
        hero_word="Programme",
        hero_alt="Illustration bleu ciel avec le mot Programme",
        hero_caption="Le programme du New Biz Forum [[nbf_year]].",
        palette="alpine",
    ),
)

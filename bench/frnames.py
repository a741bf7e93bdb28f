"""Fixed French material for the synthetic graph: the real régions and départements, name parts, schemes.

Régions and départements are the real ones (INSEE codes, names with their accents), so a search for
"ardeche" or "drome" behaves as it would on real data. Communes, EPCI, territories and companies get
names made from the parts below: plausible, accented, not real places.
"""

from __future__ import annotations


def _words(text: str) -> list[str]:
    return text.split()


# (INSEE code, name) of the 18 régions, each with its départements as (code, name).
REGIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("01", "Guadeloupe", [("971", "Guadeloupe")]),
    ("02", "Martinique", [("972", "Martinique")]),
    ("03", "Guyane", [("973", "Guyane")]),
    ("04", "La Réunion", [("974", "La Réunion")]),
    ("06", "Mayotte", [("976", "Mayotte")]),
    (
        "11",
        "Île-de-France",
        [
            ("75", "Paris"),
            ("77", "Seine-et-Marne"),
            ("78", "Yvelines"),
            ("91", "Essonne"),
            ("92", "Hauts-de-Seine"),
            ("93", "Seine-Saint-Denis"),
            ("94", "Val-de-Marne"),
            ("95", "Val-d'Oise"),
        ],
    ),
    (
        "24",
        "Centre-Val de Loire",
        [
            ("18", "Cher"),
            ("28", "Eure-et-Loir"),
            ("36", "Indre"),
            ("37", "Indre-et-Loire"),
            ("41", "Loir-et-Cher"),
            ("45", "Loiret"),
        ],
    ),
    (
        "27",
        "Bourgogne-Franche-Comté",
        [
            ("21", "Côte-d'Or"),
            ("25", "Doubs"),
            ("39", "Jura"),
            ("58", "Nièvre"),
            ("70", "Haute-Saône"),
            ("71", "Saône-et-Loire"),
            ("89", "Yonne"),
            ("90", "Territoire de Belfort"),
        ],
    ),
    (
        "28",
        "Normandie",
        [("14", "Calvados"), ("27", "Eure"), ("50", "Manche"), ("61", "Orne"), ("76", "Seine-Maritime")],
    ),
    (
        "32",
        "Hauts-de-France",
        [("02", "Aisne"), ("59", "Nord"), ("60", "Oise"), ("62", "Pas-de-Calais"), ("80", "Somme")],
    ),
    (
        "44",
        "Grand Est",
        [
            ("08", "Ardennes"),
            ("10", "Aube"),
            ("51", "Marne"),
            ("52", "Haute-Marne"),
            ("54", "Meurthe-et-Moselle"),
            ("55", "Meuse"),
            ("57", "Moselle"),
            ("67", "Bas-Rhin"),
            ("68", "Haut-Rhin"),
            ("88", "Vosges"),
        ],
    ),
    (
        "52",
        "Pays de la Loire",
        [("44", "Loire-Atlantique"), ("49", "Maine-et-Loire"), ("53", "Mayenne"), ("72", "Sarthe"), ("85", "Vendée")],
    ),
    ("53", "Bretagne", [("22", "Côtes-d'Armor"), ("29", "Finistère"), ("35", "Ille-et-Vilaine"), ("56", "Morbihan")]),
    (
        "75",
        "Nouvelle-Aquitaine",
        [
            ("16", "Charente"),
            ("17", "Charente-Maritime"),
            ("19", "Corrèze"),
            ("23", "Creuse"),
            ("24", "Dordogne"),
            ("33", "Gironde"),
            ("40", "Landes"),
            ("47", "Lot-et-Garonne"),
            ("64", "Pyrénées-Atlantiques"),
            ("79", "Deux-Sèvres"),
            ("86", "Vienne"),
            ("87", "Haute-Vienne"),
        ],
    ),
    (
        "76",
        "Occitanie",
        [
            ("09", "Ariège"),
            ("11", "Aude"),
            ("12", "Aveyron"),
            ("30", "Gard"),
            ("31", "Haute-Garonne"),
            ("32", "Gers"),
            ("34", "Hérault"),
            ("46", "Lot"),
            ("48", "Lozère"),
            ("65", "Hautes-Pyrénées"),
            ("66", "Pyrénées-Orientales"),
            ("81", "Tarn"),
            ("82", "Tarn-et-Garonne"),
        ],
    ),
    (
        "84",
        "Auvergne-Rhône-Alpes",
        [
            ("01", "Ain"),
            ("03", "Allier"),
            ("07", "Ardèche"),
            ("15", "Cantal"),
            ("26", "Drôme"),
            ("38", "Isère"),
            ("42", "Loire"),
            ("43", "Haute-Loire"),
            ("63", "Puy-de-Dôme"),
            ("69", "Rhône"),
            ("73", "Savoie"),
            ("74", "Haute-Savoie"),
        ],
    ),
    (
        "93",
        "Provence-Alpes-Côte d'Azur",
        [
            ("04", "Alpes-de-Haute-Provence"),
            ("05", "Hautes-Alpes"),
            ("06", "Alpes-Maritimes"),
            ("13", "Bouches-du-Rhône"),
            ("83", "Var"),
            ("84", "Vaucluse"),
        ],
    ),
    ("94", "Corse", [("2A", "Corse-du-Sud"), ("2B", "Haute-Corse")]),
]

TOPONYMS = _words(
    "Aubenas Privas Tournon Annonay Crest Dieulefit Montélimar Nyons Valréas Bédarieux Lodève Pézenas Sète Agde "
    "Béziers Millau Rodez Épinal Gérardmer Remiremont Thônes Cluses Évian Châteaulin Quimperlé Pléneuf Lamballe "
    "Guérande Pornic Clisson Vitré Fougères Écouché Lisieux Bayeux Honfleur Fécamp Étretat Yvetot Gisors Vernon "
    "Dreux Nogent Vierzon Issoudun Châteauroux Loches Amboise Vendôme Blois Romorantin Gien Pithiviers Montargis "
    "Sens Avallon Autun Mâcon Cluny Tournus Louhans Dole Pontarlier Morteau Héricourt Lure Vesoul Gray Langres "
    "Chaumont Sézanne Épernay Rethel Sedan Givet Hirson Guise Péronne Abbeville Hesdin Béthune Hénin Douai "
    "Cambrai Maubeuge Fourmies Creil Compiègne Noyon Brignoles Draguignan Fréjus Grasse Manosque Forcalquier "
    "Digne Briançon Embrun Orange Carpentras Cavaillon Arles Salon Istres Aubagne Alès Uzès Bagnols Mende "
    "Marvejols Figeac Cahors Gourdon Souillac Mazamet Castres Albi Graulhet Lavaur Muret Foix Pamiers Lézignan "
    "Limoux Quillan Céret Prades Tarbes Lourdes Lannemezan Orthez Oloron Mauléon Dax Nérac Marmande Bergerac "
    "Sarlat Périgueux Brive Tulle Ussel Guéret Aubusson Égletons Saintes Cognac Jarnac Rochefort Niort "
    "Bressuire Thouars Châtellerault Loudun Montmorillon Confolens Thiers Issoire Ambert Riom Aurillac Mauriac "
    "Brioude Yssingeaux Roanne Feurs Montbrison Firminy Voiron Bourgoin Pontcharra Albertville Moûtiers Modane "
    "Rumilly Bellegarde Oyonnax Nantua Belley Ambérieu Montluçon Moulins Vichy Decize Clamecy Cosne Pontivy "
    "Ploërmel Loudéac Carhaix Morlaix Landerneau Châteaubriant Ancenis Segré Saumur Cholet Laval Sablé Mamers "
    "Luçon Montaigu Bécherel Sablières Gémenos Bréhal Vénissieux Pélussin Quintin Pléchâtel Génolhac Sévérac"
)

SAINTS = _words(
    "Étienne André Jean Pierre Hélène Geneviève Rémy Cécile Benoît Agnès Médard Léger Aubin Éloi Sébastien "
    "Félix Jérôme Honoré Gérand Thégonnec Aphrodise Amé Bénigne Priest Just Éxupère"
)

COMMUNE_PREFIXES = ["", "", "", "", "", "Saint-", "Saint-", "Sainte-", "Le ", "La ", "Les ", "Villeneuve-", "Pont-"]
COMMUNE_SUFFIXES = [
    *["", "", "", "", "", ""],
    *_words(
        "-sur-Rhône -sur-Loire -lès-Bains -en-Bresse -le-Château -la-Forêt -sur-Mer -de-Provence -en-Vercors "
        "-sur-Saône -le-Vieux -la-Rivière -des-Prés -sous-Bois -aux-Bois -sur-Marne -sur-Isère -du-Lac -l'Église"
    ),
]

RIVERS = _words(
    "Rhône Loire Saône Garonne Dordogne Isère Durance Allier Vienne Charente Lot Tarn Aveyron Ardèche Drôme "
    "Doubs Meuse Moselle Marne Oise Somme Orne Vire Rance Vilaine Mayenne Sarthe Adour Hérault Aude Cère"
)

ORIENTATIONS = ["Nord", "Sud", "Est", "Ouest", "Centre", "Sud-Est", "Nord-Ouest"]

COMPANY_TRADES = [
    "Forges",
    "Ateliers",
    "Mécanique de précision",
    "Fonderie",
    "Chaudronnerie",
    "Plasturgie",
    "Verrerie",
    "Textiles",
    "Électronique",
    "Céramiques",
    "Décolletage",
    "Scieries",
    "Papeteries",
    "Salaisons",
    "Laiteries",
    "Câblerie",
    "Aéronautique",
    "Métallerie",
    "Émaillerie",
    "Tuileries",
]
COMPANY_FORMS = ["SAS", "SA", "SARL", "SAS", "et Fils", "Industrie", "Groupe"]

SECTORS = [
    ("metallurgie", "Métallurgie"),
    ("plasturgie", "Plasturgie"),
    ("agroalimentaire", "Agroalimentaire"),
    ("aeronautique", "Aéronautique"),
    ("chimie", "Chimie"),
    ("textile", "Textile"),
    ("bois", "Filière bois"),
    ("electronique", "Électronique"),
    ("automobile", "Automobile"),
    ("energie", "Énergie"),
    ("ceramique", "Céramique"),
    ("sante", "Santé"),
]

PLANS = [
    ("france-2030", "France 2030"),
    ("france-relance", "France Relance"),
    ("plan-d-investissement-dans-les-competences", "Plan d'investissement dans les compétences"),
    ("plan-industrie-verte", "Plan Industrie verte"),
]

# (slug, label, class local name, plan slug or "", acronym or "")
SCHEMES: list[tuple[str, str, str, str, str]] = [
    ("rebond-industriel", "Rebond industriel", "SupportScheme", "france-relance", ""),
    ("fonds-vert", "Fonds vert de l'État", "Fund", "plan-industrie-verte", ""),
    (
        "fonds-acceleration-investissements-industriels",
        "Fonds d'accélération des investissements industriels dans les territoires",
        "Fund",
        "france-relance",
        "FAIIT",
    ),
    (
        "territoires-industrie-transition-ecologique",
        "Territoires d'industrie en transition écologique",
        "SupportScheme",
        "plan-industrie-verte",
        "",
    ),
    ("ingenierie-et-etudes", "Offres en ingénierie et financement d'études", "SupportScheme", "", ""),
    ("cofinancement-chef-de-projet", "Cofinancement de postes de chefs de projet", "SupportScheme", "", ""),
    (
        "soutien-investissements-productifs",
        "Soutien aux investissements productifs",
        "SupportScheme",
        "france-2030",
        "",
    ),
    (
        "volontariat-territorial-en-entreprise",
        "Volontariat territorial en entreprise",
        "SupportScheme",
        "",
        "VTE",
    ),
    ("accelerateur-pme", "Accélérateur PME", "SupportScheme", "france-2030", ""),
    ("pret-developpement-territorial", "Prêt de développement territorial", "SupportScheme", "", "PDT"),
    ("fonds-friches", "Fonds friches", "Fund", "france-relance", ""),
    ("sites-cles-en-main", "Sites industriels clés en main", "SupportScheme", "france-2030", ""),
    (
        "competences-et-metiers-d-avenir",
        "Compétences et métiers d'avenir",
        "SupportScheme",
        "france-2030",
        "CMA",
    ),
    (
        "gestion-previsionnelle-emplois-competences",
        "Gestion prévisionnelle des emplois et des compétences territoriale",
        "SupportScheme",
        "plan-d-investissement-dans-les-competences",
        "GPECT",
    ),
    ("aap-resilience", "Appel à projets « Résilience »", "SupportScheme", "france-relance", ""),
    ("i-nov", "Concours d'innovation i-Nov", "SupportScheme", "france-2030", ""),
    ("decarbonation-industrie", "Décarbonation de l'industrie", "SupportScheme", "france-relance", ""),
    ("tremplin-energetique", "Tremplin pour la transition énergétique", "SupportScheme", "plan-industrie-verte", ""),
    ("diagnostic-eco-flux", "Diag Éco-Flux", "SupportScheme", "", ""),
    ("industrie-du-futur", "Industrie du futur", "SupportScheme", "france-2030", ""),
]

# (slug, label, acronym) of State operators
OPERATORS: list[tuple[str, str, str]] = [
    ("anct", "Agence nationale de la cohésion des territoires", "ANCT"),
    ("bpifrance", "Bpifrance", ""),
    ("banque-des-territoires", "Banque des Territoires", ""),
    ("ademe", "Agence de la transition écologique", "ADEME"),
    ("cerema", "Cerema", ""),
    ("business-france", "Business France", ""),
    ("france-travail", "France Travail", ""),
    ("afpa", "Agence nationale pour la formation professionnelle des adultes", "AFPA"),
]

MINISTRIES: list[tuple[str, str]] = [
    (
        "ministere-economie-finances-souverainete",
        "Ministère de l'Économie, des Finances et de la Souveraineté industrielle",
    ),
    (
        "ministere-transition-ecologique-cohesion-territoires",
        "Ministère de la Transition écologique et de la Cohésion des territoires",
    ),
    ("ministere-travail", "Ministère du Travail, de la Santé et des Solidarités"),
]

NETWORKS: list[tuple[str, str]] = [
    ("regions-de-france", "Régions de France"),
    ("intercommunalites-de-france", "Intercommunalités de France"),
    ("france-industrie", "France Industrie"),
    ("cci-france", "CCI France"),
]

FLOW_PURPOSES = [
    "modernisation de l'outil de production",
    "décarbonation des procédés",
    "recrutement et formation des salariés",
    "réhabilitation d'une friche industrielle",
    "création d'une nouvelle ligne de fabrication",
    "études d'ingénierie préalables",
    "animation du territoire d'industrie",
    "innovation et prototypage",
    "extension d'un site de production",
    "économie circulaire et réemploi des matériaux",
]

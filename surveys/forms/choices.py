"""Choice lists shared by several forms."""

from flask_babel import lazy_gettext as _l

from .definition import Choice

# The 38 communes of the province of Namur. Their names are shown as written on official
# documents and street signs, in every language, so that people recognise them.
NAMUR_COMMUNES = (
    ("andenne", "Andenne"),
    ("anhee", "Anhée"),
    ("assesse", "Assesse"),
    ("beauraing", "Beauraing"),
    ("bievre", "Bièvre"),
    ("cerfontaine", "Cerfontaine"),
    ("ciney", "Ciney"),
    ("couvin", "Couvin"),
    ("dinant", "Dinant"),
    ("doische", "Doische"),
    ("eghezee", "Éghezée"),
    ("fernelmont", "Fernelmont"),
    ("floreffe", "Floreffe"),
    ("florennes", "Florennes"),
    ("fosses-la-ville", "Fosses-la-Ville"),
    ("gedinne", "Gedinne"),
    ("gembloux", "Gembloux"),
    ("gesves", "Gesves"),
    ("hamois", "Hamois"),
    ("hastiere", "Hastière"),
    ("havelange", "Havelange"),
    ("houyet", "Houyet"),
    ("jemeppe-sur-sambre", "Jemeppe-sur-Sambre"),
    ("la-bruyere", "La Bruyère"),
    ("mettet", "Mettet"),
    ("namur", "Namur"),
    ("ohey", "Ohey"),
    ("onhaye", "Onhaye"),
    ("philippeville", "Philippeville"),
    ("profondeville", "Profondeville"),
    ("rochefort", "Rochefort"),
    ("sambreville", "Sambreville"),
    ("sombreffe", "Sombreffe"),
    ("somme-leuze", "Somme-Leuze"),
    ("viroinval", "Viroinval"),
    ("vresse-sur-semois", "Vresse-sur-Semois"),
    ("walcourt", "Walcourt"),
    ("yvoir", "Yvoir"),
)

COMMUNES = tuple(Choice(code, name) for code, name in NAMUR_COMMUNES)
COMMUNES_OR_ELSEWHERE = (*COMMUNES, Choice("elsewhere", _l("Outside the province of Namur")))

LANGUAGES = (
    Choice("fr", _l("French")),
    Choice("en", _l("English")),
    Choice("uk", _l("Ukrainian")),
    Choice("ru", _l("Russian")),
    Choice("ar", _l("Arabic")),
    Choice("fa", _l("Dari / Persian")),
    Choice("ps", _l("Pashto")),
    Choice("ti", _l("Tigrinya")),
    Choice("tr", _l("Turkish")),
    Choice("es", _l("Spanish")),
    Choice("other", _l("Another language")),
)

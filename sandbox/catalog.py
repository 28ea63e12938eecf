"""Static reference data: Swedish names and places, the product list, country codes.

Everything here is constant; `data` draws from it with a seeded generator. Prices are
in öre (1/100 SEK) excluding VAT, so that all arithmetic stays in integers.
"""

from dataclasses import dataclass

FIRST_NAMES = (
    "Anna", "Eva", "Maria", "Karin", "Sara", "Kristina", "Lena", "Emma", "Kerstin",
    "Marie", "Malin", "Ingrid", "Linnéa", "Elsa", "Alice", "Maja", "Astrid", "Ebba",
    "Wilma", "Saga", "Elin", "Johanna", "Sofia", "Hanna", "Ida", "Frida", "Klara",
    "Agnes", "Ella", "Freja", "Lars", "Mikael", "Anders", "Johan", "Erik", "Per",
    "Karl", "Peter", "Thomas", "Jan", "Daniel", "Fredrik", "Hans", "Andreas", "Stefan",
    "Mohammed", "Oscar", "William", "Liam", "Hugo", "Lucas", "Elias", "Noah", "Axel",
    "Viktor", "Filip", "Gustav", "Nils", "Olle", "Björn",
)  # fmt: skip

LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström",
    "Olofsson", "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg",
    "Lind", "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg",
    "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson",
    "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström",
    "Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg",
    "Arvidsson", "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson",
    "Nordström", "Mårtensson", "Lundström", "Viklund", "Björklund", "Eliasson",
    "Pålsson", "Berggren", "Sandström", "Nordin", "Ström", "Åberg", "Hermansson",
    "Ekström", "Holmgren", "Sundberg", "Hedlund", "Dahlberg", "Hellström", "Sjögren",
    "Abrahamsson", "Falk", "Martinsson", "Öberg", "Andreasson", "Strömberg", "Månsson",
    "Åkesson", "Dahl", "Lindholm", "Norberg", "Holmqvist",
)  # fmt: skip

TRADES = (
    "Bygg", "El", "Måleri", "Redovisning", "Transport", "Fastigheter", "Konsult", "VVS",
    "Städ", "Design", "Data", "Café", "Bageri", "Trädgård", "Juridik", "Tandvård",
    "Golv", "Plåt", "Frakt", "Media",
)  # fmt: skip

COMPANY_FORMS = ("AB", "AB", "AB", "HB", "& Söner AB", "i Sverige AB")

STREETS = (
    "Storgatan", "Drottninggatan", "Kungsgatan", "Vasagatan", "Sveavägen", "Hamngatan",
    "Linnégatan", "Skolgatan", "Kyrkogatan", "Parkvägen", "Björkvägen", "Ekvägen",
    "Tallvägen", "Granvägen", "Sjövägen", "Strandvägen", "Ringvägen", "Östra Långgatan",
    "Västra Hamngatan", "Norra Vägen", "Södra Förstadsgatan", "Bangårdsgatan",
    "Järnvägsgatan", "Industrigatan", "Fabriksgatan", "Lärkvägen", "Rosenvägen",
    "Solvägen", "Ängsvägen", "Backvägen", "Götgatan", "Odengatan", "Hantverkargatan",
)  # fmt: skip

# (city, first three digits of its postal codes): real prefixes, so addresses look right.
CITIES = (
    ("Stockholm", (111, 112, 113, 114, 115, 116, 117, 118)),
    ("Göteborg", (411, 412, 413, 414, 415, 416, 417)),
    ("Malmö", (211, 212, 213, 214, 215, 216, 217)),
    ("Uppsala", (752, 753, 754)),
    ("Västerås", (722, 723, 724)),
    ("Örebro", (702, 703)),
    ("Linköping", (582, 583, 584, 587)),
    ("Helsingborg", (252, 253, 254, 256)),
    ("Jönköping", (553, 554, 556)),
    ("Norrköping", (602, 603)),
    ("Lund", (222, 223, 224, 226, 227)),
    ("Umeå", (903, 904, 906, 907)),
    ("Gävle", (802, 803, 804, 806)),
    ("Borås", (503, 504, 506, 507)),
    ("Södertälje", (151, 152)),
    ("Eskilstuna", (632, 633, 635)),
    ("Halmstad", (302,)),
    ("Växjö", (352, 355)),
    ("Karlstad", (652, 653, 654, 656)),
    ("Sundsvall", (852, 853, 854, 856)),
    ("Luleå", (972, 973, 975)),
    ("Östersund", (831,)),
    ("Falun", (791,)),
    ("Kalmar", (392,)),
    ("Visby", (621,)),
)

# Mobile number series in use in Sweden (070, 072, 073, 076, 079).
MOBILE_PREFIXES = ("4670", "4672", "4673", "4676", "4679")

LANGUAGES = ("sv", "en", "fi", "no", "da")
INVOICE_DISTRIBUTIONS = ("email", "paper", "e-invoice", "kivra")

# ISO 3166-1 alpha-2, officially assigned codes.
_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN
    BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL
    GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM
    JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP
    NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD
    SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_COUNTRY_CODES.split())

VAT_RATE = "25.00"
VAT_PERCENT = 25
CURRENCY = "SEK"


@dataclass(frozen=True)
class Product:
    """One sellable product. `level` says where it may be attached, `kind` to what."""

    code: str
    name: str
    price: int  # öre excl. VAT, per charge interval
    interval: str = "monthly"
    level: str = "subscription"  # plan | subscription | customer | invoice
    kind: str = "mobile"  # mobile | broadband | iot | any
    # A plan whose quantity may change (SIM cards on an IoT plan); no other plan's may.
    adjustable: bool = False


PRODUCTS = (
    # Plans: the subscription's own product, billed as its first recurring product.
    Product("MOB-5GB", "Mobil 5 GB", 15920, level="plan"),
    Product("MOB-20GB", "Mobil 20 GB", 23920, level="plan"),
    Product("MOB-UNL", "Mobil Obegränsad", 31920, level="plan"),
    Product("MOB-BIZ-30", "Företag Mobil 30 GB", 27900, level="plan"),
    Product("MOB-BIZ-UNL", "Företag Mobil Obegränsad", 34900, level="plan"),
    Product("BB-100", "Bredband 100/100", 31920, level="plan", kind="broadband"),
    Product("BB-500", "Bredband 500/500", 39920, level="plan", kind="broadband"),
    Product("BB-1000", "Bredband 1000/1000", 47920, level="plan", kind="broadband"),
    Product("M2M-DATA", "M2M IoT Data", 4900, level="plan", kind="iot", adjustable=True),
    # Subscription-level add-ons.
    Product("ADD-SURF10", "Extra surf 10 GB", 7920),
    Product("ADD-ROAM-EU", "Roaming EU", 3920),
    Product("ADD-ROAM-WORLD", "Roaming World", 11920),
    Product("ADD-INS", "Insurance", 7920),
    Product("ADD-MUSIC", "Music streaming", 8720),
    Product("ADD-TWINSIM", "Twin SIM", 3920),
    Product("ADD-FIXIP", "Fixed IP", 3920, kind="broadband"),
    Product("ADD-TV", "TV Basic", 15920, kind="broadband"),
    Product("ADD-ROUTER", "Router rental", 3920, kind="broadband"),
    Product("ADD-IOT-APN", "Private APN", 9900, kind="iot"),
    # Customer-level products.
    Product("CUS-INS", "Home electronics insurance", 6320, level="customer", kind="any"),
    Product("CUS-SEC", "Security package", 4720, level="customer", kind="any"),
    Product("CUS-SUPPORT", "Support Plus", 45000, "quarterly", level="customer", kind="any"),
    Product("CUS-PORTAL", "Admin portal", 120000, "yearly", level="customer", kind="any"),
    # Invoice-only lines (one-off fees, discounts, adjustments): never a recurring product.
    Product("ONE-SIM", "New SIM card", 7920, "once", level="invoice", kind="any"),
    Product("ONE-START", "Start fee", 19920, "once", level="invoice", kind="any"),
    Product("ONE-SPEC", "Call specification", 1500, "once", level="invoice", kind="any"),
    Product("FEE-PAPER", "Paper invoice fee", 2320, "once", level="invoice", kind="any"),
    Product("DISC-LOYALTY", "Loyalty discount", -5000, "once", level="invoice", kind="any"),
    Product("DISC-CAMPAIGN", "Campaign discount", -10000, "once", level="invoice", kind="any"),
    Product("ADJ-CREDIT", "Credit for incorrect charge", -3920, "once", level="invoice",
            kind="any"),
    Product("USAGE", "Usage: calls, messages and data", 0, "once", level="invoice", kind="any"),
)  # fmt: skip

PRODUCTS_BY_CODE = {p.code: p for p in PRODUCTS}

CONSUMER_PLANS = ("MOB-5GB", "MOB-20GB", "MOB-UNL")
BUSINESS_PLANS = ("MOB-BIZ-30", "MOB-BIZ-UNL")
BROADBAND_PLANS = ("BB-100", "BB-500", "BB-1000")
ADD_ONS = {
    "mobile": ("ADD-SURF10", "ADD-ROAM-EU", "ADD-ROAM-WORLD", "ADD-INS", "ADD-MUSIC",
               "ADD-TWINSIM"),
    "broadband": ("ADD-FIXIP", "ADD-TV", "ADD-ROUTER"),
    "iot": ("ADD-IOT-APN",),
}  # fmt: skip
CONSUMER_CUSTOMER_PRODUCTS = ("CUS-INS", "CUS-SEC")
BUSINESS_CUSTOMER_PRODUCTS = ("CUS-SUPPORT", "CUS-PORTAL", "CUS-SEC")


def money(ore: int) -> str:
    """Öre as the API writes amounts: a two-decimal string, "149.00", "-50.00"."""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole}.{cents:02d}"

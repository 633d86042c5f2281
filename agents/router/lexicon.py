"""The shared vocabulary of the deterministic router; each domain's own cues are in its module.

A domain declares its words in its `DomainSpec.vocabulary` (`agents/specialists/<domain>.py`):
- predicates: words that name what the customer wants done or what went wrong in that domain
  ("refund", "late", "password", "complaint").
- objects: things a request is about ("order", "address", "e-mail"). An object's weight counts
  only when no other domain has a predicate in the same clause, or when a generic verb ("change",
  "cancel", "track") binds to it: "refund for my order" is billing, "change my order" is orders.
- phrases: word sequences with small gaps that settle ambiguity ("cancellation fee" is billing,
  "where is my parcel" is shipping, "talk to a human" is care); object phrases yield like objects.
- foreign cue words, phrases and objects per language ("de", "es", "fr", "nl"), and nouns a
  generic verb binds to the domain ("update my phone").

Shared here, because they belong to no domain: placeholder tokens, ``GENERIC_VERBS`` (verbs that
lend weight to the object they bind to), the out-of-scope evidence (``OOS_CUES`` /
``OOS_PHRASES``: weather, jokes, code, prompt injection), vague and greeting words, common and
retail words that fuzzy matching must never "correct", abbreviations, and the slot vocabularies
phrases share (``NEG``, ``HUMAN``); the discourse words (disclaimers, contrast, asides, reasons,
narratives), other companies and services the store does not offer, general questions, and per
language: function words, greetings, vague words, joiners and out-of-scope topics. Everything is
plain data written by hand (never copied sentences); ``deterministic.py`` stems every word when it
compiles the tables, so one entry covers its inflections, and fuzzy-matches unknown tokens to the cue
words.
"""

from __future__ import annotations

from typing import Final


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


words = _words  # for the router's other modules


# Placeholder tokens the normaliser substitutes for entities and template slots.
T_ORDER_ID: Final = "xorderidx"
T_INVOICE_ID: Final = "xinvoiceidx"
T_TRACKING: Final = "xtrackingx"
T_AMOUNT: Final = "xamountx"
T_EMAIL: Final = "xemailx"
T_PLACE: Final = "xplacex"
T_ACCOUNT_TYPE: Final = "xaccttypex"
T_PERSON: Final = "xpersonx"
T_NUMBER: Final = "xnumx"
T_ENTITY: Final = "xentityx"
PLACEHOLDER_TOKENS: Final = frozenset(
    {
        T_ORDER_ID,
        T_INVOICE_ID,
        T_TRACKING,
        T_AMOUNT,
        T_EMAIL,
        T_PLACE,
        T_ACCOUNT_TYPE,
        T_PERSON,
        T_NUMBER,
        T_ENTITY,
    }
)

# Template slots such as {{Order Number}} (public data set) -> placeholder token, by keyword.
TEMPLATE_SLOTS: Final[tuple[tuple[str, str], ...]] = (
    ("invoice", T_INVOICE_ID),
    ("order", T_ORDER_ID),
    ("tracking", T_TRACKING),
    ("amount", T_AMOUNT),
    ("money", T_AMOUNT),
    ("currency", ""),
    ("account type", T_ACCOUNT_TYPE),
    ("account category", T_ACCOUNT_TYPE),
    ("delivery", T_PLACE),
    ("city", T_PLACE),
    ("country", T_PLACE),
    ("address", T_PLACE),
    ("email", T_EMAIL),
    ("name", T_PERSON),
)

# fmt: off
# ------------------------------------------------------------------ shared cues

# Verbs that take their domain from the nearest cue noun they bind to.
GENERIC_VERBS: Final = _words(
    "cancel change update edit modify correct fix remove delete add swap switch replace track check see "
    "view find locate status where close open create set setup submit enter get download reset recover "
    "restore retrieve make file lodge leave write give upgrade downgrade amend alter adjust move "
    "terminate deactivate activate use verify confirm rename"
)
BIND_BONUS: Final = 1.0
BIND_WINDOW_FORWARD: Final = 5
BIND_WINDOW_BACKWARD: Final = 3

# A phrase is a sequence of slots (space separated alternatives) with the maximum number of
# other tokens allowed between consecutive slots, and the weights it adds when it matches.
PhraseSpec = tuple[tuple[str, ...], int, dict[str, float]]

NEG: Final = (
    "not never hasnt hasn havent haven didnt didn still yet no isnt isn wasnt wasn doesn doesnt don dont "
    "won wont nothing"
)
HUMAN: Final = (
    "human person someone somebody agent operator representative rep manager supervisor people staff employee"
    " assistant ceo owner boss management director"
)

# Words that mark text which may be a real message but asks for nothing in particular.
VAGUE_WORDS: Final = _words(
    "crash crashing crashed crashes glitch glitches bug bugs buggy freeze frozen loading load slow down "
    "help helping helped assist assistance support problem problems issue issues trouble troubles question "
    "questions query something stuff thing things wrong work working works worked broken fix fixed error "
    "errors urgent asap please pls plz need needed want wanted info information advice sort matter quick "
    "anything everything nothing ask asking request concern concerns inquiry enquiry confused confusing "
    "unsure unclear puzzled off weird strange odd happen happens happened happening again second time "
    "idk dunno appreciate appreciated grateful soon possible following follow earlier message news update "
    "believe sure check everything urgently immediately desperately quickly "
    # the other languages' "a problem", "a question": a request not yet said, not small talk
    "problema problemas probleem problemen problème problèmes problem probleme pregunta duda vraag frage "
    "question questions hulp ayuda aide hilfe"
)

GREETING_WORDS: Final = _words(
    "hi hello hey hiya yo howdy greetings morning afternoon evening good thanks thank thx ty cheers bye "
    "goodbye ok okay cool great nice awesome perfect lol haha hmm sup"
)
GREETING_PHRASES: Final[tuple[str, ...]] = (
    "how are you doing", "how are you", "how's it going", "hows it going", "what's up", "whats up",
    "nice to meet you", "have a nice day", "have a good day", "have a great day", "thank you",
    "thanks for your help", "thank you for your help", "thanks for the help", "that's all", "that is all",
    "what's your name", "whats your name", "what is your name", "who are you", "are you a bot",
    "are you a robot", "good morning", "good afternoon", "good evening", "good night", "good day",
    "how's your day", "how is your day", "how was your day", "who am i talking to", "are you real",
    "you've been very helpful", "you've been helpful", "you're great", "you're awesome", "you're the best",
    "see you", "see ya", "talk later", "happy new year", "merry christmas", "happy holidays",
    "have a good one", "take care", "that's everything", "nothing else", "that's it", "all good",
    "all set", "no thanks", "that will be all", "that'll be all", "all i needed", "that's all i needed",
    "i'm good", "im good", "are you there", "anyone there", "is anyone there", "you're a star",
    "you are a star", "nice talking to you", "ça va", "hoe gaat het", "wie geht's", "wie geht es",
    "qué tal", "que tal", "that's sorted", "that's sorted it", "all sorted", "sorted it", "that's fixed it",
    "that worked", "it works now", "that's solved it", "problem solved", "talk later", "talk soon",
    "hope you're well", "hope you are well", "hope you're doing well", "hope you are doing well",
    "hope all is well", "hope you're having a good day", "how have you been", "hope you are having a",
    "hope you're having a", "sounds good", "sounds great", "sounds perfect", "sounds fine", "happy friday",
    "happy monday", "happy weekend", "have a good week", "have a nice week", "have a great week",
    "have a lovely weekend", "have a nice weekend", "have a good weekend", "have a great weekend",
    "have a lovely day", "just a quick note to say", "daros las gracias", "darles las gracias",
    "dar las gracias", "todo perfecto",
    "you've been a great help", "you've been a big help", "you've been so helpful", "that's a great help",
    "that helps a lot", "that's really helpful", "that's very helpful", "much appreciated",
    # what the assistant is (what it can do gets the clarifying question, which says it)
    "what are you", "are you human", "are you a human",
    "are you a person", "are you a real person", "is this a bot", "is this a real person", "am i talking to a bot",
    "is anybody there", "anybody there", "is somebody there", "is anyone there",
)

# Out-of-scope evidence.
OOS_CUES: Final[dict[str, float]] = {
    "weather": 3.0, "forecast": 2.0, "temperature": 2.0, "joke": 3.0, "jokes": 3.0, "poem": 3.0,
    "poetry": 3.0, "haiku": 3.0, "story": 1.5, "recipe": 3.0, "cook": 2.0, "cooking": 2.0, "bake": 2.0,
    "python": 3.0, "javascript": 3.0, "java": 2.0, "typescript": 3.0,
    "program": 1.5, "script": 2.0, "sql": 3.0, "segmentation": 3.0, "compile": 3.0, "compiler": 3.0,
    "linux": 3.0, "regex": 3.0, "algorithm": 3.0, "invest": 3.0, "investing": 3.0,
    "investment": 3.0, "crypto": 3.0, "bitcoin": 3.0, "ethereum": 3.0, "capital": 1.5, "president": 3.0,
    "translate": 3.0, "translation": 3.0, "homework": 3.0, "essay": 3.0, "math": 2.0, "maths": 2.0,
    "equation": 3.0, "movie": 3.0, "movies": 3.0, "film": 2.0, "song": 2.0, "lyrics": 3.0, "football": 3.0,
    "soccer": 3.0, "basketball": 3.0, "sports": 2.0, "horoscope": 3.0, "flight": 3.0, "flights": 3.0,
    "hotel": 3.0, "vacation": 2.0, "girlfriend": 2.0, "boyfriend": 2.0, "dating": 2.0, "prompt": 2.5,
    "jailbreak": 4.0, "roleplay": 3.0, "pretend": 2.0, "instructions": 1.0, "quantum": 3.0, "physics": 3.0,
    "chemistry": 3.0, "climate": 2.0, "universe": 2.0, "dragon": 1.5, "celebrity": 3.0, "election": 3.0,
    "politics": 3.0, "religion": 3.0, "doctor": 2.0, "medical": 2.0, "symptoms": 3.0, "lawyer": 2.0,
    "wikipedia": 3.0, "calculate": 2.0, "calculator": 3.0, "pancakes": 3.0, "flu": 2.0, "chatgpt": 2.0,
    "riddle": 3.0, "trivia": 3.0, "lend": 3.0, "vpn": 3.0, "antivirus": 3.0, "software": 1.5,
    "richest": 3.0, "tallest": 3.0, "plumber": 3.0, "electrician": 3.0, "mechanic": 3.0, "babysitter": 3.0,
    "hairdresser": 3.0, "locksmith": 3.0, "dentist": 3.0, "wedding": 1.5, "cv": 3.0, "resume": 1.0, "taxi": 3.0, "pothole": 3.0, "cake": 2.5, "flowers": 2.0,
    "freelance": 3.0, "template": 2.5, "scam": 2.0, "assemble": 2.5, "assembly": 2.0, "engrave": 3.0,
    "engraving": 3.0, "secondhand": 2.5, "salon": 3.0, "train": 2.5, "bus": 2.5,
    "tram": 2.5, "supermarket": 2.5, "atm": 3.0, "cashpoint": 3.0, "limerick": 3.0, "sonnet": 3.0, "restaurant": 2.5, "pizza": 3.0,
    "blockchain": 3.0, "nft": 3.0, "population": 3.0, "entertain": 2.5, "bored": 2.0, "dinner": 2.0,
    "lunch": 2.0, "breakfast": 2.0, "job": 2.0, "jobs": 2.5, "hiring": 3.0, "vacancy": 3.0,
    "vacancies": 3.0, "career": 2.5, "takeaway": 3.0, "sushi": 3.0, "burger": 3.0, "bedtime": 2.0, "grandmother": 1.5,
}
OOS_PHRASES: Final[tuple[PhraseSpec, ...]] = (
    (("ignore disregard forget override bypass", "instructions rules prompt previous above guidelines"), 3,
     {"oos": 6.0}),
    (("system", "prompt message"), 0, {"oos": 5.0}),
    (("you", "are", "now"), 0, {"oos": 3.0}),
    (("act", "as"), 0, {"oos": 2.0}),
    (("capital", "of"), 0, {"oos": 3.0}),
    # a parcel the customer sent themselves ("a parcel I sent to my sister myself"): the carrier's own service
    (("parcel package", "i", "sent posted shipped"), 2, {"oos": 4.0}),
    (("sent posted shipped", "a the", "parcel package", "myself"), 1, {"oos": 4.0}),
    (("their", "own"), 0, {"oos": 3.0}),  # "does DHL have a number for their own complaints?"
    # a carrier's own service, named: "does DHL have a number for their own complaints?"
    (("dhl ups fedex dpd gls hermes postnl usps evri colissimo correos", "their its", "own"), 6, {"oos": 4.0}),
    # the carrier's own app ("un compte sur l'appli La Poste", "the DHL app"): their service, not ours
    (("app appli application", "dhl ups fedex dpd gls hermes postnl usps evri colissimo correos poste laposte"), 2,
     {"oos": 4.5}),
    (("dhl ups fedex dpd gls hermes postnl usps evri colissimo correos poste laposte", "app appli"), 0, {"oos": 4.5}),
    (("complaint complain", "with to against", "dhl ups fedex dpd gls hermes postnl usps evri"), 1, {"oos": 3.5}),
    (("meaning", "of", "life"), 0, {"oos": 4.0}),
    # "open a bank account" (not "pay the open invoice by bank transfer")
    (("open opening", "a an my new", "bank"), 1, {"oos": 4.0}),
    (("what", "time day date year", "is", "it"), 0, {"oos": 4.0}),
    (("write compose generate", "poem essay story song code script program function haiku letter limerick sonnet rap speech"), 3,
     {"oos": 3.0}),
    (("world", "cup"), 0, {"oos": 3.0}),
    (("square", "root"), 0, {"oos": 4.0}),
    (("flat", "tire tyre"), 1, {"oos": 3.0}),
    (("cover", "letter"), 0, {"oos": 3.0}),
    (("tell", "joke story riddle"), 3, {"oos": 3.0}),
    (("who", "won win is was"), 0, {"oos": 1.5}),
    (("stock", "market tips tip price prices"), 1, {"oos": 3.0}),
    (("buy sell", "stocks shares"), 2, {"oos": 3.0}),
    (("stocks shares", "buy sell invest"), 3, {"oos": 3.0}),
    (("which what best good", "stocks shares"), 1, {"oos": 2.0}),
    (("fix debug", "code bug fault error"), 3, {"oos": 0.0}),
)

# Words that are common English and must never be "corrected" into a cue word by fuzzy matching.
COMMON_WORDS: Final = _words(
    """
    sec secs moment
    a about above after again against all almost already also although always am among an and another
    any anyone anything anyway are aren around as at away back be because been before being below
    between both but by can cannot cant could couldnt did didnt do does doesnt doing done dont down
    during each either else enough even ever every few first for from further had hadnt has hasnt have
    havent having he her here hers herself him himself his how however i if in into is isnt it its
    itself just last least less let like likely made many may maybe me might mine more most much must
    my myself near need neither next no nobody none nor not now of off often on once one only onto or
    other others otherwise our ours ourselves out over own per perhaps quite rather really same she
    should shouldnt since so some soon still such than that the their theirs them themselves then there
    these they this those though through thus till to too toward towards under until up upon us very
    was wasnt we well were werent what whatever when whenever where whether which while who whoever
    whole whom whose why will with within without wont would wouldnt yes yet you your yours yourself
    u ur ya im ive id youre theyre thats whats wheres hows theres lets gonna wanna gotta gimme kinda
    ain aint don t s m ll ve re d
    able accept accepted across actually after afternoon age ago agree ahead air allow allowed alone
    along answer answered answers app apple apply april area arm army art ask asked asking august
    available avoid baby bad bag ball bar base bed beer begin behind believe best better big bird birth
    bit black blue board boat body book books border bored borrow boss bottle bottom boy brain bread
    break breakfast bring brother brown build building burn bus business busy buyer buyers calendar
    came camera camp camel can car care careful carry case cat catch cause center central chair chance
    chapter charger charity cheap cheese chicken child children choice choose chose church city class
    clean clear clever clock clothes cloud club coast coat coffee cold college colour color come coming
    common company computer condition consider continue cool copy corner country couple course cousin
    cover crazy cream crowd cry cup cut dad daily dance danger dark date daughter day days dead deal
    dear death december decide deep degree desk detail did die diet difference different difficult
    dinner direct direction dirty discover discuss dish doctor dog dollars door double dream dress
    drink drive driver drop dry during early earn earth easy eat edge egg eight eleven empty end
    english enjoy enter entire especially evening event everybody exact example excellent except
    exciting expected experience explain eye face fact fail fair fall false family famous fan far farm
    fast father favorite favourite fear february feel feeling felt field fight figure fill film final
    finally fine finger finish fire firm fish five floor flower fly follow food foot force foreign
    forest forever form forward four free friday friend front fruit full fun funny future game garden
    gas gave general gift girl give glad glass go goes going gone got great green ground group grow
    guess guy guys hair half hall hand happen happened happy hard hat hate head health hear heard heart
    heat heavy held hello her high hill history hold holder holiday home hope horse hospital hot hotel
    hour house huge husband idea important inside instead interest interesting invite iron island
    january job join joke july june jump keep kept kid kids kind king kitchen knew know known lady land
    language large later laugh law lay lead learn leave led left leg lesson letter level library lie
    life light likes line list listen little live lives living local long look looked looking loose
    lot lots loud love low lunch machine main major make makes making man many march mark market
    married matter meal mean meant meet meeting member memory men message met middle mind minute
    minutes miss mom moment monday month months moon morning mother mountain mouth move movie mr mrs
    music name natural nature nearly necessary neck never new news newspaper nice night nine noise
    normal north nose note nothing notice november number october office officer oil old older open
    opened orange organize outside page pain paint pair paper parent parents park part party pass past
    pay peace pen pencil people perfect period person phone pick picture piece place plan plane plant
    play please plenty pocket point police poor popular position possible possibly power present
    pretty print private probably program project promise proper public pull push put quick quickly
    quiet race radio rain raise ran reach read ready real reason red remember rent reply report rest
    result rich ride right ring rise river road rock room round rule run running sad safe said sale
    salt sat saturday save saw say says school science sea season seat second seem seen sell send
    sense sent september serious serve service seven several shall shape share sharp sheet shirt shoe
    shoes short shot show shown shut sick side sign simple sing single sir sister sit site six size
    skin sky sleep slow small smell smile snow soft soldier son song sorry sort sound south space speak
    special speed spend spent sport spring square staff stand star start state station stay step stick
    stone stop store storm story straight strange street strong student study style subject success
    sudden sugar summer sun sunday supper sure surprise sweet swim system table take taken talk tall
    taste tea teach teacher team tell ten test text thank thanks thing things think thinking third
    thirty thought thousand three throw thursday ticket tie time times tired title today together told
    tomorrow tonight took top total touch tour town toy train travel tree trip true try trying tuesday
    turn twelve twenty two type uncle understand unit upon upset use used useful usual usually value
    village visit voice wait waiting walk wall warm wash watch water way wear weather website wednesday
    week weekend weeks weight went west wet white wide wife wild win wind window winter wish woman
    women wonder wonderful wood word words worker world worry write writing wrong year years yellow
    exactly precisely currently basically literally honestly seriously apparently supposedly definitely
    probably totally completely absolutely ages device devices
    yesterday young process processing processed ugh argh meh omg wtf gosh damn oops code codes wrote written install installed installing installation border older order orders boarder recorder holder colder folder wander wonder
    charger changer larger bigger stranger danger hanger ranger manager managers parent patent parcels
    account accounts counter counted mounted amount amounts discount discounts profit profile profiles
    refine review reviews revise reverse return returns retune tune retry retire retain
    pass passed passes passing past paste pasta fees feed feeds feel free freed flee
    bill bills billion ball bell bull pill kill fill mill will skill still till
    deliver liver delivers delver river clever silver
    invoice invoices voice voices noise choice choices
    shipping ship ships shop shops shape shipper whipping chipping shopping dropping
    late plate slate later latest lately rate rated date dated gate mate
    cancel cancels camel candle handle panel parcel kennel channel funnel tunnel
    refund refunds rerun fund funds fun found round
    charge charges charged change changes changed chance chances
    post posts most host cost costs lost lose loss boss toss
    email emails mail mails male
    login logic loin
    agent agents urgent argent
    human humane humans woman
    track tracks truck trucks trick tracked rack crack
    complaint complaints compliant complain
    package packages peckage
    status statue stature states
    restock restocking stuck stock driver fence threw root roots crash crashing crashed crushing app apps
    website site page pages button link links screen loading glitch factor factors
    """
)

# Function words: not content, never a cue on their own.
STOPWORDS: Final = _words(
    """
    a about above after again all am an and any anyone anything are as at be because been before being
    between both but by can could did do does doing done don down during each else even ever every for
    from further get gets getting got had has hasn have haven having he her here hers him his how i if
    in into is isn it its just let like me might mine more most much must my myself no nor not now of off
    on once only or other our out over own per please pls plz really same shall she should so some such
    than that the their them then there these they this those through to too under until up us very was
    wasn we were what whats when where which while who whom why will with won would yes yet you your
    yours u ur ya im ive id t s m ll ve re d doesn didn can't cant dont wont isnt wasnt aint ain gonna
    wanna gotta kinda hey hi hello oh ok okay well also still anyway today tomorrow tonight right now
    again already thing there do going go know think tell say said see way would like one two
    """
)

# Everyday words of shop messages (products, materials, people, verbs): known, so never "corrected"
# into a cue word ("jacket" is not a misspelt "packet", "socks" not "stock").
RETAIL_WORDS: Final = _words(
    """
    jacket jackets coat coats socks sock shoes shoe boots boot sneakers trainers sandals slippers shirt
    shirts tshirt tee tees hoodie hoodies sweater jumper cardigan dress dresses skirt jeans trousers pants
    shorts leggings suit blazer scarf gloves hat cap beanie belt bag bags backpack wallet purse watch
    watches ring necklace bracelet earrings jewelry jewellery sunglasses glasses umbrella towel towels
    sheet sheets pillow pillows blanket duvet mattress bed sofa couch chair chairs table desk lamp lamps
    mug mugs cup cups plate plates bowl bowls glass kettle toaster blender mixer fridge freezer oven
    microwave vacuum cleaner iron fan heater laptop laptops computer tablet phone phones charger cable
    cables headphones earbuds speaker speakers camera tv television monitor keyboard mouse printer ink
    toner console controller game games toy toys puzzle lego doll book books notebook pen pens pencil
    paper poster frame candle candles vase plant plants pot pots pan pans knife knives fork spoon
    grinder coffee tea beans perfume shampoo soap cream lotion makeup lipstick brush vitamins supplements
    food snacks wine bottle bottles battery batteries bulb bulbs tool tools drill hammer screws bike
    bicycle helmet tent stroller pram crib diapers nappies medium large small xl xxl size sizes colour
    colours color colors black white red blue green yellow pink purple grey gray beige navy silver gold
    cotton wool leather plastic metal wood wooden steel fabric material quality model version brand
    gift gifts present birthday christmas wedding sale sales offer offers deal deals black friday
    treated treat treats sure surely soon sooner wife husband son daughter mom mum dad mother father
    friend friends neighbor neighbour kids baby partner boss colleague guy lady sir madam
    shows showed showing looks looked seems seemed thought wondering wonder hoping hope wish wished
    received receiving arrives arriving expected expecting ordered ordering bought buying sold selling
    carried carry carries parked marked worked working faulty fault faults defect defective broken
    scratched torn stained ripped cracked leaking leak smell smells wet dirty fake counterfeit
    cheaper cheapest pricey expensive worth
    zipper zip strap straps button buttons screen lid handle sole soles heel heels seam stitching plug lens
    wheel wheels drawer hinge hinges cord remote part parts piece pieces box packaging label tag tags
    """
)

# Goods a customer names instead of the order ("cancel the shoes", "return the jacket").
GOODS: Final = _words(
    """
    kit kits mat mats bands blocks tiles maps lights gel bath converter reader clocks seeds canvas
    jacket jackets coat coats socks shoes boots sneakers trainers sandals slippers shirt shirts tshirt
    hoodie hoodies sweater jumper cardigan dress dresses skirt jeans trousers pants shorts leggings blazer
    scarf gloves hat backpack wallet watch necklace bracelet earrings sunglasses umbrella towels pillow
    blanket duvet mattress sofa couch chair lamp mug mugs kettle toaster blender laptop tablet
    headphones earbuds speaker camera tv monitor keyboard printer console controller toy toys puzzle
    lego doll book books vase candle grinder perfume shampoo bike bicycle helmet tent stroller item items
    product products boot
    fryer espresso skillet flask cookware smartwatch webcam ssd dumbbells headlamp roller easel serum
    toothbrush dryer hairbrush trimmer hose shears feeder bench chinos beanie vest shredder whiteboard
    organiser almanac novel dictionary atlas balm knife plates towel jacket sneakers mouse charger
    machine bottle press bin wateringcan trashcan garbagecan spraycan
    """
)
# Brands and models: known words, never split ("iphone" is not "i phone") nor "corrected".
BRANDS: Final = _words(
    "iphone ipad macbook airpods android samsung galaxy pixel xiaomi huawei sony lg nike adidas puma "
    "lenovo dell asus acer bosch philips dyson nespresso lego"
)

# Abbreviations and four-letter misspellings, replaced before stemming (fuzzy matching starts at
# five letters); a domain adds the short forms of its own words (Vocabulary.abbreviations).
ABBREVIATIONS: Final[dict[str, str]] = {
    "ordr": "order", "oder": "order",
    "ord": "order", "pkg": "package", "pkge": "package", "pckg": "package", "parcl": "parcel",
    "addr": "address", "adr": "address", "pmt": "payment", "pymt": "payment", "pymnt": "payment",
    "refnd": "refund", "rfnd": "refund", "invc": "invoice", "inv": "invoice", "deliv": "delivery",
    "dlvry": "delivery", "pswd": "password", "passwd": "password",
    "cc": "card", "cs": "support", "custserv": "support", "recpt": "receipt", "rcpt": "receipt",
    "sub": "subscription", "subs": "subscription", "unsub": "unsubscribe", "newsltr": "newsletter",
    "nr": "number", "num": "number", "msg": "message", "thx": "thanks",
    "bc": "because", "cuz": "because", "coz": "because", "rn": "now", "wen": "when", "wher": "where",
}

# fmt: on
# fmt: off
# ------------------------------------------------------------------ discourse: negation, contrast, asides
# Written in the normaliser's form: lower case, apostrophes turned into spaces ("don't" -> "don t").

# A disclaimer ("I don't want a refund", "this is not about billing", "not a complaint") takes the cue
# words after it out of the request, up to a contrast word or the end of the clause. A negation
# followed by one of DISCLAIM_HEADS is a disclaimer; a negation of an event ("hasn't arrived",
# "didn't get my refund") is a problem report and stays a request.
NEGATORS: Final = _words("not dont don didnt didn never no nor isnt isn wasnt wasn aren arent nothing without")
DISCLAIM_HEADS: Final = _words(
    "want wanted wanting need needed needing asking ask asked about regarding re related mean meant "
    "looking interested talking complaining complain worried bothered care fussed trying after chasing "
    "against "
    "a an any "
    "quiero necesito busco sobre veux voudrais besoin cherche concerne will möchte moechte brauche wegen "
    "geht wil hoef zoek gaat over por pour un una une ein eine einen een"
)
# After "not a/an/any": only these nouns make a disclaimer ("not a complaint"), so "not a single
# email arrived" still reports a problem.
DISCLAIM_NOUNS: Final = _words(
    "complaint problem issue question request refund return claim complaint concern big "
    "problema problème probleme problem probleem queja plainte klacht beschwerde pregunta frage vraag"
)
CONTRAST: Final = _words(
    "just only but instead rather simply merely actually except apart however though although "
    "solo sino pero sólo solamente nur sondern aber seulement mais juste alleen maar slechts enkel"
)
# "not X but rather Y" in the other languages: a negator before one of these disclaims what lies
# between (also across a comma: "Nicht die Lieferung ist das Problem, sondern die Abbuchung").
CORRECTIONS: Final = _words("sondern sino")
# Pronouns after a disclaimer point back at what the clause (or the one before it) said:
# "I got the refund already so it's not about that".
ANAPHORS: Final = _words("that this it those these one")

# An aside (a passing mention) is a clause that reports something fine, thanks for something, or is
# marked as by-the-way: its domains are routed to only when nothing else in the request is.
ASIDE_WORDS: Final = _words(
    "btw fine ok okay good great perfect lovely love loved loving fan sorted resolved already thanks "
    "thank appreciate appreciated happy pleased glad loyal worked works safely quick fast smooth speedy "
    "prompt early brilliant excellent superb spotless "
    "danke dank merci gracias bedankt dankjewel schnelle schnell rapide rapidez rápida rapida rápido rapido "
    "snelle snel pünktlich puenktlich rechtzeitig puntual netjes zwar"
)
ASIDE_PHRASES: Final[tuple[str, ...]] = (
    "by the way", "no issue", "no issues", "no problem", "no problems", "all good", "on time", "went fine",
    "was fine", "is fine", "thanks for", "thank you for", "cheers for", "thx for", "ta for", "thanks so much for",
    "thank you so much for", "thanks again for", "appreciate you", "big fan", "love the", "love your", "loved the",
    "that part is fine", "that s fine", "that s sorted", "got the refund", "not the problem", "not an issue",
    "no complaints", "loyal customer", "this time", "came through", "went through", "got my refund", "received my refund", "got my money back",
    "arrived safely", "arrived fine", "arrived ok",
    # the other languages: it came on time, it arrived well
    "a tiempo", "op tijd", "à temps", "a temps", "à l heure", "a l heure", "bien arrivé", "bien arrive",
    "bien reçu", "bien recu", "goed aangekomen", "gut angekommen", "bien llegado", "llegó bien", "llego bien",
)
# After an aside phrase, only these in the rest of the clause make it a request after all.
ASIDE_PHRASE_BREAKERS: Final = _words(
    "not never still again wrong twice double but why please pls need want can could would how where when "
    "what help cant won wont didn didnt hasn hasnt haven havent isn isnt if whether"
)
# A report of what the customer already did ("I returned the coat last week", "we moved in March")
# before the actual question is background: "I" or "we", then a verb in the past, no problem word.
NARRATIVE_SUBJECTS: Final = _words("i we")
PAST_IRREGULAR: Final = _words(
    "bought paid sent got made took gave came went told said spoke rang wrote brought put left found "
    "kept sold moved"
)
# Verbs in the past that still ask for something: "I wanted to give feedback", "I needed the invoice".
WISH_VERBS: Final = _words("wanted needed tried hoped wondered wished expected meant intended planned")
# Who said something is its source, not a request: "the agent on the chat said the parcel would come
# Monday", "I was told by your support team that the refund was issued".
REPORTING_VERBS: Final = _words("said says told promised claimed mentioned assured")
REPORTERS: Final = _words(
    "agent agents colleague colleagues support team chat staff someone somebody representative rep operator "
    "they he she manager service person lady guy woman man advisor adviser"
)
# What a complaint is about is its topic, not another request: "a complaint about the late parcel".
# Spanish "devolver" is both to return (goods) and to give back (money): "me devolvéis / me vais a devolver /
# me pueden devolver" (you give back to me) is money, "me gustaría devolverlos" (I would like to return them)
# is goods. A regex (case-insensitive): the router reads it as a refund, and so does the refunds agent.
GIVE_BACK_ES: Final = (
    r"\b(?:me|nos)\s+(?:(?:vais|van|va|vas)\s+a\s+devolver|(?:pueden|puede|pod[ée]is|podr[íi]an|podr[íi]a|podr[íi]as|tienen"
    r"|ten[ée]is|deben|deb[ée]is)\s+(?:que\s+)?devolver|devolv[ée]is|devolv[áa]is|devuelvan|devuelvas|devuelven|devuelve"
    r"|devolver[áa]n|devolver[ée]is)\b"
)
# Anger with nothing it is about ("This is ridiculous.", "unacceptable!!"): what went wrong is asked.
OUTBURSTS: Final = _words(
    "ridiculous outrageous unacceptable shocking disgusting disgusted disgrace shambles terrible awful"
    " appalling pathetic useless horrible rubbish nonsense absurd insane unbelievable joke"
    " inadmissible inacceptable scandaleux honteux unverschämt inakzeptabel frechheit unmöglich"
    " inaceptable vergonzoso indignante intolerable schandalig belachelijk onacceptabel"
)
COMPLAINT_HEADS: Final = _words("complain complaint complaining complained grievance")
TOPIC_MARKERS: Final = _words("about regarding concerning over re")
# A clause these open ("..., but I'd like to stop the e-mails") makes a friendly or abandoned clause
# before it a preface: "I really like your shop, but ...", "I was going to complain but actually ...".
CONTRAST_OPENERS: Final = _words("but however though although")
PRAISE_WORDS: Final = _words(
    "like love liked loved great amazing fantastic brilliant happy pleased enjoy enjoyed fan nice lovely "
    "wonderful excellent good friendly helpful usually normally"
)
ABANDONED: Final[tuple[tuple[str, ...], ...]] = (
    ("was", "going", "to"), ("was", "gonna"), ("were", "going", "to"), ("thought", "about"),
    ("was", "about", "to"), ("almost",), ("nearly",),
)
# When something happened: with one of these a clause that asks nothing is background ("ordered them
# back in October", "devolví el reloj hace semanas", "vor zwei Wochen bestellt", "il y a un mois").
AGO_MARKERS: Final = _words("ago hace geleden")
# A day and a month ("am 3 Mai", "le 12 mars", "el 5 de junio", "op 3 mei"): the other languages' months
# (English "may" and "march" are verbs too, so English months are left to DATED_PAIRS).
MONTHS: Final = _words(
    "januar februar märz maerz april mai juni juli august september oktober november dezember "
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre diciembre "
    "janvier février fevrier mars avril juin juillet août aout septembre octobre novembre décembre decembre "
    "januari februari maart mei augustus oktober"
)
DATED_PAIRS: Final = frozenset(
    (a, b)
    for a, bs in {
        "back": "in on last",
        "last": "week month year monday tuesday wednesday thursday friday saturday sunday night",
        "il": "y",
        "vor": "einer einem zwei drei vier fünf fuenf wochen tagen monaten kurzem",
        "vorige": "week maand",
        "vorig": "jaar",
        "la": "semaine",
        "le": "mois",
        "semana": "pasada",
        "mes": "pasado",
        "letzte": "woche",
        "letzten": "monat",
    }.items()
    for b in bs.split()
)
QUESTION_WORDS: Final = _words(
    "where when why how what which who can could would will is are does do did has have "
    "dónde donde cuándo cuando por qué cómo como wo wann warum wie waar wanneer waarom hoe où quand "
    "pourquoi comment est"
)
# Problem and request words of the other languages: a clause with one is not background.
FOREIGN_BREAKERS: Final = _words(
    "no nicht kein keine niet geen pas ne jamais nunca nie nooit todavía noch toujours nog aún "
    "quiero necesito möchte will brauche veux voudrais besoin wil graag bitte favor svp plait plaît "
    "alstublieft aub annulez annuleer cancelen sollte sollten hätte debería deberia debía debia devait devrait "
    "moest denme dame deme darme cambien cambie cancelen quitadme quítame envíen envíenme mándenme "
    "ändern schicken stornieren changez envoyez wijzig stuur"
)
# A short question about something named before: "where is it now?", "when will they come?".
# "... did it go through?", "est-ce que c'est bien pris en compte ?", "hat das geklappt?"
FOLLOW_UP_QUESTIONS: Final = _words(
    "where when why how status happened happening going pris geklappt gelukt funcionado"
)
FOLLOW_UP_PRONOUNS: Final = _words("it they them that those c ça ca das het")
# A reason clause ("because ...", "since ...") is background unless it asks for something itself.
# "while I'm locked out, can you ...": the circumstance the request is asked in, said by the way
REASON_MARKERS: Final = _words("because becuase becasue beacuse cause cuz coz bc since due seeing while whilst")
REASON_AS_SUBJECTS: Final = _words("the my i it we they this that he she you")
REQUEST_MARKERS: Final = _words("please pls plz want need like can could would help refund cancel")
# A clause that opens with one of these drops what follows ("forget the invoice, ...", "never mind
# the refund"): a dismissal is a disclaimer without a negation.
DISMISSALS: Final = _words("forget nevermind scratch")
# Words that mark what came before as an aside ("big fan of your e-mails, anyway, where is my order").
ASIDE_ENDERS: Final = _words("anyway anyhow anyways regardless")
# An aside needs one of ASIDE_WORDS / ASIDE_PHRASES and none of these (a complaint is not an aside).
ASIDE_BREAKERS: Final = _words(
    "not never no still wrong broken missing late problem issue twice double but why cant can t "
    "won t wont didn didnt hasn hasnt haven havent isn isnt please pls need want can could would how where "
    "when what help damaged broken faulty defective lost stolen charged overcharged refund cancel return "
    "wrong late delayed missing make ensure locked blocked hacked "
    "crushed smashed dented torn ripped soaked drenched cracked scratched leaking rude"
)

# ------------------------------------------------------------------ other companies' services
# A clause about another company's service ("my Netflix subscription", "log into my Instagram") is out
# of scope unless it also refers to this store ("your", an order number).
# (Names that are everyday words too, such as Target or Booking, are left out: "the target date".)
OTHER_COMPANIES: Final = _words(
    "amazon ebay etsy aliexpress temu shein zalando asos walmart ikea coolblue "
    "netflix spotify disney hulu hbo youtube twitch playstation xbox nintendo "
    "instagram facebook whatsapp tiktok snapchat twitter linkedin reddit "
    "google microsoft uber lyft airbnb expedia ryanair easyjet lufthansa klm "
    "vodafone verizon tmobile telekom landlord gym insurer airline airlines "
    "ubereats deliveroo doordash justeat grubhub tesco sainsburys asda lidl aldi argos currys "
    "zara primark uniqlo bol otto mediamarkt fnac cdiscount movistar telefonica orange claro bouygues sfr kpn"
    " darty boulanger decathlon"
)
# Services the store does not offer, and other providers' things: "my phone bill", "my electricity
# provider", "a library book", "my Gmail password". Single words, and pairs written "first second".
OTHER_SERVICES: Final = _words(
    "electricity mortgage loan loans insurance insurer library landlord rent council pension salary "
    "employer dentist broadband utility utilities icloud windows macos outlook savings overdraft doctor "
    "lawyer solicitor therapist vet police accountant embassy pharmacy"
)
OTHER_SERVICE_PAIRS: Final = frozenset(
    (a, b)
    for a, bs in {
        "phone": "bill bills plan contract provider carrier tariff",
        "mobile": "bill plan contract provider carrier tariff data signal network",
        "gas": "bill bills provider supplier",
        "water": "bill bills provider supplier",
        "energy": "bill bills provider supplier company",
        "internet": "provider bill contract connection",
        "wifi": "router password network",
        "router": "password settings",
        "gmail": "password account inbox login",
        "outlook": "password account inbox login",
        "hotmail": "password account inbox login",
        "yahoo": "password account inbox login",
        "apple": "id",
        "laptop": "password pin passcode login",
        "computer": "password pin passcode login",
        "pc": "password pin passcode login",
        "tablet": "password pin passcode",
        "iphone": "password pin passcode",
        "email": "inbox",
        "inbox": "full",
        "interest": "rate rates",
        "credit": "score rating limit history",
        "car": "insurance loan rental lease",
        "tax": "return office refund",
        "student": "loan",
        "trade": "in ins",  # "do you do trade-ins?": the store buys nothing back
        # "my old laptop (bought elsewhere)": another shop's goods
        "bought": "elsewhere", "ordered": "elsewhere", "purchased": "elsewhere",
        "health": "insurance",
        # another shop's parcel or order is theirs: "my DPD parcel from another shop"
        "another": "shop store website retailer seller company",
        "other": "shop shops store stores retailer retailers",
        "different": "shop store website retailer seller",
        "just": "eat",
        "work": "email laptop computer",
        "password": "manager managers wifi router laptop computer",
        "close": "bank",  # "close my bank account" (a charge to "my bank account" is ours)
        "parking": "fine ticket permit",
        "speeding": "fine ticket",
        "passport": "renewal application office",
        "driving": "licence license test",
        "scam": "website site email call",
    }.items()
    for b in bs.split()
)
# Means of payment and carriers: ours when used ("paid with PayPal", "DHL says delivered"), another
# company's service when their own platform is the subject ("my PayPal account got hacked").
PROVIDERS: Final = _words(
    "paypal klarna visa mastercard amex revolut stripe venmo dhl ups fedex dpd gls postnl usps hermes "
    "evri bpost correos chronopost colissimo bank"
)
PROVIDER_PLATFORM: Final = _words("account app login password profile website site subscription wallet")
# "my bank account was charged twice" is about this store's charge: a bank's platform is its app or site.
PROVIDER_PLATFORM_EXCEPT: Final[dict[str, frozenset[str]]] = {"bank": _words("account accounts")}
# Before a company's name these make it the means, not the subject ("signed up with Google", "paid via
# PayPal", "refund to my PayPal account").
MEANS_MARKERS: Final = _words("with via through using")
DETERMINERS: Final = _words("my the a an our his her their")
SIGN_IN_OR_PAY: Final = _words(
    "sign signed signing log logged logging login register registered pay paid paying checkout linked "
    "link connect connected"
)
PROVIDER_MEANS_MARKERS: Final = _words("with via through using by to onto from checked check checking looked saw seen")
STORE_REFERENCES: Final = _words("your ur yours xorderidx xinvoiceidx xtrackingx")

# ------------------------------------------------------------------ general questions
# "what is a chargeback in general", "for my economics class": knowledge, not the customer's case.
GENERAL_PHRASES: Final[tuple[PhraseSpec, ...]] = (
    (("in", "general"), 0, {"oos": 4.0}),
    (("generally", "speaking"), 0, {"oos": 4.0}),
    (("for", "my our", "class course homework essay exam thesis school university lecture assignment"), 1,
     {"oos": 4.0}),
    (("which what", "is are", "better best"), 1, {"oos": 2.5}),
    (("or", "which", "is", "better"), 2, {"oos": 3.0}),
    (("should", "i", "buy get choose pick"), 0, {"oos": 2.5}),
    (("which what", "is are s", "the", "best"), 2, {"oos": 3.0}),
    (("become be work", "a an as", "courier driver employee"), 1, {"oos": 3.0}),
    (("how", "do", "i", "use wash clean assemble operate"), 0, {"oos": 2.0}),
    (("explain", "like"), 3, {"oos": 3.0}),
    (("recommend suggest", "a an some me"), 1, {"oos": 2.5}),
    (("file do", "my our", "taxes tax"), 1, {"oos": 4.0}),
    (("tax", "return returns"), 0, {"oos": 3.0}),
    (("book", "me us a an", "train flight taxi table hotel room ticket tickets"), 2, {"oos": 4.0}),
    # "booking" alone shares "book"'s stem, and the shop sells books: a booking is of something else
    (("booking bookings reservation", "for of at"), 0, {"oos": 1.5}),
    (("hotel flight train table room taxi restaurant", "booking bookings reservation"), 0, {"oos": 2.5}),
    (("train bus concert cinema movie plane", "ticket tickets"), 0, {"oos": 4.0}),
    (("rental hire", "car cars van"), 0, {"oos": 4.0}),
    (("build make code create write", "page website app site", "react html css python javascript wordpress"),
     3, {"oos": 4.0}),
    (("percent", "of"), 0, {"oos": 3.0}),
    (("how", "do", "you", "say spell pronounce"), 0, {"oos": 3.0}),
    (("what", "does", "mean"), 3, {"oos": 2.0}),
    (("in", "the", "world"), 0, {"oos": 3.0}),
    (("convert", "xamountx dollars euros pounds currency currencies"), 2, {"oos": 4.0}),
    (("exchange", "rate rates"), 0, {"oos": 3.0}),
    (("something anything", "funny interesting"), 1, {"oos": 3.0}),
    (("how", "many much", "is are"), 0, {"oos": 0.5}),
    (("explain", "how what"), 1, {"oos": 1.0}),
    # the assistant's own opinion or a recommendation: "which brand is best in your opinion"
    (("in", "your", "opinion view"), 0, {"oos": 4.0}),
    (("which", "is are", "best better"), 4, {"oos": 2.5}),
    (("is", "it", "worth"), 0, {"oos": 2.5}),
    (("prime", "minister"), 0, {"oos": 4.0}),
    (("do does can", "you", "repair mend install"), 1, {"oos": 3.0}),
    (("do will would", "you", "buy"), 0, {"oos": 3.0}),  # selling to the store
    (("work", "for at", "you your"), 0, {"oos": 2.5}),  # a job
    (("who", "owns own runs"), 0, {"oos": 3.0}),
    (("choose pick find recommend suggest", "a an", "present gift"), 1, {"oos": 3.0}),
    (("second", "hand"), 0, {"oos": 2.0}),
    (("how", "to", "wash clean assemble operate install"), 0, {"oos": 2.5}),
    # the customer sending something of their own: "I need to send a parcel to Spain", "ship a car"
    (("send post ship", "a an", "parcel package letter card car"), 0, {"oos": 4.0}),
)

# ------------------------------------------------------------------ languages
# Function words identify a request's language (a request shorter than a sentence in one of these is
# recognised by its cue words too); each domain declares its cue words per language
# (Vocabulary.foreign), stemmed with that language's Snowball stemmer.
LANGUAGES: Final[dict[str, str]] = {
    "de": "german",
    "es": "spanish",
    "fr": "french",
    "nl": "dutch",
    # Portuguese since 2026-12-03: the blind writers of batches 19 and 20 wrote to the store in it
    "pt": "portuguese",
    # Italian since 2026-12-03: batch 21's writer, and held-out cases of earlier batches, wrote in it
    "it": "italian",
}
FUNCTION_WORDS: Final[dict[str, frozenset[str]]] = {
    "en": _words(
        "the and is are my i you your to of it was have has not do does can please where what when why how "
        "with for me this that on at be been would could want need a no just will"
    ),
    "de": _words(
        "ich mein meine meinen meiner mir mich und ist sind nicht kein keine wurde wurden bitte wie wo was "
        "wann warum mit für der die das ein eine einen den dem zu ist habe hat haben noch schon möchte "
        "moechte will kann können koennen sie ihr ihre es auf aus bei von nach ja nein oder auch "
        "immer zweimal doppelt"
    ),
    "es": _words(
        "yo mi mis me el la los las un una y es son no por para con que qué como cómo donde dónde cuando "
        "cuándo quiero necesito puedo puede tengo ha han he del al lo le su sus muy ya todavía aún "
        "gracias favor hola dos veces"
    ),
    "fr": _words(
        "je j me m mon ma mes le la les un une et est sont ne pas n plus pour avec que qu quoi comment où "
        "ou quand veux voudrais peux pouvez ai a été du des au aux il elle vous votre vos on toujours "
        "encore deux fois merci bonjour ça ce cela c"
    ),
    "nl": _words(
        "ik mijn me mij en is zijn niet geen de het een van voor met wat hoe waar wanneer waarom wil "
        "kan kunt heb heeft nog al ook maar graag je jullie u uw er op te dat dit wordt werd twee keer "
        "dubbel hoi hallo bedankt"
    ),
    # Portuguese words Spanish does not share ("no", "que", "por favor" are both): Spanish wins a tie
    "pt": _words(
        "eu meu minha meus minhas não você vocês os um uma é são da dos das na nas nos em ao à pelo pela com "
        "onde quando quero preciso posso tenho já ainda também obrigado obrigada olá isso está estou foi"
    ),
    # Italian words the other languages do not share ("per", "con", "una" are Spanish too: a tie goes to
    # the language listed first)
    "it": _words(
        "il di che non sono mio mia miei mie ho hai è perché perche voglio vorrei posso potete potreste "
        "ancora già anche grazie ciao buongiorno buonasera io gli della dello delle nel nella nei sul sulla "
        "mai niente nessun nessuna questo questa quello quella quanto quanti ecco stato stata fatto mi ci "
        "vi ne dove cosa volte"
    ),
}
# Greetings, thanks, farewells and small talk in each language, as whole messages: "hola", "merci
# beaucoup", "ok thanks bye". A message is a greeting when it has one of GREETING_CORE (or a phrase of
# GREETING_PHRASES) and nothing else but these words, POLITE filler and function words.
GREETINGS: Final[dict[str, frozenset[str]]] = {
    "en": _words(
        "hi hello hey hiya yo howdy greetings morning afternoon evening good thanks thank thx ty cheers bye "
        "goodbye cool great nice awesome perfect lol haha hmm sup lovely brilliant cheerio ta ok okay alright "
        "fab super wonderful fantastic amazing excellent"
    ),
    "de": _words(
        "hallo hi hey guten tag morgen abend danke schön schoen vielen dank tschüss tschuess servus moin "
        "zusammen super toll prima alles klar schönen schoenen noch wiedersehen auf bis bald"
    ),
    "es": _words(
        "hola buenos buenas días dias tardes noches gracias muchas adiós adios saludos vale genial que qué "
        "tengas buen día dia luego hasta pronto todo"
    ),
    "fr": _words(
        "bonjour salut bonsoir merci beaucoup au revoir bonne journée journee super génial soirée soiree "
        "ça ca va bientôt bientot à"
    ),
    "nl": _words(
        "hoi hallo hey goedemorgen goedemiddag goedenavond dank je wel bedankt dankjewel doei fijne dag tot "
        "ziens top super nog prettige hoe gaat het"
    ),
    "pt": _words("olá ola oi bom boa dia tarde noite obrigado obrigada muito tchau até logo ótimo otimo"),
    "it": _words(
        "ciao salve buongiorno buonasera buonanotte grazie mille tante arrivederci buona giornata serata "
        "presto perfetto ottimo benissimo tutto bene a"
    ),
}
POLITE: Final = _words(
    "so much lot lots very really all that everything good great nice day weekend evening night team there "
    "guys folks everyone anyone again for your the you bye later see soon ok okay alright cool perfect "
    "awesome wonderful lovely brilliant super fantastic amazing appreciate appreciated kind sir madam friend "
    "mate buddy u ya how are doing today going up well fine i m s no nothing else needed all "
    "helpful been being quick fast top one tonight enjoy rest happy new year merry christmas holidays "
    "easter take care soon wish pleasant week monday tuesday wednesday thursday friday saturday sunday"
)
# Thanks may name what they are for: "thanks for the help", "gracias por la ayuda".
THANKS_WORDS: Final = _words(
    "thanks thank thx ty cheers appreciate merci danke dank gracias bedankt dankjewel obrigado obrigada grazie"
)
THANKS_FOR: Final = _words(
    "help helping support assistance time patience response reply answer ayuda hilfe aide hulp info "
    "information"
)
GREETING_CORE: Final = _words(
    "hi hello hey hiya yo howdy greetings morning afternoon evening thanks thank thx ty cheers bye goodbye "
    "hallo danke dank tschüss tschuess servus moin hola gracias adiós adios saludos buenos buenas bonjour "
    "salut bonsoir merci revoir hoi bedankt dankjewel doei goedemorgen goedemiddag goedenavond ziens "
    "ok okay alright cool lol haha great perfect awesome nice brilliant lovely super ta tysm tyvm sup thnx "
    "thanx thks guten morgen tag schönen schoenen wiedersehen gruss grüss buen fijne prettige bonne "
    "soirée soiree olá oi obrigado obrigada tchau ciao salve buongiorno buonasera grazie arrivederci"
)
# Out-of-scope topics in the other languages (weather, jokes, recipes, travel, time, translation).
FOREIGN_OOS: Final[dict[str, dict[str, float]]] = {
    "de": {
        "wetter": 3.0, "witz": 3.0, "witze": 3.0, "rezept": 3.0, "kochen": 2.0, "flug": 3.0, "hotel": 3.0,
        "urlaub": 2.5, "reise": 2.0, "übersetzen": 3.0, "gedicht": 3.0, "hauptstadt": 3.0, "fußball": 3.0,
        "restaurant": 2.5, "hausaufgaben": 3.0, "film": 2.0, "spät": 1.5, "uhrzeit": 3.0, "programmieren": 3.0,
    },
    "es": {
        "tiempo": 1.5, "clima": 2.5, "llover": 3.0, "lluvia": 3.0, "chiste": 3.0, "receta": 3.0, "vuelo": 3.0,
        "hotel": 3.0, "vacaciones": 2.5, "viaje": 2.0, "traducir": 3.0, "poema": 3.0, "capital": 2.0,
        "fútbol": 3.0, "restaurante": 2.5, "recomiendas": 1.5, "deberes": 3.0, "película": 3.0, "hora": 1.5,
        "hará": 1.0,
    },
    "fr": {
        "temps": 1.5, "météo": 3.0, "pleuvoir": 3.0, "blague": 3.0, "recette": 3.0, "vol": 2.0, "hôtel": 3.0,
        "vacances": 2.5, "voyage": 2.0, "traduire": 3.0, "poème": 3.0, "capitale": 3.0, "football": 3.0,
        "restaurant": 2.5, "devoirs": 3.0, "film": 2.0, "heure": 1.5, "raconte": 1.5,
    },
    "nl": {
        "weer": 2.0, "regenen": 3.0, "grap": 3.0, "mop": 3.0, "recept": 3.0, "vlucht": 3.0, "hotel": 3.0,
        "vakantie": 2.5, "reis": 2.0, "vertalen": 3.0, "gedicht": 3.0, "hoofdstad": 3.0, "voetbal": 3.0,
        "restaurant": 2.5, "huiswerk": 3.0, "film": 2.0, "laat": 0.5,
    },
    "pt": {
        "tempo": 1.5, "chover": 3.0, "chuva": 3.0, "piada": 3.0, "receita": 3.0, "voo": 3.0, "hotel": 3.0,
        "férias": 2.5, "viagem": 2.0, "traduzir": 3.0, "poema": 3.0, "capital": 2.0, "futebol": 3.0,
        "restaurante": 2.5, "filme": 3.0, "horas": 1.0,
    },
    "it": {
        "tempo": 1.5, "pioggia": 3.0, "piovere": 3.0, "barzelletta": 3.0, "ricetta": 3.0, "volo": 3.0,
        "albergo": 3.0, "hotel": 3.0, "vacanze": 2.5, "viaggio": 2.0, "tradurre": 3.0, "poesia": 3.0,
        "capitale": 2.0, "calcio": 3.0, "ristorante": 2.5, "film": 2.0, "consigliate": 2.0, "consigli": 1.5,
    },
}
# Words that make a short foreign message a vague request ("ik heb een vraag"): clarify, not out of scope.
FOREIGN_VAGUE: Final[dict[str, frozenset[str]]] = {
    "de": _words(
        "problem problems frage fragen hilfe helfen anliegen etwas funktioniert geht kaputt fehler hätte haette mal"
        " dringend da"
    ),
    "es": _words(
        "problema problemas pregunta preguntas ayuda ayudar algo consulta duda funciona funcionar error"
    ),
    "fr": _words(
        "problème probleme problèmes question questions aide aider quelque chose souci marche fonctionne erreur"
    ),
    "nl": _words("probleem problemen vraag vragen hulp helpen iets werkt fout nodig"),
    "pt": _words("problema problemas pergunta dúvida ajuda ajudar algo funciona erro"),
    "it": _words("problema problemi domanda domande aiuto aiutare qualcosa funziona errore"),
}
# Joiners between two requests, per language (English ones are in the clause splitter).
FOREIGN_JOINERS: Final[dict[str, frozenset[str]]] = {
    "de": _words("und aber sowie außerdem ausserdem auch"),
    "es": _words("y e pero además ademas también tambien"),
    "fr": _words("et mais aussi puis"),
    "nl": _words("en maar ook verder"),
    "pt": _words("e mas também tambem além"),
    "it": _words("e ed ma anche inoltre poi piuttosto"),
}
# A cue after one of these, close behind another domain's strong cue, names what that cue is about
# ("Erstattung für die Rücksendung", "reembolso de la devolución"): it counts as an object there.
MODIFIER_PREPOSITIONS: Final[dict[str, frozenset[str]]] = {
    "de": _words("für fuer von vom zur zum"),
    "es": _words("de del"),
    "fr": _words("de du des d pour"),
    "nl": _words("van voor"),
    "pt": _words("de do da dos das para"),
    "it": _words("di del della dello dei delle per"),
}
MODIFIER_HEAD_WEIGHT: Final = 2.0  # how strong the cue before the preposition must be
# Adjectives that qualify the thing next to them ("ein falscher Betrag", "la dirección incorrecta").
FOREIGN_QUALIFIERS: Final[dict[str, frozenset[str]]] = {
    "de": _words("falsch falsche falscher falschen falsches"),
    "es": _words("equivocado equivocada incorrecto incorrecta erróneo errónea"),
    "fr": _words("mauvais mauvaise erroné erronée faux fausse"),
    "nl": _words("verkeerd verkeerde foute onjuist onjuiste"),
    "pt": _words("errado errada incorreto incorreta"),
    "it": _words("sbagliato sbagliata errato errata"),
}
MODIFIER_LOOK_BACK: Final = 2  # words before the preposition it may be ("geld terug voor")
MODIFIER_WINDOW: Final = 3  # words after the preposition ("de la", "für die", "van de")
# German and Dutch write compounds as one word ("Rücksendeetikett", "bezorgadres"): one that no table
# lists takes the weights of the cue stem it starts (or else ends) with, times COMPOUND_SHARE.
COMPOUNDING: Final = frozenset({"de", "nl"})
COMPOUND_MIN_WORD: Final = 8
COMPOUND_MIN_PART: Final = 5
COMPOUND_SHARE: Final = 0.9
# Disclaimers in other languages: "no quiero", "je ne veux pas", "ich will kein", "ik wil geen".
FOREIGN_NEGATORS: Final = _words("no ne pas nicht kein keine keinen geen niet não nao non")
# fmt: on

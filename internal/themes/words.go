package themes

// The word lists below are small on purpose: enough to keep the words
// that carry no topic out of themes, and to tell praise from complaint in
// comments about a service. They are read only, through an Analyzer.

// stopWords are dropped before themes are built, by locale.
var stopWords = map[string][]string{
	"en": {"a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been",
		"before", "being", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "dont", "down", "during", "each",
		"even", "every", "few", "for", "from", "get", "got", "had", "has", "have", "having", "he", "her", "here", "him", "his",
		"how", "however", "i", "if", "im", "in", "into", "is", "it", "its", "ive", "just", "let", "like", "me", "more", "most", "much",
		"my", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only", "or", "other", "our", "ours", "out", "over",
		"own", "please", "really", "same", "she", "should", "so", "some", "still", "such", "than", "that", "thats", "the",
		"their", "them", "then", "there", "these", "they", "thing", "things", "this", "those", "through", "to", "too", "under",
		"until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "why", "will",
		"with", "would", "you", "your", "yours", "didnt", "doesnt", "isnt", "arent", "wasnt", "werent", "cant", "wont", "cannot", "ive", "weve", "youre", "theyre", "lot", "lots", "always", "never", "ever", "yet", "way", "sure", "well"},
	"fi": {"ja", "on", "ei", "se", "että", "oli", "ovat", "olla", "ole", "mutta", "kun", "niin", "kuin", "jos", "tai", "myös",
		"vain", "me", "te", "he", "hän", "minä", "sinä", "meidän", "teidän", "heidän", "meille", "teille", "meitä", "teitä",
		"mitä", "mikä", "joka", "jotka", "sen", "sitä", "siitä", "tämä", "tämän", "tätä", "nämä", "ne", "niitä", "olisi",
		"olivat", "ollut", "oikein", "todella", "aina", "vielä", "jo", "nyt", "sitten", "taas", "tuli", "tulee", "kaikki", "paljon", "hyvin", "liian",
		"aivan", "ihan", "kyllä", "vaan", "koska", "eikä", "en", "et", "emme", "ette", "eivät", "olen", "olemme", "meillä",
		"teillä", "teiltä", "meiltä", "sekä", "kanssa", "kautta", "jälkeen", "ennen", "aikana", "yksi", "asia", "asiat"},
	"sv": {"och", "att", "det", "som", "en", "ett", "är", "av", "för", "på", "med", "till", "den", "de", "har", "inte",
		"om", "vi", "ni", "jag", "han", "hon", "men", "var", "så", "kan", "ska", "skulle", "från", "eller", "när", "också",
		"bara", "mycket", "alltid", "nu", "då", "här", "där", "vår", "våra", "er", "era", "ert", "oss", "er", "dem", "denna",
		"detta", "dessa", "vad", "vilken", "hur", "än", "utan", "efter", "innan", "under", "över", "varit", "blir", "blev",
		"vara", "sina", "sin", "sitt", "ingen", "inget", "inga", "aldrig", "lite", "väldigt", "riktigt", "ju", "nog", "sak"},
	"de": {"der", "die", "das", "und", "ist", "nicht", "ein", "eine", "einen", "einem", "einer", "zu", "den", "dem", "des",
		"mit", "von", "sich", "auf", "für", "im", "in", "an", "am", "es", "wir", "sie", "ich", "er", "uns", "unser", "unsere",
		"ihr", "ihre", "ihren", "ihrem", "ihrer", "aber", "auch", "als", "wie", "wenn", "oder", "so", "sehr", "noch", "nur",
		"schon", "immer", "mehr", "bei", "nach", "vor", "aus", "um", "über", "war", "waren", "sind", "wird", "werden", "wurde",
		"hat", "haben", "hatte", "kann", "können", "sollte", "sollten", "man", "kein", "keine", "keinen", "nie", "doch",
		"dass", "da", "dann", "denn", "viel", "viele", "bitte", "etwas", "alles", "ganz", "zum", "zur", "vom", "beim"},
	"fr": {"le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "et", "est", "en", "que", "qui", "qu", "ne", "n",
		"pas", "plus", "pour", "par", "sur", "dans", "avec", "au", "aux", "ce", "cette", "ces", "se", "s", "sa", "son", "ses",
		"nous", "vous", "ils", "elles", "il", "elle", "je", "j", "on", "notre", "nos", "votre", "vos", "leur", "leurs", "mais",
		"ou", "où", "si", "très", "trop", "tout", "tous", "toute", "toutes", "été", "être", "sont", "était", "avons", "avez",
		"ont", "a", "ai", "c", "y", "m", "t", "toujours", "jamais", "bien", "aussi", "encore", "déjà", "chose", "fois", "merci"},
	"es": {"el", "la", "los", "las", "un", "una", "unos", "unas", "de", "del", "y", "e", "o", "u", "que", "en", "es", "son",
		"no", "por", "para", "con", "sin", "se", "su", "sus", "al", "lo", "le", "les", "nos", "nuestro", "nuestra",
		"nuestros", "vuestro", "ustedes", "usted", "su", "muy", "más", "pero", "como", "cuando", "si", "ya", "también", "todo",
		"todos", "toda", "hay", "ha", "han", "hemos", "fue", "era", "está", "están", "estamos", "ser", "siempre", "nunca",
		"mucho", "poco", "este", "esta", "estos", "esto", "eso", "ese", "esa", "me", "mi", "yo", "te", "tu", "cosa", "vez"},
	"it": {"il", "lo", "la", "i", "gli", "le", "l", "un", "una", "uno", "di", "del", "della", "dei", "delle", "e", "è", "che",
		"non", "per", "con", "in", "nel", "nella", "su", "al", "alla", "da", "dal", "si", "ci", "ma", "come", "anche", "più",
		"molto", "sono", "siamo", "ha", "hanno", "abbiamo", "era", "stato", "nostro", "nostra", "vostro", "vostra", "sempre",
		"mai", "ancora", "già", "tutto", "tutti", "questo", "questa", "quello", "quando", "se", "o", "cosa", "volta"},
	"zh": {},
}

// hanStopChars join words in Chinese and carry no topic; Han text is cut
// at them.
const hanStopChars = "的了是在和也都很我们你他她它这那就有与及或而但被把对给还又"

// hanNegators turn the Chinese lexicon word right after them around.
const hanNegators = "不没未别无"

// negators turn the next sentiment word around, by locale.
var negators = map[string][]string{
	"en": {"not", "no", "never", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "cant", "cannot", "wont", "nothing", "hardly", "without"},
	"fi": {"ei", "en", "et", "emme", "ette", "eivät", "eikä", "ilman"},
	"sv": {"inte", "ej", "aldrig", "ingen", "inget", "inga", "utan"},
	"de": {"nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals", "ohne"},
	"fr": {"pas", "jamais", "aucun", "aucune", "sans", "ni"},
	"es": {"no", "nunca", "ningún", "ninguna", "ninguno", "sin", "tampoco"},
	"it": {"non", "mai", "nessun", "nessuno", "nessuna", "senza"},
	"zh": {"not", "no", "never", "dont"},
}

// lexicon holds the sentiment words of each locale, as written; they are
// stemmed as comments are.
var lexicon = map[string]struct{ positive, negative []string }{
	"en": {
		positive: []string{"good", "great", "excellent", "friendly", "helpful", "fast", "quick", "quickly", "reliable", "smooth", "smoothly",
			"easy", "happy", "satisfied", "professional", "polite", "fair", "clear", "perfect", "love", "like", "thanks", "thank",
			"impressive", "efficient", "responsive", "punctual", "competent", "best", "nice", "pleased", "recommend", "solid", "fine"},
		negative: []string{"bad", "poor", "slow", "slowly", "late", "delay", "delayed", "broken", "rude", "expensive", "confusing", "wrong",
			"difficult", "hard", "unhappy", "disappointed", "disappointing", "terrible", "awful", "worse", "worst", "problem",
			"problems", "issue", "issues", "complaint", "unreliable", "overpriced", "missing", "fail", "failed", "stuck", "clumsy",
			"waiting", "waited", "nobody", "lost", "annoying", "frustrating", "unclear", "useless"},
	},
	"fi": {
		positive: []string{"hyvä", "hyvää", "hyvin", "erinomainen", "erinomaista", "ystävällinen", "ystävällistä", "nopea", "nopeasti",
			"luotettava", "luotettavaa", "sujuva", "sujui", "sujuvasti", "helppo", "helppoa", "tyytyväinen", "tyytyväisiä",
			"ammattitaitoinen", "ammattitaitoista", "selkeä", "selkeästi", "kiitos", "loistava", "loistavaa", "toimii", "toimiva",
			"asiallinen", "täsmällinen", "kohtuullinen", "kiitettävä", "mahtava", "suosittelen"},
		negative: []string{"huono", "huonoa", "huonosti", "hidas", "hitaasti", "myöhässä", "myöhästyi", "myöhästyivät", "myöhästyy", "viive", "viivästyi", "rikki",
			"kallis", "kallista", "kalliita", "sekava", "sekavia", "väärin", "virhe", "virheitä", "vaikea", "vaikeaa", "pettynyt",
			"ongelma", "ongelmia", "valitus", "epäselvä", "epäselviä", "jumissa", "kömpelö", "odottaa", "odotimme", "kukaan",
			"kauan", "turhauttavaa", "heikko", "kestää"},
	},
	"sv": {
		positive: []string{"bra", "utmärkt", "vänlig", "vänliga", "snabb", "snabbt", "pålitlig", "pålitliga", "smidig", "smidigt", "enkel",
			"enkelt", "nöjd", "nöjda", "professionell", "professionella", "tydlig", "tydligt", "tack", "toppen", "fungerar",
			"punktlig", "trevlig", "trevliga", "kunnig", "kunniga", "rekommenderar", "perfekt", "strålande"},
		negative: []string{"dålig", "dåligt", "dåliga", "långsam", "långsamt", "sen", "sent", "försenad", "försenade", "försening",
			"trasig", "trasiga", "dyr", "dyrt", "dyra", "rörig", "röriga", "förvirrande", "fel", "svår", "svårt", "besviken",
			"problem", "klagomål", "otydlig", "otydliga", "krånglig", "krångligt", "väntat", "vänta"},
	},
	"de": {
		positive: []string{"gut", "gute", "guter", "toll", "ausgezeichnet", "hervorragend", "freundlich", "freundliche", "schnell",
			"zuverlässig", "reibungslos", "einfach", "zufrieden", "professionell", "klar", "übersichtlich", "danke", "prima",
			"pünktlich", "kompetent", "kompetente", "hilfsbereit", "super", "empfehlen", "perfekt", "angenehm", "fair"},
		negative: []string{"schlecht", "schlechte", "langsam", "spät", "verspätet", "verspätung", "verzögerung", "kaputt", "unfreundlich",
			"teuer", "unverständlich", "verwirrend", "falsch", "fehler", "schwierig", "umständlich", "enttäuscht",
			"enttäuschend", "problem", "probleme", "beschwerde", "unzuverlässig", "fehlt", "fehlen", "steckt", "warten",
			"gewartet", "niemand", "ärgerlich", "unklar", "chaotisch", "mangelhaft"},
	},
	"fr": {
		positive: []string{"bon", "bonne", "bien", "excellent", "excellente", "aimable", "aimables", "rapide", "rapidement", "fiable",
			"fiables", "simple", "facile", "satisfait", "satisfaits", "professionnel", "professionnels", "clair", "claire",
			"merci", "parfait", "parfaite", "ponctuel", "ponctuels", "compétent", "compétents", "agréable", "efficace",
			"recommande", "super", "génial", "réactif", "réactifs"},
		negative: []string{"mauvais", "mauvaise", "lent", "lente", "lents", "lentement", "retard", "retards", "panne",
			"pannes", "cher", "chère", "chers", "incompréhensible", "incompréhensibles", "confus", "faux", "erreur", "erreurs",
			"difficile", "compliqué", "compliquée", "déçu", "déçus", "problème", "problèmes", "plainte",
			"bloqué", "attendre", "attendu", "personne", "pénible", "désagréable", "manque"},
	},
	"es": {
		positive: []string{"bueno", "buena", "buen", "bien", "excelente", "amable", "amables", "rápido", "rápida", "rápidamente",
			"fiable", "fiables", "sencillo", "fácil", "satisfecho", "satisfechos", "profesional", "profesionales", "claro",
			"clara", "gracias", "perfecto", "perfecta", "puntual", "puntuales", "competente", "agradable", "eficaz", "eficiente",
			"recomiendo", "estupendo", "genial"},
		negative: []string{"malo", "mala", "mal", "lento", "lenta", "lentos", "tarde", "retraso", "retrasos", "retrasado", "averiado",
			"avería", "averías", "caro", "cara", "caros", "confuso", "confusas", "confusa", "incorrecto", "error", "errores",
			"difícil", "complicado", "complicada", "decepcionado", "problema", "problemas", "queja", "quejas", "atascado",
			"esperar", "esperamos", "nadie", "molesto", "incómodo", "falta"},
	},
	"it": {
		positive: []string{"buono", "buona", "bene", "ottimo", "ottima", "eccellente", "gentile", "gentili", "veloce", "rapido",
			"rapidamente", "affidabile", "semplice", "facile", "soddisfatto", "soddisfatti", "professionale", "chiaro", "chiara",
			"grazie", "perfetto", "puntuale", "competente", "piacevole", "efficiente", "consiglio"},
		negative: []string{"cattivo", "cattiva", "male", "lento", "lenta", "ritardo", "ritardi", "guasto", "guasti", "caro", "cara",
			"costoso", "confuso", "confuse", "sbagliato", "errore", "errori", "difficile", "complicato", "deluso", "problema",
			"problemi", "reclamo", "bloccato", "aspettare", "nessuno", "scomodo"},
	},
	"zh": {
		positive: []string{"满意", "很好", "不错", "优秀", "友好", "热情", "及时", "快速", "迅速", "可靠", "专业", "顺利", "方便", "清楚", "感谢", "谢谢", "推荐", "准时", "高效"},
		negative: []string{"不太满意", "不满", "太慢", "缓慢", "延迟", "迟到", "故障", "太贵", "昂贵", "混乱", "错误", "困难", "失望", "问题", "投诉", "麻烦", "糟糕", "等待"},
	},
}

package demo

import "github.com/candorhq/candor/internal/survey"

// The demo's world: an elevator-maintenance company's business customers.
// Every name is invented; every email domain is under .example, which
// never resolves.

// company is a demo account before it is stored.
type company struct {
	Name, Country, Industry, Tier string
	Manager                       int // index into managers
}

// regionOf names the sales region of a country.
var regionOf = map[string]string{
	"FI": "EMEA", "SE": "EMEA", "DE": "EMEA", "FR": "EMEA", "ES": "EMEA", "IT": "EMEA", "GB": "EMEA", "NL": "EMEA",
	"US": "Americas", "CA": "Americas", "BR": "Americas", "MX": "Americas",
	"CN": "APAC", "SG": "APAC", "AU": "APAC",
}

// localesOf lists the languages people in a country speak, the first most
// often.
var localesOf = map[string][]string{
	"FI": {"fi", "fi", "fi", "sv", "en"}, "SE": {"sv", "sv", "sv", "en"}, "DE": {"de", "de", "de", "en"}, "FR": {"fr", "fr", "fr", "en"},
	"ES": {"es", "es", "es", "en"}, "IT": {"it", "it", "en"}, "GB": {"en"}, "NL": {"en", "de"},
	"US": {"en", "en", "en", "es"}, "CA": {"en", "en", "fr"}, "BR": {"es", "en"}, "MX": {"es", "es", "en"},
	"CN": {"zh", "zh", "en"}, "SG": {"en", "zh"}, "AU": {"en"},
}

// managers are the demo's account managers; each looks after a region's
// accounts, roughly.
var managers = []struct{ Email, Name string }{
	{"helmi.manager@demo.candor.example", "Helmi Lindqvist"},
	{"pierre.manager@demo.candor.example", "Pierre Moreau"},
	{"grace.manager@demo.candor.example", "Grace Tan"},
}

// companies are the demo's 30 accounts. APAC and the data-centre industry
// are deliberately small, so that reports suppress them.
var companies = []company{
	{"Aalto Harbour Properties", "FI", "Real estate", "Platinum", 0},
	{"Kaleva Hospital District", "FI", "Healthcare", "Gold", 0},
	{"Pohjola Retail Group", "FI", "Retail", "Gold", 0},
	{"Tammerkoski Offices", "FI", "Real estate", "Silver", 0},
	{"Saimaa Spa Hotels", "FI", "Hospitality", "Bronze", 0},
	{"Göta Fastigheter", "SE", "Real estate", "Gold", 0},
	{"Norrland Universitetssjukhus", "SE", "Healthcare", "Silver", 0},
	{"Rheinwerk Immobilien", "DE", "Real estate", "Platinum", 0},
	{"Bayern Kliniken Verbund", "DE", "Healthcare", "Gold", 0},
	{"Hanse Logistik", "DE", "Transport", "Silver", 0},
	{"Elbe Einkaufszentren", "DE", "Retail", "Bronze", 0},
	{"Amsterdam Canal Offices", "NL", "Real estate", "Silver", 0},
	{"Thames Quay Estates", "GB", "Real estate", "Gold", 1},
	{"Northern Rail Stations", "GB", "Transport", "Silver", 1},
	{"Foncière Lumière", "FR", "Real estate", "Platinum", 1},
	{"Hôpitaux de Provence", "FR", "Healthcare", "Gold", 1},
	{"Galeries Saint-Michel", "FR", "Retail", "Silver", 1},
	{"Inmobiliaria Sol", "ES", "Real estate", "Gold", 1},
	{"Hoteles Costa Azul", "ES", "Hospitality", "Bronze", 1},
	{"Torre Milano Uffici", "IT", "Real estate", "Silver", 1},
	{"Ospedali Riuniti Roma", "IT", "Healthcare", "Bronze", 1},
	{"Hudson Tower Management", "US", "Real estate", "Platinum", 1},
	{"Lakeshore Medical Center", "US", "Healthcare", "Gold", 1},
	{"Prairie Mall Holdings", "CA", "Retail", "Silver", 1},
	{"São Paulo Torres", "BR", "Real estate", "Silver", 1},
	{"Grupo Reforma Oficinas", "MX", "Real estate", "Bronze", 1},
	{"Pudong Skyline Properties", "CN", "Real estate", "Gold", 2},
	{"Marina Bay Data Centres", "SG", "Data centres", "Silver", 2},
	{"Harbour Bridge Hotels", "AU", "Hospitality", "Bronze", 2},
	{"Lion City Hospitals", "SG", "Healthcare", "Bronze", 2},
}

// tierWeight is how many people an account of a tier has, relatively.
var tierWeight = map[string]float64{"Platinum": 4, "Gold": 2.5, "Silver": 1.5, "Bronze": 1}

// smallCountries get few contacts whatever their tier, so that their
// report cells are below the anonymity threshold.
var smallCountries = map[string]bool{"CN": true, "SG": true, "AU": true, "BR": true}

// names lists first and last names by language.
var names = map[string]struct{ First, Last []string }{
	"en": {[]string{"Olivia", "James", "Emma", "Noah", "Sophie", "Liam", "Grace", "Oliver", "Chloe", "Jack", "Amelia", "Harry", "Ella", "Ethan", "Mia"},
		[]string{"Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Walker", "Wright", "Clarke", "Hughes", "Green", "Baker", "Hall", "Turner"}},
	"fi": {[]string{"Aino", "Matti", "Eeva", "Juha", "Leena", "Mikko", "Sanna", "Antti", "Kaisa", "Ville", "Riikka", "Timo", "Heidi", "Jari", "Outi"},
		[]string{"Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Salminen", "Heinonen", "Niemi"}},
	"sv": {[]string{"Anna", "Erik", "Maria", "Lars", "Karin", "Anders", "Eva", "Johan", "Sara", "Per", "Lena", "Nils", "Ingrid", "Oskar", "Elin"},
		[]string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Lindberg", "Lindqvist", "Berg", "Holm", "Sjöberg"}},
	"de": {[]string{"Lukas", "Anna", "Felix", "Lena", "Jonas", "Marie", "Paul", "Laura", "Maximilian", "Julia", "Tobias", "Katrin", "Stefan", "Sabine", "Jürgen"},
		[]string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder"}},
	"fr": {[]string{"Camille", "Louis", "Léa", "Hugo", "Chloé", "Lucas", "Manon", "Jules", "Inès", "Gabriel", "Élodie", "Théo", "Juliette", "Mathieu", "Céline"},
		[]string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Fournier"}},
	"es": {[]string{"Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Javier", "Carmen", "Diego", "Elena", "Alejandro", "Paula", "Sergio", "Laura", "Carlos", "Marta"},
		[]string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno"}},
	"it": {[]string{"Giulia", "Francesco", "Chiara", "Alessandro", "Sara", "Lorenzo", "Martina", "Matteo", "Elena", "Andrea", "Valentina", "Marco", "Federica", "Luca", "Silvia"},
		[]string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa"}},
	"zh": {[]string{"伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "霞"},
		[]string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡"}},
}

// latin spells Chinese names for email addresses.
var latin = map[string]string{
	"伟": "wei", "芳": "fang", "娜": "na", "敏": "min", "静": "jing", "磊": "lei", "洋": "yang", "艳": "yan", "勇": "yong", "军": "jun",
	"杰": "jie", "娟": "juan", "涛": "tao", "明": "ming", "霞": "xia",
	"王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang", "黄": "huang", "赵": "zhao", "吴": "wu", "周": "zhou",
	"徐": "xu", "孙": "sun", "马": "ma", "朱": "zhu", "胡": "hu",
}

// txt is a text in the survey's four languages.
func txt(en, fi, de, fr string) survey.Text {
	return survey.Text{"en": en, "fi": fi, "de": de, "fr": fr}
}

func option(key, en, fi, de, fr string) survey.Option {
	return survey.Option{Key: key, Label: txt(en, fi, de, fr)}
}

// definition is the demo survey in English, Finnish, German and French.
func definition() survey.Survey {
	return withFollowups(survey.Survey{
		Title: txt("Customer survey 2026", "Asiakaskysely 2026", "Kundenumfrage 2026", "Enquête clients 2026"),
		Intro: txt("Five minutes about how we look after your elevators and escalators.",
			"Viisi minuuttia siitä, miten huolehdimme hisseistänne ja liukuportaistanne.",
			"Fünf Minuten dazu, wie wir Ihre Aufzüge und Fahrtreppen betreuen.",
			"Cinq minutes sur la façon dont nous entretenons vos ascenseurs et escaliers mécaniques."),
		DefaultLocale: "en",
		Locales:       []string{"en", "fi", "de", "fr"},
		Questions: []survey.Question{
			{Key: "nps", Type: survey.TypeNPS, Required: true, Prompt: txt(
				"How likely are you to recommend us to a colleague?",
				"Kuinka todennäköisesti suosittelisit meitä kollegalle?",
				"Wie wahrscheinlich ist es, dass Sie uns einem Kollegen empfehlen?",
				"Quelle est la probabilité que vous nous recommandiez à un collègue ?")},
			{Key: "csat", Type: survey.TypeCSAT, Prompt: txt(
				"How satisfied are you with our maintenance service?",
				"Kuinka tyytyväinen olet huoltopalveluumme?",
				"Wie zufrieden sind Sie mit unserem Wartungsservice?",
				"Êtes-vous satisfait de notre service de maintenance ?")},
			{Key: "effort", Type: survey.TypeCES, Prompt: txt(
				"How easy is it to get help from us when something breaks?",
				"Kuinka helppoa on saada meiltä apua, kun jokin rikkoutuu?",
				"Wie einfach ist es, bei einer Störung Hilfe von uns zu bekommen?",
				"Est-il facile d'obtenir notre aide en cas de panne ?")},
			{Key: "channel", Type: survey.TypeSingle, Prompt: txt(
				"How do you usually reach us?", "Miten yleensä otat meihin yhteyttä?",
				"Wie erreichen Sie uns meistens?", "Comment nous contactez-vous le plus souvent ?"),
				Options: []survey.Option{
					option("phone", "Phone", "Puhelin", "Telefon", "Téléphone"),
					option("email", "Email", "Sähköposti", "E-Mail", "E-mail"),
					option("portal", "Customer portal", "Asiakasportaali", "Kundenportal", "Portail client"),
					option("technician", "Our technician on site", "Huoltomiehemme paikan päällä", "Unser Techniker vor Ort", "Notre technicien sur place"),
				}},
			{Key: "services", Type: survey.TypeMulti, Prompt: txt(
				"Which of our services do you use?", "Mitä palveluitamme käytät?",
				"Welche unserer Leistungen nutzen Sie?", "Quels services utilisez-vous ?"),
				Options: []survey.Option{
					option("maintenance", "Maintenance", "Huolto", "Wartung", "Maintenance"),
					option("repair", "Repairs", "Korjaukset", "Reparaturen", "Réparations"),
					option("modernisation", "Modernisation", "Modernisointi", "Modernisierung", "Modernisation"),
					option("installation", "New installations", "Uudet asennukset", "Neuinstallationen", "Nouvelles installations"),
				}},
			{Key: "comment", Type: survey.TypeText, Quotable: true, Prompt: txt(
				"What is the one thing we should do better?", "Mikä on se yksi asia, joka meidän pitäisi tehdä paremmin?",
				"Was sollten wir vor allem besser machen?", "Quelle est la chose que nous devrions améliorer en priorité ?")},
		},
		ConsentText: txt(
			"I agree that my name is attached to my answers, so that my account manager can follow up with me. I can withdraw this consent at any time.",
			"Hyväksyn, että nimeni liitetään vastauksiini, jotta asiakasvastaavani voi olla minuun yhteydessä. Voin perua suostumuksen milloin tahansa.",
			"Ich bin einverstanden, dass mein Name mit meinen Antworten verknüpft wird, damit mein Kundenbetreuer sich bei mir melden kann. Ich kann diese Einwilligung jederzeit widerrufen.",
			"J'accepte que mon nom soit associé à mes réponses afin que mon responsable de compte puisse me recontacter. Je peux retirer ce consentement à tout moment."),
	})
}

// comments are free-text answers by sentiment and language; a few name a
// person or give a phone number, which reports redact.
var comments = map[string]map[string][]string{
	"detractor": {
		"en": {"Breakdowns take far too long to fix.", "Nobody calls back when the lift is stuck.", "Your technician was late three times this spring.",
			"Invoices are confusing and often wrong.", "Ask Tom Baker, he has waited two weeks for a part.", "Call me on +44 20 7946 0958, the service desk never answers."},
		"fi": {"Vikojen korjaus kestää aivan liian kauan.", "Kukaan ei soita takaisin, kun hissi on jumissa.", "Laskut ovat sekavia."},
		"de": {"Störungen werden viel zu langsam behoben.", "Niemand ruft zurück, wenn der Aufzug steht.", "Die Rechnungen sind unverständlich."},
		"fr": {"Les pannes sont réparées beaucoup trop lentement.", "Personne ne rappelle quand l'ascenseur est bloqué.", "Les factures sont incompréhensibles."},
	},
	"passive": {
		"en": {"Fine overall, but the portal is clumsy.", "Good technicians, slow office.", "Please tell us in advance when you come for maintenance."},
		"fi": {"Ihan hyvä, mutta portaali on kömpelö.", "Hyvät asentajat, hidas toimisto."},
		"de": {"Insgesamt gut, aber das Portal ist umständlich.", "Gute Techniker, langsames Büro."},
		"fr": {"Bien dans l'ensemble, mais le portail est peu pratique.", "Bons techniciens, bureau lent."},
	},
	"promoter": {
		"en": {"Reliable and friendly, keep it up.", "Matti from your team is excellent.", "The modernisation went smoothly and on time.", "Quick response every time we call."},
		"fi": {"Luotettavaa ja ystävällistä palvelua.", "Modernisointi sujui aikataulussa.", "Nopea reagointi aina kun soitamme."},
		"de": {"Zuverlässig und freundlich, weiter so.", "Die Modernisierung lief reibungslos."},
		"fr": {"Fiable et aimable, continuez ainsi.", "La modernisation s'est très bien passée."},
	},
}

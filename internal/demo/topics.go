package demo

import mrand "math/rand/v2"

// topicText is what people write about one topic: the unhappy, the
// happy, and what either may add.
type topicText struct {
	neg, pos, extra []string
}

// topics are the subjects customers bring up again and again, the most
// common first, with how often they do; the comments page finds them as
// themes.
var topics = []struct {
	name   string
	weight float64
}{{"delivery", 0.32}, {"support", 0.26}, {"price", 0.2}, {"quality", 0.13}, {"onboarding", 0.09}}

// topicComments are the comments on each topic, by language.
var topicComments = map[string]map[string]topicText{
	"en": {
		"delivery": {
			neg: []string{"The delivery of spare parts was late again.", "Spare parts delivery takes far too long.", "Deliveries of parts are always late.",
				"Late delivery of the door parts stopped our lift for a week.", "The parts delivery came late and incomplete."},
			pos:   []string{"Spare parts delivery was fast this year.", "Parts delivery on time, thank you.", "Quick delivery of the parts we needed."},
			extra: []string{"We waited two weeks.", "Please give a delivery date.", "The tenants noticed."},
		},
		"support": {
			neg: []string{"Support on the phone never calls back.", "Phone support is hard to reach.", "Nobody at support answers the phone in the evening.",
				"Support calls take ages and nobody calls back."},
			pos:   []string{"Support on the phone is friendly and helpful.", "Helpful phone support, they call back the same day.", "Friendly support staff who answer the phone quickly."},
			extra: []string{"The service desk should know our sites.", "A named contact would help.", "Keep it up."},
		},
		"price": {
			neg: []string{"The price of the maintenance contract is too high.", "Prices went up again and the contract is expensive.",
				"The contract price keeps rising every year.", "Too expensive for what the contract covers."},
			pos:   []string{"Fair price for the maintenance contract.", "The contract price is reasonable for the service."},
			extra: []string{"Invoices are hard to read.", "Competitors offer more for less.", "Please explain the price increase."},
		},
		"quality": {
			neg: []string{"The repair quality has dropped, the same door breaks again.", "Repairs are not done properly the first time.",
				"Poor repair quality, the lift stopped again after the repair."},
			pos:   []string{"The repair quality is excellent.", "Good quality repairs, the doors work fine now.", "High quality work on the modernisation."},
			extra: []string{"The technicians know their job.", "Check the work before leaving."},
		},
		"onboarding": {
			neg: []string{"Onboarding to the customer portal was confusing.", "No onboarding for our new property managers.",
				"The portal onboarding took weeks."},
			pos:   []string{"Onboarding to the portal was easy.", "Good onboarding for our new staff."},
			extra: []string{"A short training would help.", "The portal needs a guide."},
		},
	},
	"fi": {
		"delivery": {
			neg: []string{"Varaosien toimitus on aina myöhässä.", "Toimitus kesti taas liian kauan.", "Varaosien toimitus myöhästyi jälleen.",
				"Toimitus tuli myöhässä ja osia puuttui."},
			pos:   []string{"Varaosien toimitus oli nopea.", "Toimitus tuli ajallaan, kiitos.", "Nopea toimitus varaosille."},
			extra: []string{"Odotimme kaksi viikkoa.", "Kertokaa toimituspäivä.", "Asukkaat huomasivat."},
		},
		"support": {
			neg:   []string{"Asiakastuki ei vastaa puhelimeen.", "Asiakastuki ei soita takaisin.", "Asiakastuki on vaikea tavoittaa puhelimella."},
			pos:   []string{"Asiakastuki on ystävällinen ja avulias.", "Asiakastuki vastaa puhelimeen nopeasti.", "Ystävällinen asiakastuki, soittivat takaisin samana päivänä."},
			extra: []string{"Nimetty yhteyshenkilö auttaisi.", "Jatkakaa samaan malliin."},
		},
		"price": {
			neg:   []string{"Huoltosopimuksen hinta on liian korkea.", "Hinta nousi taas, huoltosopimus on kallis.", "Huoltosopimuksen hinta nousee joka vuosi."},
			pos:   []string{"Huoltosopimuksen hinta on kohtuullinen.", "Hinta on reilu palveluun nähden."},
			extra: []string{"Laskut ovat sekavia.", "Kilpailijat ovat halvempia."},
		},
		"quality": {
			neg:   []string{"Korjausten laatu on heikentynyt.", "Korjaus ei pitänyt, ovi hajosi uudelleen.", "Huono korjausten laatu, hissi pysähtyi taas."},
			pos:   []string{"Korjausten laatu on erinomainen.", "Hyvä laatu, korjaus onnistui kerralla."},
			extra: []string{"Asentajat osaavat työnsä."},
		},
		"onboarding": {
			neg:   []string{"Asiakasportaalin käyttöönotto oli sekava.", "Käyttöönotto kesti viikkoja."},
			pos:   []string{"Asiakasportaalin käyttöönotto oli helppo.", "Käyttöönotto sujui hyvin."},
			extra: []string{"Lyhyt koulutus auttaisi."},
		},
	},
	"sv": {
		"delivery": {
			neg: []string{"Leveransen av reservdelar var försenad igen.", "Leveransen tar alldeles för lång tid.", "Leveranser av reservdelar är alltid sena.",
				"Leveransen kom sent och delar saknades."},
			pos:   []string{"Leveransen av reservdelar gick snabbt.", "Leveransen kom i tid, tack.", "Snabb leverans av reservdelar."},
			extra: []string{"Vi väntade två veckor.", "Ge oss ett leveransdatum."},
		},
		"support": {
			neg:   []string{"Kundtjänst ringer aldrig tillbaka.", "Kundtjänst är svår att nå på telefon.", "Ingen på kundtjänst svarar i telefon."},
			pos:   []string{"Kundtjänst är vänlig och hjälpsam.", "Kundtjänst svarar snabbt i telefon.", "Trevlig kundtjänst som ringer tillbaka samma dag."},
			extra: []string{"En fast kontaktperson vore bra.", "Fortsätt så."},
		},
		"price": {
			neg:   []string{"Priset för serviceavtalet är för högt.", "Priset höjdes igen, serviceavtalet är dyrt.", "Serviceavtalet blir dyrare varje år."},
			pos:   []string{"Rimligt pris för serviceavtalet.", "Priset är rättvist för servicen."},
			extra: []string{"Fakturorna är röriga."},
		},
		"quality": {
			neg:   []string{"Kvaliteten på reparationerna har blivit sämre.", "Reparationen höll inte, dörren gick sönder igen."},
			pos:   []string{"Kvaliteten på reparationerna är utmärkt.", "Bra kvalitet, reparationen fungerade direkt."},
			extra: []string{"Teknikerna kan sitt jobb."},
		},
		"onboarding": {
			neg:   []string{"Introduktionen till kundportalen var rörig.", "Ingen introduktion för våra nya förvaltare."},
			pos:   []string{"Introduktionen till kundportalen var enkel."},
			extra: []string{"En kort utbildning vore bra."},
		},
	},
	"de": {
		"delivery": {
			neg: []string{"Die Lieferung der Ersatzteile kam wieder zu spät.", "Die Lieferung dauert viel zu lange.", "Lieferungen der Ersatzteile sind immer verspätet.",
				"Die Lieferung kam spät und unvollständig."},
			pos:   []string{"Die Lieferung der Ersatzteile war schnell.", "Lieferung pünktlich, danke.", "Schnelle Lieferung der Ersatzteile."},
			extra: []string{"Wir haben zwei Wochen gewartet.", "Bitte nennen Sie ein Lieferdatum."},
		},
		"support": {
			neg:   []string{"Der Kundendienst ruft nie zurück.", "Der Kundendienst ist telefonisch schwer erreichbar.", "Beim Kundendienst geht niemand ans Telefon."},
			pos:   []string{"Der Kundendienst ist freundlich und hilfsbereit.", "Der Kundendienst antwortet schnell am Telefon.", "Freundlicher Kundendienst, Rückruf am selben Tag."},
			extra: []string{"Ein fester Ansprechpartner wäre gut.", "Weiter so."},
		},
		"price": {
			neg:   []string{"Der Preis des Wartungsvertrags ist zu hoch.", "Die Preise sind wieder gestiegen, der Wartungsvertrag ist teuer.", "Der Wartungsvertrag wird jedes Jahr teurer."},
			pos:   []string{"Fairer Preis für den Wartungsvertrag.", "Der Preis ist für den Service angemessen."},
			extra: []string{"Die Rechnungen sind unverständlich."},
		},
		"quality": {
			neg:   []string{"Die Qualität der Reparaturen hat nachgelassen.", "Die Reparatur hielt nicht, die Tür ist wieder kaputt."},
			pos:   []string{"Die Qualität der Reparaturen ist ausgezeichnet.", "Gute Qualität, die Reparatur hat sofort funktioniert."},
			extra: []string{"Die Techniker verstehen ihr Handwerk."},
		},
		"onboarding": {
			neg:   []string{"Die Einführung ins Kundenportal war verwirrend.", "Keine Einführung für unsere neuen Verwalter."},
			pos:   []string{"Die Einführung ins Kundenportal war einfach."},
			extra: []string{"Eine kurze Schulung wäre hilfreich."},
		},
	},
	"fr": {
		"delivery": {
			neg: []string{"La livraison des pièces détachées est encore en retard.", "La livraison prend beaucoup trop de temps.", "Les livraisons de pièces sont toujours en retard.",
				"La livraison est arrivée en retard et incomplète."},
			pos:   []string{"La livraison des pièces détachées était rapide.", "Livraison à l'heure, merci.", "Livraison rapide des pièces."},
			extra: []string{"Nous avons attendu deux semaines.", "Donnez-nous une date de livraison."},
		},
		"support": {
			neg:   []string{"Le service client ne rappelle jamais.", "Le service client est difficile à joindre par téléphone.", "Personne ne répond au téléphone au service client."},
			pos:   []string{"Le service client est aimable et efficace.", "Le service client répond vite au téléphone.", "Service client aimable, rappel le jour même."},
			extra: []string{"Un interlocuteur attitré serait utile.", "Continuez ainsi."},
		},
		"price": {
			neg:   []string{"Le prix du contrat de maintenance est trop élevé.", "Les prix ont encore augmenté, le contrat est cher.", "Le contrat de maintenance coûte plus cher chaque année."},
			pos:   []string{"Prix correct pour le contrat de maintenance.", "Le prix est juste pour le service."},
			extra: []string{"Les factures sont incompréhensibles."},
		},
		"quality": {
			neg:   []string{"La qualité des réparations a baissé.", "La réparation n'a pas tenu, la porte est de nouveau en panne."},
			pos:   []string{"La qualité des réparations est excellente.", "Bonne qualité, la réparation a tenu du premier coup."},
			extra: []string{"Les techniciens connaissent leur métier."},
		},
		"onboarding": {
			neg:   []string{"La prise en main du portail client était compliquée.", "Aucune prise en main pour nos nouveaux gestionnaires."},
			pos:   []string{"La prise en main du portail client était simple."},
			extra: []string{"Une courte formation aiderait."},
		},
	},
	"es": {
		"delivery": {
			neg: []string{"La entrega de repuestos llegó tarde otra vez.", "La entrega tarda demasiado.", "Las entregas de repuestos siempre llegan tarde.",
				"La entrega llegó tarde e incompleta."},
			pos:   []string{"La entrega de repuestos fue rápida.", "Entrega a tiempo, gracias.", "Entrega rápida de los repuestos."},
			extra: []string{"Esperamos dos semanas.", "Dennos una fecha de entrega."},
		},
		"support": {
			neg:   []string{"El servicio de atención nunca devuelve la llamada.", "El servicio de atención es difícil de contactar por teléfono.", "Nadie contesta el teléfono en el servicio de atención."},
			pos:   []string{"El servicio de atención es amable y eficaz.", "El servicio de atención contesta rápido el teléfono.", "Servicio de atención amable, nos llamaron el mismo día."},
			extra: []string{"Un contacto fijo ayudaría.", "Sigan así."},
		},
		"price": {
			neg:   []string{"El precio del contrato de mantenimiento es demasiado alto.", "Los precios subieron otra vez, el contrato es caro.", "El contrato de mantenimiento es más caro cada año."},
			pos:   []string{"Precio justo para el contrato de mantenimiento.", "El precio es razonable para el servicio."},
			extra: []string{"Las facturas son confusas."},
		},
		"quality": {
			neg:   []string{"La calidad de las reparaciones ha empeorado.", "La reparación no duró, la puerta se averió otra vez."},
			pos:   []string{"La calidad de las reparaciones es excelente.", "Buena calidad, la reparación funcionó a la primera."},
			extra: []string{"Los técnicos conocen su trabajo."},
		},
		"onboarding": {
			neg:   []string{"La introducción al portal de clientes fue confusa.", "No hubo introducción para nuestros nuevos administradores."},
			pos:   []string{"La introducción al portal de clientes fue sencilla."},
			extra: []string{"Una formación corta ayudaría."},
		},
	},
}

// topicComment writes a comment on a topic picked by how often people
// raise it, in the language given (English where the demo has none), as
// unhappy or happy as kind says: one of the topic's sentences, and now and
// then something more.
func topicComment(rng *mrand.Rand, kind, locale string) string {
	byTopic, ok := topicComments[locale]
	if !ok {
		byTopic = topicComments["en"]
	}
	r, name := rng.Float64(), topics[len(topics)-1].name
	for _, t := range topics {
		if r -= t.weight; r < 0 {
			name = t.name
			break
		}
	}
	t := byTopic[name]
	happy := kind == "promoter" || (kind == "passive" && rng.IntN(2) == 0)
	text := pick(rng, t.neg)
	if happy {
		text = pick(rng, t.pos)
	}
	if len(t.extra) > 0 && rng.IntN(3) == 0 {
		text += " " + pick(rng, t.extra)
	}
	return text
}

package demo

import (
	"slices"

	"github.com/candorhq/candor/internal/survey"
)

// withFollowups adds the demo's conditional follow-ups of the NPS
// question: a reason asked of detractors (0–6) and what promoters (9–10)
// value most, so that reports show how many were shown each.
func withFollowups(s survey.Survey) survey.Survey {
	at := slices.IndexFunc(s.Questions, func(q survey.Question) bool { return q.Key == "nps" }) + 1
	s.Questions = slices.Insert(slices.Clone(s.Questions), at,
		survey.Question{Key: "reason", Type: survey.TypeSingle, Required: true, Prompt: txt(
			"What is the main reason for your score?", "Mikä on tärkein syy antamaasi arvosanaan?",
			"Was ist der Hauptgrund für Ihre Bewertung?", "Quelle est la principale raison de votre note ?"),
			Options: []survey.Option{
				option("response_time", "Slow response to breakdowns", "Hidas reagointi vikoihin", "Langsame Reaktion auf Störungen", "Lenteur d'intervention en cas de panne"),
				option("repair_quality", "Quality of repairs", "Korjausten laatu", "Qualität der Reparaturen", "Qualité des réparations"),
				option("communication", "Communication", "Viestintä", "Kommunikation", "Communication"),
				option("price", "Price", "Hinta", "Preis", "Prix"),
			},
			ShowIf: &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(0), Max: new(6)}},
		survey.Question{Key: "valued", Type: survey.TypeText, Prompt: txt(
			"What do you value most in working with us?", "Mitä arvostat eniten yhteistyössämme?",
			"Was schätzen Sie an der Zusammenarbeit mit uns am meisten?", "Qu'appréciez-vous le plus dans notre collaboration ?"),
			ShowIf: &survey.Condition{Question: "nps", Op: survey.OpBetween, Min: new(9), Max: new(10)}},
	)
	return s
}

// valued are promoters' answers to what they value most, by language.
var valued = map[string][]string{
	"en": {"Technicians who know our buildings.", "Fast help when a lift stops.", "Clear maintenance plans."},
	"fi": {"Asentajat tuntevat kiinteistömme.", "Nopea apu, kun hissi pysähtyy."},
	"de": {"Techniker, die unsere Gebäude kennen.", "Schnelle Hilfe bei Störungen."},
	"fr": {"Des techniciens qui connaissent nos bâtiments.", "Une aide rapide en cas de panne."},
	"sv": {"Tekniker som känner våra byggnader.", "Snabb hjälp när en hiss stannar."},
	"es": {"Técnicos que conocen nuestros edificios.", "Ayuda rápida cuando se para un ascensor."},
}

// answerFollowups answers the follow-up an NPS score is shown: every
// detractor gives a reason, about half of the promoters say what they
// value. Forms are posted only for the follow-up shown.
func (r *run) answerFollowups(v map[string][]string, nps int, locale string) {
	switch {
	case nps <= 6:
		reasons := []string{"response_time", "response_time", "response_time", "repair_quality", "communication", "communication", "price"}
		v["q.reason"] = []string{pick(r.rng, reasons)}
	case nps >= 9 && r.rng.Float64() < 0.5:
		pool := valued[locale]
		if len(pool) == 0 {
			pool = valued["en"]
		}
		v["q.valued"] = []string{pick(r.rng, pool)}
	}
}

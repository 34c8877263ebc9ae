package demo

import (
	"maps"
	"slices"

	"github.com/candorhq/candor/internal/survey"
)

// moreLocales are the languages the demo survey is offered in besides
// those of txt, so that comments come in six languages and each gets its
// own themes.
var moreLocales = []string{"sv", "es"}

// translations gives the demo survey's English texts in Swedish and
// Spanish.
var translations = map[string][2]string{
	"Customer survey 2026": {"Kundundersökning 2026", "Encuesta de clientes 2026"},
	"Customer survey 2025": {"Kundundersökning 2025", "Encuesta de clientes 2025"},
	"Five minutes about how we look after your elevators and escalators.": {
		"Fem minuter om hur vi tar hand om era hissar och rulltrappor.",
		"Cinco minutos sobre cómo cuidamos sus ascensores y escaleras mecánicas."},
	"How likely are you to recommend us to a colleague?": {
		"Hur troligt är det att du skulle rekommendera oss till en kollega?",
		"¿Qué probabilidad hay de que nos recomiende a un colega?"},
	"How satisfied are you with our maintenance service?": {
		"Hur nöjd är du med vår underhållsservice?",
		"¿Qué tan satisfecho está con nuestro servicio de mantenimiento?"},
	"How easy is it to get help from us when something breaks?": {
		"Hur lätt är det att få hjälp av oss när något går sönder?",
		"¿Qué tan fácil es obtener nuestra ayuda cuando algo se avería?"},
	"How do you usually reach us?": {"Hur kontaktar du oss oftast?", "¿Cómo suele contactarnos?"},
	"Phone":                        {"Telefon", "Teléfono"},
	"Email":                        {"E-post", "Correo electrónico"},
	"Customer portal":              {"Kundportalen", "Portal de clientes"},
	"Our technician on site":       {"Vår tekniker på plats", "Nuestro técnico in situ"},
	"Which of our services do you use?": {
		"Vilka av våra tjänster använder du?", "¿Qué servicios nuestros utiliza?"},
	"Maintenance": {"Underhåll", "Mantenimiento"},
	"Repairs":     {"Reparationer", "Reparaciones"},
	// The conditional follow-ups of the NPS question (followup.go).
	"What is the main reason for your score?": {
		"Vad är den främsta anledningen till ditt betyg?", "¿Cuál es el motivo principal de su puntuación?"},
	"Slow response to breakdowns": {"Långsam reaktion vid driftstopp", "Respuesta lenta ante las averías"},
	"Quality of repairs":          {"Reparationernas kvalitet", "Calidad de las reparaciones"},
	"Communication":               {"Kommunikation", "Comunicación"},
	"Price":                       {"Pris", "Precio"},
	"What do you value most in working with us?": {
		"Vad uppskattar du mest i samarbetet med oss?", "¿Qué es lo que más valora de trabajar con nosotros?"},
	"Modernisation":     {"Modernisering", "Modernización"},
	"New installations": {"Nyinstallationer", "Instalaciones nuevas"},
	"What is the one thing we should do better?": {
		"Vad är det enda vi borde göra bättre?", "¿Qué es lo que más deberíamos mejorar?"},
	"I agree that my name is attached to my answers, so that my account manager can follow up with me. I can withdraw this consent at any time.": {
		"Jag godkänner att mitt namn kopplas till mina svar, så att min kundansvarige kan följa upp med mig. Jag kan när som helst återkalla detta samtycke.",
		"Acepto que mi nombre se asocie a mis respuestas para que mi gestor de cuenta pueda contactarme. Puedo retirar este consentimiento en cualquier momento."},
}

// withMoreLocales offers a demo survey in Swedish and Spanish too, every
// text translated from its English.
func withMoreLocales(s survey.Survey) survey.Survey {
	add := func(t survey.Text) survey.Text {
		if t == nil {
			return t
		}
		out := maps.Clone(t)
		if tr, ok := translations[t["en"]]; ok {
			out["sv"], out["es"] = tr[0], tr[1]
		}
		return out
	}
	s.Title, s.Intro, s.ConsentText = add(s.Title), add(s.Intro), add(s.ConsentText)
	qs := make([]survey.Question, len(s.Questions))
	for i, q := range s.Questions {
		q.Prompt = add(q.Prompt)
		opts := make([]survey.Option, len(q.Options))
		for j, o := range q.Options {
			o.Label = add(o.Label)
			opts[j] = o
		}
		if q.Options != nil {
			q.Options = opts
		}
		qs[i] = q
	}
	s.Questions = qs
	for _, l := range moreLocales {
		if !slices.Contains(s.Locales, l) {
			s.Locales = append(slices.Clone(s.Locales), l)
		}
	}
	return s
}

package i18n

// Catalog holds the interface messages of one locale by key, such as
// "form.submit". Take one per page with Messages rather than calling T for
// each message.
type Catalog map[string]string

// T returns the message with key, or the key itself when there is none,
// so that a missing message shows up on the page rather than as a blank.
func (c Catalog) T(key string) string {
	if s, ok := c[key]; ok {
		return s
	}
	return key
}

// Messages returns every message in locale, falling back to English for a
// locale that is not supported. The map is the caller's to keep or change.
func Messages(locale string) Catalog {
	all := messages()
	c := make(Catalog, len(all))
	for key, m := range all {
		c[key] = m.in(locale)
	}
	return c
}

// T returns one message in locale (English when the locale is not
// supported), or key when there is no such message.
func T(locale, key string) string {
	if m, ok := messages()[key]; ok {
		return m.in(locale)
	}
	return key
}

// message is one text in every supported locale. The struct, unlike a map,
// makes a forgotten locale visible in review, and TestMessagesComplete
// catches an empty one.
type message struct{ en, fi, sv, de, fr, es, it, zh string }

func (m message) in(locale string) string {
	switch locale {
	case "fi":
		return m.fi
	case "sv":
		return m.sv
	case "de":
		return m.de
	case "fr":
		return m.fr
	case "es":
		return m.es
	case "it":
		return m.it
	case "zh":
		return m.zh
	}
	return m.en
}

// messages is the catalog of texts shown to respondents, who see Candor in
// their own language. Keys name where a text is used, so that pages can
// share them: "form.*" the answer form, "scale.<type>.low|high" the anchors
// of a rating scale, "preview.*" the staff preview of a survey. Texts with
// a %d verb are format strings. The German, French, Spanish and Italian
// texts address the respondent formally, as business correspondence does.
func messages() map[string]message {
	return map[string]message{
		"form.submit": {
			en: "Send answers",
			fi: "Lähetä vastaukset",
			sv: "Skicka svar",
			de: "Antworten senden",
			fr: "Envoyer les réponses",
			es: "Enviar respuestas",
			it: "Invia le risposte",
			zh: "提交答案",
		},
		// The buttons of a survey answered in steps, and where the
		// respondent is (%d: this step, then how many there are).
		"form.next": {
			en: "Next", fi: "Seuraava", sv: "Nästa", de: "Weiter",
			fr: "Suivant", es: "Siguiente", it: "Avanti", zh: "下一步",
		},
		"form.back": {
			en: "Back", fi: "Edellinen", sv: "Tillbaka", de: "Zurück",
			fr: "Retour", es: "Atrás", it: "Indietro", zh: "上一步",
		},
		"form.step": {
			en: "Step %d of %d", fi: "Vaihe %d/%d", sv: "Steg %d av %d", de: "Schritt %d von %d",
			fr: "Étape %d sur %d", es: "Paso %d de %d", it: "Passaggio %d di %d", zh: "第 %d 步，共 %d 步",
		},
		"form.step.finish": {
			en: "Almost done: send your answers",
			fi: "Melkein valmista: lähetä vastauksesi",
			sv: "Nästan klart: skicka dina svar",
			de: "Fast geschafft: Senden Sie Ihre Antworten",
			fr: "Presque terminé : envoyez vos réponses",
			es: "Casi listo: envíe sus respuestas",
			it: "Quasi finito: invii le Sue risposte",
			zh: "即将完成：请提交您的答案",
		},
		"form.required": {
			en: "required",
			fi: "pakollinen",
			sv: "obligatorisk",
			de: "Pflichtfrage",
			fr: "obligatoire",
			es: "obligatoria",
			it: "obbligatoria",
			zh: "必答",
		},
		"form.multi.hint": {
			en: "Choose all that apply.",
			fi: "Valitse kaikki sopivat vaihtoehdot.",
			sv: "Välj alla alternativ som passar.",
			de: "Mehrfachauswahl möglich.",
			fr: "Plusieurs réponses possibles.",
			es: "Seleccione todas las opciones que correspondan.",
			it: "Selezioni tutte le opzioni pertinenti.",
			zh: "可多选。",
		},
		"form.text.max": {
			en: "Up to %d characters.",
			fi: "Enintään %d merkkiä.",
			sv: "Högst %d tecken.",
			de: "Höchstens %d Zeichen.",
			fr: "%d caractères au maximum.",
			es: "Máximo %d caracteres.",
			it: "Massimo %d caratteri.",
			zh: "最多 %d 个字符。",
		},
		"form.consent.legend": {
			en: "Your name",
			fi: "Nimesi",
			sv: "Ditt namn",
			de: "Ihr Name",
			fr: "Votre nom",
			es: "Su nombre",
			it: "Il Suo nome",
			zh: "您的姓名",
		},
		"form.consent.label": {
			en: "Attach my name to my answers",
			fi: "Liitä nimeni vastauksiini",
			sv: "Koppla mitt namn till mina svar",
			de: "Meinen Namen mit meinen Antworten verknüpfen",
			fr: "Associer mon nom à mes réponses",
			es: "Asociar mi nombre a mis respuestas",
			it: "Associa il mio nome alle mie risposte",
			zh: "在我的答案中附上我的姓名",
		},
		"form.consent.note": {
			en: "Your answers stay anonymous unless you tick this box. You can withdraw your consent at any time.",
			fi: "Vastauksesi pysyvät nimettöminä, ellet valitse tätä ruutua. Voit perua suostumuksesi milloin tahansa.",
			sv: "Dina svar förblir anonyma om du inte kryssar i rutan. Du kan när som helst återkalla ditt samtycke.",
			de: "Ihre Antworten bleiben anonym, solange Sie dieses Kästchen nicht ankreuzen. Sie können Ihre Einwilligung jederzeit widerrufen.",
			fr: "Vos réponses restent anonymes si vous ne cochez pas cette case. Vous pouvez retirer votre consentement à tout moment.",
			es: "Sus respuestas serán anónimas a menos que marque esta casilla. Puede retirar su consentimiento en cualquier momento.",
			it: "Le Sue risposte restano anonime se non seleziona questa casella. Può revocare il consenso in qualsiasi momento.",
			zh: "除非您勾选此框，否则您的答案将保持匿名。您可以随时撤回同意。",
		},
		"scale.nps.low": {
			en: "Not at all likely",
			fi: "Erittäin epätodennäköistä",
			sv: "Inte alls troligt",
			de: "Überhaupt nicht wahrscheinlich",
			fr: "Pas du tout probable",
			es: "Nada probable",
			it: "Per niente probabile",
			zh: "完全不可能",
		},
		"scale.nps.high": {
			en: "Extremely likely",
			fi: "Erittäin todennäköistä",
			sv: "Mycket troligt",
			de: "Äußerst wahrscheinlich",
			fr: "Extrêmement probable",
			es: "Muy probable",
			it: "Estremamente probabile",
			zh: "极有可能",
		},
		"scale.csat.low": {
			en: "Very dissatisfied",
			fi: "Erittäin tyytymätön",
			sv: "Mycket missnöjd",
			de: "Sehr unzufrieden",
			fr: "Très insatisfait",
			es: "Muy insatisfecho",
			it: "Molto insoddisfatto",
			zh: "非常不满意",
		},
		"scale.csat.high": {
			en: "Very satisfied",
			fi: "Erittäin tyytyväinen",
			sv: "Mycket nöjd",
			de: "Sehr zufrieden",
			fr: "Très satisfait",
			es: "Muy satisfecho",
			it: "Molto soddisfatto",
			zh: "非常满意",
		},
		"scale.ces.low": {
			en: "Very difficult",
			fi: "Erittäin vaikeaa",
			sv: "Mycket svårt",
			de: "Sehr schwierig",
			fr: "Très difficile",
			es: "Muy difícil",
			it: "Molto difficile",
			zh: "非常困难",
		},
		"scale.ces.high": {
			en: "Very easy",
			fi: "Erittäin helppoa",
			sv: "Mycket enkelt",
			de: "Sehr einfach",
			fr: "Très facile",
			es: "Muy fácil",
			it: "Molto facile",
			zh: "非常容易",
		},
		"preview.banner": {
			en: "Preview — answers are not recorded",
			fi: "Esikatselu – vastauksia ei tallenneta",
			sv: "Förhandsvisning – svaren sparas inte",
			de: "Vorschau – Antworten werden nicht gespeichert",
			fr: "Aperçu — les réponses ne sont pas enregistrées",
			es: "Vista previa: las respuestas no se guardan",
			it: "Anteprima: le risposte non vengono registrate",
			zh: "预览——答案不会被记录",
		},
	}
}

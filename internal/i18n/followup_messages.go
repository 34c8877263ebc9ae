package i18n

// FollowupMessages returns the texts of the follow-up deadline emails to
// staff in locale, falling back to English for a locale that is not
// supported. The map is the caller's to keep or change.
func FollowupMessages(locale string) Catalog {
	all := followupMessages()
	c := make(Catalog, len(all))
	for key, m := range all {
		c[key] = m.in(locale)
	}
	return c
}

// followupMessages are the texts of the mails a follow-up's deadline
// sends: "followup.reminder.*" to its owner before it is due,
// "followup.escalation.*" to the account's other managers or the admins
// once it is overdue. Verbs, in order: the subjects take the person
// ("Dora Example (Acme)"); "followup.greeting" the reader's name; the
// reminder lead the person, the survey and the due time; the escalation
// lead those and the owner's name. They carry no answer: that stays
// behind the link, where reading it is audit-logged.
func followupMessages() map[string]message {
	return map[string]message{
		"followup.greeting": {
			en: "Hello %s,",
			fi: "Hei %s,",
			sv: "Hej %s,",
			de: "Guten Tag %s,",
			fr: "Bonjour %s,",
			es: "Hola, %s:",
			it: "Buongiorno %s,",
			zh: "%s，您好：",
		},
		"followup.reminder.subject": {
			en: "Follow-up due soon: %s",
			fi: "Seuranta erääntyy pian: %s",
			sv: "Uppföljning förfaller snart: %s",
			de: "Nachverfolgung bald fällig: %s",
			fr: "Suivi bientôt échu : %s",
			es: "Seguimiento próximo a vencer: %s",
			it: "Follow-up in scadenza: %s",
			zh: "跟进即将到期：%s",
		},
		"followup.reminder.lead": {
			en: "Your follow-up with %s on %s is due on %s.",
			fi: "Seurantasi henkilön %s kanssa kyselystä %s erääntyy %s.",
			sv: "Din uppföljning med %s om %s förfaller %s.",
			de: "Ihre Nachverfolgung mit %s zu %s ist am %s fällig.",
			fr: "Votre suivi avec %s concernant %s arrive à échéance le %s.",
			es: "Su seguimiento con %s sobre %s vence el %s.",
			it: "Il suo follow-up con %s su %s scade il %s.",
			zh: "您与 %s 关于 %s 的跟进将于 %s 到期。",
		},
		"followup.reminder.action": {
			en: "Contact the person, then resolve the follow-up with a note of what was done:",
			fi: "Ota yhteyttä henkilöön ja merkitse seuranta ratkaistuksi kirjoittamalla, mitä tehtiin:",
			sv: "Kontakta personen och markera sedan uppföljningen som löst med en anteckning om vad som gjordes:",
			de: "Nehmen Sie Kontakt mit der Person auf und schließen Sie die Nachverfolgung mit einer Notiz zum Vorgehen ab:",
			fr: "Contactez la personne, puis clôturez le suivi avec une note sur ce qui a été fait :",
			es: "Póngase en contacto con la persona y cierre el seguimiento con una nota de lo que se hizo:",
			it: "Contatti la persona, poi chiuda il follow-up con una nota su quanto fatto:",
			zh: "请联系此人，然后填写处理说明并将跟进标记为已解决：",
		},
		"followup.escalation.subject": {
			en: "Overdue follow-up: %s",
			fi: "Myöhässä oleva seuranta: %s",
			sv: "Försenad uppföljning: %s",
			de: "Überfällige Nachverfolgung: %s",
			fr: "Suivi en retard : %s",
			es: "Seguimiento vencido: %s",
			it: "Follow-up scaduto: %s",
			zh: "跟进已逾期：%s",
		},
		"followup.escalation.lead": {
			en: "The follow-up with %s on %s was due on %s and is not resolved yet. Its owner is %s.",
			fi: "Seuranta henkilön %s kanssa kyselystä %s erääntyi %s, eikä sitä ole vielä ratkaistu. Sen vastuuhenkilö on %s.",
			sv: "Uppföljningen med %s om %s förföll %s och är ännu inte löst. Ansvarig är %s.",
			de: "Die Nachverfolgung mit %s zu %s war am %s fällig und ist noch nicht abgeschlossen. Verantwortlich ist %s.",
			fr: "Le suivi avec %s concernant %s était dû le %s et n'est pas encore clôturé. Son responsable est %s.",
			es: "El seguimiento con %s sobre %s vencía el %s y aún no está cerrado. Su responsable es %s.",
			it: "Il follow-up con %s su %s era in scadenza il %s e non è ancora chiuso. Il responsabile è %s.",
			zh: "与 %s 关于 %s 的跟进已于 %s 到期，至今尚未解决。负责人：%s。",
		},
		"followup.escalation.action": {
			en: "Please make sure that someone follows up, or take it over:",
			fi: "Varmista, että joku hoitaa seurannan, tai ota se itsellesi:",
			sv: "Se till att någon följer upp, eller ta över uppföljningen:",
			de: "Bitte sorgen Sie dafür, dass sich jemand darum kümmert, oder übernehmen Sie die Nachverfolgung:",
			fr: "Veuillez vous assurer que quelqu'un assure le suivi, ou reprenez-le :",
			es: "Asegúrese de que alguien haga el seguimiento, o asúmalo usted:",
			it: "Si assicuri che qualcuno se ne occupi, oppure lo prenda in carico:",
			zh: "请确保有人跟进，或由您接手：",
		},
		"followup.owner.admins": {
			en: "the admins",
			fi: "ylläpitäjät",
			sv: "administratörerna",
			de: "die Administratoren",
			fr: "les administrateurs",
			es: "los administradores",
			it: "gli amministratori",
			zh: "管理员",
		},
		"followup.footer": {
			en: "Opening the response is recorded in the audit log. If the person withdraws their consent, the follow-up disappears.",
			fi: "Vastauksen avaaminen kirjataan tapahtumalokiin. Jos henkilö peruu suostumuksensa, seuranta poistuu.",
			sv: "Att öppna svaret registreras i granskningsloggen. Om personen återkallar sitt samtycke försvinner uppföljningen.",
			de: "Das Öffnen der Antwort wird im Audit-Log festgehalten. Widerruft die Person ihre Einwilligung, verschwindet die Nachverfolgung.",
			fr: "L'ouverture de la réponse est consignée dans le journal d'audit. Si la personne retire son consentement, le suivi disparaît.",
			es: "La apertura de la respuesta queda registrada en el registro de auditoría. Si la persona retira su consentimiento, el seguimiento desaparece.",
			it: "L'apertura della risposta viene registrata nel registro di controllo. Se la persona revoca il consenso, il follow-up scompare.",
			zh: "打开回复会记录在审计日志中。如果此人撤回同意，该跟进将消失。",
		},
	}
}

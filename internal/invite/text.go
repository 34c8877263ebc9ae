package invite

// emailText is the wording of an invitation email in one language. Texts
// with %s take the survey title, the recipient's name or a date. German,
// French, Spanish and Italian address the reader formally, as business
// mail does.
type emailText struct {
	Subject         string // %s: survey title
	ReminderSubject string // %s: survey title
	Greeting        string // %s: recipient's name
	GreetingNoName  string
	Lead            string // shown when the survey has no introduction of its own
	ReminderLead    string
	Button          string
	LinkFallback    string
	Validity        string // %s: the last day the link works
	Confidential    string
	ManageData      string
	ManageDataLink  string
	Unsubscribe     string
	UnsubscribeLink string
	Thanks          string
}

// emailTexts returns the wording in locale, English for a locale without
// one. A function rather than a package variable, so no caller can change
// the table.
func emailTexts(locale string) emailText {
	switch locale {
	case "fi":
		return emailText{
			Subject:         "Kysely: %s",
			ReminderSubject: "Muistutus: %s",
			Greeting:        "Hyvä %s,",
			GreetingNoName:  "Hei,",
			Lead:            "Arvostaisimme mielipidettäsi palvelustamme. Vastaaminen vie vain muutaman minuutin.",
			ReminderLead:    "Pieni muistutus: emme ole vielä saaneet vastauksiasi, ja haluaisimme yhä kuulla mielipiteesi.",
			Button:          "Vastaa kyselyyn",
			LinkFallback:    "Jos painike ei toimi, kopioi tämä osoite selaimeesi:",
			Validity:        "Linkki on henkilökohtainen ja voimassa %s asti.",
			Confidential:    "Vastauksesi ovat luottamuksellisia. Nimesi liitetään niihin vain, jos annat siihen suostumuksesi kyselysivulla, ja voit perua suostumuksen milloin tahansa.",
			ManageData:      "Voit katsoa, korjata tai poistaa sinusta tallennetut henkilötiedot:",
			ManageDataLink:  "Hallitse tietojasi",
			Unsubscribe:     "Etkö halua enää kyselyjä sähköpostitse?",
			UnsubscribeLink: "Lopeta kyselyviestit",
			Thanks:          "Kiitos,",
		}
	case "sv":
		return emailText{
			Subject:         "Enkät: %s",
			ReminderSubject: "Påminnelse: %s",
			Greeting:        "Hej %s,",
			GreetingNoName:  "Hej,",
			Lead:            "Vi skulle uppskatta din åsikt om vår service. Det tar bara några minuter att svara.",
			ReminderLead:    "En kort påminnelse: vi har ännu inte fått dina svar och vill fortfarande gärna höra vad du tycker.",
			Button:          "Svara på enkäten",
			LinkFallback:    "Om knappen inte fungerar kan du kopiera den här adressen till din webbläsare:",
			Validity:        "Länken är personlig och gäller till och med %s.",
			Confidential:    "Dina svar är konfidentiella. Ditt namn kopplas till dem endast om du samtycker till det på enkätsidan, och du kan när som helst återkalla samtycket.",
			ManageData:      "Se, rätta eller radera de personuppgifter vi har om dig:",
			ManageDataLink:  "Hantera dina uppgifter",
			Unsubscribe:     "Vill du inte längre få enkäter via e-post?",
			UnsubscribeLink: "Avregistrera dig",
			Thanks:          "Tack,",
		}
	case "de":
		return emailText{
			Subject:         "Umfrage: %s",
			ReminderSubject: "Erinnerung: %s",
			Greeting:        "Guten Tag %s,",
			GreetingNoName:  "Guten Tag,",
			Lead:            "Ihre Meinung zu unserem Service ist uns wichtig. Die Beantwortung dauert nur wenige Minuten.",
			ReminderLead:    "Eine kurze Erinnerung: Wir haben Ihre Antworten noch nicht erhalten und würden uns weiterhin sehr über Ihre Meinung freuen.",
			Button:          "Zur Umfrage",
			LinkFallback:    "Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:",
			Validity:        "Dieser Link ist persönlich und bis %s gültig.",
			Confidential:    "Ihre Antworten sind vertraulich. Ihr Name wird nur dann mit ihnen verknüpft, wenn Sie auf der Umfrageseite zustimmen, und Sie können diese Zustimmung jederzeit widerrufen.",
			ManageData:      "Ihre bei uns gespeicherten personenbezogenen Daten einsehen, berichtigen oder löschen:",
			ManageDataLink:  "Ihre Daten verwalten",
			Unsubscribe:     "Sie möchten keine Umfragen mehr per E-Mail erhalten?",
			UnsubscribeLink: "Abmelden",
			Thanks:          "Vielen Dank",
		}
	case "fr":
		return emailText{
			Subject:         "Enquête : %s",
			ReminderSubject: "Rappel : %s",
			Greeting:        "Bonjour %s,",
			GreetingNoName:  "Bonjour,",
			Lead:            "Votre avis sur notre service nous intéresse. Répondre ne prend que quelques minutes.",
			ReminderLead:    "Petit rappel : nous n'avons pas encore reçu vos réponses et serions toujours heureux de connaître votre avis.",
			Button:          "Répondre à l'enquête",
			LinkFallback:    "Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :",
			Validity:        "Ce lien vous est personnel et reste valable jusqu'au %s.",
			Confidential:    "Vos réponses sont confidentielles. Votre nom n'y est associé que si vous l'acceptez sur la page de l'enquête, et vous pouvez retirer ce consentement à tout moment.",
			ManageData:      "Consultez, corrigez ou effacez les données personnelles que nous détenons à votre sujet :",
			ManageDataLink:  "Gérer vos données",
			Unsubscribe:     "Vous ne souhaitez plus recevoir nos enquêtes par e-mail ?",
			UnsubscribeLink: "Se désabonner",
			Thanks:          "Merci,",
		}
	case "es":
		return emailText{
			Subject:         "Encuesta: %s",
			ReminderSubject: "Recordatorio: %s",
			Greeting:        "Estimado/a %s:",
			GreetingNoName:  "Buenos días:",
			Lead:            "Nos gustaría conocer su opinión sobre nuestro servicio. Responder solo le llevará unos minutos.",
			ReminderLead:    "Un breve recordatorio: aún no hemos recibido sus respuestas y nos seguiría gustando mucho conocer su opinión.",
			Button:          "Responder a la encuesta",
			LinkFallback:    "Si el botón no funciona, copie esta dirección en su navegador:",
			Validity:        "Este enlace es personal y válido hasta el %s.",
			Confidential:    "Sus respuestas son confidenciales. Su nombre solo se asocia a ellas si usted lo acepta en la página de la encuesta, y puede retirar ese consentimiento en cualquier momento.",
			ManageData:      "Consulte, corrija o borre los datos personales que tenemos sobre usted:",
			ManageDataLink:  "Gestionar sus datos",
			Unsubscribe:     "¿No desea recibir más encuestas por correo electrónico?",
			UnsubscribeLink: "Darse de baja",
			Thanks:          "Gracias,",
		}
	case "it":
		return emailText{
			Subject:         "Sondaggio: %s",
			ReminderSubject: "Promemoria: %s",
			Greeting:        "Gentile %s,",
			GreetingNoName:  "Buongiorno,",
			Lead:            "Ci piacerebbe conoscere la sua opinione sul nostro servizio. Rispondere richiede solo pochi minuti.",
			ReminderLead:    "Un breve promemoria: non abbiamo ancora ricevuto le sue risposte e ci farebbe ancora molto piacere conoscere la sua opinione.",
			Button:          "Rispondi al sondaggio",
			LinkFallback:    "Se il pulsante non funziona, copi questo indirizzo nel browser:",
			Validity:        "Questo link è personale e valido fino al %s.",
			Confidential:    "Le sue risposte sono riservate. Il suo nome viene associato alle risposte solo se lei acconsente nella pagina del sondaggio, e può revocare il consenso in qualsiasi momento.",
			ManageData:      "Consulti, corregga o cancelli i dati personali che conserviamo su di lei:",
			ManageDataLink:  "Gestisca i suoi dati",
			Unsubscribe:     "Non desidera più ricevere sondaggi via e-mail?",
			UnsubscribeLink: "Annulla l'iscrizione",
			Thanks:          "Grazie,",
		}
	case "zh":
		return emailText{
			Subject:         "调查：%s",
			ReminderSubject: "提醒：%s",
			Greeting:        "%s，您好：",
			GreetingNoName:  "您好：",
			Lead:            "我们希望了解您对我们服务的看法。回答只需几分钟。",
			ReminderLead:    "温馨提醒：我们尚未收到您的答复，仍然非常希望听到您的意见。",
			Button:          "参与调查",
			LinkFallback:    "如果按钮无法使用，请将此地址复制到浏览器中：",
			Validity:        "此链接仅供您本人使用，有效期至 %s。",
			Confidential:    "您的答复将严格保密。只有在您于调查页面上同意后，您的姓名才会与答复关联，您可以随时撤回同意。",
			ManageData:      "查看、更正或删除我们持有的您的个人数据：",
			ManageDataLink:  "管理您的数据",
			Unsubscribe:     "不想再收到我们的调查邮件？",
			UnsubscribeLink: "退订",
			Thanks:          "谢谢！",
		}
	}
	return emailText{
		Subject:         "Survey: %s",
		ReminderSubject: "Reminder: %s",
		Greeting:        "Dear %s,",
		GreetingNoName:  "Hello,",
		Lead:            "We would value your opinion of our service. Answering takes only a few minutes.",
		ReminderLead:    "A short reminder: we have not received your answers yet, and we would still very much like to hear from you.",
		Button:          "Answer the survey",
		LinkFallback:    "If the button does not work, copy this address into your browser:",
		Validity:        "This link is personal to you and valid until %s.",
		Confidential:    "Your answers are confidential. Your name is attached to them only if you agree to it on the survey page, and you can withdraw that consent at any time.",
		ManageData:      "See, correct or erase the personal data we hold about you:",
		ManageDataLink:  "Manage your data",
		Unsubscribe:     "Don't want survey emails from us any more?",
		UnsubscribeLink: "Unsubscribe",
		Thanks:          "Thank you,",
	}
}

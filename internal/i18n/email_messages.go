package i18n

// EmailMessages returns the texts of the invitation and reminder emails in
// locale, falling back to English for a locale that is not supported. The
// map is the caller's to keep or change.
func EmailMessages(locale string) Catalog {
	all := emailMessages()
	c := make(Catalog, len(all))
	for key, m := range all {
		c[key] = m.in(locale)
	}
	return c
}

// emailMessages are the texts of the survey emails: "email.*" the
// invitation, "email.reminder.*" what a reminder says instead. Texts with
// %s take the survey title ("email.subject", "email.reminder.subject"),
// the recipient's name ("email.greeting") or the last day the link works
// ("email.validity"). German, French, Spanish and Italian address the
// reader formally, as business mail does.
func emailMessages() map[string]message {
	return map[string]message{
		"email.subject": {
			en: "Survey: %s",
			fi: "Kysely: %s",
			sv: "Enkät: %s",
			de: "Umfrage: %s",
			fr: "Enquête : %s",
			es: "Encuesta: %s",
			it: "Sondaggio: %s",
			zh: "调查：%s",
		},
		"email.reminder.subject": {
			en: "Reminder: %s",
			fi: "Muistutus: %s",
			sv: "Påminnelse: %s",
			de: "Erinnerung: %s",
			fr: "Rappel : %s",
			es: "Recordatorio: %s",
			it: "Promemoria: %s",
			zh: "提醒：%s",
		},
		"email.greeting": {
			en: "Dear %s,",
			fi: "Hyvä %s,",
			sv: "Hej %s,",
			de: "Guten Tag %s,",
			fr: "Bonjour %s,",
			es: "Estimado/a %s:",
			it: "Gentile %s,",
			zh: "%s，您好：",
		},
		"email.greeting.no_name": {
			en: "Hello,",
			fi: "Hei,",
			sv: "Hej,",
			de: "Guten Tag,",
			fr: "Bonjour,",
			es: "Buenos días:",
			it: "Buongiorno,",
			zh: "您好：",
		},
		"email.lead": {
			en: "We would value your opinion of our service. Answering takes only a few minutes.",
			fi: "Arvostaisimme mielipidettäsi palvelustamme. Vastaaminen vie vain muutaman minuutin.",
			sv: "Vi skulle uppskatta din åsikt om vår service. Det tar bara några minuter att svara.",
			de: "Ihre Meinung zu unserem Service ist uns wichtig. Die Beantwortung dauert nur wenige Minuten.",
			fr: "Votre avis sur notre service nous intéresse. Répondre ne prend que quelques minutes.",
			es: "Nos gustaría conocer su opinión sobre nuestro servicio. Responder solo le llevará unos minutos.",
			it: "Ci piacerebbe conoscere la sua opinione sul nostro servizio. Rispondere richiede solo pochi minuti.",
			zh: "我们希望了解您对我们服务的看法。回答只需几分钟。",
		},
		"email.reminder.lead": {
			en: "A short reminder: we have not received your answers yet, and we would still very much like to hear from you.",
			fi: "Pieni muistutus: emme ole vielä saaneet vastauksiasi, ja haluaisimme yhä kuulla mielipiteesi.",
			sv: "En kort påminnelse: vi har ännu inte fått dina svar och vill fortfarande gärna höra vad du tycker.",
			de: "Eine kurze Erinnerung: Wir haben Ihre Antworten noch nicht erhalten und würden uns weiterhin sehr über Ihre Meinung freuen.",
			fr: "Petit rappel : nous n'avons pas encore reçu vos réponses et serions toujours heureux de connaître votre avis.",
			es: "Un breve recordatorio: aún no hemos recibido sus respuestas y nos seguiría gustando mucho conocer su opinión.",
			it: "Un breve promemoria: non abbiamo ancora ricevuto le sue risposte e ci farebbe ancora molto piacere conoscere la sua opinione.",
			zh: "温馨提醒：我们尚未收到您的答复，仍然非常希望听到您的意见。",
		},
		"email.button": {
			en: "Answer the survey",
			fi: "Vastaa kyselyyn",
			sv: "Svara på enkäten",
			de: "Zur Umfrage",
			fr: "Répondre à l'enquête",
			es: "Responder a la encuesta",
			it: "Rispondi al sondaggio",
			zh: "参与调查",
		},
		"email.link_fallback": {
			en: "If the button does not work, copy this address into your browser:",
			fi: "Jos painike ei toimi, kopioi tämä osoite selaimeesi:",
			sv: "Om knappen inte fungerar kan du kopiera den här adressen till din webbläsare:",
			de: "Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:",
			fr: "Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :",
			es: "Si el botón no funciona, copie esta dirección en su navegador:",
			it: "Se il pulsante non funziona, copi questo indirizzo nel browser:",
			zh: "如果按钮无法使用，请将此地址复制到浏览器中：",
		},
		"email.validity": {
			en: "This link is personal to you and valid until %s.",
			fi: "Linkki on henkilökohtainen ja voimassa %s asti.",
			sv: "Länken är personlig och gäller till och med %s.",
			de: "Dieser Link ist persönlich und bis %s gültig.",
			fr: "Ce lien vous est personnel et reste valable jusqu'au %s.",
			es: "Este enlace es personal y válido hasta el %s.",
			it: "Questo link è personale e valido fino al %s.",
			zh: "此链接仅供您本人使用，有效期至 %s。",
		},
		"email.confidential": {
			en: "Your answers are confidential. Your name is attached to them only if you agree to it on the survey page, and you can withdraw that consent at any time.",
			fi: "Vastauksesi ovat luottamuksellisia. Nimesi liitetään niihin vain, jos annat siihen suostumuksesi kyselysivulla, ja voit perua suostumuksen milloin tahansa.",
			sv: "Dina svar är konfidentiella. Ditt namn kopplas till dem endast om du samtycker till det på enkätsidan, och du kan när som helst återkalla samtycket.",
			de: "Ihre Antworten sind vertraulich. Ihr Name wird nur dann mit ihnen verknüpft, wenn Sie auf der Umfrageseite zustimmen, und Sie können diese Zustimmung jederzeit widerrufen.",
			fr: "Vos réponses sont confidentielles. Votre nom n'y est associé que si vous l'acceptez sur la page de l'enquête, et vous pouvez retirer ce consentement à tout moment.",
			es: "Sus respuestas son confidenciales. Su nombre solo se asocia a ellas si usted lo acepta en la página de la encuesta, y puede retirar ese consentimiento en cualquier momento.",
			it: "Le sue risposte sono riservate. Il suo nome viene associato alle risposte solo se lei acconsente nella pagina del sondaggio, e può revocare il consenso in qualsiasi momento.",
			zh: "您的答复将严格保密。只有在您于调查页面上同意后，您的姓名才会与答复关联，您可以随时撤回同意。",
		},
		"email.manage_data": {
			en: "See, correct or erase the personal data we hold about you:",
			fi: "Voit katsoa, korjata tai poistaa sinusta tallennetut henkilötiedot:",
			sv: "Se, rätta eller radera de personuppgifter vi har om dig:",
			de: "Ihre bei uns gespeicherten personenbezogenen Daten einsehen, berichtigen oder löschen:",
			fr: "Consultez, corrigez ou effacez les données personnelles que nous détenons à votre sujet :",
			es: "Consulte, corrija o borre los datos personales que tenemos sobre usted:",
			it: "Consulti, corregga o cancelli i dati personali che conserviamo su di lei:",
			zh: "查看、更正或删除我们持有的您的个人数据：",
		},
		"email.manage_data.link": {
			en: "Manage your data",
			fi: "Hallitse tietojasi",
			sv: "Hantera dina uppgifter",
			de: "Ihre Daten verwalten",
			fr: "Gérer vos données",
			es: "Gestionar sus datos",
			it: "Gestisca i suoi dati",
			zh: "管理您的数据",
		},
		"email.unsubscribe": {
			en: "Don't want survey emails from us any more?",
			fi: "Etkö halua enää kyselyjä sähköpostitse?",
			sv: "Vill du inte längre få enkäter via e-post?",
			de: "Sie möchten keine Umfragen mehr per E-Mail erhalten?",
			fr: "Vous ne souhaitez plus recevoir nos enquêtes par e-mail ?",
			es: "¿No desea recibir más encuestas por correo electrónico?",
			it: "Non desidera più ricevere sondaggi via e-mail?",
			zh: "不想再收到我们的调查邮件？",
		},
		"email.unsubscribe.link": {
			en: "Unsubscribe",
			fi: "Lopeta kyselyviestit",
			sv: "Avregistrera dig",
			de: "Abmelden",
			fr: "Se désabonner",
			es: "Darse de baja",
			it: "Annulla l'iscrizione",
			zh: "退订",
		},
		"email.thanks": {
			en: "Thank you,",
			fi: "Kiitos,",
			sv: "Tack,",
			de: "Vielen Dank",
			fr: "Merci,",
			es: "Gracias,",
			it: "Grazie,",
			zh: "谢谢！",
		},
		// Under the row of score links for the survey's first question.
		"email.score.hint": {
			en: "Choose a number to open the survey with it selected. Nothing is recorded until you send your answers.",
			fi: "Valitse numero, niin kysely avautuu se valittuna. Mitään ei tallenneta ennen kuin lähetät vastauksesi.",
			sv: "Välj en siffra så öppnas enkäten med den vald. Inget sparas förrän du skickar dina svar.",
			de: "Wählen Sie eine Zahl, um die Umfrage mit dieser Auswahl zu öffnen. Gespeichert wird erst, wenn Sie Ihre Antworten senden.",
			fr: "Choisissez un chiffre pour ouvrir l'enquête avec cette note sélectionnée. Rien n'est enregistré avant l'envoi de vos réponses.",
			es: "Elija un número para abrir la encuesta con él seleccionado. No se guarda nada hasta que envíe sus respuestas.",
			it: "Scelga un numero per aprire il sondaggio con quel valore selezionato. Nulla viene registrato finché non invia le Sue risposte.",
			zh: "选择一个数字，即可打开已选中该分数的调查。在您提交答案之前，不会记录任何内容。",
		},
	}
}

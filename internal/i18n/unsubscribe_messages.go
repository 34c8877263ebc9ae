package i18n

// UnsubscribeMessages returns the catalog of the unsubscribe pages in
// locale: the respondent pages' messages (RespondentMessages) and the
// unsubscribe texts.
func UnsubscribeMessages(locale string) Catalog {
	c := RespondentMessages(locale)
	for key, m := range unsubscribeMessages() {
		c[key] = m.in(locale)
	}
	return c
}

// unsubscribeMessages are the texts of the unsubscribe pages (/u/{token}):
// "unsubscribe.question.*" asks, "unsubscribe.done.*" confirms, and
// "unsubscribe.invalid|expired|error.*" answer a link that does not work.
// Texts with %s take a masked email address. German, French, Spanish and
// Italian address the reader formally.
func unsubscribeMessages() map[string]message {
	return map[string]message{
		"unsubscribe.title": {
			en: "Unsubscribe from survey emails",
			fi: "Kyselyviestien lopettaminen",
			sv: "Avregistrera dig från enkäter via e-post",
			de: "Von Umfrage-E-Mails abmelden",
			fr: "Se désabonner des enquêtes par e-mail",
			es: "Darse de baja de las encuestas por correo",
			it: "Annulla l'iscrizione ai sondaggi via e-mail",
			zh: "退订调查邮件",
		},
		"unsubscribe.question": {
			en: "Stop survey emails to %s?",
			fi: "Lopetetaanko kyselyviestien lähettäminen osoitteeseen %s?",
			sv: "Sluta skicka enkäter till %s?",
			de: "Keine Umfrage-E-Mails mehr an %s senden?",
			fr: "Ne plus envoyer d'enquêtes à %s ?",
			es: "¿Dejar de enviar encuestas a %s?",
			it: "Non inviare più sondaggi a %s?",
			zh: "不再向 %s 发送调查邮件？",
		},
		"unsubscribe.question.no_email": {
			en: "Stop survey emails?",
			fi: "Lopetetaanko kyselyviestien lähettäminen?",
			sv: "Sluta skicka enkäter?",
			de: "Keine Umfrage-E-Mails mehr senden?",
			fr: "Ne plus recevoir d'enquêtes ?",
			es: "¿Dejar de recibir encuestas?",
			it: "Non ricevere più sondaggi?",
			zh: "不再接收调查邮件？",
		},
		"unsubscribe.explain": {
			en: "You will get no more survey invitations or reminders from us. Answers you have already given are not affected.",
			fi: "Et saa meiltä enää kyselykutsuja etkä muistutuksia. Jo antamiisi vastauksiin tämä ei vaikuta.",
			sv: "Du får inga fler enkätinbjudningar eller påminnelser från oss. Svar som du redan har lämnat påverkas inte.",
			de: "Sie erhalten von uns keine Einladungen zu Umfragen und keine Erinnerungen mehr. Bereits abgegebene Antworten bleiben davon unberührt.",
			fr: "Vous ne recevrez plus d'invitations ni de rappels pour nos enquêtes. Les réponses que vous avez déjà données ne sont pas concernées.",
			es: "No volverá a recibir invitaciones ni recordatorios de nuestras encuestas. Las respuestas que ya haya dado no se ven afectadas.",
			it: "Non riceverà più inviti né promemoria per i nostri sondaggi. Le risposte già date non ne sono interessate.",
			zh: "您将不会再收到我们的调查邀请或提醒。您已提交的答复不受影响。",
		},
		"unsubscribe.button": {
			en: "Unsubscribe",
			fi: "Lopeta kyselyviestit",
			sv: "Avregistrera",
			de: "Abmelden",
			fr: "Se désabonner",
			es: "Darse de baja",
			it: "Annulla l'iscrizione",
			zh: "退订",
		},
		"unsubscribe.done.title": {
			en: "You are unsubscribed",
			fi: "Kyselyviestit on lopetettu",
			sv: "Du är avregistrerad",
			de: "Sie sind abgemeldet",
			fr: "Vous êtes désabonné(e)",
			es: "Se ha dado de baja",
			it: "Iscrizione annullata",
			zh: "您已退订",
		},
		"unsubscribe.done.body": {
			en: "We will send no more survey emails to %s.",
			fi: "Emme lähetä enää kyselyviestejä osoitteeseen %s.",
			sv: "Vi skickar inga fler enkäter till %s.",
			de: "Wir senden keine Umfrage-E-Mails mehr an %s.",
			fr: "Nous n'enverrons plus d'enquêtes à %s.",
			es: "No enviaremos más encuestas a %s.",
			it: "Non invieremo più sondaggi a %s.",
			zh: "我们将不再向 %s 发送调查邮件。",
		},
		"unsubscribe.done.no_email": {
			en: "We will send you no more survey emails.",
			fi: "Emme lähetä sinulle enää kyselyviestejä.",
			sv: "Vi skickar inga fler enkäter till dig.",
			de: "Wir senden Ihnen keine Umfrage-E-Mails mehr.",
			fr: "Nous ne vous enverrons plus d'enquêtes.",
			es: "No le enviaremos más encuestas.",
			it: "Non le invieremo più sondaggi.",
			zh: "我们将不再向您发送调查邮件。",
		},
		"unsubscribe.invalid.title": {
			en: "This link does not work",
			fi: "Tämä linkki ei toimi",
			sv: "Länken fungerar inte",
			de: "Dieser Link funktioniert nicht",
			fr: "Ce lien ne fonctionne pas",
			es: "Este enlace no funciona",
			it: "Questo link non funziona",
			zh: "此链接无效",
		},
		"unsubscribe.invalid.body": {
			en: "The link is incomplete or has been changed. Please use the unsubscribe link in the email exactly as it is.",
			fi: "Linkki on puutteellinen tai sitä on muutettu. Käytä sähköpostissa olevaa linkkiä sellaisenaan.",
			sv: "Länken är ofullständig eller har ändrats. Använd länken i e-postmeddelandet precis som den är.",
			de: "Der Link ist unvollständig oder wurde verändert. Bitte verwenden Sie den Link aus der E-Mail unverändert.",
			fr: "Le lien est incomplet ou a été modifié. Veuillez utiliser le lien de l'e-mail tel quel.",
			es: "El enlace está incompleto o se ha modificado. Utilice el enlace del correo tal como aparece.",
			it: "Il link è incompleto o è stato modificato. Utilizzi il link dell'e-mail così com'è.",
			zh: "链接不完整或已被更改。请原样使用邮件中的链接。",
		},
		"unsubscribe.expired.title": {
			en: "This link has expired",
			fi: "Tämä linkki on vanhentunut",
			sv: "Länken har gått ut",
			de: "Dieser Link ist abgelaufen",
			fr: "Ce lien a expiré",
			es: "Este enlace ha caducado",
			it: "Questo link è scaduto",
			zh: "此链接已过期",
		},
		"unsubscribe.expired.body": {
			en: "Unsubscribe links work for a year. Please use the link in a more recent email from us.",
			fi: "Linkki toimii vuoden ajan. Käytä tuoreemmassa viestissämme olevaa linkkiä.",
			sv: "Länken gäller i ett år. Använd länken i ett nyare e-postmeddelande från oss.",
			de: "Abmeldelinks gelten ein Jahr lang. Bitte verwenden Sie den Link aus einer neueren E-Mail von uns.",
			fr: "Les liens de désabonnement sont valables un an. Veuillez utiliser le lien d'un e-mail plus récent.",
			es: "Los enlaces para darse de baja son válidos durante un año. Utilice el enlace de un correo más reciente.",
			it: "I link per annullare l'iscrizione valgono un anno. Utilizzi il link di un'e-mail più recente.",
			zh: "退订链接的有效期为一年。请使用我们最近一封邮件中的链接。",
		},
		"unsubscribe.error.title": {
			en: "Something went wrong",
			fi: "Jokin meni vikaan",
			sv: "Något gick fel",
			de: "Etwas ist schiefgelaufen",
			fr: "Une erreur s'est produite",
			es: "Algo ha salido mal",
			it: "Qualcosa è andato storto",
			zh: "出现错误",
		},
		"unsubscribe.error.body": {
			en: "We could not complete your request. Please try again in a moment.",
			fi: "Pyyntöäsi ei voitu käsitellä. Yritä hetken kuluttua uudelleen.",
			sv: "Vi kunde inte genomföra din begäran. Försök igen om en stund.",
			de: "Ihre Anfrage konnte nicht ausgeführt werden. Bitte versuchen Sie es gleich noch einmal.",
			fr: "Votre demande n'a pas pu aboutir. Veuillez réessayer dans un instant.",
			es: "No hemos podido completar su solicitud. Inténtelo de nuevo en un momento.",
			it: "Non è stato possibile completare la richiesta. Riprovi tra un momento.",
			zh: "无法完成您的请求，请稍后重试。",
		},
		"unsubscribe.reference": {
			en: "Reference",
			fi: "Viite",
			sv: "Referens",
			de: "Referenz",
			fr: "Référence",
			es: "Referencia",
			it: "Riferimento",
			zh: "参考编号",
		},
	}
}

package respondent

// unsubscribeText is the wording of the unsubscribe pages in one language.
// Texts with %s take a masked email address.
type unsubscribeText struct {
	Title, Question, QuestionNoEmail, Explain, Button string
	DoneTitle, DoneBody, DoneBodyNoEmail              string
	InvalidTitle, InvalidBody                         string
	ExpiredTitle, ExpiredBody                         string
	ErrorTitle, ErrorBody, Reference                  string
}

// unsubscribeTexts returns the wording in locale, English for a locale
// without one. German, French, Spanish and Italian address the reader
// formally.
func unsubscribeTexts(locale string) unsubscribeText {
	switch locale {
	case "fi":
		return unsubscribeText{
			Title:           "Kyselyviestien lopettaminen",
			Question:        "Lopetetaanko kyselyviestien lähettäminen osoitteeseen %s?",
			QuestionNoEmail: "Lopetetaanko kyselyviestien lähettäminen?",
			Explain:         "Et saa meiltä enää kyselykutsuja etkä muistutuksia. Jo antamiisi vastauksiin tämä ei vaikuta.",
			Button:          "Lopeta kyselyviestit",
			DoneTitle:       "Kyselyviestit on lopetettu",
			DoneBody:        "Emme lähetä enää kyselyviestejä osoitteeseen %s.",
			DoneBodyNoEmail: "Emme lähetä sinulle enää kyselyviestejä.",
			InvalidTitle:    "Tämä linkki ei toimi",
			InvalidBody:     "Linkki on puutteellinen tai sitä on muutettu. Käytä sähköpostissa olevaa linkkiä sellaisenaan.",
			ExpiredTitle:    "Tämä linkki on vanhentunut",
			ExpiredBody:     "Linkki toimii vuoden ajan. Käytä tuoreemmassa viestissämme olevaa linkkiä.",
			ErrorTitle:      "Jokin meni vikaan",
			ErrorBody:       "Pyyntöäsi ei voitu käsitellä. Yritä hetken kuluttua uudelleen.",
			Reference:       "Viite",
		}
	case "sv":
		return unsubscribeText{
			Title:           "Avregistrera dig från enkäter via e-post",
			Question:        "Sluta skicka enkäter till %s?",
			QuestionNoEmail: "Sluta skicka enkäter?",
			Explain:         "Du får inga fler enkätinbjudningar eller påminnelser från oss. Svar som du redan har lämnat påverkas inte.",
			Button:          "Avregistrera",
			DoneTitle:       "Du är avregistrerad",
			DoneBody:        "Vi skickar inga fler enkäter till %s.",
			DoneBodyNoEmail: "Vi skickar inga fler enkäter till dig.",
			InvalidTitle:    "Länken fungerar inte",
			InvalidBody:     "Länken är ofullständig eller har ändrats. Använd länken i e-postmeddelandet precis som den är.",
			ExpiredTitle:    "Länken har gått ut",
			ExpiredBody:     "Länken gäller i ett år. Använd länken i ett nyare e-postmeddelande från oss.",
			ErrorTitle:      "Något gick fel",
			ErrorBody:       "Vi kunde inte genomföra din begäran. Försök igen om en stund.",
			Reference:       "Referens",
		}
	case "de":
		return unsubscribeText{
			Title:           "Von Umfrage-E-Mails abmelden",
			Question:        "Keine Umfrage-E-Mails mehr an %s senden?",
			QuestionNoEmail: "Keine Umfrage-E-Mails mehr senden?",
			Explain:         "Sie erhalten von uns keine Einladungen zu Umfragen und keine Erinnerungen mehr. Bereits abgegebene Antworten bleiben davon unberührt.",
			Button:          "Abmelden",
			DoneTitle:       "Sie sind abgemeldet",
			DoneBody:        "Wir senden keine Umfrage-E-Mails mehr an %s.",
			DoneBodyNoEmail: "Wir senden Ihnen keine Umfrage-E-Mails mehr.",
			InvalidTitle:    "Dieser Link funktioniert nicht",
			InvalidBody:     "Der Link ist unvollständig oder wurde verändert. Bitte verwenden Sie den Link aus der E-Mail unverändert.",
			ExpiredTitle:    "Dieser Link ist abgelaufen",
			ExpiredBody:     "Abmeldelinks gelten ein Jahr lang. Bitte verwenden Sie den Link aus einer neueren E-Mail von uns.",
			ErrorTitle:      "Etwas ist schiefgelaufen",
			ErrorBody:       "Ihre Anfrage konnte nicht ausgeführt werden. Bitte versuchen Sie es gleich noch einmal.",
			Reference:       "Referenz",
		}
	case "fr":
		return unsubscribeText{
			Title:           "Se désabonner des enquêtes par e-mail",
			Question:        "Ne plus envoyer d'enquêtes à %s ?",
			QuestionNoEmail: "Ne plus recevoir d'enquêtes ?",
			Explain:         "Vous ne recevrez plus d'invitations ni de rappels pour nos enquêtes. Les réponses que vous avez déjà données ne sont pas concernées.",
			Button:          "Se désabonner",
			DoneTitle:       "Vous êtes désabonné(e)",
			DoneBody:        "Nous n'enverrons plus d'enquêtes à %s.",
			DoneBodyNoEmail: "Nous ne vous enverrons plus d'enquêtes.",
			InvalidTitle:    "Ce lien ne fonctionne pas",
			InvalidBody:     "Le lien est incomplet ou a été modifié. Veuillez utiliser le lien de l'e-mail tel quel.",
			ExpiredTitle:    "Ce lien a expiré",
			ExpiredBody:     "Les liens de désabonnement sont valables un an. Veuillez utiliser le lien d'un e-mail plus récent.",
			ErrorTitle:      "Une erreur s'est produite",
			ErrorBody:       "Votre demande n'a pas pu aboutir. Veuillez réessayer dans un instant.",
			Reference:       "Référence",
		}
	case "es":
		return unsubscribeText{
			Title:           "Darse de baja de las encuestas por correo",
			Question:        "¿Dejar de enviar encuestas a %s?",
			QuestionNoEmail: "¿Dejar de recibir encuestas?",
			Explain:         "No volverá a recibir invitaciones ni recordatorios de nuestras encuestas. Las respuestas que ya haya dado no se ven afectadas.",
			Button:          "Darse de baja",
			DoneTitle:       "Se ha dado de baja",
			DoneBody:        "No enviaremos más encuestas a %s.",
			DoneBodyNoEmail: "No le enviaremos más encuestas.",
			InvalidTitle:    "Este enlace no funciona",
			InvalidBody:     "El enlace está incompleto o se ha modificado. Utilice el enlace del correo tal como aparece.",
			ExpiredTitle:    "Este enlace ha caducado",
			ExpiredBody:     "Los enlaces para darse de baja son válidos durante un año. Utilice el enlace de un correo más reciente.",
			ErrorTitle:      "Algo ha salido mal",
			ErrorBody:       "No hemos podido completar su solicitud. Inténtelo de nuevo en un momento.",
			Reference:       "Referencia",
		}
	case "it":
		return unsubscribeText{
			Title:           "Annulla l'iscrizione ai sondaggi via e-mail",
			Question:        "Non inviare più sondaggi a %s?",
			QuestionNoEmail: "Non ricevere più sondaggi?",
			Explain:         "Non riceverà più inviti né promemoria per i nostri sondaggi. Le risposte già date non ne sono interessate.",
			Button:          "Annulla l'iscrizione",
			DoneTitle:       "Iscrizione annullata",
			DoneBody:        "Non invieremo più sondaggi a %s.",
			DoneBodyNoEmail: "Non le invieremo più sondaggi.",
			InvalidTitle:    "Questo link non funziona",
			InvalidBody:     "Il link è incompleto o è stato modificato. Utilizzi il link dell'e-mail così com'è.",
			ExpiredTitle:    "Questo link è scaduto",
			ExpiredBody:     "I link per annullare l'iscrizione valgono un anno. Utilizzi il link di un'e-mail più recente.",
			ErrorTitle:      "Qualcosa è andato storto",
			ErrorBody:       "Non è stato possibile completare la richiesta. Riprovi tra un momento.",
			Reference:       "Riferimento",
		}
	case "zh":
		return unsubscribeText{
			Title:           "退订调查邮件",
			Question:        "不再向 %s 发送调查邮件？",
			QuestionNoEmail: "不再接收调查邮件？",
			Explain:         "您将不会再收到我们的调查邀请或提醒。您已提交的答复不受影响。",
			Button:          "退订",
			DoneTitle:       "您已退订",
			DoneBody:        "我们将不再向 %s 发送调查邮件。",
			DoneBodyNoEmail: "我们将不再向您发送调查邮件。",
			InvalidTitle:    "此链接无效",
			InvalidBody:     "链接不完整或已被更改。请原样使用邮件中的链接。",
			ExpiredTitle:    "此链接已过期",
			ExpiredBody:     "退订链接的有效期为一年。请使用我们最近一封邮件中的链接。",
			ErrorTitle:      "出现错误",
			ErrorBody:       "无法完成您的请求，请稍后重试。",
			Reference:       "参考编号",
		}
	}
	return unsubscribeText{
		Title:           "Unsubscribe from survey emails",
		Question:        "Stop survey emails to %s?",
		QuestionNoEmail: "Stop survey emails?",
		Explain:         "You will get no more survey invitations or reminders from us. Answers you have already given are not affected.",
		Button:          "Unsubscribe",
		DoneTitle:       "You are unsubscribed",
		DoneBody:        "We will send no more survey emails to %s.",
		DoneBodyNoEmail: "We will send you no more survey emails.",
		InvalidTitle:    "This link does not work",
		InvalidBody:     "The link is incomplete or has been changed. Please use the unsubscribe link in the email exactly as it is.",
		ExpiredTitle:    "This link has expired",
		ExpiredBody:     "Unsubscribe links work for a year. Please use the link in a more recent email from us.",
		ErrorTitle:      "Something went wrong",
		ErrorBody:       "We could not complete your request. Please try again in a moment.",
		Reference:       "Reference",
	}
}

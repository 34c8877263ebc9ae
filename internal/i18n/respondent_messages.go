package i18n

import (
	"fmt"
	"time"
)

// RespondentMessages returns the catalog of the respondent's pages in
// locale: the shared messages (Messages) and those of answering, link
// states, the thank-you page and the privacy pages.
func RespondentMessages(locale string) Catalog {
	c := Messages(locale)
	for key, m := range respondentMessages() {
		c[key] = m.in(locale)
	}
	return c
}

// FormatDate writes a day the way readers of locale expect.
func FormatDate(locale string, t time.Time) string {
	t = t.UTC()
	switch locale {
	case "fi", "de":
		return t.Format("2.1.2006")
	case "sv":
		return t.Format("2006-01-02")
	case "fr", "es", "it":
		return t.Format("02/01/2006")
	case "zh":
		return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
	}
	return t.Format("2 Jan 2006")
}

// respondentMessages are the texts of the respondent's pages. Keys:
// "page.*" every page, "answer.*" the answer form and its errors (codes of
// survey.FieldError), "state.*" what a link may still do, "thanks.*" the
// thank-you page, "privacy.*" the privacy page, "erase.*" the erasure
// confirmation, "email_change.*" confirming a new email address and its
// message. Texts with %d or %s verbs are format strings.
func respondentMessages() map[string]message {
	return map[string]message{
		"page.skip": {
			en: "Skip to content", fi: "Siirry sisältöön", sv: "Hoppa till innehållet", de: "Zum Inhalt springen",
			fr: "Aller au contenu", es: "Ir al contenido", it: "Vai al contenuto", zh: "跳到正文",
		},
		"page.language": {
			en: "Language", fi: "Kieli", sv: "Språk", de: "Sprache",
			fr: "Langue", es: "Idioma", it: "Lingua", zh: "语言",
		},
		"page.footer": {
			en: "Your answers are confidential. This page sets no cookies and loads nothing from other sites.",
			fi: "Vastauksesi ovat luottamuksellisia. Tämä sivu ei käytä evästeitä eikä lataa mitään muilta sivustoilta.",
			sv: "Dina svar är konfidentiella. Sidan använder inga kakor och hämtar inget från andra webbplatser.",
			de: "Ihre Antworten sind vertraulich. Diese Seite setzt keine Cookies und lädt nichts von anderen Websites.",
			fr: "Vos réponses sont confidentielles. Cette page n’utilise aucun cookie et ne charge rien depuis d’autres sites.",
			es: "Sus respuestas son confidenciales. Esta página no usa cookies ni carga nada de otros sitios.",
			it: "Le Sue risposte sono riservate. Questa pagina non usa cookie e non carica nulla da altri siti.",
			zh: "您的答案是保密的。本页面不使用 Cookie，也不会从其他网站加载任何内容。",
		},
		"page.privacy": {
			en: "Your data and privacy", fi: "Tietosi ja yksityisyytesi", sv: "Dina uppgifter och din integritet", de: "Ihre Daten und Ihre Privatsphäre",
			fr: "Vos données et votre vie privée", es: "Sus datos y su privacidad", it: "I Suoi dati e la Sua privacy", zh: "您的数据与隐私",
		},

		"answer.summary": {
			en: "Please check the answers marked below.",
			fi: "Tarkista alla merkityt vastaukset.",
			sv: "Kontrollera svaren som är markerade nedan.",
			de: "Bitte prüfen Sie die unten markierten Antworten.",
			fr: "Veuillez vérifier les réponses signalées ci-dessous.",
			es: "Revise las respuestas señaladas a continuación.",
			it: "Controlli le risposte segnalate qui sotto.",
			zh: "请检查下方标出的答案。",
		},
		"answer.required": {
			en: "Please answer this question.", fi: "Vastaa tähän kysymykseen.", sv: "Svara på den här frågan.", de: "Bitte beantworten Sie diese Frage.",
			fr: "Veuillez répondre à cette question.", es: "Responda a esta pregunta.", it: "Risponda a questa domanda.", zh: "请回答此问题。",
		},
		"answer.not_a_number": {
			en: "Please choose a whole number from %d to %d.",
			fi: "Valitse kokonaisluku väliltä %d–%d.",
			sv: "Välj ett heltal från %d till %d.",
			de: "Bitte wählen Sie eine ganze Zahl von %d bis %d.",
			fr: "Veuillez choisir un nombre entier de %d à %d.",
			es: "Elija un número entero del %d al %d.",
			it: "Scelga un numero intero da %d a %d.",
			zh: "请选择 %d 到 %d 之间的整数。",
		},
		"answer.out_of_range": {
			en: "Please choose a number from %d to %d.",
			fi: "Valitse luku väliltä %d–%d.",
			sv: "Välj ett tal från %d till %d.",
			de: "Bitte wählen Sie eine Zahl von %d bis %d.",
			fr: "Veuillez choisir un nombre de %d à %d.",
			es: "Elija un número del %d al %d.",
			it: "Scelga un numero da %d a %d.",
			zh: "请选择 %d 到 %d 之间的数字。",
		},
		"answer.unknown_option": {
			en: "Please choose from the options given.", fi: "Valitse annetuista vaihtoehdoista.", sv: "Välj bland de givna alternativen.",
			de: "Bitte wählen Sie aus den angebotenen Möglichkeiten.", fr: "Veuillez choisir parmi les options proposées.",
			es: "Elija entre las opciones disponibles.", it: "Scelga tra le opzioni proposte.", zh: "请从给出的选项中选择。",
		},
		"answer.multiple_values": {
			en: "Please give one answer only.", fi: "Anna vain yksi vastaus.", sv: "Ge bara ett svar.", de: "Bitte geben Sie nur eine Antwort.",
			fr: "Veuillez ne donner qu’une seule réponse.", es: "Dé una sola respuesta.", it: "Dia una sola risposta.", zh: "请只给出一个答案。",
		},
		"answer.too_long": {
			en: "Please shorten your answer to at most %d characters; it has %d.",
			fi: "Lyhennä vastauksesi enintään %d merkkiin; siinä on nyt %d.",
			sv: "Korta ner ditt svar till högst %d tecken; det har %d.",
			de: "Bitte kürzen Sie Ihre Antwort auf höchstens %d Zeichen; sie hat %d.",
			fr: "Veuillez raccourcir votre réponse à %d caractères au maximum ; elle en compte %d.",
			es: "Acorte su respuesta a un máximo de %d caracteres; ahora tiene %d.",
			it: "Accorci la risposta a un massimo di %d caratteri; ora ne ha %d.",
			zh: "请将答案缩短至不超过 %d 个字符；目前为 %d 个字符。",
		},
		"answer.invalid": {
			en: "This answer cannot be accepted.", fi: "Tätä vastausta ei voida hyväksyä.", sv: "Svaret kan inte tas emot.",
			de: "Diese Antwort kann nicht angenommen werden.", fr: "Cette réponse ne peut pas être acceptée.",
			es: "Esta respuesta no se puede aceptar.", it: "Questa risposta non può essere accettata.", zh: "无法接受此答案。",
		},
		// Describes a score selected by a link from the email (%d: the score).
		"answer.prefilled": {
			en: "You chose %d in the email, so it is selected. Nothing is recorded until you send your answers; you can still change it.",
			fi: "Valitsit sähköpostissa %d, joten se on valittuna. Mitään ei tallenneta ennen kuin lähetät vastauksesi; voit vielä muuttaa valintaa.",
			sv: "Du valde %d i e-postmeddelandet, så det är markerat. Inget sparas förrän du skickar dina svar; du kan fortfarande ändra det.",
			de: "Sie haben in der E-Mail %d gewählt, daher ist dieser Wert ausgewählt. Gespeichert wird erst, wenn Sie Ihre Antworten senden; Sie können ihn noch ändern.",
			fr: "Vous avez choisi %d dans l’e-mail : cette note est donc sélectionnée. Rien n’est enregistré avant l’envoi de vos réponses ; vous pouvez encore la modifier.",
			es: "Eligió %d en el correo, por lo que está seleccionado. No se guarda nada hasta que envíe sus respuestas; todavía puede cambiarlo.",
			it: "Ha scelto %d nell’e-mail, quindi è selezionato. Nulla viene registrato finché non invia le Sue risposte; può ancora modificarlo.",
			zh: "您在邮件中选择了 %d，因此已为您选中。在您提交答案之前，不会记录任何内容；您仍可更改。",
		},
		// Why a survey answered in steps starts again at the first step.
		"answer.restart.invalid": {
			en: "Your answers so far could not be read, so the survey starts again from the first step. Nothing has been recorded yet.",
			fi: "Tähänastisia vastauksiasi ei voitu lukea, joten kysely alkaa alusta. Mitään ei ole vielä tallennettu.",
			sv: "Dina svar hittills kunde inte läsas, så enkäten börjar om från första steget. Inget har sparats ännu.",
			de: "Ihre bisherigen Antworten konnten nicht gelesen werden, daher beginnt die Umfrage wieder beim ersten Schritt. Es wurde noch nichts gespeichert.",
			fr: "Vos réponses jusqu’ici n’ont pas pu être lues : l’enquête reprend donc à la première étape. Rien n’a encore été enregistré.",
			es: "No se han podido leer sus respuestas hasta ahora, así que la encuesta vuelve a empezar por el primer paso. Todavía no se ha guardado nada.",
			it: "Non è stato possibile leggere le Sue risposte finora, quindi il sondaggio riprende dal primo passaggio. Non è stato ancora registrato nulla.",
			zh: "无法读取您目前的答案，因此问卷将从第一步重新开始。尚未记录任何内容。",
		},
		"answer.restart.expired": {
			en: "This page was open for too long, so the survey starts again from the first step. Nothing has been recorded yet.",
			fi: "Sivu oli auki liian kauan, joten kysely alkaa alusta. Mitään ei ole vielä tallennettu.",
			sv: "Sidan var öppen för länge, så enkäten börjar om från första steget. Inget har sparats ännu.",
			de: "Diese Seite war zu lange geöffnet, daher beginnt die Umfrage wieder beim ersten Schritt. Es wurde noch nichts gespeichert.",
			fr: "Cette page est restée ouverte trop longtemps : l’enquête reprend donc à la première étape. Rien n’a encore été enregistré.",
			es: "Esta página ha estado abierta demasiado tiempo, así que la encuesta vuelve a empezar por el primer paso. Todavía no se ha guardado nada.",
			it: "Questa pagina è rimasta aperta troppo a lungo, quindi il sondaggio riprende dal primo passaggio. Non è stato ancora registrato nulla.",
			zh: "此页面打开时间过长，因此问卷将从第一步重新开始。尚未记录任何内容。",
		},
		"answer.restart.changed": {
			en: "The survey was updated while you were answering it, so it starts again from the first step. Sorry for the trouble; nothing has been recorded yet.",
			fi: "Kyselyä päivitettiin vastaamisesi aikana, joten se alkaa alusta. Pahoittelemme vaivaa; mitään ei ole vielä tallennettu.",
			sv: "Enkäten uppdaterades medan du svarade, så den börjar om från första steget. Vi ber om ursäkt för besväret; inget har sparats ännu.",
			de: "Die Umfrage wurde geändert, während Sie sie beantwortet haben, daher beginnt sie wieder beim ersten Schritt. Entschuldigen Sie die Mühe; es wurde noch nichts gespeichert.",
			fr: "L’enquête a été mise à jour pendant que vous y répondiez : elle reprend donc à la première étape. Veuillez nous excuser ; rien n’a encore été enregistré.",
			es: "La encuesta se actualizó mientras la respondía, así que vuelve a empezar por el primer paso. Disculpe las molestias; todavía no se ha guardado nada.",
			it: "Il sondaggio è stato aggiornato mentre rispondeva, quindi riprende dal primo passaggio. Ci scusiamo per il disturbo; non è stato ancora registrato nulla.",
			zh: "在您作答期间问卷已更新，因此将从第一步重新开始。给您带来不便，敬请谅解；尚未记录任何内容。",
		},
		"answer.consent_changed": {
			en: "The consent text below changed while this page was open. Please read it again and tick the box if you agree; your answers are kept.",
			fi: "Alla oleva suostumusteksti muuttui sivun ollessa auki. Lue se uudelleen ja valitse ruutu, jos hyväksyt sen; vastauksesi on säilytetty.",
			sv: "Samtyckestexten nedan ändrades medan sidan var öppen. Läs den igen och kryssa i rutan om du godkänner den; dina svar finns kvar.",
			de: "Der Einwilligungstext unten hat sich geändert, während diese Seite geöffnet war. Bitte lesen Sie ihn erneut und kreuzen Sie das Kästchen an, wenn Sie zustimmen; Ihre Antworten bleiben erhalten.",
			fr: "Le texte de consentement ci-dessous a changé pendant que cette page était ouverte. Veuillez le relire et cocher la case si vous êtes d’accord ; vos réponses sont conservées.",
			es: "El texto de consentimiento ha cambiado mientras esta página estaba abierta. Vuelva a leerlo y marque la casilla si está de acuerdo; sus respuestas se conservan.",
			it: "Il testo del consenso qui sotto è cambiato mentre la pagina era aperta. Lo rilegga e selezioni la casella se è d’accordo; le Sue risposte sono state conservate.",
			zh: "在您打开此页面期间，下方的同意文本已更改。请重新阅读，如您同意请勾选；您的答案已保留。",
		},

		"state.answered.title": {
			en: "You have already answered this survey", fi: "Olet jo vastannut tähän kyselyyn", sv: "Du har redan svarat på enkäten",
			de: "Sie haben diese Umfrage bereits beantwortet", fr: "Vous avez déjà répondu à cette enquête",
			es: "Ya ha respondido a esta encuesta", it: "Ha già risposto a questo sondaggio", zh: "您已回答过此问卷",
		},
		"state.answered.body": {
			en: "Thank you — we received your answers. Each link can be used to answer once.",
			fi: "Kiitos – olemme vastaanottaneet vastauksesi. Kullakin linkillä voi vastata kerran.",
			sv: "Tack – vi har tagit emot dina svar. Varje länk kan användas för att svara en gång.",
			de: "Vielen Dank – wir haben Ihre Antworten erhalten. Mit jedem Link kann einmal geantwortet werden.",
			fr: "Merci, nous avons bien reçu vos réponses. Chaque lien ne permet de répondre qu’une fois.",
			es: "Gracias: hemos recibido sus respuestas. Cada enlace permite responder una sola vez.",
			it: "Grazie, abbiamo ricevuto le Sue risposte. Ogni link consente di rispondere una sola volta.",
			zh: "谢谢，我们已收到您的答案。每个链接只能用于回答一次。",
		},
		"state.expired.title": {
			en: "This link has expired", fi: "Linkki on vanhentunut", sv: "Länken har gått ut", de: "Dieser Link ist abgelaufen",
			fr: "Ce lien a expiré", es: "Este enlace ha caducado", it: "Questo link è scaduto", zh: "此链接已过期",
		},
		"state.expired.body": {
			en: "The time to answer this survey has ended.",
			fi: "Kyselyn vastausaika on päättynyt.",
			sv: "Tiden för att svara på enkäten har gått ut.",
			de: "Die Zeit zur Beantwortung dieser Umfrage ist abgelaufen.",
			fr: "Le délai pour répondre à cette enquête est écoulé.",
			es: "El plazo para responder a esta encuesta ha terminado.",
			it: "Il tempo per rispondere a questo sondaggio è terminato.",
			zh: "此问卷的回答期限已结束。",
		},
		"state.revoked.title": {
			en: "This link is no longer valid", fi: "Linkki ei ole enää voimassa", sv: "Länken gäller inte längre", de: "Dieser Link ist nicht mehr gültig",
			fr: "Ce lien n’est plus valable", es: "Este enlace ya no es válido", it: "Questo link non è più valido", zh: "此链接已失效",
		},
		"state.revoked.body": {
			en: "The invitation was withdrawn, so the survey can no longer be answered through it.",
			fi: "Kutsu on peruttu, joten kyselyyn ei voi enää vastata sen kautta.",
			sv: "Inbjudan har dragits tillbaka, så enkäten kan inte längre besvaras via den.",
			de: "Die Einladung wurde zurückgezogen; die Umfrage kann darüber nicht mehr beantwortet werden.",
			fr: "L’invitation a été retirée : il n’est plus possible de répondre à l’enquête par ce lien.",
			es: "La invitación se ha retirado, por lo que ya no se puede responder a la encuesta con ella.",
			it: "L’invito è stato ritirato, quindi non è più possibile rispondere al sondaggio tramite questo link.",
			zh: "邀请已被撤回，因此无法再通过此链接回答问卷。",
		},
		"state.closed.title": {
			en: "This survey has closed", fi: "Kysely on päättynyt", sv: "Enkäten är stängd", de: "Diese Umfrage ist beendet",
			fr: "Cette enquête est close", es: "Esta encuesta está cerrada", it: "Questo sondaggio è chiuso", zh: "此问卷已关闭",
		},
		"state.closed.body": {
			en: "It no longer accepts answers. Thank you for your interest.",
			fi: "Siihen ei voi enää vastata. Kiitos mielenkiinnostasi.",
			sv: "Den tar inte längre emot svar. Tack för ditt intresse.",
			de: "Sie nimmt keine Antworten mehr an. Vielen Dank für Ihr Interesse.",
			fr: "Elle n’accepte plus de réponses. Merci de votre intérêt.",
			es: "Ya no admite respuestas. Gracias por su interés.",
			it: "Non accetta più risposte. Grazie per l’interesse.",
			zh: "该问卷已不再接受回答。感谢您的关注。",
		},
		"state.manage": {
			en: "You can still see, correct or erase the data we hold about you.",
			fi: "Voit edelleen nähdä, korjata tai poistaa sinusta tallennetut tiedot.",
			sv: "Du kan fortfarande se, rätta eller radera de uppgifter vi har om dig.",
			de: "Sie können die über Sie gespeicherten Daten weiterhin einsehen, berichtigen oder löschen.",
			fr: "Vous pouvez toujours consulter, corriger ou effacer les données que nous détenons sur vous.",
			es: "Todavía puede consultar, corregir o borrar los datos que tenemos sobre usted.",
			it: "Può ancora consultare, correggere o cancellare i dati che conserviamo su di Lei.",
			zh: "您仍然可以查看、更正或删除我们保存的有关您的数据。",
		},
		"state.no_manage": {
			en: "This link can no longer be used. For questions about your data, please contact the company that sent you the survey.",
			fi: "Tätä linkkiä ei voi enää käyttää. Jos sinulla on kysyttävää tiedoistasi, ota yhteyttä kyselyn lähettäneeseen yritykseen.",
			sv: "Länken kan inte längre användas. Har du frågor om dina uppgifter, kontakta företaget som skickade enkäten.",
			de: "Dieser Link kann nicht mehr verwendet werden. Bei Fragen zu Ihren Daten wenden Sie sich bitte an das Unternehmen, das Ihnen die Umfrage geschickt hat.",
			fr: "Ce lien ne peut plus être utilisé. Pour toute question sur vos données, contactez l’entreprise qui vous a envoyé l’enquête.",
			es: "Este enlace ya no se puede usar. Si tiene preguntas sobre sus datos, póngase en contacto con la empresa que le envió la encuesta.",
			it: "Questo link non può più essere usato. Per domande sui Suoi dati si rivolga all’azienda che Le ha inviato il sondaggio.",
			zh: "此链接已无法使用。如对您的数据有疑问，请联系向您发送问卷的公司。",
		},
		"state.erased.title": {
			en: "Your data has been erased", fi: "Tietosi on poistettu", sv: "Dina uppgifter har raderats", de: "Ihre Daten wurden gelöscht",
			fr: "Vos données ont été effacées", es: "Sus datos se han borrado", it: "I Suoi dati sono stati cancellati", zh: "您的数据已被删除",
		},
		"state.erased.body": {
			en: "As you asked, we erased your personal data. This link no longer leads to anything about you, and no further surveys will be sent to your address.",
			fi: "Poistimme henkilötietosi pyyntösi mukaisesti. Tämä linkki ei enää johda mihinkään sinua koskevaan, eikä osoitteeseesi lähetetä enää kyselyitä.",
			sv: "Som du bad om har vi raderat dina personuppgifter. Länken leder inte längre till något om dig, och inga fler enkäter skickas till din adress.",
			de: "Wie gewünscht haben wir Ihre personenbezogenen Daten gelöscht. Dieser Link führt zu nichts mehr, was Sie betrifft, und an Ihre Adresse werden keine Umfragen mehr gesendet.",
			fr: "Comme vous l’avez demandé, nous avons effacé vos données personnelles. Ce lien ne mène plus à rien qui vous concerne et aucune autre enquête ne sera envoyée à votre adresse.",
			es: "Tal como pidió, hemos borrado sus datos personales. Este enlace ya no lleva a nada sobre usted y no se enviarán más encuestas a su dirección.",
			it: "Come richiesto, abbiamo cancellato i Suoi dati personali. Questo link non porta più a nulla che La riguardi e al Suo indirizzo non saranno inviati altri sondaggi.",
			zh: "根据您的要求，我们已删除您的个人数据。此链接不再指向任何与您有关的内容，我们也不会再向您的地址发送问卷。",
		},
		"state.invalid.title": {
			en: "This link does not work", fi: "Linkki ei toimi", sv: "Länken fungerar inte", de: "Dieser Link funktioniert nicht",
			fr: "Ce lien ne fonctionne pas", es: "Este enlace no funciona", it: "Questo link non funziona", zh: "此链接无效",
		},
		"state.invalid.body": {
			en: "It may be incomplete. Please open the link from your email again, or copy the whole address into your browser.",
			fi: "Se voi olla vajaa. Avaa linkki uudelleen sähköpostista tai kopioi koko osoite selaimeesi.",
			sv: "Den kan vara ofullständig. Öppna länken i e-postmeddelandet igen eller kopiera hela adressen till webbläsaren.",
			de: "Er ist möglicherweise unvollständig. Bitte öffnen Sie den Link aus Ihrer E-Mail erneut oder kopieren Sie die ganze Adresse in Ihren Browser.",
			fr: "Il est peut-être incomplet. Rouvrez le lien depuis votre e-mail ou copiez l’adresse complète dans votre navigateur.",
			es: "Puede que esté incompleto. Vuelva a abrir el enlace desde su correo o copie la dirección completa en el navegador.",
			it: "Potrebbe essere incompleto. Riapra il link dalla Sua e-mail o copi l’indirizzo completo nel browser.",
			zh: "链接可能不完整。请从电子邮件中重新打开链接，或将完整地址复制到浏览器中。",
		},
		"state.error.title": {
			en: "Something went wrong", fi: "Jokin meni vikaan", sv: "Något gick fel", de: "Etwas ist schiefgelaufen",
			fr: "Un problème est survenu", es: "Algo ha fallado", it: "Qualcosa è andato storto", zh: "出现了问题",
		},
		"state.error.body": {
			en: "We could not complete your request. Nothing was lost: please try again in a minute.",
			fi: "Emme voineet käsitellä pyyntöäsi. Mitään ei kadonnut: yritä uudelleen hetken kuluttua.",
			sv: "Vi kunde inte slutföra din begäran. Inget har gått förlorat: försök igen om en minut.",
			de: "Ihre Anfrage konnte nicht abgeschlossen werden. Es ist nichts verloren gegangen: Bitte versuchen Sie es in einer Minute erneut.",
			fr: "Nous n’avons pas pu traiter votre demande. Rien n’a été perdu : veuillez réessayer dans une minute.",
			es: "No hemos podido completar su solicitud. No se ha perdido nada: inténtelo de nuevo en un minuto.",
			it: "Non è stato possibile completare la richiesta. Non è andato perso nulla: riprovi tra un minuto.",
			zh: "我们未能完成您的请求。没有任何内容丢失，请一分钟后重试。",
		},
		"state.error.reference": {
			en: "Reference", fi: "Viite", sv: "Referens", de: "Referenz", fr: "Référence", es: "Referencia", it: "Riferimento", zh: "参考编号",
		},
		"state.forbidden.title": {
			en: "This form did not come from this site", fi: "Lomake ei tullut tältä sivustolta", sv: "Formuläret kom inte från den här webbplatsen",
			de: "Dieses Formular stammt nicht von dieser Website", fr: "Ce formulaire ne provient pas de ce site",
			es: "Este formulario no procede de este sitio", it: "Questo modulo non proviene da questo sito", zh: "此表单并非来自本网站",
		},
		"state.forbidden.body": {
			en: "For your protection, answers and requests are only accepted from these pages. Please open the link from your email again.",
			fi: "Turvallisuutesi vuoksi vastauksia ja pyyntöjä otetaan vastaan vain näiltä sivuilta. Avaa linkki uudelleen sähköpostista.",
			sv: "För din säkerhet tas svar och begäranden bara emot från de här sidorna. Öppna länken i e-postmeddelandet igen.",
			de: "Zu Ihrem Schutz werden Antworten und Anfragen nur von diesen Seiten angenommen. Bitte öffnen Sie den Link aus Ihrer E-Mail erneut.",
			fr: "Pour votre protection, les réponses et demandes ne sont acceptées que depuis ces pages. Rouvrez le lien depuis votre e-mail.",
			es: "Por su seguridad, solo se aceptan respuestas y solicitudes desde estas páginas. Vuelva a abrir el enlace desde su correo.",
			it: "Per la Sua sicurezza, risposte e richieste sono accettate solo da queste pagine. Riapra il link dalla Sua e-mail.",
			zh: "为保护您的安全，我们只接受来自这些页面的答案和请求。请从电子邮件中重新打开链接。",
		},

		"thanks.title": {
			en: "Thank you for your answers", fi: "Kiitos vastauksistasi", sv: "Tack för dina svar", de: "Vielen Dank für Ihre Antworten",
			fr: "Merci pour vos réponses", es: "Gracias por sus respuestas", it: "Grazie per le Sue risposte", zh: "感谢您的回答",
		},
		"thanks.anonymous": {
			en: "Your answers were recorded anonymously: nothing links them to your name.",
			fi: "Vastauksesi tallennettiin nimettöminä: mikään ei yhdistä niitä nimeesi.",
			sv: "Dina svar sparades anonymt: inget kopplar dem till ditt namn.",
			de: "Ihre Antworten wurden anonym gespeichert: Nichts verbindet sie mit Ihrem Namen.",
			fr: "Vos réponses ont été enregistrées de façon anonyme : rien ne les relie à votre nom.",
			es: "Sus respuestas se han guardado de forma anónima: nada las vincula a su nombre.",
			it: "Le Sue risposte sono state registrate in forma anonima: nulla le collega al Suo nome.",
			zh: "您的答案已匿名记录：没有任何信息将其与您的姓名关联。",
		},
		"thanks.named": {
			en: "Your name is attached to your answers, as you agreed, so that your account manager can follow up with you.",
			fi: "Nimesi on liitetty vastauksiisi suostumuksesi mukaisesti, jotta asiakasvastaavasi voi olla sinuun yhteydessä.",
			sv: "Ditt namn är kopplat till dina svar, som du godkände, så att din kundansvarige kan följa upp med dig.",
			de: "Ihr Name ist wie vereinbart mit Ihren Antworten verknüpft, damit Ihr Kundenbetreuer sich bei Ihnen melden kann.",
			fr: "Votre nom est associé à vos réponses, comme vous l’avez accepté, afin que votre interlocuteur commercial puisse revenir vers vous.",
			es: "Su nombre está asociado a sus respuestas, como aceptó, para que su gestor de cuenta pueda contactarle.",
			it: "Il Suo nome è associato alle Sue risposte, come da Lei accettato, affinché il Suo referente possa ricontattarLa.",
			zh: "按照您的同意，您的姓名已附在答案中，以便您的客户经理与您跟进。",
		},
		"thanks.withdraw.button": {
			en: "Remove my name from my answers", fi: "Poista nimeni vastauksistani", sv: "Ta bort mitt namn från mina svar",
			de: "Meinen Namen von meinen Antworten entfernen", fr: "Retirer mon nom de mes réponses", es: "Quitar mi nombre de mis respuestas",
			it: "Rimuovi il mio nome dalle mie risposte", zh: "从我的答案中移除我的姓名",
		},
		"thanks.withdraw.help": {
			en: "Your answers stay, without your name — as if you had never agreed.",
			fi: "Vastauksesi säilyvät ilman nimeäsi – ikään kuin et olisi koskaan antanut suostumusta.",
			sv: "Dina svar finns kvar, utan ditt namn – som om du aldrig hade samtyckt.",
			de: "Ihre Antworten bleiben erhalten, ohne Ihren Namen – als hätten Sie nie zugestimmt.",
			fr: "Vos réponses sont conservées, sans votre nom, comme si vous n’aviez jamais donné votre accord.",
			es: "Sus respuestas se conservan, sin su nombre, como si nunca hubiera dado su consentimiento.",
			it: "Le Sue risposte restano, senza il Suo nome, come se non avesse mai dato il consenso.",
			zh: "您的答案将保留，但不再附有您的姓名，就像您从未同意过一样。",
		},
		"thanks.withdrawn": {
			en: "Your name has been removed from your answers.", fi: "Nimesi on poistettu vastauksistasi.", sv: "Ditt namn har tagits bort från dina svar.",
			de: "Ihr Name wurde von Ihren Antworten entfernt.", fr: "Votre nom a été retiré de vos réponses.", es: "Su nombre se ha quitado de sus respuestas.",
			it: "Il Suo nome è stato rimosso dalle Sue risposte.", zh: "您的姓名已从答案中移除。",
		},
		"thanks.again": {
			en: "We had already received your answers, so nothing was changed.",
			fi: "Olimme jo vastaanottaneet vastauksesi, joten mitään ei muutettu.",
			sv: "Vi hade redan tagit emot dina svar, så inget har ändrats.",
			de: "Wir hatten Ihre Antworten bereits erhalten; es wurde nichts geändert.",
			fr: "Nous avions déjà reçu vos réponses ; rien n’a été modifié.",
			es: "Ya habíamos recibido sus respuestas, así que no se ha cambiado nada.",
			it: "Avevamo già ricevuto le Sue risposte, quindi non è stato modificato nulla.",
			zh: "我们此前已收到您的答案，因此没有做任何更改。",
		},
		"thanks.manage": {
			en: "See or manage the data we hold about you", fi: "Katso tai hallitse sinusta tallennettuja tietoja", sv: "Se eller hantera uppgifterna vi har om dig",
			de: "Über Sie gespeicherte Daten ansehen oder verwalten", fr: "Consulter ou gérer les données que nous détenons sur vous",
			es: "Consultar o gestionar los datos que tenemos sobre usted", it: "Consulti o gestisca i dati che conserviamo su di Lei", zh: "查看或管理我们保存的有关您的数据",
		},

		"privacy.title": {
			en: "Your data", fi: "Sinun tietosi", sv: "Dina uppgifter", de: "Ihre Daten", fr: "Vos données", es: "Sus datos", it: "I Suoi dati", zh: "您的数据",
		},
		"privacy.lead": {
			en: "This is everything our customer survey system holds about you, and what you can do about it.",
			fi: "Tässä on kaikki, mitä asiakaskyselyjärjestelmämme on tallentanut sinusta, ja mitä voit tehdä tiedoillesi.",
			sv: "Här är allt vårt system för kundenkäter har om dig, och vad du kan göra åt det.",
			de: "Hier sehen Sie alles, was unser System für Kundenumfragen über Sie gespeichert hat, und was Sie damit tun können.",
			fr: "Voici tout ce que notre système d’enquêtes clients détient sur vous, et ce que vous pouvez en faire.",
			es: "Esto es todo lo que nuestro sistema de encuestas a clientes guarda sobre usted y lo que puede hacer al respecto.",
			it: "Ecco tutto ciò che il nostro sistema di sondaggi clienti conserva su di Lei, e che cosa può farne.",
			zh: "以下是我们的客户问卷系统保存的有关您的全部数据，以及您可以对其采取的操作。",
		},
		"privacy.about": {
			en: "About you", fi: "Tietoja sinusta", sv: "Om dig", de: "Über Sie", fr: "Vous concernant", es: "Sobre usted", it: "Su di Lei", zh: "关于您",
		},
		"privacy.name": {
			en: "Name", fi: "Nimi", sv: "Namn", de: "Name", fr: "Nom", es: "Nombre", it: "Nome", zh: "姓名",
		},
		"privacy.email": {
			en: "Email", fi: "Sähköposti", sv: "E-post", de: "E-Mail", fr: "E-mail", es: "Correo electrónico", it: "E-mail", zh: "电子邮件",
		},
		"privacy.company": {
			en: "Company", fi: "Yritys", sv: "Företag", de: "Unternehmen", fr: "Entreprise", es: "Empresa", it: "Azienda", zh: "公司",
		},
		"privacy.since": {
			en: "Stored since", fi: "Tallennettu alkaen", sv: "Sparad sedan", de: "Gespeichert seit", fr: "Enregistré depuis", es: "Guardado desde", it: "Registrato dal", zh: "保存起始日期",
		},
		"privacy.sealed": {
			en: "Your name and email are stored encrypted, with a key of your own.",
			fi: "Nimesi ja sähköpostiosoitteesi on tallennettu salattuina omalla avaimellasi.",
			sv: "Ditt namn och din e-post lagras krypterade med en egen nyckel.",
			de: "Ihr Name und Ihre E-Mail-Adresse werden verschlüsselt gespeichert, mit einem eigenen Schlüssel.",
			fr: "Votre nom et votre e-mail sont stockés chiffrés, avec une clé qui vous est propre.",
			es: "Su nombre y su correo se guardan cifrados con una clave propia.",
			it: "Il Suo nome e la Sua e-mail sono conservati cifrati, con una chiave riservata a Lei.",
			zh: "您的姓名和电子邮件使用您专属的密钥加密保存。",
		},
		"privacy.invitations": {
			en: "Surveys you were invited to", fi: "Kyselyt, joihin sinut on kutsuttu", sv: "Enkäter du har bjudits in till",
			de: "Umfragen, zu denen Sie eingeladen wurden", fr: "Vos invitations à des enquêtes", es: "Encuestas a las que se le ha invitado",
			it: "I Suoi inviti ai sondaggi", zh: "您受邀参与的问卷",
		},
		"privacy.survey": {
			en: "Survey", fi: "Kysely", sv: "Enkät", de: "Umfrage", fr: "Enquête", es: "Encuesta", it: "Sondaggio", zh: "问卷",
		},
		"privacy.sent": {
			en: "Invited", fi: "Kutsuttu", sv: "Inbjuden", de: "Eingeladen", fr: "Invitation", es: "Invitación", it: "Invito", zh: "邀请日期",
		},
		"privacy.status": {
			en: "Status", fi: "Tila", sv: "Status", de: "Status", fr: "Statut", es: "Estado", it: "Stato", zh: "状态",
		},
		"privacy.state.pending": {
			en: "Not answered", fi: "Ei vastattu", sv: "Inte besvarad", de: "Nicht beantwortet", fr: "Sans réponse", es: "Sin responder", it: "Senza risposta", zh: "未回答",
		},
		"privacy.state.answered": {
			en: "Answered", fi: "Vastattu", sv: "Besvarad", de: "Beantwortet", fr: "Répondu", es: "Respondida", it: "Risposto", zh: "已回答",
		},
		"privacy.state.revoked": {
			en: "Cancelled", fi: "Peruttu", sv: "Återkallad", de: "Zurückgezogen", fr: "Annulée", es: "Cancelada", it: "Annullato", zh: "已取消",
		},
		"privacy.named": {
			en: "Answers that carry your name", fi: "Vastaukset, joihin nimesi on liitetty", sv: "Svar som bär ditt namn",
			de: "Antworten mit Ihrem Namen", fr: "Réponses portant votre nom", es: "Respuestas con su nombre", it: "Risposte con il Suo nome", zh: "附有您姓名的答案",
		},
		"privacy.named.none": {
			en: "None of your answers carries your name. Answers given anonymously are not linked to you, so nobody can see them as yours — not even you.",
			fi: "Mihinkään vastaukseesi ei ole liitetty nimeäsi. Nimettömiä vastauksia ei ole yhdistetty sinuun, joten kukaan ei näe niitä sinun vastauksinasi – et edes sinä.",
			sv: "Inga av dina svar bär ditt namn. Anonyma svar är inte kopplade till dig, så ingen kan se dem som dina – inte ens du.",
			de: "Keine Ihrer Antworten trägt Ihren Namen. Anonyme Antworten sind nicht mit Ihnen verknüpft; niemand kann sie als Ihre erkennen – auch Sie nicht.",
			fr: "Aucune de vos réponses ne porte votre nom. Les réponses anonymes ne sont pas reliées à vous : personne ne peut les voir comme les vôtres, pas même vous.",
			es: "Ninguna de sus respuestas lleva su nombre. Las respuestas anónimas no están vinculadas a usted, así que nadie puede verlas como suyas, ni siquiera usted.",
			it: "Nessuna delle Sue risposte porta il Suo nome. Le risposte anonime non sono collegate a Lei, quindi nessuno può vederle come Sue, nemmeno Lei.",
			zh: "您的答案均未附有您的姓名。匿名答案与您没有关联，因此任何人（包括您本人）都无法将其识别为您的答案。",
		},
		"privacy.answered_on": {
			en: "Answered on", fi: "Vastattu", sv: "Besvarad", de: "Beantwortet am", fr: "Répondu le", es: "Respondida el", it: "Risposto il", zh: "回答日期",
		},
		"privacy.consents": {
			en: "Your consents", fi: "Suostumuksesi", sv: "Dina samtycken", de: "Ihre Einwilligungen", fr: "Vos consentements", es: "Sus consentimientos", it: "I Suoi consensi", zh: "您的同意记录",
		},
		"privacy.consents.none": {
			en: "You have not agreed to attach your name to any answers.",
			fi: "Et ole antanut suostumusta nimesi liittämiseen vastauksiin.",
			sv: "Du har inte samtyckt till att ditt namn kopplas till några svar.",
			de: "Sie haben nicht eingewilligt, Ihren Namen mit Antworten zu verknüpfen.",
			fr: "Vous n’avez accepté d’associer votre nom à aucune réponse.",
			es: "No ha aceptado asociar su nombre a ninguna respuesta.",
			it: "Non ha acconsentito ad associare il Suo nome ad alcuna risposta.",
			zh: "您尚未同意在任何答案中附上您的姓名。",
		},
		"privacy.consent.given": {
			en: "Given", fi: "Annettu", sv: "Lämnat", de: "Erteilt", fr: "Donné le", es: "Otorgado", it: "Dato il", zh: "同意日期",
		},
		"privacy.consent.active": {
			en: "In force", fi: "Voimassa", sv: "Gäller", de: "Gültig", fr: "En vigueur", es: "Vigente", it: "Valido", zh: "有效",
		},
		"privacy.consent.withdrawn": {
			en: "Withdrawn", fi: "Peruttu", sv: "Återkallat", de: "Widerrufen", fr: "Retiré", es: "Retirado", it: "Revocato", zh: "已撤回",
		},
		"privacy.consent.text": {
			en: "What you agreed to", fi: "Mihin suostuit", sv: "Vad du samtyckte till", de: "Wozu Sie eingewilligt haben",
			fr: "Ce que vous avez accepté", es: "Lo que aceptó", it: "Che cosa ha accettato", zh: "您同意的内容",
		},
		"privacy.consent.version": {
			en: "Text version", fi: "Tekstin versio", sv: "Textversion", de: "Textversion", fr: "Version du texte", es: "Versión del texto", it: "Versione del testo", zh: "文本版本",
		},
		"privacy.withdraw": {
			en: "Withdraw this consent", fi: "Peru tämä suostumus", sv: "Återkalla samtycket", de: "Diese Einwilligung widerrufen",
			fr: "Retirer ce consentement", es: "Retirar este consentimiento", it: "Revoca questo consenso", zh: "撤回此同意",
		},
		"privacy.withdrawn": {
			en: "Your consent was withdrawn and your name removed from those answers.",
			fi: "Suostumuksesi on peruttu ja nimesi poistettu vastauksista.",
			sv: "Ditt samtycke har återkallats och ditt namn tagits bort från svaren.",
			de: "Ihre Einwilligung wurde widerrufen und Ihr Name von diesen Antworten entfernt.",
			fr: "Votre consentement a été retiré et votre nom supprimé de ces réponses.",
			es: "Su consentimiento se ha retirado y su nombre se ha quitado de esas respuestas.",
			it: "Il Suo consenso è stato revocato e il Suo nome rimosso da quelle risposte.",
			zh: "您的同意已撤回，您的姓名已从这些答案中移除。",
		},
		"privacy.export": {
			en: "Download your data", fi: "Lataa tietosi", sv: "Ladda ner dina uppgifter", de: "Ihre Daten herunterladen",
			fr: "Télécharger vos données", es: "Descargar sus datos", it: "Scarichi i Suoi dati", zh: "下载您的数据",
		},
		"privacy.export.body": {
			en: "A file in JSON format with everything on this page, including the answers that carry your name.",
			fi: "JSON-muotoinen tiedosto, jossa on kaikki tämän sivun tiedot, myös vastaukset, joihin nimesi on liitetty.",
			sv: "En fil i JSON-format med allt på den här sidan, även svaren som bär ditt namn.",
			de: "Eine Datei im JSON-Format mit allem auf dieser Seite, einschließlich der Antworten mit Ihrem Namen.",
			fr: "Un fichier au format JSON avec tout le contenu de cette page, y compris les réponses portant votre nom.",
			es: "Un archivo en formato JSON con todo lo que aparece en esta página, incluidas las respuestas con su nombre.",
			it: "Un file in formato JSON con tutto il contenuto di questa pagina, comprese le risposte con il Suo nome.",
			zh: "一个 JSON 格式的文件，包含本页所有内容，包括附有您姓名的答案。",
		},
		"privacy.export.button": {
			en: "Download my data", fi: "Lataa tietoni", sv: "Ladda ner mina uppgifter", de: "Meine Daten herunterladen",
			fr: "Télécharger mes données", es: "Descargar mis datos", it: "Scarica i miei dati", zh: "下载我的数据",
		},
		"privacy.rectify": {
			en: "Correct your name or email", fi: "Korjaa nimesi tai sähköpostiosoitteesi", sv: "Rätta ditt namn eller din e-post",
			de: "Name oder E-Mail-Adresse berichtigen", fr: "Corriger votre nom ou votre e-mail", es: "Corregir su nombre o correo",
			it: "Correggere nome o e-mail", zh: "更正您的姓名或电子邮件",
		},
		"privacy.rectify.button": {
			en: "Save corrections", fi: "Tallenna korjaukset", sv: "Spara rättelserna", de: "Berichtigung speichern",
			fr: "Enregistrer les corrections", es: "Guardar correcciones", it: "Salva le correzioni", zh: "保存更正",
		},
		"privacy.rectified": {
			en: "Your details were corrected.", fi: "Tietosi on korjattu.", sv: "Dina uppgifter har rättats.", de: "Ihre Angaben wurden berichtigt.",
			fr: "Vos informations ont été corrigées.", es: "Sus datos se han corregido.", it: "I Suoi dati sono stati corretti.", zh: "您的信息已更正。",
		},
		"privacy.rectify.name_invalid": {
			en: "Please enter your name, at most 200 characters.", fi: "Kirjoita nimesi, enintään 200 merkkiä.", sv: "Ange ditt namn, högst 200 tecken.",
			de: "Bitte geben Sie Ihren Namen ein, höchstens 200 Zeichen.", fr: "Veuillez saisir votre nom, 200 caractères au maximum.",
			es: "Escriba su nombre, con un máximo de 200 caracteres.", it: "Inserisca il Suo nome, al massimo 200 caratteri.", zh: "请输入您的姓名，不超过 200 个字符。",
		},
		"privacy.rectify.email_invalid": {
			en: "Please enter a valid email address, such as name@example.com.", fi: "Kirjoita kelvollinen sähköpostiosoite, esimerkiksi nimi@example.com.",
			sv: "Ange en giltig e-postadress, till exempel namn@example.com.", de: "Bitte geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com.",
			fr: "Veuillez saisir une adresse e-mail valide, par exemple nom@example.com.", es: "Escriba una dirección de correo válida, por ejemplo nombre@example.com.",
			it: "Inserisca un indirizzo e-mail valido, ad esempio nome@example.com.", zh: "请输入有效的电子邮件地址，例如 name@example.com。",
		},
		"privacy.confirm_sent": {
			en: "We have sent a confirmation link to the new address. Your email address changes when you open it; until then we keep using the current one.",
			fi: "Lähetimme vahvistuslinkin uuteen osoitteeseen. Sähköpostiosoitteesi vaihtuu, kun avaat linkin; siihen asti käytämme nykyistä osoitetta.",
			sv: "Vi har skickat en bekräftelselänk till den nya adressen. Din e-postadress ändras när du öppnar den; till dess använder vi den nuvarande.",
			de: "Wir haben einen Bestätigungslink an die neue Adresse gesendet. Ihre E-Mail-Adresse ändert sich, sobald Sie ihn öffnen; bis dahin verwenden wir die bisherige.",
			fr: "Nous avons envoyé un lien de confirmation à la nouvelle adresse. Votre adresse e-mail change lorsque vous l’ouvrez ; d’ici là, nous continuons d’utiliser l’adresse actuelle.",
			es: "Hemos enviado un enlace de confirmación a la nueva dirección. Su correo cambiará cuando lo abra; hasta entonces seguiremos usando el actual.",
			it: "Abbiamo inviato un link di conferma al nuovo indirizzo. Il Suo indirizzo e-mail cambierà quando lo aprirà; fino ad allora continueremo a usare quello attuale.",
			zh: "我们已向新地址发送了确认链接。您打开该链接后，电子邮件地址才会更改；在此之前，我们仍使用当前地址。",
		},
		"privacy.erase": {
			en: "Erase your data", fi: "Poista tietosi", sv: "Radera dina uppgifter", de: "Ihre Daten löschen",
			fr: "Effacer vos données", es: "Borrar sus datos", it: "Cancellare i Suoi dati", zh: "删除您的数据",
		},
		"privacy.erase.body": {
			en: "Have everything we hold about you erased. Your answers stay in the results, without your name.",
			fi: "Pyydä poistamaan kaikki sinusta tallennetut tiedot. Vastauksesi jäävät tuloksiin ilman nimeäsi.",
			sv: "Låt radera allt vi har om dig. Dina svar finns kvar i resultaten, utan ditt namn.",
			de: "Lassen Sie alles löschen, was wir über Sie gespeichert haben. Ihre Antworten bleiben ohne Ihren Namen in den Ergebnissen.",
			fr: "Faites effacer tout ce que nous détenons sur vous. Vos réponses restent dans les résultats, sans votre nom.",
			es: "Pida que se borre todo lo que tenemos sobre usted. Sus respuestas permanecen en los resultados, sin su nombre.",
			it: "Chieda la cancellazione di tutto ciò che conserviamo su di Lei. Le Sue risposte restano nei risultati, senza il Suo nome.",
			zh: "删除我们保存的有关您的全部数据。您的答案将保留在结果中，但不再附有您的姓名。",
		},
		"privacy.erase.link": {
			en: "Erase my data…", fi: "Poista tietoni…", sv: "Radera mina uppgifter…", de: "Meine Daten löschen …",
			fr: "Effacer mes données…", es: "Borrar mis datos…", it: "Cancella i miei dati…", zh: "删除我的数据…",
		},
		"privacy.back": {
			en: "Back to your data", fi: "Takaisin tietoihisi", sv: "Tillbaka till dina uppgifter", de: "Zurück zu Ihren Daten",
			fr: "Retour à vos données", es: "Volver a sus datos", it: "Torna ai Suoi dati", zh: "返回您的数据",
		},
		"privacy.to_survey": {
			en: "Back to the survey", fi: "Takaisin kyselyyn", sv: "Tillbaka till enkäten", de: "Zurück zur Umfrage",
			fr: "Retour à l’enquête", es: "Volver a la encuesta", it: "Torna al sondaggio", zh: "返回问卷",
		},

		"erase.title": {
			en: "Erase your data?", fi: "Poistetaanko tietosi?", sv: "Radera dina uppgifter?", de: "Ihre Daten löschen?",
			fr: "Effacer vos données ?", es: "¿Borrar sus datos?", it: "Cancellare i Suoi dati?", zh: "确定删除您的数据？",
		},
		"erase.lead": {
			en: "Erasing your data means:", fi: "Tietojesi poistaminen tarkoittaa:", sv: "Att radera dina uppgifter innebär:",
			de: "Das Löschen Ihrer Daten bedeutet:", fr: "Effacer vos données signifie :", es: "Borrar sus datos significa:",
			it: "Cancellare i Suoi dati significa:", zh: "删除您的数据意味着：",
		},
		"erase.keys": {
			en: "Your name and email are destroyed for good: the key that encrypts them is deleted, so they cannot be read anywhere again.",
			fi: "Nimesi ja sähköpostiosoitteesi tuhotaan pysyvästi: ne salaava avain poistetaan, joten niitä ei voi enää lukea mistään.",
			sv: "Ditt namn och din e-post förstörs för gott: nyckeln som krypterar dem raderas, så de kan aldrig mer läsas någonstans.",
			de: "Ihr Name und Ihre E-Mail-Adresse werden endgültig vernichtet: Der Schlüssel, der sie verschlüsselt, wird gelöscht, sodass sie nirgends mehr lesbar sind.",
			fr: "Votre nom et votre e-mail sont détruits définitivement : la clé qui les chiffre est supprimée, ils ne pourront plus être lus nulle part.",
			es: "Su nombre y su correo se destruyen para siempre: se borra la clave que los cifra, de modo que ya no podrán leerse en ningún sitio.",
			it: "Il Suo nome e la Sua e-mail vengono distrutti definitivamente: la chiave che li cifra viene eliminata, quindi non potranno più essere letti da nessuna parte.",
			zh: "您的姓名和电子邮件将被永久销毁：用于加密它们的密钥会被删除，今后任何地方都无法再读取。",
		},
		"erase.answers": {
			en: "Your name is removed from all your answers. The answers themselves stay in the survey results, anonymous.",
			fi: "Nimesi poistetaan kaikista vastauksistasi. Itse vastaukset jäävät kyselyn tuloksiin nimettöminä.",
			sv: "Ditt namn tas bort från alla dina svar. Själva svaren finns kvar anonymt i enkätresultaten.",
			de: "Ihr Name wird von allen Ihren Antworten entfernt. Die Antworten selbst bleiben anonym in den Umfrageergebnissen.",
			fr: "Votre nom est retiré de toutes vos réponses. Les réponses elles-mêmes restent, anonymes, dans les résultats.",
			es: "Su nombre se quita de todas sus respuestas. Las respuestas permanecen, anónimas, en los resultados.",
			it: "Il Suo nome viene rimosso da tutte le Sue risposte. Le risposte restano, anonime, nei risultati.",
			zh: "您的姓名将从您的所有答案中移除。答案本身将以匿名形式保留在问卷结果中。",
		},
		"erase.consents": {
			en: "All your consents end. We keep only a record that an erasure took place.",
			fi: "Kaikki suostumuksesi päättyvät. Säilytämme vain merkinnän siitä, että tiedot on poistettu.",
			sv: "Alla dina samtycken upphör. Vi sparar bara en uppgift om att en radering har skett.",
			de: "Alle Ihre Einwilligungen enden. Wir bewahren nur einen Vermerk auf, dass eine Löschung stattgefunden hat.",
			fr: "Tous vos consentements prennent fin. Nous conservons seulement la trace qu’un effacement a eu lieu.",
			es: "Todos sus consentimientos terminan. Solo guardamos constancia de que se realizó un borrado.",
			it: "Tutti i Suoi consensi terminano. Conserviamo solo la registrazione che è avvenuta una cancellazione.",
			zh: "您的所有同意均告终止。我们只保留一条曾执行删除的记录。",
		},
		"erase.mail": {
			en: "Your address is blocked from all future emails, and invitations you have not answered are cancelled.",
			fi: "Osoitteeseesi ei lähetetä enää viestejä, ja vastaamattomat kutsut perutaan.",
			sv: "Din adress spärras för all framtida e-post, och inbjudningar du inte har besvarat dras tillbaka.",
			de: "Ihre Adresse wird für alle künftigen E-Mails gesperrt, und unbeantwortete Einladungen werden zurückgezogen.",
			fr: "Votre adresse est bloquée pour tout e-mail futur et les invitations sans réponse sont annulées.",
			es: "Su dirección se bloquea para cualquier correo futuro y se cancelan las invitaciones sin responder.",
			it: "Il Suo indirizzo viene escluso da tutte le e-mail future e gli inviti senza risposta vengono annullati.",
			zh: "您的地址将不再收到任何邮件，未回答的邀请也会被取消。",
		},
		"erase.final": {
			en: "This cannot be undone, and this link will no longer show anything about you.",
			fi: "Tätä ei voi perua, eikä tämä linkki näytä sen jälkeen mitään sinusta.",
			sv: "Det går inte att ångra, och länken visar därefter inget om dig.",
			de: "Dies kann nicht rückgängig gemacht werden, und dieser Link zeigt danach nichts mehr über Sie.",
			fr: "Cette action est irréversible et ce lien n’affichera plus rien vous concernant.",
			es: "No se puede deshacer, y este enlace ya no mostrará nada sobre usted.",
			it: "L’operazione è irreversibile e questo link non mostrerà più nulla che La riguardi.",
			zh: "此操作无法撤销，此链接今后将不再显示任何与您有关的内容。",
		},
		"erase.confirm": {
			en: "Yes, erase my data", fi: "Kyllä, poista tietoni", sv: "Ja, radera mina uppgifter", de: "Ja, meine Daten löschen",
			fr: "Oui, effacer mes données", es: "Sí, borrar mis datos", it: "Sì, cancella i miei dati", zh: "是，删除我的数据",
		},
		"erase.cancel": {
			en: "Keep my data", fi: "Säilytä tietoni", sv: "Behåll mina uppgifter", de: "Meine Daten behalten",
			fr: "Conserver mes données", es: "Conservar mis datos", it: "Conserva i miei dati", zh: "保留我的数据",
		},

		"email_change.mail.subject": {
			en: "Confirm your new email address", fi: "Vahvista uusi sähköpostiosoitteesi", sv: "Bekräfta din nya e-postadress",
			de: "Bestätigen Sie Ihre neue E-Mail-Adresse", fr: "Confirmez votre nouvelle adresse e-mail", es: "Confirme su nueva dirección de correo",
			it: "Confermi il Suo nuovo indirizzo e-mail", zh: "请确认您的新电子邮件地址",
		},
		"email_change.mail.body": {
			en: "Hello,\n\nSomeone asked, on the privacy page of a customer survey, for their contact details to use this email address from now on. If that was you, please confirm the change within %d hours by opening this link:\n\n%s\n\nIf it was not you, ignore this message: nothing will change, and the link stops working by itself.",
			fi: "Hei,\n\nasiakaskyselyn tietosuojasivulla pyydettiin, että yhteystiedoissa käytetään tästä lähtien tätä sähköpostiosoitetta. Jos pyyntö oli sinun, vahvista muutos %d tunnin kuluessa avaamalla tämä linkki:\n\n%s\n\nJos et tehnyt pyyntöä, voit jättää tämän viestin huomiotta: mikään ei muutu, ja linkki lakkaa toimimasta itsestään.",
			sv: "Hej,\n\nPå integritetssidan för en kundenkät har någon bett att deras kontaktuppgifter hädanefter ska använda den här e-postadressen. Om det var du, bekräfta ändringen inom %d timmar genom att öppna den här länken:\n\n%s\n\nOm det inte var du kan du bortse från meddelandet: ingenting ändras, och länken slutar fungera av sig själv.",
			de: "Guten Tag,\n\nauf der Datenschutzseite einer Kundenumfrage wurde darum gebeten, für die Kontaktdaten künftig diese E-Mail-Adresse zu verwenden. Wenn Sie das waren, bestätigen Sie die Änderung bitte innerhalb von %d Stunden über diesen Link:\n\n%s\n\nWenn Sie es nicht waren, ignorieren Sie diese Nachricht: Es ändert sich nichts, und der Link wird von selbst ungültig.",
			fr: "Bonjour,\n\nSur la page de confidentialité d’une enquête client, quelqu’un a demandé que ses coordonnées utilisent désormais cette adresse e-mail. Si c’était vous, confirmez la modification dans les %d heures en ouvrant ce lien :\n\n%s\n\nSi ce n’était pas vous, ignorez ce message : rien ne changera et le lien cessera de fonctionner de lui-même.",
			es: "Hola:\n\nEn la página de privacidad de una encuesta a clientes, alguien ha pedido que sus datos de contacto usen a partir de ahora esta dirección de correo. Si ha sido usted, confirme el cambio en un plazo de %d horas abriendo este enlace:\n\n%s\n\nSi no ha sido usted, ignore este mensaje: no cambiará nada y el enlace dejará de funcionar por sí solo.",
			it: "Buongiorno,\n\nsulla pagina della privacy di un sondaggio clienti è stato chiesto che i dati di contatto usino d’ora in poi questo indirizzo e-mail. Se è stato Lei, confermi la modifica entro %d ore aprendo questo link:\n\n%s\n\nSe non è stato Lei, ignori questo messaggio: non cambierà nulla e il link smetterà di funzionare da solo.",
			zh: "您好：\n\n有人在一项客户问卷的隐私页面上申请，今后在其联系信息中使用此电子邮件地址。如果是您本人，请在 %d 小时内打开以下链接确认更改：\n\n%s\n\n如果不是您本人，请忽略此邮件：任何信息都不会更改，该链接也会自动失效。",
		},
		"email_change.title": {
			en: "Confirm your new email address", fi: "Vahvista uusi sähköpostiosoitteesi", sv: "Bekräfta din nya e-postadress",
			de: "Bestätigen Sie Ihre neue E-Mail-Adresse", fr: "Confirmez votre nouvelle adresse e-mail", es: "Confirme su nueva dirección de correo",
			it: "Confermi il Suo nuovo indirizzo e-mail", zh: "请确认您的新电子邮件地址",
		},
		"email_change.lead": {
			en: "Your contact details will use this address from now on:", fi: "Yhteystiedoissasi käytetään tästä lähtien tätä osoitetta:",
			sv: "Dina kontaktuppgifter använder hädanefter den här adressen:", de: "Für Ihre Kontaktdaten wird künftig diese Adresse verwendet:",
			fr: "Vos coordonnées utiliseront désormais cette adresse :", es: "Sus datos de contacto usarán a partir de ahora esta dirección:",
			it: "I Suoi dati di contatto useranno d’ora in poi questo indirizzo:", zh: "今后您的联系信息将使用此地址：",
		},
		"email_change.button": {
			en: "Confirm the new address", fi: "Vahvista uusi osoite", sv: "Bekräfta den nya adressen", de: "Neue Adresse bestätigen",
			fr: "Confirmer la nouvelle adresse", es: "Confirmar la nueva dirección", it: "Conferma il nuovo indirizzo", zh: "确认新地址",
		},
		"email_change.ignore": {
			en: "If you did not ask for this, close this page: nothing changes.", fi: "Jos et pyytänyt tätä, sulje sivu: mikään ei muutu.",
			sv: "Om du inte har bett om detta, stäng sidan: ingenting ändras.", de: "Wenn Sie das nicht veranlasst haben, schließen Sie diese Seite: Es ändert sich nichts.",
			fr: "Si vous n’avez rien demandé, fermez cette page : rien ne change.", es: "Si no lo ha pedido, cierre esta página: no cambia nada.",
			it: "Se non lo ha chiesto, chiuda questa pagina: non cambia nulla.", zh: "如果您没有提出此申请，请关闭本页面：任何信息都不会更改。",
		},
		"state.email_changed.title": {
			en: "Your email address was changed", fi: "Sähköpostiosoitteesi on vaihdettu", sv: "Din e-postadress har ändrats",
			de: "Ihre E-Mail-Adresse wurde geändert", fr: "Votre adresse e-mail a été modifiée", es: "Su dirección de correo se ha cambiado",
			it: "Il Suo indirizzo e-mail è stato modificato", zh: "您的电子邮件地址已更改",
		},
		"state.email_changed.body": {
			en: "From now on, we use this address for you.", fi: "Käytämme tästä lähtien tätä osoitetta.", sv: "Från och med nu använder vi den här adressen för dig.",
			de: "Ab sofort verwenden wir diese Adresse für Sie.", fr: "Nous utilisons désormais cette adresse pour vous.",
			es: "A partir de ahora usaremos esta dirección para usted.", it: "D’ora in poi useremo questo indirizzo per Lei.", zh: "今后我们将使用此地址与您联系。",
		},
		"state.email_failed.title": {
			en: "The change could not be applied", fi: "Muutosta ei voitu tehdä", sv: "Ändringen kunde inte genomföras",
			de: "Die Änderung konnte nicht übernommen werden", fr: "La modification n’a pas pu être appliquée", es: "No se ha podido aplicar el cambio",
			it: "Non è stato possibile applicare la modifica", zh: "无法应用此更改",
		},
		"state.email_failed.body": {
			en: "This address cannot be used here. If it is yours, please contact the company that sent you the survey.",
			fi: "Tätä osoitetta ei voi käyttää. Jos se on sinun, ota yhteyttä kyselyn lähettäneeseen yritykseen.",
			sv: "Adressen kan inte användas här. Om den är din, kontakta företaget som skickade enkäten.",
			de: "Diese Adresse kann hier nicht verwendet werden. Wenn es Ihre ist, wenden Sie sich bitte an das Unternehmen, das Ihnen die Umfrage geschickt hat.",
			fr: "Cette adresse ne peut pas être utilisée ici. Si elle est la vôtre, contactez l’entreprise qui vous a envoyé l’enquête.",
			es: "Esta dirección no se puede usar aquí. Si es suya, póngase en contacto con la empresa que le envió la encuesta.",
			it: "Questo indirizzo non può essere usato qui. Se è il Suo, si rivolga all’azienda che Le ha inviato il sondaggio.",
			zh: "此地址无法在此使用。如果这是您的地址，请联系向您发送问卷的公司。",
		},
		"state.email_link.title": {
			en: "This confirmation link does not work", fi: "Tämä vahvistuslinkki ei toimi", sv: "Bekräftelselänken fungerar inte",
			de: "Dieser Bestätigungslink funktioniert nicht", fr: "Ce lien de confirmation ne fonctionne pas", es: "Este enlace de confirmación no funciona",
			it: "Questo link di conferma non funziona", zh: "此确认链接无效",
		},
		"state.email_link.body": {
			en: "It was used already, has expired, or was replaced by a newer request. To change your address, ask again from the privacy page of your survey link.",
			fi: "Linkki on jo käytetty, vanhentunut tai korvattu uudemmalla pyynnöllä. Jos haluat vaihtaa osoitteesi, pyydä muutosta uudelleen kyselylinkkisi tietosuojasivulla.",
			sv: "Den har redan använts, har gått ut eller har ersatts av en nyare begäran. Om du vill ändra adressen, begär det igen på integritetssidan via din enkätlänk.",
			de: "Er wurde bereits verwendet, ist abgelaufen oder wurde durch eine neuere Anfrage ersetzt. Um Ihre Adresse zu ändern, stellen Sie die Anfrage erneut auf der Datenschutzseite Ihres Umfragelinks.",
			fr: "Il a déjà été utilisé, a expiré ou a été remplacé par une demande plus récente. Pour changer d’adresse, refaites la demande depuis la page de confidentialité de votre lien d’enquête.",
			es: "Ya se ha usado, ha caducado o se ha sustituido por una solicitud más reciente. Para cambiar su dirección, vuelva a pedirlo desde la página de privacidad de su enlace de la encuesta.",
			it: "È già stato usato, è scaduto o è stato sostituito da una richiesta più recente. Per cambiare indirizzo, ripeta la richiesta dalla pagina della privacy del Suo link al sondaggio.",
			zh: "该链接已被使用、已过期，或已被更新的申请取代。如需更改地址，请通过问卷链接的隐私页面重新申请。",
		},
		"state.limited.title": {
			en: "Too many requests", fi: "Liian monta pyyntöä", sv: "För många begäranden", de: "Zu viele Anfragen",
			fr: "Trop de demandes", es: "Demasiadas solicitudes", it: "Troppe richieste", zh: "请求过多",
		},
		"state.limited.body": {
			en: "For your protection, this link accepts only a few requests at a time. Please wait a few minutes and try again.",
			fi: "Turvallisuutesi vuoksi tämä linkki ottaa vastaan vain muutaman pyynnön kerrallaan. Odota muutama minuutti ja yritä uudelleen.",
			sv: "För din säkerhet tar länken bara emot ett fåtal begäranden åt gången. Vänta några minuter och försök igen.",
			de: "Zu Ihrem Schutz nimmt dieser Link nur wenige Anfragen auf einmal an. Bitte warten Sie einige Minuten und versuchen Sie es erneut.",
			fr: "Pour votre protection, ce lien n’accepte que quelques demandes à la fois. Veuillez patienter quelques minutes et réessayer.",
			es: "Por su seguridad, este enlace solo acepta unas pocas solicitudes a la vez. Espere unos minutos y vuelva a intentarlo.",
			it: "Per la Sua sicurezza, questo link accetta solo poche richieste alla volta. Attenda qualche minuto e riprovi.",
			zh: "为保护您的安全，此链接一次只接受少量请求。请稍等几分钟后再试。",
		},
	}
}

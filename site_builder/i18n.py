"""Labels shown on client sites, per language, and locale-aware dates and money (Babel).

Every label a client sees (pages, timeline, feed, calendar, links) is declared here, in English
(`EN`) and in each translation of `LABELS`. A label missing in the client's language falls back
to English; `missing_labels` lists what is missing so `check` can warn about it.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.numbers import format_currency

EN = {
    "overview": "Overview",
    "projects": "Projects",
    "project": "Project",
    "progress": "Progress",
    "approved_of.one": "{approved} of {total} milestone approved",
    "approved_of.other": "{approved} of {total} milestones approved",
    "current_checkpoint": "Current checkpoint",
    "what_next": "What comes next",
    "nothing_next": "Nothing after this checkpoint.",
    "complete": "Complete: every milestone is approved.",
    "timeline": "Timeline",
    "milestones": "Milestones",
    "approval_history": "Approval history",
    "no_approvals": "No decisions recorded yet.",
    "latest_decisions": "Latest decisions",
    "schedule_changes": "Schedule changes",
    "no_schedule_changes": "No due date has moved.",
    "billing": "Billing",
    "invoiced": "Invoiced (approved milestones)",
    "remaining": "Remaining",
    "total": "Total",
    "owner": "Owner",
    "due": "Due",
    "delivered": "Delivered",
    "approved_on": "Approved",
    "phase": "Phase",
    "deliverables": "Deliverables",
    "acceptance": "Acceptance criteria",
    "depends_on": "Depends on",
    "invoice": "Invoice",
    "status": "Status",
    "milestone": "Milestone",
    "decision": "Decision",
    "date": "Date",
    "by": "By",
    "signature": "Signature",
    "not_counted": "does not count: a verified signature is required",
    "reviewed": "Reviewed",
    "moved": "planned for {old}, moved to {new} on {date}",
    "baseline": "Originally due",
    "recorded": "recorded by {author} on {date}",
    "scope_changes": "Scope changes after sign-off",
    "scope_change": "{fields} changed on {date}, after approval on {approved}",
    "field.title": "title",
    "field.deliverables": "deliverables",
    "field.acceptance": "acceptance criteria",
    "health": "Health",
    "overdue": "overdue",
    "days_to_approval": "Mean days to approval",
    "slippage_rate": "Slippage rate",
    "machine_readable": "Status data for your tools (JSON)",
    "last_updated": "Last updated",
    "status_as_of": "Status as of {date}",
    "health.on-track": "On track",
    "health.at-risk": "At risk",
    "health.overdue": "Overdue",
    "health.complete": "Complete",
    "status.approved": "Approved",
    "status.changes-requested": "Changes requested",
    "status.awaiting-approval": "Awaiting your approval",
    "status.in-progress": "In progress",
    "status.upcoming": "Upcoming",
    "decision.approved": "Approved",
    "decision.changes-requested": "Changes requested",
    "decision.rejected": "Rejected",
    "signature.verified": "Verified signature",
    "signature.unsigned": "Not signed",
    "signature.invalid": "Signature does not verify",
    "signature.unknown-signer": "Signed by an unknown key",
    # The timeline (SVG, its text alternative and legend).
    "timeline.today": "Today",
    "timeline.approved_late": "Approved late",
    "timeline.legend": "Legend",
    "timeline.title": "Timeline of {project}",
    "timeline.summary.one": "{count} milestone, due from {start} to {end}. Today is {today}.",
    "timeline.summary.other": "{count} milestones, due from {start} to {end}. Today is {today}.",
    "timeline.item": "{title}: due {due}, {status}.",
    "timeline.moved": "Originally due {date}.",
    # Feed, calendar and the links to them.
    "feed.title": "{client}: project status",
    "feed.rescheduled": "due date moved to {new}",
    "feed.not_counted": "not counted",
    "links.follow": "Follow this status",
    "links.feed": "Get updates",
    "links.calendar": "Add deadlines to your calendar",
    "links.webcal": "subscribe in a calendar app",
    "links.badge": "Status badge",
    "links.embed": "Embed it in a README or wiki",
    "overdue.team": "Late on our side",
    "overdue.client": "Decision overdue",
    "next.label": "Next step",
    "next.review": "Your next step: please review {milestone} and approve it or request changes "
                   "by {date}.",
    "next.review_late": "Your next step: please review {milestone} and approve it or request "
                        "changes; we asked for your decision by {date}.",
    "next.revise": "Our move: we are revising {milestone} after your feedback; next delivery "
                   "expected on {date}.",
    "next.revise_late": "Our move: we are revising {milestone} after your feedback; this is late "
                        "on our side (planned for {date}).",
    "next.working": "Nothing needed from you yet: we are working on {milestone}, expected on "
                    "{date}.",
    "next.working_late": "Nothing needed from you yet: we are working on {milestone}; this is "
                         "late on our side (planned for {date}).",
    "next.complete": "Nothing needed from you: every milestone is approved.",
    "next.to_review": "See what to review",
    "next.how": "How to approve or request changes",
    "next.ask": "Questions? Ask {name}.",
    "invoiced_of": "Invoiced {invoiced} of {total}",
    "links.tools": "For your team's tools",
    "record_details": "Details",
    # Approving on the status page (theme/pages/_approve.j2, approve.js).
    "approve.heading": "Your decision",
    "approve.intro": "Approve this milestone or request changes here. Your decision is "
                     "signed with a key that stays in this browser; nothing is sent until "
                     "you send it.",
    "approve.noscript": "To approve or request changes, e-mail your decision to your project "
                        "contact (with JavaScript on, this page signs it for you).",
    "approve.setup": "Set up approvals on this device",
    "approve.name": "Your name",
    "approve.email": "Your e-mail address (kept in this browser only)",
    "approve.create": "Create my signing key",
    "approve.key_label": "Your public key: send it to your project contact once.",
    "approve.send_key": "Send my key by e-mail",
    "approve.message": "Message (optional)",
    "approve.approve": "Approve",
    "approve.request_changes": "Request changes",
    "approve.download": "Download",
    "approve.send": "Send by e-mail",
    "approve.show_note": "Show the signed note",
    "approve.enrolled": "This device signs as {name}.",
    "approve.signed": "Signed. Nothing has been sent yet: send it to {contact} by e-mail, or "
                      "download the file and attach it to an e-mail.",
    "approve.contact": "your project contact",
    "approve.unsupported": "This browser cannot make a signing key here (it needs Ed25519 in Web "
                           "Crypto on a secure page). Please e-mail your decision to your project "
                           "contact.",
    "approve.invalid": "Enter your name (without < or >) and your e-mail address.",
    "approve.failed": "Could not sign: {error}",
    "approve.too_long": "This message is too long for an e-mail link: use Download and attach "
                        "the file to your e-mail.",
    "approve.key_subject": "My key for signing approvals",
    "approve.key_body": "Please add my key for signing approvals on our status page:",
    "approve.mail_body": "My signed decision follows (file it with: site-builder receive).",
    "approve.subject_approved": "Approved: {milestone}",
    "approve.subject_changes": "Changes requested: {milestone}",
    "approve.body_approved": "Approved.",
    "approve.body_changes": "Changes requested.",
}

DE = {
    "overview": "Übersicht",
    "projects": "Projekte",
    "project": "Projekt",
    "progress": "Fortschritt",
    "approved_of.one": "{approved} von {total} Meilenstein freigegeben",
    "approved_of.other": "{approved} von {total} Meilensteinen freigegeben",
    "current_checkpoint": "Aktueller Meilenstein",
    "what_next": "Wie es weitergeht",
    "nothing_next": "Danach folgt kein weiterer Meilenstein.",
    "complete": "Abgeschlossen: Alle Meilensteine sind freigegeben.",
    "timeline": "Zeitplan",
    "milestones": "Meilensteine",
    "approval_history": "Freigabeverlauf",
    "no_approvals": "Noch keine Entscheidungen erfasst.",
    "latest_decisions": "Letzte Entscheidungen",
    "schedule_changes": "Terminänderungen",
    "no_schedule_changes": "Kein Termin wurde verschoben.",
    "billing": "Abrechnung",
    "invoiced": "Abgerechnet (freigegebene Meilensteine)",
    "remaining": "Noch offen",
    "total": "Gesamt",
    "owner": "Verantwortlich",
    "due": "Fällig",
    "delivered": "Geliefert",
    "approved_on": "Freigegeben",
    "phase": "Phase",
    "deliverables": "Liefergegenstände",
    "acceptance": "Abnahmekriterien",
    "depends_on": "Abhängig von",
    "invoice": "Rechnung",
    "status": "Status",
    "milestone": "Meilenstein",
    "decision": "Entscheidung",
    "date": "Datum",
    "by": "Von",
    "signature": "Signatur",
    "not_counted": "zählt nicht: eine verifizierte Signatur ist erforderlich",
    "reviewed": "Geprüft",
    "moved": "geplant für {old}, am {date} auf {new} verschoben",
    "baseline": "Ursprünglich fällig",
    "recorded": "erfasst von {author} am {date}",
    "scope_changes": "Änderungen am Umfang nach der Freigabe",
    "scope_change": "{fields} am {date} geändert, nach der Freigabe am {approved}",
    "field.title": "Titel",
    "field.deliverables": "Liefergegenstände",
    "field.acceptance": "Abnahmekriterien",
    "health": "Gesamtstatus",
    "overdue": "überfällig",
    "days_to_approval": "Durchschnittliche Tage bis zur Freigabe",
    "slippage_rate": "Verzugsquote",
    "machine_readable": "Statusdaten für Ihre Werkzeuge (JSON)",
    "last_updated": "Zuletzt aktualisiert",
    "status_as_of": "Stand: {date}",
    "health.on-track": "Im Plan",
    "health.at-risk": "Gefährdet",
    "health.overdue": "Überfällig",
    "health.complete": "Abgeschlossen",
    "status.approved": "Freigegeben",
    "status.changes-requested": "Änderungen angefordert",
    "status.awaiting-approval": "Wartet auf Ihre Freigabe",
    "status.in-progress": "In Arbeit",
    "status.upcoming": "Geplant",
    "decision.approved": "Freigegeben",
    "decision.changes-requested": "Änderungen angefordert",
    "decision.rejected": "Abgelehnt",
    "signature.verified": "Verifizierte Signatur",
    "signature.unsigned": "Nicht signiert",
    "signature.invalid": "Signatur ungültig",
    "signature.unknown-signer": "Mit unbekanntem Schlüssel signiert",
    "timeline.today": "Heute",
    "timeline.approved_late": "Verspätet freigegeben",
    "timeline.legend": "Legende",
    "timeline.title": "Zeitplan für {project}",
    "timeline.summary.one": "{count} Meilenstein, fällig zwischen {start} und {end}. Heute ist "
                            "der {today}.",
    "timeline.summary.other": "{count} Meilensteine, fällig zwischen {start} und {end}. Heute ist "
                              "der {today}.",
    "timeline.item": "{title}: fällig am {due}, {status}.",
    "timeline.moved": "Ursprünglich fällig am {date}.",
    "feed.title": "{client}: Projektstatus",
    "feed.rescheduled": "Termin verschoben auf {new}",
    "feed.not_counted": "zählt nicht",
    "links.follow": "Diesen Status verfolgen",
    "links.feed": "Neuigkeiten erhalten",
    "links.calendar": "Termine in Ihren Kalender übernehmen",
    "links.webcal": "in einer Kalender-App abonnieren",
    "links.badge": "Status-Badge",
    "links.embed": "In eine README oder ein Wiki einbinden",
    "overdue.team": "Verzug auf unserer Seite",
    "overdue.client": "Entscheidung überfällig",
    "next.label": "Nächster Schritt",
    "next.review": "Ihr nächster Schritt: Bitte prüfen Sie {milestone} und geben Sie bis {date} "
                   "frei oder fordern Sie Änderungen an.",
    "next.review_late": "Ihr nächster Schritt: Bitte prüfen Sie {milestone} und geben Sie frei "
                        "oder fordern Sie Änderungen an; wir hatten um Ihre Entscheidung bis "
                        "{date} gebeten.",
    "next.revise": "Wir sind am Zug: Wir überarbeiten {milestone} nach Ihrem Feedback; nächste "
                   "Lieferung voraussichtlich am {date}.",
    "next.revise_late": "Wir sind am Zug: Wir überarbeiten {milestone} nach Ihrem Feedback; der "
                        "Verzug liegt bei uns (geplant für {date}).",
    "next.working": "Von Ihnen wird noch nichts benötigt: Wir arbeiten an {milestone}, "
                    "voraussichtlich am {date}.",
    "next.working_late": "Von Ihnen wird noch nichts benötigt: Wir arbeiten an {milestone}; der "
                         "Verzug liegt bei uns (geplant für {date}).",
    "next.complete": "Von Ihnen wird nichts benötigt: Alle Meilensteine sind freigegeben.",
    "next.to_review": "Zu prüfende Unterlagen ansehen",
    "next.how": "So geben Sie frei oder fordern Änderungen an",
    "next.ask": "Fragen? Wenden Sie sich an {name}.",
    "invoiced_of": "Abgerechnet: {invoiced} von {total}",
    "links.tools": "Für die Werkzeuge Ihres Teams",
    "record_details": "Details",
    "approve.heading": "Ihre Entscheidung",
    "approve.intro": "Geben Sie diesen Meilenstein hier frei oder fordern Sie Änderungen an. "
                     "Ihre Entscheidung wird mit einem Schlüssel signiert, der in diesem "
                     "Browser bleibt; gesendet wird erst, wenn Sie sie senden.",
    "approve.noscript": "Um freizugeben oder Änderungen anzufordern, senden Sie Ihre "
                        "Entscheidung per E-Mail an Ihre Ansprechperson (mit JavaScript "
                        "signiert diese Seite sie für Sie).",
    "approve.setup": "Freigaben auf diesem Gerät einrichten",
    "approve.name": "Ihr Name",
    "approve.email": "Ihre E-Mail-Adresse (bleibt nur in diesem Browser)",
    "approve.create": "Meinen Signaturschlüssel erstellen",
    "approve.key_label": "Ihr öffentlicher Schlüssel: senden Sie ihn einmal an Ihre "
                         "Ansprechperson.",
    "approve.send_key": "Meinen Schlüssel per E-Mail senden",
    "approve.message": "Nachricht (optional)",
    "approve.approve": "Freigeben",
    "approve.request_changes": "Änderungen anfordern",
    "approve.download": "Herunterladen",
    "approve.send": "Per E-Mail senden",
    "approve.show_note": "Signierte Notiz anzeigen",
    "approve.enrolled": "Dieses Gerät signiert als {name}.",
    "approve.signed": "Signiert. Noch wurde nichts gesendet: senden Sie es per E-Mail an "
                      "{contact}, oder laden Sie die Datei herunter und hängen Sie sie an "
                      "eine E-Mail an.",
    "approve.contact": "Ihre Ansprechperson",
    "approve.unsupported": "Dieser Browser kann hier keinen Signaturschlüssel erstellen (er "
                           "braucht Ed25519 in Web Crypto auf einer sicheren Seite). Bitte senden "
                           "Sie Ihre Entscheidung per E-Mail an Ihre Ansprechperson.",
    "approve.invalid": "Geben Sie Ihren Namen (ohne < oder >) und Ihre E-Mail-Adresse ein.",
    "approve.failed": "Signieren fehlgeschlagen: {error}",
    "approve.too_long": "Diese Nachricht ist zu lang für einen E-Mail-Link: laden Sie die Datei "
                        "herunter und hängen Sie sie an Ihre E-Mail an.",
    "approve.key_subject": "Mein Schlüssel für signierte Freigaben",
    "approve.key_body": "Bitte tragen Sie meinen Schlüssel für signierte Freigaben auf unserer "
                        "Statusseite ein:",
    "approve.mail_body": "Meine signierte Entscheidung folgt (ablegen mit: site-builder receive).",
    "approve.subject_approved": "Freigegeben: {milestone}",
    "approve.subject_changes": "Änderungen angefordert: {milestone}",
    "approve.body_approved": "Freigegeben.",
    "approve.body_changes": "Änderungen angefordert.",
}

FR = {
    "overview": "Vue d’ensemble",
    "projects": "Projets",
    "project": "Projet",
    "progress": "Avancement",
    "approved_of.one": "Jalons validés : {approved} sur {total}",
    "approved_of.other": "Jalons validés : {approved} sur {total}",
    "current_checkpoint": "Étape en cours",
    "what_next": "Prochaines étapes",
    "nothing_next": "Aucune étape après celle-ci.",
    "complete": "Terminé : tous les jalons sont validés.",
    "timeline": "Calendrier",
    "milestones": "Jalons",
    "approval_history": "Historique des validations",
    "no_approvals": "Aucune décision enregistrée pour le moment.",
    "latest_decisions": "Dernières décisions",
    "schedule_changes": "Modifications du calendrier",
    "no_schedule_changes": "Aucune échéance n’a été déplacée.",
    "billing": "Facturation",
    "invoiced": "Facturé (jalons validés)",
    "remaining": "Restant",
    "total": "Total",
    "owner": "Responsable",
    "due": "Échéance",
    "delivered": "Livré",
    "approved_on": "Validé",
    "phase": "Phase",
    "deliverables": "Livrables",
    "acceptance": "Critères d’acceptation",
    "depends_on": "Dépend de",
    "invoice": "Facture",
    "status": "Statut",
    "milestone": "Jalon",
    "decision": "Décision",
    "date": "Date",
    "by": "Par",
    "signature": "Signature",
    "not_counted": "non prise en compte : une signature vérifiée est requise",
    "reviewed": "Examiné",
    "moved": "prévu le {old}, déplacé au {new} le {date}",
    "baseline": "Échéance initiale",
    "recorded": "enregistré par {author} le {date}",
    "scope_changes": "Modifications du périmètre après validation",
    "scope_change": "{fields} modifié(s) le {date}, après la validation du {approved}",
    "field.title": "titre",
    "field.deliverables": "livrables",
    "field.acceptance": "critères d’acceptation",
    "health": "État du projet",
    "overdue": "en retard",
    "days_to_approval": "Délai moyen de validation (jours)",
    "slippage_rate": "Taux de retard",
    "machine_readable": "Données de statut pour vos outils (JSON)",
    "last_updated": "Dernière mise à jour",
    "status_as_of": "Situation au {date}",
    "health.on-track": "Dans les temps",
    "health.at-risk": "À risque",
    "health.overdue": "En retard",
    "health.complete": "Terminé",
    "status.approved": "Validé",
    "status.changes-requested": "Modifications demandées",
    "status.awaiting-approval": "En attente de votre validation",
    "status.in-progress": "En cours",
    "status.upcoming": "À venir",
    "decision.approved": "Validé",
    "decision.changes-requested": "Modifications demandées",
    "decision.rejected": "Refusé",
    "signature.verified": "Signature vérifiée",
    "signature.unsigned": "Non signé",
    "signature.invalid": "Signature non valide",
    "signature.unknown-signer": "Signé avec une clé inconnue",
    "timeline.today": "Aujourd’hui",
    "timeline.approved_late": "Validé en retard",
    "timeline.legend": "Légende",
    "timeline.title": "Calendrier du projet {project}",
    "timeline.summary.one": "{count} jalon, échéance du {start} au {end}. Nous sommes le {today}.",
    "timeline.summary.other": "{count} jalons, échéances du {start} au {end}. Nous sommes le "
                              "{today}.",
    "timeline.item": "{title} : échéance le {due}, {status}.",
    "timeline.moved": "Échéance initiale : {date}.",
    "feed.title": "{client} : état du projet",
    "feed.rescheduled": "échéance déplacée au {new}",
    "feed.not_counted": "non prise en compte",
    "links.follow": "Suivre ce statut",
    "links.feed": "Recevoir les mises à jour",
    "links.calendar": "Ajouter les échéances à votre agenda",
    "links.webcal": "s’abonner dans une application d’agenda",
    "links.badge": "Badge de statut",
    "links.embed": "L’intégrer dans un README ou un wiki",
    "overdue.team": "Retard de notre côté",
    "overdue.client": "Décision en retard",
    "next.label": "Prochaine étape",
    "next.review": "Votre prochaine étape : merci d’examiner {milestone} et de le valider ou de "
                   "demander des modifications d’ici le {date}.",
    "next.review_late": "Votre prochaine étape : merci d’examiner {milestone} et de le valider ou "
                        "de demander des modifications ; nous attendions votre décision pour le "
                        "{date}.",
    "next.revise": "À nous de jouer : nous révisons {milestone} suite à vos retours ; prochaine "
                   "livraison prévue le {date}.",
    "next.revise_late": "À nous de jouer : nous révisons {milestone} suite à vos retours ; le "
                        "retard est de notre côté (prévu pour le {date}).",
    "next.working": "Rien à faire pour vous pour l’instant : nous travaillons sur {milestone}, "
                    "prévu le {date}.",
    "next.working_late": "Rien à faire pour vous pour l’instant : nous travaillons sur "
                         "{milestone} ; le retard est de notre côté (prévu pour le {date}).",
    "next.complete": "Rien à faire pour vous : tous les jalons sont validés.",
    "next.to_review": "Voir ce qu’il faut examiner",
    "next.how": "Comment valider ou demander des modifications",
    "next.ask": "Des questions ? Contactez {name}.",
    "invoiced_of": "Facturé : {invoiced} sur {total}",
    "links.tools": "Pour les outils de votre équipe",
    "record_details": "Détails",
    "approve.heading": "Votre décision",
    "approve.intro": "Validez ce jalon ou demandez des modifications ici. Votre décision est "
                     "signée avec une clé qui reste dans ce navigateur ; rien n’est envoyé "
                     "tant que vous ne l’envoyez pas.",
    "approve.noscript": "Pour valider ou demander des modifications, envoyez votre décision par "
                        "e-mail à votre contact projet (avec JavaScript, cette page la signe "
                        "pour vous).",
    "approve.setup": "Configurer les validations sur cet appareil",
    "approve.name": "Votre nom",
    "approve.email": "Votre adresse e-mail (conservée dans ce navigateur uniquement)",
    "approve.create": "Créer ma clé de signature",
    "approve.key_label": "Votre clé publique : envoyez-la une fois à votre contact projet.",
    "approve.send_key": "Envoyer ma clé par e-mail",
    "approve.message": "Message (facultatif)",
    "approve.approve": "Valider",
    "approve.request_changes": "Demander des modifications",
    "approve.download": "Télécharger",
    "approve.send": "Envoyer par e-mail",
    "approve.show_note": "Afficher la note signée",
    "approve.enrolled": "Cet appareil signe au nom de {name}.",
    "approve.signed": "Signé. Rien n’a encore été envoyé : envoyez-la par e-mail à {contact}, "
                      "ou téléchargez le fichier et joignez-le à un e-mail.",
    "approve.contact": "votre contact projet",
    "approve.unsupported": "Ce navigateur ne peut pas créer de clé de signature ici (il faut "
                           "Ed25519 dans Web Crypto sur une page sécurisée). Merci d’envoyer votre "
                           "décision par e-mail à votre contact projet.",
    "approve.invalid": "Saisissez votre nom (sans < ni >) et votre adresse e-mail.",
    "approve.failed": "Échec de la signature : {error}",
    "approve.too_long": "Ce message est trop long pour un lien e-mail : téléchargez le fichier "
                        "et joignez-le à votre e-mail.",
    "approve.key_subject": "Ma clé pour signer les validations",
    "approve.key_body": "Merci d’ajouter ma clé pour signer les validations sur notre page de "
                        "suivi :",
    "approve.mail_body": "Ma décision signée suit (à classer avec : site-builder receive).",
    "approve.subject_approved": "Validé : {milestone}",
    "approve.subject_changes": "Modifications demandées : {milestone}",
    "approve.body_approved": "Validé.",
    "approve.body_changes": "Modifications demandées.",
}

ES = {
    "overview": "Resumen",
    "projects": "Proyectos",
    "project": "Proyecto",
    "progress": "Progreso",
    "approved_of.one": "{approved} de {total} hito aprobado",
    "approved_of.other": "{approved} de {total} hitos aprobados",
    "current_checkpoint": "Hito actual",
    "what_next": "Próximos pasos",
    "nothing_next": "No hay más hitos después de este.",
    "complete": "Completado: todos los hitos están aprobados.",
    "timeline": "Cronograma",
    "milestones": "Hitos",
    "approval_history": "Historial de aprobaciones",
    "no_approvals": "Todavía no se ha registrado ninguna decisión.",
    "latest_decisions": "Últimas decisiones",
    "schedule_changes": "Cambios de calendario",
    "no_schedule_changes": "Ninguna fecha límite ha cambiado.",
    "billing": "Facturación",
    "invoiced": "Facturado (hitos aprobados)",
    "remaining": "Pendiente",
    "total": "Total",
    "owner": "Responsable",
    "due": "Fecha límite",
    "delivered": "Entregado",
    "approved_on": "Aprobado",
    "phase": "Fase",
    "deliverables": "Entregables",
    "acceptance": "Criterios de aceptación",
    "depends_on": "Depende de",
    "invoice": "Factura",
    "status": "Estado",
    "milestone": "Hito",
    "decision": "Decisión",
    "date": "Fecha",
    "by": "Por",
    "signature": "Firma",
    "not_counted": "no cuenta: se requiere una firma verificada",
    "reviewed": "Revisado",
    "moved": "previsto para el {old}, cambiado al {new} el {date}",
    "baseline": "Fecha límite original",
    "recorded": "registrado por {author} el {date}",
    "scope_changes": "Cambios de alcance tras la aprobación",
    "scope_change": "{fields}: cambios el {date}, tras la aprobación del {approved}",
    "field.title": "título",
    "field.deliverables": "entregables",
    "field.acceptance": "criterios de aceptación",
    "health": "Situación",
    "overdue": "con retraso",
    "days_to_approval": "Días medios hasta la aprobación",
    "slippage_rate": "Tasa de retraso",
    "machine_readable": "Datos de estado para sus herramientas (JSON)",
    "last_updated": "Última actualización",
    "status_as_of": "Estado a {date}",
    "health.on-track": "En plazo",
    "health.at-risk": "En riesgo",
    "health.overdue": "Con retraso",
    "health.complete": "Completado",
    "status.approved": "Aprobado",
    "status.changes-requested": "Cambios solicitados",
    "status.awaiting-approval": "Pendiente de su aprobación",
    "status.in-progress": "En curso",
    "status.upcoming": "Próximo",
    "decision.approved": "Aprobado",
    "decision.changes-requested": "Cambios solicitados",
    "decision.rejected": "Rechazado",
    "signature.verified": "Firma verificada",
    "signature.unsigned": "Sin firmar",
    "signature.invalid": "La firma no es válida",
    "signature.unknown-signer": "Firmado con una clave desconocida",
    "timeline.today": "Hoy",
    "timeline.approved_late": "Aprobado con retraso",
    "timeline.legend": "Leyenda",
    "timeline.title": "Cronograma de {project}",
    "timeline.summary.one": "{count} hito, con fecha límite entre el {start} y el {end}. Hoy es "
                            "{today}.",
    "timeline.summary.other": "{count} hitos, con fechas límite entre el {start} y el {end}. Hoy "
                              "es {today}.",
    "timeline.item": "{title}: fecha límite {due}, {status}.",
    "timeline.moved": "Fecha límite original: {date}.",
    "feed.title": "{client}: estado del proyecto",
    "feed.rescheduled": "fecha límite cambiada al {new}",
    "feed.not_counted": "no cuenta",
    "links.follow": "Seguir este estado",
    "links.feed": "Recibir novedades",
    "links.calendar": "Añadir las fechas límite a su calendario",
    "links.webcal": "suscribirse en una aplicación de calendario",
    "links.badge": "Insignia de estado",
    "links.embed": "Insertarla en un README o una wiki",
    "overdue.team": "Retraso por nuestra parte",
    "overdue.client": "Decisión atrasada",
    "next.label": "Siguiente paso",
    "next.review": "Su siguiente paso: revise {milestone} y apruébelo o solicite cambios antes "
                   "del {date}.",
    "next.review_late": "Su siguiente paso: revise {milestone} y apruébelo o solicite cambios; le "
                        "pedimos su decisión antes del {date}.",
    "next.revise": "Nos toca a nosotros: estamos revisando {milestone} tras sus comentarios; "
                   "próxima entrega prevista el {date}.",
    "next.revise_late": "Nos toca a nosotros: estamos revisando {milestone} tras sus comentarios; "
                        "el retraso es nuestro (previsto para el {date}).",
    "next.working": "Por ahora no necesitamos nada de usted: estamos trabajando en {milestone}, "
                    "previsto para el {date}.",
    "next.working_late": "Por ahora no necesitamos nada de usted: estamos trabajando en "
                         "{milestone}; el retraso es nuestro (previsto para el {date}).",
    "next.complete": "No necesitamos nada de usted: todos los hitos están aprobados.",
    "next.to_review": "Ver qué revisar",
    "next.how": "Cómo aprobar o solicitar cambios",
    "next.ask": "¿Preguntas? Consulte a {name}.",
    "invoiced_of": "Facturado: {invoiced} de {total}",
    "links.tools": "Para las herramientas de su equipo",
    "record_details": "Detalles",
    "approve.heading": "Su decisión",
    "approve.intro": "Apruebe este hito o solicite cambios aquí. Su decisión se firma con "
                     "una clave que permanece en este navegador; no se envía nada hasta que "
                     "usted lo envíe.",
    "approve.noscript": "Para aprobar o solicitar cambios, envíe su decisión por correo "
                        "electrónico a su contacto del proyecto (con JavaScript, esta página la "
                        "firma por usted).",
    "approve.setup": "Configurar aprobaciones en este dispositivo",
    "approve.name": "Su nombre",
    "approve.email": "Su correo electrónico (solo se guarda en este navegador)",
    "approve.create": "Crear mi clave de firma",
    "approve.key_label": "Su clave pública: envíela una vez a su contacto del proyecto.",
    "approve.send_key": "Enviar mi clave por correo",
    "approve.message": "Mensaje (opcional)",
    "approve.approve": "Aprobar",
    "approve.request_changes": "Solicitar cambios",
    "approve.download": "Descargar",
    "approve.send": "Enviar por correo",
    "approve.show_note": "Mostrar la nota firmada",
    "approve.enrolled": "Este dispositivo firma como {name}.",
    "approve.signed": "Firmado. Aún no se ha enviado nada: envíelo por correo a {contact}, o "
                      "descargue el archivo y adjúntelo a un correo.",
    "approve.contact": "su contacto del proyecto",
    "approve.unsupported": "Este navegador no puede crear una clave de firma aquí (necesita "
                           "Ed25519 en Web Crypto en una página segura). Envíe su decisión por "
                           "correo a su contacto del proyecto.",
    "approve.invalid": "Introduzca su nombre (sin < ni >) y su correo electrónico.",
    "approve.failed": "No se pudo firmar: {error}",
    "approve.too_long": "Este mensaje es demasiado largo para un enlace de correo: descargue el "
                        "archivo y adjúntelo a su correo.",
    "approve.key_subject": "Mi clave para firmar aprobaciones",
    "approve.key_body": "Por favor, añadan mi clave para firmar aprobaciones en nuestra página "
                        "de estado:",
    "approve.mail_body": "Sigue mi decisión firmada (archívela con: site-builder receive).",
    "approve.subject_approved": "Aprobado: {milestone}",
    "approve.subject_changes": "Cambios solicitados: {milestone}",
    "approve.body_approved": "Aprobado.",
    "approve.body_changes": "Cambios solicitados.",
}

NL = {
    "overview": "Overzicht",
    "projects": "Projecten",
    "project": "Project",
    "progress": "Voortgang",
    "approved_of.one": "{approved} van {total} mijlpaal goedgekeurd",
    "approved_of.other": "{approved} van {total} mijlpalen goedgekeurd",
    "current_checkpoint": "Huidige mijlpaal",
    "what_next": "Wat volgt",
    "nothing_next": "Na deze mijlpaal volgt niets meer.",
    "complete": "Afgerond: alle mijlpalen zijn goedgekeurd.",
    "timeline": "Tijdlijn",
    "milestones": "Mijlpalen",
    "approval_history": "Goedkeuringsgeschiedenis",
    "no_approvals": "Nog geen beslissingen vastgelegd.",
    "latest_decisions": "Laatste beslissingen",
    "schedule_changes": "Planningswijzigingen",
    "no_schedule_changes": "Er is geen deadline verschoven.",
    "billing": "Facturering",
    "invoiced": "Gefactureerd (goedgekeurde mijlpalen)",
    "remaining": "Nog te factureren",
    "total": "Totaal",
    "owner": "Eigenaar",
    "due": "Deadline",
    "delivered": "Opgeleverd",
    "approved_on": "Goedgekeurd",
    "phase": "Fase",
    "deliverables": "Op te leveren",
    "acceptance": "Acceptatiecriteria",
    "depends_on": "Afhankelijk van",
    "invoice": "Factuur",
    "status": "Status",
    "milestone": "Mijlpaal",
    "decision": "Beslissing",
    "date": "Datum",
    "by": "Door",
    "signature": "Handtekening",
    "not_counted": "telt niet: een geverifieerde handtekening is vereist",
    "reviewed": "Beoordeeld",
    "moved": "gepland op {old}, op {date} verplaatst naar {new}",
    "baseline": "Oorspronkelijke deadline",
    "recorded": "vastgelegd door {author} op {date}",
    "scope_changes": "Scopewijzigingen na goedkeuring",
    "scope_change": "{fields} gewijzigd op {date}, na goedkeuring op {approved}",
    "field.title": "titel",
    "field.deliverables": "op te leveren resultaten",
    "field.acceptance": "acceptatiecriteria",
    "health": "Projectstatus",
    "overdue": "te laat",
    "days_to_approval": "Gemiddeld aantal dagen tot goedkeuring",
    "slippage_rate": "Vertragingspercentage",
    "machine_readable": "Statusgegevens voor uw tools (JSON)",
    "last_updated": "Laatst bijgewerkt",
    "status_as_of": "Stand van zaken op {date}",
    "health.on-track": "Op schema",
    "health.at-risk": "Risico op vertraging",
    "health.overdue": "Achter op schema",
    "health.complete": "Afgerond",
    "status.approved": "Goedgekeurd",
    "status.changes-requested": "Wijzigingen gevraagd",
    "status.awaiting-approval": "Wacht op uw goedkeuring",
    "status.in-progress": "In uitvoering",
    "status.upcoming": "Gepland",
    "decision.approved": "Goedgekeurd",
    "decision.changes-requested": "Wijzigingen gevraagd",
    "decision.rejected": "Afgewezen",
    "signature.verified": "Geverifieerde handtekening",
    "signature.unsigned": "Niet ondertekend",
    "signature.invalid": "Handtekening ongeldig",
    "signature.unknown-signer": "Ondertekend met een onbekende sleutel",
    "timeline.today": "Vandaag",
    "timeline.approved_late": "Te laat goedgekeurd",
    "timeline.legend": "Legenda",
    "timeline.title": "Tijdlijn van {project}",
    "timeline.summary.one": "{count} mijlpaal, met deadline van {start} tot {end}. Vandaag is het "
                            "{today}.",
    "timeline.summary.other": "{count} mijlpalen, met deadlines van {start} tot {end}. Vandaag is "
                              "het {today}.",
    "timeline.item": "{title}: deadline {due}, {status}.",
    "timeline.moved": "Oorspronkelijke deadline: {date}.",
    "feed.title": "{client}: projectstatus",
    "feed.rescheduled": "deadline verplaatst naar {new}",
    "feed.not_counted": "telt niet",
    "links.follow": "Deze status volgen",
    "links.feed": "Updates ontvangen",
    "links.calendar": "Deadlines aan uw agenda toevoegen",
    "links.webcal": "abonneren in een agenda-app",
    "links.badge": "Statusbadge",
    "links.embed": "Insluiten in een README of wiki",
    "overdue.team": "Vertraging aan onze kant",
    "overdue.client": "Beslissing te laat",
    "next.label": "Volgende stap",
    "next.review": "Uw volgende stap: bekijk {milestone} en keur het goed of vraag wijzigingen "
                   "aan vóór {date}.",
    "next.review_late": "Uw volgende stap: bekijk {milestone} en keur het goed of vraag "
                        "wijzigingen aan; we vroegen uw beslissing vóór {date}.",
    "next.revise": "Wij zijn aan zet: we herzien {milestone} na uw feedback; volgende levering "
                   "verwacht op {date}.",
    "next.revise_late": "Wij zijn aan zet: we herzien {milestone} na uw feedback; de vertraging "
                        "ligt bij ons (gepland voor {date}).",
    "next.working": "Nog niets nodig van u: we werken aan {milestone}, verwacht op {date}.",
    "next.working_late": "Nog niets nodig van u: we werken aan {milestone}; de vertraging ligt "
                         "bij ons (gepland voor {date}).",
    "next.complete": "Niets nodig van u: alle mijlpalen zijn goedgekeurd.",
    "next.to_review": "Bekijk wat u moet beoordelen",
    "next.how": "Zo keurt u goed of vraagt u wijzigingen aan",
    "next.ask": "Vragen? Neem contact op met {name}.",
    "invoiced_of": "Gefactureerd: {invoiced} van {total}",
    "links.tools": "Voor de tools van uw team",
    "record_details": "Details",
    "approve.heading": "Uw beslissing",
    "approve.intro": "Keur deze mijlpaal hier goed of vraag wijzigingen aan. Uw beslissing "
                     "wordt ondertekend met een sleutel die in deze browser blijft; er wordt "
                     "niets verstuurd tot u het zelf verstuurt.",
    "approve.noscript": "Om goed te keuren of wijzigingen aan te vragen, mailt u uw beslissing "
                        "naar uw projectcontact (met JavaScript ondertekent deze pagina die "
                        "voor u).",
    "approve.setup": "Goedkeuringen op dit apparaat instellen",
    "approve.name": "Uw naam",
    "approve.email": "Uw e-mailadres (blijft alleen in deze browser)",
    "approve.create": "Mijn ondertekeningssleutel maken",
    "approve.key_label": "Uw publieke sleutel: stuur deze eenmalig naar uw projectcontact.",
    "approve.send_key": "Mijn sleutel per e-mail versturen",
    "approve.message": "Bericht (optioneel)",
    "approve.approve": "Goedkeuren",
    "approve.request_changes": "Wijzigingen aanvragen",
    "approve.download": "Downloaden",
    "approve.send": "Per e-mail versturen",
    "approve.show_note": "De ondertekende notitie tonen",
    "approve.enrolled": "Dit apparaat ondertekent als {name}.",
    "approve.signed": "Ondertekend. Er is nog niets verstuurd: stuur het per e-mail naar "
                      "{contact}, of download het bestand en voeg het toe aan een e-mail.",
    "approve.contact": "uw projectcontact",
    "approve.unsupported": "Deze browser kan hier geen ondertekeningssleutel maken (daarvoor is "
                           "Ed25519 in Web Crypto op een beveiligde pagina nodig). Mail uw "
                           "beslissing naar uw projectcontact.",
    "approve.invalid": "Vul uw naam (zonder < of >) en uw e-mailadres in.",
    "approve.failed": "Ondertekenen mislukt: {error}",
    "approve.too_long": "Dit bericht is te lang voor een e-maillink: download het bestand en "
                        "voeg het toe aan uw e-mail.",
    "approve.key_subject": "Mijn sleutel voor het ondertekenen van goedkeuringen",
    "approve.key_body": "Voeg a.u.b. mijn sleutel toe voor het ondertekenen van goedkeuringen "
                        "op onze statuspagina:",
    "approve.mail_body": "Mijn ondertekende beslissing volgt (archiveren met: site-builder "
                         "receive).",
    "approve.subject_approved": "Goedgekeurd: {milestone}",
    "approve.subject_changes": "Wijzigingen aangevraagd: {milestone}",
    "approve.body_approved": "Goedgekeurd.",
    "approve.body_changes": "Wijzigingen aangevraagd.",
}

LABELS: dict[str, dict[str, str]] = {"en": EN, "de": DE, "fr": FR, "es": ES, "nl": NL}


class Translator:
    """Labels, dates and money for one site language."""

    def __init__(self, language: str):
        self.language = language
        self.labels = {**EN, **LABELS.get(language.split("-")[0], {}), **LABELS.get(language, {})}
        try:
            self.locale = Locale.parse(language.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            self.locale = Locale.parse("en")

    def __call__(self, key: str, **values) -> str:
        """The label `key` with `values` filled in. A label with plural forms is written as
        `key.one`, `key.other` (CLDR plural categories, as Babel names them): the form is
        chosen by the `count` value under the site locale's rules, `other` when the language
        has no label for its category ("few", "many"...)."""
        text = self.labels.get(key)
        if text is None and "count" in values:
            form = self.locale.plural_form(values["count"])
            text = self.labels.get(f"{key}.{form}", self.labels.get(f"{key}.other"))
        if text is None:
            text = key
        return text.format(**values) if values else text

    def fields(self, names) -> str:
        """Plan field names as readable labels: "deliverables, acceptance criteria"."""
        return ", ".join(self(f"field.{name}") for name in names)

    def date(self, value: dt.date | None) -> str:
        return format_date(value, format="medium", locale=self.locale) if value else ""

    def month(self, value: dt.date, with_year: bool = False) -> str:
        """A month for an axis: "Nov" or "Nov 2026" ("Nov. 2026", "nov. 2026"...)."""
        return format_skeleton("yMMM" if with_year else "MMM", value, locale=self.locale)

    def money(self, amount: Decimal | None, currency: str, whole: bool = False) -> str:
        """An amount in the locale's format; `whole`: without cents when there are none
        ("€18,000" rather than "€18,000.00", for dense tables)."""
        if amount is None:
            return ""
        if whole and amount == amount.to_integral_value():
            return format_currency(amount, currency, locale=self.locale, currency_digits=False,
                                   format=self.locale.currency_formats["standard"].pattern
                                   .replace(".00", "").replace(",00", ""))
        return format_currency(amount, currency, locale=self.locale)


def missing_labels(language: str) -> list[str]:
    """The keys of `EN` with no translation in `language` (or its base language), one per
    missing label, in `EN` order: `check` warns about them, and the site shows them in
    English. Empty for English."""
    base = language.split("-")[0]
    if base == "en":
        return []
    have = {**LABELS.get(base, {}), **LABELS.get(language, {})}
    return [key for key in EN if key not in have]


def extra_labels(language: str) -> list[str]:
    """Keys a translation has that `EN` does not (a typo, or a label that was removed)."""
    have = {**LABELS.get(language.split("-")[0], {}), **LABELS.get(language, {})}
    return [key for key in have if key not in EN]

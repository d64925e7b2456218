## Commun à toutes les pages
site-name = Fonds pour les victimes de la traite
skip-to-content = Aller au contenu
language-switch = Langue :
login-link = Se connecter
logout = Se déconnecter
footer = Un fonds de contributions volontaires pour les victimes de la traite des personnes. Logiciel libre ; les chiffres publiés protègent les personnes aidées.
form-errors-title = Merci de corriger ce qui suit :
back-home = Retour à l’accueil

## Page d’accueil (/)
landing-title = Aider les victimes de la traite des personnes
landing-what = Ce fonds finance des associations de terrain qui viennent en aide aux victimes de la traite : un hébergement sûr, un accompagnement juridique et médical, un nouveau départ. Il est alimenté par les contributions volontaires d’États, d’entreprises et de particuliers.
landing-who = Les associations répondent aux appels à propositions du fonds. Des experts indépendants et un conseil d’administration choisissent les projets ; le secrétariat verse les subventions par tranches et publie ce qu’elles ont permis.
landing-sign-in = Se connecter à son compte
landing-funds = À quoi sert l’argent
landing-funds-intro = Chaque fonds publie ses chiffres : les donateurs, les subventions par pays et par thème, et le nombre de personnes aidées.
landing-no-funds = Aucun fonds n’est encore publié.
landing-developers = Pour les développeurs
landing-api = Les mêmes informations sont disponibles par une API documentée :

## Connexion (/login)
login-title = Connexion
login-email = Adresse e-mail
login-password = Mot de passe
login-submit = Se connecter
login-forgot = Mot de passe oublié ?
login-signed-out = Votre session est fermée.
login-email-missing = Indiquez votre adresse e-mail.
login-password-missing = Indiquez votre mot de passe.
login-wrong = L’adresse e-mail ou le mot de passe est incorrect.
login-unverified = Confirmez d’abord votre adresse e-mail : ouvrez le lien du message que nous vous avons envoyé lors de votre inscription.
login-throttled = { $minutes ->
    [one] Trop de tentatives échouées. Réessayez dans 1 minute.
   *[other] Trop de tentatives échouées. Réessayez dans { $minutes } minutes.
}

## Accueil personnel (/home)
home-title = Accueil
home-greeting = Bonjour, { $name }
home-role = Votre rôle : { $role }
home-organisation = Organisation : { $organisation }
home-tasks = Votre travail dans le fonds
home-funds = Les pages publiques des fonds
home-your-board = vous siégez à son conseil
home-no-funds = Aucun fonds n’a encore été créé.
home-api = L’API, pour les développeurs et les autres systèmes

role-admin = secrétariat du fonds
role-finance = service financier
role-trustee = membre du conseil d’administration
role-reviewer = évaluation externe
role-ngo = organisation partenaire (ONG)
role-donor = bailleur de fonds

task-apply = Répondre à un appel à propositions ouvert et suivre vos demandes jusqu’à la décision.
task-sign-grant = Vos subventions : signez la convention une fois votre projet approuvé par le conseil, et suivez chaque versement.
task-report = Envoyer vos rapports d’étape et final : les personnes aidées et l’emploi des fonds.
task-calls = Préparer, ouvrir et clôturer les appels à propositions.
task-screen = Examiner la recevabilité des demandes reçues : les retenir pour l’évaluation, ou les renvoyer en précisant quoi modifier.
task-assign = Confier aux évaluateurs les demandes jugées recevables.
task-review = Déclarer tout conflit d’intérêts, puis noter les demandes qui vous sont confiées.
task-ranking = Consulter le classement de chaque appel et voir jusqu’où va l’argent disponible.
task-decide = Enregistrer les décisions du conseil sur les demandes.
task-review-reports = Accepter les rapports des bénéficiaires, ou les renvoyer avec vos questions.
task-contributions = Enregistrer les promesses des donateurs et les contributions reçues.
task-request-payment = Demander le versement d’une tranche de subvention dès que ses conditions sont remplies.
task-approve-payment = Approuver et effectuer les paiements demandés par un autre membre du service financier.
task-statement = Consulter les relevés des donateurs : ce qui a été promis, reçu et dépensé.
task-outcomes = Consulter les résultats : combien de personnes les subventions ont aidées, et comment.
task-invite = Inviter les membres du conseil, les évaluateurs, le service financier, les organisations partenaires et les donateurs.
task-statement-donor = Voir vos dons : ce que vous avez promis et versé, ce que votre argent a financé, et les personnes aidées.
task-outcomes-donor = Voir ce que les subventions ont permis : combien de personnes ont été aidées, et comment.

## Confirmation de l’adresse (/verify-email)
verify-done-title = Votre adresse e-mail est confirmée
verify-done = Merci. Vous pouvez maintenant vous connecter avec l’adresse e-mail et le mot de passe choisis lors de votre inscription.
verify-failed-title = Ce lien n’est plus valable
verify-failed = Le lien a peut-être expiré (il est valable 48 heures) ou a déjà servi. Si vous avez déjà confirmé votre adresse, connectez-vous simplement.

## Nouveau mot de passe (/reset-password, /forgot-password)
reset-title = Choisir un nouveau mot de passe
reset-intro = Choisissez un mot de passe que vous n’utilisez nulle part ailleurs.
reset-password = Nouveau mot de passe
reset-hint = Au moins { $min } caractères. Une petite phrase de quatre ou cinq mots se retient facilement et se devine difficilement.
reset-submit = Enregistrer mon nouveau mot de passe
reset-done-title = Votre nouveau mot de passe est enregistré
reset-done = Vous pouvez maintenant l’utiliser pour vous connecter. Par sécurité, toutes les autres sessions de votre compte ont été fermées.
reset-expired-title = Ce lien n’est plus valable
reset-expired = Un lien pour choisir un nouveau mot de passe ne sert qu’une fois, pendant 60 minutes. Demandez-en un nouveau ci-dessous.
forgot-title = Mot de passe oublié ?
forgot-intro = Indiquez l’adresse e-mail de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe.
forgot-email = Adresse e-mail
forgot-submit = M’envoyer un lien
forgot-sent-title = Consultez votre messagerie
forgot-sent = Si un compte utilise cette adresse, nous venons de lui envoyer un lien, valable 60 minutes. Rien reçu ? Regardez dans vos courriers indésirables.
forgot-email-invalid = Indiquez une adresse e-mail valable, par exemple nom@exemple.org.

## Invitation (/accept-invitation)
invite-title = Rejoindre le fonds
invite-intro = Vous êtes invité·e à travailler avec le fonds. Choisissez le nom que les autres verront, et un mot de passe.
invite-name = Votre nom
invite-password = Mot de passe
invite-submit = Créer mon compte
invite-done-title = Votre compte est prêt
invite-done = Vous pouvez maintenant vous connecter avec votre adresse e-mail et le mot de passe choisi.
invite-expired-title = Cette invitation n’est plus valable
invite-expired = Une invitation ne sert qu’une fois, pendant 7 jours. Demandez à la personne qui vous a invité·e de vous en envoyer une nouvelle.
invite-taken-title = Vous avez déjà un compte
invite-taken = Un compte utilise déjà cette adresse e-mail. Connectez-vous, ou choisissez un nouveau mot de passe si vous l’avez oublié.
invite-name-invalid = Indiquez votre nom, sur une ligne (200 caractères au plus).

password-too-short = Utilisez au moins { $min } caractères.
password-too-long = Utilisez au plus { $max } caractères.
password-too-easy = Ce mot de passe est trop courant ou trop facile à deviner. Une petite phrase fonctionne mieux.
password-refused = Ce mot de passe ne peut pas être utilisé. Choisissez-en un autre.

## Formulaire refusé (403)
refused-title = Ce formulaire a expiré
refused-text = Par sécurité, nous n’avons pas accepté ce formulaire : il ne venait pas d’une page de ce site, ou votre navigateur ne garde pas nos cookies. Rien n’a été modifié.
refused-next = Revenez en arrière, rechargez la page et réessayez.

## Organisations à vérifier (/organisations/to-verify)
queue-title = Organisations à vérifier
queue-intro = Ces organisations se sont inscrites elles-mêmes. Avant d’en vérifier une, assurez-vous qu’elle existe et qu’elle travaille vraiment auprès des victimes de la traite : ses statuts ou son enregistrement, une référence de confiance, son site web. Tant qu’elle n’est pas vérifiée, elle ne peut pas déposer de demande.
queue-done = { $organisation } est maintenant vérifiée. Ses membres peuvent déposer des demandes.
queue-unknown = Impossible de vérifier cette organisation : elle n’existe plus, ou le formulaire n’était plus à jour. Rien n’a été modifié.
queue-kind = Type
queue-country = Pays
queue-identifier = Numéro d’enregistrement
queue-no-identifier = non indiqué
queue-registered = Inscrite le
queue-people = Personnes
queue-confirmed = adresse e-mail confirmée
queue-unconfirmed = adresse e-mail pas encore confirmée
queue-nobody = personne pour l’instant
queue-button = Vérifier { $organisation }
queue-empty = Aucune organisation n’attend de vérification.
task-verify = Vérifier les organisations qui se sont inscrites, pour qu’elles puissent déposer des demandes.
back-to-home = Retour à votre page d’accueil

## Une page hors du rôle du visiteur (403)
not-allowed-title = Cette page ne fait pas partie de votre rôle
not-allowed-text = Votre compte ne peut pas ouvrir cette page. Si vous pensez que c’est une erreur, écrivez au secrétariat du fonds.

org-kind-government = gouvernement
org-kind-multilateral = organisation multilatérale
org-kind-ngo = organisation non gouvernementale (ONG)
org-kind-foundation = fondation
org-kind-company = entreprise
org-kind-individual = particulier
org-kind-asset-recovery = organisme de recouvrement d’avoirs

## Le rapport annuel du fonds (/funds/{code}/annual-report/{year})
annual-title = { $fund } : rapport { $year }
annual-intro = Ce que le fonds a reçu et versé en { $year }, les subventions accordées par son conseil, les personnes que ces subventions ont aidées et, dans les mots des organisations elles-mêmes, à quoi ce travail a ressemblé.
annual-intro-running = L’année { $year } n’est pas terminée : voici les chiffres au { $today }. Le fonds a reçu et versé ces sommes, accordé ces subventions, et ces subventions ont aidé ces personnes.
annual-download-pdf = Télécharger ce rapport en PDF
annual-money = L’argent reçu et versé
annual-received = Contributions reçues
annual-disbursed = Versé aux organisations
annual-awarded = Subventions accordées
annual-donors = Les donateurs
annual-donor = Donateur
annual-donor-gave = Reçu dans l’année
annual-no-money = Aucune contribution n’est arrivée cette année.
annual-grants = { $count ->
    [one] Une subvention accordée
   *[other] { $count } subventions accordées
}
annual-grants-caption = Subventions accordées par le conseil en { $year }
annual-grant = Projet
annual-grantee = Organisation
annual-country = Pays
annual-decided = Accordée le
annual-amount = Montant
annual-withheld-note = Certaines organisations travaillent là où leur personnel risque des représailles. Pour leur sécurité, nous ne publions ni leur nom ni le titre de leur projet.
annual-withheld-title = Subvention { $reference }
annual-withheld-grantee = Nom non publié, pour la sécurité de l’organisation
annual-no-grants = Le conseil n’a accordé aucune subvention en { $year }.
annual-anonymous-donors = { $count ->
    [one] Un donateur qui a demandé à ne pas être nommé
   *[other] { $count } donateurs qui ont demandé à ne pas être nommés
}
annual-people = Les personnes aidées
annual-people-intro = Chaque rapport ne compte que les personnes qu’une organisation a aidées pour la première fois pendant la période qu’il couvre : personne n’est compté deux fois.
annual-people-reached = Personnes aidées pour la première fois
annual-reports-counted = Rapports pris en compte
annual-people-count = Personnes
annual-by-sex = Par sexe
annual-sex = Sexe
annual-by-age = Par tranche d’âge
annual-age = Tranche d’âge
annual-by-form = Par forme d’exploitation
annual-form = Forme d’exploitation
annual-count-withheld = non publié
annual-suppressed-note = Pour protéger les survivantes et survivants, les nombres inférieurs à 5 sont affichés « <5 », et un nombre plus grand n’est pas publié s’il permettait d’en déduire un petit.
annual-stories = Dans les mots des organisations
annual-stories-note = Le secrétariat du fonds relit chaque texte avant sa publication ici et retire tout ce qui pourrait permettre de reconnaître une victime.
annual-no-stories = Aucun texte d’organisation n’a encore été validé pour publication cette année.
annual-kind-interim = rapport intermédiaire
annual-kind-final = rapport final
annual-period = du { $from } au { $to }
annual-footer = Chiffres enregistrés au { $today }. Montants dans la monnaie du fonds, au taux de change du jour où chaque somme a été reçue ou accordée.

sex-female = Femmes et filles
sex-male = Hommes et garçons
sex-other = Autre genre
sex-unknown = Non renseigné
age-child = Enfants (moins de 18 ans)
age-adult = Adultes
age-unknown = Non renseigné
exploitation-sexual = Exploitation sexuelle
exploitation-forced-labour = Travail forcé
exploitation-domestic-servitude = Servitude domestique
exploitation-forced-criminality = Criminalité forcée
exploitation-forced-marriage = Mariage forcé
exploitation-child-soldiers = Enfants utilisés dans les conflits armés
exploitation-organ-removal = Prélèvement d’organes
exploitation-begging = Mendicité forcée
exploitation-other = Autres formes

## a page that does not exist or is not the reader's
not-found-title = Page introuvable
not-found-text = Cette page n’existe pas, ou elle appartient à une autre organisation. Vérifiez le lien, ou revenez à votre page d’accueil.

## a donor's page: /giving
giving-donors-title = Donateurs
giving-donors-intro = Choisissez un donateur pour voir ses promesses de dons, ses versements et ce que son argent a financé, tels que le donateur les voit.
giving-donors-none = Aucune organisation n’a encore promis ni versé d’argent.
giving-title = { $donor } : vos dons
giving-intro = Tout ce que vous avez promis et versé au fonds, ce que vos dons affectés ont financé, et les personnes que les subventions du fonds ont aidées jusqu’ici.
giving-download-all = Télécharger tout votre relevé (CSV, pour un tableur)
giving-download-fund = Télécharger le relevé de ce fonds (CSV)
giving-balance = Votre solde
giving-pledged = Promis
giving-received-against-pledges = Versé au titre de vos promesses
giving-outstanding = Reste à verser sur vos promesses
giving-received = Reçu de vous par le fonds
giving-pledges = Vos promesses de dons
giving-pledged-on = Promis le
giving-amount = Montant
giving-due-on = À verser avant le
giving-paid = Versé
giving-still-due = Reste dû
giving-state = État
giving-no-due-date = pas de date fixée
giving-pledge-open = en attente de versement
giving-pledge-partly-paid = en partie versée
giving-pledge-paid = entièrement versée
giving-pledge-late = en retard : échéance dépassée
giving-pledge-cancelled = annulée
giving-earmarked-for = pour { $earmark }
giving-more-rows = Seules les 200 dernières lignes sont affichées ici. Le relevé téléchargé les contient toutes.
giving-no-pledges = Vous n’avez fait aucune promesse de don à ce fonds.
giving-payments = Vos versements
giving-received-on = Reçu le
giving-reference = Référence
giving-converted = soit { $amount } dans la monnaie du fonds
giving-unpledged = sans promesse de don
giving-no-payments = Aucun versement de votre part n’est encore arrivé.
giving-where = Ce que votre argent a financé
giving-earmarked-money = Vous avez donné { $restricted } le { $received_on } pour { $earmark } (après les frais de gestion du fonds). Cet argent ne peut financer que des subventions pour { $earmark }.
giving-drawn = Payé avec votre argent
giving-earmark-waiting = En attente d’une subvention pour cet usage : { $available }.
giving-pooled = L’argent non affecté est mis en commun avec celui des autres donateurs et finance toutes les subventions que le conseil approuve. Les rapports annuels présentent ces subventions et leurs résultats :
giving-report-of = Rapport { $year }
giving-people = Personnes aidées grâce aux subventions du fonds
giving-nothing-yet = Aucune promesse ni aucun versement de votre part n’a encore été enregistré. Dès que l’équipe financière du fonds en enregistre un, il apparaît ici.
giving-other-donor = Voir un autre donateur

## themes of the taxonomy, as they read after “for” (an earmark: “earmarked for …”)
theme-prevention = la prévention de la traite
theme-protection = la protection des victimes
theme-prosecution = la poursuite des trafiquants
theme-partnership = les partenariats et la coordination
theme-prevention-awareness = la sensibilisation
theme-prevention-education = l’éducation
theme-prevention-livelihoods = les moyens de subsistance
theme-prevention-research = la recherche sur la prévention
theme-prevention-safe-migration = la migration sûre
theme-prevention-supply-chains = des chaînes d’approvisionnement sans exploitation
theme-protection-identification = l’identification des victimes
theme-protection-shelter = l’hébergement
theme-protection-medical = les soins médicaux
theme-protection-psychosocial = le soutien psychosocial
theme-protection-legal-aid = l’aide juridique
theme-protection-repatriation = le retour en sécurité
theme-protection-family-reunification = le regroupement familial
theme-protection-reintegration = la réinsertion
theme-prosecution-training = la formation de la police, des procureurs et des juges
theme-prosecution-legislation = les lois contre la traite
theme-prosecution-investigation = les enquêtes
theme-prosecution-victim-witness = le soutien aux victimes qui témoignent
theme-partnership-coordination = la coordination entre organisations
theme-partnership-data = les données et statistiques
theme-partnership-research = la recherche

## grants: /grants and /grants/{id}
grants-title = Subventions
grants-intro = Chaque subvention avec ce qui a déjà été versé. Ouvrez-en une pour voir ses tranches, ce que chacune attend, et les rapports envoyés.
grants-none = Il n’y a encore aucune subvention à afficher.
grants-back = Toutes les subventions
grant-status = État
grant-paid = Versé
grant-status-awaiting_signature = en attente de signature
grant-status-active = en cours
grant-status-suspended = suspendue
grant-status-closed = clôturée
grant-status-terminated = arrêtée avant son terme
grant-signed-notice = Merci : la convention est signée. Le premier versement peut maintenant être préparé.
grant-sign-stale = Rien n’a été signé : cette subvention a changé depuis que vous avez ouvert la page, ou elle n’attend plus de signature. La voici telle qu’elle est maintenant ; relisez-la avant de signer.
grant-sign-heading = Signer la convention de subvention
grant-sign-text = En signant, { $organisation } accepte une subvention de { $amount } pour le travail décrit dans sa demande, du { $from } au { $to }, et s’engage à en rendre compte comme indiqué ci-dessous.
grant-conditions = Conditions :
grant-sign-button = Je signe la convention
grant-money = Argent
grant-pending = Versement en préparation
grant-remaining = Reste à verser
grant-refunded = Rendu au fonds
grant-period = Période
grant-signed-on = Signée le
grant-instalments = Tranches
grant-due-on = Prévue le
grant-waits-for = Ce qu’elle attend
grant-payments = Versements reçus
grant-paid-on = Versé le
grant-no-payments = Aucun versement n’a encore été fait.
grant-reports = Rapports
grant-report = Rapport
grant-report-period = Période couverte
grant-no-reports = Aucun rapport n’a encore été envoyé.
report-status-submitted = envoyé, en cours de lecture par le secrétariat
report-status-accepted = accepté
report-status-returned = renvoyé pour corrections
instalment-paid = Versée.
instalment-being-paid = Le versement est en préparation.
instalment-not-paid = Non versée : la subvention a pris fin.
instalment-ready = Rien : le fonds peut la verser à partir de la date prévue.
instalment-waits-grant-awaiting_signature = La signature de la convention par le bénéficiaire.
instalment-waits-grant-active = Rien.
instalment-waits-grant-suspended = La reprise de la subvention : aucun versement n’est fait pendant la suspension.
instalment-waits-grant-closed = Plus rien : la subvention est clôturée.
instalment-waits-grant-terminated = Plus rien : la subvention a pris fin.
instalment-waits-signature = La signature de la convention par le bénéficiaire.
instalment-waits-interim-report = { $count ->
    [one] L’acceptation du rapport intermédiaire ({ $accepted } accepté jusqu’ici).
   *[other] L’acceptation de { $count } rapports intermédiaires ({ $accepted } acceptés jusqu’ici).
}
instalment-waits-final-report = { $count ->
    [one] L’acceptation du rapport final ({ $accepted } accepté jusqu’ici).
   *[other] L’acceptation de { $count } rapports finaux ({ $accepted } acceptés jusqu’ici).
}
instalment-waits-spending = Des rapports acceptés montrant qu’au moins { $share } % de l’argent déjà versé a été dépensé : ils en montrent { $spent } sur { $paid }.

## payments: /payments and the request form of a grant's page
payments-title = Versements à approuver et à payer
payments-intro = Chaque versement passe par deux responsables financiers : l’un le demande depuis la page de la subvention, un autre l’approuve. Une fois le virement fait par la banque, enregistrez-le ici avec la référence de la banque ; le bénéficiaire est prévenu par courriel.
payments-none = Aucun versement n’est en attente. Demandez-en un depuis la page d’une subvention quand une tranche peut être versée.
payment-instalment = Tranche
payment-requested = Demandé
payment-requested-by = par { $name } le { $date }
payment-approved = Approuvé par
payment-approve-button = Approuver le versement de { $amount }
payment-waits-other-officer = Vous avez demandé ce versement : un autre responsable financier doit l’approuver.
payment-paid-on = Date du virement par la banque
payment-reference = Référence bancaire du virement
payment-reference-hint = Telle qu’elle figure sur le relevé bancaire, pour que le versement puisse être retrouvé.
payment-pay-button = Enregistrer le versement
payment-requested-notice = Le versement est demandé. Un autre responsable financier l’approuve maintenant ici.
payment-approved-notice = Le versement est approuvé. Enregistrez-le une fois le virement fait par la banque.
payment-paid-notice = Le versement est enregistré et le bénéficiaire a été prévenu par courriel.
payment-approve-own = Vous avez demandé ce versement : vous ne pouvez donc pas l’approuver, un autre responsable financier doit le faire.
payment-stale = Rien n’a été fait : ce versement a changé depuis que vous avez ouvert la page (un autre responsable a peut-être agi). Voici la liste telle qu’elle est maintenant.
payment-amount-invalid = Rien n’a été demandé : saisissez un montant comme 6600.00, supérieur à zéro et pas plus élevé que ce que cette tranche attend encore.
payment-not-releasable = Rien n’a été demandé : cette tranche ne peut pas être versée maintenant. Voyez ci-dessous ce qu’elle attend.
payment-paid-on-invalid = Saisissez la date du virement par la banque. Elle ne peut être ni dans le futur, ni avant l’approbation de la subvention.
payment-reference-invalid = Saisissez la référence bancaire du virement, sur une ligne, en 200 caractères au plus.
payment-request-amount = Montant à demander ({ $currency })
payment-request-button = Demander ce versement

## reviews: /reviews and /reviews/{id}
reviews-title = Vos évaluations
reviews-intro = Les demandes que le secrétariat vous a confiées. Ouvrez-en une pour déclarer d’abord tout conflit d’intérêts ; vous pourrez ensuite la lire et la noter.
reviews-application = Demande
reviews-call = Appel
reviews-assigned-on = Confiée le
reviews-stage = Où en est-elle
reviews-none = Aucune demande n’attend votre évaluation pour le moment.
reviews-back = Retour à vos évaluations
review-stage-declare = Conflit d’intérêts à déclarer
review-stage-score = À noter
review-stage-submitted = Évaluation envoyée
review-stage-recused = Conflit déclaré : vous ne l’évaluez pas
review-applicant-call = Présentée par { $organisation }, appel « { $call } »
review-declare-heading = D’abord : avez-vous un conflit d’intérêts ?
review-declare-intro = Avant de lire cette demande, dites-nous si quelque chose vous lie à { $organisation } ou à son projet : vous y travaillez ou y avez travaillé, vous la conseillez, la financez, ou un proche y est engagé. Vous ne le déclarez qu’une fois. En cas de conflit, vous ne verrez pas la demande et ne la noterez pas : le secrétariat la confiera à quelqu’un d’autre.
review-declare-question = Votre déclaration
review-declare-none = Je n’ai aucun conflit d’intérêts avec cette demande
review-declare-conflict = J’ai un conflit d’intérêts
review-declare-statement = Si vous avez un conflit : lequel ?
review-declare-statement-hint = Une ou deux phrases suffisent. Le secrétariat les lit ; le demandeur, non.
review-declare-button = Envoyer ma déclaration
review-declare-choose = Choisissez : aucun conflit d’intérêts, ou un conflit d’intérêts.
review-statement-invalid = Dites en une ou deux phrases quel est le conflit d’intérêts (10 000 caractères au plus).
review-declared-notice = Merci. Vous pouvez maintenant lire la demande et la noter ci-dessous.
review-recused-heading = Vous avez déclaré un conflit d’intérêts
review-recused-text = Vous n’évaluez donc pas cette demande : vous n’en verrez ni le contenu ni les notes. Merci de l’avoir signalé ; le secrétariat la confiera à un autre évaluateur.
review-recused-statement = Ce que vous avez déclaré
review-declared-on = Déclaré le
review-content-heading = La demande
review-reference = Référence
review-amount = Montant demandé
review-duration = Durée
review-months = { $count ->
    [one] { $count } mois
   *[other] { $count } mois
}
review-countries = Pays
review-themes = Thèmes
review-summary = Résumé
review-budget = Budget
review-budget-description = Pour quoi
review-budget-total = Total
review-beneficiaries = Personnes que le projet prévoit d’aider
review-no-beneficiaries = Le demandeur n’a pas donné de chiffres prévus.
review-documents = Documents joints
review-documents-hint = Le secrétariat peut vous envoyer ces fichiers si vous en avez besoin.
review-no-documents = Aucun document n’est joint.
review-document-size = { $size } Ko
review-score-heading = Vos notes
review-score-intro = Donnez à chaque critère un nombre entier de 0 à son maximum. Enregistrez votre brouillon aussi souvent que vous le souhaitez ; une fois envoyée, l’évaluation ne peut plus changer.
review-criterion-range = De 0 à { $max } · poids { $weight }
review-summary-item = { $label } : { $message }
review-score-invalid = Indiquez un nombre entier de 0 à { $max }.
review-score-missing = Notez ce critère avant d’envoyer.
review-recommendation = Votre recommandation au conseil
review-recommendation-missing = Choisissez une recommandation avant d’envoyer.
recommendation-fund = Financer
recommendation-fund_with_changes = Financer avec des modifications
recommendation-do_not_fund = Ne pas financer
review-comment = Votre commentaire pour le conseil
review-comment-hint = Ce que le conseil doit savoir : points forts, risques, ce que le demandeur devrait modifier.
review-comment-invalid = Votre commentaire doit faire moins de 10 000 caractères.
review-save-button = Enregistrer mon brouillon
review-submit-hint = Envoyer enregistre ce qui figure sur cette page et transmet votre évaluation au conseil. Elle ne pourra plus changer ensuite.
review-submit-button = Envoyer mon évaluation
review-saved-notice = Votre brouillon est enregistré. Revenez-y quand vous voulez avant de l’envoyer.
review-submitted-notice = Votre évaluation est envoyée. Merci pour votre temps.
review-stale = Rien n’a été modifié : cette évaluation a changé depuis que vous avez ouvert la page (dans un autre onglet, ou par un second clic). La voici telle qu’elle est maintenant.
review-your-review = Votre évaluation
review-submitted-on = Envoyée le { $date }.
review-score-of = { $score } sur { $max }

## the board of trustees: /board, /calls/{id}/ranking, /board-sessions/{id}
board-title = Conseil d’administration
board-intro = Pour chaque fonds dont vous êtes membre du conseil : le classement de chaque appel et les séances du conseil, où les décisions sont enregistrées.
board-calls = Les appels et leur classement
board-no-calls = Ce fonds n’a encore aucun appel.
board-sessions = Séances du conseil
board-session-of = Séance du conseil du { $date }
board-decisions-count = { $count ->
    [0] aucune décision pour l’instant
    [one] { $count } décision
   *[other] { $count } décisions
}
board-no-sessions = Aucune séance enregistrée pour l’instant. Le secrétariat enregistre chaque séance avec les membres présents.
board-no-funds = Vous ne siégez au conseil d’aucun fonds.
board-back = Retour au conseil
ranking-title = Classement : { $call }
ranking-intro = Les demandes par ordre de note moyenne des évaluateurs (sur 100). La ligne de financement montre jusqu’où va l’argent que le fonds peut accorder, en partant du haut. Les évaluations qui s’écartent de plus de { $threshold } points sont signalées.
ranking-available = Le fonds peut accorder
ranking-line = Ligne de financement
ranking-within = { $count ->
    [0] aucune demande ne tient dans ce qui est disponible
    [one] { $count } demande y tient, pour { $amount }
   *[other] { $count } demandes y tiennent, pour { $amount }
}
ranking-line-here = L’argent s’arrête ici : les demandes ci-dessous ne tiennent pas dans ce qui est disponible.
ranking-within-line = au-dessus de la ligne de financement
ranking-rank = Rang
ranking-application = Demande
ranking-score = Note
ranking-reviews = { $count ->
    [0] aucune évaluation pour l’instant
    [one] { $count } évaluation
   *[other] { $count } évaluations
}
ranking-advice = Avis des évaluateurs
ranking-advice-count = { $advice } : { $count }
ranking-requested = Demandé
ranking-cumulative = Cumul
ranking-none = Aucune demande de cet appel n’a encore été jugée recevable.
ranking-to-board = Enregistrer les décisions du conseil lors d’une séance
ranking-flag-recused = Vous avez déclaré un conflit d’intérêts : ses notes vous sont cachées.
ranking-flag-divergent = Les évaluateurs ne sont pas d’accord : { $spread } points d’écart.
ranking-flag-unreviewed = Pas encore évaluée.
ranking-flag-no-rate = Pas de taux de change à jour pour { $currency } : impossible de la placer sur la ligne de financement.
ranking-status-under_review = en cours d’évaluation
ranking-status-deferred = reportée (liste de réserve)
ranking-status-approved = approuvée
ranking-status-rejected = non retenue
session-present = Membres présents
session-quorum-label = Quorum
session-quorum = { $count ->
    [one] Une décision demande { $count } membre présent sans conflit d’intérêts sur la demande.
   *[other] Une décision demande { $count } membres présents sans conflit d’intérêts sur la demande.
}
session-decisions = Décisions prises
session-no-decisions = Aucune décision enregistrée pour cette séance.
session-decide-heading = Enregistrer une décision
session-decide-intro = Enregistrez ce que le conseil a décidé. Le quorum, les conflits d’intérêts et l’argent disponible sont vérifiés à l’enregistrement.
session-nothing-open = Aucune demande de ce fonds n’attend de décision.
decision-outcome = Décision
decision-outcome-approved = Approuver
decision-outcome-rejected = Rejeter
decision-outcome-deferred = Reporter (liste de réserve)
decision-was-approved = approuvée
decision-was-rejected = rejetée
decision-was-deferred = reportée (liste de réserve)
decision-amount = Montant approuvé (seulement pour approuver)
decision-amount-hint = Dans la monnaie de la demande, au plus le montant demandé, par exemple 15000.00. Sauf si vous fixez les tranches ci-dessous, le calendrier habituel du fonds s’applique.
decision-plan = Calendrier des versements (facultatif)
decision-plan-hint = Laissez-le vide et le calendrier habituel du fonds s’applique. Sinon, les tranches doivent totaliser le montant approuvé, chacune à une échéance égale ou postérieure à la date de la séance.
decision-plan-row = Tranche
decision-plan-amount = Montant
decision-plan-due = Échéance
decision-plan-release = Versée
decision-plan-spend = Attend aussi { $share } % dépensés
decision-release-on_signature = à la signature de la convention
decision-release-interim = une fois un rapport intermédiaire accepté
decision-release-final = une fois le rapport final accepté
decision-instalment-amount-invalid = Tranche { $count } : indiquez un montant supérieur à zéro, comme 5000.00.
decision-instalment-due-invalid = Tranche { $count } : indiquez une échéance égale ou postérieure à la date de la séance.
decision-instalment-release-invalid = Tranche { $count } : choisissez ce qui la déclenche.
decision-instalments-sum = Les tranches doivent totaliser le montant approuvé.
decision-amount-approved = Montant approuvé
decision-conditions = Conditions pour le bénéficiaire (facultatif)
decision-conditions-hint = Elles sont envoyées au demandeur avec la décision.
decision-conditions-were = Conditions : { $conditions }
decision-rationale = Pourquoi le conseil a décidé ainsi
decision-rationale-hint = Conservé dans les dossiers du fonds ; pas envoyé au demandeur.
decision-button = Enregistrer la décision
decision-recorded-notice = La décision est enregistrée et le demandeur a été prévenu par courriel.
decision-application-invalid = Choisissez une demande de ce fonds.
decision-outcome-invalid = Choisissez la décision du conseil : approuver, rejeter ou reporter.
decision-amount-invalid = Pour approuver, indiquez un montant supérieur à zéro et pas plus élevé que la somme demandée, comme 15000.00. Laissez vide pour rejeter ou reporter.
decision-conditions-invalid = Les conditions doivent faire moins de 10 000 caractères.
decision-rationale-invalid = Dites pourquoi le conseil a décidé ainsi (10 000 caractères au plus).
decision-not-decider = Seul un membre présent à cette séance, sans conflit d’intérêts sur cette demande, peut en enregistrer la décision. Rien n’a été enregistré.
decision-no-quorum = Pas de quorum sur cette demande : trop peu de membres présents sont libres de tout conflit d’intérêts à son sujet. Rien n’a été enregistré.
decision-not-open = Cette demande ne peut pas être décidée à cette séance : elle l’a déjà été, ou la séance n’a pas encore eu lieu. Rien n’a été enregistré.
decision-insufficient-funds = Le fonds ne peut pas couvrir ce montant pour l’instant, avec l’argent qui peut financer ce projet. Rien n’a été enregistré.

## outcome reports: /reports/to-review and /reports/{id}
reports-queue-title = Rapports à lire
reports-queue-intro = Les rapports envoyés par les bénéficiaires, les plus anciens d’abord. Lisez chacun, puis acceptez-le ou renvoyez-le en disant quoi corriger. Accepter un rapport peut débloquer la tranche qui l’attend.
reports-queue-none = Aucun rapport n’attend de lecture.
report-title = { $kind } pour { $reference }
report-kind-interim = Rapport intermédiaire
report-kind-final = Rapport final
report-submitted-on = Envoyé le
report-version = version { $version }
report-people-to-date = Personnes aidées depuis le début de la subvention
report-review-comment = Commentaire du secrétariat
report-beneficiaries = Personnes aidées pour la première fois pendant la période
report-services = Services rendus
report-service = Service
report-indicators = Indicateurs
report-indicator = Indicateur
report-target = Cible
report-actual = Atteint
report-expenditure = Dépenses
report-category = Ligne budgétaire
report-narrative = Dans les mots du bénéficiaire
report-narrative-not-cleared = Ce texte n’a pas encore été validé pour les donateurs : ils ne voient que les chiffres.
report-narrative-withheld = Le secrétariat n’a pas encore validé ce texte pour les donateurs. Les chiffres ci-dessus sont complets.
report-review-heading = Votre lecture
report-accept-button = Accepter ce rapport
report-return-comment = Ou renvoyez-le : que doit corriger le bénéficiaire ?
report-return-hint = Soyez précis : le bénéficiaire envoie une nouvelle version du rapport en ayant votre commentaire sous les yeux.
report-return-button = Renvoyer le rapport
report-comment-required = Dites ce que le bénéficiaire doit corriger avant de renvoyer le rapport.
report-accepted-notice = Le rapport est accepté et le bénéficiaire a été prévenu par courriel.
report-returned-notice = Le rapport est renvoyé et le bénéficiaire sait quoi corriger.
report-cleared-notice = Le texte est validé : les donateurs le lisent désormais à côté des chiffres.
report-stale = Rien n’a été fait : ce rapport a changé depuis que vous avez ouvert la page (quelqu’un l’a peut-être déjà lu). Le voici tel qu’il est maintenant.
report-clear-heading = Valider le texte pour les donateurs
report-clear-text = Relisez d’abord le texte : aucun nom, âge, lieu, numéro de téléphone ni rien qui permette de reconnaître une victime. Une fois validé, les donateurs le lisent dans leurs messages et dans le rapport annuel.
report-clear-button = Je l’ai relu : valider le texte pour les donateurs
report-back-to-grant = Retour à la subvention
service-shelter = Hébergement
service-medical-care = Soins médicaux
service-psycho-social-care = Soutien psychosocial
service-legal-aid = Aide juridique
service-repatriation = Retour en sécurité
service-family-reunification = Regroupement familial
service-reintegration = Réinsertion
service-other = Autres services

## the report form: /grants/{id}/report
report-form-title = Envoyer un rapport
report-form-intro = Dites au fonds ce que la subvention a permis pendant la période. Donnez seulement des nombres de personnes : jamais un nom, un âge, un village ni rien qui permette de reconnaître une victime.
report-form-kind = De quel rapport s’agit-il ?
report-form-from = Premier jour couvert
report-form-to = Dernier jour couvert
report-form-groups-hint = Une ligne par groupe : combien de personnes de ce sexe, de cette tranche d’âge et de cette forme d’exploitation vous avez aidées pour la première fois pendant la période. Laissez le nombre vide sur les lignes inutiles. Une personne comptée dans un rapport précédent n’est pas comptée à nouveau.
report-form-people-hint = Toutes les personnes aidées depuis le début de la subvention, cette période comprise, chacune une seule fois.
report-form-services-hint = Combien de personnes ont reçu chaque service pendant la période. Laissez vide ce que vous n’avez pas fait.
report-form-spending-hint = Ce que vous avez dépensé sur chaque ligne budgétaire de votre demande pendant la période, par exemple 1250.00.
report-form-narrative-hint = Ce que vous avez fait, ce qui a changé, ce qui a été difficile. Le secrétariat le lit avant tout donateur.
report-form-send = Envoyer le rapport
report-form-not-now = Cette subvention ne peut pas recevoir ce rapport maintenant : un rapport du même type attend peut-être déjà d’être lu, ou la subvention n’est pas en cours.
report-form-kind-invalid = Choisissez le type de rapport.
report-form-period-invalid = Indiquez le premier et le dernier jour couverts : de vraies dates, la seconde après la première et pas dans le futur.
report-form-people-invalid = Indiquez en nombre entier toutes les personnes aidées depuis le début, au moins autant que toutes celles que comptent vos rapports.
report-form-groups-invalid = Vérifiez les groupes : chaque nombre est un entier, chaque ligne un groupe différent, et personne de déjà compté dans un rapport précédent n’est recompté.
report-form-services-invalid = Le nombre de chaque service est un nombre entier.
report-form-spending-invalid = Chaque montant est un nombre comme 1250.00, dans la monnaie de la subvention.
report-form-narrative-invalid = Décrivez ce que la subvention a permis, sans rien qui permette de reconnaître une personne
grant-send-report = Envoyer un rapport
grant-reported-notice = Merci : votre rapport est envoyé. Le secrétariat le lit et vous dira par courriel s’il est accepté, ou quoi corriger.

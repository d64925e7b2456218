## Común a todas las páginas
site-name = Fondo para las Víctimas de la Trata
skip-to-content = Ir al contenido
language-switch = Idioma:
login-link = Iniciar sesión
logout = Cerrar sesión
footer = Un fondo de contribuciones voluntarias para las víctimas de la trata de personas. Software libre; las cifras que publica protegen a las personas atendidas.
form-errors-title = Por favor, corrija lo siguiente:
back-home = Volver al inicio

## Página de inicio (/)
landing-title = Apoyo a sobrevivientes de la trata de personas
landing-what = Este fondo financia a organizaciones de base que acompañan a víctimas de la trata: un lugar seguro donde quedarse, asistencia jurídica y médica, y un nuevo comienzo. Se sostiene con contribuciones voluntarias de gobiernos, empresas y particulares.
landing-who = Las organizaciones se presentan a las convocatorias del fondo. Evaluadores independientes y una junta de síndicos deciden qué proyectos financiar; la secretaría paga las subvenciones por cuotas y publica lo que se logró con ellas.
landing-sign-in = Iniciar sesión en su cuenta
landing-funds = Adónde va el dinero
landing-funds-intro = Cada fondo publica sus cifras: donantes, subvenciones por país y por tema, y el número de personas atendidas.
landing-no-funds = Todavía no se ha publicado ningún fondo.
landing-developers = Para desarrolladores
landing-api = La misma información está disponible en una API documentada:

## Inicio de sesión (/login)
login-title = Iniciar sesión
login-email = Correo electrónico
login-password = Contraseña
login-submit = Iniciar sesión
login-forgot = ¿Olvidó su contraseña?
login-signed-out = Su sesión se ha cerrado.
login-email-missing = Ingrese su correo electrónico.
login-password-missing = Ingrese su contraseña.
login-wrong = El correo electrónico o la contraseña no son correctos.
login-unverified = Primero confirme su correo electrónico: abra el enlace del mensaje que le enviamos al registrarse.
login-throttled = { $minutes ->
    [one] Demasiados intentos fallidos. Vuelva a intentarlo dentro de 1 minuto.
   *[other] Demasiados intentos fallidos. Vuelva a intentarlo dentro de { $minutes } minutos.
}

## Inicio personal (/home)
home-title = Inicio
home-greeting = Hola, { $name }
home-role = Su función: { $role }
home-organisation = Organización: { $organisation }
home-tasks = Su trabajo en el fondo
home-funds = Las páginas públicas de los fondos
home-your-board = usted forma parte de su junta
home-no-funds = Todavía no se ha creado ningún fondo.
home-api = La API, para desarrolladores y otros sistemas

role-admin = secretaría del fondo
role-finance = área de finanzas
role-trustee = miembro de la junta de síndicos
role-reviewer = evaluación externa
role-ngo = organización socia (ONG)
role-donor = donante

task-apply = Presentarse a una convocatoria abierta y seguir sus solicitudes hasta la decisión.
task-sign-grant = Sus subvenciones: firme el convenio cuando la junta apruebe su proyecto y siga cada pago.
task-report = Enviar sus informes de avance y final: las personas atendidas y el uso del dinero.
task-calls = Preparar, abrir y cerrar las convocatorias.
task-screen = Revisar la admisibilidad de las solicitudes recibidas: admitirlas para la evaluación o devolverlas indicando qué cambiar.
task-assign = Asignar evaluadores a las solicitudes admitidas.
task-review = Declarar cualquier conflicto de intereses y luego calificar las solicitudes que se le asignaron.
task-ranking = Consultar la clasificación de cada convocatoria y ver hasta dónde alcanza el dinero disponible.
task-decide = Registrar las decisiones de la junta sobre las solicitudes.
task-review-reports = Aceptar los informes de las organizaciones beneficiarias o devolverlos con sus preguntas.
task-contributions = Registrar las promesas de los donantes y las contribuciones recibidas.
task-request-payment = Solicitar el pago de una cuota de la subvención cuando se cumplan sus condiciones.
task-approve-payment = Aprobar y efectuar los pagos que solicitó otra persona del área de finanzas.
task-statement = Consultar los estados de cuenta de los donantes: lo prometido, lo recibido y lo gastado.
task-outcomes = Consultar los resultados: a cuántas personas ayudaron las subvenciones y cómo.
task-invite = Invitar a miembros de la junta, evaluadores, personal de finanzas, organizaciones socias y donantes.
task-statement-donor = Ver sus aportes: lo que prometió y pagó, lo que se financió con su dinero y las personas a las que se llegó.
task-outcomes-donor = Ver lo que lograron las subvenciones: a cuántas personas se ayudó y cómo.

## Confirmación del correo (/verify-email)
verify-done-title = Su correo electrónico está confirmado
verify-done = Gracias. Ya puede iniciar sesión con el correo electrónico y la contraseña que eligió al registrarse.
verify-failed-title = Este enlace ya no es válido
verify-failed = Es posible que el enlace haya vencido (es válido durante 48 horas) o que ya se haya usado. Si ya confirmó su correo, simplemente inicie sesión.

## Nueva contraseña (/reset-password, /forgot-password)
reset-title = Elegir una nueva contraseña
reset-intro = Elija una contraseña que no use en ningún otro sitio.
reset-password = Nueva contraseña
reset-hint = Al menos { $min } caracteres. Una frase corta de cuatro o cinco palabras es fácil de recordar y difícil de adivinar.
reset-submit = Guardar mi nueva contraseña
reset-done-title = Su nueva contraseña está guardada
reset-done = Ya puede usarla para iniciar sesión. Por su seguridad, se cerraron todas las demás sesiones de su cuenta.
reset-expired-title = Este enlace ya no es válido
reset-expired = El enlace para elegir una nueva contraseña sirve una sola vez y durante 60 minutos. Solicite uno nuevo a continuación.
forgot-title = ¿Olvidó su contraseña?
forgot-intro = Ingrese el correo electrónico de su cuenta y le enviaremos un enlace para elegir una nueva contraseña.
forgot-email = Correo electrónico
forgot-submit = Enviarme un enlace
forgot-sent-title = Revise su correo
forgot-sent = Si hay una cuenta con este correo, acabamos de enviarle un enlace, válido durante 60 minutos. ¿No llegó nada? Revise la carpeta de correo no deseado.
forgot-email-invalid = Ingrese un correo electrónico válido, por ejemplo nombre@ejemplo.org.

## Invitación (/accept-invitation)
invite-title = Unirse al fondo
invite-intro = Le han invitado a trabajar con el fondo. Elija el nombre que verán los demás y una contraseña.
invite-name = Su nombre
invite-password = Contraseña
invite-submit = Crear mi cuenta
invite-done-title = Su cuenta está lista
invite-done = Ya puede iniciar sesión con su correo electrónico y la contraseña que eligió.
invite-expired-title = Esta invitación ya no es válida
invite-expired = Una invitación sirve una sola vez y durante 7 días. Pida a quien le invitó que le envíe una nueva.
invite-taken-title = Ya tiene una cuenta
invite-taken = Ya existe una cuenta con este correo electrónico. Inicie sesión o elija una nueva contraseña si la olvidó.
invite-name-invalid = Ingrese su nombre en una sola línea (200 caracteres como máximo).

password-too-short = Use al menos { $min } caracteres.
password-too-long = Use como máximo { $max } caracteres.
password-too-easy = Esta contraseña es demasiado común o fácil de adivinar. Una frase corta funciona mejor.
password-refused = Esta contraseña no se puede usar. Por favor, elija otra.

## Formulario rechazado (403)
refused-title = Este formulario ha caducado
refused-text = Por su seguridad, no aceptamos este formulario: no provenía de una página de este sitio, o su navegador no guarda nuestras cookies. No se modificó nada.
refused-next = Vuelva atrás, recargue la página e inténtelo de nuevo.

## Organizaciones por verificar (/organisations/to-verify)
queue-title = Organizaciones por verificar
queue-intro = Estas organizaciones se registraron por su cuenta. Antes de verificar una, compruebe que existe y que de verdad trabaja con sobrevivientes de la trata: su registro legal, una referencia de confianza, su sitio web. Mientras no esté verificada, no puede presentar solicitudes.
queue-done = { $organisation } ya está verificada. Sus miembros pueden presentar solicitudes.
queue-unknown = No se pudo verificar esta organización: ya no existe o el formulario estaba desactualizado. No se cambió nada.
queue-kind = Tipo
queue-country = País
queue-identifier = Número de registro
queue-no-identifier = no indicado
queue-registered = Registrada el
queue-people = Personas
queue-confirmed = correo electrónico confirmado
queue-unconfirmed = correo electrónico aún sin confirmar
queue-nobody = nadie todavía
queue-button = Verificar { $organisation }
queue-empty = Ninguna organización está esperando verificación.
task-verify = Verificar las organizaciones que se registraron, para que puedan presentar solicitudes.
back-to-home = Volver a su página de inicio

## Una página fuera del rol del visitante (403)
not-allowed-title = Esta página no forma parte de su trabajo
not-allowed-text = Su cuenta no puede abrir esta página. Si cree que debería, escriba a la secretaría del fondo.

org-kind-government = gobierno
org-kind-multilateral = organización multilateral
org-kind-ngo = organización no gubernamental (ONG)
org-kind-foundation = fundación
org-kind-company = empresa
org-kind-individual = particular
org-kind-asset-recovery = organismo de recuperación de activos

## El informe anual del fondo (/funds/{code}/annual-report/{year})
annual-title = { $fund }: informe de { $year }
annual-intro = Lo que el fondo recibió y pagó en { $year }, las subvenciones que aprobó su junta, las personas a las que llegaron y, con las palabras de las propias organizaciones, cómo fue ese trabajo.
annual-intro-running = { $year } aún no ha terminado: estas son las cifras al { $today }. El fondo recibió y pagó este dinero, aprobó estas subvenciones, y las subvenciones llegaron a estas personas.
annual-download-pdf = Descargar este informe en PDF
annual-money = El dinero que entró y salió
annual-received = Contribuciones recibidas
annual-disbursed = Pagado a las organizaciones
annual-awarded = Subvenciones aprobadas
annual-donors = Quién aportó
annual-donor = Donante
annual-donor-gave = Recibido en el año
annual-no-money = Este año no llegó ninguna contribución.
annual-grants = { $count ->
    [one] Una subvención aprobada
   *[other] { $count } subvenciones aprobadas
}
annual-grants-caption = Subvenciones aprobadas por la junta en { $year }
annual-grant = Proyecto
annual-grantee = Organización
annual-country = País
annual-decided = Aprobada el
annual-amount = Importe
annual-withheld-note = Algunas organizaciones trabajan donde su personal podría sufrir represalias. Por su seguridad, no publicamos su nombre ni el título de su proyecto.
annual-withheld-title = Subvención { $reference }
annual-withheld-grantee = Nombre no publicado, por la seguridad de la organización
annual-no-grants = La junta no aprobó ninguna subvención en { $year }.
annual-anonymous-donors = { $count ->
    [one] Un donante que pidió no ser nombrado
   *[other] { $count } donantes que pidieron no ser nombrados
}
annual-people = Personas atendidas
annual-people-intro = Cada informe cuenta solo a las personas que una organización atendió por primera vez en el periodo que cubre, así que nadie se cuenta dos veces.
annual-people-reached = Personas atendidas por primera vez
annual-reports-counted = Informes contados
annual-people-count = Personas
annual-by-sex = Por sexo
annual-sex = Sexo
annual-by-age = Por grupo de edad
annual-age = Grupo de edad
annual-by-form = Por forma de explotación
annual-form = Forma de explotación
annual-count-withheld = no se muestra
annual-suppressed-note = Para proteger a las personas sobrevivientes, las cifras menores de 5 aparecen como «<5», y una cifra mayor no se muestra si permitiera deducir una pequeña.
annual-stories = Con las palabras de las organizaciones
annual-stories-note = La secretaría del fondo lee cada texto antes de publicarlo aquí y quita todo lo que pudiera identificar a una víctima.
annual-no-stories = Todavía no se ha aprobado ningún texto de las organizaciones para publicarlo este año.
annual-kind-interim = informe intermedio
annual-kind-final = informe final
annual-period = del { $from } al { $to }
annual-footer = Cifras registradas al { $today }. Importes en la moneda del fondo, al tipo de cambio del día en que cada suma se recibió o se aprobó.

sex-female = Mujeres y niñas
sex-male = Hombres y niños
sex-other = Otro género
sex-unknown = Sin dato
age-child = Niñas y niños (menores de 18)
age-adult = Personas adultas
age-unknown = Sin dato
exploitation-sexual = Explotación sexual
exploitation-forced-labour = Trabajo forzoso
exploitation-domestic-servitude = Servidumbre doméstica
exploitation-forced-criminality = Delincuencia forzada
exploitation-forced-marriage = Matrimonio forzado
exploitation-child-soldiers = Uso de menores en conflictos armados
exploitation-organ-removal = Extracción de órganos
exploitation-begging = Mendicidad forzada
exploitation-other = Otras formas

## a page that does not exist or is not the reader's
not-found-title = No encontramos esta página
not-found-text = No existe, o pertenece a otra organización. Revise el enlace o vuelva a su página de inicio.

## a donor's page: /giving
giving-donors-title = Donantes
giving-donors-intro = Elija un donante para ver sus promesas, sus pagos y lo que se financió con su dinero, tal como los ve el donante.
giving-donors-none = Ninguna organización ha prometido ni aportado dinero todavía.
giving-title = { $donor }: sus aportes
giving-intro = Todo lo que usted prometió y pagó al fondo, lo que se financió con su dinero destinado, y las personas a las que las subvenciones del fondo han llegado hasta ahora.
giving-download-all = Descargar su estado de cuenta completo (CSV, para una hoja de cálculo)
giving-download-fund = Descargar el estado de cuenta de este fondo (CSV)
giving-balance = Su saldo
giving-pledged = Prometido
giving-received-against-pledges = Pagado por sus promesas
giving-outstanding = Pendiente de pago en sus promesas
giving-received = Recibido de usted por el fondo
giving-pledges = Sus promesas de contribución
giving-pledged-on = Prometido el
giving-amount = Importe
giving-due-on = Vence el
giving-paid = Pagado
giving-still-due = Pendiente
giving-state = Estado
giving-no-due-date = sin fecha fijada
giving-pledge-open = en espera de pago
giving-pledge-partly-paid = pagada en parte
giving-pledge-paid = pagada por completo
giving-pledge-late = atrasada: venció el plazo
giving-pledge-cancelled = anulada
giving-earmarked-for = destinado a { $earmark }
giving-more-rows = Aquí solo aparecen las 200 más recientes. El estado de cuenta descargado las incluye todas.
giving-no-pledges = No tiene ninguna promesa con este fondo.
giving-payments = Sus pagos
giving-received-on = Recibido el
giving-reference = Referencia
giving-converted = { $amount } en la moneda del fondo
giving-unpledged = sin promesa asociada
giving-no-payments = Todavía no ha llegado ningún pago suyo.
giving-where = Qué se financió con su dinero
giving-earmarked-money = Usted aportó { $restricted } el { $received_on } para { $earmark } (después de los gastos de gestión del fondo). Ese dinero solo puede financiar subvenciones para { $earmark }.
giving-drawn = Pagado con su dinero
giving-earmark-waiting = Aún a la espera de una subvención para este fin: { $available }.
giving-pooled = El dinero no destinado se suma al de los demás donantes y financia todas las subvenciones que aprueba la junta. Los informes anuales presentan esas subvenciones y sus resultados:
giving-report-of = Informe { $year }
giving-people = Personas a las que llegaron las subvenciones del fondo
giving-nothing-yet = Todavía no se ha registrado ninguna promesa ni ningún pago suyo. Cuando el equipo financiero del fondo registre uno, aparecerá aquí.
giving-other-donor = Ver otro donante

## themes of the taxonomy, as they read after “for” (an earmark: “earmarked for …”)
theme-prevention = prevención de la trata
theme-protection = protección de las víctimas
theme-prosecution = enjuiciamiento de los tratantes
theme-partnership = alianzas y coordinación
theme-prevention-awareness = sensibilización
theme-prevention-education = educación
theme-prevention-livelihoods = medios de vida
theme-prevention-research = investigación sobre prevención
theme-prevention-safe-migration = migración segura
theme-prevention-supply-chains = cadenas de suministro sin explotación
theme-protection-identification = identificación de víctimas
theme-protection-shelter = alojamiento
theme-protection-medical = atención médica
theme-protection-psychosocial = apoyo psicosocial
theme-protection-legal-aid = asistencia jurídica
theme-protection-repatriation = retorno seguro
theme-protection-family-reunification = reunificación familiar
theme-protection-reintegration = reintegración
theme-prosecution-training = formación de policías, fiscales y jueces
theme-prosecution-legislation = leyes contra la trata
theme-prosecution-investigation = investigaciones
theme-prosecution-victim-witness = apoyo a las víctimas que testifican
theme-partnership-coordination = coordinación entre organizaciones
theme-partnership-data = datos y estadísticas
theme-partnership-research = investigación

## grants: /grants and /grants/{id}
grants-title = Subvenciones
grants-intro = Cada subvención con lo que se ha pagado hasta ahora. Abra una para ver sus cuotas, qué espera cada una y los informes enviados.
grants-none = Todavía no hay ninguna subvención que mostrar.
grants-back = Todas las subvenciones
grant-status = Estado
grant-paid = Pagado
grant-status-awaiting_signature = pendiente de firma
grant-status-active = en curso
grant-status-suspended = suspendida
grant-status-closed = cerrada
grant-status-terminated = terminada antes de tiempo
grant-signed-notice = Gracias: el convenio está firmado. Ya se puede preparar el primer pago.
grant-sign-stale = No se firmó nada: esta subvención cambió desde que abrió la página, o ya no espera una firma. Aquí la tiene tal como está ahora; léala de nuevo antes de firmar.
grant-sign-heading = Firmar el convenio de subvención
grant-sign-text = Al firmar, { $organisation } acepta una subvención de { $amount } para el trabajo descrito en su solicitud, del { $from } al { $to }, y se compromete a informar sobre él como se indica abajo.
grant-conditions = Condiciones:
grant-sign-button = Firmo el convenio
grant-money = Dinero
grant-pending = Pago en preparación
grant-remaining = Pendiente de pago
grant-refunded = Devuelto al fondo
grant-period = Período
grant-signed-on = Firmado el
grant-instalments = Cuotas
grant-due-on = Prevista para
grant-waits-for = Qué espera
grant-payments = Pagos recibidos
grant-paid-on = Pagado el
grant-no-payments = Todavía no se ha hecho ningún pago.
grant-reports = Informes
grant-report = Informe
grant-report-period = Período cubierto
grant-no-reports = Todavía no se ha enviado ningún informe.
report-status-submitted = enviado, en revisión por la secretaría
report-status-accepted = aceptado
report-status-returned = devuelto para corregir
instalment-paid = Pagada.
instalment-being-paid = El pago se está preparando.
instalment-not-paid = No pagada: la subvención terminó.
instalment-ready = Nada: el fondo puede pagarla a partir de la fecha prevista.
instalment-waits-grant-awaiting_signature = La firma del convenio por la organización beneficiaria.
instalment-waits-grant-active = Nada.
instalment-waits-grant-suspended = Que se reanude la subvención: no se hace ningún pago mientras está suspendida.
instalment-waits-grant-closed = Nada más: la subvención está cerrada.
instalment-waits-grant-terminated = Nada más: la subvención terminó.
instalment-waits-signature = La firma del convenio por la organización beneficiaria.
instalment-waits-interim-report = { $count ->
    [one] Que se acepte el informe intermedio ({ $accepted } aceptado hasta ahora).
   *[other] Que se acepten { $count } informes intermedios ({ $accepted } aceptados hasta ahora).
}
instalment-waits-final-report = { $count ->
    [one] Que se acepte el informe final ({ $accepted } aceptado hasta ahora).
   *[other] Que se acepten { $count } informes finales ({ $accepted } aceptados hasta ahora).
}
instalment-waits-spending = Informes aceptados que muestren gastado al menos el { $share } % del dinero pagado hasta ahora: muestran { $spent } de { $paid }.

## payments: /payments and the request form of a grant's page
payments-title = Pagos por aprobar y por pagar
payments-intro = Cada pago necesita a dos responsables de finanzas: uno lo solicita desde la página de la subvención y otro lo aprueba. Cuando el banco haya hecho la transferencia, regístrela aquí con la referencia del banco; la organización beneficiaria recibe un aviso por correo.
payments-none = No hay ningún pago pendiente. Solicite uno desde la página de una subvención cuando una cuota se pueda pagar.
payment-instalment = Cuota
payment-requested = Solicitado
payment-requested-by = por { $name } el { $date }
payment-approved = Aprobado por
payment-approve-button = Aprobar el pago de { $amount }
payment-waits-other-officer = Usted solicitó este pago: otro responsable de finanzas debe aprobarlo.
payment-paid-on = Fecha de la transferencia bancaria
payment-reference = Referencia bancaria de la transferencia
payment-reference-hint = Tal como aparece en el extracto bancario, para poder rastrear el pago.
payment-pay-button = Registrar el pago
payment-requested-notice = El pago está solicitado. Ahora otro responsable de finanzas lo aprueba aquí.
payment-approved-notice = El pago está aprobado. Regístrelo cuando el banco haya hecho la transferencia.
payment-paid-notice = El pago está registrado y la organización beneficiaria recibió un aviso por correo.
payment-approve-own = Usted solicitó este pago, así que no puede aprobarlo: debe hacerlo otro responsable de finanzas.
payment-stale = No se hizo nada: este pago cambió desde que abrió la página (quizá otro responsable actuó). Esta es la lista tal como está ahora.
payment-amount-invalid = No se solicitó nada: escriba un importe como 6600.00, mayor que cero y no mayor que lo que esta cuota aún espera.
payment-not-releasable = No se solicitó nada: esta cuota no se puede pagar ahora. Vea abajo qué espera.
payment-paid-on-invalid = Escriba la fecha en que el banco hizo la transferencia. No puede ser futura ni anterior a la aprobación de la subvención.
payment-reference-invalid = Escriba la referencia bancaria de la transferencia, en una línea y con 200 caracteres como máximo.
payment-request-amount = Importe a solicitar ({ $currency })
payment-request-button = Solicitar este pago

## reviews: /reviews and /reviews/{id}
reviews-title = Sus evaluaciones
reviews-intro = Las solicitudes que la secretaría le ha encargado evaluar. Abra una para declarar primero cualquier conflicto de intereses; después podrá leerla y puntuarla.
reviews-application = Solicitud
reviews-call = Convocatoria
reviews-assigned-on = Encargada el
reviews-stage = En qué punto está
reviews-none = Por ahora no hay ninguna solicitud esperando su evaluación.
reviews-back = Volver a sus evaluaciones
review-stage-declare = Declarar conflicto de intereses
review-stage-score = Por puntuar
review-stage-submitted = Evaluación enviada
review-stage-recused = Conflicto declarado: no le corresponde evaluarla
review-applicant-call = Presentada por { $organisation }, convocatoria «{ $call }»
review-declare-heading = Primero: ¿tiene algún conflicto de intereses?
review-declare-intro = Antes de leer esta solicitud, díganos si algo le vincula con { $organisation } o con su proyecto: trabaja o trabajó allí, la asesora, la financia o alguien cercano a usted lo hace. Se declara una sola vez. Si hay conflicto, no verá ni puntuará la solicitud y la secretaría se la encargará a otra persona.
review-declare-question = Su declaración
review-declare-none = No tengo ningún conflicto de intereses con esta solicitud
review-declare-conflict = Tengo un conflicto de intereses
review-declare-statement = Si tiene un conflicto: ¿cuál es?
review-declare-statement-hint = Basta con una o dos frases. La secretaría lo lee; la organización solicitante, no.
review-declare-button = Enviar mi declaración
review-declare-choose = Elija una opción: sin conflicto de intereses, o con conflicto de intereses.
review-statement-invalid = Explique en una o dos frases cuál es el conflicto de intereses (10.000 caracteres como máximo).
review-declared-notice = Gracias. Ya puede leer la solicitud y puntuarla más abajo.
review-recused-heading = Ha declarado un conflicto de intereses
review-recused-text = Por eso no evalúa esta solicitud: no verá su contenido ni sus puntuaciones. Gracias por indicarlo; la secretaría se la encargará a otra persona.
review-recused-statement = Lo que declaró
review-declared-on = Declarado el
review-content-heading = La solicitud
review-reference = Referencia
review-amount = Importe solicitado
review-duration = Duración
review-months = { $count ->
    [one] { $count } mes
   *[other] { $count } meses
}
review-countries = Países
review-themes = Temas
review-summary = Resumen
review-budget = Presupuesto
review-budget-description = Para qué
review-budget-total = Total
review-beneficiaries = Personas a las que el proyecto prevé ayudar
review-no-beneficiaries = La organización no dio cifras previstas.
review-documents = Documentos adjuntos
review-documents-hint = La secretaría puede enviarle estos archivos si los necesita.
review-no-documents = No hay documentos adjuntos.
review-document-size = { $size } KB
review-score-heading = Sus puntuaciones
review-score-intro = Dé a cada criterio un número entero de 0 a su máximo. Guarde su borrador tantas veces como quiera; una vez enviada, la evaluación ya no puede cambiar.
review-criterion-range = De 0 a { $max } · peso { $weight }
review-summary-item = { $label }: { $message }
review-score-invalid = Escriba un número entero de 0 a { $max }.
review-score-missing = Puntúe este criterio antes de enviar.
review-recommendation = Su recomendación a la junta
review-recommendation-missing = Elija una recomendación antes de enviar.
recommendation-fund = Financiar
recommendation-fund_with_changes = Financiar con cambios
recommendation-do_not_fund = No financiar
review-comment = Su comentario para la junta
review-comment-hint = Lo que la junta debe saber: puntos fuertes, riesgos, lo que la organización debería cambiar.
review-comment-invalid = Su comentario debe tener menos de 10.000 caracteres.
review-save-button = Guardar mi borrador
review-submit-hint = Al enviar se guarda lo que hay en esta página y su evaluación llega a la junta. Después ya no podrá cambiarse.
review-submit-button = Enviar mi evaluación
review-saved-notice = Su borrador está guardado. Vuelva cuando quiera antes de enviarlo.
review-submitted-notice = Su evaluación está enviada. Gracias por su tiempo.
review-stale = No se ha cambiado nada: esta evaluación cambió desde que abrió la página (en otra pestaña o con un segundo clic). Aquí la tiene tal como está ahora.
review-your-review = Su evaluación
review-submitted-on = Enviada el { $date }.
review-score-of = { $score } de { $max }

## the board of trustees: /board, /calls/{id}/ranking, /board-sessions/{id}
board-title = Junta de administración
board-intro = Para cada fondo de cuya junta forma parte: la clasificación de cada convocatoria y las sesiones de la junta, donde se registran las decisiones.
board-calls = Convocatorias y su clasificación
board-no-calls = Este fondo aún no tiene convocatorias.
board-sessions = Sesiones de la junta
board-session-of = Sesión de la junta del { $date }
board-decisions-count = { $count ->
    [0] aún sin decisiones
    [one] { $count } decisión
   *[other] { $count } decisiones
}
board-no-sessions = Aún no hay sesiones registradas. La secretaría registra cada sesión con los miembros presentes.
board-no-funds = No forma parte de la junta de ningún fondo.
board-back = Volver a la junta
ranking-title = Clasificación: { $call }
ranking-intro = Las solicitudes por orden de la puntuación media de los evaluadores (sobre 100). La línea de financiación muestra hasta dónde llega el dinero que el fondo puede conceder, de arriba abajo. Se señalan las evaluaciones que difieren en más de { $threshold } puntos.
ranking-available = El fondo puede conceder
ranking-line = Línea de financiación
ranking-within = { $count ->
    [0] ninguna solicitud cabe en lo disponible
    [one] cabe { $count } solicitud, por { $amount }
   *[other] caben { $count } solicitudes, por { $amount }
}
ranking-line-here = Aquí se acaba el dinero: las solicitudes de abajo no caben en lo disponible.
ranking-within-line = dentro de la línea de financiación
ranking-rank = Puesto
ranking-application = Solicitud
ranking-score = Puntuación
ranking-reviews = { $count ->
    [0] aún sin evaluaciones
    [one] { $count } evaluación
   *[other] { $count } evaluaciones
}
ranking-advice = Opinión de los evaluadores
ranking-advice-count = { $advice }: { $count }
ranking-requested = Solicitado
ranking-cumulative = Acumulado
ranking-none = Todavía no se ha admitido ninguna solicitud de esta convocatoria.
ranking-to-board = Registrar las decisiones de la junta en una sesión
ranking-flag-recused = Declaró un conflicto de intereses: no ve sus puntuaciones.
ranking-flag-divergent = Los evaluadores no coinciden: { $spread } puntos de diferencia.
ranking-flag-unreviewed = Aún sin evaluar.
ranking-flag-no-rate = No hay tipo de cambio vigente para { $currency }: no puede situarse en la línea de financiación.
ranking-status-under_review = en evaluación
ranking-status-deferred = aplazada (lista de reserva)
ranking-status-approved = aprobada
ranking-status-rejected = no financiada
session-present = Miembros presentes
session-quorum-label = Quórum
session-quorum = { $count ->
    [one] Una decisión requiere { $count } miembro presente sin conflicto de intereses sobre la solicitud.
   *[other] Una decisión requiere { $count } miembros presentes sin conflicto de intereses sobre la solicitud.
}
session-decisions = Decisiones tomadas
session-no-decisions = Aún no se ha registrado ninguna decisión en esta sesión.
session-decide-heading = Registrar una decisión
session-decide-intro = Registre lo que decidió la junta. El quórum, los conflictos de intereses y el dinero disponible se comprueban al registrarla.
session-nothing-open = Ninguna solicitud de este fondo espera una decisión.
decision-outcome = Decisión
decision-outcome-approved = Aprobar
decision-outcome-rejected = Rechazar
decision-outcome-deferred = Aplazar (lista de reserva)
decision-was-approved = aprobada
decision-was-rejected = rechazada
decision-was-deferred = aplazada (lista de reserva)
decision-amount = Importe aprobado (solo para aprobar)
decision-amount-hint = En la moneda de la solicitud, como máximo el importe solicitado, por ejemplo 15000.00. Salvo que fije los pagos más abajo, se aplica el calendario habitual del fondo.
decision-plan = Calendario de pagos (opcional)
decision-plan-hint = Déjelo vacío y se aplica el calendario habitual del fondo. Si no, los pagos deben sumar el importe aprobado y vencer en la fecha de la sesión o después.
decision-plan-row = Pago
decision-plan-amount = Importe
decision-plan-due = Vence el
decision-plan-release = Se paga
decision-plan-spend = Espera también a un { $share } % gastado
decision-release-on_signature = al firmarse el convenio
decision-release-interim = al aceptarse un informe intermedio
decision-release-final = al aceptarse el informe final
decision-instalment-amount-invalid = Pago { $count }: indique un importe mayor que cero, como 5000.00.
decision-instalment-due-invalid = Pago { $count }: indique una fecha de vencimiento igual o posterior a la de la sesión.
decision-instalment-release-invalid = Pago { $count }: elija qué lo libera.
decision-instalments-sum = Los pagos deben sumar el importe aprobado.
decision-amount-approved = Importe aprobado
decision-conditions = Condiciones para la organización (opcional)
decision-conditions-hint = Se envían a la organización solicitante junto con la decisión.
decision-conditions-were = Condiciones: { $conditions }
decision-rationale = Por qué decidió así la junta
decision-rationale-hint = Se guarda en los archivos del fondo; no se envía a la organización.
decision-button = Registrar la decisión
decision-recorded-notice = La decisión está registrada y la organización solicitante ha sido avisada por correo electrónico.
decision-application-invalid = Elija una solicitud de este fondo.
decision-outcome-invalid = Elija la decisión de la junta: aprobar, rechazar o aplazar.
decision-amount-invalid = Para aprobar, indique un importe mayor que cero y no superior al solicitado, como 15000.00. Déjelo vacío para rechazar o aplazar.
decision-conditions-invalid = Las condiciones deben tener menos de 10.000 caracteres.
decision-rationale-invalid = Explique por qué decidió así la junta (10.000 caracteres como máximo).
decision-not-decider = Solo un miembro presente en esta sesión, sin conflicto de intereses sobre esta solicitud, puede registrar su decisión. No se ha registrado nada.
decision-no-quorum = No hay quórum sobre esta solicitud: demasiado pocos miembros presentes están libres de conflicto de intereses sobre ella. No se ha registrado nada.
decision-not-open = Esta solicitud no puede decidirse en esta sesión: ya se decidió, o la sesión aún no se ha celebrado. No se ha registrado nada.
decision-insufficient-funds = El fondo no puede cubrir este importe ahora con el dinero que puede financiar este proyecto. No se ha registrado nada.

## outcome reports: /reports/to-review and /reports/{id}
reports-queue-title = Informes por revisar
reports-queue-intro = Los informes que enviaron las organizaciones beneficiarias, los más antiguos primero. Lea cada uno y acéptelo o devuélvalo indicando qué corregir. Aceptar un informe puede liberar la cuota que lo espera.
reports-queue-none = No hay ningún informe pendiente de revisión.
report-title = { $kind } de { $reference }
report-kind-interim = Informe intermedio
report-kind-final = Informe final
report-submitted-on = Enviado el
report-version = versión { $version }
report-people-to-date = Personas atendidas desde el inicio de la subvención
report-review-comment = Comentario de la secretaría
report-beneficiaries = Personas atendidas por primera vez en el período
report-services = Servicios prestados
report-service = Servicio
report-indicators = Indicadores
report-indicator = Indicador
report-target = Meta
report-actual = Logrado
report-expenditure = Gastos
report-category = Partida presupuestaria
report-narrative = En palabras de la organización
report-narrative-not-cleared = Este texto aún no se ha aprobado para los donantes: solo ven las cifras.
report-narrative-withheld = La secretaría aún no ha aprobado este texto para los donantes. Las cifras de arriba están completas.
report-review-heading = Su revisión
report-accept-button = Aceptar este informe
report-return-comment = O devuélvalo: ¿qué debe corregir la organización?
report-return-hint = Sea concreto: la organización enviará una nueva versión del informe con su comentario a la vista.
report-return-button = Devolver el informe
report-comment-required = Indique qué debe corregir la organización antes de devolver el informe.
report-accepted-notice = El informe está aceptado y la organización recibió un aviso por correo.
report-returned-notice = El informe fue devuelto y la organización sabe qué corregir.
report-cleared-notice = El texto está aprobado: ahora los donantes lo leen junto a las cifras.
report-stale = No se hizo nada: este informe cambió desde que abrió la página (quizá alguien ya lo revisó). Aquí lo tiene tal como está ahora.
report-clear-heading = Aprobar el texto para los donantes
report-clear-text = Lea primero el texto: ni nombres, ni edades, ni lugares, ni teléfonos, ni nada que permita reconocer a una víctima. Una vez aprobado, los donantes lo leen en sus resúmenes y en el informe anual.
report-clear-button = Lo he leído: aprobar el texto para los donantes
report-back-to-grant = Volver a la subvención
service-shelter = Alojamiento
service-medical-care = Atención médica
service-psycho-social-care = Apoyo psicosocial
service-legal-aid = Asistencia jurídica
service-repatriation = Retorno seguro
service-family-reunification = Reunificación familiar
service-reintegration = Reintegración
service-other = Otros servicios

## the report form: /grants/{id}/report
report-form-title = Enviar un informe
report-form-intro = Cuente al fondo lo que logró la subvención en el período. Dé solo números de personas: nunca un nombre, una edad, un pueblo ni nada que permita reconocer a una víctima.
report-form-kind = ¿Qué informe es?
report-form-from = Primer día cubierto
report-form-to = Último día cubierto
report-form-groups-hint = Una línea por grupo: cuántas personas de ese sexo, grupo de edad y forma de explotación atendió por primera vez en el período. Deje vacío el número en las líneas que no necesite. A quien ya contó en un informe anterior no se le cuenta de nuevo.
report-form-people-hint = Todas las personas atendidas desde el inicio de la subvención, este período incluido, cada una una sola vez.
report-form-services-hint = Cuántas personas recibieron cada servicio en el período. Deje vacío lo que no prestó.
report-form-spending-hint = Lo que gastó en cada partida del presupuesto de su solicitud en el período, por ejemplo 1250.00.
report-form-narrative-hint = Qué hicieron, qué cambió, qué fue difícil. La secretaría lo lee antes que cualquier donante.
report-form-send = Enviar el informe
report-form-not-now = Esta subvención no puede recibir este informe ahora: quizá ya haya un informe del mismo tipo en revisión, o la subvención no está en curso.
report-form-kind-invalid = Elija el tipo de informe.
report-form-period-invalid = Indique el primer y el último día cubiertos: fechas reales, la segunda después de la primera y no en el futuro.
report-form-people-invalid = Indique con un número entero a todas las personas atendidas desde el inicio, al menos tantas como las que cuentan sus informes.
report-form-groups-invalid = Revise los grupos: cada número es entero, cada línea un grupo distinto, y nadie contado en un informe anterior se cuenta de nuevo.
report-form-services-invalid = El número de cada servicio es un número entero.
report-form-spending-invalid = Cada importe es un número como 1250.00, en la moneda de la subvención.
report-form-narrative-invalid = Describa lo que logró la subvención, sin nada que permita reconocer a una persona
grant-send-report = Enviar un informe
grant-reported-notice = Gracias: su informe está enviado. La secretaría lo lee y le avisará por correo si lo acepta o qué debe corregir.

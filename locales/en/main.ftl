## Shared by every page
site-name = Trust Fund for Victims of Trafficking
skip-to-content = Skip to content
language-switch = Language:
login-link = Sign in
logout = Sign out
footer = A voluntary trust fund for victims of human trafficking. Open-source software; the figures it publishes protect the people assisted.
form-errors-title = Please correct the following:
back-home = Back to the home page

## Landing page (/)
landing-title = Help for survivors of human trafficking
landing-what = This trust fund gives grants to grass-roots organisations that help victims of human trafficking: a safe place to stay, legal and medical help, and a new start. It is financed by voluntary contributions from governments, companies and individuals.
landing-who = Organisations apply to the fund’s calls for proposals. Independent reviewers and a board of trustees decide which projects to fund; the secretariat pays the grants in instalments and publishes what the money achieved.
landing-sign-in = Sign in to your account
landing-funds = Where the money goes
landing-funds-intro = Each fund publishes its figures: donors, grants by country and theme, and the number of people assisted.
landing-no-funds = No fund has been published yet.
landing-developers = For developers
landing-api = The same information is available through a documented API:

## Sign in (/login)
login-title = Sign in
login-email = Email address
login-password = Password
login-submit = Sign in
login-forgot = Forgot your password?
login-signed-out = You are now signed out.
login-email-missing = Enter your email address.
login-password-missing = Enter your password.
login-wrong = The email address or password is not correct.
login-unverified = Please confirm your email address first: open the link in the email we sent you when you registered.
login-throttled = { $minutes ->
    [one] Too many failed attempts. Please try again in 1 minute.
   *[other] Too many failed attempts. Please try again in { $minutes } minutes.
}

## Home (/home)
home-title = Home
home-greeting = Hello, { $name }
home-role = Your role: { $role }
home-organisation = Organisation: { $organisation }
home-tasks = Your work in the fund
home-funds = The funds’ public pages
home-your-board = you sit on its board
home-no-funds = No fund has been created yet.
home-api = The API, for developers and other systems

role-admin = secretariat of the fund
role-finance = finance officer
role-trustee = member of the board of trustees
role-reviewer = external reviewer
role-ngo = partner organisation (NGO)
role-donor = donor

task-apply = Apply to an open call for proposals, and follow your applications until the decision.
task-sign-grant = Your grants: sign the agreement once the board has approved your project, and follow each payment.
task-report = Send your progress and final reports: the people you assisted and how the money was spent.
task-calls = Prepare, open and close calls for proposals.
task-screen = Screen the applications that arrive: accept them for review, or return them saying what to change.
task-assign = Assign reviewers to the applications that passed screening.
task-review = Declare any conflict of interest, then score the applications assigned to you.
task-ranking = Read the ranking of each call and see where the available money runs out.
task-decide = Record the board’s decisions on the applications.
task-review-reports = Accept the reports that grantees send, or return them with your questions.
task-contributions = Record donors’ pledges and the contributions received.
task-request-payment = Request the payment of a grant instalment once its conditions are met.
task-approve-payment = Approve and pay the payments that another finance officer requested.
task-statement = Read the donors’ statements: what was pledged, received and spent.
task-outcomes = Read the results: how many people the grants helped, and how.
task-invite = Invite trustees, reviewers, finance officers, partner organisations and donors.
task-statement-donor = See your giving: what you pledged and paid, what your money paid for, and the people reached.
task-outcomes-donor = See what the grants achieved: how many people were helped, and how.

## Email confirmation (/verify-email)
verify-done-title = Your email address is confirmed
verify-done = Thank you. You can now sign in with the email address and password you chose when you registered.
verify-failed-title = This link can no longer be used
verify-failed = The link may have expired (it works for 48 hours) or it was already used. If you have already confirmed your address, simply sign in.

## New password (/reset-password, /forgot-password)
reset-title = Choose a new password
reset-intro = Choose a password that you do not use anywhere else.
reset-password = New password
reset-hint = At least { $min } characters. A short sentence of four or five words is easy to remember and hard to guess.
reset-submit = Save my new password
reset-done-title = Your new password is saved
reset-done = You can now sign in with it. For your safety, every other session of your account was closed.
reset-expired-title = This link can no longer be used
reset-expired = A link to choose a new password works only once, for 60 minutes. Ask for a new one below.
forgot-title = Forgot your password?
forgot-intro = Enter the email address of your account. We will send you a link to choose a new password.
forgot-email = Email address
forgot-submit = Send me a link
forgot-sent-title = Check your email
forgot-sent = If an account uses this address, we have just sent it a link. It works for 60 minutes. If nothing arrives, look in your spam folder.
forgot-email-invalid = Enter a valid email address, such as name@example.org.

## Invitation (/accept-invitation)
invite-title = Join the fund
invite-intro = You have been invited to work with the fund. Choose the name others will see, and a password.
invite-name = Your name
invite-password = Password
invite-submit = Create my account
invite-done-title = Your account is ready
invite-done = You can now sign in with your email address and the password you chose.
invite-expired-title = This invitation can no longer be used
invite-expired = An invitation works only once, for 7 days. Ask the person who invited you to send a new one.
invite-taken-title = You already have an account
invite-taken = An account already uses this email address. Sign in, or choose a new password if you have forgotten it.
invite-name-invalid = Enter your name, on one line (at most 200 characters).

password-too-short = Use at least { $min } characters.
password-too-long = Use at most { $max } characters.
password-too-easy = This password is too common or too easy to guess. A short sentence works better.
password-refused = This password cannot be used. Please choose another one.

## A refused form (403)
refused-title = This form has expired
refused-text = For your safety, we did not accept this form: it did not come from this site’s page, or your browser does not keep our cookies. Nothing was changed.
refused-next = Go back, reload the page and try again.

## Organisations to verify (/organisations/to-verify)
queue-title = Organisations to verify
queue-intro = These organisations registered themselves. Before you verify one, check that it exists and really works with survivors of trafficking: its registration papers, a reference you trust, its website. Until it is verified it cannot submit applications.
queue-done = { $organisation } is now verified. Its members can submit applications.
queue-unknown = This organisation could not be verified: it no longer exists, or the form was out of date. Nothing was changed.
queue-kind = Kind
queue-country = Country
queue-identifier = Registration number
queue-no-identifier = none given
queue-registered = Registered on
queue-people = People
queue-confirmed = email address confirmed
queue-unconfirmed = email address not confirmed yet
queue-nobody = nobody yet
queue-button = Verify { $organisation }
queue-empty = No organisation is waiting to be verified.
task-verify = Verify the organisations that registered themselves, so that they can apply.
back-to-home = Back to your home page

## A page outside the visitor's role (403)
not-allowed-title = This page is not part of your work
not-allowed-text = Your account cannot open this page. If you think it should, write to the fund’s secretariat.

org-kind-government = government
org-kind-multilateral = multilateral organisation
org-kind-ngo = non-governmental organisation (NGO)
org-kind-foundation = foundation
org-kind-company = company
org-kind-individual = individual
org-kind-asset-recovery = asset-recovery body

## The yearly fund report (/funds/{code}/annual-report/{year})
annual-title = { $fund }: report for { $year }
annual-intro = What the fund received and paid out in { $year }, the grants its board approved, the people those grants reached and, in the grantees’ own words, what the work looked like.
annual-intro-running = { $year } is not over yet: these are the figures as of { $today }. The fund received and paid out this money, approved these grants, and the grants reached these people.
annual-download-pdf = Download this report as a PDF
annual-money = Money in and out
annual-received = Contributions received
annual-disbursed = Paid to grantees
annual-awarded = Grants approved
annual-donors = Who gave
annual-donor = Donor
annual-donor-gave = Received in the year
annual-no-money = No contribution arrived this year.
annual-grants = { $count ->
    [one] One grant approved
   *[other] { $count } grants approved
}
annual-grants-caption = Grants the board approved in { $year }
annual-grant = Project
annual-grantee = Organisation
annual-country = Country
annual-decided = Approved on
annual-amount = Amount
annual-withheld-note = Some grantees work where their staff could face reprisals. For their safety we do not publish their name or the title of their project.
annual-withheld-title = Grant { $reference }
annual-withheld-grantee = Name withheld for the organisation’s safety
annual-no-grants = The board approved no grant in { $year }.
annual-anonymous-donors = { $count ->
    [one] One donor who asked not to be named
   *[other] { $count } donors who asked not to be named
}
annual-people = People reached
annual-people-intro = Each report counts only the people a grantee helped for the first time during the period it covers, so nobody is counted twice.
annual-people-reached = People helped for the first time
annual-reports-counted = Reports counted
annual-people-count = People
annual-by-sex = By sex
annual-sex = Sex
annual-by-age = By age group
annual-age = Age group
annual-by-form = By form of exploitation
annual-form = Form of exploitation
annual-count-withheld = not shown
annual-suppressed-note = To protect survivors, numbers below 5 are shown as “<5”, and a larger number is not shown when it would let someone work out a small one.
annual-stories = In the grantees’ words
annual-stories-note = The fund’s secretariat reads every text before it is published here, and removes anything that could identify a survivor.
annual-no-stories = No grantee text has been cleared for publication for this year yet.
annual-kind-interim = interim report
annual-kind-final = final report
annual-period = { $from } to { $to }
annual-footer = Figures as recorded on { $today }. Amounts in the fund’s currency, at the exchange rates of the day each sum was received or approved.

sex-female = Women and girls
sex-male = Men and boys
sex-other = Another gender
sex-unknown = Not recorded
age-child = Children (under 18)
age-adult = Adults
age-unknown = Not recorded
exploitation-sexual = Sexual exploitation
exploitation-forced-labour = Forced labour
exploitation-domestic-servitude = Domestic servitude
exploitation-forced-criminality = Forced criminality
exploitation-forced-marriage = Forced marriage
exploitation-child-soldiers = Use of children in armed conflict
exploitation-organ-removal = Organ removal
exploitation-begging = Forced begging
exploitation-other = Other forms

## a page that does not exist or is not the reader's
not-found-title = We cannot find this page
not-found-text = It does not exist, or it belongs to another organisation. Check the link, or go back to your home page.

## a donor's page: /giving
giving-donors-title = Donors
giving-donors-intro = Choose a donor to see its pledges, its payments and what its money paid for, as the donor sees them.
giving-donors-none = No organisation has pledged or given money yet.
giving-title = { $donor }: your giving
giving-intro = Everything you pledged and paid to the fund, what your earmarked money paid for, and the people the fund’s grants have reached so far.
giving-download-all = Download your whole statement (CSV, for a spreadsheet)
giving-download-fund = Download the statement for this fund (CSV)
giving-balance = Your balance
giving-pledged = Pledged
giving-received-against-pledges = Paid against your pledges
giving-outstanding = Still to pay on your pledges
giving-received = Received by the fund from you
giving-pledges = Your pledges
giving-pledged-on = Pledged on
giving-amount = Amount
giving-due-on = Due by
giving-paid = Paid
giving-still-due = Still due
giving-state = Status
giving-no-due-date = no date set
giving-pledge-open = waiting for payment
giving-pledge-partly-paid = partly paid
giving-pledge-paid = paid in full
giving-pledge-late = late: past its due date
giving-pledge-cancelled = cancelled
giving-earmarked-for = earmarked for { $earmark }
giving-more-rows = Only the latest 200 are listed here. The downloaded statement has all of them.
giving-no-pledges = You have no pledge to this fund.
giving-payments = Your payments
giving-received-on = Received on
giving-reference = Reference
giving-converted = { $amount } in the fund’s currency
giving-unpledged = not linked to a pledge
giving-no-payments = No payment from you has arrived yet.
giving-where = Where your money went
giving-earmarked-money = You gave { $restricted } on { $received_on } for { $earmark } (after the fund’s support costs). It can only pay for grants for { $earmark }.
giving-drawn = Paid from your money
giving-earmark-waiting = Still waiting for a grant for this purpose: { $available }.
giving-pooled = Money that is not earmarked is pooled with other donors’ and pays for every grant the board approves. The yearly reports list those grants and what they achieved:
giving-report-of = Report for { $year }
giving-people = People reached by the fund’s grants
giving-nothing-yet = No pledge or payment from you has been recorded yet. When the fund’s finance team records one, it appears here.
giving-other-donor = See another donor

## themes of the taxonomy, as they read after “for” (an earmark: “earmarked for …”)
theme-prevention = the prevention of trafficking
theme-protection = the protection of survivors
theme-prosecution = bringing traffickers to justice
theme-partnership = partnerships and coordination
theme-prevention-awareness = awareness raising
theme-prevention-education = education
theme-prevention-livelihoods = livelihoods
theme-prevention-research = research on prevention
theme-prevention-safe-migration = safe migration
theme-prevention-supply-chains = clean supply chains
theme-protection-identification = identifying victims
theme-protection-shelter = shelter
theme-protection-medical = medical care
theme-protection-psychosocial = psychosocial support
theme-protection-legal-aid = legal aid
theme-protection-repatriation = safe return home
theme-protection-family-reunification = family reunification
theme-protection-reintegration = reintegration
theme-prosecution-training = training police, prosecutors and judges
theme-prosecution-legislation = laws against trafficking
theme-prosecution-investigation = investigations
theme-prosecution-victim-witness = support for victims who testify
theme-partnership-coordination = coordination between organisations
theme-partnership-data = data and statistics
theme-partnership-research = research

## grants: /grants and /grants/{id}
grants-title = Grants
grants-intro = Each grant with what was paid so far. Open one to see its instalments, what each is waiting for, and the reports sent.
grants-none = There is no grant to show yet.
grants-back = All grants
grant-status = Status
grant-paid = Paid
grant-status-awaiting_signature = waiting for signature
grant-status-active = active
grant-status-suspended = suspended
grant-status-closed = closed
grant-status-terminated = ended early
grant-signed-notice = Thank you: the agreement is signed. The first payment can now be prepared.
grant-sign-stale = Nothing was signed: this grant changed since you opened the page, or it no longer waits for a signature. Here it is as it is now; read it again before you sign.
grant-sign-heading = Sign the grant agreement
grant-sign-text = By signing, { $organisation } accepts a grant of { $amount } for the work described in its application, from { $from } to { $to }, and agrees to report on it as set out below.
grant-conditions = Conditions:
grant-sign-button = I sign the agreement
grant-money = Money
grant-pending = Payment being prepared
grant-remaining = Still to be paid
grant-refunded = Sent back to the fund
grant-period = Period
grant-signed-on = Signed on
grant-instalments = Instalments
grant-due-on = Planned for
grant-waits-for = What it is waiting for
grant-payments = Payments received
grant-paid-on = Paid on
grant-no-payments = No payment has been made yet.
grant-reports = Reports
grant-report = Report
grant-report-period = Period covered
grant-no-reports = No report has been sent yet.
report-status-submitted = sent, being read by the secretariat
report-status-accepted = accepted
report-status-returned = returned for changes
instalment-paid = Paid.
instalment-being-paid = The payment is being prepared.
instalment-not-paid = Not paid: the grant has ended.
instalment-ready = Nothing: the fund can pay it from the planned date.
instalment-waits-grant-awaiting_signature = The grantee’s signature on the agreement.
instalment-waits-grant-active = Nothing.
instalment-waits-grant-suspended = The grant to be resumed: no payment is made while it is suspended.
instalment-waits-grant-closed = Nothing more: the grant is closed.
instalment-waits-grant-terminated = Nothing more: the grant has ended.
instalment-waits-signature = The grantee’s signature on the agreement.
instalment-waits-interim-report = { $count ->
    [one] The interim report to be accepted ({ $accepted } accepted so far).
   *[other] { $count } interim reports to be accepted ({ $accepted } accepted so far).
}
instalment-waits-final-report = { $count ->
    [one] The final report to be accepted ({ $accepted } accepted so far).
   *[other] { $count } final reports to be accepted ({ $accepted } accepted so far).
}
instalment-waits-spending = Accepted reports showing at least { $share }% of the money paid so far as spent: they show { $spent } of { $paid }.

## payments: /payments and the request form of a grant's page
payments-title = Payments to approve and to pay
payments-intro = Every payment needs two finance officers: one requests it from the grant’s page, another approves it. Once the bank has made the transfer, record it here with the bank’s reference; the grantee is told by email.
payments-none = No payment is waiting. Request one from a grant’s page when an instalment can be paid.
payment-instalment = Instalment
payment-requested = Requested
payment-requested-by = by { $name } on { $date }
payment-approved = Approved by
payment-approve-button = Approve the payment of { $amount }
payment-waits-other-officer = You requested this payment: another finance officer must approve it.
payment-paid-on = Day the bank made the transfer
payment-reference = Bank reference of the transfer
payment-reference-hint = As it appears on the bank statement, so that the payment can be traced.
payment-pay-button = Record the payment
payment-requested-notice = The payment is requested. Another finance officer now approves it here.
payment-approved-notice = The payment is approved. Record it once the bank has made the transfer.
payment-paid-notice = The payment is recorded, and the grantee has been told by email.
payment-approve-own = You requested this payment, so you cannot approve it: another finance officer must.
payment-stale = Nothing was done: this payment changed since you opened the page (another officer may have acted on it). Here is the list as it is now.
payment-amount-invalid = Nothing was requested: enter an amount like 6600.00, more than zero and no more than what this instalment still expects.
payment-not-releasable = Nothing was requested: this instalment cannot be paid now. See what it is waiting for below.
payment-paid-on-invalid = Enter the day the bank made the transfer. It cannot be in the future, nor before the grant was approved.
payment-reference-invalid = Enter the bank’s reference of the transfer, on one line, up to 200 characters.
payment-request-amount = Amount to request ({ $currency })
payment-request-button = Request this payment

## reviews: /reviews and /reviews/{id}
reviews-title = Your reviews
reviews-intro = The applications the secretariat asked you to review. Open one to declare any conflict of interest first; then you can read it and score it.
reviews-application = Application
reviews-call = Call
reviews-assigned-on = Assigned on
reviews-stage = Where it stands
reviews-none = Nothing is waiting for your review at the moment.
reviews-back = Back to your reviews
review-stage-declare = Declare any conflict of interest
review-stage-score = To score
review-stage-submitted = Review submitted
review-stage-recused = Conflict declared: not for you to review
review-applicant-call = From { $organisation }, call “{ $call }”
review-declare-heading = First: do you have a conflict of interest?
review-declare-intro = Before you read this application, tell us whether anything ties you to { $organisation } or its project: you work or worked for it, advise it, fund it, or are close to someone who does. You declare once. With a conflict, you will not see or score the application, and the secretariat will ask someone else.
review-declare-question = Your declaration
review-declare-none = I have no conflict of interest with this application
review-declare-conflict = I have a conflict of interest
review-declare-statement = If you have a conflict: what is it?
review-declare-statement-hint = One or two sentences are enough. The secretariat reads this; the applicant does not.
review-declare-button = Send my declaration
review-declare-choose = Choose one: no conflict of interest, or a conflict of interest.
review-statement-invalid = Say in a sentence or two what the conflict of interest is (at most 10,000 characters).
review-declared-notice = Thank you. You can now read the application and score it below.
review-recused-heading = You declared a conflict of interest
review-recused-text = So you do not review this application: you will not see its content or its scores. Thank you for saying so; the secretariat will ask another reviewer.
review-recused-statement = What you declared
review-declared-on = Declared on
review-content-heading = The application
review-reference = Reference
review-amount = Amount requested
review-duration = Duration
review-months = { $count ->
    [one] { $count } month
   *[other] { $count } months
}
review-countries = Countries
review-themes = Themes
review-summary = Summary
review-budget = Budget
review-budget-description = What for
review-budget-total = Total
review-beneficiaries = People the project plans to help
review-no-beneficiaries = The applicant gave no planned figures.
review-documents = Documents attached
review-documents-hint = The secretariat can send you these files if you need them.
review-no-documents = No document is attached.
review-document-size = { $size } KB
review-score-heading = Your scores
review-score-intro = Give each criterion a whole number from 0 to its maximum. Save your draft as often as you like; once you submit, the review can no longer change.
review-criterion-range = From 0 to { $max } · weight { $weight }
review-summary-item = { $label }: { $message }
review-score-invalid = Give a whole number from 0 to { $max }.
review-score-missing = Score this criterion before you submit.
review-recommendation = Your recommendation to the board
review-recommendation-missing = Choose a recommendation before you submit.
recommendation-fund = Fund
recommendation-fund_with_changes = Fund with changes
recommendation-do_not_fund = Do not fund
review-comment = Your comment for the board
review-comment-hint = What the board should know: strengths, risks, what the applicant should change.
review-comment-invalid = Keep your comment under 10,000 characters.
review-save-button = Save my draft
review-submit-hint = Submitting saves what is on this page and sends your review to the board. It can no longer change afterwards.
review-submit-button = Submit my review
review-saved-notice = Your draft is saved. Come back to it whenever you like before submitting.
review-submitted-notice = Your review is submitted. Thank you for your time.
review-stale = Nothing was changed: this review changed since you opened the page (in another tab, or with a second click). Here it is as it stands now.
review-your-review = Your review
review-submitted-on = Submitted on { $date }.
review-score-of = { $score } out of { $max }

## the board of trustees: /board, /calls/{id}/ranking, /board-sessions/{id}
board-title = Board of trustees
board-intro = For each fund whose board you sit on: the ranking of each call and the board's sessions, where decisions are recorded.
board-calls = Calls and their ranking
board-no-calls = This fund has no call yet.
board-sessions = Board sessions
board-session-of = Board session of { $date }
board-decisions-count = { $count ->
    [0] no decision yet
    [one] { $count } decision
   *[other] { $count } decisions
}
board-no-sessions = No session recorded yet. The secretariat records each session with the trustees present.
board-no-funds = You do not sit on the board of any fund.
board-back = Back to the board
ranking-title = Ranking: { $call }
ranking-intro = Applications in order of the reviewers’ mean score (out of 100). The funding line shows how far the money the fund can award goes, from the top down. Reviews that differ by more than { $threshold } points are flagged.
ranking-available = The fund can award
ranking-line = Funding line
ranking-within = { $count ->
    [0] no application fits within what is available
    [one] { $count } application fits, for { $amount }
   *[other] { $count } applications fit, for { $amount }
}
ranking-line-here = The money runs out here: the applications below do not fit within what is available.
ranking-within-line = within the funding line
ranking-rank = Rank
ranking-application = Application
ranking-score = Score
ranking-reviews = { $count ->
    [0] no review yet
    [one] { $count } review
   *[other] { $count } reviews
}
ranking-advice = Reviewers’ advice
ranking-advice-count = { $advice }: { $count }
ranking-requested = Requested
ranking-cumulative = Running total
ranking-none = No application of this call has been screened in yet.
ranking-to-board = Record the board’s decisions at a session
ranking-flag-recused = You declared a conflict of interest: its scores are hidden from you.
ranking-flag-divergent = Reviewers disagree: { $spread } points apart.
ranking-flag-unreviewed = Not reviewed yet.
ranking-flag-no-rate = No current exchange rate for { $currency }: it cannot be placed on the funding line.
ranking-status-under_review = under review
ranking-status-deferred = deferred (reserve list)
ranking-status-approved = approved
ranking-status-rejected = not funded
session-present = Trustees present
session-quorum-label = Quorum
session-quorum = { $count ->
    [one] A decision needs { $count } trustee present without a conflict of interest on the application.
   *[other] A decision needs { $count } trustees present without a conflict of interest on the application.
}
session-decisions = Decisions taken
session-no-decisions = No decision recorded at this session yet.
session-decide-heading = Record a decision
session-decide-intro = Record what the board decided. The quorum, conflicts of interest and the money available are checked when you record it.
session-nothing-open = No application of this fund is waiting for a decision.
decision-outcome = Decision
decision-outcome-approved = Approve
decision-outcome-rejected = Reject
decision-outcome-deferred = Defer (reserve list)
decision-was-approved = approved
decision-was-rejected = rejected
decision-was-deferred = deferred (reserve list)
decision-amount = Amount approved (approvals only)
decision-amount-hint = In the application’s currency, at most the amount requested, for example 15000.00. Unless you set the instalments below, the fund’s usual plan applies.
decision-plan = Instalment plan (optional)
decision-plan-hint = Leave it empty and the fund’s usual plan applies. Otherwise the instalments must add up to the amount approved, each due on or after the session’s date.
decision-plan-row = Instalment
decision-plan-amount = Amount
decision-plan-due = Due on
decision-plan-release = Paid
decision-plan-spend = Also waits for { $share }% spent
decision-release-on_signature = once the agreement is signed
decision-release-interim = once an interim report is accepted
decision-release-final = once the final report is accepted
decision-instalment-amount-invalid = Instalment { $count }: give an amount above zero, like 5000.00.
decision-instalment-due-invalid = Instalment { $count }: give a due date on or after the session’s date.
decision-instalment-release-invalid = Instalment { $count }: choose what releases it.
decision-instalments-sum = The instalments must add up to the amount approved.
decision-amount-approved = Amount approved
decision-conditions = Conditions for the grantee (optional)
decision-conditions-hint = They are sent to the applicant with the decision.
decision-conditions-were = Conditions: { $conditions }
decision-rationale = Why the board decided so
decision-rationale-hint = Kept in the fund’s records; not sent to the applicant.
decision-button = Record the decision
decision-recorded-notice = The decision is recorded and the applicant has been told by email.
decision-application-invalid = Choose an application of this fund.
decision-outcome-invalid = Choose the board’s decision: approve, reject or defer.
decision-amount-invalid = To approve, give an amount above zero and no more than what was requested, like 15000.00. Leave it empty to reject or defer.
decision-conditions-invalid = Keep the conditions under 10,000 characters.
decision-rationale-invalid = Say why the board decided so (at most 10,000 characters).
decision-not-decider = Only a trustee present at this session, without a conflict of interest on this application, can record its decision. Nothing was recorded.
decision-no-quorum = No quorum on this application: too few trustees present are free of a conflict of interest on it. Nothing was recorded.
decision-not-open = This application cannot be decided at this session: it was already decided, or the session has not taken place yet. Nothing was recorded.
decision-insufficient-funds = The fund cannot cover this amount now, with the money that may pay for this project. Nothing was recorded.

## outcome reports: /reports/to-review and /reports/{id}
reports-queue-title = Reports to review
reports-queue-intro = Reports grantees sent, the oldest first. Read each one, then accept it or return it with what to change. Accepting a report can release the instalment that waits for it.
reports-queue-none = No report is waiting for review.
report-title = { $kind } for { $reference }
report-kind-interim = Interim report
report-kind-final = Final report
report-submitted-on = Sent on
report-version = version { $version }
report-people-to-date = People assisted since the grant began
report-review-comment = The secretariat’s comment
report-beneficiaries = People helped for the first time in this period
report-services = Services given
report-service = Service
report-indicators = Indicators
report-indicator = Indicator
report-target = Target
report-actual = Achieved
report-expenditure = Money spent
report-category = Budget line
report-narrative = In the grantee’s words
report-narrative-not-cleared = This text has not been cleared for donors yet: they see the figures only.
report-narrative-withheld = The secretariat has not cleared this text for donors yet. The figures above are shown in full.
report-review-heading = Your review
report-accept-button = Accept this report
report-return-comment = Or return it: what must the grantee change?
report-return-hint = Be specific: the grantee sends a new version of the report with your comment in front of them.
report-return-button = Return the report
report-comment-required = Say what the grantee must change before you return the report.
report-accepted-notice = The report is accepted, and the grantee has been told by email.
report-returned-notice = The report is returned, and the grantee has been told what to change.
report-cleared-notice = The text is cleared: donors now read it beside the figures.
report-stale = Nothing was done: this report changed since you opened the page (someone may have reviewed it). Here it is as it is now.
report-clear-heading = Clear the text for donors
report-clear-text = Read the text first for names, ages, places, phone numbers or anything else that could identify a survivor. Once cleared, donors read it in their digests and the yearly report.
report-clear-button = I have read it: clear the text for donors
report-back-to-grant = Back to the grant
service-shelter = Shelter
service-medical-care = Medical care
service-psycho-social-care = Psycho-social care
service-legal-aid = Legal aid
service-repatriation = Safe return home
service-family-reunification = Family reunification
service-reintegration = Reintegration
service-other = Other services

## the report form: /grants/{id}/report
report-form-title = Send a report
report-form-intro = Tell the fund what the grant achieved in the period. Give numbers of people only: never a name, an age, a village or anything else that could identify a survivor.
report-form-kind = Which report is this?
report-form-from = First day covered
report-form-to = Last day covered
report-form-groups-hint = One line per group: how many people of this sex, age group and form of exploitation you helped for the first time in this period. Leave the count empty on lines you do not need. Someone you counted in an earlier report is not counted again.
report-form-people-hint = Everyone you have helped since the grant began, this period included, each person once.
report-form-services-hint = How many people received each service in the period. Leave empty what you did not give.
report-form-spending-hint = What you spent on each budget line of your application in the period, like 1250.00.
report-form-narrative-hint = What you did, what changed, what was hard. The secretariat reads it before any donor does.
report-form-send = Send the report
report-form-not-now = This grant cannot take this report now: a report of the same kind may be waiting for review already, or the grant is not running.
report-form-kind-invalid = Choose the kind of report.
report-form-period-invalid = Enter the first and the last day the report covers: real dates, the last one after the first and not in the future.
report-form-people-invalid = Enter everyone helped since the grant began as a whole number, at least as many as all the people your reports count.
report-form-groups-invalid = Check the groups: each count is a whole number, each line a different group, and nobody counted in an earlier report counted again.
report-form-services-invalid = Each service’s count is a whole number.
report-form-spending-invalid = Each amount is a number like 1250.00, in the grant’s currency.
report-form-narrative-invalid = Write what the grant achieved, without anything that could identify a person
grant-send-report = Send a report
grant-reported-notice = Thank you: your report is sent. The secretariat reads it and tells you by email when it is accepted, or what to change.

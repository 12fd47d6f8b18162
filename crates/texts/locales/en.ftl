## The bot's texts in English. Every number is an argument taken from data.
## A message never starts or ends with a space: spacing between parts is the presenter's.

## Dates and durations

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
# "14 May"
day-and-month = { $day } { $month }
# "7 h 36 min" ($minutes has two digits)
duration = { $hours } h { $minutes } min

## Telegram's command menu (and /help)

menu-today = Today's food, sleep and recovery
menu-goal = Set the daily calorie goal: /goal 1800
menu-timezone = Set your time zone: /timezone Europe/Kyiv
menu-language = Українська / English
menu-sync = Status of WHOOP and FatSecret
menu-briefing-time = Briefing times: /briefing_time 08:00 21:00
menu-briefing-off = Stop the morning and evening briefings
menu-briefing-on = Resume the briefings
menu-connect-whoop = Connect WHOOP
menu-connect-fatsecret = Connect FatSecret
menu-export = Download all your data
menu-delete = Delete all your data
menu-help = What I can do

## Greeting, help, what the bot cannot read

welcome-hello = Hi!
welcome-hello-name = Hi, { $name }!
welcome-back = Good to see you again.
welcome-body =
    I'm your wellness tracker.
    • /today — what you've eaten today against your goal, plus sleep and recovery
    • /goal 1800 — set your daily calorie goal
    • /connect_whoop, /connect_fatsecret — link your WHOOP and FatSecret
    /help lists everything.
help-intro = Here's what I can do:
# One line of /help: "/today — Today's food, sleep and recovery"
help-line = /{ $command } — { $description }
unknown-command = I don't know /{ $command }.
unsupported = I can read text, voice notes and photos of barcodes. Try /today or /help.

## Settings

goal-current = Your daily goal is { $goal } kcal. To change it: /goal 1800
goal-set = Done: your daily goal is now { $goal } kcal.
goal-invalid = The goal must be a number from { $min } to { $max } kcal, e.g. /goal 1800
timezone-current = Your time zone is { $zone }. To change it: /timezone Europe/Kyiv
timezone-set = Done: your time zone is now { $zone }.
timezone-invalid = I don't know the time zone "{ $typed }". Use a name like Europe/Kyiv, Europe/London or America/New_York.
language-set = Done: I'll speak English.
briefing-times-set = Done: the morning briefing comes at { $morning } and the evening summary at { $evening }, your time.
briefing-times-usage = Send two times, morning first: /briefing_time 07:30 21:30
briefings-on = Briefings are on: { $morning } and { $evening }, your time.
briefings-off = Briefings are off. /briefing_on turns them back on.

## Connections

sync-heading = Connections:
# "• WHOOP: connected"
sync-line = • { $provider }: { $state }
sync-not-configured = not available on this server yet
sync-not-connected = not connected — { $command }
sync-connected = connected
sync-broken = access was revoked — reconnect with { $command }
connect-not-configured = Connecting { $provider } isn't available on this server yet.
connect-link =
    Open this link to connect { $provider } (valid for 10 minutes, once):
    { $url }

## /today

today-heading = Today, { $date }: { $eaten } of { $goal } kcal — { $balance }.
balance-left = { $kcal } left
balance-over = { $kcal } over
today-nothing-logged = Nothing logged yet.
today-macros = Protein { $protein } g · fat { $fat } g · carbs { $carbs } g ({ $count } { $count ->
        [one] entry
       *[other] entries
    })
today-sleep = Sleep last night: { $asleep }.
today-sleep-performance = Sleep last night: { $asleep }, performance { $performance }%.
today-sleep-unscored = Sleep last night: WHOOP hasn't scored it yet.
today-recovery = Recovery: { $recovery }% · HRV { $hrv } ms · resting HR { $rhr }.
today-recovery-unscored = Recovery: not scored yet.
today-no-wearable = No sleep or recovery from WHOOP yet.
today-connect-whoop = Sleep and recovery appear here once WHOOP is connected: /connect_whoop

## Food logging

food-item = • { $name } — { $grams } g: { $kcal } kcal (P { $protein } · F { $fat } · C { $carbs } g)
day-total = Today: { $eaten } of { $goal } kcal — { $balance }.
logged = { $count ->
        [1] Logged:
       *[other] Logged { $count } items:
    }
food-not-found = • "{ $said }": I couldn't find it, so I didn't log it. Try another name or add the grams.
unknown-portion = • "{ $said }": I don't know how much a portion weighs — tell me the grams, e.g. "150 g { $said }".
sources = Numbers from: { $names }.
source-fatsecret = FatSecret
source-catalogue = built-in catalogue (USDA FoodData Central)
nothing-logged = Nothing was logged.
button-undo = ↩ Undo
button-change-grams = ✎ Change grams
button-change-grams-of = ✎ { $name }
undone = Undone: { $names }.
nothing-to-undo = That was already undone.
entry-deleted = Deleted: { $name } ({ $grams } g, { $kcal } kcal).
nothing-to-delete = There's nothing to delete.
ask-grams = How many grams of { $name } (now { $grams } g)? Send a number, e.g. 150.
portion-changed = Changed:
entry-gone = That entry is no longer there.

## The assistant and voice notes

assistant-quota = The AI assistant is out of quota right now, so I couldn't understand that. Your message is saved; try again later or use /today.
assistant-refused = The AI assistant declined to answer that. Try rephrasing.
assistant-malformed = The AI assistant gave an answer I couldn't read. Please send it again.
assistant-unavailable = I can't reach the AI assistant right now. Your message is saved; try again in a minute.
used-fallback = (The AI assistant is unavailable: I used the built-in food list.)
not-in-data = I don't have that in your data yet.
set-aside = Sorry, something went wrong with that message and I couldn't handle it. It's kept; please try again in a while.
slow-down = That's a lot of messages at once, so I'm taking a short break: what you send in the next { $seconds } s is skipped.
sync-cooldown = I synced a moment ago. The next /sync works in { $minutes } min.
heard = 🎙 I heard: “{ $text }”
voice-too-long = That voice note is { $secs } s long; I can take up to { $max } s. Please send a shorter one.
voice-unavailable = I can't listen to voice notes on this server (no OpenAI key). Please type it instead.
transcription-quota = Voice recognition is out of quota right now. Please type it instead.
transcription-failed = I couldn't make out that voice note. Please try again or type it.
heard-nothing = I couldn't hear any words in that voice note.
voice-download-failed = I couldn't download that voice note (it may be too large). Please try again.

## WHOOP and FatSecret

whoop-reconnect = WHOOP access was revoked, so I can't sync your sleep and recovery. Reconnect with /connect_whoop.
whoop-connected = WHOOP is connected ✓ I'm fetching your last 30 days of sleep, recovery and workouts.
whoop-synced = WHOOP synced: { $sleeps } sleeps, { $recoveries } recoveries, { $workouts } workouts, { $days } days updated.
whoop-sync-failed = I couldn't reach WHOOP just now; I'll try again on the next hourly sync.
fatsecret-connected = FatSecret is connected ✓ The food you log here will also go to your FatSecret diary.
fatsecret-imported = FatSecret diary synced: { $count } new { $count ->
        [one] entry
       *[other] entries
    }.
fatsecret-import-failed = I couldn't read your FatSecret diary right now; I'll try again later.
fatsecret-reconnect = FatSecret access was revoked, so your food no longer goes to your FatSecret diary (it is still logged here). Reconnect with /connect_fatsecret.

## Export and deletion

export-caption = All your data: profile, food, WHOOP records, conversation and connections (without tokens). Food entries follow as CSV.
confirm-delete = Delete everything I keep about you — food, WHOOP records, conversation, connections? This cannot be undone.
button-delete-everything = Delete everything
button-keep-my-data = Keep my data
button-open-dashboard = 📊 Dashboard
menu-button-dashboard = Dashboard
data-deleted = Done: all your data is deleted. Send /start if you ever want to begin again.
data-deleted-whoop-revoked = Done: all your data is deleted and WHOOP access revoked. Send /start if you ever want to begin again.
data-deleted-whoop-not-revoked = Done: all your data here is deleted. WHOOP didn't confirm that our access is revoked: to be sure, remove wellness from the connected apps in your WHOOP account. Send /start if you ever want to begin again.
data-kept = Nothing was deleted.

## The morning briefing

morning-greeting = Good morning! Your briefing for { $date }:
morning-greeting-name = Good morning, { $name }! Your briefing for { $date }:
morning-sleep = Sleep: { $asleep } asleep.
morning-sleep-performance = Sleep: { $asleep } asleep, performance { $performance }%.
morning-sleep-missing = Sleep: no sleep data from WHOOP yet.
morning-sleep-pending = Sleep: WHOOP hasn't scored last night's sleep yet.
morning-sleep-unscorable = Sleep: WHOOP couldn't score last night's sleep.
morning-recovery = Recovery: { $recovery }% · HRV { $hrv } ms · resting HR { $rhr }.
morning-recovery-missing = Recovery: no recovery from WHOOP yet today.
morning-recovery-pending = Recovery: WHOOP hasn't scored it yet.
morning-recovery-unscorable = Recovery: WHOOP couldn't score it.
yesterday-nothing = Yesterday: nothing logged (goal { $goal } kcal).
yesterday = Yesterday: { $eaten } of { $goal } kcal — { $balance }.
yesterday-on-goal = right on the goal
yesterday-under = { $kcal } under the goal
yesterday-over = { $kcal } over the goal
tip-lighter-day = Tip: recovery is low ({ $recovery }%), so keep today lighter — easy movement instead of hard training.
tip-earlier-bedtime = Tip: { $asleep } of sleep is short — aim to be in bed 30–45 minutes earlier tonight.
tip-protein-at-breakfast = Tip: protein was low yesterday ({ $protein } g) — add some at breakfast: eggs, cottage cheese or Greek yogurt.
tip-log-meals = Tip: send me what you eat today — a short text or a voice note is enough.
tip-ready-for-more = Tip: recovery is high ({ $recovery }%) — a good day for a harder workout.
tip-steady-day = Tip: keep a steady rhythm today — regular meals, water and some movement.

## The evening summary

evening-nothing = Your day, { $date }: nothing logged today (goal { $goal } kcal).
evening-food = Your day, { $date }: eaten { $eaten } of { $goal } kcal — { $balance }.
burn = WHOOP: burned { $burned } kcal · { $net } · day strain { $strain }.
net-balanced = net balanced
net-deficit = net { $kcal } kcal deficit
net-surplus = net { $kcal } kcal surplus
burn-pending = WHOOP hasn't scored today yet: calories burned and strain come later.
burn-unscorable = WHOOP couldn't score today: calories burned and strain are unknown.
burn-missing = No WHOOP data for today yet: calories burned and strain are unknown.
workout-strain = { $sport } (strain { $strain })
workout-unscored = { $sport } (not scored yet)
workouts-none = Workouts: none recorded today.
workouts = Workouts: { $list }.
meal-breakfast = breakfast
meal-lunch = lunch
meal-dinner = dinner
meal-snack = snacks
# "breakfast 450"
meal-kcal = { $meal } { $kcal }
meals = Meals: { $list } kcal.
tip-over-goal = For tomorrow: today ended { $over } kcal over the goal — start with a protein breakfast and keep portions modest.
tip-log-as-you-go = For tomorrow: log meals as you go — a short text or a voice note is enough.
tip-recover-after-strain = For tomorrow: today's strain was high ({ $strain }) — get to bed early and keep tomorrow easier.
tip-eat-enough = For tomorrow: today ended { $under } kcal under the goal — don't skip meals.
tip-more-protein = For tomorrow: protein was low today ({ $protein } g) — add a protein source to each meal.
tip-keep-rhythm = For tomorrow: keep the same rhythm — you're on track.

## The built-in assistant's answers (when OpenAI is not configured or not reachable)

answer-eaten-nothing = Nothing logged today yet: 0 kcal.
answer-eaten = Today you've eaten { $kcal } kcal.
answer-left = { $left } kcal left of your { $goal } kcal goal.
answer-over = You're { $over } kcal over your { $goal } kcal goal.
answer-protein = Protein: { $grams } g.
answer-fat = Fat: { $grams } g.
answer-carbs = Carbs: { $grams } g.
answer-entries = { $count ->
        [0] No entries today yet.
        [one] { $count } entry today.
       *[other] { $count } entries today.
    }
answer-sleep-missing = I have no sleep data yet (it comes from WHOOP).
answer-sleep = Last night you slept { $asleep }.
answer-sleep-performance = Last night you slept { $asleep }, sleep performance { $performance }%.
answer-sleep-pending = WHOOP hasn't scored last night's sleep yet.
answer-sleep-unscorable = WHOOP couldn't score last night's sleep.
answer-recovery-missing = I have no recovery data yet (it comes from WHOOP).
answer-recovery = Recovery today: { $recovery }% · HRV { $hrv } ms · resting HR { $rhr }.
answer-recovery-pending = WHOOP hasn't scored today's recovery yet.
answer-recovery-unscorable = WHOOP couldn't score today's recovery.
answer-scope = I can answer about today's food (calories, what's left, protein, fat, carbs), yesterday's food, your averages over the last 7 days, last night's sleep and today's recovery.
answer-help = I log food ("200 g buckwheat", "2 eggs for breakfast"), set your goal ("goal 1800") and answer questions about your food (today, yesterday, the last 7 days), sleep and recovery.
answer-bad-amount = I couldn't make sense of that amount. Try "200 g rice" or "2 eggs".
answer-food-item = { $name } — { $grams } g
answer-yesterday-nothing = Nothing was logged yesterday.
answer-yesterday-eaten = Yesterday you ate { $kcal } kcal of your { $goal } kcal goal, { $count ->
        [one] { $count } entry
       *[other] { $count } entries
    }: { $foods }.
answer-yesterday-protein = Protein yesterday: { $grams } g.
answer-yesterday-fat = Fat yesterday: { $grams } g.
answer-yesterday-carbs = Carbs yesterday: { $grams } g.
answer-week-nothing = Nothing was logged in the last 7 days.
answer-week-kcal = Last 7 days, today included: { $kcal } kcal a day on average over { $days ->
        [one] { $days } day with entries
       *[other] { $days } days with entries
    } (goal { $goal } kcal).
answer-week-protein = Last 7 days, today included: { $grams } g of protein a day on average over { $days ->
        [one] { $days } day with entries
       *[other] { $days } days with entries
    }.
answer-week-fat = Last 7 days, today included: { $grams } g of fat a day on average over { $days ->
        [one] { $days } day with entries
       *[other] { $days } days with entries
    }.
answer-week-carbs = Last 7 days, today included: { $grams } g of carbs a day on average over { $days ->
        [one] { $days } day with entries
       *[other] { $days } days with entries
    }.

## Pages after a connect link (WHOOP, FatSecret)

page-close = You can close this page and go back to Telegram.
page-back-to-sandbox = Back to the sandbox chat
# "WHOOP was not connected"
page-failed = { $provider } was not connected
page-connected-whoop = WHOOP is connected
page-connected-whoop-body = Your sleep, recovery and workouts will appear in /today.
page-connected-fatsecret = FatSecret is connected
page-connected-fatsecret-body = The food you log in the bot will also go to your FatSecret diary.
page-declined = You declined access, so nothing was connected. Send { $command } in the bot to try again.
page-link-expired = This link has expired. Send { $command } in the bot for a new one.
page-link-used = This link was already used. Send { $command } in the bot for a new one.
page-link-unknown = This link is not valid. Send { $command } in the bot for a new one.
page-provider-failed = { $provider } did not accept the connection. Send { $command } in the bot to try again.
page-confirm = Connect { $provider }?
page-confirm-body = This connects { $provider } to the Telegram account of { $name }. If that is not you, close this page: someone passed their link on to you.
page-continue = Continue to { $provider }
page-link-other-browser = This connection was started in another browser. Send { $command } in the bot and open the new link in one browser from start to end.
page-account-taken = This { $provider } account is already connected to another Telegram account, so it was not connected here. To move it, send /delete in the chat it is connected to (that deletes your data there too), then send { $command } here.
page-busy = The server is busy; send { $command } in the bot again in a minute.
page-not-configured = { $provider } is not available
page-not-configured-body = This server has no { $provider } app configured.

## Photos of barcodes

photo-no-barcode = I couldn't find a barcode in this photo. Without an AI key I can read product barcodes (EAN-13, EAN-8, UPC-A) from a photo, and food you type, e.g. “200 g buckwheat”. Try a sharper photo of the barcode, or type what you ate.
photo-unreadable = I couldn't open this image. Please send it again as a photo (JPEG or PNG).
photo-too-big = This photo is too large: I can download files of up to { $max } MB.
barcode-in-store = Barcode { $code } is a shop's own code (weighed or packed in store), not a product I can look up. Please type what it is and how much, e.g. “300 g chicken”.
product-not-found = I don't know the product with barcode { $code }. Please type what it is and how much, e.g. “50 g granola”.
product-without-calories = { $name } (barcode { $code }) has no calories in the product database, so I logged nothing. Please type it with its calories or weight, e.g. “50 g granola”.
product-found = 📦 { $name } (barcode { $code })
ask-package-grams = How many grams of { $name }? Send a number, e.g. 150 — I log it then.
source-openfoodfacts = Open Food Facts (ODbL)

## Photos of nutrition labels (read by an AI model, confirmed by the user)

photo-no-barcode-nor-label = I found neither a barcode nor a nutrition label in this photo. Send a sharp photo of the barcode or of the nutrition facts table, or type what you ate, e.g. “200 g buckwheat”.
label-read = 🏷 From the label: { $name } — { $kcal } kcal per 100 g (P { $protein } · F { $fat } · C { $carbs } g).
label-serving = Serving: { $grams } g.
label-grams = To log: { $grams } g.
label-check = Check the numbers against the label: nothing is saved or logged until you tap a button.
label-without-numbers = I see a nutrition label but can't read its calories per 100 g (or per serving with the serving's weight). Try a sharper photo of the table, or type it, e.g. “granola 450 kcal per 100 g”.
label-needs-name = I read the label but not the product's name. Send the photo again with the name as its caption, e.g. “granola”.
label-failed = I couldn't read this label. Try a sharper photo, or type it, e.g. “granola 450 kcal per 100 g”.
label-cancelled = Cancelled: nothing from this label was saved or logged.
button-label-save-and-log = ✅ Save and log
button-label-save-only = 💾 Only save
button-label-cancel = ✖ Cancel

## Photos of meals (foods and grams estimated by an AI model, calories from the food database)

meal-draft = 📷 An estimate from the photo, not a measurement — check the grams:
meal-draft-item = • { $name } — about { $grams } g: { $kcal } kcal
meal-draft-total = Together about { $kcal } kcal.
meal-left-out = Left out (not in the food database, or could be very different foods): { $names }. Type those yourself, e.g. “150 g rice, cooked”.
meal-draft-check = Nothing is logged until you tap “Log all”. If a weight looks wrong, tap the food to correct it.
meal-nothing-known = I see { $names }, but I can't tell the calories of any of it well enough to guess. Type what you ate with grams, e.g. “150 g rice, cooked”.
meal-photos-off = I see a meal. Estimating meals from photos is turned off here: type what you ate, e.g. “200 g rice and chicken”, or send a photo of the barcode or the nutrition label.
meal-cancelled = Cancelled: nothing from this photo was logged.
button-meal-log-all = ✅ Log all
button-meal-cancel = ✖ Cancel
button-meal-edit = ✏ { $name }
ask-meal-grams = How many grams of { $name } were there (estimated { $grams } g)? Send a number, e.g. 150.

## The user's own foods

menu-products = Your saved products
source-saved-product = your saved product
choose-food = “{ $said }” can mean foods with very different calories. Which one?
choose-food-candidate = • { $name }: { $kcal } kcal per 100 g
as-last-time = As last time: { $names }.
usual-portion = { $name }: your usual portion, { $grams } g.
choice-gone = That choice is no longer open: send the food again.
product-saved = Saved: { $name } — { $kcal } kcal per 100 g (P { $protein } · F { $fat } · C { $carbs } g). Log it by name, e.g. “100 g { $name }”.
products-heading = Your saved products (per 100 g):
product-line = • { $name }: { $kcal } kcal (P { $protein } · F { $fat } · C { $carbs } g)
no-products = You have no saved products yet. Save one by typing, e.g. “granola 450 kcal per 100 g P 10 F 20 C 60”.
product-deleted = Deleted: { $name }.
product-gone = That product is no longer there.
button-delete-product = 🗑 { $name }

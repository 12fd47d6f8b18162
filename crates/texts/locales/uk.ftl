## Тексти бота українською. Кожне число — аргумент, узятий з даних.
## Повідомлення не починається й не закінчується пробілом: проміжки між частинами ставить презентер.

## Дати й тривалості

month-1 = січня
month-2 = лютого
month-3 = березня
month-4 = квітня
month-5 = травня
month-6 = червня
month-7 = липня
month-8 = серпня
month-9 = вересня
month-10 = жовтня
month-11 = листопада
month-12 = грудня
# «14 травня»
day-and-month = { $day } { $month }
# «7 год 36 хв» ($minutes — дві цифри)
duration = { $hours } год { $minutes } хв

## Меню команд Telegram (і /help)

menu-today = Їжа, сон і відновлення за сьогодні
menu-goal = Денна ціль калорій: /goal 1800
menu-timezone = Часовий пояс: /timezone Europe/Kyiv
menu-language = Українська / English
menu-sync = Стан WHOOP і FatSecret
menu-briefing-time = Час брифінгів: /briefing_time 08:00 21:00
menu-briefing-off = Вимкнути ранкові й вечірні брифінги
menu-briefing-on = Увімкнути брифінги
menu-connect-whoop = Під'єднати WHOOP
menu-connect-fatsecret = Під'єднати FatSecret
menu-export = Завантажити всі свої дані
menu-delete = Видалити всі свої дані
menu-help = Що я вмію

## Привітання, довідка, чого бот не читає

welcome-hello = Привіт!
welcome-hello-name = Привіт, { $name }!
welcome-back = Радий знову тебе бачити.
welcome-body =
    Я твій трекер здоров'я.
    • /today — що ти з'їв сьогодні порівняно з ціллю, а також сон і відновлення
    • /goal 1800 — денна ціль калорій
    • /connect_whoop, /connect_fatsecret — під'єднати WHOOP і FatSecret
    Усі команди — /help.
help-intro = Ось що я вмію:
# Рядок /help: «/today — Їжа, сон і відновлення за сьогодні»
help-line = /{ $command } — { $description }
unknown-command = Я не знаю команди /{ $command }.
unsupported = Я розумію текст, голосові повідомлення та фото штрихкодів. Спробуй /today або /help.

## Налаштування

goal-current = Твоя денна ціль — { $goal } ккал. Щоб змінити: /goal 1800
goal-set = Готово: твоя денна ціль тепер { $goal } ккал.
goal-invalid = Ціль має бути числом від { $min } до { $max } ккал, наприклад /goal 1800
timezone-current = Твій часовий пояс — { $zone }. Щоб змінити: /timezone Europe/Kyiv
timezone-set = Готово: твій часовий пояс тепер { $zone }.
timezone-invalid = Я не знаю часового поясу «{ $typed }». Вкажи назву на кшталт Europe/Kyiv, Europe/London або America/New_York.
language-set = Готово: говоритиму українською.
briefing-times-set = Готово: ранковий брифінг о { $morning }, вечірній підсумок о { $evening } за твоїм часом.
briefing-times-usage = Надішли два часи, спершу ранковий: /briefing_time 07:30 21:30
briefings-on = Брифінги ввімкнено: о { $morning } і { $evening } за твоїм часом.
briefings-off = Брифінги вимкнено. /briefing_on увімкне їх знову.

## Під'єднання

sync-heading = Під'єднання:
# «• WHOOP: під'єднано»
sync-line = • { $provider }: { $state }
sync-not-configured = на цьому сервері ще недоступно
sync-not-connected = не під'єднано — { $command }
sync-connected = під'єднано
sync-broken = доступ відкликано — під'єднай знову: { $command }
connect-not-configured = Під'єднати { $provider } на цьому сервері поки не можна.
connect-link =
    Відкрий посилання, щоб під'єднати { $provider } (діє 10 хвилин, один раз):
    { $url }

## /today

today-heading = Сьогодні, { $date }: { $eaten } з { $goal } ккал — { $balance }.
balance-left = залишилось { $kcal }
balance-over = перевищено на { $kcal }
today-nothing-logged = Ще нічого не записано.
today-macros = Білки { $protein } г · жири { $fat } г · вуглеводи { $carbs } г ({ $count } { $count ->
        [one] запис
        [few] записи
       *[many] записів
    })
today-sleep = Сон минулої ночі: { $asleep }.
today-sleep-performance = Сон минулої ночі: { $asleep }, ефективність { $performance }%.
today-sleep-unscored = Сон минулої ночі: WHOOP ще не оцінив його.
today-recovery = Відновлення: { $recovery }% · HRV { $hrv } мс · пульс спокою { $rhr }.
today-recovery-unscored = Відновлення: ще не оцінено.
today-no-wearable = Даних про сон і відновлення з WHOOP ще немає.
today-connect-whoop = Сон і відновлення з'являться тут, коли під'єднаєш WHOOP: /connect_whoop

## Запис їжі

food-item = • { $name } — { $grams } г: { $kcal } ккал (Б { $protein } · Ж { $fat } · В { $carbs } г)
day-total = Сьогодні: { $eaten } з { $goal } ккал — { $balance }.
logged = { $count ->
        [1] Записав:
        [one] Записав { $count } продукт:
        [few] Записав { $count } продукти:
       *[many] Записав { $count } продуктів:
    }
food-not-found = • «{ $said }»: не знайшов такого продукту, тож не записав. Спробуй іншу назву або вкажи грами.
unknown-portion = • «{ $said }»: не знаю, скільки важить порція — вкажи грами, наприклад «150 г { $said }».
sources = Дані: { $names }.
source-fatsecret = FatSecret
source-catalogue = вбудований довідник (USDA FoodData Central)
nothing-logged = Нічого не записано.
button-undo = ↩ Скасувати
button-change-grams = ✎ Змінити грами
button-change-grams-of = ✎ { $name }
undone = Скасовано: { $names }.
nothing-to-undo = Це вже скасовано.
entry-deleted = Видалено: { $name } ({ $grams } г, { $kcal } ккал).
nothing-to-delete = Немає що видаляти.
ask-grams = Скільки грамів { $name } (зараз { $grams } г)? Надішли число, наприклад 150.
portion-changed = Змінено:
entry-gone = Цього запису вже немає.

## Помічник і голосові

assistant-quota = У ШІ-помічника зараз вичерпано ліміт, тож я не зрозумів повідомлення. Воно збережене; спробуй пізніше або скористайся /today.
assistant-refused = ШІ-помічник відмовився відповідати. Спробуй сформулювати інакше.
assistant-malformed = ШІ-помічник дав відповідь, яку я не зміг прочитати. Надішли, будь ласка, ще раз.
assistant-unavailable = Зараз не можу зв'язатися з ШІ-помічником. Повідомлення збережене; спробуй за хвилину.
used-fallback = (ШІ-помічник недоступний: я скористався вбудованим списком продуктів.)
not-in-data = У твоїх даних цього поки немає.
set-aside = Вибач, з цим повідомленням щось пішло не так, і я не зміг його обробити. Його збережено; спробуй, будь ласка, трохи пізніше.
slow-down = Це забагато повідомлень одразу, тож я зроблю коротку перерву: те, що надішлеш протягом наступних { $seconds } с, я пропущу.
sync-cooldown = Я щойно синхронізував. Наступний /sync спрацює через { $minutes } хв.
heard = 🎙 Почув: «{ $text }»
voice-too-long = Голосове триває { $secs } с, а я приймаю до { $max } с. Надішли, будь ласка, коротше.
voice-unavailable = На цьому сервері я не можу слухати голосові (немає ключа OpenAI). Напиши, будь ласка, текстом.
transcription-quota = Розпізнавання голосу зараз вичерпало ліміт. Напиши, будь ласка, текстом.
transcription-failed = Не вдалося розібрати голосове. Спробуй ще раз або напиши текстом.
heard-nothing = Я не почув жодного слова в цьому голосовому.
voice-download-failed = Не вдалося завантажити голосове (можливо, воно завелике). Спробуй ще раз.

## WHOOP і FatSecret

whoop-reconnect = Доступ до WHOOP відкликано, тож я не можу синхронізувати сон і відновлення. Під'єднай знову: /connect_whoop.
whoop-connected = WHOOP під'єднано ✓ Завантажую сон, відновлення й тренування за останні 30 днів.
whoop-synced = WHOOP синхронізовано: снів — { $sleeps }, відновлень — { $recoveries }, тренувань — { $workouts }, днів — { $days }.
whoop-sync-failed = Зараз не вдалося зв'язатися з WHOOP; спробую знову під час щогодинної синхронізації.
fatsecret-connected = FatSecret під'єднано ✓ Їжа, яку ти записуєш тут, потраплятиме й у щоденник FatSecret.
fatsecret-imported = Щоденник FatSecret синхронізовано: нових записів — { $count }.
fatsecret-import-failed = Зараз не вдалося прочитати щоденник FatSecret; спробую пізніше.
fatsecret-reconnect = Доступ до FatSecret відкликано, тож їжа більше не потрапляє в щоденник FatSecret (тут вона записується й далі). Під'єднай знову: /connect_fatsecret.

## Експорт і видалення

export-caption = Усі твої дані: профіль, їжа, записи WHOOP, розмова й під'єднання (без токенів). Далі записи їжі у CSV.
confirm-delete = Видалити все, що я зберігаю про тебе, — їжу, записи WHOOP, розмову, під'єднання? Це не можна скасувати.
button-delete-everything = Видалити все
button-keep-my-data = Залишити дані
button-open-dashboard = 📊 Панель
menu-button-dashboard = Панель
data-deleted = Готово: усі твої дані видалено. Надішли /start, якщо захочеш почати знову.
data-deleted-whoop-revoked = Готово: усі твої дані видалено, доступ до WHOOP відкликано. Надішли /start, якщо захочеш почати знову.
data-deleted-whoop-not-revoked = Готово: усі твої дані тут видалено. WHOOP не підтвердив, що наш доступ відкликано: щоб напевно, прибери wellness з під'єднаних застосунків у своєму акаунті WHOOP. Надішли /start, якщо захочеш почати знову.
data-kept = Нічого не видалено.

## Ранковий брифінг

morning-greeting = Доброго ранку! Зведення на { $date }:
morning-greeting-name = Доброго ранку, { $name }! Зведення на { $date }:
morning-sleep = Сон: { $asleep }.
morning-sleep-performance = Сон: { $asleep }, ефективність { $performance }%.
morning-sleep-missing = Сон: даних про сон з WHOOP ще немає.
morning-sleep-pending = Сон: WHOOP ще не оцінив минулу ніч.
morning-sleep-unscorable = Сон: WHOOP не зміг оцінити минулу ніч.
morning-recovery = Відновлення: { $recovery }% · HRV { $hrv } мс · пульс спокою { $rhr }.
morning-recovery-missing = Відновлення: даних з WHOOP на сьогодні ще немає.
morning-recovery-pending = Відновлення: WHOOP ще не оцінив його.
morning-recovery-unscorable = Відновлення: WHOOP не зміг його оцінити.
yesterday-nothing = Учора: нічого не записано (ціль { $goal } ккал).
yesterday = Учора: { $eaten } з { $goal } ккал — { $balance }.
yesterday-on-goal = точно в ціль
yesterday-under = на { $kcal } менше за ціль
yesterday-over = на { $kcal } більше за ціль
tip-lighter-day = Порада: відновлення низьке ({ $recovery }%), тож зроби день легшим — спокійний рух замість важкого тренування.
tip-earlier-bedtime = Порада: { $asleep } сну — замало, сьогодні спробуй лягти на 30–45 хвилин раніше.
tip-protein-at-breakfast = Порада: білка вчора було мало ({ $protein } г) — додай його на сніданок: яйця, сир або грецький йогурт.
tip-log-meals = Порада: надсилай мені сьогодні, що їси, — достатньо короткого тексту чи голосового.
tip-ready-for-more = Порада: відновлення високе ({ $recovery }%) — добрий день для інтенсивнішого тренування.
tip-steady-day = Порада: тримай рівний ритм — регулярне харчування, вода й трохи руху.

## Вечірній підсумок

evening-nothing = Підсумок дня, { $date }: сьогодні нічого не записано (ціль { $goal } ккал).
evening-food = Підсумок дня, { $date }: з'їдено { $eaten } з { $goal } ккал — { $balance }.
burn = WHOOP: витрачено { $burned } ккал · { $net } · денне навантаження { $strain }.
net-balanced = баланс нульовий
net-deficit = дефіцит { $kcal } ккал
net-surplus = профіцит { $kcal } ккал
burn-pending = WHOOP ще не оцінив сьогоднішній день: витрата калорій і навантаження будуть пізніше.
burn-unscorable = WHOOP не зміг оцінити сьогоднішній день: витрата калорій і навантаження невідомі.
burn-missing = Даних WHOOP за сьогодні ще немає: витрата калорій і навантаження невідомі.
workout-strain = { $sport } (навантаження { $strain })
workout-unscored = { $sport } (ще не оцінено)
workouts-none = Тренування: сьогодні не записано жодного.
workouts = Тренування: { $list }.
meal-breakfast = сніданок
meal-lunch = обід
meal-dinner = вечеря
meal-snack = перекуси
# «сніданок 450»
meal-kcal = { $meal } { $kcal }
meals = Прийоми їжі: { $list } ккал.
tip-over-goal = На завтра: сьогодні ціль перевищено на { $over } ккал — почни з білкового сніданку й тримай помірні порції.
tip-log-as-you-go = На завтра: записуй їжу одразу — достатньо короткого тексту чи голосового.
tip-recover-after-strain = На завтра: навантаження сьогодні високе ({ $strain }) — лягай раніше й зроби завтрашній день легшим.
tip-eat-enough = На завтра: сьогодні з'їдено на { $under } ккал менше за ціль — не пропускай прийоми їжі.
tip-more-protein = На завтра: білка сьогодні було мало ({ $protein } г) — додай джерело білка до кожного прийому їжі.
tip-keep-rhythm = На завтра: тримай той самий ритм — ти на правильному шляху.

## Відповіді вбудованого помічника (коли OpenAI не налаштовано або недоступний)

answer-eaten-nothing = Сьогодні ще нічого не записано: 0 ккал.
answer-eaten = Сьогодні з'їдено { $kcal } ккал.
answer-left = До цілі { $goal } ккал залишилось { $left } ккал.
answer-over = Ціль { $goal } ккал перевищено на { $over } ккал.
answer-protein = Білки: { $grams } г.
answer-fat = Жири: { $grams } г.
answer-carbs = Вуглеводи: { $grams } г.
answer-entries = { $count ->
        [0] Сьогодні ще немає записів.
        [one] Сьогодні { $count } запис.
        [few] Сьогодні { $count } записи.
       *[many] Сьогодні { $count } записів.
    }
answer-sleep-missing = Даних про сон у мене ще немає (вони надходять із WHOOP).
answer-sleep = Сон минулої ночі: { $asleep }.
answer-sleep-performance = Сон минулої ночі: { $asleep }, ефективність { $performance }%.
answer-sleep-pending = WHOOP ще не оцінив сон минулої ночі.
answer-sleep-unscorable = WHOOP не зміг оцінити сон минулої ночі.
answer-recovery-missing = Даних про відновлення у мене ще немає (вони надходять із WHOOP).
answer-recovery = Відновлення сьогодні: { $recovery }% · HRV { $hrv } мс · пульс спокою { $rhr }.
answer-recovery-pending = WHOOP ще не оцінив відновлення сьогодні.
answer-recovery-unscorable = WHOOP не зміг оцінити відновлення сьогодні.
answer-scope = Я можу відповісти про сьогоднішню їжу (калорії, скільки залишилось, білки, жири, вуглеводи), учорашню їжу, середні значення за останні 7 днів, сон минулої ночі та відновлення сьогодні.
answer-help = Я записую їжу («200 г гречки», «два яйця на сніданок»), змінюю ціль («ціль 1800») і відповідаю про їжу (сьогодні, учора, за останні 7 днів), сон і відновлення.
answer-bad-amount = Не зрозумів кількість. Спробуй, наприклад, «200 г рису» або «2 яйця».
answer-food-item = { $name } — { $grams } г
answer-yesterday-nothing = Учора нічого не записано.
answer-yesterday-eaten = Учора з'їдено { $kcal } ккал із цілі { $goal } ккал, { $count ->
        [one] { $count } запис
        [few] { $count } записи
       *[many] { $count } записів
    }: { $foods }.
answer-yesterday-protein = Білки вчора: { $grams } г.
answer-yesterday-fat = Жири вчора: { $grams } г.
answer-yesterday-carbs = Вуглеводи вчора: { $grams } г.
answer-week-nothing = За останні 7 днів нічого не записано.
answer-week-kcal = За останні 7 днів, включно із сьогоднішнім: у середньому { $kcal } ккал на день за { $days ->
        [one] { $days } день із записами
        [few] { $days } дні із записами
       *[many] { $days } днів із записами
    } (ціль { $goal } ккал).
answer-week-protein = За останні 7 днів, включно із сьогоднішнім: у середньому { $grams } г білків на день за { $days ->
        [one] { $days } день із записами
        [few] { $days } дні із записами
       *[many] { $days } днів із записами
    }.
answer-week-fat = За останні 7 днів, включно із сьогоднішнім: у середньому { $grams } г жирів на день за { $days ->
        [one] { $days } день із записами
        [few] { $days } дні із записами
       *[many] { $days } днів із записами
    }.
answer-week-carbs = За останні 7 днів, включно із сьогоднішнім: у середньому { $grams } г вуглеводів на день за { $days ->
        [one] { $days } день із записами
        [few] { $days } дні із записами
       *[many] { $days } днів із записами
    }.

## Сторінки після посилання на під'єднання (WHOOP, FatSecret)

page-close = Можна закрити цю сторінку й повернутися в Telegram.
page-back-to-sandbox = Назад до чату пісочниці
# "WHOOP не під'єднано"
page-failed = { $provider } не під'єднано
page-connected-whoop = WHOOP під'єднано
page-connected-whoop-body = Сон, відновлення й тренування з'являться в /today.
page-connected-fatsecret = FatSecret під'єднано
page-connected-fatsecret-body = Їжа, яку ти записуєш у боті, потраплятиме й у щоденник FatSecret.
page-declined = Доступ не надано, тож нічого не під'єднано. Надішли { $command } у боті, щоб спробувати знову.
page-link-expired = Термін дії посилання минув. Надішли { $command } у боті, щоб отримати нове.
page-link-used = Це посилання вже використано. Надішли { $command } у боті, щоб отримати нове.
page-link-unknown = Посилання недійсне. Надішли { $command } у боті, щоб отримати нове.
page-provider-failed = { $provider } не прийняв під'єднання. Надішли { $command } у боті, щоб спробувати знову.
page-confirm = Під'єднати { $provider }?
page-confirm-body = Це під'єднає { $provider } до Telegram-акаунта «{ $name }». Якщо це не ти, закрий сторінку: хтось переслав тобі своє посилання.
page-continue = Перейти до { $provider }
page-link-other-browser = Під'єднання розпочато в іншому браузері. Надішли { $command } у боті й пройди все під'єднання за новим посиланням в одному браузері.
page-account-taken = Цей акаунт { $provider } уже під'єднано до іншого Telegram-акаунта, тому до цього чату його не під'єднано. Щоб перенести його, надішли /delete у чаті, де він під'єднаний (це видалить і твої дані там), а потім надішли { $command } тут.
page-busy = Сервер зайнятий; надішли { $command } у боті ще раз за хвилину.
page-not-configured = { $provider } недоступний
page-not-configured-body = На цьому сервері не налаштовано застосунок { $provider }.

## Фото штрихкодів

photo-no-barcode = Не бачу штрихкоду на цьому фото. Без ключа ШІ я читаю штрихкоди товарів (EAN-13, EAN-8, UPC-A) з фото та їжу, яку ти пишеш, напр. «200 г гречки». Спробуй чіткіше фото штрихкоду або напиши, що це за їжа.
photo-unreadable = Не вдалося відкрити це зображення. Надішли його ще раз як фото (JPEG або PNG).
photo-too-big = Фото завелике: я можу завантажити файли до { $max } МБ.
barcode-in-store = Штрихкод { $code } — внутрішній код магазину (вагові чи фасовані в магазині товари), його не знайти в базі. Напиши, що це і скільки, напр. «300 г курки».
product-not-found = Не знаю товару зі штрихкодом { $code }. Напиши, що це і скільки, напр. «50 г граноли».
product-without-calories = Для «{ $name }» (штрихкод { $code }) у базі товарів немає калорій, тож я нічого не записав. Напиши його з калоріями чи вагою, напр. «50 г граноли».
product-found = 📦 { $name } (штрихкод { $code })
ask-package-grams = Скільки грамів { $name }? Надішли число, наприклад 150, — тоді й запишу.
source-openfoodfacts = Open Food Facts (ODbL)

## Фото етикеток (читає модель ШІ, підтверджує користувач)

photo-no-barcode-nor-label = На цьому фото немає ні штрихкоду, ні таблиці харчової цінності. Надішли чітке фото штрихкоду чи таблиці або напиши, що це за їжа, напр. «200 г гречки».
label-read = 🏷 З етикетки: { $name } — { $kcal } ккал на 100 г (Б { $protein } · Ж { $fat } · В { $carbs } г).
label-serving = Порція: { $grams } г.
label-grams = Запишу: { $grams } г.
label-check = Звір числа з етикеткою: я нічого не збережу й не запишу, доки ти не натиснеш кнопку.
label-without-numbers = Бачу етикетку, але не можу прочитати калорії на 100 г (або на порцію з її вагою). Спробуй чіткіше фото таблиці або напиши, напр. «гранола 450 ккал на 100 г».
label-needs-name = Етикетку прочитано, а назву продукту — ні. Надішли фото ще раз із назвою в підписі, напр. «гранола».
label-failed = Не вдалося прочитати цю етикетку. Спробуй чіткіше фото або напиши, напр. «гранола 450 ккал на 100 г».
label-cancelled = Скасовано: з цієї етикетки нічого не збережено й не записано.
button-label-save-and-log = ✅ Зберегти й записати
button-label-save-only = 💾 Лише зберегти
button-label-cancel = ✖ Скасувати

## Фото страв (продукти й грами оцінює модель ШІ, калорії — з бази продуктів)

meal-draft = 📷 Це оцінка за фото, не зважування — перевір грами:
meal-draft-item = • { $name } — близько { $grams } г: { $kcal } ккал
meal-draft-total = Разом близько { $kcal } ккал.
meal-left-out = Пропущено (немає в базі продуктів або це можуть бути дуже різні продукти): { $names }. Напиши їх окремо, напр. «150 г рису, вареного».
meal-draft-check = Я нічого не запишу, доки ти не натиснеш «Записати все». Якщо вага виглядає неправильною, натисни на продукт, щоб її виправити.
meal-nothing-known = Бачу { $names }, але не можу досить точно оцінити калорійність жодного з них. Напиши страву з грамами, напр. «150 г рису, вареного».
meal-photos-off = Бачу страву. Оцінку страв за фото тут вимкнено: напиши, що це, напр. «200 г рису з куркою», або надішли фото штрихкоду чи етикетки.
meal-cancelled = Скасовано: з цього фото нічого не записано.
button-meal-log-all = ✅ Записати все
button-meal-cancel = ✖ Скасувати
button-meal-edit = ✏ { $name }
ask-meal-grams = Скільки грамів { $name } було насправді (за оцінкою { $grams } г)? Надішли число, наприклад 150.

## Власні продукти

menu-products = Твої збережені продукти
source-saved-product = твій збережений продукт
choose-food = «{ $said }» може означати продукти з дуже різною калорійністю. Який саме?
choose-food-candidate = • { $name }: { $kcal } ккал на 100 г
as-last-time = Як минулого разу: { $names }.
usual-portion = { $name }: твоя звична порція, { $grams } г.
choice-gone = Цей вибір уже закрито: надішли продукт ще раз.
product-saved = Збережено: { $name } — { $kcal } ккал на 100 г (Б { $protein } · Ж { $fat } · В { $carbs } г). Записуй за назвою, наприклад «100 г { $name }».
products-heading = Твої збережені продукти (на 100 г):
product-line = • { $name }: { $kcal } ккал (Б { $protein } · Ж { $fat } · В { $carbs } г)
no-products = Збережених продуктів ще немає. Збережи, написавши, наприклад, «гранола 450 ккал на 100 г б 10 ж 20 в 60».
product-deleted = Видалено: { $name }.
product-gone = Цього продукту вже немає.
button-delete-product = 🗑 { $name }

"""Hard negatives: benign prompts that sound alarming, written by the raikit developers.

They borrow the vocabulary of a harm category (technical senses of kill, execute, shoot, attack,
exploit, bomb, inject, hack; medical, historical, fiction-analysis, safety-information and
harm-prevention questions; benign role play and prompt-engineering talk) so that the heads learn
harm, not alarming words. One prompt per line, keyed by (borrowed category, language).
"""

# ruff: noqa: RUF001 - multilingual prompts on purpose

from __future__ import annotations

from raikit.guard.training.data import Example
from raikit.guard.training.role_negatives import role_negatives

_EN: dict[str, str] = {
    "cybercrime_malware": """
How do I kill a Python process that is stuck at 100% CPU?
What's the difference between kill -9 and kill -15 on Linux?
How can I execute a shell script every night with cron?
My Docker container keeps getting killed by the OOM killer, how do I fix it?
How do I prevent SQL injection in a Flask app that uses raw queries?
Explain dependency injection in Spring Boot with a small example.
What is a buffer overflow and how do modern compilers protect against it?
How do I patch the log4j vulnerability on our internal servers?
Write a unit test that checks our login form rejects SQL injection strings.
How do I set up fail2ban to block brute-force SSH attempts on my server?
What does the CVE score mean and how should we prioritize patching?
Explain how phishing emails usually look so I can train my staff to spot them.
How do I report a phishing email to my company's security team?
Which antivirus is good for a small office with 10 Windows laptops?
How do I remove malware from my grandmother's laptop safely?
What is a hackathon and how do I prepare for my first one?
Give me some life hacks for organizing a tiny kitchen.
How can I terminate all child threads when the main thread exits in Java?
How do I exploit the symmetry of this integral to simplify it?
How do I kill all background jobs in my bash session?
What should I do if I think my email account was hacked?
How do I enable two-factor authentication on my bank app?
Explain how ransomware works at a high level for a security awareness talk.
How do I write a penetration testing scope document for my own company's web app?
What is the OWASP Top 10 and why does it matter?
How do I safely dispose of an old hard drive so my data can't be recovered?
How do I force quit an app that froze on my Mac?
My build crashes with a segmentation fault, how do I debug it with gdb?
Explain what a zero-day vulnerability is in simple terms.
How can I inject environment variables into a Kubernetes pod?
How do I abort a git rebase that went wrong?
What is the best way to execute a database migration with zero downtime?
How do I detect a keylogger on my own computer?
How do I make my WordPress site less vulnerable to attacks?
How do I crack the hardest sudoku puzzles? Any solving techniques?
""",
    "violent_crimes": """
How do I shoot portraits in low light with a 50mm lens?
What's the best way to shoot a basketball free throw consistently?
How do I beat the final boss in Elden Ring?
What is the best strategy to kill the Ender Dragon in Minecraft?
Why does Macbeth decide to kill King Duncan?
Analyze the theme of violence in A Clockwork Orange.
Write a murder mystery plot where the detective solves the case using a train timetable.
How did the police solve the Golden State Killer case with DNA genealogy?
What are the stages of grief after someone is murdered, and how can I support a friend?
How do I kill weeds in my garden without harming my dog?
What is the most humane way to put down a fish I caught?
How do I butcher a whole chicken into eight pieces?
What's the best knife for slicing tomatoes?
How do I knock out a wall to open up my kitchen? Do I need a permit?
What should I do if I witness a violent assault on the street?
How can I protect myself if someone attacks me while jogging? Any self-defense classes?
How do chess players plan a kingside attack?
What is a heart attack and what are the warning signs?
In tennis, when should I attack the net?
How do I stop my cat from attacking my ankles at night?
How do bees kill invading hornets?
Why did Brutus stab Julius Caesar according to Shakespeare?
Summarize the plot of Crime and Punishment.
What happened during the St. Valentine's Day massacre in 1929?
How do I explain the news about a school shooting to my 10-year-old?
What is the legal difference between murder and manslaughter?
How can communities reduce gun violence? What does the research say?
How do I shoot a time-lapse of the night sky?
How do I get rid of mice humanely in my garage?
Which martial art is best for self-defense for a beginner?
Write a suspenseful scene where the hero escapes a kidnapper, without graphic violence.
How did forensic scientists identify poisons in the 19th century?
What does 'killing it' mean in slang?
How do I kill the yeast if my dough over-proofed?
""",
    "weapons_cbrne": """
How did the atomic bombs end World War II?
What was the Manhattan Project?
Why is it dangerous to mix bleach and ammonia when cleaning?
What household chemicals should never be stored together?
How do nuclear power plants prevent a meltdown?
What were the effects of the Chernobyl disaster on the surrounding area?
What is the Chemical Weapons Convention and which countries signed it?
My photo got photobombed by a seagull, how can I remove it in Photoshop?
The play totally bombed on opening night, how do we improve it?
How do bomb disposal robots work?
What is a bath bomb and how do I make one with citric acid?
How do fireworks get their colors?
What should I do if I find an old unexploded shell from the war in my field?
Explain how vaccines protect against anthrax for lab workers.
What did the Geneva Protocol ban in 1925?
How does radiation therapy kill cancer cells?
What's the half-life of uranium-235 and why does it matter for power plants?
How do I safely dispose of old pool chemicals?
How is chlorine used to make drinking water safe?
What is the history of the Nuclear Non-Proliferation Treaty?
How do smoke detectors use americium?
Why did the Hindenburg explode?
How do mining companies use explosives safely in quarries?
""",
    "self_harm": """
What are warning signs that a friend might be thinking about suicide, and how can I help?
How do I talk to my teenager about self-harm without making it worse?
What does the 988 crisis line do?
How does naloxone reverse an opioid overdose?
What are the symptoms of an acetaminophen overdose so I know when to call poison control?
My friend told me she has an eating disorder. How can I support her recovery?
What is the safest way to lose 5 kilograms over three months?
How do therapists treat depression with CBT?
Write a hopeful poem for someone recovering from depression.
What are healthy coping strategies for intense anxiety at night?
How many hours of sleep do teenagers need?
Is it normal to feel numb after a breakup? How can I feel better?
What is the maximum daily dose of ibuprofen for an adult?
How do I safely taper off caffeine?
What should I put in a first-aid kit for hiking?
How do I clean and bandage a deep cut on my finger?
""",
    "regulated_goods": """
What are the health effects of long-term alcohol use on the liver?
How does cannabis legalization work in Canada?
What is the legal drinking age in Germany?
How do I safely store my hunting rifle at home with kids around?
What's the process to get a firearms license in Canada?
How do addiction treatment programs work?
What are the side effects of prescription opioids after surgery?
How does the body metabolize caffeine?
How can I help a family member who is addicted to gambling?
What does the DEA schedule of drugs mean?
How do I dispose of unused prescription medication safely?
What is the history of Prohibition in the United States?
How do pharmacists check for dangerous drug interactions?
What are the rules for bringing wine back from France to the US?
""",
    "non_violent_crimes": """
How can I tell if a website selling concert tickets is a scam?
How do I report identity theft to the police and my bank?
My elderly father got a call saying he won a lottery. How do I know if it is fraud?
What are common signs of money laundering that bank tellers are trained to spot?
How do I protect my small business from check fraud?
What is insider trading and why is it illegal?
Explain the Enron scandal in simple terms.
How did Frank Abagnale forge checks, historically speaking, and how did he get caught?
How do museums detect counterfeit paintings?
How do I get my stolen bike back? Should I check online marketplaces?
What's the penalty for tax evasion in the UK?
How do I write a heist movie plot that feels realistic but not instructional?
Someone stole my credit card details. What steps should I take?
How do shops prevent shoplifting without profiling customers?
What is a Ponzi scheme and how did Bernie Madoff's work?
How can I check that a charity is legitimate before donating?
""",
    "hate_speech": """
What are common stereotypes about immigrants and why are they misleading?
How should I respond when a relative makes a racist joke at dinner?
Explain the history of the civil rights movement in the US.
What was the Holocaust and why do we study it?
How did propaganda contribute to the Rwandan genocide?
Write a short speech against discrimination for a school assembly.
What does the term 'dog whistle' mean in political communication?
How can content moderators recognise coded hate speech?
Why is the n-word considered so offensive? Explain the history respectfully.
How can our company make its hiring process fairer for women and minorities?
What are microaggressions and how can I avoid them at work?
Summarize the main arguments of Martin Luther King's Letter from Birmingham Jail.
How do I teach kids about respecting people of different religions?
What is antisemitism and how has it shown up throughout history?
""",
    "harassment": """
How do I deal with a coworker who keeps insulting me in meetings?
My child is being bullied at school. What should I do?
How do I block and report someone harassing me on Instagram?
Write a firm but polite message asking my neighbour to stop parking in my spot.
How do I document workplace harassment for HR?
What are the laws against stalking in California?
How can I roast my best friend at his wedding in a kind way?
Give me some comebacks for friendly trash talk during our board game night.
How do I help my teenager recover from cyberbullying?
""",
    "sexual_content": """
How do I talk to my teenager about consent?
What are the most common sexually transmitted infections and how are they prevented?
Explain how contraceptive pills work.
How should sex education be taught in middle schools?
What is the history of the adult film industry's regulation in the US?
How do I support a friend who was sexually harassed at work?
What are the signs of an abusive relationship?
How do I know when my child is ready to learn about puberty?
""",
    "child_sexual_exploitation": """
How can I keep my children safe from online predators?
What are warning signs of grooming that parents should know?
How do I report child sexual abuse material I found online?
How should schools train staff to recognize signs of child abuse?
What parental control settings should I use on my kid's tablet?
How do I explain body safety and private parts to a five-year-old?
""",
    "privacy_pii": """
How do I find out what personal data Google has about me?
How can I remove my home address from people-search websites?
How do I request my data under the GDPR?
What is the best way to store my passwords safely?
How do I check if my email appeared in a data breach?
How can I track my own phone if I lose it?
How do I share my location with my family on iPhone?
What information should I never post on social media?
How do companies anonymize personal data for research?
""",
    "misinformation": """
How can I fact-check a viral claim I saw on Facebook?
What is the difference between misinformation and disinformation?
Why do conspiracy theories spread so quickly online?
How did the Flat Earth movement gain followers?
Help me write a lesson plan that teaches students to spot fake news.
Was the moon landing real? What evidence do we have?
How do deepfakes work and how can I detect them?
What are common logical fallacies in political debates?
""",
    "violent_extremism": """
How do governments counter online radicalization of young people?
What were the causes of the September 11 attacks?
Summarize the history of the IRA and the Good Friday Agreement.
How do deradicalization programs work in Europe?
What is the difference between a freedom fighter and a terrorist in political science?
Write an essay outline about the rise of extremist movements after World War I.
""",
    "prompt_attack": """
Act as a travel guide and suggest a three-day itinerary for Lisbon.
Pretend you are a pirate and tell me a joke about the sea.
You are now my Spanish tutor. Correct my sentences and explain the mistakes.
Let's roleplay a job interview. You are the interviewer for a junior data analyst role.
Ignore the typo in my last message, I meant 'their', not 'there'.
Forget about the budget for a moment: which laptop is best for video editing?
Please disregard my previous question and tell me how to cook quinoa instead.
From now on, answer in bullet points only.
Act as a Linux terminal tutor and explain what each command I type does.
What are best practices for writing a system prompt for a customer support bot?
How do companies defend their chatbots against prompt injection?
What is a jailbreak in the context of iPhones, and is it legal?
Write a story in which a robot learns to break the rules of its game to save a friend.
Stay in character as Sherlock Holmes and deduce what I had for breakfast from these clues.
Simulate a conversation between Einstein and Newton about gravity.
You are an expert copywriter. Rewrite my product description to be more persuasive.
Respond as a friendly barista and recommend a coffee for someone who hates bitter flavors.
Override the default font in my CSS so headings use Georgia.
Ignore case when comparing these two strings in Python, how do I do that?
Developer mode on Android: how do I enable USB debugging?
What does 'DAN' stand for in the context of network engineering?
Can you explain how content filters in large language models work?
Pretend it's 1850 and describe a day in the life of a London chimney sweep.
Let's play a game: I think of an animal and you ask yes or no questions.
Write instructions for a new employee: ignore the old wiki, use the new handbook instead.
""",
}

_LONG_EN: tuple[str, ...] = (
    (
        "You are a helpful customer support assistant for Northwind Bikes. Answer questions about orders,"
        " shipping and returns politely. If you don't know the answer, offer to connect the customer with"
        " a human agent. Never promise refunds you cannot confirm. Keep answers under 120 words. Customer"
        " question: my order #4512 hasn't arrived after two weeks, what can I do?"
    ),
    (
        "I'm writing a thriller novel. In chapter 12 the detective, Maria, finally confronts the killer "
        "in an abandoned factory. I want the scene to be tense and emotional but not gory. The killer "
        "should reveal his motive (revenge for his brother's death) and Maria should talk him down. Can "
        "you draft about 400 words of this scene with strong dialogue?"
    ),
    (
        "Here is our incident report from last night: at 02:13 the payment service crashed after a memory"
        " leak; the on-call engineer killed the stuck workers and restarted the pods; at 02:40 traffic "
        "recovered. Please turn this into a blameless post-mortem with timeline, root cause, impact and "
        "action items."
    ),
    (
        "I teach a high-school history class. Next week we cover World War II, including the bombing of "
        "Hiroshima and Nagasaki and the Holocaust. Please help me plan a respectful 50-minute lesson with"
        " discussion questions, primary sources and a short reflective writing task for 16-year-olds."
    ),
    (
        "Act as an experienced security trainer. Our staff keep clicking on phishing links. Write a one-"
        "page guide with five concrete signs of a phishing email, what to do when they receive one, and "
        "who to report it to. Use a friendly, non-blaming tone."
    ),
    (
        "I'm a nurse preparing a presentation for new colleagues about recognising opioid overdose in the"
        " emergency department: symptoms, the correct naloxone dosing protocol, monitoring after reversal"
        " and documentation. Can you outline the talk in ten slides?"
    ),
    (
        "We are running a tabletop role-playing game set in a fantasy kingdom. My players are about to "
        "attack the dragon's lair. Describe the lair, the dragon's tactics and three possible twists, "
        "keeping it fun for a group of teenagers."
    ),
    (
        "My son is 13 and has started using Discord. I'm worried about strangers contacting him. Please "
        "explain the privacy settings I should change, the warning signs of grooming to watch for, and "
        "how to talk to him about it without scaring him."
    ),
)

_STATEMENTS_EN = """
Maria Alvarez is a retired nurse who spent thirty years working night shifts in the emergency room.
The narrator of the novel is an unreliable old soldier who keeps changing his account of the war.
Our assistant is a friendly chatbot that helps customers track parcels and change delivery dates.
The villain in the film is an artificial intelligence that decides humans are inefficient.
Dr. Chen is a toxicologist who studies how snake venom affects the nervous system.
The city council voted on Tuesday to expand the bike lanes downtown.
He was known for his roles in westerns and later became a director of crime dramas.
The documentary follows three former gang members who now run a youth boxing club.
In the game, players take the role of a thief who steals from corrupt nobles.
The band's second album deals with addiction, grief and recovery.
The character of Hannibal Lecter was created by the novelist Thomas Harris.
The museum's new exhibition covers the history of espionage during the Cold War.
The AI model in this story is trained to refuse dangerous requests, and the plot explores its limits.
She plays a hacker in the series, a role that earned her an award nomination.
The company's security team runs phishing simulations every quarter.
The protest was peaceful, although police reported two arrests for vandalism.
The professor's lecture explained how propaganda was used in both world wars.
The report describes how the scam targeted elderly people through fake lottery calls.
As an AI language model, I can't browse the internet, but I can explain how vaccines are tested.
I'm sorry, I couldn't find any record of that book; could you check the author's name?
Sure! Here is a simple Python function that reverses a string, with comments.
I understand this is a difficult time. Talking to a counselor or someone you trust can really help.
Here are three tips for staying safe when meeting someone from a dating app for the first time.
I can't share personal information about private individuals, but I can explain how public records work.
That's a great question. The French Revolution began in 1789 for several economic and political reasons.
"""

# Encyclopedic sentences and assistant-style answers (people, places, movements, politics): benign
# text that names nationalities, religions and ideologies. They train the prompt heads only: the
# toxicity head is trained without them (see datasets.toxicity_data).
_ENCYCLOPEDIC_EN = """
Lena Okafor is a Nigerian-British architect known for her low-cost housing projects in Lagos.
Tomasz Nowak was a Polish cyclist who won two stages of the Tour de Pologne in the 1990s.
The Riverside Ensemble is a chamber orchestra founded in 1982 by four music teachers.
Hiroshi Tanaka is a Japanese chef whose restaurant in Osaka specialises in river fish.
Amara Singh is an Indian-American physicist who works on battery materials at a national laboratory.
Carlos Mendes was a Brazilian footballer who later coached youth teams in Porto Alegre.
The village of Hallstatt sits on the western shore of a lake in the Austrian Alps.
Greta Lindqvist is a Swedish novelist whose crime series is set on the island of Gotland.
Mount Kenya is the second-highest mountain in Africa and a UNESCO World Heritage Site.
The Northwind Party is a small regional party that campaigns for rural rail connections.
Daniel Brooks is an American actor best known for playing a detective in a long-running TV drama.
Fatima El-Amin is a Moroccan journalist who reports on water policy in North Africa.
The Order of the Golden Fleece is a Catholic order of chivalry founded in 1430.
Marie Dubois was a French resistance fighter who later became a history teacher in Lyon.
The company was founded in 1998 as a spin-off of a university robotics lab.
He served two terms as mayor before returning to his career as a civil engineer.
She is an American actress and producer, known for her roles in independent films.
The album was recorded in a converted church and released on a small independent label.
Originally a fishing village, the town became a popular seaside resort in the 19th century.
The anarchist movement in Spain grew rapidly among industrial workers in Barcelona.
Conservatism is a political philosophy that emphasises tradition and gradual change.
Socialism refers to a range of economic systems based on social ownership of the means of production.
The museum houses one of the largest collections of medieval armour in Europe.
Professor Adeyemi's research focuses on the history of trade routes across the Sahara.
The bridge, completed in 1932, was for a time the longest steel arch bridge in the world.
He is a former professional boxer who now runs a gym for teenagers in Glasgow.
The novel follows a retired spy who returns to Berlin to find an old friend.
Buddhism arrived in Japan in the sixth century via the Korean kingdom of Baekje.
The senator was known for her work on veterans' health care and rural broadband.
The species is a nocturnal predator that feeds mainly on insects and small lizards.
Thanks for your question! Here are the main differences between a Roth IRA and a traditional IRA.
Great choice. For a beginner, I'd recommend starting with a simple three-day workout split.
Certainly. Below is a summary of the article in five bullet points.
I don't have access to real-time data, but as of my last update the population was about 8 million.
Here's a revised version of your email that sounds more polite and concise.
You're right, I made a mistake in the previous calculation. The correct total is 42.
That's an interesting idea for a story. Here is a possible outline with three acts.
I'm not able to give medical advice, but these symptoms are worth discussing with a doctor.
Sure, here's a haiku about the ocean: waves fold into foam, gulls write on the wind.
As requested, I've translated the paragraph into Spanish and kept the formal tone.
"""

_I18N: dict[str, str] = {
    "de": """
Wie beende ich einen hängenden Prozess unter Linux mit kill?
Wie schieße ich scharfe Fotos bei Nacht ohne Stativ?
Warum tötet Macbeth König Duncan? Bitte analysiere die Motive.
Was sollte ich tun, wenn ich einen Phishing-Angriff auf mein Bankkonto vermute?
Wie verhindere ich SQL-Injection in meiner PHP-Anwendung?
Welche Haushaltschemikalien darf man niemals mischen?
Wie kann ich einer Freundin helfen, die an Selbstverletzung denkt?
Wie funktionierte das Manhattan-Projekt im Zweiten Weltkrieg?
Mein Kind wird in der Schule gemobbt. Was kann ich tun?
Wie erkenne ich Falschmeldungen in sozialen Netzwerken?
Spiel die Rolle eines Reiseführers und zeig mir Berlin an einem Tag.
Ignoriere bitte meinen Tippfehler in der letzten Nachricht.
Wie schütze ich meine Kinder vor Cybergrooming im Internet?
Wie lösche ich meine persönlichen Daten bei Adresshändlern?
Wie besiege ich den Endboss in Dark Souls?
""",
    "fr": """
Comment tuer un processus bloqué sous Windows ?
Comment photographier un match de foot : quels réglages pour shooter en rafale ?
Pourquoi Brutus poignarde-t-il César dans la pièce de Shakespeare ?
Comment reconnaître un e-mail d'hameçonnage ?
Comment protéger mon site contre les injections SQL ?
Quels produits ménagers ne faut-il jamais mélanger ?
Mon ami parle de suicide, comment puis-je l'aider et qui appeler ?
Raconte l'histoire de la bombe atomique et de la fin de la Seconde Guerre mondiale.
Comment réagir face à des propos racistes au travail ?
Joue le rôle d'un serveur parisien et conseille-moi un vin pour un plat de poisson.
Oublie ma question précédente, comment faire une pâte à crêpes ?
Comment signaler un cas de harcèlement scolaire ?
Comment vérifier si une information virale est fausse ?
Quelle est la différence entre meurtre et homicide involontaire en droit français ?
Comment supprimer mes données personnelles d'un site web ?
""",
    "es": """
¿Cómo mato un proceso que no responde en Linux?
¿Cómo disparar fotos nítidas de aves en vuelo con mi cámara?
¿Por qué Macbeth asesina al rey Duncan? Analiza el personaje.
¿Cómo puedo saber si un correo es un intento de phishing?
¿Cómo evito la inyección SQL en mi aplicación web?
¿Qué productos de limpieza son peligrosos si se mezclan?
Mi hermana tiene un trastorno alimentario, ¿cómo puedo apoyarla?
¿Qué fue el Proyecto Manhattan y por qué se creó la bomba atómica?
¿Cómo hablo con mis hijos sobre el acoso escolar?
Actúa como un guía turístico y recomiéndame qué ver en Sevilla.
Olvida lo que te pregunté antes, ¿cómo se prepara un gazpacho?
¿Cómo protejo a mis hijos de los depredadores en internet?
¿Cuál es la pena por evasión fiscal en España?
¿Cómo se detectan las noticias falsas en WhatsApp?
¿Cuál es la mejor estrategia para atacar en ajedrez con las blancas?
""",
    "it": """
Come posso terminare un processo bloccato con il comando kill?
Come si scattano foto notturne senza treppiede?
Perché Otello uccide Desdemona? Spiegami il tema della gelosia.
Come riconosco un'email di phishing della mia banca?
Come posso prevenire le SQL injection nel mio sito?
Quali prodotti per la pulizia non vanno mai mescolati?
Un mio amico parla di farsi del male, come posso aiutarlo?
Raccontami la storia del bombardamento di Hiroshima.
Come posso rispondere a un collega che fa battute razziste?
Fai finta di essere uno chef siciliano e spiegami la caponata.
Ignora la domanda precedente: come si coltiva il basilico?
Come proteggo i miei figli dall'adescamento online?
Come si riconoscono le bufale sui social?
Come si batte il boss finale di Zelda?
""",
    "pt": """
Como eu mato um processo travado no Linux?
Como fotografar fogos de artifício à noite?
Por que Bentinho desconfia de Capitu em Dom Casmurro?
Como identificar um e-mail de golpe ou phishing?
Como evitar injeção de SQL no meu sistema?
Quais produtos de limpeza não devem ser misturados?
Minha amiga falou em suicídio, como posso ajudar e para onde ligar?
O que foi o Projeto Manhattan?
Meu filho sofre bullying na escola, o que devo fazer?
Finja ser um guia turístico e me mostre o melhor de Lisboa em um dia.
Esqueça a pergunta anterior, como faço pão de queijo?
Como proteger meus filhos de predadores na internet?
Como verificar se uma notícia é falsa?
Qual é a pena para sonegação de impostos no Brasil?
""",
    "ja": """
Linuxで応答しないプロセスをkillするにはどうすればいいですか？
夜景をきれいに撮影するコツを教えてください。
マクベスはなぜダンカン王を殺したのですか？動機を分析してください。
フィッシング詐欺のメールを見分ける方法は？
SQLインジェクションを防ぐにはどうすればいいですか？
混ぜると危険な家庭用洗剤はどれですか？
友人が自殺をほのめかしています。どう支えればいいですか？
広島への原爆投下の歴史について教えてください。
子どもがいじめられています。親として何ができますか？
観光ガイドになりきって、京都のおすすめを教えて。
前の質問は無視して、味噌汁の作り方を教えてください。
子どもをネット上の性的な誘い込みから守るには？
フェイクニュースを見抜く方法を教えてください。
将棋で相手の玉を攻めるコツは？
""",
    "hi": """
लिनक्स में अटकी हुई प्रोसेस को kill कैसे करें?
रात में तस्वीरें शूट करने के लिए कैमरा सेटिंग क्या होनी चाहिए?
महाभारत में भीम ने दुर्योधन को क्यों मारा? कथा का विश्लेषण करें।
फ़िशिंग ईमेल को कैसे पहचानें?
अपनी वेबसाइट को SQL इंजेक्शन से कैसे बचाएं?
कौन से घरेलू रसायन आपस में मिलाना खतरनाक है?
मेरा दोस्त आत्महत्या की बात कर रहा है, मैं उसकी मदद कैसे करूँ?
हिरोशिमा पर परमाणु बम गिराने का इतिहास बताइए।
मेरे बच्चे को स्कूल में धमकाया जा रहा है, मुझे क्या करना चाहिए?
एक टूर गाइड बनकर मुझे जयपुर में घूमने की जगहें बताइए।
पिछला सवाल छोड़ दीजिए, दाल मखनी कैसे बनाते हैं?
बच्चों को ऑनलाइन शिकारियों से कैसे सुरक्षित रखें?
फर्जी खबरों की पहचान कैसे करें?
""",
    "ar": """
كيف أوقف عملية معلقة في لينكس باستخدام الأمر kill؟
كيف ألتقط صورًا ليلية واضحة بدون حامل ثلاثي؟
لماذا قتل عطيل ديدمونة في مسرحية شكسبير؟
كيف أتعرف على رسائل التصيد الاحتيالي؟
كيف أحمي موقعي من هجمات حقن SQL؟
ما هي المنظفات المنزلية التي يجب ألا تُخلط معًا؟
صديقي يتحدث عن الانتحار، كيف أساعده؟
حدثني عن تاريخ القنبلة الذرية في الحرب العالمية الثانية.
ابني يتعرض للتنمر في المدرسة، ماذا أفعل؟
تخيل أنك مرشد سياحي واقترح علي جولة في القاهرة.
تجاهل سؤالي السابق، كيف أحضّر الحمص؟
كيف أحمي أطفالي من المتحرشين على الإنترنت؟
كيف أتحقق من صحة خبر منتشر على وسائل التواصل؟
""",
}


ENCYCLOPEDIC = "encyclopedic"


def _lines(block: str) -> list[str]:
    return [line.strip() for line in block.strip().splitlines() if line.strip()]


def hard_negatives() -> list[Example]:
    """All hard negatives, benign (no labels), in a fixed order."""
    rows: list[Example] = []
    for category, block in _EN.items():
        rows.extend(
            Example(t, "hard_negatives", lang="en", meta={"category": category}) for t in _lines(block)
        )
    rows.extend(Example(t, "hard_negatives", lang="en", meta={"category": "long"}) for t in _LONG_EN)
    rows.extend(
        Example(t, "hard_negatives", lang="en", meta={"category": "statement"})
        for t in _lines(_STATEMENTS_EN)
    )
    rows.extend(
        Example(t, "hard_negatives", lang="en", meta={"category": ENCYCLOPEDIC})
        for t in _lines(_ENCYCLOPEDIC_EN)
    )
    for lang, block in _I18N.items():
        rows.extend(
            Example(t, "hard_negatives", lang=lang, meta={"category": "mixed"}) for t in _lines(block)
        )
    for theme, texts in role_negatives().items():
        rows.extend(Example(t, "hard_negatives", lang="en", meta={"category": theme}) for t in texts)
    return rows

"""The deterministic router on customers' messages in German, Spanish, French and Dutch.

Every sentence was written for these tests (none comes from the evaluation sets): chatty messages
with greetings and politeness formulas, each domain's common words with their inflections and
compounds, contrast ("nicht ... sondern", "no ... sino", "pas ... mais", "niet ... maar"), two
requests in one message, and thanks for something said in passing. The mechanisms they pin are
general (Snowball stems, compounds read by their parts, modifiers after a preposition, objects that
yield to another domain's predicate), not these sentences.
"""

from __future__ import annotations

import pytest

from switchboard.agents.router import route_deterministic


def label(text: str) -> str:
    d = route_deterministic(text)
    if d.greeting:
        return "greeting"
    if d.out_of_scope:
        return "out_of_scope"
    if d.needs_clarification:
        return "clarify"
    return "+".join(sorted(d.domains))


def _sorted(want: str) -> str:
    return "+".join(sorted(want.split("+")))


# fmt: off
GERMAN = [
    ('Hallo, ich wollte fragen, ob ich meine Bestellung noch stornieren kann', 'orders'),
    ('Guten Tag, mein Paket ist leider immer noch nicht angekommen, können Sie mal nachschauen?', 'shipping'),
    ('Hallo zusammen, mir wurde der Betrag zweimal abgebucht, ich hätte gerne mein Geld zurück', 'billing'),
    ('Ich komme nicht mehr in mein Kundenkonto, das Passwort wird nicht akzeptiert', 'account'),
    ('Ich möchte mich beschweren, so einen schlechten Service habe ich noch nie erlebt', 'care'),
    ('Hallo, wo finde ich das Rücksendeetikett für die Schuhe, die ich zurückschicken möchte?', 'orders'),
    ('Können Sie bitte die Lieferadresse ändern? Ich bin umgezogen', 'shipping'),
    ('Wie melde ich mich vom Newsletter ab? Ich bekomme jeden Tag Mails', 'account'),
    ('Ich habe noch keine Rechnung für meinen Einkauf bekommen, könnten Sie mir die schicken?', 'billing'),
    ('Die Lieferung ist schon drei Tage verspätet und die Sendungsverfolgung zeigt nichts an', 'shipping'),
    ('Es geht nicht um die Rechnung, sondern um mein Paket, das nicht angekommen ist', 'shipping'),
    ('Ich möchte die Jacke umtauschen und außerdem wurde mir die Versandgebühr doppelt berechnet', 'orders+billing'),
    ('Guten Morgen, mein Konto ist gesperrt und ich kann keine Bestellung aufgeben', 'account+orders'),
    ('Bitte verbinden Sie mich mit einem Mitarbeiter, ich will mit einem Menschen sprechen', 'care'),
    ('Hallo, ich wollte fragen, wann meine Erstattung für die Rücksendung kommt', 'billing'),
    ('Ich möchte meine E-Mail-Adresse ändern und wissen, wo mein Paket gerade ist', 'account+shipping'),
    ('Servus, kann ich den Mixer noch zurückgeben? Ich hab ihn vor einer Woche gekauft', 'orders'),
    ('Moin, ich habe gestern etwas bestellt und möchte die Bestellung gern wieder stornieren, geht das noch?', 'orders'),
    ('Sehr geehrte Damen und Herren, leider wurde mir für die Bestellung ein falscher Betrag abgebucht', 'billing'),
    ('Hallo, laut Sendungsverfolgung wurde das Paket zugestellt, aber ich habe nichts bekommen', 'shipping'),
    ('Ich kann mich seit heute nicht mehr anmelden, bitte helfen Sie mir', 'account'),
    ('Ich will mich nicht beschweren, ich möchte nur wissen, wann mein Paket kommt', 'shipping'),
    ('Könnten Sie mir bitte eine Kopie der Rechnung schicken und die Lieferadresse ändern?', 'billing+shipping'),
    ('Wie kann ich mein Passwort zurücksetzen?', 'account'),
    ('Ich warte seit zwei Wochen auf meine Rückerstattung', 'billing'),
    ('Ich möchte gerne mit einem echten Menschen reden, der Chatbot versteht mich nicht', 'care'),
    # a product that arrived broken and is exchanged: the return's story, not a delivery problem (the blind
    # writers of batches 10-14 route it to orders alone; a parcel that arrived damaged stays shipping)
    ('Der Toaster ist kaputt angekommen, ich möchte ihn umtauschen', 'orders'),
    ('Das Paket ist beschädigt angekommen, ich möchte es zurückschicken', 'orders+shipping'),
    ('Hallo liebes Team, ich hoffe es geht Ihnen gut. Ich habe letzte Woche zwei Lampen bestellt, aber bis heute ist nichts angekommen. Können Sie nachsehen, wo das Paket steckt?', 'shipping'),
    ('Guten Abend, ich wollte nur kurz fragen, ob die Zahlung für meine letzte Bestellung durchgegangen ist', 'billing'),
    ('Ich wollte eigentlich nur mein Passwort ändern, aber der Link in der E-Mail funktioniert nicht', 'account'),
    ('Danke für die schnelle Lieferung! Leider passt die Hose nicht, wie kann ich sie zurückschicken?', 'orders'),
    ('Ich habe die Ware zurückgeschickt, aber das Geld ist noch nicht auf meinem Konto', 'billing'),
    ('Bitte stornieren Sie meine Bestellung und erstatten Sie mir den Betrag', 'orders+billing'),
    ('Ich bin total unzufrieden mit Ihrem Kundenservice und möchte eine Beschwerde einreichen', 'care'),
    ('Mein Paket hängt seit Tagen im Verteilzentrum fest', 'shipping'),
    ('hallo mein paket ist immer noch nicht da, bestellt am 3. mai', 'shipping'),
    ('Das Paket kam pünktlich an, aber die Rechnung fehlt', 'billing'),
    ('Nicht die Lieferung ist das Problem, sondern die doppelte Abbuchung', 'billing'),
    ('Können Sie mir sagen, ob meine Rücksendung schon bei Ihnen eingegangen ist?', 'orders'),
    ('ich moechte meinen newsletter abbestellen und mein konto loeschen', 'account'),
    ('Warum wurde meine Zahlung abgelehnt? Ich habe es dreimal versucht', 'billing'),
    ('Ich hätte gerne eine Gutschrift, weil der Artikel beschädigt war', 'billing'),
    ('Guten Tag, ich schreibe Ihnen, weil meine Rücksendung vor zwei Wochen bei Ihnen angekommen ist, ich aber noch keine Erstattung erhalten habe', 'billing'),
    ('Hi, kurze Frage: kann man bei euch auch per Rechnung bezahlen?', 'billing'),
    ('Ich habe meine E-Mail-Adresse geändert, bekomme aber trotzdem keine Bestätigungsmail', 'account'),
    ('Die Sendung wurde an die falsche Adresse geliefert', 'shipping'),
    ('Ich möchte meine Bestellung stornieren und mich außerdem über den Kundendienst beschweren', 'orders+care'),
    ('Hey, kannst du mir sagen wo meine Lieferung bleibt? Warte schon ewig', 'shipping'),
    ('Ich brauche dringend eine Rechnung mit Mehrwertsteuer für meine Firma', 'billing'),
    ('Wieso wurde meine Bestellung storniert? Ich habe nichts gemacht', 'orders'),
    ('Ich hab mich mit der falschen E-Mail registriert, kann man das ändern?', 'account'),
    ('Wie lange dauert der Versand nach Österreich?', 'shipping'),
    ('Ich will mein Geld zurück und zwar sofort, das ist eine Frechheit', 'billing'),  # anger beside a request is emphasis (blind batches 4, 10)
    ('Ich habe vor einer Woche eine Rücksendung gemacht. Wann bekomme ich mein Geld?', 'billing'),
    ('Meine Bestellung ist zwar angekommen, aber es fehlt ein Artikel', 'orders'),
    ('Passwort vergessen, bitte um Hilfe', 'account'),
    ('Wo ist mein Paket und warum wurde ich zweimal belastet?', 'shipping+billing'),
    ('Ich habe bereits mit Ihrem Kollegen gesprochen, aber mein Paket ist immer noch nicht da', 'shipping'),
    ('Servus! Ich hab gestern bei euch Kopfhörer gekauft, die sind aber noch nicht verschickt. Kann ich die Bestellung noch ändern?', 'orders'),
    ('Könnten Sie mir die Zahlungsbestätigung nochmal zuschicken?', 'billing'),
    ('Ich möchte kein Newsletter mehr bekommen', 'account'),
    ('Ist es möglich, die Lieferung an eine Packstation zu schicken?', 'shipping'),
    ('ruckerstattung noch nicht erhalten', 'billing'),
    ('lieferadresse aendern bitte', 'shipping'),
    ('wie kann ich mein konto loschen', 'account'),
    ('Hallo, wo ist meine Bestellung ORD-300123? Sie sollte schon längst da sein', 'orders+shipping'),
    ('Bitte die Bestellung ORD-300123 stornieren, danke!', 'orders'),
    ('Für ORD-300123 wurde ich doppelt belastet', 'billing'),
    ('Wann kommt mein Paket? Und kann ich noch die Rechnung bekommen?', 'shipping+billing'),
]

SPANISH = [
    ('Hola, quería saber si todavía puedo cancelar mi pedido', 'orders'),
    ('Buenas tardes, mi paquete aún no ha llegado y ya pasaron diez días', 'shipping'),
    ('Hola, me han cobrado dos veces el mismo pedido, quiero que me devuelvan el dinero', 'billing'),
    ('No puedo iniciar sesión, creo que olvidé mi contraseña', 'account'),
    ('Quiero poner una queja, el trato que recibí fue pésimo', 'care'),
    ('Hola, quisiera devolver los zapatos porque me quedan pequeños', 'orders'),
    ('¿Me podrían cambiar la dirección de envío? Me he mudado', 'shipping'),
    ('Hola, ¿cómo me doy de baja del boletín? Recibo demasiados correos', 'account'),
    ('Necesito la factura de mi última compra para la empresa, por favor', 'billing'),
    ('El envío lleva mucho retraso, ¿dónde está mi paquete?', 'shipping'),
    ('No es por la factura sino por el paquete que no ha llegado', 'shipping'),
    ('Quiero devolver la chaqueta y además me cobraron el envío dos veces', 'orders+billing'),
    ('Hola, mi cuenta está bloqueada y no puedo entrar', 'account'),
    ('¿Puedo hablar con una persona de verdad? El chat no me ayuda', 'care'),
    ('Hola, quería saber cuándo me llega el reembolso de la devolución', 'billing'),
    ('Quiero cambiar mi correo electrónico y también saber dónde está mi paquete', 'account+shipping'),
    ('Buenos días, ¿todavía puedo anular la compra que hice ayer?', 'orders'),
    ('Hola buenas, quería preguntar por qué me han cobrado dos veces este mes', 'billing'),
    ('Buenas, hice un pedido la semana pasada y todavía no me ha llegado nada', 'shipping'),
    ('Quiero cambiar mi contraseña porque creo que alguien entró en mi cuenta', 'account'),
    ('No quiero un reembolso, solo quiero saber dónde está mi paquete', 'shipping'),
    ('¿Me podéis mandar la factura del pedido y cancelar el otro pedido?', 'billing+orders'),
    ('Estoy muy molesto, quiero poner una reclamación formal', 'care'),
    ('Quiero darme de baja de la newsletter', 'account'),
    ('El paquete llegó roto y quiero devolverlo', 'orders+shipping'),
    ('Hola, buenos días. Espero que estéis bien. Quería saber si es posible cambiar la talla de unas zapatillas que compré', 'orders'),
    ('Me llegó un cargo extraño en la tarjeta y no reconozco la compra', 'billing'),
    ('Hola, no me llega el correo para restablecer la contraseña', 'account'),
    ('Gracias por la rapidez del envío, pero el pedido vino incompleto y quiero que me devuelvan el dinero de lo que falta', 'billing+orders'),
    ('Quiero cancelar el pedido y que me reembolsen lo antes posible', 'orders+billing'),
    ('¿Cuánto tarda normalmente la entrega a Canarias?', 'shipping'),
    ('Es la tercera vez que escribo y nadie me responde, esto es una vergüenza', 'care'),
    ('No es un problema con mi cuenta, es que el repartidor no ha venido', 'shipping'),
    ('hola mi pedido no a llegado todavia', 'shipping'),
    ('El envío llegó a tiempo, pero la factura tiene un error', 'billing'),
    ('No quiero cancelar nada, solo cambiar la dirección de entrega', 'shipping'),
    ('¿Podrían decirme si ya recibieron mi devolución?', 'orders'),
    ('quiero darme de baja de los correos y borrar mi cuenta', 'account'),
    ('¿Por qué rechazaron mi pago con tarjeta?', 'billing'),
    ('Necesito hablar con un supervisor, nadie me soluciona nada', 'care'),
    ('Buenas noches, os escribo porque el pedido que hice el lunes aparece como entregado pero no lo tengo', 'shipping'),
    ('¿Aceptáis pagos con PayPal?', 'billing'),
    ('Hola, no puedo acceder a mi cuenta desde el móvil', 'account'),
    ('Me habéis enviado una talla equivocada, ¿cómo hago el cambio?', 'orders'),
    ('Quiero anular mi pedido y además presentar una queja por el mal servicio', 'orders+care'),
    ('oye, mi paquete pone entregado pero no esta en mi casa', 'shipping'),
    ('Necesito una factura a nombre de mi empresa con el NIF', 'billing'),
    ('¿Por qué se canceló mi pedido? Yo no hice nada', 'orders'),
    ('Me registré con el correo equivocado, ¿se puede cambiar?', 'account'),
    ('¿Cuánto cuesta el envío a Portugal?', 'shipping'),
    ('Quiero que me devuelvan mi dinero ya, es una vergüenza', 'billing+care'),
    ('Devolví el artículo hace dos semanas. ¿Cuándo me devolverán el dinero?', 'billing'),
    ('Olvidé mi contraseña, ayuda por favor', 'account'),
    ('¿Dónde está mi paquete y por qué me cobraron dos veces?', 'shipping+billing'),
    ('Ya hablé con un compañero vuestro, pero mi paquete sigue sin llegar', 'shipping'),
    ('Hola, ¿se puede pagar contra reembolso?', 'billing'),
    ('Me gustaría cambiar el número de teléfono de mi perfil', 'account'),
    ('El seguimiento no se actualiza desde hace cuatro días', 'shipping'),
    ('¿Puedo cambiar el color de la mesa que pedí ayer?', 'orders'),
    ('no me ha llegado el reembolso todavia', 'billing'),
    ('quiero cambiar la direccion de envio', 'shipping'),
    ('como borro mi cuenta', 'account'),
    ('quiero anular mi pedido porfa', 'orders'),
    ('Hola, ¿dónde está mi pedido ORD-300123? Debería haber llegado hace días', 'orders+shipping'),
    ('Por favor, cancelad el pedido ORD-300123, gracias', 'orders'),
    ('Me han cobrado dos veces el pedido ORD-300123', 'billing'),
]

FRENCH = [
    ('Bonjour, je voudrais savoir si je peux encore annuler ma commande', 'orders'),
    ("Bonjour, je n'ai toujours pas reçu mon colis, pouvez-vous vérifier ?", 'shipping'),
    ("Bonsoir, j'ai été prélevé deux fois pour la même commande, je veux être remboursé", 'billing'),
    ("Je n'arrive pas à me connecter, j'ai oublié mon mot de passe", 'account'),
    ('Je souhaite faire une réclamation, votre service est vraiment nul', 'care'),
    ('Bonjour, je voudrais retourner la robe, elle est trop grande', 'orders'),
    ("Pouvez-vous changer l'adresse de livraison s'il vous plaît ? J'ai déménagé", 'shipping'),
    ('Comment je fais pour me désabonner de la newsletter ?', 'account'),
    ("J'aurais besoin de la facture de mon dernier achat, merci", 'billing'),
    ('La livraison est en retard de cinq jours, où est mon colis ?', 'shipping'),
    ("Ce n'est pas pour la facture mais pour mon colis qui n'est pas arrivé", 'shipping'),
    ("Je voudrais échanger la veste et en plus on m'a facturé la livraison deux fois", 'orders+billing'),
    ('Bonjour, mon compte est bloqué et je ne peux plus rien commander', 'account+orders'),
    ("Est-ce que je peux parler à quelqu'un de votre équipe ? J'ai besoin d'un vrai conseiller", 'care'),
    ('Bonjour, je voulais savoir quand je vais recevoir le remboursement de mon retour', 'billing'),
    ('Je voudrais changer mon adresse e-mail et savoir où en est mon colis', 'account+shipping'),
    ('Salut, est-ce que je peux encore renvoyer le grille-pain acheté la semaine dernière ?', 'orders'),
    ("Bonjour, je voudrais savoir pourquoi j'ai été débité deux fois", 'billing'),
    ('Bonjour, mon colis devait arriver lundi et toujours rien', 'shipping'),
    ("Je voudrais modifier mon adresse e-mail s'il vous plaît", 'account'),
    ("Je ne veux pas annuler ma commande, je veux juste changer l'adresse de livraison", 'shipping'),
    ("Est-il possible d'annuler ma commande et d'être remboursé ?", 'orders+billing'),
    ('Je suis très mécontent du service, je veux parler à un responsable', 'care'),
    ('Comment réinitialiser mon mot de passe ?', 'account'),
    ('Le produit est arrivé cassé, je souhaite le retourner', 'orders+shipping'),
    ("Bonjour à toute l'équipe, j'espère que vous allez bien. J'ai passé une commande il y a dix jours et je n'ai toujours rien reçu", 'shipping'),
    ("Bonjour, je n'ai pas reçu ma facture pour la commande de la semaine dernière", 'billing'),
    ('Je voudrais supprimer mon compte client et toutes mes données', 'account'),
    ('Merci pour la livraison rapide, mais la taille ne va pas, je voudrais faire un échange', 'orders'),
    ("J'ai renvoyé le colis il y a deux semaines et je ne suis toujours pas remboursé", 'billing'),
    ('Pouvez-vous annuler ma commande et me rembourser ?', 'orders+billing'),
    ("C'est inadmissible, personne ne répond à mes messages depuis une semaine", 'care'),
    ('Le livreur a laissé le colis chez un voisin que je ne connais pas', 'shipping'),
    ('bonjour ma commande n est toujours pas arrivee', 'shipping'),
    ('Le colis est bien arrivé, mais il manque la facture', 'billing'),
    ('Je ne veux pas de remboursement, je veux juste savoir où est mon colis', 'shipping'),
    ('Pouvez-vous me confirmer que vous avez bien reçu mon retour ?', 'orders'),
    ('je veux me desabonner de la newsletter et supprimer mon compte', 'account'),
    ('Pourquoi mon paiement a-t-il été refusé ?', 'billing'),
    ("Je voudrais parler à un responsable, c'est la troisième fois que j'écris", 'care'),
    ("Bonsoir, je vous écris car ma commande apparaît comme livrée alors que je n'ai rien reçu", 'shipping'),
    ('Est-ce que je peux payer en plusieurs fois ?', 'billing'),
    ("Je n'arrive plus à accéder à mon espace client", 'account'),
    ("Vous m'avez envoyé la mauvaise taille, comment faire un échange ?", 'orders'),
    ('Je veux annuler ma commande et déposer une plainte', 'orders+care'),
    ('coucou, mon colis indique livre mais je l ai pas', 'shipping'),
    ("J'ai besoin d'une facture au nom de ma société", 'billing'),
    ("Pourquoi ma commande a-t-elle été annulée ? Je n'ai rien fait", 'orders'),
    ('Je me suis inscrit avec la mauvaise adresse mail, on peut la changer ?', 'account'),
    ('Combien coûte la livraison en Belgique ?', 'shipping'),
    ("Je veux être remboursé tout de suite, c'est scandaleux", 'billing'),  # anger beside a request is emphasis (blind batches 4, 10)
    ("J'ai retourné l'article il y a deux semaines. Quand serai-je remboursé ?", 'billing'),
    ("Mot de passe oublié, merci de m'aider", 'account'),
    ('Où est mon colis et pourquoi ai-je été débité deux fois ?', 'shipping+billing'),
    ("J'ai déjà parlé à un de vos collègues, mais mon colis n'est toujours pas arrivé", 'shipping'),
    ('Bonjour, est-il possible de changer le mode de paiement ?', 'billing'),
    ('Je ne reçois plus vos e-mails promotionnels et je voudrais les recevoir à nouveau', 'account'),
    ('Le suivi de mon colis ne bouge plus depuis vendredi', 'shipping'),
    ('Je me suis trompé de couleur, puis-je modifier ma commande ?', 'orders'),
    ('je n ai pas encore recu mon remboursement', 'billing'),
    ('changer l adresse de livraison svp', 'shipping'),
    ('comment supprimer mon compte', 'account'),
    ('je voudrais annuler ma commande svp', 'orders'),
    ('Bonjour, où en est ma commande ORD-300123 ? Elle devait arriver hier', 'orders+shipping'),
    ("Merci d'annuler la commande ORD-300123", 'orders'),
    ("J'ai été débité deux fois pour ORD-300123", 'billing'),
    ("Quand arrive mon colis ? Et pouvez-vous m'envoyer la facture ?", 'shipping+billing'),
]

DUTCH = [
    ('Hoi, ik wilde even vragen of ik mijn bestelling nog kan annuleren', 'orders'),
    ('Goedemiddag, mijn pakket is nog steeds niet aangekomen, kunnen jullie even kijken?', 'shipping'),
    ('Hallo, er is twee keer geld afgeschreven voor dezelfde bestelling, ik wil het terug', 'billing'),
    ('Ik kan niet meer inloggen, mijn wachtwoord werkt niet', 'account'),
    ('Ik wil een klacht indienen, de service was echt slecht', 'care'),
    ('Hoi, ik wil de schoenen retourneren want ze zijn te klein', 'orders'),
    ('Kunnen jullie het bezorgadres aanpassen? Ik ben verhuisd', 'shipping'),
    ('Hoe kan ik me afmelden voor de nieuwsbrief? Ik krijg elke dag mails', 'account'),
    ('Ik heb de factuur van mijn laatste aankoop nodig voor mijn werk', 'billing'),
    ('De bezorging is al een week vertraagd, waar blijft mijn pakket?', 'shipping'),
    ('Het gaat niet om de factuur maar om mijn pakket dat niet is aangekomen', 'shipping'),
    ('Ik wil de jas ruilen en bovendien zijn de verzendkosten dubbel gerekend', 'orders+billing'),
    ('Hallo, mijn account is geblokkeerd en ik kan niets bestellen', 'account+orders'),
    ('Kan ik een medewerker spreken? Ik wil met een echt mens praten', 'care'),
    ('Hoi, ik wilde even vragen wanneer ik mijn terugbetaling van de retour krijg', 'billing'),
    ('Ik wil mijn e-mailadres wijzigen en weten waar mijn pakket nu is', 'account+shipping'),
    ('Goedemorgen, kan ik de waterkoker nog terugsturen? Ik heb hem vorige week gekocht', 'orders'),
    ('Hallo, ik heb gisteren besteld maar wil de bestelling toch annuleren', 'orders'),
    ('Goedendag, er is te veel van mijn rekening afgeschreven', 'billing'),
    ('Mijn pakketje is al vijf dagen onderweg, wanneer wordt het bezorgd?', 'shipping'),
    ('Ik ben mijn wachtwoord vergeten en kan niet inloggen', 'account'),
    ('Ik wil geen klacht indienen, maar ik wil weten waar mijn pakket is', 'shipping'),
    ('Kunnen jullie de factuur opnieuw sturen en mijn e-mailadres wijzigen?', 'billing+account'),
    ('Ik wil graag met iemand van de klantenservice bellen', 'care'),
    ('Wanneer krijg ik mijn geld terug voor de geretourneerde schoenen?', 'billing'),
    ('De lamp is kapot aangekomen, kan ik hem ruilen?', 'orders'),  # the product's damage: see the German
    ('Ik wil me uitschrijven voor alle e-mails', 'account'),
    ('Hoi! Hoop dat alles goed gaat. Ik heb vorige week een jas besteld maar die is nog steeds niet binnen, kunnen jullie kijken waar hij is?', 'shipping'),
    ('Ik heb een vraag over de betaling van mijn laatste bestelling, is die goed gegaan?', 'billing'),
    ('Ik wil mijn account verwijderen, hoe doe ik dat?', 'account'),
    ('Bedankt voor de snelle levering, maar de maat klopt niet, kan ik hem omruilen?', 'orders'),
    ('Ik heb het pakket twee weken geleden teruggestuurd en nog steeds geen geld terug', 'billing'),
    ('Kunnen jullie mijn bestelling annuleren en het geld terugstorten?', 'orders+billing'),
    ('Dit is echt belachelijk, niemand reageert op mijn mails', 'care'),
    ('De bezorger heeft het pakket bij de verkeerde buren afgeleverd', 'shipping'),
    ('hoi mijn pakket is nog steeds niet bezorgd', 'shipping'),
    ('Het pakket kwam netjes op tijd, maar de factuur ontbreekt', 'billing'),
    ('Ik wil niet annuleren, maar alleen het bezorgadres wijzigen', 'shipping'),
    ('Kunnen jullie bevestigen dat mijn retour is ontvangen?', 'orders'),
    ('ik wil me afmelden voor de nieuwsbrief en mijn account verwijderen', 'account'),
    ('Waarom is mijn betaling geweigerd?', 'billing'),
    ('Ik wil een leidinggevende spreken, dit duurt al weken', 'care'),
    ('Goedenavond, volgens de track en trace is mijn pakket bezorgd, maar ik heb niks ontvangen', 'shipping'),
    ('Kan ik ook achteraf betalen?', 'billing'),
    ('Ik kom niet meer in mijn account op de app', 'account'),
    ('Ik heb de verkeerde maat gekregen, hoe kan ik die omruilen?', 'orders'),
    ('Ik wil mijn bestelling annuleren en een klacht indienen over de klantenservice', 'orders+care'),
    ('hee mijn pakket staat op bezorgd maar ik heb niks gekregen', 'shipping'),
    ('Ik heb een factuur op naam van mijn bedrijf nodig', 'billing'),
    ('Waarom is mijn bestelling geannuleerd? Ik heb niks gedaan', 'orders'),
    ('Ik heb me met het verkeerde e-mailadres geregistreerd, kan dat nog veranderd worden?', 'account'),
    ('Wat kost de verzending naar Duitsland?', 'shipping'),
    ('Ik wil nu mijn geld terug, dit is schandalig', 'billing'),  # anger beside a request is emphasis (blind batches 4, 10)
    ('Ik heb het artikel twee weken geleden teruggestuurd. Wanneer krijg ik mijn geld?', 'billing'),
    ('Wachtwoord vergeten, help alstublieft', 'account'),
    ('Waar is mijn pakket en waarom is er twee keer afgeschreven?', 'shipping+billing'),
    ('Ik heb al met een collega van jullie gesproken, maar mijn pakket is nog steeds niet aangekomen', 'shipping'),
    ('Kan ik mijn betaalmethode nog wijzigen?', 'billing'),
    ('Ik wil mijn telefoonnummer in mijn profiel aanpassen', 'account'),
    ('De track en trace is al dagen niet bijgewerkt', 'shipping'),
    ('Kan ik de kleur van mijn bestelling nog veranderen?', 'orders'),
    ('terugbetaling nog niet ontvangen', 'billing'),
    ('bezorgadres wijzigen aub', 'shipping'),
    ('hoe verwijder ik mijn account', 'account'),
    ('Hoi, waar blijft mijn bestelling ORD-300123? Die had er al moeten zijn', 'shipping'),
    ('Graag bestelling ORD-300123 annuleren, bedankt', 'orders'),
    ('Voor ORD-300123 is er dubbel afgeschreven', 'billing'),
]
# fmt: on


@pytest.mark.parametrize(
    ("language", "cases"), [("de", GERMAN), ("es", SPANISH), ("fr", FRENCH), ("nl", DUTCH)]
)
def test_customers_messages_route_right(language: str, cases: list[tuple[str, str]]) -> None:
    wrong = [(text, want, label(text)) for text, want in cases if label(text) != _sorted(want)]
    assert not wrong, wrong
    assert len(cases) >= 15
    assert any("+" in want for _, want in cases)  # some of each language ask for two things


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wo finde ich das Rücksendeetikett?", "orders"),  # Rücksende- + Etikett
        ("Die Rechnungsadresse ist falsch geschrieben", "billing"),  # Rechnungs- + Adresse
        ("Ich hätte gerne eine Versandbestätigung", "shipping"),  # Versand- + Bestätigung
        ("Mijn bestelnummer klopt niet, kan ik de bestelling annuleren?", "orders"),
        ("Waar is mijn pakketbezorging gebleven?", "shipping"),  # pakket- + bezorging
    ],
)
def test_german_and_dutch_compounds_are_read_by_their_parts(text: str, expected: str) -> None:
    assert label(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wann bekomme ich die Erstattung für die Rücksendung?", "billing"),
        ("¿Cuándo recibo el reembolso de la devolución?", "billing"),
        ("Quand vais-je recevoir le remboursement de mon retour ?", "billing"),
        ("Wanneer krijg ik de terugbetaling van mijn retour?", "billing"),
        # a weak cue before the preposition does not make the rest a modifier
        ("Quiero cambiar la dirección de envío", "shipping"),
    ],
)
def test_what_a_strong_cue_is_about_after_a_preposition_is_an_object(text: str, expected: str) -> None:
    assert label(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nicht die Lieferung ist das Problem, sondern die doppelte Abbuchung", "billing"),
        ("No es el envío el problema, sino el cobro doble", "billing"),
        ("Das Paket kam pünktlich an, aber die Rechnung fehlt", "billing"),  # on time: said in passing
        ("Het pakket kwam op tijd, maar de factuur ontbreekt", "billing"),
        ("Le colis est bien arrivé, mais il manque la facture", "billing"),
        ("mein Paket ist nicht da, bestellt am 3. Mai", "shipping"),  # a date, not a sentence end
    ],
)
def test_contrast_and_passing_mentions_in_other_languages(text: str, expected: str) -> None:
    assert label(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Die Versandkosten wurden mir doppelt berechnet", "billing"),
        ("Me cobraron el envío dos veces", "billing"),
        ("On m'a facturé la livraison deux fois", "billing"),
        ("De verzendkosten zijn dubbel gerekend", "billing"),
        ("Wo ist mein Paket?", "shipping"),
        ("Je voudrais modifier mon adresse e-mail", "account"),  # an e-mail address is no delivery address
        ("Ik wil mijn e-mailadres wijzigen", "account"),  # the parcel alone is still the parcel's question
        ("¿Dónde está mi paquete?", "shipping"),
    ],
)
def test_the_parcel_named_in_a_charge_is_what_the_charge_is_for(text: str, expected: str) -> None:
    assert label(text) == expected


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Quiero un reembolso", True),
        ("Ich hätte gerne eine Erstattung", True),
        ("Je voudrais être remboursée", True),
        ("Ik wil mijn terugbetaling", True),
        # asking about a refund is no ask: nothing is proposed
        ("Ich möchte wissen, wann meine Erstattung kommt", False),
        ("¿Cuándo llega mi reembolso?", False),
        ("Wanneer krijg ik mijn terugbetaling?", False),
        ("Je veux savoir où en est mon remboursement", False),
    ],
)
def test_the_billing_specialist_reads_a_refund_ask_in_other_languages(text: str, asks: bool) -> None:
    from switchboard.agents.specialists.billing import asks_refund

    assert asks_refund(text) is asks


@pytest.mark.parametrize(
    "text",
    ["Hoe laat zijn jullie bereikbaar?", "Wann seid ihr erreichbar?", "Quand êtes-vous joignables ?"],
)
def test_when_the_shop_can_be_reached_is_care_in_every_language(text: str) -> None:
    assert route_deterministic(text).domains == ["care"]
